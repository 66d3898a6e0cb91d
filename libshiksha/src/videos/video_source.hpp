#pragma once
// Where candidate videos come from (internal): YouTube Data API v3, or the local catalogue
// (read by the engine through store/video_repo). The engine ranks what a source returns.

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"
#include "shiksha/providers.hpp"
#include "shiksha/videos.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace shiksha::detail::videos {

struct SourceQuery {
    std::string query;
    std::string language_code; ///< ISO 639-1 for relevanceLanguage; "" = any
    std::string duration = "any";
    int max_results = 20; ///< 1–50
};

/// One outbound call, reported for the quota ledger, logs and metrics.
struct SourceCall {
    std::string api;      ///< "youtube"
    std::string endpoint; ///< "search" or "videos"
    int units = 0;        ///< quota units it cost
    int attempts = 0;     ///< HTTP attempts (each one is billed)
    int status = 0;       ///< HTTP status, 0 when no answer came back
};
using CallObserver = std::function<void(const SourceCall&)>;

class VideoSource {
public:
    virtual ~VideoSource() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    /// Units a search() costs at most (the engine checks the ledger before calling).
    [[nodiscard]] virtual int search_cost() const = 0;
    /// Candidates with durations and view counts. Errors: `rate_limited` when the quota is
    /// spent (message contains "quotaExceeded"), `unauthenticated` (bad key), `unavailable`.
    [[nodiscard]] virtual Result<std::vector<Video>> search(const SourceQuery& query,
                                                            const CancelToken* cancel = nullptr) const = 0;
};

/// Quota units per call as YouTube documents them (developers.google.com/youtube/v3/determine_quota_cost).
inline constexpr int youtube_search_units = 100;
inline constexpr int youtube_videos_list_units = 1;

/// `observer` is called after every HTTP exchange that got an answer.
[[nodiscard]] Result<std::unique_ptr<VideoSource>>
make_youtube_source(const VideoConfig& config, const NetConfig& net, CallObserver observer);

} // namespace shiksha::detail::videos
