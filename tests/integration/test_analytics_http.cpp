// Feedback analytics over real HTTP: submitting feedback (the contract's shape, 404, 422), roles,
// the summary with its query filters, and module performance.
#include "server_fixture.hpp"

using namespace shiksha;
using namespace shiksha::test;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct AnalyticsServer : TestServer {
    std::int64_t module = 0;
    std::int64_t cluster = 0;

    AnalyticsServer() {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        const auto clusters = platform->clusters().list();
        REQUIRE(clusters);
        cluster = clusters->front().id;
        auto m = platform->modules().generate(
            {up->manual.id, cluster, "Series and parallel circuits", "english", {}});
        REQUIRE(m);
        module = m->id;
    }
    std::string feedback_path() const { return "/api/modules/" + std::to_string(module) + "/feedback"; }
};

} // namespace

TEST_CASE("feedback over HTTP: contract shape, helpful default, validation, roles, summary, ranking") {
    AnalyticsServer s;
    const auto teacher = s.teacher();
    const auto principal = s.principal();
    HttpClient c(s.port);

    auto r = c.post_json(s.feedback_path(),
                         Json::object({{"rating", 2}, {"comment", "No lab in the school"}}), teacher);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const Json fb = r.json();
    CHECK(fb.find("id")->as_int() > 0);
    CHECK(fb.find("module_id")->as_int() == s.module);
    CHECK(fb.find("rating")->as_int() == 2);
    CHECK(fb.find("comment")->as_string() == "No lab in the school");
    CHECK(fb.find("tags")->is_null());
    CHECK_FALSE(fb.find("helpful")->as_bool()); // rating < 4
    CHECK(fb.find("submitted_at")->is_string());

    auto tagged =
        c.post_json(s.feedback_path(),
                    Json::object({{"rating", 5}, {"tags", Json::array()}, {"helpful", true}}), teacher);
    REQUIRE(tagged.status == 200);
    CHECK(tagged.json().find("tags")->as_array().empty());
    CHECK(tagged.json().find("helpful")->as_bool());

    CHECK(c.post_json(s.feedback_path(), Json::object({{"rating", 6}}), teacher).status == 422);
    CHECK(c.post_json(s.feedback_path(), Json::object({{"rating", 0}}), teacher).status == 422);
    CHECK(c.post_json(s.feedback_path(), Json::object({{"rating", "4"}}), teacher).status == 422);
    CHECK(c.post_json(s.feedback_path(), Json::object({{"comment", "no rating"}}), teacher).status == 422);
    CHECK(c.post_json(s.feedback_path(), Json::object({{"rating", 3}, {"helpful", "yes"}}), teacher).status ==
          422);
    CHECK(c.post_json(s.feedback_path(), Json::object({{"rating", 3}, {"comment", std::string(2001, 'x')}}),
                      teacher)
              .status == 422);
    CHECK(c.post_json("/api/modules/999/feedback", Json::object({{"rating", 3}}), teacher).status == 404);

    auto listed = c.get(s.feedback_path(), principal);
    REQUIRE(listed.status == 200);
    CHECK(listed.json().as_array().size() == 2);
    CHECK(c.get(s.feedback_path(), teacher).status == 403); // reading feedback is for principals and up

    const std::string summary = "/api/analytics/feedback/summary";
    CHECK(c.get(summary, teacher).status == 403);
    auto all = c.get(summary, principal);
    REQUIRE_MESSAGE(all.status == 200, all.body);
    const Json js = all.json();
    CHECK(js.find("total_feedback")->as_int() == 2);
    CHECK(js.find("helpful_count")->as_int() == 1);
    CHECK(js.find("not_helpful_count")->as_int() == 1);
    CHECK(js.find("helpfulness_rate")->as_double() == doctest::Approx(0.5));
    CHECK(js.find("average_rating")->as_double() == doctest::Approx(3.5));
    CHECK(js.find("rating_distribution")->find("2")->as_int() == 1);
    CHECK(js.find("by_cluster")->as_array().at(0).find("cluster_id")->as_int() == s.cluster);
    CHECK(js.find("by_day")->as_array().size() == 1);
    CHECK(js.find("common_issue_counts")->as_array().at(0).find("count")->as_int() == 1);
    CHECK(js.find("common_issues")->as_array().at(0).as_string() ==
          js.find("common_issue_counts")->as_array().at(0).find("phrase")->as_string());
    CHECK(js.find("feedback_by_cluster")->as_array().at(0).find("total")->as_int() == 2);
    CHECK(js.find("feedback_over_time")->as_array().at(0).find("not_helpful")->as_int() == 1);

    auto filtered = c.get(summary + "?cluster_id=" + std::to_string(s.cluster) +
                              "&date_from=2000-01-01&date_to=2000-12-31",
                          principal);
    REQUIRE(filtered.status == 200);
    CHECK(filtered.json().find("total_feedback")->as_int() == 0);
    CHECK(filtered.json().find("by_day")->as_array().empty());
    CHECK(c.get(summary + "?date_from=2026-13-01", principal).status == 422);
    CHECK(c.get(summary + "?date_from=2026-02-01&date_to=2026-01-01", principal).status == 422);
    CHECK(c.get(summary + "?cluster_id=abc", principal).status == 422);

    const std::string performance = "/api/analytics/modules/performance";
    auto ranked = c.get(performance + "?min_ratings=2&limit=5", principal);
    REQUIRE_MESSAGE(ranked.status == 200, ranked.body);
    const Json rj = ranked.json();
    CHECK(rj.find("modules_ranked")->as_int() == 1);
    const auto& top = rj.find("top_modules")->as_array();
    REQUIRE(top.size() == 1);
    CHECK(top[0].find("module_id")->as_int() == s.module);
    CHECK(top[0].find("ratings")->as_int() == 2);
    CHECK(top[0].find("wilson_lower_bound")->as_double() == doctest::Approx(0.0945).epsilon(0.001));
    CHECK(c.get(performance + "?min_ratings=3", principal).json().find("modules_excluded")->as_int() == 1);
    CHECK(c.get(performance + "?limit=0", principal).status == 422);
    CHECK(c.get(performance, teacher).status == 403);
}
