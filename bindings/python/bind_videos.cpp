// shiksha.VideoEngine: teaching-video suggestions, search, catalogue import, quota usage.
// Results are plain dicts with the HTTP API's shapes.
#include "bindings.hpp"

#include "shiksha/videos.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>

namespace shiksha::python {

void bind_videos(py::module_& m) {
    m.def("parse_iso8601_duration", &parse_iso8601_duration, py::arg("text"),
          "'PT1H2M3S' → 3723 seconds; None when malformed.");
    m.def("format_video_duration", &format_video_duration, py::arg("seconds"),
          "75 → '1:15', 3723 → '1:02:03'.");

    py::class_<VideoEngine>(m, "VideoEngine", "Obtained as Platform.videos.")
        .def(
            "suggest",
            [](VideoEngine& e, std::int64_t module_id, int limit, bool refresh) {
                auto s = unwrap(without_gil([&] { return e.suggest(module_id, {limit, refresh}); }));
                return py_from_json(to_json(s));
            },
            py::arg("module_id"), py::arg("limit") = 3, py::arg("refresh") = false,
            "Videos for a module: {module_id, query, source, cached, reason, fetched_at, videos}.")
        .def(
            "search",
            [](VideoEngine& e, const std::string& query, std::optional<std::string> language, int max_results,
               const std::string& duration) {
                VideoSearchRequest req{query, std::move(language), max_results, duration};
                auto r = unwrap(without_gil([&] { return e.search(req); }));
                return py_from_json(to_json(r));
            },
            py::arg("query"), py::arg("language") = std::nullopt, py::arg("max_results") = 10,
            py::arg("duration") = "any", "Search videos: {query, source, reason, videos}.")
        .def(
            "languages",
            [](VideoEngine& e) {
                py::list out;
                for (const auto& l : e.languages()) {
                    py::dict d;
                    d["key"] = l.key;
                    d["code"] = l.code;
                    d["name"] = l.name;
                    d["native_name"] = l.native_name;
                    out.append(d);
                }
                return out;
            },
            "Languages videos can be searched in.")
        .def(
            "import_catalogue",
            [](VideoEngine& e, const std::string& path) {
                auto r = unwrap(without_gil([&] { return e.import_catalogue_file(path); }));
                return py_from_json(to_json(r));
            },
            py::arg("path"),
            "Fill the local catalogue from a .csv or .json file → {added, updated, problems}.")
        .def(
            "import_catalogue_text",
            [](VideoEngine& e, const std::string& text, const std::string& format) {
                auto r = unwrap(without_gil([&] { return e.import_catalogue(text, format); }));
                return py_from_json(to_json(r));
            },
            py::arg("text"), py::arg("format") = "", "Same from text; format 'csv', 'json' or '' (guess).")
        .def("catalogue_size", [](VideoEngine& e) { return unwrap(e.catalogue_size()); })
        .def(
            "quota_usage", [](VideoEngine& e) { return py_from_json(to_json(unwrap(e.quota_usage()))); },
            "Today's YouTube quota spending: {api, day (Pacific), units, calls, limit}.");
}

} // namespace shiksha::python
