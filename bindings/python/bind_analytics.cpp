// shiksha.AnalyticsEngine: teacher feedback, summaries and module rankings.
#include "bindings.hpp"

#include "shiksha/analytics.hpp"

#include <pybind11/stl.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

namespace {

std::optional<Timestamp> date_arg(const std::optional<std::string>& text, bool end_of_day) {
    if (!text) return std::nullopt;
    return unwrap(parse_feedback_date(*text, end_of_day));
}

std::string fmt_number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

void bind_values(py::module_& m) {
    py::class_<Feedback>(m, "Feedback", "A teacher's feedback on a module.")
        .def_readonly("id", &Feedback::id)
        .def_readonly("module_id", &Feedback::module_id)
        .def_readonly("cluster_id", &Feedback::cluster_id, "the module's cluster when it was given")
        .def_readonly("manual_id", &Feedback::manual_id, "the module's manual when it was given")
        .def_readonly("rating", &Feedback::rating, "1-5")
        .def_readonly("comment", &Feedback::comment)
        .def_readonly("tags", &Feedback::tags)
        .def_readonly("helpful", &Feedback::helpful)
        .def_readonly("created_by", &Feedback::created_by, "user id, None when not given by a user")
        .def_property_readonly("submitted_at", [](const Feedback& f) { return py_datetime(f.submitted_at); })
        .def("to_dict", [](const Feedback& f) { return py_from_json(to_json(f)); })
        .def("__repr__", [](const Feedback& f) {
            return "Feedback(" + std::to_string(f.id) + ", module " + std::to_string(f.module_id) +
                   ", rating " + std::to_string(f.rating) + ")";
        });

    py::class_<ClusterFeedback>(m, "ClusterFeedback", "One cluster's share of a feedback summary.")
        .def_readonly("cluster_id", &ClusterFeedback::cluster_id, "None for feedback of a deleted cluster")
        .def_readonly("name", &ClusterFeedback::name)
        .def_readonly("count", &ClusterFeedback::count)
        .def_readonly("helpful", &ClusterFeedback::helpful)
        .def_readonly("average_rating", &ClusterFeedback::average_rating)
        .def_readonly("helpful_rate", &ClusterFeedback::helpful_rate);
    py::class_<DailyFeedback>(m, "DailyFeedback", "One UTC day of a feedback summary.")
        .def_readonly("date", &DailyFeedback::date, "YYYY-MM-DD")
        .def_readonly("count", &DailyFeedback::count)
        .def_readonly("helpful", &DailyFeedback::helpful)
        .def_readonly("average_rating", &DailyFeedback::average_rating);
    py::class_<PhraseCount>(m, "PhraseCount", "A word or two that recurs in unhelpful feedback.")
        .def_readonly("phrase", &PhraseCount::phrase)
        .def_readonly("count", &PhraseCount::count, "comments that contain it");
    py::class_<FeedbackSummary>(m, "FeedbackSummary", "What the feedback in a filter says.")
        .def_readonly("total", &FeedbackSummary::total)
        .def_readonly("helpful", &FeedbackSummary::helpful)
        .def_readonly("not_helpful", &FeedbackSummary::not_helpful)
        .def_readonly("helpfulness_rate", &FeedbackSummary::helpfulness_rate, "helpful / total; 0 when empty")
        .def_readonly("average_rating", &FeedbackSummary::average_rating, "0 when empty")
        .def_readonly("rating_distribution", &FeedbackSummary::rating_distribution,
                      "[one star, ..., five stars]")
        .def_readonly("clusters", &FeedbackSummary::clusters, "most feedback first")
        .def_readonly("days", &FeedbackSummary::days, "oldest first, days with feedback only")
        .def_readonly("tags", &FeedbackSummary::tags, "tag -> how many feedback carry it")
        .def_readonly("common_issues", &FeedbackSummary::common_issues, "most frequent first")
        .def_readonly("comments_analyzed", &FeedbackSummary::comments_analyzed)
        .def(
            "to_dict", [](const FeedbackSummary& s) { return py_from_json(to_json(s)); },
            "The wire form (GET /api/analytics/feedback/summary): total_feedback, helpful_count, "
            "by_cluster...")
        .def("__repr__", [](const FeedbackSummary& s) {
            return "FeedbackSummary(total=" + std::to_string(s.total) +
                   ", helpful=" + std::to_string(s.helpful) +
                   ", average_rating=" + fmt_number(s.average_rating) + ")";
        });

    py::class_<ModulePerformance>(m, "ModulePerformance", "A module's standing by teacher feedback.")
        .def_readonly("module_id", &ModulePerformance::module_id)
        .def_readonly("title", &ModulePerformance::title)
        .def_readonly("cluster_id", &ModulePerformance::cluster_id)
        .def_readonly("cluster_name", &ModulePerformance::cluster_name)
        .def_readonly("count", &ModulePerformance::count, "ratings")
        .def_readonly("helpful", &ModulePerformance::helpful)
        .def_readonly("average_rating", &ModulePerformance::average_rating)
        .def_readonly("helpful_rate", &ModulePerformance::helpful_rate)
        .def_readonly("wilson_lower_bound", &ModulePerformance::wilson_lower_bound,
                      "95 % lower bound of helpful_rate; the ranking key of the top modules")
        .def_readonly("wilson_upper_bound", &ModulePerformance::wilson_upper_bound,
                      "95 % upper bound of helpful_rate; the ranking key of the underperforming modules");
    py::class_<PerformanceReport>(m, "PerformanceReport",
                                  "Modules ranked by the Wilson bound of helpfulness.")
        .def_readonly("min_ratings", &PerformanceReport::min_ratings)
        .def_readonly("threshold", &PerformanceReport::threshold,
                      "helpfulness rate below which a module underperforms")
        .def_readonly("modules_ranked", &PerformanceReport::modules_ranked)
        .def_readonly("modules_excluded", &PerformanceReport::modules_excluded,
                      "fewer than min_ratings ratings")
        .def_readonly("top", &PerformanceReport::top, "rate >= threshold, highest lower bound first")
        .def_readonly("underperforming", &PerformanceReport::underperforming,
                      "rate < threshold, lowest upper bound first; never in top")
        .def(
            "to_dict", [](const PerformanceReport& r) { return py_from_json(to_json(r)); },
            "The wire form (GET /api/analytics/modules/performance): top_modules, underperforming_modules...")
        .def("__repr__", [](const PerformanceReport& r) {
            return "PerformanceReport(modules_ranked=" + std::to_string(r.modules_ranked) +
                   ", modules_excluded=" + std::to_string(r.modules_excluded) + ")";
        });
}

} // namespace

