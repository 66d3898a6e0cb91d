#pragma once
/// Demo data: the accounts of the API contract (§2) and three example clusters, so a fresh
/// install can be tried at once. Idempotent: what already exists is left as it is.
///
///     auto report = shiksha::seed_demo(*platform);
///     for (const auto& line : report->actions) std::cout << line << '\n';
///
/// The demo passwords are public. `shiksha serve` refuses to start while any of them still
/// works unless started with --dev or --allow-demo-accounts.

#include "shiksha/error.hpp"

#include <string>
#include <vector>

namespace shiksha {

class Platform;

struct DemoAccount {
    std::string username;
    std::string email;
    std::string password;
    std::string name;
    std::string role;   ///< as on the wire: admin, principal, teacher
    std::string school; ///< empty for none
};

/// Names of the three example clusters seed_demo() creates (tribal, urban, rural).
[[nodiscard]] std::vector<std::string> demo_cluster_names();

/// The contract's seven demo accounts, admin first.
[[nodiscard]] const std::vector<DemoAccount>& demo_accounts();

struct DemoReport {
    std::vector<std::string> actions; ///< one line per thing created or found
    int users_created = 0;
    int clusters_created = 0;
};

[[nodiscard]] Result<DemoReport> seed_demo(Platform& platform);

/// Usernames of demo accounts whose published password still logs in.
[[nodiscard]] Result<std::vector<std::string>> demo_accounts_with_default_password(Platform& platform);

} // namespace shiksha
