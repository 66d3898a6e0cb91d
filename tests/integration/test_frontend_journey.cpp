// The original Shiksha-Setu frontend's journey (../shared/API_CONTRACT.md), scripted as the
// browser sends it: CORS preflights from its origin, log in, upload without a token, index
// (synchronous), create a cluster, generate, open the module, give feedback, approve, translate
// with a provider configured (the local Google Translate fake), export and download.
#include "fake_google_translate.hpp"
#include "server_fixture.hpp"

#include <fstream>
#include <sstream>

using namespace shiksha;
using namespace shiksha::test;

namespace {

const std::string origin = "http://localhost:5173";

/// What the browser adds to every call through the frontend's axios client.
Headers browser(const std::string& token = {}, bool json = false) {
    Headers h{{"Origin", origin}, {"Accept", "application/json, text/plain, */*"}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    if (json) h.emplace_back("Content-Type", "application/json");
    return h;
}

} // namespace

TEST_CASE("the original frontend's journey: log in, upload, index, cluster, generate, open, feedback, "
          "approve, translate, export, download") {
    FakeGoogleTranslate google;
    google.add_translations("en", "hi", {{"Connect two bulbs in series.", "दो बल्बों को श्रृंखला में जोड़ें।"}});
    TestServer s([&](Config& c) {
        c.server.allow_anonymous_upload = true; // the contract's upload sends no token
        c.translation.providers = "google";
        c.translation.google_base_url = google.base_url();
        c.translation.google_api_key = "google-test-key";
    });
    HttpClient c(s.port);

    // The login page posts JSON: first a preflight from the frontend's origin.
    auto preflight = c.request("OPTIONS", "/api/auth/login", {},
                               {{"Origin", origin},
                                {"Access-Control-Request-Method", "POST"},
                                {"Access-Control-Request-Headers", "content-type"}});
    CHECK(preflight.status == 200);
    CHECK(preflight.header("access-control-allow-origin") == origin);
    CHECK(preflight.header("access-control-allow-credentials") == "true");

    // 1. Log in with the "Quick Demo Login" admin account.
    auto login =
        c.request("POST", "/api/auth/login",
                  Json::object({{"email", "admin@shiksha-setu.gov.in"}, {"password", "admin123"}}).dump(),
                  browser({}, true));
    REQUIRE_MESSAGE(login.status == 200, login.body);
    CHECK(login.header("access-control-allow-origin") == origin);
    const auto token = login.json().find("access_token")->as_string();
    CHECK(login.json().find("user")->find("role")->as_string() == "admin");
    // The admin dashboard loads these at once: 404 (not 401), or the UI would log out.
    CHECK(c.request("GET", "/api/admin/overview", {}, browser(token)).status == 404);
    CHECK(c.request("GET", "/health", {}, browser()).json().find("status")->as_string() == "healthy");

    // 2. Upload: raw axios, multipart, no Authorization header.
    const std::string boundary = "----WebKitFormBoundaryJourney";
    const std::string body =
        "--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"handbook.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n" +
        read_file(sample_manual) + "\r\n--" + boundary + "--\r\n";
    auto uploaded =
        c.request("POST", "/api/manuals/upload?title=Low-Cost%20Science%20Handbook", body,
                  {{"Origin", origin}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
    REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
    CHECK(uploaded.json().find("processed")->as_string() == "pending");
    const auto manual = uploaded.json().find("id")->as_int();

    // 3. "Index" on the manual's card: synchronous, the card then shows it indexed.
    auto indexed = c.request("POST", "/api/manuals/" + std::to_string(manual) + "/index", {}, browser(token));
    REQUIRE_MESSAGE(indexed.status == 200, indexed.body);
    CHECK(indexed.json().find("indexed")->as_bool());
    CHECK(indexed.json().find("processed")->as_string() == "completed");
    auto manuals = c.request("GET", "/api/manuals/", {}, browser(token));
    REQUIRE(manuals.status == 200);
    CHECK(manuals.json().as_array().front().find("indexed")->as_bool());

    // 4. Create a cluster (the form's keys; grade_range is ignored).
    auto cluster = c.request("POST", "/api/clusters/",
                             Json::object({{"name", "Koraput Journey Cluster"},
                                           {"region_type", "Tribal Belt"},
                                           {"language", "Odia"},
                                           {"infrastructure_constraints", "Low"},
                                           {"key_issues", "No electricity in half the schools"},
                                           {"grade_range", "6-8"}})
                                 .dump(),
                             browser(token, true));
    REQUIRE_MESSAGE(cluster.status == 201, cluster.body);
    const auto cluster_id = cluster.json().find("id")->as_int();
    auto clusters = c.request("GET", "/api/clusters/", {}, browser(token));
    REQUIRE(clusters.status == 200);
    CHECK(clusters.json().as_array().front().find("primary_language") != nullptr); // the generator reads it

    // 5. Generate (parseInt ids and the language key the generator's select sends).
    auto generated = c.request("POST", "/api/modules/generate",
                               Json::object({{"manual_id", manual},
                                             {"cluster_id", cluster_id},
                                             {"topic", "Series and parallel circuits"},
                                             {"target_language", "english"}})
                                   .dump(),
                               browser(token, true));
    REQUIRE_MESSAGE(generated.status == 201, generated.body);
    const auto module = generated.json().find("id")->as_int();
    const auto module_path = "/api/modules/" + std::to_string(module);

    // 6. Open it from the library: the list, then the module.
    auto library = c.request("GET", "/api/modules/", {}, browser(token));
    REQUIRE(library.status == 200);
    CHECK(library.json().as_array().back().find("id")->as_int() == module);
    auto opened = c.request("GET", module_path, {}, browser(token));
    REQUIRE(opened.status == 200);
    CHECK(opened.json().find("cluster_id")->as_int() == cluster_id);
    CHECK(opened.json().find("manual_id")->as_int() == manual);
    CHECK_FALSE(opened.json().find("adapted_content")->as_string().empty());

    // 7. Feedback {rating, comment}.
    auto feedback = c.request("POST", module_path + "/feedback",
                              Json::object({{"rating", 4}, {"comment", "Worked with torch bulbs"}}).dump(),
                              browser(token, true));
    REQUIRE_MESSAGE(feedback.status == 200, feedback.body);
    CHECK(feedback.json().find("module_id")->as_int() == module);

    // 8. Approve (the library's button also renders a PDF).
    auto approved = c.request("PATCH", module_path + "/approve", {}, browser(token));
    REQUIRE_MESSAGE(approved.status == 200, approved.body);
    CHECK(approved.json().find("status")->as_string() == "success");
    CHECK(c.request("GET", module_path, {}, browser(token)).json().find("approved")->as_bool());

    // 9. Translate page, with a provider configured: the fake's Hindi comes back.
    auto translated = c.request("POST", "/api/translation/translate",
                                Json::object({{"text", "Connect two bulbs in series."},
                                              {"source_language", "english"},
                                              {"target_language", "hindi"}})
                                    .dump(),
                                browser(token, true));
    REQUIRE_MESSAGE(translated.status == 200, translated.body);
    CHECK(translated.json().find("translated_text")->as_string() == "दो बल्बों को श्रृंखला में जोड़ें।");
    CHECK_FALSE(google.requests().empty());

    // 10. Export & Share: module-pdf, then the blob download.
    auto exported =
        c.request("POST", "/api/exports/module-pdf?module_id=" + std::to_string(module), {}, browser(token));
    REQUIRE_MESSAGE(exported.status == 200, exported.body);
    const auto pdf_id = exported.json().find("pdf_id")->as_int();
    auto pdf = c.request("GET", "/api/exports/download/" + std::to_string(pdf_id), {}, browser(token));
    REQUIRE(pdf.status == 200);
    CHECK(pdf.header("content-type") == "application/pdf");
    CHECK(pdf.header("access-control-allow-origin") == origin);
    CHECK(pdf.body.starts_with("%PDF-"));
    CHECK(pdf.body.size() > 1000);
}
