// Feedback analytics: submission and its validation, the summary on hand-computed seeds (totals,
// rates, per cluster, per day, date bounds), common issues in English and Hindi, and the Wilson
// ranking of modules.
#include "platform_fixture.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace shiksha;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

Timestamp at(std::string_view iso) {
    auto t = parse_feedback_date(iso, false);
    REQUIRE(t);
    return *t;
}

/// Two clusters; m1, m2, m4 in Bastar, m3 in the urban cluster.
struct Fixture : test::PlatformFixture {
    std::int64_t manual_id = 0;
    std::int64_t bastar = 0, urban = 0;
    std::int64_t m1 = 0, m2 = 0, m3 = 0, m4 = 0;

    Fixture() {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        manual_id = up->manual.id;
        REQUIRE(platform->manuals().index(manual_id));
        auto a = platform->clusters().create(
            {"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low", "No laboratory", 40, std::nullopt});
        auto b = platform->clusters().create(
            {"Pune Urban Block", "Urban", "Marathi", "High", "Crowded classrooms", 60, std::nullopt});
        REQUIRE(a);
        REQUIRE(b);
        bastar = a->id;
        urban = b->id;
        m1 = module(bastar, "Series and parallel circuits");
        m2 = module(bastar, "Lemon battery");
        m3 = module(urban, "Acids and bases");
        m4 = module(bastar, "Circuits");
    }

    std::int64_t module(std::int64_t cluster, const char* topic) {
        auto m = platform->modules().generate({manual_id, cluster, topic, "english", {}});
        REQUIRE(m);
        return m->id;
    }

    AnalyticsEngine& analytics() { return platform->analytics(); }

    Feedback give(std::int64_t module, NewFeedback f) {
        auto saved = analytics().submit_feedback(module, f);
        REQUIRE_MESSAGE(saved, saved.error().message);
        return *saved;
    }

    /// The five feedback the summary tests compute by hand.
    void seed() {
        give(m1, {5, "Great activities", {}, {}, at("2026-01-10T09:00:00")});
        give(m1,
             {2, "No lab equipment in our school; lab equipment missing", {}, {}, at("2026-01-10T23:59:59")});
        give(m2, {4, "Needs lab equipment and more time", {}, false, at("2026-01-11T00:00:00")});
        give(m3,
             {3, "बच्चों के लिए प्रयोगशाला नहीं है, प्रयोगशाला सामग्री चाहिए", {}, {}, at("2026-01-12T12:00:00")});
        give(m3, {1,
                  {},
                  std::vector<std::string>{"needs_resources", "time_constraint"},
                  true,
                  at("2026-01-12T13:00:00")});
    }

    FeedbackSummary summary(FeedbackFilter f = {}) {
        auto s = analytics().summary(f);
        REQUIRE_MESSAGE(s, s.error().message);
        return *s;
    }
};

} // namespace

TEST_CASE("feedback is stored with the module's cluster and manual; helpful defaults to rating >= 4") {
    Fixture f;
    auto four =
        f.give(f.m3, {4, "  Clear steps  ", std::vector<std::string>{"too_complex", "too_complex"}, {}, {}});
    CHECK(four.helpful);
    CHECK(four.cluster_id == f.urban);
    CHECK(four.manual_id == f.manual_id);
    CHECK(four.comment == "Clear steps");
    CHECK(four.tags == std::vector<std::string>{"too_complex"});
    CHECK_FALSE(f.give(f.m3, {3, {}, {}, {}, {}}).helpful);
    CHECK(f.give(f.m3, {2, {}, {}, true, {}}).helpful);
    CHECK_FALSE(f.give(f.m3, {5, "   ", {}, false, {}}).comment); // blank comment: none

    auto listed = f.analytics().list_feedback(f.m3);
    REQUIRE(listed);
    REQUIRE(listed->size() == 4);
    CHECK(listed->front().rating == 5); // newest first
    CHECK(listed->back().id == four.id);
    CHECK(f.analytics().list_feedback(999).error().code == ErrorCode::not_found);
}

