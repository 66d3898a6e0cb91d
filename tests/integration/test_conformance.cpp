// Wire conformance: every request example of the requirements (../shared/PRD.md §3.1, §3.2,
// §4.1, §4.2, §10.1) and of the original frontend's contract (../shared/API_CONTRACT.md),
// replayed against a real server over HTTP. Each answer is checked for every field name and
// JSON type the documents show; extra fields of ours may sit beside them. A renamed, dropped or
// retyped required field fails here (see the first test case).
//
// External services are the local fakes (Google Translate, Meta WhatsApp, YouTube), so every
// example can produce the answer the documents show (sent messages with wamids, videos).
#include "fake_google_translate.hpp"
#include "fake_meta_whatsapp.hpp"
#include "fake_youtube.hpp"
#include "server_fixture.hpp"
#include "wire_shape.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

using namespace shiksha;
using namespace shiksha::test;

namespace {

/// `[shape]`: an array whose every item has `shape`.
Json items(Json shape) {
    return Json(Json::Array{std::move(shape)});
}

Json strings(std::initializer_list<const char*> list) {
    Json out = Json::array();
    for (const char* s : list)
        out.push_back(Json(s));
    return out;
}

#define CHECK_SHAPE(value, shape)                                                                            \
    do {                                                                                                     \
        const auto problems_ = shape_problems((value), (shape));                                             \
        CHECK_MESSAGE(problems_.empty(), joined(problems_) << "in " << (value).dump());                      \
    } while (false)

// --- Shapes of the API contract (API_CONTRACT.md) --------------------------------------------

const Json user_shape = Json::object({{"id", "int"},
                                      {"name", "string"},
                                      {"email", "string"},
                                      {"role", "string"},
                                      {"school_id", "int|null"},
                                      {"school_name", "string|null"}});

const Json cluster_shape = Json::object({{"id", "int"},
                                         {"name", "string"},
                                         {"region_type", "string"},
                                         {"language", "string"},
                                         {"infrastructure_constraints", "string"},
                                         {"key_issues", "string|null"},
                                         {"total_teachers", "int"},
                                         {"additional_notes", "string|null"},
                                         {"pinned", "bool"},
                                         {"created_at", "string"},
                                         {"updated_at", "string"},
                                         // the DB-name duplicates the generator page reads
                                         {"geographic_type", "string"},
                                         {"primary_language", "string"},
                                         {"infrastructure_level", "string"},
                                         {"specific_challenges", "string|null"}});

const Json manual_shape = Json::object({{"id", "int"},
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

const Json module_shape = Json::object({{"id", "int"},
                                        {"title", "string"},
                                        {"manual_id", "int"},
                                        {"cluster_id", "int"},
                                        {"original_content", "string"},
                                        {"adapted_content", "string"},
                                        {"language", "string|null"},
                                        {"learning_objective", "string|null"},
                                        {"approved", "bool"},
                                        {"created_at", "string"},
                                        {"updated_at", "string|null"}});

const Json error_shape = Json::object({{"detail", "string"}});

// --- Shapes of the requirements (PRD.md) -------------------------------------------------------

const Json pdf_export_shape = Json::object({{"success", "bool"},
                                            {"pdf_url", "string"},
                                            {"file_size", "int"},
                                            {"filename", "string"},
                                            {"generated_at", "string"}});

const Json share_shape = Json::object(
    {{"success", "bool"},
     {"messages_sent", "int"},
     {"delivery_status",
      items(Json::object({{"phone", "string"}, {"status", "string"}, {"message_id", "string"}}))},
     {"pdf_attachment", "string"}});

const Json video_search_shape =
    Json::object({{"success", "bool"},
                  {"query", "string"},
                  {"total_results", "int"},
                  {"videos", items(Json::object({{"video_id", "string"},
                                                 {"title", "string"},
                                                 {"description", "string"},
                                                 {"thumbnail_url", "string"},
                                                 {"duration", "string"},
                                                 {"channel_name", "string"},
                                                 {"view_count", "int"},
                                                 {"published_date", "string"},
                                                 {"embed_url", "string"},
                                                 {"watch_url", "string"},
                                                 {"relevance_score", "number"}}))}});

const Json suggestions_shape =
    Json::object({{"module_id", "int"},
                  {"module_title", "string"},
                  {"suggested_videos", items(Json::object({{"video_id", "string"},
                                                           {"title", "string"},
                                                           {"thumbnail_url", "string"},
                                                           {"duration", "string"},
                                                           {"watch_url", "string"},
                                                           {"relevance_reason", "string"}}))},
                  {"cached", "bool"},
                  {"generated_at", "string"}});

const Json summary_shape =
    Json::object({{"total_feedback", "int"},
                  {"helpful_count", "int"},
                  {"not_helpful_count", "int"},
                  {"helpfulness_rate", "number"},
                  {"average_rating", "number"},
                  {"feedback_by_cluster", items(Json::object({{"cluster_id", "int"},
                                                              {"cluster_name", "string"},
                                                              {"total", "int"},
                                                              {"helpful", "int"},
                                                              {"rate", "number"}}))},
                  {"feedback_over_time",
                   items(Json::object({{"date", "string"}, {"helpful", "int"}, {"not_helpful", "int"}}))},
                  {"common_issues", items(Json("string"))}});

const Json performance_entry = Json::object({{"module_id", "int"},
                                             {"title", "string"},
                                             {"helpfulness_rate", "number"},
                                             {"feedback_count", "int"},
                                             {"avg_rating", "number"}});

const Json performance_shape = Json::object(
    {{"top_modules", items(performance_entry)}, {"underperforming_modules", items(performance_entry)}});

const Json prd_login_shape = Json::object(
    {{"access_token", "string"},
     {"token_type", "string"},
     {"expires_in", "int"},
     {"user",
      Json::object({{"id", "int"}, {"username", "string"}, {"role", "string"}, {"full_name", "string"}})}});

const Json health_detailed_shape = Json::object(
    {{"status", "string"},
     {"version", "string"},
     {"uptime_seconds", "number"},
     {"database", Json::object({{"ok", "bool"}, {"schema_version", "int"}})},
     {"disk", Json::object({{"capacity_bytes", "int"}, {"free_bytes", "int"}, {"available_bytes", "int"}})},
     {"index", Json::object({{"chunks", "int"}, {"vectors", "int"}, {"rebuilding", "bool"}})},
     {"providers", Json::object({{"llm", Json::object({{"configured", "bool"},
                                                       {"last_success", "string|null"},
                                                       {"last_failure", "string|null"}})},
                                 {"translation.google", Json::object({{"configured", "bool"},
                                                                      {"last_success", "string|null"},
                                                                      {"last_failure", "string|null"}})},
                                 {"whatsapp", Json::object({{"configured", "bool"},
                                                            {"last_success", "string|null"},
                                                            {"last_failure", "string|null"}})},
                                 {"youtube", Json::object({{"configured", "bool"},
                                                           {"last_success", "string|null"},
                                                           {"last_failure", "string|null"}})}})},
     {"queues",
      Json::object({{"worker_queue", "int"}, {"jobs_queued", "int"}, {"whatsapp_outbox", "int"}})}});

// --- The server ------------------------------------------------------------------------------

std::vector<FakeYouTubeVideo> photosynthesis_videos() {
    std::vector<FakeYouTubeVideo> out;
    for (int i = 0; i < 6; ++i) {
        FakeYouTubeVideo v;
        v.id = "abc123xyz0" + std::to_string(i);
        v.title = "Simple Photosynthesis Experiment at Home " + std::to_string(i);
        v.description = "Learn photosynthesis and series circuits using household items";
        v.duration = "PT3M45S";
        out.push_back(v);
    }
    return out;
}

struct ConformanceServer {
    FakeGoogleTranslate google;
    FakeMetaWhatsApp meta;
    FakeYouTube youtube{FakeYouTubeOptions{.videos = photosynthesis_videos()}};
    TestServer server{[this](Config& c) {
        c.server.allow_anonymous_upload = true; // the original frontend uploads without a token
        c.translation.providers = "google";
        c.translation.google_base_url = google.base_url();
        c.translation.google_api_key = "google-test-key";
        c.delivery.gateway = "meta";
        c.delivery.meta_base_url = meta.base_url();
        c.delivery.meta_access_token = "meta-test-token";
        c.delivery.meta_phone_number_id = "106540352242922";
        c.delivery.rate_per_second = -1;
        c.videos.youtube_api_key = "yt-test-key";
        c.videos.youtube_base_url = youtube.base_url();
    }};
    HttpClient http{server.port};
    std::string admin = server.admin();

    HttpResult get(const std::string& target, const std::string& token = {}) {
        return http.get(target, token);
    }
    HttpResult post(const std::string& target, const Json& body, const std::string& token) {
        return http.post_json(target, body, token);
    }
    HttpResult send(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = {}) {
        Headers h;
        if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
        if (!body.empty()) h.emplace_back("Content-Type", "application/json");
        return http.request(method, target, body, h);
    }

    /// The original frontend's upload: raw axios, multipart part `file`, no Authorization header.
    HttpResult upload(const std::string& title, const std::string& filename = "handbook.pdf",
                      const std::string& data = read_file(sample_manual)) {
        const std::string boundary = "----WebKitFormBoundaryConformance";
        const std::string body =
            "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
            "\"\r\nContent-Type: application/pdf\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
        return http.request("POST", "/api/manuals/upload?title=" + title, body,
                            {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
    }

    /// An indexed manual and one module generated from it for `cluster`.
    std::pair<std::int64_t, std::int64_t> module_for(std::int64_t cluster, const std::string& topic) {
        auto up = server.platform->manuals().upload_file(sample_manual, {"Handbook", ""});
        REQUIRE(up);
        REQUIRE(server.platform->manuals().index(up->manual.id));
        auto m = server.platform->modules().generate({up->manual.id, cluster, topic, "english", {}});
        REQUIRE(m);
        return {up->manual.id, m->id};
    }
};

} // namespace

TEST_CASE("the shape check fails when a required field is renamed, dropped or retyped") {
    const Json answer = Json::object({{"success", true},
                                      {"pdf_url", "/api/files/download/x.pdf"},
                                      {"file_size", 10},
                                      {"filename", "x.pdf"},
                                      {"generated_at", "2026-01-15"}});
    CHECK(shape_problems(answer, pdf_export_shape).empty());
    Json renamed = Json::object({{"success", true},
                                 {"pdf_link", "/x.pdf"},
                                 {"file_size", 10},
                                 {"filename", "x.pdf"},
                                 {"generated_at", "2026-01-15"}});
    CHECK(shape_problems(renamed, pdf_export_shape).size() == 1);
    Json retyped = answer;
    retyped["file_size"] = "10";
    CHECK(shape_problems(retyped, pdf_export_shape).size() == 1);
    const Json nested =
        Json::object({{"delivery_status", Json(Json::Array{Json::object({{"phone", "+91"}})})}});
    CHECK(shape_problems(nested,
                         Json::object({{"delivery_status", items(Json::object({{"number", "string"}}))}}))
              .size() == 1);
}

TEST_CASE("API contract: health, auth, clusters, manuals, modules, translation, exports") {
    ConformanceServer s;

    // §1 Health
    auto health = s.get("/health");
    REQUIRE(health.status == 200);
    CHECK(health.json().find("status")->as_string() == "healthy");
    auto banner = s.get("/");
    CHECK_SHAPE(
        banner.json(),
        Json::object(
            {{"message", "string"}, {"status", "string"}, {"version", "string"}, {"endpoints", "object"}}));
    CHECK(banner.json().find("message")->as_string() == "Shiksha-Setu API");

    // §2 Auth
    auto login = s.post(
        "/api/auth/login",
        Json::object({{"email", "meera.gupta@principal.bangalore.edu"}, {"password", "principal123"}}), {});
    REQUIRE_MESSAGE(login.status == 200, login.body);
    CHECK_SHAPE(login.json(),
                Json::object({{"access_token", "string"}, {"token_type", "string"}, {"user", user_shape}}));
    CHECK(login.json().find("token_type")->as_string() == "bearer");
    const Json login_body = login.json();
    const auto& user = *login_body.find("user");
    CHECK(user.find("role")->as_string() == "principal");
    CHECK(user.find("school_name")->as_string() == "Bangalore International School");
    const auto principal = login.json().find("access_token")->as_string();
    CHECK(s.post("/api/auth/login",
                 Json::object({{"email", "admin@shiksha-setu.gov.in"}, {"password", "nope"}}), {})
              .status == 401);
    CHECK(
        s.post("/api/auth/login", Json::object({{"email", "not-an-email"}, {"password", "x"}}), {}).status ==
        422);
    auto me = s.get("/api/auth/me", s.admin);
    REQUIRE(me.status == 200);
    CHECK_SHAPE(me.json(), user_shape);
    auto anonymous = s.get("/api/clusters/");
    CHECK(anonymous.status == 401);
    CHECK(anonymous.json().find("detail")->as_string() == "Not authenticated");
    CHECK(anonymous.header("www-authenticate") == "Bearer");

    // §3 Clusters: alias names in, alias names out (plus the DB-name duplicates).
    const Json cluster_request = Json::object({{"name", "Dantewada Conformance Block"},
                                               {"region_type", "Tribal Belt"},
                                               {"language", "Hindi"},
                                               {"infrastructure_constraints", "Low"},
                                               {"key_issues", "No laboratory, multigrade classes"},
                                               {"grade_range", "6-8"}});
    auto created = s.post("/api/clusters/", cluster_request, s.admin);
    REQUIRE_MESSAGE(created.status == 201, created.body);
    CHECK_SHAPE(created.json(), cluster_shape);
    CHECK(created.json().find("region_type")->as_string() == "Tribal Belt");
    CHECK(created.json().find("geographic_type")->as_string() == "Tribal Belt");
    CHECK(created.json().find("total_teachers")->as_int() == 1);
    CHECK_FALSE(created.json().find("pinned")->as_bool());
    const auto cluster = created.json().find("id")->as_int();
    const auto cluster_path = "/api/clusters/" + std::to_string(cluster);
    auto db_names = s.post("/api/clusters/",
                           Json::object({{"name", "Gadchiroli Conformance Cluster"},
                                         {"geographic_type", "Forest Area"},
                                         {"primary_language", "Marathi"},
                                         {"infrastructure_level", "Medium"},
                                         {"specific_challenges", Json()}}),
                           s.admin);
    REQUIRE(db_names.status == 201);
    CHECK(db_names.json().find("language")->as_string() == "Marathi");
    auto duplicate = s.post("/api/clusters/", cluster_request, s.admin);
    CHECK(duplicate.status == 409); // deviation: the original answers 400 (README)
    CHECK_SHAPE(duplicate.json(), error_shape);
    auto too_short = s.post("/api/clusters/",
                            Json::object({{"name", "A"},
                                          {"region_type", "Urban"},
                                          {"language", "Hindi"},
                                          {"infrastructure_constraints", "Low"}}),
                            s.admin);
    CHECK(too_short.status == 422);
    CHECK_SHAPE(too_short.json(), Json::object({{"detail", "string"}, {"errors", "array"}}));
    auto listed = s.get("/api/clusters/?skip=0&limit=100", s.admin);
    REQUIRE(listed.status == 200);
    CHECK_SHAPE(listed.json(), items(cluster_shape));
    auto one = s.get(cluster_path, s.admin);
    CHECK_SHAPE(one.json(), cluster_shape);
    auto missing = s.get("/api/clusters/999999", s.admin);
    CHECK(missing.status == 404);
    CHECK(missing.json().find("detail")->as_string() == "Cluster with ID 999999 not found");
    // The frontend's edit sends all six, nulls included.
    auto updated = s.send("PUT", cluster_path, s.admin,
                          Json::object({{"name", "Dantewada Conformance Block"},
                                        {"region_type", "Tribal Belt"},
                                        {"language", "Hindi"},
                                        {"infrastructure_constraints", "Medium"},
                                        {"key_issues", Json()},
                                        {"additional_notes", Json()}})
                              .dump());
    REQUIRE_MESSAGE(updated.status == 200, updated.body);
    CHECK_SHAPE(updated.json(), cluster_shape);
    CHECK(updated.json().find("infrastructure_constraints")->as_string() == "Medium");
    auto pinned = s.send("PATCH", cluster_path + "/pin", s.admin);
    REQUIRE(pinned.status == 200);
    CHECK(pinned.json().find("pinned")->as_bool());

    // §4 Manuals: the upload carries no token; index is synchronous.
    auto uploaded = s.upload("Low-Cost%20Science%20Handbook");
    REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
    CHECK_SHAPE(uploaded.json(), manual_shape);
    CHECK_FALSE(uploaded.json().find("indexed")->as_bool());
    CHECK(uploaded.json().find("processed")->as_string() == "pending");
    CHECK(uploaded.json().find("total_pages")->as_int() == 8);
    const auto manual = uploaded.json().find("id")->as_int();
    const auto manual_path = "/api/manuals/" + std::to_string(manual);
    auto not_pdf = s.upload("Notes", "notes.txt", "plain text");
    CHECK(not_pdf.status == 422); // deviation: the original answers 400 (README)
    CHECK(not_pdf.json().find("detail")->as_string() == "Only PDF files are allowed");
    auto no_title = s.http.request("POST", "/api/manuals/upload", "x",
                                   {{"Content-Type", "multipart/form-data; boundary=b"}});
    CHECK(no_title.status == 422);
    auto indexed = s.send("POST", manual_path + "/index", s.admin);
    REQUIRE_MESSAGE(indexed.status == 200, indexed.body);
    CHECK_SHAPE(indexed.json(), manual_shape);
    CHECK(indexed.json().find("indexed")->as_bool());
    CHECK(indexed.json().find("processed")->as_string() == "completed");
    CHECK(indexed.json().find("detected_language")->is_string());
    CHECK(s.send("POST", "/api/manuals/999999/index", s.admin).status == 404);
    auto manuals = s.get("/api/manuals/?skip=0&limit=100", s.admin);
    CHECK_SHAPE(manuals.json(), items(manual_shape));
    CHECK_SHAPE(s.get(manual_path, s.admin).json(), manual_shape);
    auto manual_pin = s.send("PATCH", manual_path + "/pin", s.admin);
    CHECK(manual_pin.json().find("pinned")->as_bool());

    // §5 Modules
    auto generated = s.post("/api/modules/generate",
                            Json::object({{"manual_id", manual},
                                          {"cluster_id", cluster},
                                          {"topic", "Series and parallel circuits"},
                                          {"target_language", "english"}}),
                            s.admin);
    REQUIRE_MESSAGE(generated.status == 201, generated.body);
    CHECK_SHAPE(generated.json(), module_shape);
    CHECK_FALSE(generated.json().find("approved")->as_bool());
    CHECK(generated.json().find("language")->as_string() == "english");
    const auto module = generated.json().find("id")->as_int();
    const auto module_path = "/api/modules/" + std::to_string(module);
    auto languages = s.get("/api/modules/languages");
    REQUIRE(languages.status == 200);
    std::vector<std::string> keys;
    const Json language_map = languages.json();
    for (const auto& [k, v] : language_map.as_object()) {
        keys.push_back(k);
        CHECK(v.is_string());
    }
    CHECK(keys == std::vector<std::string>{"english", "hindi", "marathi", "bengali", "tamil", "telugu",
                                           "gujarati", "kannada", "malayalam", "punjabi", "odia", "urdu"});
    CHECK_SHAPE(s.get("/api/modules/?skip=0&limit=100&cluster_id=" + std::to_string(cluster), s.admin).json(),
                items(module_shape));
    CHECK_SHAPE(s.get(module_path, s.admin).json(), module_shape);
    CHECK(s.get("/api/modules/999999", s.admin).json().find("detail")->as_string() ==
          "Module with ID 999999 not found");
    const Json approval_shape = Json::object({{"status", "string"},
                                              {"message", "string"},
                                              {"module_id", "int"},
                                              {"language", "string|null"},
                                              {"pdf_id", "int"}});
    auto approved = s.send("PATCH", module_path + "/approve", s.admin);
    REQUIRE_MESSAGE(approved.status == 200, approved.body);
    CHECK_SHAPE(approved.json(), approval_shape);
    CHECK(approved.json().find("message")->as_string() == "Module approved and PDF generated successfully");
    CHECK_SHAPE(s.get(module_path + "/approve", s.admin).json(), approval_shape);
    auto feedback =
        s.post(module_path + "/feedback", Json::object({{"rating", 4}, {"comment", "Useful"}}), s.admin);
    REQUIRE_MESSAGE(feedback.status == 200, feedback.body);
    CHECK_SHAPE(feedback.json(), Json::object({{"id", "int"},
                                               {"module_id", "int"},
                                               {"rating", "int"},
                                               {"comment", "string|null"},
                                               {"tags", "array|null"},
                                               {"submitted_at", "string"}}));
    CHECK(s.post(module_path + "/feedback", Json::object({{"rating", 6}}), s.admin).status == 422);

    // §6 Translation
    auto translated =
        s.post("/api/translation/translate",
               Json::object(
                   {{"text", "Water boils."}, {"target_language", "hindi"}, {"source_language", "english"}}),
               s.admin);
    REQUIRE_MESSAGE(translated.status == 200, translated.body);
    CHECK_SHAPE(translated.json(), Json::object({{"original_text", "string"},
                                                 {"translated_text", "string"},
                                                 {"source_language", "string"},
                                                 {"target_language", "string"}}));
    CHECK(translated.json().find("target_language")->as_string() == "hindi");
    auto unsupported =
        s.post("/api/translation/translate",
               Json::object({{"text", "Water boils."}, {"target_language", "klingon"}}), s.admin);
    REQUIRE(unsupported.status == 422); // deviation: the original answers 400 (README)
    CHECK(unsupported.json().find("detail")->as_string().starts_with("Language 'klingon' is not supported"));
    auto batch = s.post(
        "/api/translation/translate/batch",
        Json::object({{"texts", strings({"Water boils.", "Light travels."})}, {"target_language", "hindi"}}),
        s.admin);
    REQUIRE(batch.status == 200);
    CHECK_SHAPE(batch.json(),
                Json::object({{"translations", items(Json("string"))}, {"target_language", "string"}}));
    CHECK(batch.json().find("translations")->as_array().size() == 2);
    auto tl = s.get("/api/translation/languages");
    CHECK_SHAPE(tl.json(), Json::object({{"languages", items(Json("string"))},
                                         {"language_codes", "object"},
                                         {"model", "string"},
                                         {"description", "string"}}));
    CHECK(tl.json().find("languages")->as_array().size() == 12);

    // §7 Exports
    auto exported = s.send("POST", "/api/exports/module-pdf?module_id=" + std::to_string(module), s.admin);
    REQUIRE_MESSAGE(exported.status == 200, exported.body);
    CHECK_SHAPE(exported.json(),
                Json::object({{"status", "string"}, {"pdf_id", "int"}, {"message", "string"}}));
    const auto pdf_id = std::to_string(exported.json().find("pdf_id")->as_int());
    CHECK(s.send("POST", "/api/exports/module-pdf", s.admin).status == 422);
    CHECK(s.send("POST", "/api/exports/module-pdf?module_id=999999", s.admin)
              .json()
              .find("detail")
              ->as_string() == "Module not found");
    auto pdf = s.get("/api/exports/download/" + pdf_id, s.admin);
    REQUIRE(pdf.status == 200);
    CHECK(pdf.header("content-type") == "application/pdf");
    CHECK(pdf.header("content-disposition").starts_with("attachment; filename=\""));
    CHECK(pdf.body.starts_with("%PDF-"));
    auto exports = s.get("/api/exports?module_id=" + std::to_string(module), s.admin);
    REQUIRE(exports.status == 200);
    const auto filename = exports.json().as_array().front().find("filename")->as_string();
    CHECK(s.get("/exports/" + filename, s.admin).status == 200);
    auto removed = s.send("DELETE", "/api/exports/" + pdf_id, s.admin);
    REQUIRE(removed.status == 200);
    CHECK_SHAPE(removed.json(), Json::object({{"status", "string"}, {"message", "string"}}));
    CHECK(s.get("/api/exports/download/" + pdf_id, s.admin).json().find("detail")->as_string() ==
          "PDF not found");

    // Deletions cascade and answer 204.
    CHECK(s.send("DELETE", module_path, s.admin).status == 204);
    CHECK(s.send("DELETE", manual_path, s.admin).status == 204);
    CHECK(s.send("DELETE", cluster_path, s.admin).status == 204);

    auto logout = s.send("POST", "/api/auth/logout", principal);
    REQUIRE(logout.status == 200);
    CHECK(logout.json().find("message")->as_string() == "Successfully logged out");
}

TEST_CASE("PRD §3.1: PDF export and WhatsApp share, replayed from the requirement's examples") {
    ConformanceServer s;
    REQUIRE(s.server.platform->clusters().get(1)); // the example shares to cluster 1
    const std::int64_t cluster = 1;
    const auto [manual, module] = s.module_for(cluster, "Series and parallel circuits");
    (void)manual;
    const auto module_path = "/api/modules/" + std::to_string(module);
    // The example asks for Hindi ("hi"): the module needs its Hindi translation first.
    auto hindi = s.post(module_path + "/translate", Json::object({{"target_language", "hindi"}}), s.admin);
    REQUIRE_MESSAGE(hindi.status == 200, hindi.body);

    auto exported = s.post(module_path + "/export/pdf",
                           Json::object({{"include_original", true},
                                         {"include_comparison", false},
                                         {"page_size", "A4"},
                                         {"language", "hi"}}),
                           s.admin);
    REQUIRE_MESSAGE(exported.status == 200, exported.body);
    CHECK_SHAPE(exported.json(), pdf_export_shape);
    CHECK(exported.json().find("success")->as_bool());
    const auto pdf_url = exported.json().find("pdf_url")->as_string();
    CHECK(pdf_url.starts_with("/api/files/download/")); // a path, as the requirement shows
    CHECK(pdf_url.ends_with(exported.json().find("filename")->as_string()));
    auto downloaded = s.get(pdf_url, s.admin);
    REQUIRE(downloaded.status == 200);
    CHECK(static_cast<std::int64_t>(downloaded.body.size()) == exported.json().find("file_size")->as_int());

    auto shared = s.post(module_path + "/share/whatsapp",
                         Json::object({{"cluster_id", 1},
                                       {"recipient_numbers", strings({"+919876543210", "+919876543211"})},
                                       {"include_pdf", true},
                                       {"custom_message", "Dear Teachers, here is your personalized training "
                                                          "module for this week."}}),
                         s.admin);
    REQUIRE_MESSAGE(shared.status == 200, shared.body);
    CHECK_SHAPE(shared.json(), share_shape);
    CHECK(shared.json().find("success")->as_bool());
    CHECK(shared.json().find("messages_sent")->as_int() == 2);
    const Json shared_body = shared.json();
    const auto& statuses = shared_body.find("delivery_status")->as_array();
    REQUIRE(statuses.size() == 2);
    for (const auto& st : statuses) {
        CHECK(st.find("status")->as_string() == "sent");
        CHECK(st.find("message_id")->as_string().starts_with("wamid."));
    }
    CHECK(shared.json().find("pdf_attachment")->as_string().ends_with(".pdf"));
}

TEST_CASE("PRD §3.2: video search and module video suggestions") {
    ConformanceServer s;
    const auto cluster = s.server.platform->clusters().list()->front().id;
    const auto [manual, module] = s.module_for(cluster, "Series and parallel circuits");
    (void)manual;

    auto found = s.post("/api/videos/search",
                        Json::object({{"topic", "Photosynthesis for tribal schools without lab"},
                                      {"language", "hi"},
                                      {"max_results", 5},
                                      {"video_duration", "short"}}),
                        s.admin);
    REQUIRE_MESSAGE(found.status == 200, found.body);
    CHECK_SHAPE(found.json(), video_search_shape);
    CHECK(found.json().find("success")->as_bool());
    CHECK(found.json().find("total_results")->as_int() == 5);
    CHECK(found.json().find("videos")->as_array().size() == 5);
    const auto v = found.json().find("videos")->as_array().front();
    CHECK(v.find("watch_url")->as_string() ==
          "https://www.youtube.com/watch?v=" + v.find("video_id")->as_string());
    CHECK(v.find("embed_url")->as_string() ==
          "https://www.youtube.com/embed/" + v.find("video_id")->as_string());
    CHECK(v.find("published_date")->as_string() == "2025-08-15");
    // video_duration reached YouTube as videoDuration.
    bool short_asked = false;
    for (const auto& r : s.youtube.requests())
        if (r.target.find("videoDuration=short") != std::string::npos) short_asked = true;
    CHECK(short_asked);
    // The older names still work.
    auto older = s.post("/api/videos/search",
                        Json::object({{"query", "photosynthesis"}, {"duration", "medium"}}), s.admin);
    CHECK(older.status == 200);
    CHECK(s.post("/api/videos/search", Json::object({{"language", "hi"}}), s.admin).status == 422);

    const auto path = "/api/modules/" + std::to_string(module) + "/video-suggestions?limit=3";
    auto first = s.get(path, s.admin);
    REQUIRE_MESSAGE(first.status == 200, first.body);
    CHECK_SHAPE(first.json(), suggestions_shape);
    CHECK_FALSE(first.json().find("cached")->as_bool());
    CHECK(first.json().find("suggested_videos")->as_array().size() == 3);
    CHECK(first.json().find("module_title")->as_string() == s.server.platform->modules().get(module)->title);
    auto second = s.get(path, s.admin);
    CHECK_SHAPE(second.json(), suggestions_shape);
    CHECK(second.json().find("cached")->as_bool());
    CHECK_SHAPE(s.get(path + "&refresh=true", s.admin).json(), suggestions_shape);

    auto langs = s.get("/api/videos/languages", s.admin); // §10.1
    REQUIRE(langs.status == 200);
    CHECK_SHAPE(langs.json(),
                items(Json::object({{"key", "string"}, {"code", "string"}, {"name", "string"}})));
}

TEST_CASE("PRD §4.1: feedback summary and module performance") {
    ConformanceServer s;
    const auto cluster = s.server.platform->clusters().list()->front().id;
    const auto [manual, good] = s.module_for(cluster, "Series and parallel circuits");
    const auto bad =
        s.server.platform->modules().generate({manual, cluster, "Lemon battery", "english", {}})->id;
    const auto teacher = s.server.teacher();
    for (int i = 0; i < 6; ++i) {
        REQUIRE(s.post("/api/modules/" + std::to_string(good) + "/feedback",
                       Json::object({{"rating", 5}, {"comment", "Clear steps"}}), teacher)
                    .status == 200);
        REQUIRE(s.post("/api/modules/" + std::to_string(bad) + "/feedback",
                       Json::object({{"rating", 1}, {"comment", "Too technical for primary teachers"}}),
                       teacher)
                    .status == 200);
    }

    auto summary =
        s.get("/api/analytics/feedback/summary?cluster_id=" + std::to_string(cluster) +
                  "&manual_id=" + std::to_string(manual) + "&date_from=2020-01-01&date_to=2100-12-31",
              s.admin);
    REQUIRE_MESSAGE(summary.status == 200, summary.body);
    CHECK_SHAPE(summary.json(), summary_shape);
    CHECK(summary.json().find("total_feedback")->as_int() == 12);
    CHECK(summary.json().find("helpful_count")->as_int() == 6);
    CHECK(summary.json().find("feedback_by_cluster")->as_array().at(0).find("total")->as_int() == 12);
    CHECK(summary.json().find("feedback_over_time")->as_array().at(0).find("not_helpful")->as_int() == 6);
    bool technical = false;
    const Json summary_body = summary.json();
    for (const auto& issue : summary_body.find("common_issues")->as_array())
        if (issue.as_string().find("technical") != std::string::npos) technical = true;
    CHECK(technical);

    auto performance = s.get("/api/analytics/modules/performance", s.admin);
    REQUIRE_MESSAGE(performance.status == 200, performance.body);
    CHECK_SHAPE(performance.json(), performance_shape);
    const Json performance_body = performance.json();
    const auto& top = performance_body.find("top_modules")->as_array();
    const auto& under = performance_body.find("underperforming_modules")->as_array();
    REQUIRE(top.size() == 1);
    REQUIRE(under.size() == 1);
    CHECK(top[0].find("module_id")->as_int() == good);
    CHECK(under[0].find("module_id")->as_int() == bad); // helpful 0 of 6: never a top module
    CHECK(under[0].find("feedback_count")->as_int() == 6);
    CHECK(under[0].find("helpfulness_rate")->as_double() == 0.0);
}

TEST_CASE("PRD §4.2 and §10.1: login with username, refresh, logout, detailed health") {
    ConformanceServer s;
    REQUIRE(s.server.platform->auth().create_user({.username = "dr.kumar",
                                                   .email = "dr.kumar@diet.gov.in",
                                                   .name = "Dr. Kumar",
                                                   .role = Role::admin,
                                                   .password = "SecurePass123!"}));
    auto login =
        s.post("/api/auth/login",
               Json::object({{"username", "dr.kumar@diet.gov.in"}, {"password", "SecurePass123!"}}), {});
    REQUIRE_MESSAGE(login.status == 200, login.body);
    CHECK_SHAPE(login.json(), prd_login_shape);
    CHECK(login.json().find("token_type")->as_string() == "bearer");
    CHECK(login.json().find("expires_in")->as_int() == 3600);
    CHECK(login.json().find("user")->find("full_name")->as_string() == "Dr. Kumar");
    CHECK(login.json().find("user")->find("role")->as_string() == "admin");
    const auto token = login.json().find("access_token")->as_string();

    auto refreshed =
        s.post("/api/auth/refresh",
               Json::object({{"refresh_token", login.json().find("refresh_token")->as_string()}}), {});
    REQUIRE(refreshed.status == 200);
    CHECK_SHAPE(refreshed.json(), prd_login_shape);

    auto health = s.get("/api/health/detailed", token);
    REQUIRE_MESSAGE(health.status == 200, health.body);
    CHECK_SHAPE(health.json(), health_detailed_shape);
    CHECK(health.json().find("database")->find("ok")->as_bool());
    CHECK(health.json().find("database")->find("schema_version")->as_int() == schema_version());
    CHECK(health.json().find("disk")->find("available_bytes")->as_int() > 0);
    const Json health_body = health.json();
    const auto& providers = *health_body.find("providers");
    CHECK(providers.find("youtube")->find("configured")->as_bool());
    CHECK_FALSE(providers.find("llm")->find("configured")->as_bool()); // the offline adapter
    // A call to a provider shows up as its last success.
    REQUIRE(s.post("/api/translation/translate",
                   Json::object({{"text", "Water boils."}, {"target_language", "hindi"}}), token)
                .status == 200);
    auto after = s.get("/api/health/detailed", token);
    CHECK(after.json().find("providers")->find("translation.google")->find("last_success")->is_string());
    CHECK(s.get("/api/health/detailed", s.server.teacher()).status == 403);
    CHECK(s.get("/api/health/detailed").status == 401);

    auto logout = s.send("POST", "/api/auth/logout", token);
    REQUIRE(logout.status == 200);
    CHECK_SHAPE(logout.json(), Json::object({{"message", "string"}}));
    CHECK(s.get("/api/auth/me", token).status == 401); // revoked
}

TEST_CASE("the OpenAPI document names the requirement's routes") {
    ConformanceServer s;
    auto doc = s.get("/api/v1/openapi.json");
    REQUIRE(doc.status == 200);
    const Json document = doc.json();
    const Json* paths = document.find("paths");
    REQUIRE(paths);
    for (const char* p :
         {"/api/modules/{id}/export/pdf", "/api/modules/{id}/share/whatsapp", "/api/videos/search",
          "/api/videos/languages", "/api/modules/{id}/video-suggestions", "/api/auth/login",
          "/api/auth/refresh", "/api/auth/logout", "/api/analytics/feedback/summary",
          "/api/analytics/modules/performance", "/api/health/detailed"}) {
        CHECK_MESSAGE(paths->find(p) != nullptr, p);
    }
    // The document shows the requirement's shapes: every member the suite requires is required there.
    auto required = [&](const std::string& path, const std::string& method) {
        std::vector<std::string> out;
        const Json* op = paths->find(path) ? paths->find(path)->find(method) : nullptr;
        const Json* schema = op ? op->find("responses") : nullptr;
        for (const char* step : {"200", "content", "application/json", "schema"})
            schema = schema ? schema->find(step) : nullptr;
        if (const Json* req = schema ? schema->find("required") : nullptr)
            for (const auto& r : req->as_array())
                out.push_back(r.as_string());
        return out;
    };
    for (const auto& [path, method, shape] :
         {std::tuple{"/api/modules/{id}/export/pdf", "post", &pdf_export_shape},
          std::tuple{"/api/modules/{id}/share/whatsapp", "post", &share_shape},
          std::tuple{"/api/videos/search", "post", &video_search_shape},
          std::tuple{"/api/modules/{id}/video-suggestions", "get", &suggestions_shape},
          std::tuple{"/api/analytics/feedback/summary", "get", &summary_shape},
          std::tuple{"/api/analytics/modules/performance", "get", &performance_shape},
          std::tuple{"/api/auth/login", "post", &prd_login_shape},
          std::tuple{"/api/health/detailed", "get", &health_detailed_shape},
          std::tuple{"/api/manuals/{id}/index", "post", &manual_shape}}) {
        const auto names = required(path, method);
        for (const auto& [key, member] : shape->as_object()) {
            (void)member;
            CHECK_MESSAGE(std::ranges::find(names, key) != names.end(), path << " lacks " << key);
        }
    }
}
