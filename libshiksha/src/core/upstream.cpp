#include "core/upstream.hpp"

#include <fmt/format.h>

namespace shiksha::detail {

Error upstream_failure(Error error, std::string_view service, const Logger& logger,
                       std::string_view request_id) {
    if (error.code != ErrorCode::unauthenticated && error.code != ErrorCode::permission_denied) return error;
    Json::Object fields{{"service", service}, {"code", to_string(error.code)}, {"error", error.message}};
    if (!request_id.empty()) fields.emplace_back("request_id", request_id);
    logger.error("a provider refused the configured credentials", std::move(fields));
    return Error{ErrorCode::unavailable,
                 fmt::format("{} is unavailable: its provider refused the server's credentials (an "
                             "operator can find the details in the server log)",
                             service),
                 {}};
}

} // namespace shiksha::detail
