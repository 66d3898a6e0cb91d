// shiksha.JobEngine: long work (indexing, re-embedding) running on the Platform's worker pool.
#include "bindings.hpp"

#include "shiksha/jobs.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include <string>

namespace shiksha::python {

namespace {

void bind_values(py::module_& m) {
    py::enum_<JobState>(m, "JobState", "Where a job is; succeeded, failed and cancelled are final.")
        .value("queued", JobState::queued)
        .value("running", JobState::running)
        .value("succeeded", JobState::succeeded)
        .value("failed", JobState::failed)
        .value("cancelled", JobState::cancelled);

    py::class_<Job>(m, "Job", "A snapshot of a job; poll JobEngine.get(id) or block in JobEngine.wait(id).")
        .def_readonly("id", &Job::id, "opaque, URL-safe")
        .def_readonly("kind", &Job::kind, "\"manual.index\", \"retrieval.reembed\"...")
        .def_readonly("state", &Job::state)
        .def_readonly("done", &Job::done)
        .def_readonly("total", &Job::total)
        .def_property_readonly("percent", &Job::percent, "0-100; 100 once succeeded")
        .def_readonly("message", &Job::message, "what it is doing now")
        .def_property_readonly(
            "result", [](const Job& j) { return py_from_json(j.result); }, "set when succeeded (JSON)")
        .def_property_readonly(
            "error", [](const Job& j) { return j.error ? py_error(*j.error) : py::object(py::none()); },
            "the shiksha.Error (not raised) when failed or cancelled, else None")
        .def_readonly("created_by", &Job::created_by, "user id, None when not started by a user")
        .def_property_readonly("created_at", [](const Job& j) { return py_datetime(j.created_at); })
        .def_property_readonly("updated_at", [](const Job& j) { return py_datetime(j.updated_at); })
        .def(
            "to_dict", [](const Job& j) { return py_from_json(to_json(j)); },
            "The wire form (what GET /api/jobs/{id} returns).")
        .def("__repr__", [](const Job& j) {
            return "Job(id='" + j.id + "', kind='" + j.kind + "', state=" + std::string(to_string(j.state)) +
                   ", done=" + std::to_string(j.done) + ", total=" + std::to_string(j.total) + ")";
        });
}

void bind_engine(py::module_& m) {
    const Page page;
    py::class_<JobEngine>(m, "JobEngine", "Obtained from Platform.jobs. Thread-safe.")
        .def(
            "get",
            [](JobEngine& e, const std::string& id) {
                return unwrap(without_gil([&] { return e.get(id); }));
            },
            py::arg("id"),
            "A job as it is now.\n"
            "\n"
            "Args:\n"
            "    id: the job id.\n"
            "\n"
            "Returns:\n"
            "    Job\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such job.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list",
            [](JobEngine& e, std::int64_t skip, std::int64_t limit, const std::string& kind) {
                return unwrap(without_gil([&] { return e.list(Page{skip, limit}, kind); }));
            },
            py::arg("skip") = page.skip, py::arg("limit") = page.limit, py::arg("kind") = "",
            "Recent jobs, newest first.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "    kind: only this kind (\"manual.index\"); \"\" = all.\n"
            "\n"
            "Returns:\n"
            "    list[Job]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "cancel",
            [](JobEngine& e, const std::string& id) {
                return unwrap(without_gil([&] { return e.cancel(id); }));
            },
            py::arg("id"),
            "Asks a queued or running job to stop; it ends cancelled at its next check.\n"
            "\n"
            "Args:\n"
            "    id: the job.\n"
            "\n"
            "Returns:\n"
            "    Job: as it is after the request.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such job.\n"
            "    ConflictError: it already finished.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "wait",
            [](JobEngine& e, const std::string& id, std::optional<double> timeout) {
                // Wait in short slices so Ctrl-C (a pending signal) interrupts a notebook.
                using namespace std::chrono;
                const auto deadline =
                    timeout ? steady_clock::now() +
                                  duration_cast<milliseconds>(duration<double>(std::max(0.0, *timeout)))
                            : steady_clock::time_point::max();
                for (;;) {
                    const auto left = deadline - steady_clock::now();
                    const auto slice =
                        std::clamp(duration_cast<milliseconds>(left), milliseconds(0), milliseconds(200));
                    Job job = unwrap(without_gil([&] { return e.wait(id, slice); }));
                    const bool finished = job.state != JobState::queued && job.state != JobState::running;
                    if (finished || steady_clock::now() >= deadline) return job;
                    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                }
            },
            py::arg("id"), py::arg("timeout") = py::none(),
            "Blocks until the job has finished or `timeout` seconds have passed; the GIL is released and "
            "Ctrl-C interrupts the wait (the job keeps running).\n"
            "\n"
            "Args:\n"
            "    id: the job.\n"
            "    timeout: seconds; None = no limit.\n"
            "\n"
            "Returns:\n"
            "    Job: as it is then; a failed job is returned, not raised (see Job.error).\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such job.\n"
            "    KeyboardInterrupt: Ctrl-C while waiting.\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace

void bind_jobs(py::module_& m) {
    bind_values(m);
    bind_engine(m);
}

} // namespace shiksha::python
