#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

namespace shiksha::server {

namespace {

Result<std::string> string_field(const Json& body, std::string_view key,
                                 std::optional<std::string> fallback = {}) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) {
        if (fallback) return *fallback;
        return fail_field(std::string(key), fmt::format("{}: Field required", key));
    }
    if (!v->is_string())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid string", key));
    return v->as_string();
}

Json stats_json(const TranslationStats& s) {
    Json providers = Json::array();
    for (const auto& p : s.providers)
        providers.push_back(p);
    return Json::object({{"segments", s.segments},
                         {"unique_segments", s.unique_segments},
                         {"memory_hits", s.memory_hits},
                         {"memory_misses", s.memory_misses},
                         {"upstream_requests", s.upstream_requests},
                         {"providers", std::move(providers)}});
}

Json term_json(const GlossaryEntry& e) {
    return Json::object({{"id", e.id},
                         {"language", e.language},
                         {"term", e.term},
                         {"translation", e.translation ? Json(*e.translation) : Json()},
                         {"keep", !e.translation.has_value()},
                         {"created_at", format_timestamp(e.created_at)},
                         {"updated_at", format_timestamp(e.updated_at)}});
}

Result<GlossaryEntry> term_from(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    GlossaryEntry e;
    auto language = string_field(body, "language");
    if (!language) return std::unexpected(language.error());
    auto term = string_field(body, "term");
    if (!term) return std::unexpected(term.error());
    e.language = *language;
    e.term = *term;
    if (const Json* t = body.find("translation"); t && !t->is_null()) {
        if (!t->is_string()) return fail_field("translation", "translation: Input should be a valid string");
        e.translation = t->as_string();
    }
    return e;
}

Result<Response> batch(RouteContext& ctx) {
    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
    const Json* texts = ctx.body.find("texts");
    if (!texts || texts->is_null()) return fail_field("texts", "texts: Field required");
    if (!texts->is_array() || texts->as_array().empty()) {
        return fail_field("texts", "texts: List should have at least 1 item");
    }
    if (texts->as_array().size() > 1000) return fail_field("texts", "texts: at most 1000 items");
    std::vector<std::string> items;
    for (const auto& t : texts->as_array()) {
        if (!t.is_string()) return fail_field("texts", "texts: items must be strings");
        items.push_back(t.as_string());
    }
    auto target = string_field(ctx.body, "target_language");
    if (!target) return std::unexpected(target.error());
    auto source = string_field(ctx.body, "source_language", "english");
    if (!source) return std::unexpected(source.error());
    auto result = ctx.platform.translation().translate_batch(items, *target, *source);
    if (!result) return std::unexpected(result.error());
    Json out = Json::array();
    for (auto& t : result->texts)
        out.push_back(std::move(t));
    return json_response(200, Json::object({{"translations", std::move(out)},
                                            {"target_language", *target},
                                            {"stats", stats_json(result->stats)}}));
}

} // namespace

