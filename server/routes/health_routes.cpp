#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"
#include "shiksha/version.hpp"

namespace shiksha::server {

void add_health_routes(Router& router) {
    router.add(
        {Method::get, "/health", Access::anyone(), Body::none, "Liveness: the database answers",
         [](RouteContext& ctx) -> Result<Response> {
             if (auto ok = ctx.platform.check_health(); !ok) {
                 return json_response(503, Json::object({{"status", "unhealthy"},
                                                         {"detail", ok.error().message},
                                                         {"code", to_string(ok.error().code)}}));
             }
             return json_response(200, Json::object({{"status", "healthy"}, {"version", version_string}}));
         },
         Mount::root, "health"});

    router.add({Method::get, "/", Access::anyone(), Body::none, "Service banner",
                [](RouteContext&) -> Result<Response> {
                    return json_response(
                        200, Json::object({{"message", "Shiksha-Setu API"},
                                           {"status", "running"},
                                           {"version", version_string},
                                           {"endpoints", Json::object({{"health", "/health"},
                                                                       {"openapi", "/api/v1/openapi.json"},
                                                                       {"auth", "/api/auth"},
                                                                       {"clusters", "/api/clusters/"}})}}));
                },
                Mount::root, "health"});

    router.add({Method::get, "/health/detailed", Access::at_least(Role::admin), Body::none,
                "Operator's health (PRD §10.1): {status, version, uptime_seconds, started_at, database "
                "{ok, schema_version...}, disk {capacity_bytes, free_bytes, available_bytes}, index {...}, "
                "providers {name: {configured, last_success, last_failure, last_error...}}, queues {...}}; "
                "503 when the database does not answer",
                [](RouteContext& ctx) -> Result<Response> {
                    const auto report = ctx.platform.detailed_health();
                    Json body = to_json(report);
                    const bool healthy = body.find("status")->as_string() == "healthy";
                    return json_response(healthy ? 200 : 503, body);
                },
                Mount::api, "health"});

    router.add({Method::get, "/metrics", Access::anyone(), Body::none, "Prometheus metrics",
                [](RouteContext& ctx) -> Result<Response> {
                    Response r;
                    r.body = ctx.platform.metrics().render_prometheus();
                    r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    return r;
                },
                Mount::root, "health"});
}

} // namespace shiksha::server
