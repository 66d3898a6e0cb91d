// shiksha.ExportEngine: printable PDFs of modules, every Indian script shaped.
#include "bindings.hpp"

#include "shiksha/exports.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>

namespace shiksha::python {

void bind_exports(py::module_& m) {
    py::class_<ExportedFile>(m, "ExportedFile", "A recorded PDF export.")
        .def_readonly("id", &ExportedFile::id)
        .def_readonly("module_id", &ExportedFile::module_id)
        .def_readonly("filename", &ExportedFile::filename)
        .def_readonly("path", &ExportedFile::path)
        .def_readonly("size_bytes", &ExportedFile::size_bytes)
        .def_readonly("sha256", &ExportedFile::sha256)
        .def_readonly("language", &ExportedFile::language)
        .def_readonly("pages", &ExportedFile::pages)
        .def_property_readonly("created_at", [](const ExportedFile& f) { return py_datetime(f.created_at); })
        .def_property_readonly("downloaded_at",
                               [](const ExportedFile& f) { return py_datetime(f.downloaded_at); })
        .def_property_readonly("expires_at", [](const ExportedFile& f) { return py_datetime(f.expires_at); })
        .def("to_dict", [](const ExportedFile& f) { return py_from_json(to_json(f)); })
        .def("__repr__", [](const ExportedFile& f) {
            return "ExportedFile(id=" + std::to_string(f.id) + ", filename='" + f.filename +
                   "', pages=" + std::to_string(f.pages) + ")";
        });

    py::class_<ExportEngine>(m, "ExportEngine", "Obtained as Platform.exports.")
        .def(
            "pdf",
            [](ExportEngine& e, std::int64_t module_id, std::optional<std::string> language, bool bilingual,
               bool side_by_side, bool include_original, std::string page_size, bool as_bytes) -> py::object {
                PdfOptions options{std::move(language), bilingual || side_by_side, side_by_side,
                                   include_original, std::move(page_size)};
                auto file =
                    unwrap(without_gil([&] { return e.module_pdf(module_id, options, python_actor()); }));
                if (!as_bytes) return py::cast(std::move(file));
                auto got = unwrap(without_gil([&] { return e.download(file.id); }));
                return py::bytes(got.second);
            },
            py::arg("module_id"), py::kw_only(), py::arg("language") = py::none(),
            py::arg("bilingual") = false, py::arg("side_by_side") = false,
            py::arg("include_original") = false, py::arg("page_size") = "A4", py::arg("as_bytes") = false,
            "Renders a printable PDF of the module (every Indian script shaped) and records it.\n"
            "\n"
            "Args:\n"
            "    module_id: the module.\n"
            "    language: key, code or name; None = the module's own (translated first if needed).\n"
            "    bilingual: add the English after the translation.\n"
            "    side_by_side: English and the translation in two columns.\n"
            "    include_original: append the manual excerpts the module cites.\n"
            "    page_size: \"A4\" or \"Letter\".\n"
            "    as_bytes: return the PDF's bytes instead of the record.\n"
            "\n"
            "Returns:\n"
            "    ExportedFile (path, pages, size_bytes, expires_at), or bytes with as_bytes=True.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    InvalidArgumentError: unknown language or page size.\n"
            "    UnavailableError: a font is missing (fonts-noto-core) or a translation cannot be made.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "get",
            [](ExportEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.get(id); })); },
            py::arg("id"),
            "One export record.\n"
            "\n"
            "Args:\n"
            "    id: the export id.\n"
            "\n"
            "Returns:\n"
            "    ExportedFile\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: unknown or expired.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list",
            [](ExportEngine& e, std::optional<std::int64_t> module_id) {
                return unwrap(without_gil([&] { return e.list(module_id); }));
            },
            py::arg("module_id") = py::none(),
            "Unexpired exports, newest first.\n"
            "\n"
            "Args:\n"
            "    module_id: only this module's; None = all.\n"
            "\n"
            "Returns:\n"
            "    list[ExportedFile]\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "download",
            [](ExportEngine& e, std::int64_t id) {
                auto got = unwrap(without_gil([&] { return e.download(id); }));
                return py::bytes(got.second);
            },
            py::arg("id"),
            "The PDF's bytes; marks the export downloaded.\n"
            "\n"
            "Args:\n"
            "    id: the export.\n"
            "\n"
            "Returns:\n"
            "    bytes\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: unknown or expired (\"PDF not found\"), or the file is gone (\"File "
            "missing\").\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "delete",
            [](ExportEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove(id, python_actor()); }));
            },
            py::arg("id"),
            "Deletes an export and its file.\n"
            "\n"
            "Args:\n"
            "    id: the export.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such export.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "sweep_expired",
            [](ExportEngine& e) { return unwrap(without_gil([&] { return e.sweep_expired(); })); },
            "Deletes expired exports (files and records) and files no record owns.\n"
            "\n"
            "Returns:\n"
            "    int: how many exports were deleted.\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace shiksha::python
