#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace shiksha::server {

namespace {

/// `attachment` or `inline` with the file name; export names are ASCII-safe by construction,
/// manual names are quoted with '"' and '\' escaped and a UTF-8 `filename*` added.
std::string content_disposition(std::string_view kind, std::string_view filename) {
    std::string quoted;
    bool ascii = true;
    for (unsigned char c : filename) {
        if (c >= 0x80 || c < 0x20) {
            ascii = false;
            quoted.push_back('_');
            continue;
        }
        if (c == '"' || c == '\\') quoted.push_back('\\');
        quoted.push_back(static_cast<char>(c));
    }
    std::string header = fmt::format("{}; filename=\"{}\"", kind, quoted);
    if (!ascii) {
        header += "; filename*=UTF-8''";
        for (unsigned char c : filename) {
            const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '.' || c == '-' || c == '_';
            header += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
        }
    }
    return header;
}

Response pdf_response(std::string bytes, std::string_view kind, std::string_view filename) {
    Response r;
    r.status = 200;
    r.body = std::move(bytes);
    r.set_header("Content-Type", "application/pdf");
    r.set_header("Content-Disposition", content_disposition(kind, filename));
    r.set_header("Cache-Control", "private, no-store");
    return r;
}

Result<bool> bool_field(const Json& body, std::string_view key, bool fallback) {
    const Json* v = body.is_object() ? body.find(key) : nullptr;
    if (!v || v->is_null()) return fallback;
    if (!v->is_bool())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid boolean", key));
    return v->as_bool();
}

Result<std::optional<std::string>> string_field(const Json& body, std::string_view key) {
    const Json* v = body.is_object() ? body.find(key) : nullptr;
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid string", key));
    return std::optional<std::string>{v->as_string()};
}

/// The requirement's body: {include_original, include_comparison, page_size, language}, all
/// optional. `include_comparison` prints English and the language side by side.
Result<PdfOptions> pdf_options(const Json& body) {
    if (!body.is_null() && !body.is_object()) return fail_field("body", "body: expected a JSON object");
    PdfOptions options;
    auto original = bool_field(body, "include_original", false);
    if (!original) return std::unexpected(original.error());
    auto comparison = bool_field(body, "include_comparison", false);
    if (!comparison) return std::unexpected(comparison.error());
    auto size = string_field(body, "page_size");
    if (!size) return std::unexpected(size.error());
    auto language = string_field(body, "language");
    if (!language) return std::unexpected(language.error());
    options.include_original = *original;
    options.bilingual = options.side_by_side = *comparison;
    if (*size) options.page_size = **size;
    options.language = *language;
    return options;
}

/// The contract's wording for an unknown module on the export routes.
Error module_error(Error e) {
    if (e.code == ErrorCode::not_found && e.field.empty()) e.message = "Module not found";
    return e;
}

/// The {filename} path parameter ("" when absent: no export has that name).
std::string filename_param(const RouteContext& ctx) {
    auto name = std::ranges::find_if(ctx.params, [](const auto& p) { return p.first == "filename"; });
    return name == ctx.params.end() ? std::string() : name->second;
}

Result<Response> download_by_name(RouteContext& ctx) {
    auto file = ctx.platform.exports().by_filename(filename_param(ctx));
    if (!file) return std::unexpected(file.error());
    auto got = ctx.platform.exports().download(file->id);
    if (!got) return std::unexpected(got.error());
    return pdf_response(std::move(got->second), "attachment", got->first.filename);
}

} // namespace

