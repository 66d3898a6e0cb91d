#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>

namespace shiksha::server {

namespace {

/// The contract's body: {rating: int 1–5, comment?: str|null, tags?: [str]|null, helpful?: bool|null}.
Result<NewFeedback> feedback_request(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    NewFeedback f;
    const Json* rating = body.find("rating");
    if (!rating || rating->is_null()) return fail_field("rating", "rating: Field required");
    if (!rating->is_int()) return fail_field("rating", "rating: Input should be a valid integer");
    if (rating->as_int() < 1 || rating->as_int() > 5)
        return fail_field("rating",
                          "rating: Input should be greater than or equal to 1 and less than or equal to 5");
    f.rating = static_cast<int>(rating->as_int());
    if (const Json* comment = body.find("comment"); comment && !comment->is_null()) {
        if (!comment->is_string()) return fail_field("comment", "comment: Input should be a valid string");
        f.comment = comment->as_string();
    }
    if (const Json* tags = body.find("tags"); tags && !tags->is_null()) {
        if (!tags->is_array()) return fail_field("tags", "tags: Input should be a valid list");
        std::vector<std::string> list;
        for (const auto& t : tags->as_array()) {
            if (!t.is_string()) return fail_field("tags", "tags: every item should be a string");
            list.push_back(t.as_string());
        }
        f.tags = std::move(list);
    }
    if (const Json* helpful = body.find("helpful"); helpful && !helpful->is_null()) {
        if (!helpful->is_bool()) return fail_field("helpful", "helpful: Input should be a valid boolean");
        f.helpful = helpful->as_bool();
    }
    return f;
}

/// An optional date query parameter: "YYYY-MM-DD" (the whole UTC day) or ISO-8601.
Result<std::optional<Timestamp>> query_date(const RouteContext& ctx, std::string_view name, bool end_of_day) {
    auto text = ctx.query(name);
    if (!text || text->empty()) return std::optional<Timestamp>{};
    auto t = parse_feedback_date(*text, end_of_day);
    if (!t) return fail_field(std::string(name), fmt::format("{}: {}", name, t.error().message));
    return std::optional<Timestamp>{*t};
}

/// An optional number query parameter in [0, 1].
Result<std::optional<double>> query_fraction(const RouteContext& ctx, std::string_view name) {
    auto text = ctx.query(name);
    if (!text || text->empty()) return std::optional<double>{};
    double v = 0;
    const auto* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc{} || ptr != end || !(v >= 0.0 && v <= 1.0))
        return fail_field(std::string(name), fmt::format("{}: Input should be a number from 0 to 1", name));
    return std::optional<double>{v};
}

} // namespace

void add_analytics_routes(Router& router) {
    router.add({Method::post, "/modules/{id}/feedback", Access::at_least(Role::teacher), Body::json,
                "Teacher feedback on a module: {rating 1–5, comment?, tags?, helpful?} → {id, module_id, "
                "rating, comment, tags, helpful, submitted_at}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto req = feedback_request(ctx.body);
                    if (!req) return std::unexpected(req.error());
                    auto saved = ctx.platform.analytics().submit_feedback(*id, *req, ctx.actor);
                    if (!saved) return std::unexpected(saved.error());
                    return json_response(200, to_json(*saved));
                },
                Mount::api, "analytics"});

    router.add({Method::get, "/modules/{id}/feedback", Access::at_least(Role::principal), Body::none,
                "A module's feedback, newest first (?skip&limit)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto skip = ctx.query_int("skip", 0, std::numeric_limits<std::int64_t>::max());
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto list = ctx.platform.analytics().list_feedback(
                        *id, Page{skip->value_or(0), limit->value_or(100)});
                    if (!list) return std::unexpected(list.error());
                    Json out = Json::array();
                    for (const auto& f : *list)
                        out.push_back(to_json(f));
                    return json_response(200, out);
                },
                Mount::api, "analytics"});

    router.add({Method::get, "/analytics/feedback/summary", Access::at_least(Role::principal), Body::none,
                "Feedback summary (?cluster_id&manual_id&date_from&date_to, dates YYYY-MM-DD or ISO, "
                "inclusive) → {total_feedback, helpful_count, not_helpful_count, helpfulness_rate, "
                "average_rating, feedback_by_cluster[], feedback_over_time[], common_issues[str], "
                "common_issue_counts[], ...}",
                [](RouteContext& ctx) -> Result<Response> {
                    FeedbackFilter f;
                    auto cluster = ctx.query_int("cluster_id", 0, std::numeric_limits<std::int64_t>::max());
                    if (!cluster) return std::unexpected(cluster.error());
                    if (*cluster && **cluster > 0) f.cluster_id = *cluster; // 0 means no filter, as in lists
                    auto manual = ctx.query_int("manual_id", 0, std::numeric_limits<std::int64_t>::max());
                    if (!manual) return std::unexpected(manual.error());
                    if (*manual && **manual > 0) f.manual_id = *manual;
                    auto from = query_date(ctx, "date_from", false);
                    if (!from) return std::unexpected(from.error());
                    f.date_from = *from;
                    auto to = query_date(ctx, "date_to", true);
                    if (!to) return std::unexpected(to.error());
                    f.date_to = *to;
                    auto top = ctx.query_int("top_issues", 1, 100);
                    if (!top) return std::unexpected(top.error());
                    f.top_issues = static_cast<int>(top->value_or(10));
                    auto summary = ctx.platform.analytics().summary(f);
                    if (!summary) return std::unexpected(summary.error());
                    return json_response(200, to_json(*summary));
                },
                Mount::api, "analytics"});

    router.add({Method::get, "/analytics/modules/performance", Access::at_least(Role::principal), Body::none,
                "Top modules (helpfulness rate >= threshold, by the Wilson lower bound) and underperforming "
                "ones (rate below it, by the Wilson upper bound), never both "
                "(?min_ratings=5&limit=10&threshold=0.5) → {top_modules, underperforming_modules}, each "
                "{module_id, title, helpfulness_rate, feedback_count, avg_rating, ...}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto min = ctx.query_int("min_ratings", 1, 1000000);
                    if (!min) return std::unexpected(min.error());
                    auto limit = ctx.query_int("limit", 1, 100);
                    if (!limit) return std::unexpected(limit.error());
                    auto threshold = query_fraction(ctx, "threshold");
                    if (!threshold) return std::unexpected(threshold.error());
                    auto report = ctx.platform.analytics().module_performance(
                        {static_cast<int>(min->value_or(5)), static_cast<int>(limit->value_or(10)),
                         threshold->value_or(0.5)});
                    if (!report) return std::unexpected(report.error());
                    return json_response(200, to_json(*report));
                },
                Mount::api, "analytics"});
}

} // namespace shiksha::server
