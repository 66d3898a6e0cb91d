// Translation over real HTTP: translate, batch (both paths), languages, glossary CRUD, memory,
// module translation; offline errors are explicit.
#include "fake_google_translate.hpp"
#include "server_fixture.hpp"

using namespace shiksha;
using namespace shiksha::test;
using namespace std::chrono_literals;

namespace {

struct GoogleServer {
    FakeGoogleTranslate google;
    TestServer server;
    GoogleServer()
        : server([this](Config& c) {
              c.translation.providers = "google";
              c.translation.google_base_url = google.base_url();
              c.translation.google_api_key = "google-test-key";
              c.net.backoff_base = 1ms;
              c.net.backoff_max = 5ms;
          }) {
        google.add_translations("en", "hi",
                                {{"Ice melts.", "बर्फ पिघलती है।"}, {"Water boils.", "पानी उबलता है।"}});
    }
};

} // namespace

TEST_CASE("translate and batch answer in the contract's shapes") {
    GoogleServer g;
    auto& s = g.server;
    const auto token = s.teacher();
    HttpClient c(s.port);
    auto one = c.post_json(
        "/api/translation/translate",
        Json::object({{"text", "Ice melts.\n- Water boils."}, {"target_language", "Hindi"}}), token);
    REQUIRE_MESSAGE(one.status == 200, one.body);
    CHECK(one.json().find("translated_text")->as_string() == "बर्फ पिघलती है।\n- पानी उबलता है।");
    CHECK(one.json().find("original_text")->as_string() == "Ice melts.\n- Water boils.");
    CHECK(one.json().find("target_language")->as_string() == "Hindi"); // echoed as sent
    CHECK(one.json().find("source_language")->as_string() == "english");
    for (const std::string path : {"/api/translation/translate/batch", "/api/translation/batch"}) {
        auto many = c.post_json(
            path,
            Json::object({{"texts", Json(Json::Array{"Ice melts.", "Water boils.", "Ice melts."})},
                          {"target_language", "hindi"}}),
            token);
        REQUIRE_MESSAGE(many.status == 200, many.body);
        const Json reply = many.json();
        const auto& out = reply.find("translations")->as_array();
        REQUIRE(out.size() == 3);
        CHECK(out[1].as_string() == "पानी उबलता है।");
        CHECK(reply.find("stats")->find("memory_hits")->as_int() == 2); // from the first call
    }
    auto unsupported = c.post_json("/api/translation/translate",
                                   Json::object({{"text", "x"}, {"target_language", "klingon"}}), token);
    CHECK(unsupported.status == 422);
    CHECK(unsupported.json().find("detail")->as_string().starts_with("Language 'klingon' is not supported."));
    CHECK(c.post_json("/api/translation/translate",
                      Json::object({{"text", ""}, {"target_language", "hindi"}}), token)
              .status == 422);
    CHECK(c.post_json("/api/translation/batch",
                      Json::object({{"texts", Json::array()}, {"target_language", "hindi"}}), token)
              .status == 422);
}

TEST_CASE("languages are the contract's twelve names and codes") {
    TestServer s;
    HttpClient c(s.port);
    auto r = c.get("/api/translation/languages");
    REQUIRE(r.status == 200);
    const Json body = r.json();
    const auto& names = body.find("languages")->as_array();
    REQUIRE(names.size() == 12);
    CHECK(names[4].as_string() == "telugu");
    CHECK(names[10].as_string() == "urdu");
    CHECK(body.find("language_codes")->find("odia")->as_string() == "or");
    CHECK(body.find("model")->as_string() == "translation memory only");
    CHECK(body.find("registry")->as_array().size() == 13);
}

TEST_CASE("glossary CRUD and the memory endpoint; offline translation says what to configure") {
    TestServer s;
    const auto coordinator = s.principal();
    const auto teacher = s.teacher();
    HttpClient c(s.port);
    auto added = c.post_json("/api/translation/glossary",
                             Json::object({{"language", "hi"}, {"term", "NEP 2020"}}), coordinator);
    REQUIRE_MESSAGE(added.status == 201, added.body);
    CHECK(added.json().find("keep")->as_bool());
    const auto id = std::to_string(added.json().find("id")->as_int());
    CHECK(c.post_json("/api/translation/glossary", Json::object({{"language", "hi"}, {"term", "x"}}), teacher)
              .status == 403);
    auto listed = c.get("/api/translation/glossary?language=hindi", teacher);
    CHECK(listed.json().as_array().size() == 1);
    auto changed = c.send_json(
        "PUT", "/api/translation/glossary/" + id,
        Json::object({{"language", "hindi"}, {"term", "NEP 2020"}, {"translation", "एनईपी 2020"}}),
        coordinator);
    CHECK(changed.json().find("translation")->as_string() == "एनईपी 2020");
    CHECK(c.request("DELETE", "/api/translation/glossary/" + id, {},
                    {{"Authorization", "Bearer " + coordinator}})
              .status == 204);

    auto offline = c.post_json("/api/translation/translate",
                               Json::object({{"text", "Ice melts."}, {"target_language", "hindi"}}), teacher);
    CHECK(offline.status == 503);
    CHECK(offline.json().find("detail")->as_string().find("SHIKSHA_TRANSLATE_PROVIDER") != std::string::npos);
    CHECK(c.post_json("/api/translation/memory",
                      Json::object({{"source_text", "Ice melts."},
                                    {"translation", "बर्फ पिघलती है।"},
                                    {"target_language", "hindi"}}),
                      coordinator)
              .status == 201);
    auto remembered =
        c.post_json("/api/translation/translate",
                    Json::object({{"text", "Ice melts."}, {"target_language", "hindi"}}), teacher);
    CHECK(remembered.status == 200);
    CHECK(remembered.json().find("translated_text")->as_string() == "बर्फ पिघलती है।");
}