TEST_CASE("invalid feedback is refused with the field at fault") {
    Fixture f;
    for (int rating : {0, 6, -1}) {
        auto r = f.analytics().submit_feedback(f.m1, {rating, {}, {}, {}, {}});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::invalid_argument);
        CHECK(r.error().field == "rating");
    }
    auto long_comment = f.analytics().submit_feedback(f.m1, {3, std::string(2001, 'x'), {}, {}, {}});
    REQUIRE_FALSE(long_comment);
    CHECK(long_comment.error().field == "comment");
    std::string hindi; // 2,000 characters of three bytes each is still within the limit
    for (int i = 0; i < 2000; ++i)
        hindi += "क";
    CHECK(f.analytics().submit_feedback(f.m1, {3, hindi, {}, {}, {}}));
    CHECK(f.analytics().submit_feedback(f.m1, {3, std::string("bad \xff utf8"), {}, {}, {}}).error().field ==
          "comment");
    CHECK(f.analytics().submit_feedback(f.m1, {3, {}, std::vector<std::string>{""}, {}, {}}).error().field ==
          "tags");
    auto missing = f.analytics().submit_feedback(4242, {3, {}, {}, {}, {}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::not_found);
}

TEST_CASE("summary of seeded feedback matches the hand-computed figures") {
    Fixture f;
    f.seed();
    const auto s = f.summary();
    CHECK(s.total == 5);
    CHECK(s.helpful == 2); // the 5-star default and the explicit helpful 1-star
    CHECK(s.not_helpful == 3);
    CHECK(s.helpfulness_rate == doctest::Approx(0.4));
    CHECK(s.average_rating == doctest::Approx(3.0)); // (5+2+4+3+1)/5
    CHECK(s.rating_distribution == std::array<std::int64_t, 5>{1, 1, 1, 1, 1});

    REQUIRE(s.clusters.size() == 2);
    CHECK(s.clusters[0].cluster_id == f.bastar); // most feedback first
    CHECK(s.clusters[0].name == "Bastar Tribal Cluster");
    CHECK(s.clusters[0].count == 3);
    CHECK(s.clusters[0].helpful == 1);
    CHECK(s.clusters[0].average_rating == doctest::Approx(11.0 / 3));
    CHECK(s.clusters[0].helpful_rate == doctest::Approx(1.0 / 3));
    CHECK(s.clusters[1].cluster_id == f.urban);
    CHECK(s.clusters[1].count == 2);
    CHECK(s.clusters[1].average_rating == doctest::Approx(2.0));
    CHECK(s.clusters[1].helpful_rate == doctest::Approx(0.5));

    REQUIRE(s.days.size() == 3); // UTC days: 23:59:59 stays on the 10th, 00:00 is the 11th
    CHECK(s.days[0].date == "2026-01-10");
    CHECK(s.days[0].count == 2);
    CHECK(s.days[0].helpful == 1);
    CHECK(s.days[0].average_rating == doctest::Approx(3.5));
    CHECK(s.days[1].date == "2026-01-11");
    CHECK(s.days[1].count == 1);
    CHECK(s.days[1].average_rating == doctest::Approx(4.0));
    CHECK(s.days[2].date == "2026-01-12");
    CHECK(s.days[2].count == 2);
    CHECK(s.days[2].average_rating == doctest::Approx(2.0));

    CHECK(s.tags == std::map<std::string, std::int64_t>{{"needs_resources", 1}, {"time_constraint", 1}});

    // Issues come from the three unhelpful comments; a phrase counts once per comment.
    CHECK(s.comments_analyzed == 3);
    REQUIRE(s.common_issues.size() == 10);
    CHECK(s.common_issues[0].phrase == "lab equipment");
    CHECK(s.common_issues[0].count == 2);
    CHECK(s.common_issues[1].phrase == "equipment");
    CHECK(s.common_issues[2].phrase == "lab");
    CHECK(s.common_issues[2].count == 2);
    CHECK(s.common_issues[3].count == 1);
    auto full = f.summary({.top_issues = 100});
    auto count_of = [&](std::string_view phrase) -> std::int64_t {
        for (const auto& p : full.common_issues) {
            if (p.phrase == phrase) return p.count;
        }
        return 0;
    };
    CHECK(count_of("प्रयोगशाला") == 1); // twice in one comment
    CHECK(count_of("प्रयोगशाला सामग्री") == 1);
    CHECK(count_of("बच्चों") == 1);
    CHECK(count_of("needs lab") == 1);
    for (const char* dropped : {"no", "in", "our", "and", "more", "के", "है", "नहीं", "great", "school lab"})
        CHECK_MESSAGE(count_of(dropped) == 0, dropped);
    CHECK(full.common_issues.size() == 15);
}

