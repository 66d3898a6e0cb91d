#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>

namespace shiksha::server {

namespace {

Result<int> limit_param(std::optional<std::string_view> text) {
    if (!text) return 3;
    int n = 0;
    const auto* end = text->data() + text->size();
    if (auto [ptr, ec] = std::from_chars(text->data(), end, n); ec != std::errc{} || ptr != end)
        return fail_field("limit", "limit: Input should be a valid integer");
    if (n < 1 || n > 10) return fail_field("limit", "limit: Input should be between 1 and 10");
    return n;
}

Result<bool> bool_param(std::optional<std::string_view> text, std::string_view name) {
    if (!text || *text == "false" || *text == "0") return false;
    if (*text == "true" || *text == "1") return true;
    return fail_field(std::string(name), fmt::format("{}: Input should be a valid boolean", name));
}

} // namespace

void add_video_routes(Router& router) {
    router.add(
        {Method::post, "/videos/search", Access::at_least(Role::teacher), Body::json,
         "Search teaching videos: {topic, language?, max_results?, video_duration? (any|short|medium|long)} "
         "(query/duration accepted as aliases) → {success, query, total_results, videos[], source, reason}",
         [](RouteContext& ctx) -> Result<Response> {
             auto req = video_search_request_from_json(ctx.body);
             if (!req) return std::unexpected(req.error());
             auto found = ctx.platform.videos().search(*req);
             if (!found) return std::unexpected(found.error());
             return json_response(200, to_json(*found));
         },
         Mount::api, "videos"});

    router.add(
        {Method::get, "/videos/languages", Access::at_least(Role::viewer), Body::none,
         "Languages videos can be searched in",
         [](RouteContext& ctx) -> Result<Response> {
             Json out = Json::array();
             for (const auto& l : ctx.platform.videos().languages())
                 out.push_back(Json::object(
                     {{"key", l.key}, {"code", l.code}, {"name", l.name}, {"native_name", l.native_name}}));
             return json_response(200, out);
         },
         Mount::api, "videos"});

    router.add(
        {Method::get, "/modules/{id}/video-suggestions", Access::at_least(Role::viewer), Body::none,
         "Teaching videos for a module (?limit=1..10, default 3; ?refresh=true bypasses the 7-day cache) "
         "→ {module_id, module_title, suggested_videos[], cached, generated_at, query, source, reason, "
         "fetched_at, videos[]}",
         [](RouteContext& ctx) -> Result<Response> {
             auto id = ctx.path_id("id");
             if (!id) return std::unexpected(id.error());
             auto limit = limit_param(ctx.query("limit"));
             if (!limit) return std::unexpected(limit.error());
             auto refresh = bool_param(ctx.query("refresh"), "refresh");
             if (!refresh) return std::unexpected(refresh.error());
             auto s = ctx.platform.videos().suggest(*id, {*limit, *refresh});
             if (!s) return std::unexpected(s.error());
             return json_response(200, to_json(*s));
         },
         Mount::api, "videos"});
}

} // namespace shiksha::server
