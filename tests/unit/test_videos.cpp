// Video suggestions: YouTube Data API v3 through a fake that checks parameters and counts
// units, the quota ledger (Pacific days), the per-module cache (expiry, refresh), fallbacks
// when the quota is spent, and the offline catalogue (CSV/JSON import).
#include "fake_openai.hpp"
#include "fake_youtube.hpp"
#include "platform_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <chrono>

using namespace shiksha;
using namespace std::chrono;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

std::vector<test::FakeYouTubeVideo> circuit_videos() {
    return {
        {"vid00000001", "Series and parallel circuits with a torch bulb and cells",
         "Make series and parallel circuits with cells, wires and bulbs. Low cost experiment, no lab "
         "needed."},
        {"vid00000002", "Cooking rice in a pressure cooker", "A recipe for fluffy rice at home.", "Kitchen",
         "PT45M0S", "999"},
        {"vid00000003", "Electric circuits &amp; switches: Ohm&#39;s law for class 8",
         "Current, voltage and resistance in a simple electric circuit.", "Physics Wallah", "PT1H2M3S",
         "5000"},
    };
}

struct Fixture : test::PlatformFixture {
    std::int64_t module_id = 0;

    explicit Fixture(const std::function<void(Config&)>& tweak = {}) : test::PlatformFixture(tweak) {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        auto cluster = platform->clusters().create(
            {"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low", "No laboratory", 40, std::nullopt});
        REQUIRE(cluster);
        auto m = platform->modules().generate(
            {up->manual.id, cluster->id, "Series and parallel circuits", "english", {}});
        REQUIRE(m);
        module_id = m->id;
    }

    VideoEngine& videos() { return platform->videos(); }

    void sql(const std::string& statement) {
        SQLite::Database db((dir.path() / "shiksha.db").string(), SQLite::OPEN_READWRITE);
        db.exec(statement);
    }
};

std::function<void(Config&)> with_youtube(const test::FakeYouTube& yt, int daily = 10000) {
    return [&yt, daily](Config& c) {
        c.videos.youtube_api_key = "yt-test-key";
        c.videos.youtube_base_url = yt.base_url();
        c.videos.daily_quota_units = daily;
        c.net.max_attempts = 1;
    };
}

std::string detail_lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Timestamp utc(int y, unsigned mo, unsigned d, int h, int mi = 0, int s = 0) {
    return time_point_cast<microseconds>(sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) +
                                         seconds(s));
}

} // namespace

TEST_CASE("ISO 8601 durations become seconds and m:ss") {
    struct Row {
        const char* iso;
        std::optional<std::int64_t> seconds;
        const char* shown;
    };
    for (const Row& r : std::initializer_list<Row>{{"PT8M12S", 492, "8:12"},
                                                   {"PT45S", 45, "0:45"},
                                                   {"PT1H", 3600, "1:00:00"},
                                                   {"PT1H2M3S", 3723, "1:02:03"},
                                                   {"PT10M", 600, "10:00"},
                                                   {"P1DT2H", 93600, "26:00:00"},
                                                   {"P0D", 0, "0:00"},
                                                   {"PT0S", 0, "0:00"},
                                                   {"", std::nullopt, ""},
                                                   {"P", std::nullopt, ""},
                                                   {"PT", std::nullopt, ""},
                                                   {"8M12S", std::nullopt, ""},
                                                   {"PT12S8M", std::nullopt, ""},
                                                   {"PT8X", std::nullopt, ""},
                                                   {"PTM", std::nullopt, ""},
                                                   {"P1H", std::nullopt, ""}}) {
        CAPTURE(r.iso);
        const auto got = parse_iso8601_duration(r.iso);
        CHECK(got == r.seconds);
        if (got) CHECK(format_video_duration(*got) == r.shown);
    }
}

