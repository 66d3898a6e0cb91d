#pragma once
// A fake YouTube Data API v3 (search.list and videos.list) for tests of the videos engine.
//
//     shiksha::test::FakeYouTube yt;                     // key "yt-test-key", 10,000 units a day
//     cfg.videos.youtube_api_key = "yt-test-key";
//     cfg.videos.youtube_base_url = yt.base_url();
//     ... platform->videos().suggest(module_id) ...
//     CHECK(yt.units_spent() == 101);
//
// Requests are checked the way YouTube checks them and refused with Google's error body
// ({"error":{"code","message","errors":[{"reason","domain"}]}}):
//  - GET /youtube/v3/search or /youtube/v3/videos, else 404 notFound;
//  - `key` present and equal to the configured one, else 400 keyInvalid ("API key not valid");
//  - when the units left are fewer than the call costs: 403 quotaExceeded (search 100 units,
//    videos 1; a refused call costs nothing here);
//  - search: part=snippet, type=video, videoEmbeddable=true, safeSearch=strict, regionCode=IN,
//    videoDuration any|short|medium|long, maxResults 0–50, q present, else 400 invalidParameter;
//  - videos: part=contentDetails,statistics and id (≤ 50 ids), else 400.
// search answers every catalogue video (up to maxResults); videos answers the ids it knows.
// Thread-safe; the destructor stops the server.

#include "fake_http_server.hpp"

#include <memory>
#include <string>
#include <vector>

namespace shiksha::test {

struct FakeYouTubeVideo {
    std::string id;
    std::string title;
    std::string description;
    std::string channel = "Science Teachers India";
    std::string duration = "PT8M12S"; ///< ISO 8601, as YouTube sends it
    std::string view_count = "12345";
    std::string published_at = "2025-08-15T09:30:00Z"; ///< snippet.publishedAt
};

struct FakeYouTubeOptions {
    std::string api_key = "yt-test-key";
    int daily_units = 10000;
    std::vector<FakeYouTubeVideo> videos;
};

class FakeYouTube {
public:
    explicit FakeYouTube(FakeYouTubeOptions options = {});
    ~FakeYouTube();
    FakeYouTube(const FakeYouTube&) = delete;
    FakeYouTube& operator=(const FakeYouTube&) = delete;

    /// What VideoConfig::youtube_base_url should be: "http://127.0.0.1:PORT".
    [[nodiscard]] std::string base_url() const;
    /// Units YouTube billed so far.
    [[nodiscard]] int units_spent() const;
    /// From now on only `units` more are available (0 = every call answers quotaExceeded).
    void set_units_left(int units);
    /// The next `times` calls answer 500 backendError.
    void fail_next(int times);
    [[nodiscard]] std::vector<FakeRequest> requests() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Google's quotaExceeded body, exactly as YouTube sends it.
[[nodiscard]] std::string youtube_quota_exceeded_body();

} // namespace shiksha::test
