#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

namespace shiksha::server {

void add_cluster_routes(Router& router) {
    router.add({Method::post, "/clusters", Access::at_least(Role::teacher), Body::json, "Create a cluster",
                [](RouteContext& ctx) -> Result<Response> {
                    auto input = new_cluster_from_json(ctx.body);
                    if (!input) return std::unexpected(input.error());
                    auto cluster = ctx.platform.clusters().create(*input, ctx.actor);
                    if (!cluster) return std::unexpected(cluster.error());
                    return json_response(201, to_json(*cluster));
                },
                Mount::api, "clusters"});

    router.add({Method::get, "/clusters", Access::at_least(Role::viewer), Body::none,
                "List clusters, pinned first then newest; a teacher's hidden clusters are left out",
                [](RouteContext& ctx) -> Result<Response> {
                    auto skip = ctx.query_int("skip", 0, INT32_MAX);
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    ClusterQuery query{{skip->value_or(0), limit->value_or(100)}, ctx.session->user.id};
                    auto clusters = ctx.platform.clusters().list(query);
                    if (!clusters) return std::unexpected(clusters.error());
                    Json out = Json::array();
                    for (const auto& c : *clusters)
                        out.push_back(to_json(c));
                    return json_response(200, out);
                },
                Mount::api, "clusters"});

    router.add({Method::get, "/clusters/{id}", Access::at_least(Role::viewer), Body::none, "One cluster",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto cluster = ctx.platform.clusters().get(*id);
                    if (!cluster) return std::unexpected(cluster.error());
                    return json_response(200, to_json(*cluster));
                },
                Mount::api, "clusters"});

    router.add({Method::put, "/clusters/{id}", Access::at_least(Role::teacher), Body::json,
                "Update the fields present in the body",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto patch = cluster_patch_from_json(ctx.body);
                    if (!patch) return std::unexpected(patch.error());
                    auto cluster = ctx.platform.clusters().update(*id, *patch, ctx.actor);
                    if (!cluster) return std::unexpected(cluster.error());
                    return json_response(200, to_json(*cluster));
                },
                Mount::api, "clusters"});

    router.add({Method::del, "/clusters/{id}", Access::at_least(Role::teacher), Body::none,
                "Delete a cluster (principal and above) or hide it from your own list (teacher)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto removed = ctx.platform.clusters().remove_as(*id, ctx.session->user, ctx.actor);
                    if (!removed) return std::unexpected(removed.error());
                    return empty_response(204);
                },
                Mount::api, "clusters"});

    router.add({Method::patch, "/clusters/{id}/pin", Access::at_least(Role::teacher), Body::none,
                "Toggle the pinned flag",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto cluster = ctx.platform.clusters().toggle_pin(*id, ctx.actor);
                    if (!cluster) return std::unexpected(cluster.error());
                    return json_response(200, to_json(*cluster));
                },
                Mount::api, "clusters"});
}

} // namespace shiksha::server