TEST_CASE("the quota day is the calendar date in Los Angeles, daylight saving included") {
    // Winter (UTC-8): midnight Pacific is 08:00 UTC.
    CHECK(pacific_day(utc(2024, 1, 15, 7, 59, 59)) == "2024-01-14");
    CHECK(pacific_day(utc(2024, 1, 15, 8)) == "2024-01-15");
    // Summer (UTC-7): midnight is 07:00 UTC.
    CHECK(pacific_day(utc(2024, 7, 1, 6, 59, 59)) == "2024-06-30");
    CHECK(pacific_day(utc(2024, 7, 1, 7)) == "2024-07-01");
    // DST starts Sunday 10 March 2024 at 02:00 PST (10:00 UTC): that day began at 08:00 UTC,
    // the next begins at 07:00 UTC.
    CHECK(pacific_day(utc(2024, 3, 10, 7, 59)) == "2024-03-09");
    CHECK(pacific_day(utc(2024, 3, 10, 8)) == "2024-03-10");
    CHECK(pacific_day(utc(2024, 3, 11, 6, 59)) == "2024-03-10");
    CHECK(pacific_day(utc(2024, 3, 11, 7)) == "2024-03-11");
    // DST ends Sunday 3 November 2024 at 02:00 PDT (09:00 UTC).
    CHECK(pacific_day(utc(2024, 11, 3, 6, 59)) == "2024-11-02");
    CHECK(pacific_day(utc(2024, 11, 3, 7)) == "2024-11-03");
    CHECK(pacific_day(utc(2024, 11, 4, 7, 30)) == "2024-11-03");
    CHECK(pacific_day(utc(2024, 11, 4, 8)) == "2024-11-04");
    // 2025: 9 March and 2 November; New Year in UTC is still the old year in Los Angeles.
    CHECK(pacific_day(utc(2025, 3, 10, 6, 30)) == "2025-03-09");
    CHECK(pacific_day(utc(2025, 11, 3, 7, 30)) == "2025-11-02");
    CHECK(pacific_day(utc(2026, 1, 1, 5)) == "2025-12-31");
}

TEST_CASE(
    "suggestions from YouTube: required parameters, one batched videos call, ranked, units in the ledger") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    Fixture f(with_youtube(yt));
    auto s = f.videos().suggest(f.module_id, {.limit = 3});
    REQUIRE(s);
    CHECK(s->source == "youtube");
    CHECK_FALSE(s->cached);
    CHECK(s->reason.empty());
    CAPTURE(s->query);
    CHECK(s->query.size() <= 60);
    CHECK(detail_lower(s->query).find("circuits") != std::string::npos);
    CHECK(s->query.find("without lab") != std::string::npos); // the cluster has no laboratory
    REQUIRE(s->videos.size() == 3);
    CHECK(s->videos.front().video_id == "vid00000001");
    CHECK(s->videos.back().video_id == "vid00000002"); // cooking rice: unrelated and 45 minutes
    for (const auto& v : s->videos) {
        REQUIRE(v.relevance_score);
        CHECK(*v.relevance_score >= 0.0);
        CHECK(*v.relevance_score <= 1.0);
        CHECK_FALSE(v.relevance_reason.empty());
    }
    CHECK(*s->videos[0].relevance_score > *s->videos[2].relevance_score);
    CHECK(s->videos[0].duration == "8:12");
    CHECK(s->videos[0].duration_seconds == 492);
    CHECK(s->videos[0].view_count == 12345);
    CHECK(s->videos[0].url == "https://www.youtube.com/watch?v=vid00000001");
    const auto& ohm = s->videos[1];
    CHECK(ohm.title == "Electric circuits & switches: Ohm's law for class 8");
    CHECK(ohm.duration == "1:02:03");

    const auto requests = yt.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].path == "/youtube/v3/search");
    CHECK(requests[0].query.at("relevanceLanguage") == "en");
    CHECK(requests[0].query.at("q") == s->query);
    CHECK(requests[1].path == "/youtube/v3/videos");
    CHECK(requests[1].query.at("id") == "vid00000001,vid00000002,vid00000003");
    CHECK(yt.units_spent() == 101);
    auto usage = f.videos().quota_usage();
    REQUIRE(usage);
    CHECK(usage->units == 101);
    CHECK(usage->calls == 2);
    CHECK(usage->day == pacific_day(now_utc()));
    CHECK(usage->limit == 10000);
    CHECK(f.platform->metrics().render_prometheus().find("shiksha_video_api_units_total") !=
          std::string::npos);
}

TEST_CASE("stored suggestions are reused, refresh bypasses them, and they expire") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    Fixture f(with_youtube(yt));
    REQUIRE(f.videos().suggest(f.module_id));
    auto again = f.videos().suggest(f.module_id, {.limit = 2});
    REQUIRE(again);
    CHECK(again->cached);
    CHECK(again->videos.size() == 2);
    CHECK(yt.units_spent() == 101);

    auto fresh = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(fresh);
    CHECK_FALSE(fresh->cached);
    CHECK(yt.units_spent() == 202);

    // Seven days later (moved in the database rather than waited for).
    f.sql("UPDATE video_suggestions SET fetched_at = fetched_at - 8 * 86400000000, "
          "expires_at = expires_at - 8 * 86400000000");
    auto expired = f.videos().suggest(f.module_id);
    REQUIRE(expired);
    CHECK_FALSE(expired->cached);
    CHECK(yt.units_spent() == 303);

    CHECK(f.videos().suggest(f.module_id, {.limit = 0}).error().field == "limit");
    CHECK(f.videos().suggest(f.module_id, {.limit = 11}).error().field == "limit");
    CHECK(f.videos().suggest(9999).error().code == ErrorCode::not_found);
}

