// shiksha.DeliveryEngine: WhatsApp sharing with an outbox, contacts and delivery reports.
#include "bindings.hpp"

#include "shiksha/delivery.hpp"

#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

void bind_delivery(py::module_& m) {
    m.def(
        "normalize_phone",
        [](const std::string& text, const std::string& extra_country_codes) {
            return unwrap(normalize_phone(text, extra_country_codes));
        },
        py::arg("text"), py::arg("extra_country_codes") = "",
        "'+919876543210' from the usual written forms of an Indian mobile; InvalidArgumentError otherwise.");

    py::class_<Contact>(m, "Contact", "A teacher of a cluster, reachable on WhatsApp.")
        .def_readonly("id", &Contact::id)
        .def_readonly("cluster_id", &Contact::cluster_id)
        .def_readonly("name", &Contact::name)
        .def_readonly("phone", &Contact::phone)
        .def_readonly("language", &Contact::language)
        .def_readonly("opted_in", &Contact::opted_in)
        .def("to_dict", [](const Contact& c) { return py_from_json(to_json(c)); })
        .def("__repr__", [](const Contact& c) { return "Contact(" + c.name + ", " + c.phone + ")"; });

    py::class_<Delivery>(m, "Delivery", "One message to one recipient.")
        .def_readonly("id", &Delivery::id)
        .def_readonly("module_id", &Delivery::module_id)
        .def_readonly("phone", &Delivery::phone)
        .def_readonly("name", &Delivery::name)
        .def_readonly("gateway", &Delivery::gateway)
        .def_readonly("status", &Delivery::status)
        .def_readonly("message_ids", &Delivery::message_ids)
        .def_readonly("attempts", &Delivery::attempts)
        .def_readonly("last_error", &Delivery::last_error)
        .def_readonly("link", &Delivery::link)
        .def("to_dict", [](const Delivery& d) { return py_from_json(to_json(d)); })
        .def("__repr__", [](const Delivery& d) { return "Delivery(" + d.phone + ", " + d.status + ")"; });

    py::class_<ShareResult>(m, "ShareResult")
        .def_readonly("deliveries", &ShareResult::deliveries)
        .def_property_readonly("rejected",
                               [](const ShareResult& r) {
                                   std::vector<std::pair<std::string, std::string>> out;
                                   for (const auto& x : r.rejected)
                                       out.emplace_back(x.input, x.error);
                                   return out;
                               })
        .def_readonly("queued", &ShareResult::queued)
        .def_readonly("reused", &ShareResult::reused)
        .def_readonly("accepted", &ShareResult::accepted, "messages a gateway accepted when answering")
        .def_readonly("failed", &ShareResult::failed, "messages that failed for good when answering")
        .def_readonly("pending", &ShareResult::pending, "messages still waiting for the gateway")
        .def_readonly("export_id", &ShareResult::export_id)
        .def_readonly("pdf_url", &ShareResult::pdf_url);

    py::class_<DeliveryReport>(m, "DeliveryReport")
        .def_readonly("module_id", &DeliveryReport::module_id)
        .def_readonly("counts", &DeliveryReport::counts)
        .def_readonly("deliveries", &DeliveryReport::deliveries)
        .def("to_dict", [](const DeliveryReport& r) { return py_from_json(to_json(r)); });

    py::class_<ContactImport>(m, "ContactImport", "What a contacts CSV import did.")
        .def_readonly("added", &ContactImport::added)
        .def_readonly("updated", &ContactImport::updated, "same phone already in the cluster: replaced")
        .def_property_readonly(
            "problems",
            [](const ContactImport& r) {
                std::vector<std::pair<int, std::string>> out;
                for (const auto& p : r.problems)
                    out.emplace_back(p.line, p.message);
                return out;
            },
            "(line, message) of each refused CSV line (1-based, header = 1)");

    py::class_<DeliveryEngine>(m, "DeliveryEngine", "Obtained as Platform.delivery.")
        .def(
            "share_whatsapp",
            [](DeliveryEngine& e, std::int64_t module_id, std::optional<std::int64_t> cluster_id,
               std::vector<std::string> recipient_numbers, bool include_pdf,
               std::optional<std::string> custom_message, std::optional<std::string> language, bool resend) {
                ShareRequest req{module_id,
                                 cluster_id,
                                 std::move(recipient_numbers),
                                 include_pdf,
                                 std::move(custom_message),
                                 std::move(language),
                                 resend};
                return unwrap(without_gil([&] { return e.share_whatsapp(req, python_actor()); }));
            },
            py::arg("module_id"), py::kw_only(), py::arg("cluster_id") = py::none(),
            py::arg("recipient_numbers") = std::vector<std::string>{}, py::arg("include_pdf") = true,
            py::arg("custom_message") = py::none(), py::arg("language") = py::none(),
            py::arg("resend") = false,
            "Shares a module on WhatsApp: validates the numbers, adds the cluster's opted-in contacts, "
            "exports the PDF once and queues one message per recipient (deep links at once with the deeplink "
            "gateway). Sharing the same content again reports the existing messages.\n"
            "\n"
            "Args:\n"
            "    module_id: the module.\n"
            "    cluster_id: also send to this cluster's opted-in contacts.\n"
            "    recipient_numbers: phone numbers in any usual written form.\n"
            "    include_pdf: attach the module's PDF.\n"
            "    custom_message: replaces the default text.\n"
            "    language: of the PDF; None = the module's.\n"
            "    resend: send again what was shared before.\n"
            "\n"
            "Returns:\n"
            "    ShareResult: deliveries, rejected (input, error) pairs, queued, reused, pdf_url.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module or cluster.\n"
            "    InvalidArgumentError: no valid recipient at all.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "report",
            [](DeliveryEngine& e, std::int64_t module_id) {
                return unwrap(without_gil([&] { return e.report(module_id); }));
            },
            py::arg("module_id"),
            "A module's deliveries and their counts per status.\n"
            "\n"
            "Args:\n"
            "    module_id: the module.\n"
            "\n"
            "Returns:\n"
            "    DeliveryReport: counts (pending, in_flight, sent, delivered, read, failed, manual) and "
            "deliveries.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "get",
            [](DeliveryEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.get(id); })); },
            py::arg("id"),
            "One delivery.\n"
            "\n"
            "Args:\n"
            "    id: the delivery id.\n"
            "\n"
            "Returns:\n"
            "    Delivery\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such delivery.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "wait_idle",
            [](DeliveryEngine& e, std::int64_t module_id, double timeout) {
                unwrap(without_gil([&] {
                    return e.wait_idle(module_id,
                                       std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000)));
                }));
            },
            py::arg("module_id") = 0, py::arg("timeout") = 60.0,
            "Blocks (GIL released) until nothing of the module is pending or in flight.\n"
            "\n"
            "Args:\n"
            "    module_id: the module; 0 = every module.\n"
            "    timeout: seconds.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    DeadlineExceededError: still busy after `timeout`.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "contacts",
            [](DeliveryEngine& e, std::int64_t cluster_id) {
                return unwrap(without_gil([&] { return e.contacts(cluster_id); }));
            },
            py::arg("cluster_id"),
            "A cluster's teachers reachable on WhatsApp.\n"
            "\n"
            "Args:\n"
            "    cluster_id: the cluster.\n"
            "\n"
            "Returns:\n"
            "    list[Contact]\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "add_contact",
            [](DeliveryEngine& e, std::int64_t cluster_id, std::string name, std::string phone,
               std::string language, bool opted_in) {
                NewContact c{std::move(name), std::move(phone), std::move(language), opted_in};
                return unwrap(without_gil([&] { return e.add_contact(cluster_id, c, python_actor()); }));
            },
            py::arg("cluster_id"), py::arg("name"), py::arg("phone"), py::arg("language") = "",
            py::arg("opted_in") = true,
            "Adds a teacher to a cluster (the phone is stored as E.164).\n"
            "\n"
            "Args:\n"
            "    cluster_id: the cluster.\n"
            "    name: the teacher's name.\n"
            "    phone: any usual written form.\n"
            "    language: preferred language key, or \"\".\n"
            "    opted_in: may be messaged.\n"
            "\n"
            "Returns:\n"
            "    Contact\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    InvalidArgumentError: bad phone or name.\n"
            "    ConflictError: the phone is already in the cluster.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "update_contact",
            [](DeliveryEngine& e, std::int64_t id, std::optional<std::string> name,
               std::optional<std::string> phone, std::optional<std::string> language,
               std::optional<bool> opted_in) {
                ContactPatch p{std::move(name), std::move(phone), std::move(language), opted_in};
                return unwrap(without_gil([&] { return e.update_contact(id, p, python_actor()); }));
            },
            py::arg("id"), py::kw_only(), py::arg("name") = py::none(), py::arg("phone") = py::none(),
            py::arg("language") = py::none(), py::arg("opted_in") = py::none(),
            "Changes the given fields of a contact.\n"
            "\n"
            "Args:\n"
            "    id: the contact.\n"
            "    name: new name or None.\n"
            "    phone: new phone or None.\n"
            "    language: new language or None.\n"
            "    opted_in: new opt-in or None.\n"
            "\n"
            "Returns:\n"
            "    Contact\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such contact.\n"
            "    InvalidArgumentError: bad phone or name.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "delete_contact",
            [](DeliveryEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove_contact(id, python_actor()); }));
            },
            py::arg("id"),
            "Deletes a contact.\n"
            "\n"
            "Args:\n"
            "    id: the contact.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such contact.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "import_contacts_csv",
            [](DeliveryEngine& e, std::int64_t cluster_id, const std::string& csv) {
                return unwrap(
                    without_gil([&] { return e.import_contacts_csv(cluster_id, csv, python_actor()); }));
            },
            py::arg("cluster_id"), py::arg("csv"),
            "Imports contacts from CSV; bad lines are reported, the rest imported.\n"
            "\n"
            "Args:\n"
            "    cluster_id: the cluster.\n"
            "    csv: text with a header: name, phone[, language, opted_in].\n"
            "\n"
            "Returns:\n"
            "    ContactImport: added, updated, problems as (line, message).\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such cluster.\n"
            "    InvalidArgumentError: no usable header.\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace shiksha::python
