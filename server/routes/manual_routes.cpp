#include "http/errors.hpp"
#include "http/multipart.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <cctype>

namespace shiksha::server {

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

bool ends_with_pdf(std::string_view name) {
    return name.size() >= 4 && iequals_prefix(name.substr(name.size() - 4), ".pdf");
}

struct UploadedFile {
    std::string filename;
    std::string bytes;
};

/// The PDF from a multipart/form-data body (field `file`, as the original frontend sends) or
/// from a raw application/pdf body.
Result<UploadedFile> uploaded_file(const RouteContext& ctx) {
    const auto type = ctx.request.header("Content-Type").value_or("");
    if (iequals_prefix(type, "multipart/form-data")) {
        MultipartLimits limits;
        limits.max_parts = 8;
        limits.max_part_bytes = ctx.platform.config().ingest.max_pdf_bytes;
        limits.max_total_bytes = ctx.platform.config().server.max_body_bytes;
        auto parts = parse_multipart(type, ctx.request.body, limits);
        if (!parts) {
            return fail_field("body", fmt::format("Malformed multipart body: {}", parts.error().message));
        }
        for (auto& part : *parts) {
            if (part.headers.name != "file") continue;
            std::string name = part.headers.filename.value_or("manual.pdf");
            if (!ends_with_pdf(name)) return fail_field("file", "Only PDF files are allowed");
            return UploadedFile{std::move(name), std::move(part.data)};
        }
        return fail_field("file", "file: Field required");
    }
    if (iequals_prefix(type, "application/pdf") || iequals_prefix(type, "application/octet-stream")) {
        std::string name(ctx.query("filename").value_or("manual.pdf"));
        if (!ends_with_pdf(name)) return fail_field("filename", "Only PDF files are allowed");
        return UploadedFile{std::move(name), ctx.request.body};
    }
    return fail_field("file",
                      "Send the PDF as multipart/form-data (field `file`) or as an application/pdf body");
}

Result<std::int64_t> manual_id(const RouteContext& ctx) {
    return ctx.path_id("id");
}

} // namespace

