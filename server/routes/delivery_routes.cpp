#include "http/errors.hpp"
#include "http/multipart.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

namespace shiksha::server {

namespace {

Result<std::optional<std::int64_t>> optional_int(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return std::optional<std::int64_t>{};
    if (!v->is_int())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid integer", key));
    return std::optional<std::int64_t>{v->as_int()};
}

Result<std::optional<std::string>> optional_string(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid string", key));
    return std::optional<std::string>{v->as_string()};
}

Result<std::optional<bool>> optional_bool(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return std::optional<bool>{};
    if (!v->is_bool())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid boolean", key));
    return std::optional<bool>{v->as_bool()};
}

/// The requirement's body: {cluster_id?, recipient_numbers?, include_pdf?, custom_message?,
/// language?, resend?}.
Result<ShareRequest> share_request(std::int64_t module_id, const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    ShareRequest req;
    req.module_id = module_id;
    auto cluster = optional_int(body, "cluster_id");
    if (!cluster) return std::unexpected(cluster.error());
    req.cluster_id = *cluster;
    if (const Json* numbers = body.find("recipient_numbers"); numbers && !numbers->is_null()) {
        if (!numbers->is_array())
            return fail_field("recipient_numbers", "recipient_numbers: Input should be a valid list");
        for (const auto& n : numbers->as_array()) {
            if (!n.is_string())
                return fail_field("recipient_numbers", "recipient_numbers: every item should be a string");
            req.recipient_numbers.push_back(n.as_string());
        }
    }
    auto include_pdf = optional_bool(body, "include_pdf");
    if (!include_pdf) return std::unexpected(include_pdf.error());
    req.include_pdf = include_pdf->value_or(true);
    auto resend = optional_bool(body, "resend");
    if (!resend) return std::unexpected(resend.error());
    req.resend = resend->value_or(false);
    auto message = optional_string(body, "custom_message");
    if (!message) return std::unexpected(message.error());
    req.custom_message = *message;
    auto language = optional_string(body, "language");
    if (!language) return std::unexpected(language.error());
    req.language = *language;
    return req;
}

/// The requirement's answer: one delivery_status entry per requested number (a rejected one as
/// status "failed" with its error), pdf_attachment the file name; ours beside it.
Json share_json(const ShareResult& r) {
    Json statuses = Json::array();
    int manual = 0;
    for (const auto& d : r.deliveries) {
        if (d.status == "manual") ++manual;
        statuses.push_back(
            Json::object({{"phone", d.phone},
                          {"status", d.status},
                          {"message_id", d.message_ids.empty() ? Json() : Json(d.message_ids.front())},
                          {"error", d.last_error.empty() ? Json() : Json(d.last_error)},
                          {"delivery_id", d.id},
                          {"link", d.link.empty() ? Json() : Json(d.link)}}));
    }
    Json rejected = Json::array();
    for (const auto& x : r.rejected) {
        statuses.push_back(Json::object({{"phone", x.input},
                                         {"status", "failed"},
                                         {"message_id", Json()},
                                         {"error", x.error},
                                         {"delivery_id", Json()},
                                         {"link", Json()}}));
        rejected.push_back(Json::object({{"phone", x.input}, {"error", x.error}}));
    }
    const bool absolute = r.pdf_url.starts_with("http://") || r.pdf_url.starts_with("https://");
    const auto api_at = r.pdf_url.find("/api/");
    const std::string pdf_path = api_at == std::string::npos ? r.pdf_url : r.pdf_url.substr(api_at);
    return Json::object(
        {{"success", !r.deliveries.empty() && r.failed < static_cast<int>(r.deliveries.size())},
         {"messages_sent", r.accepted},
         {"delivery_status", std::move(statuses)},
         {"pdf_attachment", r.export_id ? Json(r.pdf_filename) : Json()},
         {"queued", r.pending},
         {"failed", r.failed + static_cast<int>(r.rejected.size())},
         {"manual", manual},
         {"new_messages", r.queued},
         {"already_shared", r.reused},
         {"rejected", std::move(rejected)},
         {"pdf", r.export_id ? Json::object({{"pdf_id", *r.export_id},
                                             {"filename", r.pdf_filename},
                                             {"url", absolute ? Json(r.pdf_url) : Json()},
                                             {"path", pdf_path}})
                             : Json()}});
}

Result<ContactPatch> contact_patch(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    ContactPatch p;
    for (auto [key, target] :
         {std::pair{"name", &p.name}, std::pair{"phone", &p.phone}, std::pair{"language", &p.language}}) {
        auto v = optional_string(body, key);
        if (!v) return std::unexpected(v.error());
        *target = *v;
    }
    auto opted = optional_bool(body, "opted_in");
    if (!opted) return std::unexpected(opted.error());
    p.opted_in = *opted;
    return p;
}

/// The CSV from a text/csv body or a multipart part `file`.
Result<std::string> csv_body(const RouteContext& ctx) {
    const auto type = ctx.request.header("Content-Type").value_or("");
    if (type.starts_with("multipart/form-data")) {
        MultipartLimits limits;
        limits.max_parts = 4;
        limits.max_total_bytes = ctx.platform.config().server.max_body_bytes;
        auto parts = parse_multipart(type, ctx.request.body, limits);
        if (!parts)
            return fail_field("body", fmt::format("Malformed multipart body: {}", parts.error().message));
        for (auto& part : *parts) {
            if (part.headers.name == "file") return std::move(part.data);
        }
        return fail_field("file", "file: Field required");
    }
    if (type.starts_with("text/csv") || type.starts_with("text/plain") || type.starts_with("application/csv"))
        return ctx.request.body;
    return fail_field("file", "send the CSV as text/csv or as multipart/form-data (field `file`)");
}

Json import_json(const ContactImport& r) {
    Json problems = Json::array();
    for (const auto& p : r.problems)
        problems.push_back(Json::object({{"line", p.line}, {"error", p.message}}));
    return Json::object({{"added", r.added}, {"updated", r.updated}, {"problems", std::move(problems)}});
}

Response text_response(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.set_header("Content-Type", "text/plain; charset=utf-8");
    return r;
}

} // namespace

void add_delivery_routes(Router& router) {
    router.add(
        {Method::post, "/modules/{id}/share/whatsapp", Access::at_least(Role::coordinator), Body::json,
         "Share a module on WhatsApp: {cluster_id?, recipient_numbers?, include_pdf?, custom_message?, "
         "language?, resend?} → {success, messages_sent (accepted by the gateway), delivery_status[] (one "
         "per "
         "number: pending|sent|delivered|read|failed|manual), pdf_attachment (file name), queued, failed, "
         "rejected[], pdf}",
         [](RouteContext& ctx) -> Result<Response> {
             auto id = ctx.path_id("id");
             if (!id) return std::unexpected(id.error());
             auto req = share_request(*id, ctx.body);
             if (!req) return std::unexpected(req.error());
             req->public_url = ctx.public_base();
             // A small share waits (bounded) for the gateway's first attempt and reports it.
             const auto& server = ctx.platform.config().server;
             req->wait_first_attempt =
                 std::chrono::duration_cast<std::chrono::milliseconds>(server.share_wait);
             req->wait_max_recipients = server.share_wait_max_recipients;
             auto shared = ctx.platform.delivery().share_whatsapp(*req, ctx.actor);
             if (!shared) return std::unexpected(shared.error());
             return json_response(200, share_json(*shared));
         },
         Mount::api, "delivery"});

    router.add({Method::get, "/modules/{id}/deliveries", Access::at_least(Role::teacher), Body::none,
                "Delivery report: counts per status and one row per recipient",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto report = ctx.platform.delivery().report(*id);
                    if (!report) return std::unexpected(report.error());
                    return json_response(200, to_json(*report));
                },
                Mount::api, "delivery"});

