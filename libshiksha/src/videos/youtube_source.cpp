// YouTube Data API v3: one search.list, then one batched videos.list for durations and views.
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "providers/translation_common.hpp"
#include "videos/video_source.hpp"

#include <fmt/format.h>

namespace shiksha::detail::videos {

namespace {

/// Search snippets come HTML-escaped ("Ohm&#39;s law", "Q&amp;A").
std::string unescape_html(std::string_view text) {
    static constexpr std::pair<std::string_view, std::string_view> entities[] = {
        {"&amp;", "&"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#34;", "\""},
        {"&lt;", "<"},  {"&gt;", ">"},    {"&apos;", "'"}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [from, to] : entities) {
                if (text.substr(i, from.size()) == from) {
                    out += to;
                    i += from.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

const Json* path(const Json& root, std::initializer_list<std::string_view> keys) {
    const Json* at = &root;
    for (auto k : keys) {
        at = at->find(k);
        if (!at) return nullptr;
    }
    return at;
}

std::string text_at(const Json& root, std::initializer_list<std::string_view> keys) {
    const Json* v = path(root, keys);
    return v && v->is_string() ? v->as_string() : std::string();
}

/// Google's error reasons ({"error":{"errors":[{"reason":…}]}}).
std::vector<std::string> error_reasons(std::string_view body) {
    std::vector<std::string> out;
    auto root = Json::parse(body);
    if (!root) return out;
    const Json* errors = path(*root, {"error", "errors"});
    if (!errors || !errors->is_array()) return out;
    for (const auto& e : errors->as_array()) {
        if (const Json* r = e.find("reason"); r && r->is_string()) out.push_back(r->as_string());
    }
    return out;
}

class YouTubeSource final : public VideoSource {
public:
    YouTubeSource(VideoConfig config, const NetConfig& net, std::string base, CallObserver observer)
        : config_(std::move(config)), base_(std::move(base)), observer_(std::move(observer)), client_(net) {}

    [[nodiscard]] std::string name() const override { return "youtube"; }
    [[nodiscard]] int search_cost() const override {
        return youtube_search_units + youtube_videos_list_units;
    }

    [[nodiscard]] Result<std::vector<Video>> search(const SourceQuery& q,
                                                    const CancelToken* cancel) const override {
        auto out = run(q, cancel);
        // The key travels in the URL (YouTube wants it there); no error message may carry it.
        if (!out)
            out.error().message =
                detail::redact_secret(std::move(out.error().message), config_.youtube_api_key);
        return out;
    }

private:
    Result<Json> get(std::string_view endpoint, int units, const std::string& query,
                     const CancelToken* cancel) const {
        const std::string url = fmt::format("{}/youtube/v3/{}?{}&key={}", base_, endpoint, query,
                                            detail::percent_encode(config_.youtube_api_key));
        auto response = client_.send({"GET", url, {{"Accept", "application/json"}}, {}}, cancel);
        if (!response) return std::unexpected(response.error());
        if (observer_) {
            // Every request is billed, failed ones included; retries are separate requests.
            observer_({"youtube", std::string(endpoint), units * response->attempts, response->attempts,
                       response->status});
        }
        if (response->status != 200) {
            const auto reasons = error_reasons(response->body);
            const std::string reason = reasons.empty() ? std::string() : reasons.front();
            std::string message =
                fmt::format("YouTube {} answered {}{}{}: {}", endpoint, response->status,
                            reason.empty() ? "" : " ", reason, detail::upstream_message(response->body));
            for (const auto& r : reasons) {
                if (r == "quotaExceeded" || r == "dailyLimitExceeded" || r == "rateLimitExceeded")
                    return fail(ErrorCode::rate_limited, std::move(message));
                if (r == "keyInvalid" || r == "keyExpired")
                    return fail(ErrorCode::unauthenticated, message + " (check SHIKSHA_YOUTUBE_API_KEY)");
            }
            if (response->status == 400 && message.find("API key not valid") != std::string::npos)
                return fail(ErrorCode::unauthenticated, message + " (check SHIKSHA_YOUTUBE_API_KEY)");
            if (response->status == 429) return fail(ErrorCode::rate_limited, std::move(message));
            if (response->status == 403) return fail(ErrorCode::permission_denied, std::move(message));
            return fail(ErrorCode::unavailable, std::move(message));
        }
        auto json = Json::parse(response->body);
        if (!json || !json->is_object())
            return fail(ErrorCode::unavailable,
                        fmt::format("YouTube {} sent an answer that is not JSON", endpoint));
        return std::move(*json);
    }

    Result<std::vector<Video>> run(const SourceQuery& q, const CancelToken* cancel) const {
        std::string params = fmt::format(
            "part=snippet&type=video&videoEmbeddable=true&safeSearch=strict&regionCode=IN&videoDuration={}"
            "&maxResults={}&q={}",
            detail::percent_encode(q.duration), q.max_results, detail::percent_encode(q.query));
        if (!q.language_code.empty())
            params += "&relevanceLanguage=" + detail::percent_encode(q.language_code);
        auto found = get("search", youtube_search_units, params, cancel);
        if (!found) return std::unexpected(found.error());

        std::vector<Video> videos;
        if (const Json* items = found->find("items"); items && items->is_array()) {
            for (const auto& item : items->as_array()) {
                Video v;
                v.video_id = text_at(item, {"id", "videoId"});
                if (v.video_id.empty()) continue;
                v.title = unescape_html(text_at(item, {"snippet", "title"}));
                v.description = unescape_html(text_at(item, {"snippet", "description"}));
                v.channel = unescape_html(text_at(item, {"snippet", "channelTitle"}));
                if (const auto published = text_at(item, {"snippet", "publishedAt"}); published.size() >= 10)
                    v.published_date = published.substr(0, 10);
                for (const char* size : {"medium", "high", "default"}) {
                    v.thumbnail_url = text_at(item, {"snippet", "thumbnails", size, "url"});
                    if (!v.thumbnail_url.empty()) break;
                }
                v.url = "https://www.youtube.com/watch?v=" + v.video_id;
                videos.push_back(std::move(v));
            }
        }
        if (videos.empty()) return videos;

        std::string ids;
        for (const auto& v : videos)
            ids += (ids.empty() ? "" : ",") + v.video_id;
        auto details = get("videos", youtube_videos_list_units,
                           "part=contentDetails,statistics&id=" + detail::percent_encode(ids), cancel);
        if (!details) return std::unexpected(details.error());
        if (const Json* items = details->find("items"); items && items->is_array()) {
            for (const auto& item : items->as_array()) {
                const std::string id = text_at(item, {"id"});
                for (auto& v : videos) {
                    if (v.video_id != id) continue;
                    v.duration_seconds =
                        parse_iso8601_duration(text_at(item, {"contentDetails", "duration"})).value_or(0);
                    v.duration = format_video_duration(v.duration_seconds);
                    // YouTube sends counts as strings.
                    const std::string views = text_at(item, {"statistics", "viewCount"});
                    try {
                        v.view_count = views.empty() ? 0 : std::stoll(views);
                    } catch (const std::exception&) {
                        v.view_count = 0;
                    }
                }
            }
        }
        return videos;
    }

    VideoConfig config_;
    std::string base_;
    CallObserver observer_;
    detail::HttpClient client_;
};

} // namespace

Result<std::unique_ptr<VideoSource>> make_youtube_source(const VideoConfig& config, const NetConfig& net,
                                                         CallObserver observer) {
    if (config.youtube_api_key.empty())
        return fail_field("SHIKSHA_YOUTUBE_API_KEY", "the YouTube source needs an API key");
    std::string base = config.youtube_base_url;
    while (base.ends_with('/'))
        base.pop_back();
    if (auto parsed = detail::parse_url(base + "/youtube/v3/search"); !parsed)
        return fail_field("SHIKSHA_YOUTUBE_BASE_URL", parsed.error().message);
    try {
        return std::unique_ptr<VideoSource>(
            std::make_unique<YouTubeSource>(config, net, base, std::move(observer)));
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the YouTube client: {}", e.what()));
    }
}

} // namespace shiksha::detail::videos
