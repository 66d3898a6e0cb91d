#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/version.hpp"

#include <algorithm>
#include <cctype>

namespace shiksha::server {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Json error_ref(std::string_view description) {
    return Json::object(
        {{"description", description},
         {"content",
          Json::object(
              {{"application/json",
                Json::object({{"schema", Json::object({{"$ref", "#/components/schemas/Error"}})}})}})}});
}

// The requirement's shapes (PRD §3.1, §3.2, §4.1, §4.2, §10.1), written compactly: a member is
// a type ("string", "int", "number", "bool", "object", "array", "a|null"), an object of members,
// or a one-item array giving the items' shape. Every member named is required; the conformance
// test checks the same names against the live answers and against this document.
Json items(Json shape) {
    return Json(Json::Array{std::move(shape)});
}

Json schema_of(const Json& shape) {
    if (shape.is_string()) {
        const std::string& t = shape.as_string();
        auto one = [](std::string_view name) -> std::string {
            if (name == "int") return "integer";
            return std::string(name);
        };
        const auto bar = t.find('|');
        if (bar == std::string::npos) return Json::object({{"type", one(t)}});
        Json types = Json::array();
        types.push_back(one(std::string_view(t).substr(0, bar)));
        types.push_back(one(std::string_view(t).substr(bar + 1)));
        return Json::object({{"type", std::move(types)}});
    }
    if (shape.is_array())
        return Json::object({{"type", "array"}, {"items", schema_of(shape.as_array().front())}});
    Json required = Json::array();
    Json properties = Json::object();
    for (const auto& [name, member] : shape.as_object()) {
        required.push_back(name);
        properties[name] = schema_of(member);
    }
    return Json::object(
        {{"type", "object"}, {"required", std::move(required)}, {"properties", std::move(properties)}});
}

struct Documented {
    Method method;
    std::string_view path;
    Json request;  ///< null when the body is not described
    Json response; ///< of the success status
};

const std::vector<Documented>& documented_routes() {
    static const std::vector<Documented> routes = [] {
        const Json video = Json::object({{"video_id", "string"},
                                         {"title", "string"},
                                         {"description", "string"},
                                         {"thumbnail_url", "string"},
                                         {"duration", "string"},
                                         {"channel_name", "string"},
                                         {"view_count", "int"},
                                         {"published_date", "string|null"},
                                         {"embed_url", "string"},
                                         {"watch_url", "string"},
                                         {"relevance_score", "number"},
                                         {"relevance_reason", "string"}});
        const Json user = Json::object({{"id", "int"},
                                        {"username", "string"},
                                        {"name", "string"},
                                        {"full_name", "string"},
                                        {"email", "string"},
                                        {"role", "string"},
                                        {"school_id", "int|null"},
                                        {"school_name", "string|null"}});
        const Json tokens = Json::object({{"access_token", "string"},
                                          {"token_type", "string"},
                                          {"expires_in", "int"},
                                          {"refresh_token", "string"},
                                          {"user", user}});
        const Json performance = Json::object({{"module_id", "int"},
                                               {"title", "string"},
                                               {"helpfulness_rate", "number"},
                                               {"feedback_count", "int"},
                                               {"avg_rating", "number"}});
        const Json manual = Json::object({{"id", "int"},
                                          {"title", "string"},
                                          {"filename", "string"},
                                          {"file_path", "string|null"},
                                          {"total_pages", "int|null"},
                                          {"upload_date", "string"},
                                          {"indexed", "bool"},
                                          {"pinned", "bool"},
                                          {"processed", "string|null"},
                                          {"detected_language", "string|null"},
                                          {"adapted_summary", "string|null"},
                                          {"key_points", "array|null"}});
        const Json provider = Json::object(
            {{"configured", "bool"}, {"last_success", "string|null"}, {"last_failure", "string|null"}});
        return std::vector<Documented>{
            {Method::post, "/manuals/{id}/index", Json(), manual},
            {Method::post, "/modules/{id}/export/pdf",
             Json::object({{"include_original", "bool"},
                           {"include_comparison", "bool"},
                           {"page_size", "string"},
                           {"language", "string"}}),
             Json::object({{"success", "bool"},
                           {"pdf_url", "string"},
                           {"file_size", "int"},
                           {"filename", "string"},
                           {"generated_at", "string"},
                           {"download_url", "string|null"},
                           {"pdf_id", "int"}})},
            {Method::post, "/modules/{id}/share/whatsapp",
             Json::object({{"cluster_id", "int"},
                           {"recipient_numbers", items("string")},
                           {"include_pdf", "bool"},
                           {"custom_message", "string"}}),
             Json::object({{"success", "bool"},
                           {"messages_sent", "int"},
                           {"delivery_status", items(Json::object({{"phone", "string"},
                                                                   {"status", "string"},
                                                                   {"message_id", "string|null"},
                                                                   {"error", "string|null"}}))},
                           {"pdf_attachment", "string|null"},
                           {"queued", "int"},
                           {"failed", "int"}})},
            {Method::post, "/videos/search",
             Json::object({{"topic", "string"},
                           {"language", "string"},
                           {"max_results", "int"},
                           {"video_duration", "string"}}),
             Json::object({{"success", "bool"},
                           {"query", "string"},
                           {"total_results", "int"},
                           {"videos", items(video)}})},
            {Method::get, "/videos/languages", Json(),
             items(Json::object(
                 {{"key", "string"}, {"code", "string"}, {"name", "string"}, {"native_name", "string"}}))},
            {Method::get, "/modules/{id}/video-suggestions", Json(),
             Json::object({{"module_id", "int"},
                           {"module_title", "string"},
                           {"suggested_videos", items(video)},
                           {"cached", "bool"},
                           {"generated_at", "string"}})},
            {Method::post, "/auth/login", Json::object({{"username", "string"}, {"password", "string"}}),
             tokens},
            {Method::post, "/auth/refresh", Json::object({{"refresh_token", "string"}}), tokens},
            {Method::post, "/auth/logout", Json(), Json::object({{"message", "string"}})},
            {Method::get, "/analytics/feedback/summary", Json(),
             Json::object(
                 {{"total_feedback", "int"},
                  {"helpful_count", "int"},
                  {"not_helpful_count", "int"},
                  {"helpfulness_rate", "number"},
                  {"average_rating", "number"},
                  {"feedback_by_cluster", items(Json::object({{"cluster_id", "int|null"},
                                                              {"cluster_name", "string"},
                                                              {"total", "int"},
                                                              {"helpful", "int"},
                                                              {"rate", "number"}}))},
                  {"feedback_over_time",
                   items(Json::object({{"date", "string"}, {"helpful", "int"}, {"not_helpful", "int"}}))},
                  {"common_issues", items("string")},
                  {"common_issue_counts", items(Json::object({{"phrase", "string"}, {"count", "int"}}))}})},
            {Method::get, "/analytics/modules/performance", Json(),
             Json::object(
                 {{"top_modules", items(performance)}, {"underperforming_modules", items(performance)}})},
            {Method::get, "/health/detailed", Json(),
             Json::object(
                 {{"status", "string"},
                  {"version", "string"},
                  {"uptime_seconds", "number"},
                  {"database", Json::object({{"ok", "bool"}, {"schema_version", "int"}})},
                  {"disk",
                   Json::object(
                       {{"capacity_bytes", "int"}, {"free_bytes", "int"}, {"available_bytes", "int"}})},
                  {"index", Json::object({{"chunks", "int"}, {"vectors", "int"}, {"rebuilding", "bool"}})},
                  {"providers", Json::object({{"llm", provider},
                                              {"embeddings", provider},
                                              {"translation.google", provider},
                                              {"whatsapp", provider},
                                              {"youtube", provider}})},
                  {"queues", Json::object({{"workers", "int"},
                                           {"worker_queue", "int"},
                                           {"jobs_queued", "int"},
                                           {"jobs_running", "int"},
                                           {"whatsapp_outbox", "int"}})}})},
        };
    }();
    return routes;
}

const Documented* documented(const Route& route) {
    for (const auto& d : documented_routes())
        if (d.method == route.method && d.path == route.path && route.mount == Mount::api) return &d;
    return nullptr;
}

Json json_content(Json schema) {
    return Json::object({{"application/json", Json::object({{"schema", std::move(schema)}})}});
}

Json operation(const Route& route) {
    Json op = Json::object({{"summary", route.summary}, {"operationId", ""}});
    if (!route.tag.empty()) {
        Json tags = Json::array();
        tags.push_back(route.tag);
        op["tags"] = std::move(tags);
    }
    Json params = Json::array();
    std::string_view p = route.path;
    std::string op_id = lower(to_string(route.method));
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '{') {
            const auto end = p.find('}', i);
            params.push_back(Json::object({{"name", p.substr(i + 1, end - i - 1)},
                                           {"in", "path"},
                                           {"required", true},
                                           {"schema", Json::object({{"type", "integer"}, {"minimum", 1}})}}));
        }
        const char c = p[i];
        op_id.push_back((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
    }
    op["operationId"] = op_id + (route.mount == Mount::root ? "_root" : "");
    if (!params.as_array().empty()) op["parameters"] = std::move(params);
    const Documented* doc = documented(route);
    if (route.body != Body::none) {
        Json schema =
            doc && !doc->request.is_null() ? schema_of(doc->request) : Json::object({{"type", "object"}});
        // Request members are optional unless the route says otherwise (the handlers check them).
        if (schema.find("required")) schema["required"] = Json::array();
        op["requestBody"] = Json::object(
            {{"required", route.body == Body::json}, {"content", json_content(std::move(schema))}});
    }
    Json responses = Json::object({{"2XX", Json::object({{"description", "Success"}})},
                                   {"4XX", error_ref("Client error: detail says what was wrong")}});
    if (doc) {
        responses["200"] = Json::object(
            {{"description", "The requirement's shape; further members of ours may appear beside these"},
             {"content", json_content(schema_of(doc->response))}});
    }
    if (route.access.is_public()) {
        op["security"] = Json::array();
    } else {
        Json req = Json::array();
        req.push_back(Json::object({{"bearerAuth", Json::array()}}));
        op["security"] = std::move(req);
        op["x-min-role"] = to_string(route.access.min_role());
        responses["401"] = error_ref("Missing, invalid or expired token");
        responses["403"] = error_ref("Role too low");
    }
    op["responses"] = std::move(responses);
    return op;
}

} // namespace

