#pragma once
// The one table from library error codes to HTTP statuses, and the error body shape:
// {"detail": "...", "code": "...", "errors": [{"loc": [...], "msg": "...", "type": "..."}]}.
// `detail` is always a string (the original frontend shows it as is); validation failures
// add FastAPI-style `errors` entries so clients can point at the field.

#include "http/message.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"

#include <chrono>
#include <string_view>

namespace shiksha::server {

[[nodiscard]] int status_for(ErrorCode code) noexcept;

[[nodiscard]] Response json_response(int status, const Json& body);
[[nodiscard]] Response empty_response(int status);

/// A library error as an HTTP response. `request` tells whether a field came from the path,
/// the query or the body. Internal errors do not leak their message (it is logged instead).
[[nodiscard]] Response error_response(const Error& error, const Request& request,
                                      const PathParams& path_params = {},
                                      const std::vector<std::string>& query_names = {});

/// Transport-level failures that are not library errors: 400, 404, 405, 413, 415.
[[nodiscard]] Response http_error(int status, std::string_view detail, std::string_view code);

/// 429 `rate_limited` with `Retry-After` in whole seconds (at least 1): "Too many <what>; retry
/// in N s". Every throttle answers through this, so no 429 goes out without the header.
[[nodiscard]] Response too_many_requests(std::chrono::milliseconds wait, std::string_view what);

/// Seconds a client is told to wait after a 429 that carries no better hint (a provider's
/// quota, say).
inline constexpr int default_retry_after_seconds = 60;

} // namespace shiksha::server
