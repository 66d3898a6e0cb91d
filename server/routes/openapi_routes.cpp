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
    if (route.body != Body::none) {
        op["requestBody"] = Json::object(
            {{"required", route.body == Body::json},
             {"content", Json::object({{"application/json",
                                        Json::object({{"schema", Json::object({{"type", "object"}})}})}})}});
    }
    Json responses = Json::object({{"2XX", Json::object({{"description", "Success"}})},
                                   {"4XX", error_ref("Client error: detail says what was wrong")}});
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