void add_manual_routes(Router& router, const RouteDeps& deps) {
    // Uploads are authenticated unless the deployment admits the original frontend, which
    // sends none (SHIKSHA_ALLOW_ANONYMOUS_UPLOAD): then they are throttled per address and the
    // audit log marks them anonymous.
    const bool anonymous = deps.anonymous_upload_limiter != nullptr;
    router.add(
        {Method::post, "/manuals/upload", anonymous ? Access::anyone() : Access::at_least(Role::coordinator),
         Body::none, "Upload a PDF manual (multipart field `file`, or an application/pdf body); ?title=",
         [limiter = deps.anonymous_upload_limiter](RouteContext& ctx) -> Result<Response> {
             auto title = ctx.require_query("title");
             if (!title) return std::unexpected(title.error());
             if (limiter && !ctx.session) {
                 if (auto wait = limiter->acquire(ctx.request.remote); wait.count() > 0) {
                     return too_many_requests(wait, "anonymous uploads");
                 }
             }
             auto file = uploaded_file(ctx);
             if (!file) return std::unexpected(file.error());
             auto result = ctx.platform.manuals().upload(std::move(file->bytes),
                                                         {std::string(*title), file->filename}, ctx.actor);
             if (!result) return std::unexpected(result.error());
             Json body = to_json(result->manual);
             body["processed"] = result->manual.indexed ? "completed" : "pending";
             body["duplicate"] = result->duplicate;
             return json_response(result->duplicate ? 200 : 201, body);
         },
         Mount::api, "manuals"});

    router.add({Method::get, "/manuals", Access::at_least(Role::viewer), Body::none,
                "List manuals, pinned first then newest",
                [](RouteContext& ctx) -> Result<Response> {
                    auto skip = ctx.query_int("skip", 0, INT32_MAX);
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto manuals = ctx.platform.manuals().list({skip->value_or(0), limit->value_or(100)});
                    if (!manuals) return std::unexpected(manuals.error());
                    Json out = Json::array();
                    for (const auto& m : *manuals)
                        out.push_back(to_json(m));
                    return json_response(200, out);
                },
                Mount::api, "manuals"});

    router.add({Method::get, "/manuals/{id}", Access::at_least(Role::viewer), Body::none, "One manual",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    auto m = ctx.platform.manuals().get(*id);
                    if (!m) return std::unexpected(m.error());
                    return json_response(200, to_json(*m));
                },
                Mount::api, "manuals"});

    router.add({Method::del, "/manuals/{id}", Access::at_least(Role::coordinator), Body::none,
                "Delete a manual with its file, pages, chunks and vectors",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    if (auto ok = ctx.platform.manuals().remove(*id, ctx.actor); !ok)
                        return std::unexpected(ok.error());
                    return empty_response(204);
                },
                Mount::api, "manuals"});

    router.add({Method::patch, "/manuals/{id}/pin", Access::at_least(Role::teacher), Body::none,
                "Toggle pinned",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    auto m = ctx.platform.manuals().toggle_pin(*id, ctx.actor);
                    if (!m) return std::unexpected(m.error());
                    return json_response(200, to_json(*m));
                },
                Mount::api, "manuals"});

    router.add({Method::post, "/manuals/{id}/index", Access::at_least(Role::coordinator), Body::none,
                "Index a manual: 200 with the indexed Manual (synchronous, as the contract says, like "
                "generate); ?async=true answers 202 with a job to poll at /api/jobs/{job_id}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    auto async = ctx.query_bool("async");
                    if (!async) return std::unexpected(async.error());
                    // ?wait=true was the synchronous spelling before it became the default.
                    auto wait = ctx.query_bool("wait");
                    if (!wait) return std::unexpected(wait.error());
                    if (!async->value_or(false) || wait->value_or(false)) {
                        // Already on a worker thread: index here rather than park this thread on a job.
                        auto report = ctx.platform.manuals().index(*id, {}, ctx.actor);
                        if (!report) return std::unexpected(report.error());
                        Json body = to_json(report->manual);
                        body["processed"] = "completed";
                        body["ocr_pages"] = report->ocr_pages;
                        return json_response(200, body);
                    }
                    auto job = ctx.platform.manuals().index_async(*id, ctx.actor);
                    if (!job) return std::unexpected(job.error());
                    auto manual = ctx.platform.manuals().get(*id);
                    Json body = Json::object({{"job_id", job->id},
                                              {"status_url", "/api/jobs/" + job->id},
                                              {"job", to_json(*job)},
                                              {"manual", manual ? to_json(*manual) : Json()}});
                    Response r = json_response(202, body);
                    r.set_header("Location", "/api/jobs/" + job->id);
                    return r;
                },
                Mount::api, "manuals"});

    router.add({Method::get, "/manuals/{id}/chunks", Access::at_least(Role::viewer), Body::none,
                "A manual's chunks in order: ?offset=&limit=",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    auto offset = ctx.query_int("offset", 0, INT32_MAX);
                    if (!offset) return std::unexpected(offset.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto chunks =
                        ctx.platform.manuals().chunks(*id, offset->value_or(0), limit->value_or(50));
                    if (!chunks) return std::unexpected(chunks.error());
                    Json out = Json::array();
                    for (const auto& c : *chunks)
                        out.push_back(to_json(c));
                    return json_response(200, out);
                },
                Mount::api, "manuals"});

    router.add({Method::get, "/manuals/{id}/pages", Access::at_least(Role::viewer), Body::none,
                "What indexing did with each page (text layer, OCR, why)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = manual_id(ctx);
                    if (!id) return std::unexpected(id.error());
                    auto pages = ctx.platform.manuals().pages(*id);
                    if (!pages) return std::unexpected(pages.error());
                    Json out = Json::array();
                    for (const auto& p : *pages)
                        out.push_back(to_json(p));
                    return json_response(200, out);
                },
                Mount::api, "manuals"});

    router.add({Method::post, "/search", Access::at_least(Role::viewer), Body::json,
                "Hybrid search: {query, manual_ids?, k?, section?, mode?: hybrid|lexical|vector}",
                [](RouteContext& ctx) -> Result<Response> {
                    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
                    SearchRequest req;
                    const Json* q = ctx.body.find("query");
                    if (!q || q->is_null()) return fail_field("query", "query: Field required");
                    if (!q->is_string()) return fail_field("query", "query: Input should be a valid string");
                    req.query = q->as_string();
                    if (const Json* ids = ctx.body.find("manual_ids"); ids && !ids->is_null()) {
                        if (!ids->is_array())
                            return fail_field("manual_ids", "manual_ids: Input should be a valid list");
                        for (const auto& v : ids->as_array()) {
                            if (!v.is_int())
                                return fail_field("manual_ids", "manual_ids: items must be integers");
                            req.manual_ids.push_back(v.as_int());
                        }
                    }
                    if (const Json* k = ctx.body.find("k"); k && !k->is_null()) {
                        if (!k->is_int()) return fail_field("k", "k: Input should be a valid integer");
                        if (k->as_int() < 1 || k->as_int() > 50)
                            return fail_field("k", "k: must be between 1 and 50");
                        req.k = static_cast<std::size_t>(k->as_int());
                    }
                    if (const Json* s = ctx.body.find("section"); s && !s->is_null()) {
                        if (!s->is_string())
                            return fail_field("section", "section: Input should be a valid string");
                        req.section = s->as_string();
                    }
                    if (const Json* m = ctx.body.find("mode"); m && !m->is_null()) {
                        auto mode = parse_search_mode(m->is_string() ? m->as_string() : "");
                        if (!mode) return std::unexpected(mode.error());
                        req.mode = *mode;
                    }
                    auto result = ctx.platform.retrieval().search(req);
                    if (!result) return std::unexpected(result.error());
                    Json body = to_json(*result);
                    body["query"] = req.query;
                    body["mode"] = to_string(req.mode);
                    return json_response(200, body);
                },
                Mount::api, "search"});
}

} // namespace shiksha::server