void bind_analytics(py::module_& m) {
    m.def("wilson_lower_bound", &wilson_lower_bound, py::arg("positive"), py::arg("total"),
          py::arg("z") = 1.96,
          "Lower bound of the Wilson score interval of positive/total (z = 1.96: 95 %); 0 when total is 0.");
    bind_values(m);

    py::class_<AnalyticsEngine>(m, "AnalyticsEngine", "Obtained as Platform.analytics. Thread-safe.")
        .def(
            "submit_feedback",
            [](AnalyticsEngine& e, std::int64_t module_id, int rating, std::optional<std::string> comment,
               std::optional<std::vector<std::string>> tags, std::optional<bool> helpful,
               std::optional<std::string> submitted_at) {
                NewFeedback f{rating, std::move(comment), std::move(tags), helpful,
                              date_arg(submitted_at, false)};
                return unwrap(without_gil([&] { return e.submit_feedback(module_id, f, python_actor()); }));
            },
            py::arg("module_id"), py::arg("rating"), py::kw_only(), py::arg("comment") = py::none(),
            py::arg("tags") = py::none(), py::arg("helpful") = py::none(),
            py::arg("submitted_at") = py::none(),
            "Records a teacher's feedback on a module.\n\n"
            "Args:\n"
            "    module_id: the module.\n"
            "    rating: 1-5.\n"
            "    comment: at most 2,000 characters; blank means none.\n"
            "    tags: each 1-64 characters, at most 20 (e.g. \"needs_resources\").\n"
            "    helpful: None = rating >= 4.\n"
            "    submitted_at: ISO date or date-time (imports); None = now.\n\n"
            "Returns:\n"
            "    Feedback: as stored, with the module's cluster and manual.\n\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    InvalidArgumentError: rating, comment, tags or date out of range (field names it).")
        .def(
            "list_feedback",
            [](AnalyticsEngine& e, std::int64_t module_id, std::int64_t skip, std::int64_t limit) {
                return unwrap(without_gil([&] { return e.list_feedback(module_id, Page{skip, limit}); }));
            },
            py::arg("module_id"), py::arg("skip") = 0, py::arg("limit") = 100,
            "A module's feedback, newest first.\n\n"
            "Args:\n"
            "    module_id: the module.\n"
            "    skip: rows to skip.\n"
            "    limit: 1-1000 rows.\n\n"
            "Returns:\n"
            "    list[Feedback]\n\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    InvalidArgumentError: skip or limit out of range.")
        .def(
            "summary",
            [](AnalyticsEngine& e, std::optional<std::int64_t> cluster_id,
               std::optional<std::int64_t> manual_id, std::optional<std::string> date_from,
               std::optional<std::string> date_to, int top_issues) {
                FeedbackFilter f{cluster_id, manual_id, date_arg(date_from, false), date_arg(date_to, true),
                                 top_issues};
                return unwrap(without_gil([&] { return e.summary(f); }));
            },
            py::kw_only(), py::arg("cluster_id") = py::none(), py::arg("manual_id") = py::none(),
            py::arg("date_from") = py::none(), py::arg("date_to") = py::none(), py::arg("top_issues") = 10,
            "Totals, rating distribution, per cluster and per day, tags and common issues.\n\n"
            "Args:\n"
            "    cluster_id: only this cluster's feedback.\n"
            "    manual_id: only feedback on modules of this manual.\n"
            "    date_from: YYYY-MM-DD (start of that UTC day) or ISO date-time, inclusive.\n"
            "    date_to: YYYY-MM-DD (end of that UTC day) or ISO date-time, inclusive.\n"
            "    top_issues: 1-100 phrases in common_issues.\n\n"
            "Returns:\n"
            "    FeedbackSummary: also readable by wire key, summary[\"total_feedback\"].\n\n"
            "Raises:\n"
            "    InvalidArgumentError: a malformed date, date_from after date_to, top_issues out of range.")
        .def(
            "module_performance",
            [](AnalyticsEngine& e, int min_ratings, int limit, double threshold) {
                return unwrap(without_gil([&] {
                    return e.module_performance({min_ratings, limit, threshold});
                }));
            },
            py::kw_only(), py::arg("min_ratings") = 5, py::arg("limit") = 10, py::arg("threshold") = 0.5,
            "Top modules (helpfulness rate >= threshold, by the Wilson lower bound) and underperforming\n"
            "ones (rate below it, by the Wilson upper bound); a module is never in both.\n\n"
            "Args:\n"
            "    min_ratings: modules with fewer ratings are left out (counted in modules_excluded).\n"
            "    limit: 1-100 modules per list.\n"
            "    threshold: 0-1, the helpfulness rate below which a module underperforms.\n\n"
            "Returns:\n"
            "    PerformanceReport: also readable by wire key, report[\"top_modules\"].\n\n"
            "Raises:\n"
            "    InvalidArgumentError: min_ratings, limit or threshold out of range.");
}

} // namespace shiksha::python
