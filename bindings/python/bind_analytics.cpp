// shiksha.AnalyticsEngine: teacher feedback, summaries and module rankings.
#include "bindings.hpp"

#include "shiksha/analytics.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

namespace {

std::optional<Timestamp> date_arg(const std::optional<std::string>& text, bool end_of_day) {
    if (!text) return std::nullopt;
    return unwrap(parse_feedback_date(*text, end_of_day));
}

} // namespace

void bind_analytics(py::module_& m) {
    m.def("wilson_lower_bound", &wilson_lower_bound, py::arg("positive"), py::arg("total"),
          py::arg("z") = 1.96,
          "Lower bound of the Wilson score interval of positive/total (z = 1.96: 95 %); 0 when total is 0.");

    py::class_<Feedback>(m, "Feedback", "A teacher's feedback on a module.")
        .def_readonly("id", &Feedback::id)
        .def_readonly("module_id", &Feedback::module_id)
        .def_readonly("cluster_id", &Feedback::cluster_id)
        .def_readonly("manual_id", &Feedback::manual_id)
        .def_readonly("rating", &Feedback::rating)
        .def_readonly("comment", &Feedback::comment)
        .def_readonly("tags", &Feedback::tags)
        .def_readonly("helpful", &Feedback::helpful)
        .def("to_dict", [](const Feedback& f) { return py_from_json(to_json(f)); })
        .def("__repr__", [](const Feedback& f) {
            return "Feedback(" + std::to_string(f.id) + ", module " + std::to_string(f.module_id) +
                   ", rating " + std::to_string(f.rating) + ")";
        });

    py::class_<AnalyticsEngine>(m, "AnalyticsEngine", "Obtained as Platform.analytics.")
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
            "Records feedback (rating 1-5); helpful defaults to rating >= 4. submitted_at (ISO) for imports.")
        .def(
            "list_feedback",
            [](AnalyticsEngine& e, std::int64_t module_id, std::int64_t skip, std::int64_t limit) {
                return unwrap(without_gil([&] { return e.list_feedback(module_id, Page{skip, limit}); }));
            },
            py::arg("module_id"), py::arg("skip") = 0, py::arg("limit") = 100)
        .def(
            "summary",
            [](AnalyticsEngine& e, std::optional<std::int64_t> cluster_id,
               std::optional<std::int64_t> manual_id, std::optional<std::string> date_from,
               std::optional<std::string> date_to, int top_issues) {
                FeedbackFilter f{cluster_id, manual_id, date_arg(date_from, false), date_arg(date_to, true),
                                 top_issues};
                auto s = unwrap(without_gil([&] { return e.summary(f); }));
                return py_from_json(to_json(s));
            },
            py::kw_only(), py::arg("cluster_id") = py::none(), py::arg("manual_id") = py::none(),
            py::arg("date_from") = py::none(), py::arg("date_to") = py::none(), py::arg("top_issues") = 10,
            "Feedback summary as the HTTP API returns it; dates YYYY-MM-DD (whole day, inclusive) or ISO.")
        .def(
            "module_performance",
            [](AnalyticsEngine& e, int min_ratings, int limit) {
                auto r = unwrap(without_gil([&] { return e.module_performance({min_ratings, limit}); }));
                return py_from_json(to_json(r));
            },
            py::kw_only(), py::arg("min_ratings") = 5, py::arg("limit") = 10,
            "Top and underperforming modules by the Wilson lower bound of the helpfulness rate.");
}

} // namespace shiksha::python
