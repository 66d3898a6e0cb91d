#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/languages.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

namespace shiksha::server {

namespace {

Result<std::int64_t> required_id(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return fail_field(std::string(key), fmt::format("{}: Field required", key));
    if (!v->is_int())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid integer", key));
    return v->as_int();
}

Result<std::optional<std::string>> optional_string(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return std::optional<std::string>();
    if (!v->is_string())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid string", key));
    return std::optional<std::string>(v->as_string());
}

Result<GenerateRequest> generate_request(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    GenerateRequest req;
    auto manual = required_id(body, "manual_id");
    if (!manual) return std::unexpected(manual.error());
    auto cluster = required_id(body, "cluster_id");
    if (!cluster) return std::unexpected(cluster.error());
    const Json* topic = body.find("topic");
    if (!topic || topic->is_null()) return fail_field("topic", "topic: Field required");
    if (!topic->is_string()) return fail_field("topic", "topic: Input should be a valid string");
    auto language = optional_string(body, "target_language");
    if (!language) return std::unexpected(language.error());
    auto grade = optional_string(body, "grade");
    if (!grade) return std::unexpected(grade.error());
    req.manual_id = *manual;
    req.cluster_id = *cluster;
    req.topic = topic->as_string();
    req.target_language = *language;
    req.grade = *grade;
    return req;
}

Result<Response> approve(RouteContext& ctx) {
    auto id = ctx.path_id("id");
    if (!id) return std::unexpected(id.error());
    auto m = ctx.platform.modules().approve(*id, ctx.actor);
    if (!m) return std::unexpected(m.error());
    // As the original: every approval also renders a PDF of the module.
    auto pdf = ctx.platform.exports().module_pdf(m->id, {}, ctx.actor);
    if (!pdf) return std::unexpected(pdf.error());
    return json_response(200, Json::object({{"status", "success"},
                                            {"message", "Module approved and PDF generated successfully"},
                                            {"module_id", m->id},
                                            {"language", m->language ? Json(*m->language) : Json()},
                                            {"pdf_id", pdf->id}}));
}

} // namespace

void add_module_routes(Router& router) {
    router.add(
        {Method::post, "/modules/generate", Access::at_least(Role::teacher), Body::json,
         "Generate a module for a cluster from a manual: {manual_id, cluster_id, topic, target_language?, "
         "grade?}; ?async=true returns a job",
         [](RouteContext& ctx) -> Result<Response> {
             auto req = generate_request(ctx.body);
             if (!req) return std::unexpected(req.error());
             auto async = ctx.query_bool("async");
             if (!async) return std::unexpected(async.error());
             if (async->value_or(false)) {
                 auto job = ctx.platform.modules().generate_async(*req, ctx.actor);
                 if (!job) return std::unexpected(job.error());
                 Response r = json_response(202, Json::object({{"job_id", job->id},
                                                               {"status_url", "/api/jobs/" + job->id},
                                                               {"job", to_json(*job)}}));
                 r.set_header("Location", "/api/jobs/" + job->id);
                 return r;
             }
             auto m = ctx.platform.modules().generate(*req, ctx.actor);
             if (!m) return std::unexpected(m.error());
             return json_response(201, to_json(*m));
         },
         Mount::api, "modules"});

    router.add({Method::get, "/modules/languages", Access::anyone(), Body::none,
                "Output languages: key → label, in the contract's order",
                [](RouteContext&) -> Result<Response> {
                    Json out = Json::object();
                    for (const auto& l : supported_languages())
                        if (l.in_contract) out[l.key] = l.label;
                    return json_response(200, out);
                },
                Mount::api, "modules"});

    router.add({Method::get, "/modules", Access::at_least(Role::viewer), Body::none,
                "Modules in creation order: ?skip=&limit=&cluster_id=&manual_id= (0 means no filter)",
                [](RouteContext& ctx) -> Result<Response> {
                    auto skip = ctx.query_int("skip", 0, INT32_MAX);
                    if (!skip) return std::unexpected(skip.error());
                    auto limit = ctx.query_int("limit", 1, 1000);
                    if (!limit) return std::unexpected(limit.error());
                    auto cluster = ctx.query_int("cluster_id", 0, INT64_MAX);
                    if (!cluster) return std::unexpected(cluster.error());
                    auto manual = ctx.query_int("manual_id", 0, INT64_MAX);
                    if (!manual) return std::unexpected(manual.error());
                    auto modules = ctx.platform.modules().list(
                        {{skip->value_or(0), limit->value_or(100)}, *cluster, *manual});
                    if (!modules) return std::unexpected(modules.error());
                    Json out = Json::array();
                    for (const auto& m : *modules)
                        out.push_back(to_json(m));
                    return json_response(200, out);
                },
                Mount::api, "modules"});

    router.add({Method::get, "/modules/{id}", Access::at_least(Role::viewer), Body::none, "One module",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    auto m = ctx.platform.modules().get(*id);
                    if (!m) return std::unexpected(m.error());
                    return json_response(200, to_json(*m));
                },
                Mount::api, "modules"});

    router.add({Method::del, "/modules/{id}", Access::at_least(Role::principal), Body::none,
                "Delete a module",
                [](RouteContext& ctx) -> Result<Response> {
                    auto id = ctx.path_id("id");
                    if (!id) return std::unexpected(id.error());
                    if (auto ok = ctx.platform.modules().remove(*id, ctx.actor); !ok)
                        return std::unexpected(ok.error());
                    return empty_response(204);
                },
                Mount::api, "modules"});

    router.add({Method::patch, "/modules/{id}/approve", Access::at_least(Role::principal), Body::none,
                "Approve a module", approve, Mount::api, "modules"});
    // The original frontend also calls the approval with GET.
    router.add({Method::get, "/modules/{id}/approve", Access::at_least(Role::principal), Body::none,
                "Approve a module (GET alias used by the original frontend)", approve, Mount::api,
                "modules"});

    router.add({Method::post, "/ask", Access::at_least(Role::viewer), Body::json,
                "Grounded question answering: {question, manual_ids?, k?} → answer with sources and pages",
                [](RouteContext& ctx) -> Result<Response> {
                    if (!ctx.body.is_object()) return fail_field("body", "body: expected a JSON object");
                    AskRequest req;
                    const Json* q = ctx.body.find("question");
                    if (!q || q->is_null()) return fail_field("question", "question: Field required");
                    if (!q->is_string())
                        return fail_field("question", "question: Input should be a valid string");
                    req.question = q->as_string();
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
                        if (!k->is_int() || k->as_int() < 1 || k->as_int() > 20) {
                            return fail_field("k", "k: must be an integer between 1 and 20");
                        }
                        req.k = static_cast<std::size_t>(k->as_int());
                    }
                    auto answer = ctx.platform.modules().ask(req);
                    if (!answer) return std::unexpected(answer.error());
                    Json body = to_json(*answer);
                    body["question"] = req.question;
                    return json_response(200, body);
                },
                Mount::api, "ask"});
}

} // namespace shiksha::server
