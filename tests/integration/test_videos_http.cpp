// Video suggestions over real HTTP: the module's suggestions (limit validation, cache,
// quota-exhaustion fallback), search and languages, through the fake YouTube.
#include "fake_youtube.hpp"
#include "server_fixture.hpp"

using namespace shiksha;
using namespace shiksha::test;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct VideoServer : TestServer {
    std::int64_t module = 0;

    explicit VideoServer(const std::function<void(Config&)>& tweak) : TestServer(tweak) {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        const auto clusters = platform->clusters().list();
        REQUIRE(clusters);
        auto m = platform->modules().generate(
            {up->manual.id, clusters->front().id, "Series and parallel circuits", "english", {}});
        REQUIRE(m);
        module = m->id;
    }
    std::string path(const std::string& query = {}) const {
        return "/api/modules/" + std::to_string(module) + "/video-suggestions" + query;
    }
};

} // namespace

TEST_CASE(
    "video suggestions over HTTP: shape, limit 1-10, cache, and cached fallback when the quota is spent") {
    FakeYouTube yt(
        {.videos = {{"vid00000001", "Series and parallel circuits with cells", "bulbs and wires"},
                    {"vid00000002", "Parallel circuits explained", "current divides", "Ch", "PT3M5S"}}});
    VideoServer s([&yt](Config& c) {
        c.videos.youtube_api_key = "yt-test-key";
        c.videos.youtube_base_url = yt.base_url();
        c.net.max_attempts = 1;
    });
    const auto teacher = s.teacher();
    HttpClient c(s.port);

    CHECK(c.get(s.path()).status == 401);
    for (const char* bad : {"?limit=0", "?limit=11", "?limit=abc", "?refresh=maybe"}) {
        CAPTURE(bad);
        CHECK(c.get(s.path(bad), teacher).status == 422);
    }
    auto first = c.get(s.path("?limit=1"), teacher);
    REQUIRE(first.status == 200);
    auto j = first.json();
    CHECK(j.find("module_id")->as_int() == s.module);
    CHECK(j.find("source")->as_string() == "youtube");
    CHECK_FALSE(j.find("cached")->as_bool());
    REQUIRE(j.find("videos")->as_array().size() == 1);
    const auto& v = j.find("videos")->as_array().front();
    for (const char* key :
         {"title", "url", "video_id", "channel", "duration", "duration_seconds", "view_count",
          "thumbnail_url", "language", "relevance_score", "relevance_reason"}) {
        CAPTURE(key);
        CHECK(v.find(key) != nullptr);
    }
    CHECK(c.get(s.path("?limit=2"), teacher).json().find("cached")->as_bool());

    yt.set_units_left(0);
    auto fallback = c.get(s.path("?refresh=true"), teacher);
    REQUIRE(fallback.status == 200);
    CHECK(fallback.json().find("cached")->as_bool());
    CHECK(fallback.json().find("reason")->as_string().find("quota") != std::string::npos);
    CHECK(fallback.json().find("videos")->as_array().size() == 2);
    CHECK(c.get("/api/modules/99999/video-suggestions", teacher).status == 404);
}

TEST_CASE("video search and languages over HTTP") {
    FakeYouTube yt(
        {.videos = {{"vid00000001", "Series and parallel circuits with cells", "bulbs and wires"}}});
    VideoServer s([&yt](Config& c) {
        c.videos.youtube_api_key = "yt-test-key";
        c.videos.youtube_base_url = yt.base_url();
    });
    const auto teacher = s.teacher();
    HttpClient c(s.port);
    auto found = c.post_json(
        "/api/videos/search",
        Json::object(
            {{"query", "circuits"}, {"language", "hindi"}, {"max_results", 5}, {"duration", "short"}}),
        teacher);
    REQUIRE(found.status == 200);
    CHECK(found.json().find("videos")->as_array().size() == 1);
    CHECK(yt.requests().front().query.at("videoDuration") == "short");
    CHECK(
        c.post_json("/api/videos/search", Json::object({{"query", "circuits"}, {"max_results", 51}}), teacher)
            .status == 422);
    CHECK(c.post_json("/api/videos/search", Json::object({{"max_results", 5}}), teacher).status == 422);
    auto langs = c.get("/api/videos/languages", teacher);
    REQUIRE(langs.status == 200);
    CHECK(langs.json().as_array().size() >= 12);
}
