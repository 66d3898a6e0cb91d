// shiksha.ManualEngine: teacher-training PDFs, uploaded once and indexed for retrieval.
#include "bindings.hpp"

#include "shiksha/manuals.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace shiksha::python {

namespace {

/// Adapts an optional Python callable(done, total) to the library's ProgressFn for a call that
/// runs with the GIL released. The library calls it on the calling thread, so it re-acquires
/// the GIL. Returning False cancels. An exception raised by the callable (Ctrl-C included, which
/// is also checked between pages when there is no callable) cancels the work and is kept, to
/// be raised in place of the library's "cancelled" once the call has returned.
/// Construct, use and destroy with the GIL held; only the ProgressFn runs without it.
class PythonProgress {
public:
    explicit PythonProgress(py::object callable) : callable_(std::move(callable)) {
        if (!callable_.is_none() && !PyCallable_Check(callable_.ptr()))
            throw py::type_error("progress must be a callable(done, total) or None");
    }
    PythonProgress(const PythonProgress&) = delete;
    PythonProgress& operator=(const PythonProgress&) = delete;

    [[nodiscard]] ProgressFn fn() {
        return [this](std::int64_t done, std::int64_t total) { return report(done, total); };
    }

    /// Re-raises what the callable raised, if it did. Needs the GIL.
    void rethrow_if_raised() {
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

private:
    bool report(std::int64_t done, std::int64_t total) noexcept {
        py::gil_scoped_acquire gil;
        if (error_) return false;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (callable_.is_none()) return true;
            const py::object keep_going = callable_(done, total);
            if (keep_going.is_none()) return true;
            const int truth = PyObject_IsTrue(keep_going.ptr());
            if (truth < 0) throw py::error_already_set();
            return truth != 0;
        } catch (...) {
            error_ = std::current_exception();
            return false;
        }
    }

