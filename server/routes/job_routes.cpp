#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

namespace shiksha::server {

void add_job_routes(Router& router) {
    router.add({Method::get, "/jobs/{id}", Access::at_least(Role::viewer), Body::none,
                "A job's state and progress (percent)",
                [](RouteContext& ctx) -> Result<Response> {
                    const auto& id = ctx.params.front().second;
                    auto job = ctx.platform.jobs().get(id);
                    if (!job) return std::unexpected(job.error());
                    return json_response(200, to_json(*job));
                },
                Mount::api, "jobs"});

    router.add({Method::del, "/jobs/{id}", Access::at_least(Role::coordinator), Body::none, "Cancel a job",
                [](RouteContext& ctx) -> Result<Response> {
                    auto job = ctx.platform.jobs().cancel(ctx.params.front().second);
                    if (!job) return std::unexpected(job.error());
                    return json_response(202, to_json(*job));
                },
                Mount::api, "jobs"});

    router.add({Method::get, "/jobs", Access::at_least(Role::coordinator), Body::none,
                "Recent jobs, newest first: ?kind=&skip=&limit=",
                [](RouteContext& ctx) -> Result<Response> {
                    auto skip = ctx.query_int("skip", 0, INT32_MAX);
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto jobs = ctx.platform.jobs().list({skip->value_or(0), limit->value_or(50)},
                                                         ctx.query("kind").value_or(""));
                    if (!jobs) return std::unexpected(jobs.error());
                    Json out = Json::array();
                    for (const auto& j : *jobs)
                        out.push_back(to_json(j));
                    return json_response(200, out);
                },
                Mount::api, "jobs"});

    router.add({Method::get, "/audit", Access::at_least(Role::admin), Body::none,
                "The audit log, newest first (logins, uploads, deletions; anonymous uploads are marked)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto skip = ctx.query_int("skip", 0, INT32_MAX);
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto entries = ctx.platform.auth().audit_log({skip->value_or(0), limit->value_or(100)});
                    if (!entries) return std::unexpected(entries.error());
                    Json out = Json::array();
                    for (const auto& e : *entries) {
                        out.push_back(
                            Json::object({{"id", e.id},
                                          {"at", format_timestamp(e.at)},
                                          {"user_id", e.user_id ? Json(*e.user_id) : Json()},
                                          {"action", e.action},
                                          {"target", e.target},
                                          {"detail", Json::parse(e.detail).value_or(Json(e.detail))},
                                          {"request_id", e.request_id},
                                          {"client", e.client}}));
                    }
                    return json_response(200, out);
                },
                Mount::api, "admin"});
}

} // namespace shiksha::server
