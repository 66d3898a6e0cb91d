#include "fake_youtube.hpp"

#include "shiksha/json.hpp"

#include <mutex>
#include <set>
#include <sstream>

namespace shiksha::test {

std::string youtube_quota_exceeded_body() {
    return R"({"error":{"code":403,"message":"The request cannot be completed because you have exceeded your quota.","errors":[{"reason":"quotaExceeded","domain":"youtube.quota"}]}})";
}

namespace {

FakeResponse google_error(int status, std::string_view reason, std::string_view message) {
    Json body = Json::object(
        {{"error", Json::object({{"code", status},
                                 {"message", message},
                                 {"errors", Json(Json::Array{Json::object({{"reason", reason},
                                                                           {"domain", "youtube.parameter"},
                                                                           {"message", message}})})}})}});
    return FakeResponse::json(status, body.dump());
}

std::string param(const FakeRequest& r, const std::string& k) {
    auto it = r.query.find(k);
    return it == r.query.end() ? std::string() : it->second;
}

} // namespace

struct FakeYouTube::Impl {
    FakeYouTubeOptions options;
    mutable std::mutex mu;
    int spent = 0;
    int left = 0;
    int failures = 0;
    std::unique_ptr<FakeHttpServer> server;

    FakeResponse handle(const FakeRequest& r) {
        const bool is_search = r.path == "/youtube/v3/search";
        const bool is_videos = r.path == "/youtube/v3/videos";
        if (r.method != "GET" || (!is_search && !is_videos))
            return google_error(404, "notFound", "Not Found");
        if (param(r, "key") != options.api_key)
            return google_error(400, "keyInvalid", "API key not valid. Please pass a valid API key.");
        std::lock_guard lock(mu);
        if (failures > 0) {
            --failures;
            return google_error(500, "backendError", "Backend Error");
        }
        const int cost = is_search ? 100 : 1;
        if (left < cost) return FakeResponse::json(403, youtube_quota_exceeded_body());
        if (is_search) {
            for (const auto& [k, v] :
                 std::vector<std::pair<std::string, std::string>>{{"part", "snippet"},
                                                                  {"type", "video"},
                                                                  {"videoEmbeddable", "true"},
                                                                  {"safeSearch", "strict"},
                                                                  {"regionCode", "IN"}}) {
                if (param(r, k) != v) return google_error(400, "invalidParameter", "bad or missing " + k);
            }
            const auto duration = param(r, "videoDuration");
            if (duration != "any" && duration != "short" && duration != "medium" && duration != "long")
                return google_error(400, "invalidParameter", "bad videoDuration");
            if (param(r, "q").empty()) return google_error(400, "invalidParameter", "missing q");
            int max = 5;
            try {
                max = param(r, "maxResults").empty() ? 5 : std::stoi(param(r, "maxResults"));
            } catch (const std::exception&) {
                max = -1;
            }
            if (max < 0 || max > 50) return google_error(400, "invalidParameter", "bad maxResults");
            spent += cost;
            left -= cost;
            Json items = Json::array();
            for (const auto& v : options.videos) {
                if (static_cast<int>(items.as_array().size()) >= max) break;
                items.push_back(Json::object(
                    {{"kind", "youtube#searchResult"},
                     {"id", Json::object({{"kind", "youtube#video"}, {"videoId", v.id}})},
                     {"snippet",
                      Json::object(
                          {{"title", v.title},
                           {"description", v.description},
                           {"channelTitle", v.channel},
                           {"publishedAt", v.published_at},
                           {"thumbnails",
                            Json::object({{"medium", Json::object({{"url", "https://i.ytimg.com/vi/" + v.id +
                                                                               "/mqdefault.jpg"}})}})}})}}));
            }
            return FakeResponse::json(
                200, Json::object({{"kind", "youtube#searchListResponse"}, {"items", items}}).dump());
        }
        if (param(r, "part") != "contentDetails,statistics")
            return google_error(400, "invalidParameter", "part must be contentDetails,statistics");
        std::set<std::string> ids;
        std::stringstream ss(param(r, "id"));
        for (std::string id; std::getline(ss, id, ',');)
            ids.insert(id);
        if (ids.empty() || ids.size() > 50) return google_error(400, "invalidParameter", "bad id");
        spent += cost;
        left -= cost;
        Json items = Json::array();
        for (const auto& v : options.videos) {
            if (!ids.contains(v.id)) continue;
            items.push_back(Json::object({{"id", v.id},
                                          {"contentDetails", Json::object({{"duration", v.duration}})},
                                          {"statistics", Json::object({{"viewCount", v.view_count}})}}));
        }
        return FakeResponse::json(
            200, Json::object({{"kind", "youtube#videoListResponse"}, {"items", items}}).dump());
    }
};

FakeYouTube::FakeYouTube(FakeYouTubeOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->left = impl_->options.daily_units;
    impl_->server =
        std::make_unique<FakeHttpServer>([this](const FakeRequest& r) { return impl_->handle(r); });
}
FakeYouTube::~FakeYouTube() = default;

std::string FakeYouTube::base_url() const {
    auto url = impl_->server->url("");
    while (url.ends_with('/'))
        url.pop_back();
    return url;
}
int FakeYouTube::units_spent() const {
    std::lock_guard lock(impl_->mu);
    return impl_->spent;
}
void FakeYouTube::set_units_left(int units) {
    std::lock_guard lock(impl_->mu);
    impl_->left = units;
}
void FakeYouTube::fail_next(int times) {
    std::lock_guard lock(impl_->mu);
    impl_->failures = times;
}
std::vector<FakeRequest> FakeYouTube::requests() const {
    return impl_->server->requests();
}

} // namespace shiksha::test