TEST_CASE(
    "quota spent at YouTube: the stored list is served with cached and a reason, and no more calls today") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    Fixture f(with_youtube(yt));
    auto first = f.videos().suggest(f.module_id);
    REQUIRE(first);
    yt.set_units_left(0);
    auto s = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(s);
    CHECK(s->cached);
    CHECK(s->source == "youtube");
    CHECK(s->reason.find("quota") != std::string::npos);
    CHECK(s->reason.find("quotaExceeded") != std::string::npos);
    CHECK(s->reason.find("yt-test-key") == std::string::npos);
    REQUIRE(s->videos.size() == first->videos.size());
    CHECK(s->videos.front().video_id == first->videos.front().video_id);
    // The ledger now counts the day as full: the next refresh is answered without a call.
    CHECK(f.videos().quota_usage()->units == 10000);
    const auto sent = yt.requests().size();
    auto later = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(later);
    CHECK(later->cached);
    CHECK(later->reason.find("spent") != std::string::npos);
    CHECK(yt.requests().size() == sent);
    // The off-topic candidate (a cooking video) ranks last and says so.
    CHECK(s->videos.back().title.starts_with("Cooking"));
    CHECK(s->videos.back().relevance_reason.starts_with("loosely related"));
    MESSAGE("served after the quota ran out: " << to_json(*s).dump());
}

TEST_CASE("the local ledger stops calls before the daily limit, and without any stored list the catalogue "
          "answers") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    Fixture f(with_youtube(yt, 150));
    REQUIRE(f.videos().suggest(f.module_id)); // 101 of 150 units
    auto refused = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(refused);
    CHECK(refused->cached);
    CHECK(refused->reason.find("101 of 150") != std::string::npos);
    CHECK(yt.units_spent() == 101);

    // A module with nothing stored and an empty catalogue: an empty list and the reason.
    f.sql("DELETE FROM video_suggestions");
    auto empty = f.videos().suggest(f.module_id);
    REQUIRE(empty);
    CHECK(empty->videos.empty());
    CHECK(empty->source == "none");
    CHECK(empty->reason.find("catalogue is empty") != std::string::npos);

    REQUIRE(f.videos().import_catalogue(
        "video_id,title,duration\nlocal000001,Parallel circuits with cells,6:30\n", "csv"));
    auto local = f.videos().suggest(f.module_id);
    REQUIRE(local);
    CHECK(local->source == "catalogue");
    CHECK_FALSE(local->cached);
    REQUIRE(local->videos.size() == 1);
    CHECK(local->videos[0].duration == "6:30");
    CHECK(local->reason.find("spent") != std::string::npos);
}

TEST_CASE("catalogue import from CSV and JSON reports bad rows; offline suggestions rank the catalogue") {
    Fixture f;
    const std::string csv =
        "\xEF\xBB\xBFvideo_id,title,url,description,channel,duration,language,view_count,tags\r\n"
        "cat00000001,\"Series circuits, the low-cost way\",,Cells wires and a bulb,DIET "
        "Bastar,PT7M5S,hindi,120,"
        "\"circuits,electricity\"\r\n"
        ",Parallel circuits at home,https://youtu.be/cat00000002,,,9:30,english,,\r\n"
        "\r\n"
        "cat00000003,,,,,,,,\r\n"
        "cat00000004,Bad length,,,,ten minutes,,,\r\n"
        "cat00000005,Bad language,,,,1:00,klingon,,\r\n";
    auto r = f.videos().import_catalogue(csv, "csv");
    REQUIRE(r);
    CHECK(r->added == 2);
    REQUIRE(r->problems.size() == 3);
    CHECK(r->problems[0].row == 5);
    CHECK(r->problems[0].message.find("title") != std::string::npos);
    CHECK(r->problems[1].row == 6);
    CHECK(r->problems[2].message.find("klingon") != std::string::npos);

    const std::string json = R"([
        {"video_id": "cat00000001", "title": "Series circuits, revised", "duration": "PT7M5S", "language": "hi"},
        {"url": "https://www.youtube.com/watch?v=cat00000006", "title": "Photosynthesis in leaves",
         "duration_seconds": 300, "tags": ["plants", "biology"]},
        {"title": "no id"},
        42
    ])";
    auto j = f.videos().import_catalogue(json, "json");
    REQUIRE(j);
    CHECK(j->added == 1);
    CHECK(j->updated == 1);
    REQUIRE(j->problems.size() == 2);
    CHECK(j->problems[0].row == 3);
    CHECK(j->problems[1].row == 4);
    CHECK(*f.videos().catalogue_size() == 3);
    CHECK(f.videos().import_catalogue("[{", "json").error().field == "file");
    CHECK(f.videos().import_catalogue("a,b\n1,2\n", "csv").error().field == "file");

    // No YouTube key: the catalogue is the source, the list is stored.
    auto s = f.videos().suggest(f.module_id, {.limit = 3});
    REQUIRE(s);
    CHECK(s->source == "catalogue");
    REQUIRE(s->videos.size() == 3);
    CHECK(s->videos.back().video_id == "cat00000006"); // photosynthesis is off topic
    CHECK(s->reason.find("SHIKSHA_YOUTUBE_API_KEY") != std::string::npos);
    CHECK(f.videos().suggest(f.module_id)->cached);
}