    router.add({Method::get, "/clusters/{id}/contacts", Access::at_least(Role::teacher), Body::none,
                "The cluster's teachers on WhatsApp",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto contacts = ctx.platform.delivery().contacts(*id);
                    if (!contacts) return std::unexpected(contacts.error());
                    Json out = Json::array();
                    for (const auto& c : *contacts)
                        out.push_back(to_json(c));
                    return json_response(200, out);
                },
                Mount::api, "delivery"});

    router.add({Method::post, "/clusters/{id}/contacts", Access::at_least(Role::coordinator), Body::json,
                "Add a contact: {name, phone, language?, opted_in?}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto patch = contact_patch(ctx.body);
                    if (!patch) return std::unexpected(patch.error());
                    if (!patch->name) return fail_field("name", "name: Field required");
                    if (!patch->phone) return fail_field("phone", "phone: Field required");
                    NewContact c{*patch->name, *patch->phone, patch->language.value_or(""),
                                 patch->opted_in.value_or(true)};
                    auto added = ctx.platform.delivery().add_contact(*id, c, ctx.actor);
                    if (!added) return std::unexpected(added.error());
                    return json_response(201, to_json(*added));
                },
                Mount::api, "delivery"});

    router.add(
        {Method::post, "/clusters/{id}/contacts/import", Access::at_least(Role::coordinator), Body::none,
         "Import contacts from CSV (header: name, phone[, language, opted_in]); text/csv or multipart `file`",
         [](RouteContext& ctx) -> Result<Response> {
             auto id = ctx.path_id("id");
             if (!id) return std::unexpected(id.error());
             auto csv = csv_body(ctx);
             if (!csv) return std::unexpected(csv.error());
             auto imported = ctx.platform.delivery().import_contacts_csv(*id, *csv, ctx.actor);
             if (!imported) return std::unexpected(imported.error());
             return json_response(200, import_json(*imported));
         },
         Mount::api, "delivery"});

    router.add({Method::put, "/contacts/{id}", Access::at_least(Role::coordinator), Body::json,
                "Update a contact: {name?, phone?, language?, opted_in?}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto patch = contact_patch(ctx.body);
                    if (!patch) return std::unexpected(patch.error());
                    auto updated = ctx.platform.delivery().update_contact(*id, *patch, ctx.actor);
                    if (!updated) return std::unexpected(updated.error());
                    return json_response(200, to_json(*updated));
                },
                Mount::api, "delivery"});

    router.add({Method::del, "/contacts/{id}", Access::at_least(Role::coordinator), Body::none,
                "Delete a contact",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    if (auto ok = ctx.platform.delivery().remove_contact(*id, ctx.actor); !ok)
                        return std::unexpected(ok.error());
                    return empty_response(204);
                },
                Mount::api, "delivery"});

    // Gateways call these without our tokens; their signatures are the authentication.
    router.add({Method::get, "/webhooks/whatsapp", Access::anyone(), Body::none,
                "Meta webhook subscription handshake (hub.mode, hub.verify_token, hub.challenge)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto challenge = ctx.platform.delivery().meta_webhook_challenge(
                        ctx.query("hub.mode").value_or(""), ctx.query("hub.verify_token").value_or(""),
                        ctx.query("hub.challenge").value_or(""));
                    if (!challenge) return std::unexpected(challenge.error());
                    return text_response(200, std::move(*challenge));
                },
                Mount::api, "delivery"});

    router.add({Method::post, "/webhooks/whatsapp", Access::anyone(), Body::none,
                "Meta status webhook, signed with X-Hub-Signature-256",
                [](RouteContext& ctx) -> Result<Response> {
                    auto moved = ctx.platform.delivery().meta_webhook(
                        ctx.request.body, ctx.request.header("X-Hub-Signature-256").value_or(""));
                    if (!moved) return std::unexpected(moved.error());
                    return json_response(200, Json::object({{"status", "ok"}, {"updated", *moved}}));
                },
                Mount::api, "delivery"});

    router.add({Method::post, "/webhooks/twilio", Access::anyone(), Body::none,
                "Twilio status callback (form-encoded), signed with X-Twilio-Signature",
                [](RouteContext& ctx) -> Result<Response> {
                    std::vector<std::pair<std::string, std::string>> params;
                    if (!parse_form(ctx.request.body, params))
                        return fail_field("body", "body: malformed application/x-www-form-urlencoded data");
                    // Twilio signs the URL it was given: our public base plus the target.
                    const auto url = ctx.public_base() + ctx.request.target;
                    auto moved = ctx.platform.delivery().twilio_callback(
                        url, params, ctx.request.header("X-Twilio-Signature").value_or(""));
                    if (!moved) return std::unexpected(moved.error());
                    return json_response(200, Json::object({{"status", "ok"}, {"updated", *moved}}));
                },
                Mount::api, "delivery"});
}

} // namespace shiksha::server
