#include "http/errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shiksha::server {

int status_for(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::invalid_argument: return 422;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::unauthenticated: return 401;
    case ErrorCode::permission_denied: return 403;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::deadline_exceeded: return 504;
    case ErrorCode::internal: return 500;
    }
    return 500;
}

Response json_response(int status, const Json& body) {
    Response r;
    r.status = status;
    r.body = body.dump();
    r.set_header("Content-Type", "application/json");
    return r;
}

Response empty_response(int status) {
    Response r;
    r.status = status;
    return r;
}

Response http_error(int status, std::string_view detail, std::string_view code) {
    return json_response(status, Json::object({{"detail", detail}, {"code", code}}));
}

Response too_many_requests(std::chrono::milliseconds wait, std::string_view what) {
    const auto seconds = std::max<std::int64_t>(1, (wait.count() + 999) / 1000);
    Response r = http_error(429, fmt::format("Too many {}; retry in {} s", what, seconds), "rate_limited");
    r.set_header("Retry-After", std::to_string(seconds));
    return r;
}

Response error_response(const Error& error, const Request& request, const PathParams& path_params,
                        const std::vector<std::string>& query_names) {
    const int status = status_for(error.code);
    Json body = Json::object();
    if (error.code == ErrorCode::internal) {
        body["detail"] = fmt::format("Internal Server Error (request id {})", request.request_id);
    } else {
        body["detail"] = error.message;
    }
    body["code"] = to_string(error.code);
    if (!error.field.empty()) {
        std::string_view where = "body";
        if (request.query_param(error.field) ||
            std::find(query_names.begin(), query_names.end(), error.field) != query_names.end()) {
            where = "query";
        }
        for (const auto& [name, value] : path_params) {
            if (name == error.field) where = "path";
        }
        Json loc = Json::array();
        loc.push_back(where);
        if (error.field != "body") loc.push_back(error.field);
        Json entry = Json::object(
            {{"loc", std::move(loc)},
             {"msg", error.message},
             {"type", error.code == ErrorCode::invalid_argument ? "value_error" : to_string(error.code)}});
        Json errors = Json::array();
        errors.push_back(std::move(entry));
        body["errors"] = std::move(errors);
    }
    Response r = json_response(status, body);
    if (error.code == ErrorCode::unauthenticated) r.set_header("WWW-Authenticate", "Bearer");
    if (error.code == ErrorCode::rate_limited)
        r.set_header("Retry-After", std::to_string(default_retry_after_seconds));
    return r;
}

} // namespace shiksha::server