TEST_CASE("search: validation, YouTube filters passed through, catalogue when YouTube is down") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    Fixture f(with_youtube(yt));
    CHECK(f.videos().search({.query = "x"}).error().field == "query");
    CHECK(f.videos().search({.query = "circuits", .max_results = 51}).error().field == "max_results");
    CHECK(f.videos().search({.query = "circuits", .duration = "tiny"}).error().field == "video_duration");
    CHECK(f.videos().search({.query = "circuits", .language = "klingon"}).error().field == "language");

    auto r = f.videos().search(
        {.query = "electric circuits", .language = "Hindi", .max_results = 2, .duration = "medium"});
    REQUIRE(r);
    CHECK(r->source == "youtube");
    CHECK(r->videos.size() == 2);
    const auto search = yt.requests().front();
    CHECK(search.query.at("videoDuration") == "medium");
    CHECK(search.query.at("maxResults") == "2");
    CHECK(search.query.at("relevanceLanguage") == "hi");
    CHECK(search.query.at("q") == "electric circuits");

    yt.fail_next(1);
    auto down = f.videos().search({.query = "electric circuits"});
    REQUIRE(down);
    CHECK(down->source == "catalogue");
    CHECK(down->reason.find("YouTube failed") != std::string::npos);
    CHECK(f.videos().languages().size() >= 12);
}

TEST_CASE("with an LLM configured it writes the query; an unusable answer falls back to the rule-built one") {
    test::FakeYouTube yt({.videos = circuit_videos()});
    test::FakeOpenAi llm;
    Fixture f(with_youtube(yt)); // the module is generated offline first
    const auto rules = f.videos().suggest(f.module_id);
    REQUIRE(rules);
    // The same data directory, now with an LLM.
    Config cfg = f.platform->config();
    cfg.llm.base_url = llm.base_url();
    cfg.llm.api_key = "test-key";
    cfg.llm.model = "test-model";
    f.platform.reset();
    auto reopened = Platform::open(cfg);
    REQUIRE(reopened);
    f.platform = std::move(*reopened);

    llm.push(test::FakeChatReply::ok("\"series and parallel circuits torch bulb activity\""));
    auto written = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(written);
    CHECK(written->query == "series and parallel circuits torch bulb activity");
    CHECK(yt.requests().back().path == "/youtube/v3/videos");
    bool searched = false;
    for (const auto& r : yt.requests())
        searched = searched || (r.path == "/youtube/v3/search" && r.query.at("q") == written->query);
    CHECK(searched);
    const auto prompt =
        llm.requests().back().body.find("messages")->as_array().at(1).find("content")->as_string();
    CHECK(prompt.find("Tribal Belt") != std::string::npos);

    for (const char* unusable :
         {"Here are some ideas for searching YouTube about circuits and bulbs in a village classroom today",
          "https://www.youtube.com/results?search_query=circuits", "cooking rice recipes",
          "#circuits #bulbs"}) {
        CAPTURE(unusable);
        llm.push(test::FakeChatReply::ok(unusable));
        auto fallback = f.videos().suggest(f.module_id, {.refresh = true});
        REQUIRE(fallback);
        CHECK(fallback->query == rules->query);
    }
    llm.push(test::FakeChatReply::server_error()); // one attempt: net.max_attempts is 1 here
    auto down = f.videos().suggest(f.module_id, {.refresh = true});
    REQUIRE(down);
    CHECK(down->query == rules->query);
}