void add_export_routes(Router& router) {
    router.add({Method::post, "/modules/{id}/export/pdf", Access::at_least(Role::teacher),
                Body::optional_json,
                "Export a module as PDF: {include_original?, include_comparison?, page_size? (A4|Letter), "
                "language?} → {success, pdf_url (a path), file_size, filename, generated_at, download_url "
                "(absolute, when the public base is known), pdf_id, export}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto options = pdf_options(ctx.body);
                    if (!options) return std::unexpected(options.error());
                    // Links printed in the PDF point where this request reached us.
                    const auto base = ctx.public_base();
                    options->public_url = base;
                    auto file = ctx.platform.exports().module_pdf(*id, *options, ctx.actor);
                    if (!file) return std::unexpected(module_error(file.error()));
                    const std::string path = "/api/files/download/" + file->filename;
                    Json body = Json::object({{"success", true},
                                              {"pdf_url", path},
                                              {"download_url", base.empty() ? Json() : Json(base + path)},
                                              {"file_size", file->size_bytes},
                                              {"filename", file->filename},
                                              {"generated_at", format_timestamp(file->created_at)},
                                              {"pdf_id", file->id},
                                              {"export", to_json(*file)}});
                    return json_response(200, body);
                },
                Mount::api, "exports"});

    router.add({Method::post, "/exports/module-pdf", Access::at_least(Role::teacher), Body::none,
                "Export a module as PDF (original frontend): ?module_id= → {status, pdf_id, message}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.query_int("module_id", 1, std::numeric_limits<std::int64_t>::max());
                    if (!id) return std::unexpected(id.error());
                    if (!*id) return fail_field("module_id", "module_id: Field required");
                    auto file = ctx.platform.exports().module_pdf(**id, {}, ctx.actor);
                    if (!file) return std::unexpected(module_error(file.error()));
                    return json_response(200, Json::object({{"status", "success"},
                                                            {"pdf_id", file->id},
                                                            {"message", "PDF exported successfully"}}));
                },
                Mount::api, "exports"});

    router.add({Method::get, "/exports", Access::at_least(Role::viewer), Body::none,
                "Unexpired exports, newest first; ?module_id= filters",
                [](RouteContext& ctx) -> Result<Response> {
                    auto module = ctx.query_int("module_id", 1, std::numeric_limits<std::int64_t>::max());
                    if (!module) return std::unexpected(module.error());
                    auto files = ctx.platform.exports().list(*module);
                    if (!files) return std::unexpected(files.error());
                    Json out = Json::array();
                    for (const auto& f : *files)
                        out.push_back(to_json(f));
                    return json_response(200, out);
                },
                Mount::api, "exports"});

    router.add({Method::get, "/exports/download/{pdf_id}", Access::at_least(Role::viewer), Body::none,
                "Download an exported PDF (attachment)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("pdf_id");
                    if (!id) return std::unexpected(id.error());
                    auto got = ctx.platform.exports().download(*id);
                    if (!got) return std::unexpected(got.error());
                    return pdf_response(std::move(got->second), "attachment", got->first.filename);
                },
                Mount::api, "exports"});

    router.add({Method::del, "/exports/{pdf_id}", Access::at_least(Role::admin), Body::none,
                "Delete an exported PDF and its file",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("pdf_id");
                    if (!id) return std::unexpected(id.error());
                    if (auto ok = ctx.platform.exports().remove(*id, ctx.actor); !ok)
                        return std::unexpected(ok.error());
                    return json_response(
                        200, Json::object({{"status", "success"}, {"message", "PDF deleted by admin"}}));
                },
                Mount::api, "exports"});

    router.add({Method::get, "/files/download/{filename}", Access::at_least(Role::viewer), Body::none,
                "Download an exported PDF by file name (the pdf_url of an export); 404 once expired",
                download_by_name, Mount::api, "exports"});
    // The original server served the export folder statically at /exports/<filename>.
    router.add({Method::get, "/exports/{filename}", Access::at_least(Role::viewer), Body::none,
                "Download an exported PDF by file name (static path of the original server)",
                download_by_name, Mount::root, "exports"});

    // Gateways (Twilio's MediaUrl) and teachers fetch this without a login: the signature is the
    // permission, and it expires with the export.
    router.add(
        {Method::get, "/files/shared/{filename}", Access::anyone(), Body::none,
         "An exported PDF through a signed public link (?expires=&sig=), as sent to teachers and gateways",
         [](RouteContext& ctx) -> Result<Response> {
             auto got = ctx.platform.exports().download_shared(
                 filename_param(ctx), ctx.query("expires").value_or(""), ctx.query("sig").value_or(""));
             if (!got) return std::unexpected(got.error());
             return pdf_response(std::move(got->second), "attachment", got->first.filename);
         },
         Mount::api, "exports"});

    router.add({Method::get, "/manuals/{id}/file", Access::at_least(Role::viewer), Body::none,
                "The manual's PDF (inline; citations in exported PDFs link here with #page=N)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto manual = ctx.platform.manuals().get(*id);
                    if (!manual) return std::unexpected(manual.error());
                    auto bytes = ctx.platform.manuals().file(*id);
                    if (!bytes) return std::unexpected(bytes.error());
                    return pdf_response(std::move(*bytes), "inline", manual->filename);
                },
                Mount::api, "manuals"});
}

} // namespace shiksha::server
