// shiksha.ClusterEngine: the groups of teachers a module is adapted for.
#include "bindings.hpp"

#include "shiksha/clusters.hpp"

#include <pybind11/stl.h>

#include <string>

namespace shiksha::python {

namespace {

void bind_values(py::module_& m) {
    py::enum_<ClusterRemoval>(m, "ClusterRemoval", "What remove_as() did.")
        .value("deleted", ClusterRemoval::deleted)
        .value("hidden", ClusterRemoval::hidden);

    py::class_<Cluster>(m, "Cluster",
                        "A stored cluster (read-only snapshot; change it with ClusterEngine.update).")
        .def_readonly("id", &Cluster::id)
        .def_readonly("name", &Cluster::name)
        .def_readonly("region_type", &Cluster::region_type)
        .def_readonly("language", &Cluster::language)
        .def_readonly("infrastructure_constraints", &Cluster::infrastructure_constraints)
        .def_readonly("key_issues", &Cluster::key_issues)
        .def_readonly("total_teachers", &Cluster::total_teachers)
        .def_readonly("additional_notes", &Cluster::additional_notes)
        .def_readonly("pinned", &Cluster::pinned)
        .def_property_readonly("created_at", [](const Cluster& c) { return py_datetime(c.created_at); })
        .def_property_readonly("updated_at", [](const Cluster& c) { return py_datetime(c.updated_at); })
        .def(
            "to_dict", [](const Cluster& c) { return py_from_json(to_json(c)); },
            "The wire form (what GET /api/clusters/{id} returns), DB-name duplicates included.")
        .def("__repr__", [](const Cluster& c) {
            return "Cluster(id=" + std::to_string(c.id) + ", name='" + c.name +
                   "', pinned=" + (c.pinned ? "True" : "False") + ")";
        });
}

void bind_engine(py::module_& m) {
    const NewCluster new_defaults;
    const Page page;
    py::class_<ClusterEngine>(m, "ClusterEngine", "Obtained from Platform.clusters. Thread-safe.")
        .def(
            "create",
            [](ClusterEngine& e, const std::string& name, const std::string& region_type,
               const std::string& language, const std::string& infrastructure_constraints,
               const std::optional<std::string>& key_issues, std::int64_t total_teachers,
               const std::optional<std::string>& additional_notes) {
                const NewCluster input{.name = name,
                                       .region_type = region_type,
                                       .language = language,
                                       .infrastructure_constraints = infrastructure_constraints,
                                       .key_issues = key_issues,
                                       .total_teachers = total_teachers,
                                       .additional_notes = additional_notes};
                return unwrap(without_gil([&] { return e.create(input, python_actor()); }));
            },
            py::arg("name"), py::arg("region_type"), py::arg("language"),
            py::arg("infrastructure_constraints"), py::arg("key_issues") = py::none(),
            py::arg("total_teachers") = new_defaults.total_teachers, py::arg("additional_notes") = py::none(),
            "Creates a cluster of teachers that modules are adapted for.\n"
            "\n"
            "Args:\n"
            "    name: unique name of the cluster.\n"
            "    region_type: e.g. \"Tribal Belt\", \"Urban\", \"Rural\".\n"
            "    language: the teachers' and students' language (\"Hindi\").\n"
            "    infrastructure_constraints: \"Low\", \"Medium\", \"High\" or a description.\n"
            "    key_issues: free text or None.\n"
            "    total_teachers: >= 1.\n"
            "    additional_notes: free text or None.\n"
            "\n"
            "Returns:\n"
            "    Cluster\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a field is missing or out of range (field names it).\n"
            "    ConflictError: the name is taken.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "create_from_dict",
            [](ClusterEngine& e, py::handle body) {
                // The HTTP parser, so Python accepts exactly what POST /api/clusters/ accepts.
                const NewCluster input = unwrap(new_cluster_from_json(json_from_py(body)));
                return unwrap(without_gil([&] { return e.create(input, python_actor()); }));
            },
            py::arg("body"),
            "create() from a request body, exactly as POST /api/clusters/ accepts it.\n"
            "\n"
            "Args:\n"
            "    body: dict with the wire keys or the DB names (geographic_type, primary_language...).\n"
            "\n"
            "Returns:\n"
            "    Cluster\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a field is missing or malformed.\n"
            "    TypeError: body is not JSON-like.\n"
            "    ConflictError: the name is taken.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "get",
            [](ClusterEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.get(id); })); },
            py::arg("id"),
            "One cluster.\n"
            "\n"
            "Args:\n"
            "    id: the cluster id.\n"
            "\n"
            "Returns:\n"
            "    Cluster\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list",
            [](ClusterEngine& e, std::int64_t skip, std::int64_t limit,
               std::optional<std::int64_t> hidden_for_user) {
                const ClusterQuery query{Page{skip, limit}, hidden_for_user};
                return unwrap(without_gil([&] { return e.list(query); }));
            },
            py::arg("skip") = page.skip, py::arg("limit") = page.limit,
            py::arg("hidden_for_user") = py::none(),
            "Clusters, pinned first, then newest first.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "    hidden_for_user: leave out the clusters this user hid; None = all.\n"
            "\n"
            "Returns:\n"
            "    list[Cluster]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "count", [](ClusterEngine& e) { return unwrap(without_gil([&] { return e.count(); })); },
            "How many clusters there are.\n"
            "\n"
            "Returns:\n"
            "    int\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "update",
            [](ClusterEngine& e, std::int64_t id, const py::kwargs& fields) {
                // Through the HTTP patch parser: only the given keys change, None clears a nullable
                // field and is refused for a required one.
                const ClusterPatch patch = unwrap(cluster_patch_from_json(json_from_py(fields)));
                return unwrap(without_gil([&] { return e.update(id, patch, python_actor()); }));
            },
            py::arg("id"),
            "Changes only the given fields (wire or DB names; unknown keys are ignored).\n"
            "\n"
            "Args:\n"
            "    id: the cluster.\n"
            "    **fields: name=..., key_issues=None (clears it)...\n"
            "\n"
            "Returns:\n"
            "    Cluster: as updated.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    InvalidArgumentError: a value is malformed or a required field is set to None.\n"
            "    ConflictError: the new name is taken.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "delete",
            [](ClusterEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove(id, python_actor()); }));
            },
            py::arg("id"),
            "Deletes the cluster and everything adapted for it (modules, their exports and feedback).\n"
            "\n"
            "Args:\n"
            "    id: the cluster.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "remove_as",
            [](ClusterEngine& e, std::int64_t id, const User& user) {
                return unwrap(without_gil([&] { return e.remove_as(id, user, python_actor()); }));
            },
            py::arg("id"), py::arg("user"),
            "What DELETE /api/clusters/{id} does for this user: teachers and viewers hide the cluster from "
            "their own list, higher roles delete it.\n"
            "\n"
            "Args:\n"
            "    id: the cluster.\n"
            "    user: who asks (a User).\n"
            "\n"
            "Returns:\n"
            "    ClusterRemoval: deleted or hidden.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "toggle_pin",
            [](ClusterEngine& e, std::int64_t id) {
                return unwrap(without_gil([&] { return e.toggle_pin(id, python_actor()); }));
            },
            py::arg("id"),
            "Pins or unpins a cluster (pinned ones list first).\n"
            "\n"
            "Args:\n"
            "    id: the cluster.\n"
            "\n"
            "Returns:\n"
            "    Cluster: with the new pinned value.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace

void bind_clusters(py::module_& m) {
    bind_values(m);
    bind_engine(m);
}

} // namespace shiksha::python
