#include "http/api.hpp"

#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/platform.hpp"
#include "shiksha/rate_limit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <random>

namespace shiksha::server {

namespace {

constexpr std::string_view allowed_methods = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

bool valid_request_id(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
    });
}

std::string new_request_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}", rng());
}

std::string allow_header(const std::vector<Method>& methods) {
    std::string out;
    for (auto m : methods) {
        if (!out.empty()) out += ", ";
        out += to_string(m);
    }
    return out;
}

/// "Bearer <token>" → token; empty when absent or another scheme.
std::string_view bearer_token(const Request& request) {
    auto value = request.header("Authorization");
    if (!value) return {};
    constexpr std::string_view scheme = "bearer ";
    if (value->size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = (*value)[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != scheme[i]) return {};
    }
    auto token = value->substr(scheme.size());
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    return token;
}

} // namespace

void add_security_headers(Response& response, const Request* request, bool trust_forwarded_proto) {
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("Referrer-Policy", "no-referrer");
    response.set_header("X-Frame-Options", "DENY");
    if (!response.header("Content-Security-Policy"))
        response.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (!response.header("Cache-Control")) {
        const auto type = response.header("Content-Type");
        if (type && type->find("json") != std::string_view::npos)
            response.set_header("Cache-Control", "no-store");
    }
    if (trust_forwarded_proto && request) {
        const auto proto = request->header("X-Forwarded-Proto");
        if (proto && *proto == "https")
            response.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
}

struct Api::Impl {
    Platform& platform;
    Router router;
    std::unique_ptr<RateLimiter> client_limiter;        // per client address
    std::unique_ptr<RateLimiter> login_limiter;         // per address and account
    std::unique_ptr<RateLimiter> login_address_limiter; // per address, all accounts
    std::unique_ptr<RateLimiter> upload_limiter;        // anonymous uploads per address, when allowed
    Gauge& in_flight;

    explicit Impl(Platform& p)
        : platform(p),
          in_flight(p.metrics().gauge("shiksha_http_in_flight_requests", "Requests being handled")) {
        const auto& cfg = p.config();
        if (cfg.server.requests_per_minute > 0) {
            client_limiter = std::make_unique<RateLimiter>(
                RateLimit{double(cfg.server.requests_per_minute), cfg.server.requests_per_minute / 60.0});
        }
        if (cfg.auth.login_attempts_per_minute > 0) {
            login_limiter = std::make_unique<RateLimiter>(RateLimit{
                double(cfg.auth.login_attempts_per_minute), cfg.auth.login_attempts_per_minute / 60.0});
        }
        if (const unsigned n = cfg.auth.login_attempts_per_address_per_minute; n > 0) {
            login_address_limiter = std::make_unique<RateLimiter>(RateLimit{double(n), n / 60.0});
        }
        if (cfg.server.allow_anonymous_upload) {
            const double per_hour = std::max(1u, cfg.server.anonymous_uploads_per_hour);
            upload_limiter = std::make_unique<RateLimiter>(RateLimit{per_hour, per_hour / 3600.0});
        }
        const RouteDeps deps{.login_limiter = login_limiter.get(),
                             .login_address_limiter = login_address_limiter.get(),
                             .anonymous_upload_limiter = upload_limiter.get()};
        add_health_routes(router);
        add_auth_routes(router, deps);
        add_cluster_routes(router);
        add_manual_routes(router, deps);
        add_job_routes(router);
        add_module_routes(router);
        add_translation_routes(router);
        add_export_routes(router);
        add_delivery_routes(router);
        add_video_routes(router);
        add_analytics_routes(router);
        add_openapi_route(router);
    }

    [[nodiscard]] std::optional<std::string> allowed_origin(const Request& request) const {
        auto origin = request.header("Origin");
        if (!origin) return std::nullopt;
        const auto& allowed = platform.config().server.cors_origins;
        if (std::find(allowed.begin(), allowed.end(), *origin) == allowed.end()) return std::nullopt;
        return std::string(*origin);
    }

    Response preflight(const Request& request) const {
        auto origin = allowed_origin(request);
        if (!origin) return http_error(400, "Disallowed CORS origin", "cors_origin_denied");
        Response r = empty_response(200);
        r.set_header("Access-Control-Allow-Methods", std::string(allowed_methods));
        auto requested = request.header("Access-Control-Request-Headers");
        r.set_header("Access-Control-Allow-Headers", requested && !requested->empty()
                                                         ? std::string(*requested)
                                                         : "authorization, content-type");
        r.set_header("Access-Control-Max-Age", "600");
        r.set_header("Content-Type", "text/plain; charset=utf-8");
        r.body = "OK";
        return r;
    }

    /// Everything between "the request arrived" and "a response exists", minus CORS headers.
    Response dispatch(Request& request, std::string& route_label, std::optional<std::int64_t>& user_id) {
        if (request.method == Method::options && request.header("Access-Control-Request-Method")) {
            route_label = "preflight";
            return preflight(request);
        }
        if (client_limiter && request.path != "/health") {
            if (auto wait = client_limiter->acquire(request.remote); wait.count() > 0) {
                return too_many_requests(wait, "requests");
            }
        }
        RouteMatch match = router.match(request.method, request.path);
        if (!match.route) {
            if (!match.allowed.empty()) {
                Response r = http_error(405, "Method Not Allowed", "method_not_allowed");
                r.set_header("Allow", allow_header(match.allowed));
                return r;
            }
            return http_error(404, "Not Found", "not_found");
        }
        const Route& route = *match.route;
        route_label = std::string(route.path);

        RouteContext ctx{request,      platform, std::move(match.params),
                         std::nullopt, Json(),   Actor{std::nullopt, request.request_id, request.remote}};
        if (route.access.is_public()) {
            // A public route still learns who is calling when a valid token comes along (for the
            // audit log); a bad token there is simply ignored.
            if (const auto token = bearer_token(request); !token.empty()) {
                if (auto session = platform.auth().authenticate(token)) {
                    user_id = session->user.id;
                    ctx.actor.user_id = session->user.id;
                    ctx.session = std::move(*session);
                }
            }
        } else {
            const auto token = bearer_token(request);
            if (token.empty()) {
                Response r = http_error(401, "Not authenticated", "unauthenticated");
                r.set_header("WWW-Authenticate", "Bearer");
                return r;
            }
            auto session = platform.auth().authenticate(token);
            if (!session) return error_response(session.error(), request);
            if (!role_at_least(session->user.role, route.access.min_role())) {
                return http_error(403,
                                  fmt::format("This action needs the {} role or higher",
                                              to_string(route.access.min_role())),
                                  "permission_denied");
            }
            user_id = session->user.id;
            ctx.actor.user_id = session->user.id;
            ctx.session = std::move(*session);
        }
        if (route.body != Body::none && !request.body.empty()) {
            if (auto type = request.header("Content-Type");
                type && !type->empty() && type->find("json") == std::string_view::npos) {
                return http_error(415, fmt::format("Expected a JSON body (application/json), got {}", *type),
                                  "unsupported_media_type");
            }
            auto body = Json::parse(request.body);
            if (!body) return http_error(400, body.error().message, "invalid_json");
            ctx.body = std::move(*body);
        }
        auto result = route.handler(ctx);
        if (!result) return error_response(result.error(), request, ctx.params, ctx.queried);
        if (request.method == Method::head) {
            result->set_header("Content-Length", std::to_string(result->body.size()));
            result->body.clear();
        }
        return std::move(*result);
    }
};

Api::Api(Platform& platform) : impl_(std::make_unique<Impl>(platform)) {}
Api::~Api() = default;

const Router& Api::router() const noexcept {
    return impl_->router;
}

Response Api::handle(Request& request) noexcept {
    const auto started = std::chrono::steady_clock::now();
    auto& platform = impl_->platform;
    if (auto id = request.header("X-Request-Id"); id && valid_request_id(*id)) {
        request.request_id = std::string(*id);
    } else {
        request.request_id = new_request_id();
    }
    impl_->in_flight.inc();
    std::string route_label = "unmatched";
    std::optional<std::int64_t> user_id;
    Response response;
    try {
        response = impl_->dispatch(request, route_label, user_id);
    } catch (const std::exception& e) {
        platform.logger().error("handler threw", {{"request_id", request.request_id}, {"what", e.what()}});
        response = error_response(Error{ErrorCode::internal, e.what(), {}}, request);
    } catch (...) {
        platform.logger().error("handler threw a non-standard exception",
                                {{"request_id", request.request_id}});
        response = error_response(Error{ErrorCode::internal, "unknown exception", {}}, request);
    }
    impl_->in_flight.dec();

    if (auto origin = impl_->allowed_origin(request)) {
        response.set_header("Access-Control-Allow-Origin", *origin);
        response.set_header("Access-Control-Allow-Credentials", "true");
        response.set_header("Access-Control-Expose-Headers",
                            "X-Request-Id, Content-Disposition, Retry-After");
        response.set_header("Vary", "Origin");
    }
    response.set_header("X-Request-Id", request.request_id);
    add_security_headers(response, &request, platform.config().server.trust_forwarded_proto);
    // Whatever produced a 429 (a route's own throttle, a provider's quota), clients are told
    // when to come back.
    if (response.status == 429 && !response.header("Retry-After"))
        response.set_header("Retry-After", std::to_string(default_retry_after_seconds));

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string method{to_string(request.method)};
    const std::string status = std::to_string(response.status);
    platform.metrics()
        .counter("shiksha_http_requests_total", "HTTP requests by route and status",
                 {{"method", method}, {"route", route_label}, {"status", status}})
        .inc();
    platform.metrics()
        .histogram("shiksha_http_request_duration_seconds", "Time to produce a response",
                   {{"route", route_label}})
        .observe(seconds);
    Json::Object fields{{"request_id", request.request_id},
                        {"method", method},
                        {"path", request.path},
                        {"status", response.status},
                        {"duration_ms", std::round(seconds * 1e5) / 100.0},
                        {"remote", request.remote}};
    if (user_id) fields.emplace_back("user_id", *user_id);
    platform.logger().log(response.status >= 500 ? LogLevel::error : LogLevel::info, "http request",
                          std::move(fields));
    return response;
}

} // namespace shiksha::server