TEST_CASE("summary filters: cluster, manual, inclusive date bounds, empty ranges") {
    Fixture f;
    f.seed();
    CHECK(f.summary({.cluster_id = f.urban}).total == 2);
    CHECK(f.summary({.manual_id = f.manual_id}).total == 5);
    CHECK(f.summary({.manual_id = f.manual_id + 1}).total == 0);

    auto day = [](const char* text, bool end) { return parse_feedback_date(text, end).value(); };
    // A date-only upper bound covers the whole day: 23:59:59 on the 10th is in.
    CHECK(f.summary({.date_to = day("2026-01-10", true)}).total == 2);
    auto one_day = f.summary({.date_from = day("2026-01-11", false), .date_to = day("2026-01-11", true)});
    CHECK(one_day.total == 1);
    CHECK(one_day.average_rating == doctest::Approx(4.0));
    CHECK(f.summary({.date_from = day("2026-01-10T12:00:00", false)}).total == 4);
    CHECK(f.summary({.date_from = day("2026-01-12T13:00:00", false)}).total == 1); // lower bound inclusive
    CHECK(f.summary({.cluster_id = f.bastar, .date_from = day("2026-01-11", false)}).total == 1);

    auto empty = f.summary({.date_from = day("2026-02-01", false), .date_to = day("2026-02-28", true)});
    CHECK(empty.total == 0);
    CHECK(empty.helpfulness_rate == 0);
    CHECK(empty.average_rating == 0);
    CHECK(empty.clusters.empty());
    CHECK(empty.days.empty());
    CHECK(empty.common_issues.empty());
    CHECK(empty.comments_analyzed == 0);

    auto reversed =
        f.analytics().summary({.date_from = day("2026-01-12", false), .date_to = day("2026-01-11", true)});
    REQUIRE_FALSE(reversed);
    CHECK(reversed.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("dates: YYYY-MM-DD covers the whole UTC day; ISO date-times with offsets; malformed refused") {
    CHECK(format_timestamp(parse_feedback_date("2026-01-15", false).value()) == "2026-01-15T00:00:00");
    CHECK(format_timestamp(parse_feedback_date("2026-01-15", true).value()) == "2026-01-15T23:59:59.999999");
    CHECK(format_timestamp(parse_feedback_date("2026-01-15T10:30:00Z", false).value()) ==
          "2026-01-15T10:30:00");
    CHECK(format_timestamp(parse_feedback_date("2026-01-15T10:30:00.25+05:30", false).value()) ==
          "2026-01-15T05:00:00.250000");
    for (const char* bad : {"", "2026-13-01", "2026-02-30", "15/01/2026", "2026-01-15T25:00", "2026-01-15Tx",
                            "2026-01-15T10:00:00+5"}) {
        auto t = parse_feedback_date(bad, false);
        CAPTURE(bad);
        REQUIRE_FALSE(t);
        CHECK(t.error().code == ErrorCode::invalid_argument);
    }
}

TEST_CASE("key phrases: stop words dropped in English and Hindi, bigrams only across adjacent words") {
    const auto phrases = key_phrases({"The experiment needs a LAB.", "Experiment needs space",
                                      "प्रयोग में समय लगता है", "समय की कमी, प्रयोग कठिन"},
                                     100);
    auto count_of = [&](std::string_view phrase) -> std::int64_t {
        for (const auto& p : phrases) {
            if (p.phrase == phrase) return p.count;
        }
        return 0;
    };
    CHECK(count_of("experiment") == 2); // case folded
    CHECK(count_of("experiment needs") == 2);
    CHECK(count_of("needs lab") == 0); // "a" between them
    CHECK(count_of("lab") == 1);
    CHECK(count_of("प्रयोग") == 2);
    CHECK(count_of("समय") == 2);
    CHECK(count_of("समय लगता") == 1);
    CHECK(count_of("कमी प्रयोग") == 0); // the comma separates them
    CHECK(count_of("the") == 0);
    CHECK(count_of("में") == 0);
    CHECK(count_of("की") == 0);
    REQUIRE(phrases.size() >= 2);
    CHECK(phrases[0].phrase == "experiment needs"); // ties: bigram first
    CHECK(key_phrases({}, 5).empty());
}

TEST_CASE("Wilson lower bound matches hand-computed values") {
    CHECK(wilson_lower_bound(1, 1) == doctest::Approx(0.206543).epsilon(1e-5));
    CHECK(wilson_lower_bound(45, 50) == doctest::Approx(0.786395).epsilon(1e-5));
    CHECK(wilson_lower_bound(3, 4) == doctest::Approx(0.300636).epsilon(1e-5));
    CHECK(wilson_lower_bound(10, 20) == doctest::Approx(0.299295).epsilon(1e-5));
    CHECK(wilson_lower_bound(0, 10) == doctest::Approx(0.0));
    CHECK(wilson_lower_bound(0, 0) == 0.0);
}

TEST_CASE("module ranking: one happy rating does not beat 45 of 50, few ratings are left out") {
    Fixture f;
    auto rate = [&](std::int64_t module, int helpful, int total) {
        for (int i = 0; i < total; ++i)
            f.give(module, {i < helpful ? 5 : 2, {}, {}, {}, {}});
    };
    rate(f.m1, 1, 1);
    rate(f.m2, 45, 50);
    rate(f.m3, 3, 4);
    rate(f.m4, 10, 20);

    auto all = f.analytics().module_performance({.min_ratings = 1, .limit = 10});
    REQUIRE(all);
    CHECK(all->modules_ranked == 4);
    CHECK(all->modules_excluded == 0);
    REQUIRE(all->top.size() == 4);
    CHECK(all->top[0].module_id == f.m2);
    CHECK(all->top[1].module_id == f.m3);
    CHECK(all->top[2].module_id == f.m4);
    CHECK(all->top[3].module_id == f.m1); // 100 % helpful, but from one rating
    CHECK(all->top[3].helpful_rate == doctest::Approx(1.0));
    CHECK(all->top[0].wilson_lower_bound == doctest::Approx(0.786395).epsilon(1e-5));
    CHECK(all->top[0].average_rating == doctest::Approx((45 * 5 + 5 * 2) / 50.0));
    CHECK(all->top[0].cluster_name == "Bastar Tribal Cluster");
    CHECK(all->top[1].cluster_name == "Pune Urban Block");
    CHECK(all->underperforming.empty()); // no rate below the default threshold (0.5)

    auto strict = f.analytics().module_performance({.min_ratings = 5, .limit = 1, .threshold = 0.6});
    REQUIRE(strict);
    CHECK(strict->modules_ranked == 2);
    CHECK(strict->modules_excluded == 2); // m1 (1 rating) and m3 (4)
    REQUIRE(strict->top.size() == 1);
    CHECK(strict->top[0].module_id == f.m2);
    REQUIRE(strict->underperforming.size() == 1);
    CHECK(strict->underperforming[0].module_id == f.m4);
    CHECK(strict->underperforming[0].count == 20);
    CHECK(strict->underperforming[0].wilson_upper_bound == doctest::Approx(0.700705).epsilon(1e-4));

    CHECK(f.analytics().module_performance({.min_ratings = 0}).error().field == "min_ratings");
    CHECK(f.analytics().module_performance({.limit = 101}).error().field == "limit");
    CHECK(f.analytics().module_performance({.threshold = 1.5}).error().field == "threshold");
}

TEST_CASE("regression: a module rated helpful 0 times of 6 is underperforming, never a top module") {
    Fixture f;
    for (int i = 0; i < 6; ++i)
        f.give(f.m1, {1, {}, {}, {}, {}});
    auto report = f.analytics().module_performance({.min_ratings = 5, .limit = 10});
    REQUIRE(report);
    CHECK(report->modules_ranked == 1);
    CHECK(report->top.empty());
    REQUIRE(report->underperforming.size() == 1);
    CHECK(report->underperforming[0].module_id == f.m1);
    CHECK(report->underperforming[0].helpful_rate == 0.0);

    // With a good module beside it, each list holds one and no module is in both.
    for (int i = 0; i < 6; ++i)
        f.give(f.m2, {5, {}, {}, {}, {}});
    auto both = f.analytics().module_performance({.min_ratings = 5, .limit = 10});
    REQUIRE(both);
    REQUIRE(both->top.size() == 1);
    CHECK(both->top[0].module_id == f.m2);
    REQUIRE(both->underperforming.size() == 1);
    CHECK(both->underperforming[0].module_id == f.m1);
}

TEST_CASE("Wilson upper bound matches hand-computed values") {
    CHECK(wilson_upper_bound(0, 6) == doctest::Approx(0.390343).epsilon(1e-5));
    CHECK(wilson_upper_bound(10, 20) == doctest::Approx(0.700705).epsilon(1e-5));
    CHECK(wilson_upper_bound(0, 0) == 1.0);
}