    py::object callable_;
    std::exception_ptr error_;
};

IndexReport index_manual(ManualEngine& e, std::int64_t id, py::object progress) {
    PythonProgress callback(std::move(progress));
    IndexOptions options;
    options.progress = callback.fn();
    auto report = without_gil([&] { return e.index(id, options, python_actor()); });
    // Raised even when the exception came from the final call (done == total), which the
    // library makes after committing: the index then stands, but the error is not swallowed.
    callback.rethrow_if_raised();
    return unwrap(std::move(report));
}

UploadResult upload_bytes(ManualEngine& e, const py::bytes& data, const std::string& title,
                          const std::string& filename) {
    std::string bytes = data; // the library takes ownership of a copy; done with the GIL held
    const ManualUpload upload{title, filename};
    return unwrap(without_gil([&] { return e.upload(std::move(bytes), upload, python_actor()); }));
}

UploadResult upload_path(ManualEngine& e, const std::filesystem::path& path, const std::string& title,
                         const std::optional<std::string>& filename) {
    // An empty filename makes the library use the path's own name.
    ManualUpload upload{title, filename.value_or("")};
    return unwrap(without_gil([&] { return e.upload_file(path, std::move(upload), python_actor()); }));
}

std::string manual_repr(const Manual& m) {
    return "Manual(id=" + std::to_string(m.id) + ", title='" + m.title +
           "', pages=" + std::to_string(m.total_pages) + ", indexed=" + (m.indexed ? "True" : "False") + ")";
}

void bind_values(py::module_& m) {
    py::class_<Manual>(m, "Manual", "A stored manual (read-only snapshot).")
        .def_readonly("id", &Manual::id)
        .def_readonly("title", &Manual::title)
        .def_readonly("filename", &Manual::filename, "the upload's name (display only)")
        .def_readonly("file_path", &Manual::file_path, "relative to the data dir: manuals/<sha256>.pdf")
        .def_readonly("sha256", &Manual::sha256)
        .def_readonly("size_bytes", &Manual::size_bytes)
        .def_readonly("total_pages", &Manual::total_pages)
        .def_property_readonly("upload_date", [](const Manual& x) { return py_datetime(x.upload_date); })
        .def_readonly("indexed", &Manual::indexed)
        .def_property_readonly("indexed_at", [](const Manual& x) { return py_datetime(x.indexed_at); })
        .def_readonly("pinned", &Manual::pinned)
        .def_readonly("detected_language", &Manual::detected_language, "\"english\", \"hindi\"... or None")
        .def_readonly("ocr_pages", &Manual::ocr_pages)
        .def_readonly("chunk_count", &Manual::chunk_count)
        .def_readonly("chunker_version", &Manual::chunker_version,
                      "version of the ingestion that made its chunks (0 = never indexed)")
        .def_readonly("adapted_summary", &Manual::adapted_summary)
        .def_readonly("key_points", &Manual::key_points)
        .def(
            "to_dict", [](const Manual& x) { return py_from_json(to_json(x)); },
            "The wire form (what GET /api/manuals/{id} returns).")
        .def("__repr__", &manual_repr);

    py::class_<UploadResult>(m, "UploadResult")
        .def_readonly("manual", &UploadResult::manual)
        .def_readonly("duplicate", &UploadResult::duplicate,
                      "the same bytes were uploaded before; manual is that upload")
        .def("__repr__", [](const UploadResult& r) {
            return "UploadResult(manual=" + manual_repr(r.manual) +
                   ", duplicate=" + (r.duplicate ? "True" : "False") + ")";
        });

    py::class_<PageReport>(m, "PageReport", "What indexing did with one page.")
        .def_readonly("page", &PageReport::page)
        .def_readonly("method", &PageReport::method, "\"text\" (text layer), \"ocr\" or \"none\"")
        .def_readonly("verdict", &PageReport::verdict,
                      "text-layer verdict: readable, empty, legacy_font, broken_unicode, garbage")
        .def_readonly("reason", &PageReport::reason, "a sentence when not plain readable text")
        .def_readonly("chars", &PageReport::chars, "characters kept")
        .def(
            "to_dict", [](const PageReport& p) { return py_from_json(to_json(p)); }, "The wire form.")
        .def("__repr__", [](const PageReport& p) {
            return "PageReport(page=" + std::to_string(p.page) + ", method='" + p.method + "', verdict='" +
                   p.verdict + "', chars=" + std::to_string(p.chars) + ")";
        });

    py::class_<IndexReport>(m, "IndexReport")
        .def_readonly("manual", &IndexReport::manual, "the manual as stored after indexing")
        .def_readonly("pages", &IndexReport::pages)
        .def_readonly("chunks", &IndexReport::chunks)
        .def_readonly("ocr_pages", &IndexReport::ocr_pages)
        .def_readonly("headers_removed", &IndexReport::headers_removed)
        .def_readonly("seconds", &IndexReport::seconds)
        .def_readonly("running_titles", &IndexReport::running_titles,
                      "running titles recognised as page furniture, as printed")
        .def("to_dict", [](const IndexReport& r) { return py_from_json(to_json(r)); })
        .def("__repr__", [](const IndexReport& r) {
            return "IndexReport(manual_id=" + std::to_string(r.manual.id) +
                   ", pages=" + std::to_string(r.pages.size()) + ", chunks=" + std::to_string(r.chunks) +
                   ", ocr_pages=" + std::to_string(r.ocr_pages) + ")";
        });

    py::class_<Chunk>(m, "Chunk", "A passage of a manual as indexed for retrieval.")
        .def_readonly("id", &Chunk::id)
        .def_readonly("manual_id", &Chunk::manual_id)
        .def_readonly("ordinal", &Chunk::ordinal)
        .def_readonly("page_start", &Chunk::page_start)
        .def_readonly("page_end", &Chunk::page_end)
        .def_readonly("section", &Chunk::section)
        .def_readonly("text", &Chunk::text)
        .def_readonly("tokens", &Chunk::tokens)
        .def(
            "to_dict", [](const Chunk& c) { return py_from_json(to_json(c)); }, "The wire form.")
        .def("__repr__", [](const Chunk& c) {
            return "Chunk(id=" + std::to_string(c.id) + ", pages=" + std::to_string(c.page_start) + "-" +
                   std::to_string(c.page_end) + ", section='" + c.section + "')";
        });
}

void bind_engine(py::module_& m) {
    const Page page;
    py::class_<ManualEngine>(m, "ManualEngine", "Obtained from Platform.manuals. Thread-safe.")
        .def("upload", &upload_bytes, py::arg("bytes"), py::arg("title"), py::arg("filename") = "",
             "Validates and stores a PDF (same bytes again: the existing manual, duplicate=True).\n"
             "\n"
             "Args:\n"
             "    bytes: the PDF.\n"
             "    title: 2-200 characters.\n"
             "    filename: the original name (display only).\n"
             "\n"
             "Returns:\n"
             "    UploadResult: manual and duplicate.\n"
             "\n"
             "Raises:\n"
             "    InvalidArgumentError: not a PDF, truncated, encrypted, too large (field \"file\") or a bad "
             "title.\n"
             "    UnavailableError: the database cannot be reached or is busy.")
        .def("upload_file", &upload_path, py::arg("path"), py::arg("title"), py::arg("filename") = py::none(),
             "upload() from a file.\n"
             "\n"
             "Args:\n"
             "    path: str or os.PathLike.\n"
             "    title: 2-200 characters.\n"
             "    filename: defaults to the path's name.\n"
             "\n"
             "Returns:\n"
             "    UploadResult: manual and duplicate.\n"
             "\n"
             "Raises:\n"
             "    InvalidArgumentError: unreadable file, not a PDF, truncated, encrypted or too large.\n"
             "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "ingest",
            [](ManualEngine& e, py::handle path_or_bytes, const std::string& title,
               const std::optional<std::string>& filename, py::object progress, bool index) -> py::object {
                UploadResult up;
                if (py::isinstance<py::bytes>(path_or_bytes)) {
                    up = upload_bytes(e, path_or_bytes.cast<py::bytes>(), title, filename.value_or(""));
                } else if (py::isinstance<py::str>(path_or_bytes) ||
                           py::hasattr(path_or_bytes, "__fspath__")) {
                    up = upload_path(e, path_or_bytes.cast<std::filesystem::path>(), title, filename);
                } else {
                    throw py::type_error("path_or_bytes must be bytes, a str or an os.PathLike");
                }
                if (!index) return py::cast(std::move(up));
                return py::cast(index_manual(e, up.manual.id, std::move(progress)));
            },
            py::arg("path_or_bytes"), py::arg("title"), py::arg("filename") = py::none(),
            py::arg("progress") = py::none(), py::arg("index") = true,
            "upload() or upload_file(), then index() unless index=False (a duplicate is re-indexed).\n"
            "\n"
            "Args:\n"
            "    path_or_bytes: bytes, a str or an os.PathLike.\n"
            "    title: 2-200 characters.\n"
            "    filename: display name; default the path's.\n"
            "    progress: callable(done, total) called on this thread as pages are read; return False to "
            "cancel.\n"
            "    index: False: only upload.\n"
            "\n"
            "Returns:\n"
            "    IndexReport, or UploadResult when index=False.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a bad PDF or title, or too little text.\n"
            "    UnavailableError: OCR needed but unavailable, or the database.\n"
            "    DeadlineExceededError: progress returned False.\n"
            "    KeyboardInterrupt: Ctrl-C; indexing is cancelled and the previous state kept.\n"
            "    TypeError: path_or_bytes has another type.")
        .def(
            "get",
            [](ManualEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.get(id); })); },
            py::arg("id"),
            "One manual.\n"
            "\n"
            "Args:\n"
            "    id: the manual id.\n"
            "\n"
            "Returns:\n"
            "    Manual\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list",
            [](ManualEngine& e, std::int64_t skip, std::int64_t limit) {
                return unwrap(without_gil([&] { return e.list(Page{skip, limit}); }));
            },
            py::arg("skip") = page.skip, py::arg("limit") = page.limit,
            "Manuals, pinned first, then newest upload first.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "\n"
            "Returns:\n"
            "    list[Manual]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "count", [](ManualEngine& e) { return unwrap(without_gil([&] { return e.count(); })); },
            "How many manuals there are.\n"
            "\n"
            "Returns:\n"
            "    int\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "delete",
            [](ManualEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove(id, python_actor()); }));
            },
            py::arg("id"),
            "Deletes a manual: its file, pages, chunks and vectors, and the modules made from it.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "toggle_pin",
            [](ManualEngine& e, std::int64_t id) {
                return unwrap(without_gil([&] { return e.toggle_pin(id, python_actor()); }));
            },
            py::arg("id"),
            "Pins or unpins a manual.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "\n"
            "Returns:\n"
            "    Manual: with the new pinned value.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def("index", &index_manual, py::arg("id"), py::arg("progress") = py::none(),
             "Extracts each page (OCR where the text layer is unusable), chunks and indexes the manual; "
             "re-indexing replaces the old chunks. Runs on this thread with the GIL released. A cancelled or "
             "failed index leaves the previous state; the last progress call (done == total) comes after the "
             "commit.\n"
             "\n"
             "Args:\n"
             "    id: the manual.\n"
             "    progress: callable(done, total) called on this thread as pages are read; return False to "
             "cancel. An exception it raises cancels and is re-raised.\n"
             "\n"
             "Returns:\n"
             "    IndexReport: pages (method, verdict, reason), chunks, OCR pages, seconds.\n"
             "\n"
             "Raises:\n"
             "    NotFoundError: no such manual.\n"
             "    InvalidArgumentError: fewer than 100 characters of text survive.\n"
             "    UnavailableError: pages need OCR that is disabled or lacks language packs.\n"
             "    DeadlineExceededError: progress returned False.\n"
             "    KeyboardInterrupt: Ctrl-C; indexing is cancelled.")
        .def(
            "index_async",
            [](ManualEngine& e, std::int64_t id) {
                return unwrap(without_gil([&] { return e.index_async(id, python_actor()); }));
            },
            py::arg("id"),
            "index() as a job on the worker pool.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "\n"
            "Returns:\n"
            "    Job: queued; follow it with Platform.jobs.wait(job.id).\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "chunks",
            [](ManualEngine& e, std::int64_t id, std::int64_t offset, std::int64_t limit) {
                return unwrap(without_gil([&] { return e.chunks(id, offset, limit); }));
            },
            py::arg("id"), py::arg("offset") = 0, py::arg("limit") = 50,
            "The manual's chunks in reading order.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "    offset: chunks to skip.\n"
            "    limit: 1-1000 chunks.\n"
            "\n"
            "Returns:\n"
            "    list[Chunk]\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    InvalidArgumentError: offset or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "pages",
            [](ManualEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.pages(id); })); },
            py::arg("id"),
            "What the last index did with each page.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "\n"
            "Returns:\n"
            "    list[PageReport]: empty before indexing.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "file_path",
            [](ManualEngine& e, std::int64_t id) {
                return unwrap(without_gil([&] { return e.file_path(id); }));
            },
            py::arg("id"),
            "Where the stored PDF is.\n"
            "\n"
            "Args:\n"
            "    id: the manual.\n"
            "\n"
            "Returns:\n"
            "    pathlib.Path: absolute.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual.\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace

void bind_manuals(py::module_& m) {
    bind_values(m);
    bind_engine(m);
}

} // namespace shiksha::python
