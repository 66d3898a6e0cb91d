#pragma once
// Provider failures as an engine reports them to its caller (internal).

#include "shiksha/error.hpp"
#include "shiksha/log.hpp"

#include <string_view>

namespace shiksha::detail {

/// A provider that refuses our credentials (`unauthenticated`, `permission_denied`) is the
/// operator's problem, not the caller's: mapped as it stands it would tell an end user that
/// *their* login or role is wrong (401/403) and name the provider's host. It becomes
/// `unavailable` with a message naming only the service ("the language model"); the
/// provider's own message is logged at error level for the operator. Other errors pass
/// through unchanged.
[[nodiscard]] Error upstream_failure(Error error, std::string_view service, const Logger& logger,
                                     std::string_view request_id = {});

} // namespace shiksha::detail
