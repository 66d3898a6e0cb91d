#include "shiksha/error.hpp"

namespace shiksha {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unauthenticated: return "unauthenticated";
    case ErrorCode::permission_denied: return "permission_denied";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::deadline_exceeded: return "deadline_exceeded";
    case ErrorCode::internal: return "internal";
    }
    return "internal";
}

Error Error::invalid(std::string field, std::string message) {
    return Error{ErrorCode::invalid_argument, std::move(message), std::move(field)};
}

} // namespace shiksha
