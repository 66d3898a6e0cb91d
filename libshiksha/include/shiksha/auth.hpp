#pragma once
/// Users, roles, passwords and tokens.
///
///     auto& auth = platform.auth();
///     auto user = auth.create_user({.username = "asha", .email = "asha@diet.gov.in",
///                                   .name = "Asha", .role = shiksha::Role::coordinator,
///                                   .password = "a long passphrase"});
///     auto tokens = auth.login("asha", "a long passphrase");       // or the e-mail
///     auto who = auth.authenticate(tokens->access_token);          // on every request
///     auto next = auth.refresh(tokens->refresh_token);             // rotates
///
/// Roles form one ladder (lowest first):
///   viewer      read only
///   teacher     + create/edit clusters, generate modules, give feedback (original frontend)
///   coordinator + delete shared data, upload manuals, share to teachers
///     (principal, from the original frontend, sits on the same rung as coordinator)
///   admin       + manage users
///
/// Passwords are hashed with Argon2id (libsodium) and never logged. Access tokens are HS256
/// JWTs (`sub`, `role`, `iat`, `exp`, `jti`); refresh tokens are random, stored hashed, and
/// rotate on use: presenting a spent one revokes its whole family.
/// AuthEngine is thread-safe.

#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

enum class Role { viewer, teacher, principal, coordinator, admin };

/// Rung on the permission ladder: viewer 0, teacher 1, principal = coordinator 2, admin 3.
[[nodiscard]] int role_rank(Role role) noexcept;
[[nodiscard]] inline bool role_at_least(Role have, Role need) noexcept {
    return role_rank(have) >= role_rank(need);
}
[[nodiscard]] std::string_view to_string(Role role) noexcept;
/// Case-insensitive; `invalid_argument` lists the valid roles.
[[nodiscard]] Result<Role> parse_role(std::string_view text);
/// A login (username or e-mail) as accounts are looked up: trimmed, ASCII lower-cased. Key
/// anything per account (a login throttle) on this, never on the login as typed.
[[nodiscard]] std::string normalized_login(std::string_view login);

struct User {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    std::string name;
    Role role = Role::viewer;
    std::optional<std::int64_t> school_id;
    std::optional<std::string> school_name;
    bool active = true;
    std::optional<Timestamp> last_login;
    Timestamp created_at;
    Timestamp updated_at;
};

struct NewUser {
    std::string username; ///< 3–50 of [a-z0-9._-], unique
    std::string email;    ///< unique; optional (empty) for service accounts
    std::string name;     ///< display name; defaults to the username
    Role role = Role::viewer;
    std::string password; ///< 8–1024 bytes
    std::optional<std::int64_t> school_id;
};

struct School {
    std::int64_t id = 0;
    std::string name;
    std::string district;
    std::string state;
    std::string school_type;
    std::int64_t total_teachers = 0;
};

struct TokenPair {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in = 0; ///< seconds until the access token expires
    User user;
};

/// Who is calling, as established from a valid access token.
struct Session {
    User user;
    std::string token_id; ///< the access token's `jti`
    Timestamp expires_at;
};

/// Who performed a change, for the audit log. Empty for the system itself.
struct Actor {
    std::optional<std::int64_t> user_id;
    std::string request_id;
    std::string client; ///< remote address or "cli"
};

struct AuditEntry {
    std::int64_t id = 0;
    Timestamp at;
    std::optional<std::int64_t> user_id;
    std::string action; ///< "cluster.create", "auth.login_failed"...
    std::string target; ///< "cluster:12"
    std::string detail; ///< JSON text
    std::string request_id;
    std::string client;
};

/// Obtained from `Platform::auth()`; not constructible by hosts.
class AuthEngine {
public:
    struct Impl;
    explicit AuthEngine(std::unique_ptr<Impl> impl);
    ~AuthEngine();
    AuthEngine(const AuthEngine&) = delete;
    AuthEngine& operator=(const AuthEngine&) = delete;

    [[nodiscard]] Result<User> create_user(const NewUser& user, const Actor& actor = {});
    [[nodiscard]] Result<User> get_user(std::int64_t id);
    /// By username or e-mail (case-insensitive).
    [[nodiscard]] Result<User> find_user(std::string_view login);
    [[nodiscard]] Result<std::vector<User>> list_users(Page page = {});
    [[nodiscard]] Result<void> set_password(std::int64_t user_id, std::string_view password,
                                            const Actor& actor = {});
    /// Deactivation also revokes the user's refresh tokens.
    [[nodiscard]] Result<void> set_active(std::int64_t user_id, bool active, const Actor& actor = {});
    /// True when `password` is the user's current password (no login side effects).
    [[nodiscard]] Result<bool> check_password(std::string_view login, std::string_view password);

    [[nodiscard]] Result<School> create_school(const School& school);
    [[nodiscard]] Result<std::optional<School>> find_school(std::string_view name);

    /// `login` is a username or an e-mail. Wrong login or password: `unauthenticated`
    /// "Incorrect email or password" (the same for both, and the same time taken);
    /// inactive: `permission_denied` "User account is inactive". Stamps last_login.
    [[nodiscard]] Result<TokenPair> login(std::string_view login, std::string_view password,
                                          const Actor& actor = {});
    /// Rotates: the presented token is spent and a new pair issued. A spent or revoked
    /// token revokes its family and is `unauthenticated`.
    [[nodiscard]] Result<TokenPair> refresh(std::string_view refresh_token, const Actor& actor = {});
    /// Revokes the access token (until it would expire) and, when given, the refresh token's family.
    [[nodiscard]] Result<void> logout(const Session& session, std::string_view refresh_token = {},
                                      const Actor& actor = {});
    /// Verifies signature, expiry, revocation and that the user still exists and is active.
    /// The session carries the user's *current* role.
    [[nodiscard]] Result<Session> authenticate(std::string_view access_token);

    [[nodiscard]] Result<std::vector<AuditEntry>> audit_log(Page page = {});
    [[nodiscard]] Result<void> record_audit(const Actor& actor, std::string_view action,
                                            std::string_view target, std::string_view detail_json);

private:
    std::unique_ptr<Impl> impl_;
};

/// Wire form of a user (API contract §2 `UserResponse` plus username, active, last_login).
/// Never contains the password hash.
[[nodiscard]] Json to_json(const User& user);

} // namespace shiksha