void add_translation_routes(Router& router) {
    router.add({Method::post, "/translation/translate", Access::at_least(Role::viewer), Body::json,
                "Translate text: {text, target_language, source_language = english}",
                [](RouteContext& ctx) -> Result<Response> {
                    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
                    auto text = string_field(ctx.body, "text");
                    if (!text) return std::unexpected(text.error());
                    if (text->empty())
                        return fail_field("text", "text: String should have at least 1 character");
                    auto target = string_field(ctx.body, "target_language");
                    if (!target) return std::unexpected(target.error());
                    auto source = string_field(ctx.body, "source_language", "english");
                    if (!source) return std::unexpected(source.error());
                    auto r = ctx.platform.translation().translate(*text, *target, *source);
                    if (!r) return std::unexpected(r.error());
                    return json_response(200, Json::object({{"original_text", *text},
                                                            {"translated_text", r->text},
                                                            {"source_language", *source},
                                                            {"target_language", *target},
                                                            {"stats", stats_json(r->stats)}}));
                },
                Mount::api, "translation"});
    router.add({Method::post, "/translation/translate/batch", Access::at_least(Role::viewer), Body::json,
                "Translate many texts: {texts, target_language, source_language = english}", batch,
                Mount::api, "translation"});
    router.add({Method::post, "/translation/batch", Access::at_least(Role::viewer), Body::json,
                "Same as /translation/translate/batch (the requirements' path)", batch, Mount::api,
                "translation"});

    router.add({Method::get, "/translation/languages", Access::anyone(), Body::none,
                "The languages translation accepts, their codes and the provider chain",
                [](RouteContext& ctx) -> Result<Response> {
                    // The contract's order for this endpoint differs from /modules/languages.
                    static constexpr std::string_view order[] = {
                        "english",  "hindi",   "marathi",   "bengali", "telugu", "tamil",
                        "gujarati", "kannada", "malayalam", "punjabi", "urdu",   "odia"};
                    Json names = Json::array();
                    Json codes = Json::object();
                    for (auto key : order) {
                        names.push_back(key);
                        codes[key] = find_language(key)->code;
                    }
                    Json all = Json::array();
                    for (const auto& l : supported_languages()) {
                        all.push_back(Json::object({{"key", l.key},
                                                    {"code", l.code},
                                                    {"name", l.english_name},
                                                    {"native_name", l.native_name},
                                                    {"script", l.script},
                                                    {"right_to_left", l.right_to_left},
                                                    {"font_family", l.font_family}}));
                    }
                    std::string chain;
                    for (const auto& p : ctx.platform.translation().providers())
                        chain += (chain.empty() ? "" : ", ") + p;
                    return json_response(
                        200, Json::object({{"languages", std::move(names)},
                                           {"language_codes", std::move(codes)},
                                           {"model", chain.empty() ? "translation memory only" : chain},
                                           {"description", "Translation service for Indian languages"},
                                           {"registry", std::move(all)}}));
                },
                Mount::api, "translation"});

    router.add({Method::get, "/translation/glossary", Access::at_least(Role::viewer), Body::none,
                "Glossary terms: ?language= (all languages when absent)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto terms = ctx.platform.translation().terms(ctx.query("language").value_or(""));
                    if (!terms) return std::unexpected(terms.error());
                    Json out = Json::array();
                    for (const auto& t : *terms)
                        out.push_back(term_json(t));
                    return json_response(200, out);
                },
                Mount::api, "translation"});
    router.add({Method::post, "/translation/glossary", Access::at_least(Role::coordinator), Body::json,
                "Add a term: {language, term, translation?} — without a translation the term is kept as is",
                [](RouteContext& ctx) -> Result<Response> {
                    auto e = term_from(ctx.body);
                    if (!e) return std::unexpected(e.error());
                    auto stored = ctx.platform.translation().add_term(*e);
                    if (!stored) return std::unexpected(stored.error());
                    return json_response(201, term_json(*stored));
                },
                Mount::api, "translation"});
    router.add({Method::put, "/translation/glossary/{id}", Access::at_least(Role::coordinator), Body::json,
                "Replace a term",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto e = term_from(ctx.body);
                    if (!e) return std::unexpected(e.error());
                    auto stored = ctx.platform.translation().update_term(*id, *e);
                    if (!stored) return std::unexpected(stored.error());
                    return json_response(200, term_json(*stored));
                },
                Mount::api, "translation"});
    router.add({Method::del, "/translation/glossary/{id}", Access::at_least(Role::coordinator), Body::none,
                "Delete a term",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    if (auto ok = ctx.platform.translation().remove_term(*id); !ok)
                        return std::unexpected(ok.error());
                    return empty_response(204);
                },
                Mount::api, "translation"});
    router.add({Method::post, "/translation/memory", Access::at_least(Role::coordinator), Body::json,
                "Store a human translation: {source_text, translation, target_language, source_language?}",
                [](RouteContext& ctx) -> Result<Response> {
                    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
                    auto source_text = string_field(ctx.body, "source_text");
                    if (!source_text) return std::unexpected(source_text.error());
                    auto translation = string_field(ctx.body, "translation");
                    if (!translation) return std::unexpected(translation.error());
                    auto target = string_field(ctx.body, "target_language");
                    if (!target) return std::unexpected(target.error());
                    auto source = string_field(ctx.body, "source_language", "english");
                    if (!source) return std::unexpected(source.error());
                    if (auto ok =
                            ctx.platform.translation().remember(*source_text, *translation, *target, *source);
                        !ok) {
                        return std::unexpected(ok.error());
                    }
                    return json_response(201, Json::object({{"stored", true}}));
                },
                Mount::api, "translation"});

    router.add({Method::post, "/modules/{id}/translate", Access::at_least(Role::teacher), Body::json,
                "Add a translation to a module: {target_language}",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
                    auto target = string_field(ctx.body, "target_language");
                    if (!target) return std::unexpected(target.error());
                    auto m = ctx.platform.modules().translate(*id, *target, ctx.actor);
                    if (!m) return std::unexpected(m.error());
                    return json_response(200, to_json(*m));
                },
                Mount::api, "modules"});
}

} // namespace shiksha::server
