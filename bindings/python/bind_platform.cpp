// shiksha.Platform (the facade that owns every engine) and the demo data.
#include "bindings.hpp"

#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

namespace {

std::unique_ptr<Platform> open_platform(Config config) {
    return unwrap(without_gil([&] { return Platform::open(std::move(config)); }));
}

void bind_facade(py::module_& m) {
    py::class_<Platform>(
        m, "Platform",
        "Opens (creating and migrating) a data directory and owns every engine. Thread-safe.\n"
        "Platform(config) and Platform.open(config) are the same; both raise on failure.")
        .def(py::init(&open_platform), py::arg("config"),
             "Opens the data directory config.data_dir; the same as Platform.open(config).\n"
             "\n"
             "Args:\n"
             "    config: a Config (see shiksha.config_from_env()).\n"
             "\n"
             "Returns:\n"
             "    None\n"
             "\n"
             "Raises:\n"
             "    The errors of Platform.open().")
        .def_static(
            "open", &open_platform, py::arg("config"),
            "Opens (creating and migrating) the data directory config.data_dir and builds every engine.\n"
            "\n"
            "Args:\n"
            "    config: a Config (see shiksha.config_from_env()).\n"
            "\n"
            "Returns:\n"
            "    Platform\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a setting is out of range (field names it).\n"
            "    UnavailableError: the data directory cannot be created, or the database is from a newer "
            "version (nothing is changed).")
        // reference_internal: an engine object keeps its Platform alive.
        .def_property_readonly("clusters", &Platform::clusters, py::return_value_policy::reference_internal,
                               "ClusterEngine: clusters of teachers.")
        .def_property_readonly("auth", &Platform::auth, py::return_value_policy::reference_internal,
                               "AuthEngine: users, roles, tokens, audit log.")
        .def_property_readonly("jobs", &Platform::jobs, py::return_value_policy::reference_internal,
                               "JobEngine: long work (indexing, generation) and its progress.")
        .def_property_readonly("manuals", &Platform::manuals, py::return_value_policy::reference_internal,
                               "ManualEngine: PDF upload, OCR and indexing.")
        .def_property_readonly("retrieval", &Platform::retrieval, py::return_value_policy::reference_internal,
                               "RetrievalEngine: hybrid search and embeddings.")
        .def_property_readonly("modules", &Platform::modules, py::return_value_policy::reference_internal,
                               "ModuleEngine: adapted modules and grounded answers.")
        .def_property_readonly("translation", &Platform::translation,
                               py::return_value_policy::reference_internal,
                               "TranslationEngine: memory, glossary and providers.")
        .def_property_readonly("exports", &Platform::exports, py::return_value_policy::reference_internal,
                               "ExportEngine: printable PDFs.")
        .def_property_readonly("delivery", &Platform::delivery, py::return_value_policy::reference_internal,
                               "DeliveryEngine: WhatsApp sharing, contacts, delivery reports.")
        .def_property_readonly("videos", &Platform::videos, py::return_value_policy::reference_internal,
                               "VideoEngine: teaching-video suggestions.")
        .def_property_readonly("analytics", &Platform::analytics, py::return_value_policy::reference_internal,
                               "AnalyticsEngine: teacher feedback, summaries and rankings.")
        .def(
            "ask",
            [](Platform& p, const std::string& question, std::optional<std::vector<std::int64_t>> manual_ids,
               std::size_t k) {
                AskRequest req{question, manual_ids.value_or(std::vector<std::int64_t>{}), k};
                return unwrap(
                    interruptible([&](const CancelToken& cancel) { return p.modules().ask(req, &cancel); }));
            },
            py::arg("question"), py::arg("manual_ids") = py::none(), py::arg("k") = 5,
            "Answers a question from the indexed manuals (same as Platform.modules.ask).\n"
            "\n"
            "Args:\n"
            "    question: the question, in any language the manuals use.\n"
            "    manual_ids: restrict to these manuals; None = all indexed manuals.\n"
            "    k: excerpts to retrieve, 1-50.\n"
            "\n"
            "Returns:\n"
            "    Answer: answer, grounded (False when the manuals do not cover it), sources with pages.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: question or k out of range.\n"
            "    The LLM's errors when one is configured (UnavailableError, RateLimitedError, "
            "DeadlineExceededError...).\n"
            "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def_property_readonly(
            "config", [](const Platform& p) { return p.config(); },
            "A copy: changing it does not change the open Platform.")
        .def_property_readonly(
            "schema_version", [](const Platform&) { return schema_version(); },
            "The schema version the database was migrated to.")
        .def(
            "metrics_text", [](Platform& p) { return p.metrics().render_prometheus(); },
            "The platform's metrics (requests, jobs, providers, tokens...).\n"
            "\n"
            "Returns:\n"
            "    str: the Prometheus text exposition format.\n"
            "\n"
            "Raises:\n"
            "    Nothing.")
        .def(
            "detailed_health",
            [](Platform& p) {
                return py_from_json(to_json(without_gil([&] { return p.detailed_health(); })));
            },
            "The operator's health report (GET /api/health/detailed): database and schema, disk space of\n"
            "the data directory, index, each provider (configured, last success and failure), queues,\n"
            "version and uptime.\n"
            "\n"
            "Returns:\n"
            "    dict: the wire form.\n"
            "\n"
            "Raises:\n"
            "    Nothing: what cannot be read is reported in the dict.");
}

void bind_demo(py::module_& m) {
    py::class_<DemoAccount>(m, "DemoAccount",
                            "One of the API contract's demo accounts; the password is public.")
        .def_readonly("username", &DemoAccount::username)
        .def_readonly("email", &DemoAccount::email)
        .def_readonly("password", &DemoAccount::password)
        .def_readonly("name", &DemoAccount::name)
        .def_readonly("role", &DemoAccount::role, "as on the wire: admin, principal, teacher")
        .def_readonly("school", &DemoAccount::school, "\"\" for none")
        .def("__repr__", [](const DemoAccount& a) {
            return "DemoAccount(username='" + a.username + "', role='" + a.role + "')";
        });

    py::class_<DemoReport>(m, "DemoReport")
        .def_readonly("actions", &DemoReport::actions, "one line per thing created or found")
        .def_readonly("users_created", &DemoReport::users_created)
        .def_readonly("clusters_created", &DemoReport::clusters_created)
        .def("__repr__", [](const DemoReport& r) {
            return "DemoReport(users_created=" + std::to_string(r.users_created) +
                   ", clusters_created=" + std::to_string(r.clusters_created) + ")";
        });

    m.def("demo_accounts", &demo_accounts, py::return_value_policy::copy,
          "The contract's demo accounts, admin first.");
    m.def(
        "seed_demo",
        [](Platform& platform) { return unwrap(without_gil([&] { return seed_demo(platform); })); },
        py::arg("platform"), "Creates the demo schools, accounts and clusters; what exists is left alone.");
    m.def(
        "demo_accounts_with_default_password",
        [](Platform& platform) {
            return unwrap(without_gil([&] { return demo_accounts_with_default_password(platform); }));
        },
        py::arg("platform"), "Usernames of demo accounts whose published password still logs in.");
}

} // namespace

void bind_platform(py::module_& m) {
    bind_facade(m);
    bind_demo(m);
}

} // namespace shiksha::python
