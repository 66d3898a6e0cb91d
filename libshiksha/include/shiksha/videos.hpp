#pragma once
/// Teaching-video suggestions for modules: YouTube Data API v3 when a key is configured, else
/// (and whenever YouTube cannot answer) a local catalogue an administrator imports.
///
///     auto s = platform.videos().suggest(7, {.limit = 3});
///     for (const auto& v : s->videos) std::cout << v.title << ' ' << v.url << ' ' << v.duration << '\n';
///     s->cached;   // true when served from the module's stored suggestions
///     s->reason;   // why (e.g. "YouTube quota for 2026-03-08 (Pacific) is spent")
///
/// suggest() builds a query from the module (title, topic, key terms, the cluster's
/// constraints such as "without lab", at most 60 characters), asks the source for candidates,
/// scores each (embedding similarity of title + description to the module, duration fit,
/// language match) and stores the list per module for `VideoConfig::cache_ttl` (7 days).
/// A stored list is reused until it expires or `refresh` is set. When YouTube's daily quota
/// is spent (a ledger counts units per Pacific day: search 100, videos.list 1) or the API
/// fails, the stored list is served with `cached = true` and a `reason`; without one, the
/// catalogue; with an empty catalogue, an empty list with the reason — never an error for a
/// provider failure. Errors: `not_found` (module), `invalid_argument` (limit outside 1–10,
/// bad search input, unreadable import file), `unavailable` (database).
/// Thread-safe.

#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

struct Video {
    std::string video_id;
    std::string title;
    std::string description;
    std::string channel;
    std::string url;
    std::string thumbnail_url;
    std::string language; ///< language key ("hindi"), "" when unknown
    std::int64_t duration_seconds = 0;
    std::string duration; ///< "m:ss" or "h:mm:ss"
    std::int64_t view_count = 0;
    std::string published_date;            ///< "YYYY-MM-DD" (YouTube's publishedAt), "" when unknown
    std::optional<double> relevance_score; ///< 0..1, set when scored against a module or query
    std::string relevance_reason;          ///< short, e.g. "close match to the module; 8:12 fits a lesson"
};

/// YouTube's `videoDuration` filter: any, short (< 4 min), medium (4–20 min), long (> 20 min).
/// The decoder of the HTTP body (`video_search_request_from_json`) accepts the requirement's
/// names {topic, language, max_results, video_duration} and the older {query, duration}.
struct VideoSearchRequest {
    std::string query;                   ///< 2–200 characters
    std::optional<std::string> language; ///< key, code or name; default any
    int max_results = 10;                ///< 1–50
    std::string duration = "any";
};

struct VideoSearchResult {
    std::string query;
    std::string source; ///< "youtube" or "catalogue"
    std::string reason; ///< why the catalogue answered instead of YouTube; "" otherwise
    std::vector<Video> videos;
};

struct SuggestOptions {
    int limit = 3;        ///< 1–10
    bool refresh = false; ///< ignore the stored suggestions (still served if the source fails)
};

struct VideoSuggestions {
    std::int64_t module_id = 0;
    std::string module_title;
    std::string query;
    std::string source; ///< "youtube", "catalogue" or "none"
    bool cached = false;
    std::string reason; ///< why cached or why from the catalogue; "" for a fresh YouTube answer
    Timestamp fetched_at;
    std::vector<Video> videos; ///< best first, each with relevance_score and relevance_reason
};

struct CatalogueProblem {
    int row = 0; ///< CSV line (1-based, header = 1) or JSON array index (1-based)
    std::string message;
};

struct CatalogueImport {
    int added = 0;
    int updated = 0; ///< same video_id: replaced
    std::vector<CatalogueProblem> problems;
};

/// Today's spending of the YouTube quota.
struct QuotaUsage {
    std::string api = "youtube";
    std::string day; ///< YYYY-MM-DD in America/Los_Angeles
    std::int64_t units = 0;
    std::int64_t calls = 0;
    std::int64_t limit = 0;
};

/// A language videos can be searched in (relevanceLanguage = code).
struct VideoLanguage {
    std::string key;
    std::string code;
    std::string name;
    std::string native_name;
};

/// "PT1H2M3S" → 3723 (days, hours, minutes, seconds; "P0D" for live streams → 0); nullopt
/// when malformed.
[[nodiscard]] std::optional<std::int64_t> parse_iso8601_duration(std::string_view text);
/// 75 → "1:15", 3723 → "1:02:03".
[[nodiscard]] std::string format_video_duration(std::int64_t seconds);
/// YouTube's quota day for an instant: the calendar date in America/Los_Angeles (US daylight
/// saving rule: second Sunday of March 02:00 to first Sunday of November 02:00 local).
[[nodiscard]] std::string pacific_day(Timestamp t);

class VideoEngine {
public:
    struct Impl;
    explicit VideoEngine(std::unique_ptr<Impl> impl);
    ~VideoEngine();
    VideoEngine(const VideoEngine&) = delete;
    VideoEngine& operator=(const VideoEngine&) = delete;

    [[nodiscard]] Result<VideoSuggestions> suggest(std::int64_t module_id,
                                                   const SuggestOptions& options = {});
    [[nodiscard]] Result<VideoSearchResult> search(const VideoSearchRequest& request);
    [[nodiscard]] std::vector<VideoLanguage> languages() const;

    /// CSV (header naming at least video_id or url, and title; optional description, channel,
    /// thumbnail_url, duration (seconds, "m:ss" or ISO 8601), language, view_count, tags) or a
    /// JSON array of objects with the same names. Bad rows are reported, the rest imported.
    [[nodiscard]] Result<CatalogueImport> import_catalogue(std::string_view text, std::string_view format);
    /// Format from the extension (.csv, .json).
    [[nodiscard]] Result<CatalogueImport> import_catalogue_file(const std::filesystem::path& path);
    [[nodiscard]] Result<std::int64_t> catalogue_size();
    [[nodiscard]] Result<QuotaUsage> quota_usage();

private:
    std::unique_ptr<Impl> impl_;
};

/// The requirement's body {topic, language?, max_results?, video_duration?}; `query` and
/// `duration` are accepted as the older names of `topic` and `video_duration`.
/// `invalid_argument` naming the field when a member is missing or of the wrong type.
[[nodiscard]] Result<VideoSearchRequest> video_search_request_from_json(const Json& body);

/// The watch and embed links of a YouTube video id.
[[nodiscard]] std::string youtube_watch_url(std::string_view video_id);
[[nodiscard]] std::string youtube_embed_url(std::string_view video_id);

[[nodiscard]] Json to_json(const Video& video);
[[nodiscard]] Json to_json(const VideoSuggestions& suggestions);
[[nodiscard]] Json to_json(const VideoSearchResult& result);
[[nodiscard]] Json to_json(const CatalogueImport& report);
[[nodiscard]] Json to_json(const QuotaUsage& usage);

} // namespace shiksha
