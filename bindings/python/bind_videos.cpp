// shiksha.VideoEngine: teaching-video suggestions, search, catalogue import, quota usage.
// Results are typed objects whose to_dict() is the HTTP API's shape (and which still answer
// result["key"] as the plain dicts they replaced did; see shiksha/__init__.py).
#include "bindings.hpp"

#include "shiksha/videos.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>

namespace shiksha::python {

namespace {

void bind_values(py::module_& m) {
    py::class_<Video>(m, "Video", "A teaching video, scored against a module or a query.")
        .def_readonly("video_id", &Video::video_id)
        .def_readonly("title", &Video::title)
        .def_readonly("description", &Video::description)
        .def_readonly("channel", &Video::channel)
        .def_readonly("url", &Video::url)
        .def_readonly("thumbnail_url", &Video::thumbnail_url)
        .def_readonly("language", &Video::language, "language key (\"hindi\"), \"\" when unknown")
        .def_readonly("duration_seconds", &Video::duration_seconds)
        .def_readonly("duration", &Video::duration, "\"m:ss\" or \"h:mm:ss\"")
        .def_readonly("view_count", &Video::view_count)
        .def_readonly("published_date", &Video::published_date, "\"YYYY-MM-DD\", \"\" when unknown")
        .def_readonly("relevance_score", &Video::relevance_score, "0..1; None when not scored")
        .def_readonly("relevance_reason", &Video::relevance_reason)
        .def(
            "to_dict", [](const Video& v) { return py_from_json(to_json(v)); }, "The wire form.")
        .def("__repr__", [](const Video& v) {
            return "Video(video_id='" + v.video_id + "', title='" + v.title + "', duration='" + v.duration +
                   "')";
        });

    py::class_<VideoSuggestions>(m, "VideoSuggestions", "Teaching videos for one module.")
        .def_readonly("module_id", &VideoSuggestions::module_id)
        .def_readonly("module_title", &VideoSuggestions::module_title)
        .def_readonly("query", &VideoSuggestions::query, "what the source was asked")
        .def_readonly("source", &VideoSuggestions::source, "\"youtube\", \"catalogue\" or \"none\"")
        .def_readonly("cached", &VideoSuggestions::cached, "served from the module's stored suggestions")
        .def_readonly("reason", &VideoSuggestions::reason,
                      "why cached or why from the catalogue; \"\" otherwise")
        .def_property_readonly("fetched_at",
                               [](const VideoSuggestions& s) { return py_datetime(s.fetched_at); })
        .def_readonly("videos", &VideoSuggestions::videos, "best first")
        .def(
            "to_dict", [](const VideoSuggestions& s) { return py_from_json(to_json(s)); },
            "The wire form (GET /api/modules/{id}/video-suggestions).")
        .def("__repr__", [](const VideoSuggestions& s) {
            return "VideoSuggestions(module_id=" + std::to_string(s.module_id) + ", source='" + s.source +
                   "', cached=" + (s.cached ? "True" : "False") +
                   ", videos=" + std::to_string(s.videos.size()) + ")";
        });

    py::class_<VideoSearchResult>(m, "VideoSearchResult")
        .def_readonly("query", &VideoSearchResult::query)
        .def_readonly("source", &VideoSearchResult::source, "\"youtube\" or \"catalogue\"")
        .def_readonly("reason", &VideoSearchResult::reason, "why the catalogue answered; \"\" otherwise")
        .def_readonly("videos", &VideoSearchResult::videos)
        .def(
            "to_dict", [](const VideoSearchResult& r) { return py_from_json(to_json(r)); },
            "The wire form (POST /api/videos/search).")
        .def("__repr__", [](const VideoSearchResult& r) {
            return "VideoSearchResult(query='" + r.query + "', source='" + r.source +
                   "', videos=" + std::to_string(r.videos.size()) + ")";
        });

    py::class_<CatalogueProblem>(m, "CatalogueProblem", "A catalogue row that was not imported.")
        .def_readonly("row", &CatalogueProblem::row, "CSV line (header = 1) or JSON array index, 1-based")
        .def_readonly("message", &CatalogueProblem::message);
    py::class_<CatalogueImport>(m, "CatalogueImport")
        .def_readonly("added", &CatalogueImport::added)
        .def_readonly("updated", &CatalogueImport::updated, "same video_id: replaced")
        .def_readonly("problems", &CatalogueImport::problems)
        .def(
            "to_dict", [](const CatalogueImport& r) { return py_from_json(to_json(r)); }, "The wire form.");

    py::class_<QuotaUsage>(m, "QuotaUsage", "Today's spending of the YouTube quota.")
        .def_readonly("api", &QuotaUsage::api)
        .def_readonly("day", &QuotaUsage::day, "YYYY-MM-DD in America/Los_Angeles")
        .def_readonly("units", &QuotaUsage::units)
        .def_readonly("calls", &QuotaUsage::calls)
        .def_readonly("limit", &QuotaUsage::limit)
        .def(
            "to_dict", [](const QuotaUsage& q) { return py_from_json(to_json(q)); }, "The wire form.");

    py::class_<VideoLanguage>(m, "VideoLanguage", "A language videos can be searched in.")
        .def_readonly("key", &VideoLanguage::key)
        .def_readonly("code", &VideoLanguage::code, "YouTube's relevanceLanguage")
        .def_readonly("name", &VideoLanguage::name)
        .def_readonly("native_name", &VideoLanguage::native_name);
}

} // namespace

void bind_videos(py::module_& m) {
    bind_values(m);
    m.def("parse_iso8601_duration", &parse_iso8601_duration, py::arg("text"),
          "'PT1H2M3S' → 3723 seconds; None when malformed.");
    m.def("format_video_duration", &format_video_duration, py::arg("seconds"),
          "75 → '1:15', 3723 → '1:02:03'.");

    py::class_<VideoEngine>(m, "VideoEngine", "Obtained as Platform.videos. Thread-safe.")
        .def(
            "suggest",
            [](VideoEngine& e, std::int64_t module_id, int limit, bool refresh) {
                return unwrap(without_gil([&] { return e.suggest(module_id, {limit, refresh}); }));
            },
            py::arg("module_id"), py::arg("limit") = 3, py::arg("refresh") = false,
            "Teaching videos for a module: YouTube when a key is configured, else the local catalogue.\n\n"
            "Args:\n"
            "    module_id: the module.\n"
            "    limit: how many videos, 1-10.\n"
            "    refresh: ignore the stored suggestions (still served when the source fails).\n\n"
            "Returns:\n"
            "    VideoSuggestions: best first; cached and reason say where they came from. A provider\n"
            "    failure is never raised: the stored list or the catalogue answers instead.\n\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    InvalidArgumentError: limit outside 1-10 (field \"limit\").")
        .def(
            "search",
            [](VideoEngine& e, const std::string& query, std::optional<std::string> language, int max_results,
               const std::string& duration) {
                VideoSearchRequest req{query, std::move(language), max_results, duration};
                return unwrap(without_gil([&] { return e.search(req); }));
            },
            py::arg("query"), py::arg("language") = std::nullopt, py::arg("max_results") = 10,
            py::arg("duration") = "any",
            "Searches videos by free text.\n\n"
            "Args:\n"
            "    query: 2-200 characters.\n"
            "    language: key, code or name (\"hindi\", \"hi\"); None = any.\n"
            "    max_results: 1-50.\n"
            "    duration: \"any\", \"short\" (< 4 min), \"medium\" (4-20 min) or \"long\" (> 20 min).\n\n"
            "Returns:\n"
            "    VideoSearchResult: source \"youtube\" or \"catalogue\" (with the reason).\n\n"
            "Raises:\n"
            "    InvalidArgumentError: a parameter out of range (field names it).")
        .def("languages", &VideoEngine::languages,
             "Languages videos can be searched in.\n\n"
             "Returns:\n"
             "    list[VideoLanguage]: key, code, name, native_name.\n\n"
             "Raises:\n"
             "    Nothing.")
        .def(
            "import_catalogue",
            [](VideoEngine& e, const std::string& path) {
                return unwrap(without_gil([&] { return e.import_catalogue_file(path); }));
            },
            py::arg("path"),
            "Fills the local catalogue from a file.\n\n"
            "Args:\n"
            "    path: a .csv (header naming video_id or url, and title) or .json (array of objects).\n\n"
            "Returns:\n"
            "    CatalogueImport: added, updated and the rows refused (problems).\n\n"
            "Raises:\n"
            "    InvalidArgumentError: unreadable file or unknown extension.")
        .def(
            "import_catalogue_text",
            [](VideoEngine& e, const std::string& text, const std::string& format) {
                return unwrap(without_gil([&] { return e.import_catalogue(text, format); }));
            },
            py::arg("text"), py::arg("format") = "",
            "import_catalogue() from text.\n\n"
            "Args:\n"
            "    text: CSV or JSON.\n"
            "    format: \"csv\", \"json\" or \"\" (guess from the text).\n\n"
            "Returns:\n"
            "    CatalogueImport: added, updated and the rows refused (problems).\n\n"
            "Raises:\n"
            "    InvalidArgumentError: neither CSV with the needed header nor a JSON array.")
        .def(
            "catalogue_size",
            [](VideoEngine& e) { return unwrap(without_gil([&] { return e.catalogue_size(); })); },
            "Returns:\n"
            "    int: videos in the local catalogue.\n\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be read.")
        .def(
            "quota_usage",
            [](VideoEngine& e) { return unwrap(without_gil([&] { return e.quota_usage(); })); },
            "Today's spending of the YouTube quota (the day is YouTube's: midnight Pacific).\n\n"
            "Returns:\n"
            "    QuotaUsage: api, day, units, calls, limit.\n\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be read.");
}

} // namespace shiksha::python