Json openapi_document(const Router& router) {
    Json paths = Json::object();
    for (const auto& route : router.routes()) {
        for (const auto& served : Router::served_paths(route)) {
            paths[served][lower(to_string(route.method))] = operation(route);
        }
    }
    return Json::object(
        {{"openapi", "3.1.0"},
         {"info",
          Json::object({{"title", "Shiksha-Setu API"},
                        {"version", version_string},
                        {"description", "Every /api/... route is also served at /api/v1/..., with or "
                                        "without a trailing slash. Errors are {\"detail\", \"code\"}."}})},
         {"paths", std::move(paths)},
         {"components",
          Json::object(
              {{"securitySchemes", Json::object({{"bearerAuth", Json::object({{"type", "http"},
                                                                              {"scheme", "bearer"},
                                                                              {"bearerFormat", "JWT"}})}})},
               {"schemas",
                Json::object(
                    {{"Error", Json::object({{"type", "object"},
                                             {"required", Json(Json::Array{"detail", "code"})},
                                             {"properties",
                                              Json::object({{"detail", Json::object({{"type", "string"}})},
                                                            {"code", Json::object({{"type", "string"}})},
                                                            {"errors",
                                                             Json::object({{"type", "array"}})}})}})}})}})}});
}

void add_openapi_route(Router& router) {
    router.add({Method::get, "/openapi.json", Access::anyone(), Body::none, "This document",
                [&router](RouteContext&) -> Result<Response> {
                    return json_response(200, openapi_document(router));
                },
                Mount::api, "meta"});
}

} // namespace shiksha::server
