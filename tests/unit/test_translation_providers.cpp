// The machine-translation providers against local fakes of their services: Google Cloud
// Translation v2, Bhashini's ULCA pipeline and an OpenAI-compatible chat model. The fakes
// refuse what the real services refuse, so a passing call proves the request's shape.
// Where shared/corpus is present, FLORES-200 dev sentences (English line n ↔ Hindi/Tamil line n)
// are the fakes' dictionaries; those cases say SKIPPED without it.
#include "net/http_client.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include "fake_bhashini.hpp"
#include "fake_google_translate.hpp"
#include "fake_openai.hpp"
#include "result_printing.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;
using namespace shiksha::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

/// Fast retries: 1 ms backoff, every wait capped at 5 ms.
NetConfig fast_net() {
    NetConfig net;
    net.backoff_base = 1ms;
    net.backoff_max = 5ms;
    net.read_timeout = 10s;
    return net;
}

std::size_t code_points(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text)
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    return n;
}

/// Sentences written for these tests, with the characters form encoding and HTML escaping must
/// survive ('&', '+', '=', '%', quotes, angle brackets) and a placeholder.
const std::map<std::string, std::string>& own_en_hi() {
    static const std::map<std::string, std::string> dictionary = {
        {"Water boils at 100 degrees Celsius.", "पानी 100 डिग्री सेल्सियस पर उबलता है।"},
        {"Plants make their food from sunlight.", "पौधे सूरज की रोशनी से अपना भोजन बनाते हैं।"},
        {"Ask the students to work in pairs & share: 2 + 3 = 5 (100% sure).",
         "छात्रों से जोड़ियों में काम करने और साझा करने को कहें: 2 + 3 = 5 (100% पक्का)।"},
        {"The teacher's \"magic\" box <for ⟦1⟧> is ready.", "शिक्षक का \"जादुई\" डिब्बा <⟦1⟧ के लिए> तैयार है।"},
    };
    return dictionary;
}

std::vector<std::string> keys_of(const std::map<std::string, std::string>& dictionary) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : dictionary)
        keys.push_back(key);
    return keys;
}

std::vector<std::string> translations_of(const std::map<std::string, std::string>& dictionary,
                                         const std::vector<std::string>& texts) {
    std::vector<std::string> out;
    for (const auto& text : texts)
        out.push_back(dictionary.at(text));
    return out;
}

// ---- FLORES-200 from shared/corpus ------------------------------------------------------------

std::optional<fs::path> flores_dir() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) candidates.emplace_back(env);
    candidates.emplace_back("/work/shared/corpus");
    for (const auto& c : candidates) {
        const fs::path dir = c / "parallel" / "flores200_dev_first100";
        std::error_code ec;
        if (fs::is_regular_file(dir / "eng_Latn.txt", ec)) return dir;
    }
    return std::nullopt;
}

std::vector<std::string> read_lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

/// English line n → `language` line n (e.g. "hin_Deva"), for every line both files have.
struct Parallel {
    std::vector<std::string> english;
    std::map<std::string, std::string> dictionary;
};

Parallel flores(const fs::path& dir, const std::string& language) {
    Parallel out;
    const auto english = read_lines(dir / "eng_Latn.txt");
    const auto other = read_lines(dir / (language + ".txt"));
    REQUIRE(english.size() == other.size());
    for (std::size_t i = 0; i < english.size(); ++i) {
        // The first occurrence wins should a sentence repeat; tests then expect that translation.
        if (english[i].empty() || out.dictionary.contains(english[i])) continue;
        out.english.push_back(english[i]);
        out.dictionary.emplace(english[i], other[i]);
    }
    return out;
}

// `dir` names the variable the macro declares, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SKIP_WITHOUT_FLORES(dir)                                                                             \
    const auto dir = flores_dir();                                                                           \
    if (!dir) {                                                                                              \
        MESSAGE("SKIPPED: FLORES corpus not found (set SHIKSHA_CORPUS_DIR or provide /work/shared/corpus)"); \
        return;                                                                                              \
    }
// NOLINTEND(bugprone-macro-parentheses)

/// Splits `texts` into batches that fit `limits`, as the translation engine does.
std::vector<std::vector<std::string>> batches(const std::vector<std::string>& texts,
                                              const TranslationLimits& limits) {
    std::vector<std::vector<std::string>> out;
    std::size_t used = 0;
    for (const auto& text : texts) {
        const std::size_t n = code_points(text);
        REQUIRE(n <= limits.max_code_points);
        if (out.empty() || out.back().size() == limits.max_segments || used + n > limits.max_code_points) {
            out.emplace_back();
            used = 0;
        }
        out.back().push_back(text);
        used += n;
    }
    return out;
}

/// Translates every text in batches within the provider's limits; the outputs in order.
std::vector<std::string> translate_all(const TranslationProvider& provider, const std::string& source,
                                       const std::string& target, const std::vector<std::string>& texts) {
    std::vector<std::string> out;
    for (auto& batch : batches(texts, provider.limits())) {
        auto translated = provider.translate({source, target, batch});
        REQUIRE(translated);
        REQUIRE(translated->size() == batch.size());
        out.insert(out.end(), translated->begin(), translated->end());
    }
    return out;
}

// ---- Google -----------------------------------------------------------------------------------

std::shared_ptr<const TranslationProvider> google(const FakeGoogleTranslate& fake,
                                                  const std::string& key = "google-test-key") {
    auto provider = make_google_translator({.base_url = fake.base_url(), .api_key = key, .net = fast_net()});
    REQUIRE(provider);
    return *provider;
}

// ---- Bhashini ---------------------------------------------------------------------------------

std::shared_ptr<const TranslationProvider> bhashini(const FakeBhashini& fake, std::string api_key = {}) {
    BhashiniConfig config;
    config.pipeline_url = fake.pipeline_url();
    config.user_id = fake.options().user_id;
    config.api_key = api_key.empty() ? fake.options().api_key : std::move(api_key);
    config.net = fast_net();
    auto provider = make_bhashini_translator(config);
    REQUIRE(provider);
    return *provider;
}

// ---- LLM --------------------------------------------------------------------------------------

std::shared_ptr<const TranslationProvider> llm_translator(const FakeOpenAi& fake) {
    OpenAiChatConfig config;
    config.base_url = fake.base_url();
    config.api_key = "test-key";
    config.model = "llama-test";
    config.net = fast_net();
    auto client = make_openai_chat_client(config);
    REQUIRE(client);
    return make_llm_translator(*client);
}

/// The JSON array of inputs that the user message carries.
std::vector<std::string> inputs_in_prompt(const Json& request) {
    const Json* messages = request.find("messages");
    REQUIRE(messages != nullptr);
    REQUIRE(messages->as_array().size() >= 2);
    const std::string& user = messages->as_array()[1].find("content")->as_string();
    const auto start = user.find("\n[");
    const auto end = user.find("\n]", start);
    REQUIRE(start != std::string::npos);
    REQUIRE(end != std::string::npos);
    auto parsed = Json::parse(std::string_view(user).substr(start + 1, end + 2 - start - 1));
    REQUIRE(parsed);
    std::vector<std::string> out;
    for (const Json& item : parsed->as_array())
        out.push_back(item.as_string());
    return out;
}

std::string translations_json(const std::vector<std::string>& texts) {
    Json array = Json::array();
    for (const auto& text : texts)
        array.push_back(text);
    return Json::object({{"translations", std::move(array)}}).dump();
}

/// A model that translates the inputs in its prompt from `dictionary` (unknown texts as they are).
FakeChatReply dictionary_model(std::map<std::string, std::string> dictionary) {
    return FakeChatReply::computed([dictionary = std::move(dictionary)](const Json& request) {
        std::vector<std::string> out;
        for (const auto& text : inputs_in_prompt(request)) {
            const auto it = dictionary.find(text);
            out.push_back(it == dictionary.end() ? text : it->second);
        }
        return FakeChatReply::ok(translations_json(out));
    });
}

const std::string& message_content(const FakeChatRequest& request, std::size_t i) {
    return request.body.find("messages")->as_array().at(i).find("content")->as_string();
}

} // namespace

// =================================================================================================
// Google Cloud Translation v2
// =================================================================================================

TEST_CASE(
    "google: a batch is one form-encoded POST with repeated q and the key in the body; outputs in order") {
    FakeGoogleTranslate fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = google(fake);
    CHECK(provider->name() == "google");
    CHECK(provider->limits().max_segments == 128);
    CHECK(provider->limits().max_code_points == 5000);

    const std::vector<std::string> texts = keys_of(own_en_hi());
    auto translated = provider->translate({"en", "hi", texts});
    REQUIRE(translated);
    CHECK(*translated == translations_of(own_en_hi(), texts));

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    const auto& r = requests[0];
    CHECK(r.rejection == "");
    CHECK(r.http.method == "POST");
    CHECK(r.http.target == "/language/translate/v2"); // no key (or anything else) in the URL
    CHECK(r.http.query.empty());
    CHECK(r.http.header("content-type") == "application/x-www-form-urlencoded");
    CHECK(r.q == texts);
    CHECK(r.fields.count("target") == 1);
    CHECK(r.field("target") == "hi");
    CHECK(r.field("source") == "en");
    CHECK(r.field("format") == "text");
    CHECK(r.field("key") == "google-test-key");
    // Percent-encoded: no raw UTF-8 or a bare '+' / '=' from a text can reach the wire.
    for (const char c : r.http.body)
        CHECK(static_cast<unsigned char>(c) < 0x80);
    CHECK_FALSE(contains(r.http.body, "2 + 3"));
}

TEST_CASE("google: FLORES English sentences come back as their Hindi and Tamil lines, in order") {
    SKIP_WITHOUT_FLORES(dir);
    for (const std::string language : {"hin_Deva", "tam_Taml"}) {
        CAPTURE(language);
        const std::string code = language == "hin_Deva" ? "hi" : "ta";
        const Parallel corpus = flores(*dir, language);
        FakeGoogleTranslate fake;
        fake.add_translations("en", code, corpus.dictionary);
        const auto provider = google(fake);
        const auto out = translate_all(*provider, "en", code, corpus.english);
        CHECK(out == translations_of(corpus.dictionary, corpus.english));
        // 100 sentences of ~130 characters need several requests under the 5,000 limit.
        CHECK(fake.request_count() > 1);
        for (const auto& r : fake.requests())
            CHECK(r.rejection == "");
    }
}

TEST_CASE("google: HTML entities Google puts in answers are decoded, once") {
    FakeGoogleOptions options;
    options.escape_html = true; // ' " & < > come back as &#39; &quot; &amp; &lt; &gt;
    FakeGoogleTranslate fake(options);
    std::map<std::string, std::string> dictionary = own_en_hi();
    // A translation that really contains "&lt;" must come back as "&lt;", not "<".
    dictionary["Write &lt; on the board."] = "बोर्ड पर &lt; लिखें।";
    fake.add_translations("en", "hi", dictionary);
    const auto provider = google(fake);

    const std::vector<std::string> texts = keys_of(dictionary);
    auto translated = provider->translate({"en", "hi", texts});
    REQUIRE(translated);
    CHECK(*translated == translations_of(dictionary, texts));

    // The wire really carried entities: ask the fake directly.
    detail::HttpClient client(fast_net());
    auto raw = client.send(
        {"POST",
         fake.base_url() + "/language/translate/v2",
         {{"Content-Type", "application/x-www-form-urlencoded"}},
         "q=Write%20%26lt%3B%20on%20the%20board.&q=The%20teacher%27s%20%22magic%22%20box%20%3Cfor%20"
         "%E2%9F%A61%E2%9F%A7%3E%20is%20ready.&target=hi&source=en&format=text&key=google-test-key"});
    REQUIRE(raw);
    CHECK(contains(raw->body, "&amp;lt;"));
    CHECK(contains(raw->body, "&quot;"));
    CHECK(contains(raw->body, "&lt;⟦1⟧"));
}

TEST_CASE("google: numeric and named entities decode; unknown ones are left as written") {
    FakeHttpServer server([](const FakeRequest&) {
        return FakeResponse::json(
            200,
            Json::object(
                {{"data", Json::object({{"translations",
                                         Json::Array{
                                             Json::object({{"translatedText",
                                                            "it&#39;s &#x27;a&#x27; &quot;b&quot; &amp;amp; "
                                                            "&nbsp;&copy; &#0; &#xD800; & ;"}}),
                                         }}})}})
                .dump());
    });
    auto provider = make_google_translator({.base_url = server.url("/").substr(0, server.url("/").size() - 1),
                                            .api_key = "k",
                                            .net = fast_net()});
    REQUIRE(provider);
    auto out = (*provider)->translate({"en", "hi", {"x"}});
    REQUIRE(out);
    CHECK(out->at(0) == "it's 'a' \"b\" &amp; \u00A0&copy; &#0; &#xD800; & ;");
}

TEST_CASE("google: blank texts are not sent and come back as they are") {
    FakeGoogleTranslate fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = google(fake);

    auto translated = provider->translate({"en", "hi", {"", "Water boils at 100 degrees Celsius.", "  \n"}});
    REQUIRE(translated);
    CHECK(*translated == std::vector<std::string>{"", "पानी 100 डिग्री सेल्सियस पर उबलता है।", "  \n"});
    REQUIRE(fake.request_count() == 1);
    CHECK(fake.requests()[0].q == std::vector<std::string>{"Water boils at 100 degrees Celsius."});

    auto only_blank = provider->translate({"en", "hi", {"", " "}});
    REQUIRE(only_blank);
    CHECK(*only_blank == std::vector<std::string>{"", " "});
    auto empty = provider->translate({"en", "hi", {}});
    REQUIRE(empty);
    CHECK(empty->empty());
    CHECK(fake.request_count() == 1);
}

TEST_CASE("google: unknown texts come back with the fake's marker") {
    FakeGoogleTranslate fake;
    const auto provider = google(fake);
    auto translated = provider->translate({"en", "ta", {"Nobody taught me this."}});
    REQUIRE(translated);
    CHECK(translated->at(0) == FakeGoogleTranslate::untranslated("ta", "Nobody taught me this."));
}

TEST_CASE("google: a wrong key is unauthenticated, and the key never appears in the error") {
    FakeGoogleTranslate fake;
    const auto provider = google(fake, "wrong-secret-key-123");
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unauthenticated);
    CHECK(contains(translated.error().message, "API key not valid"));
    CHECK_FALSE(contains(translated.error().message, "wrong-secret-key-123"));
    CHECK(fake.request_count() == 1); // a 400 is not retried
    CHECK(fake.requests()[0].rejection == "wrong key");
}

TEST_CASE("google: a spent quota (403 dailyLimitExceeded / userRateLimitExceeded) is rate_limited at once") {
    for (const auto failure : {FakeGoogleFailure::daily_limit, FakeGoogleFailure::user_rate_limit}) {
        FakeGoogleTranslate fake;
        fake.push_failure(failure);
        const auto provider = google(fake);
        auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
        REQUIRE_FALSE(translated);
        CHECK(translated.error().code == ErrorCode::rate_limited);
        CHECK(contains(translated.error().message, failure == FakeGoogleFailure::daily_limit
                                                       ? "Daily Limit Exceeded"
                                                       : "User Rate Limit Exceeded"));
        CHECK(fake.request_count() == 1);
    }
}

TEST_CASE("google: 429 is retried; when it persists the batch is rate_limited with Google's message") {
    FakeGoogleTranslate fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = google(fake);

    fake.push_failure(FakeGoogleFailure::too_many_requests);
    auto recovered = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE(recovered);
    CHECK(recovered->at(0) == "पानी 100 डिग्री सेल्सियस पर उबलता है।");
    CHECK(fake.request_count() == 2);

    fake.push_failure(FakeGoogleFailure::too_many_requests, 4);
    auto refused = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::rate_limited);
    CHECK(contains(refused.error().message, "Quota exceeded"));
    CHECK(fake.request_count() == 6); // NetConfig::max_attempts = 4
}

TEST_CASE("google: 500 is retried and then unavailable") {
    FakeGoogleTranslate fake;
    fake.push_failure(FakeGoogleFailure::server_error, 4);
    const auto provider = google(fake);
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unavailable);
    CHECK(contains(translated.error().message, "Internal error encountered."));
    CHECK(fake.request_count() == 4);
}

TEST_CASE("google: 403 forbidden (API not enabled) is permission_denied") {
    FakeGoogleTranslate fake;
    fake.push_failure(FakeGoogleFailure::forbidden);
    const auto provider = google(fake);
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::permission_denied);
    CHECK(contains(translated.error().message, "has not been used in project"));
}

TEST_CASE("google: an unsupported language is invalid_argument with Google's 'Invalid Value'") {
    FakeGoogleTranslate fake;
    const auto provider = google(fake);
    auto translated = provider->translate({"en", "xx", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::invalid_argument);
    CHECK(contains(translated.error().message, "Invalid Value"));
    CHECK(contains(translated.error().message, "en → xx"));
}

TEST_CASE("google: a batch beyond 128 texts or 5,000 code points is refused before anything is sent") {
    FakeGoogleTranslate fake;
    const auto provider = google(fake);

    auto too_many = provider->translate({"en", "hi", std::vector<std::string>(129, "a")});
    REQUIRE_FALSE(too_many);
    CHECK(too_many.error().code == ErrorCode::invalid_argument);
    CHECK(contains(too_many.error().message, "128"));

    // Code points, not bytes: 1,000 × "नमस्ते" is 6,000 code points in 18,000 bytes.
    std::string hindi;
    for (int i = 0; i < 833; ++i)
        hindi += "नमस्ते";
    CHECK(code_points(hindi) == 4998);
    auto too_long = provider->translate({"hi", "en", {hindi, "abc"}});
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == ErrorCode::invalid_argument);
    CHECK(contains(too_long.error().message, "5000"));
    CHECK(fake.request_count() == 0);

    // Exactly at the limits is fine, and the fake (which counts as Google does) agrees.
    auto at_limit = provider->translate({"hi", "en", {hindi, "ab"}});
    REQUIRE(at_limit);
    auto at_count = provider->translate({"en", "hi", std::vector<std::string>(128, "a")});
    REQUIRE(at_count);
    CHECK(at_count->size() == 128);
    CHECK(fake.request_count() == 2);
}

TEST_CASE("google: an answer with the wrong number of translations is unavailable") {
    FakeHttpServer server([](const FakeRequest&) {
        return FakeResponse::json(200, R"({"data":{"translations":[{"translatedText":"एक"}]}})");
    });
    std::string base = server.url("/");
    base.pop_back();
    auto provider = make_google_translator({.base_url = base, .api_key = "k", .net = fast_net()});
    REQUIRE(provider);
    auto out = (*provider)->translate({"en", "hi", {"one", "two"}});
    REQUIRE_FALSE(out);
    CHECK(out.error().code == ErrorCode::unavailable);
    CHECK(contains(out.error().message, "1 translations for 2 texts"));
}

TEST_CASE("google: the configuration is checked") {
    auto no_key = make_google_translator({.base_url = "https://translation.googleapis.com", .api_key = ""});
    REQUIRE_FALSE(no_key);
    CHECK(no_key.error().field == "api_key");
    auto bad_url = make_google_translator({.base_url = "ftp://example.org", .api_key = "k"});
    REQUIRE_FALSE(bad_url);
    CHECK(bad_url.error().field == "base_url");
    auto trailing_slash =
        make_google_translator({.base_url = "https://translation.googleapis.com/", .api_key = "k"});
    CHECK(trailing_slash);
}

TEST_CASE("the Google fake refuses what Google refuses") {
    FakeGoogleTranslate fake;
    detail::HttpClient client(fast_net());
    const std::string url = fake.base_url() + "/language/translate/v2";
    const auto post = [&](std::string body, std::string type = "application/x-www-form-urlencoded") {
        auto response = client.send({"POST", url, {{"Content-Type", std::move(type)}}, std::move(body)});
        REQUIRE(response);
        return *response;
    };
    const std::string tail = "&target=hi&source=en&format=text&key=google-test-key";

    std::string many;
    for (int i = 0; i < 129; ++i)
        many += (many.empty() ? "q=a" : "&q=a");
    auto response = post(many + tail);
    CHECK(response.status == 400);
    CHECK(detail::upstream_message(response.body) == "Too many text segments");

    response = post("q=" + std::string(5001, 'a') + tail);
    CHECK(response.status == 400);
    CHECK(detail::upstream_message(response.body) == "Text too long");

    response = post("q=a&target=hi&source=en&key=google-test-key"); // no format=text
    CHECK(response.status == 400);
    response = post("q=a" + tail, "application/json");
    CHECK(response.status == 400);
    response = post("target=hi&source=en&format=text&key=google-test-key");
    CHECK(response.status == 400);
    CHECK(detail::upstream_message(response.body) == "Required Text");
    response = post("q=a&target=hi&source=en&format=text");
    CHECK(response.status == 403);
    CHECK(detail::upstream_message(response.body) == "The request is missing a valid API key.");
    response = post("q=%ZZ" + tail);
    CHECK(response.status == 400);

    auto get = client.send({"GET", url, {}, {}});
    REQUIRE(get);
    CHECK(get->status == 404);

    response = post("q=a+b%26c" + tail);
    CHECK(response.status == 200);
    CHECK(fake.requests().back().q == std::vector<std::string>{"a b&c"});
}

// =================================================================================================
// Bhashini (ULCA pipeline)
// =================================================================================================

TEST_CASE("bhashini: a config call with userID/ulcaApiKey, then a compute call with the inference key") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = bhashini(fake);
    CHECK(provider->name() == "bhashini");
    CHECK(provider->limits().max_segments == 25);
    CHECK(provider->limits().max_code_points == 5000);

    const std::vector<std::string> texts = keys_of(own_en_hi());
    auto translated = provider->translate({"en", "hi", texts});
    REQUIRE(translated);
    CHECK(*translated == translations_of(own_en_hi(), texts));

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    const auto& config = requests[0];
    CHECK(config.kind == FakeBhashiniRequest::Kind::config);
    CHECK(config.rejection == "");
    CHECK(config.http.header("userid") == "bhashini-test-user");
    CHECK(config.http.header("ulcaapikey") == "bhashini-ulca-key");
    CHECK(config.http.header("content-type") == "application/json");
    CHECK(config.body ==
          *Json::parse(R"({"pipelineTasks":[{"taskType":"translation","config":{"language":)"
                       R"({"sourceLanguage":"en","targetLanguage":"hi"}}}],)"
                       R"("pipelineRequestConfig":{"pipelineId":"64392f96daac500b55c543cd"}})"));

    const auto& compute = requests[1];
    CHECK(compute.kind == FakeBhashiniRequest::Kind::compute);
    CHECK(compute.rejection == "");
    CHECK(compute.http.header("authorization") == fake.inference_key());
    CHECK(compute.http.header("ulcaapikey") == ""); // the ULCA key stays with the config call
    Json input = Json::array();
    for (const auto& text : texts)
        input.push_back(Json::object({{"source", text}}));
    const Json expected = Json::object(
        {{"pipelineTasks",
          Json::Array{Json::object(
              {{"taskType", "translation"},
               {"config", Json::object({{"language",
                                         Json::object({{"sourceLanguage", "en"}, {"targetLanguage", "hi"}})},
                                        {"serviceId", FakeBhashini::service_id("en", "hi")}})}})}},
         {"inputData", Json::object({{"input", input}})}});
    CHECK(compute.body == expected);
}

TEST_CASE("bhashini: FLORES English sentences come back as their Hindi and Tamil lines, in order") {
    SKIP_WITHOUT_FLORES(dir);
    FakeBhashini fake;
    const Parallel hindi = flores(*dir, "hin_Deva");
    const Parallel tamil = flores(*dir, "tam_Taml");
    fake.add_translations("en", "hi", hindi.dictionary);
    fake.add_translations("en", "ta", tamil.dictionary);
    const auto provider = bhashini(fake);
    CHECK(translate_all(*provider, "en", "hi", hindi.english) ==
          translations_of(hindi.dictionary, hindi.english));
    CHECK(translate_all(*provider, "en", "ta", tamil.english) ==
          translations_of(tamil.dictionary, tamil.english));
    CHECK(fake.config_request_count() == 2); // one per pair, however many batches
    CHECK(fake.compute_request_count() >= 8);
}

TEST_CASE("bhashini: the pipeline config is cached per pair: two translations make one config call") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    fake.add_translations("en", "ta", {});
    const auto provider = bhashini(fake);

    REQUIRE(provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}}));
    REQUIRE(provider->translate({"en", "hi", {"Plants make their food from sunlight."}}));
    CHECK(fake.config_request_count() == 1);
    CHECK(fake.compute_request_count() == 2);

    auto tamil = provider->translate({"en", "ta", {"Water boils at 100 degrees Celsius."}});
    REQUIRE(tamil);
    CHECK(tamil->at(0) == FakeBhashini::untranslated("ta", "Water boils at 100 degrees Celsius."));
    CHECK(fake.config_request_count() == 2);
}

TEST_CASE("bhashini: concurrent first calls for a pair make one config call") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = bhashini(fake);
    std::vector<std::thread> threads;
    std::vector<int> ok(6, 0);
    for (std::size_t i = 0; i < ok.size(); ++i) {
        threads.emplace_back([&, i] {
            auto out = provider->translate({"en", "hi", {"Plants make their food from sunlight."}});
            ok[i] = out && out->at(0) == "पौधे सूरज की रोशनी से अपना भोजन बनाते हैं।" ? 1 : 0;
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(ok == std::vector<int>(6, 1));
    CHECK(fake.config_request_count() == 1);
    CHECK(fake.compute_request_count() == 6);
}

TEST_CASE("bhashini: a refused inference key (401) fetches the config once more and retries") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = bhashini(fake);
    REQUIRE(provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}}));
    const std::string first_key = fake.inference_key();

    fake.rotate_inference_key();
    auto translated = provider->translate({"en", "hi", {"Plants make their food from sunlight."}});
    REQUIRE(translated);
    CHECK(translated->at(0) == "पौधे सूरज की रोशनी से अपना भोजन बनाते हैं।");
    CHECK(fake.config_request_count() == 2);
    CHECK(fake.compute_request_count() == 3);
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 5);
    CHECK(requests[2].status == 401);
    CHECK(requests[2].http.header("authorization") == first_key);
    CHECK(requests[4].status == 200);
    CHECK(requests[4].http.header("authorization") == fake.inference_key());

    // The new key is cached in turn.
    REQUIRE(provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}}));
    CHECK(fake.config_request_count() == 2);
}

TEST_CASE(
    "bhashini: a key refused again after the refetch is unauthenticated, without the keys in the message") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    fake.refuse_inference_keys(true);
    const auto provider = bhashini(fake);
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unauthenticated);
    CHECK(contains(translated.error().message, "Invalid or expired API key"));
    CHECK_FALSE(contains(translated.error().message, fake.inference_key()));
    CHECK_FALSE(contains(translated.error().message, "bhashini-ulca-key"));
    CHECK(fake.config_request_count() == 2);
    CHECK(fake.compute_request_count() == 2);
}

TEST_CASE("bhashini: a pair the pipeline does not offer is invalid_argument naming the pair") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = bhashini(fake);
    auto translated = provider->translate({"en", "sat", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::invalid_argument);
    CHECK(contains(translated.error().message, "'en' to 'sat'"));
    CHECK(fake.compute_request_count() == 0);
}

TEST_CASE("bhashini: wrong ULCA credentials are unauthenticated and the key is not in the message") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    const auto provider = bhashini(fake, "not-the-ulca-key");
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unauthenticated);
    CHECK(contains(translated.error().message, "Invalid userID or ulcaApiKey"));
    CHECK_FALSE(contains(translated.error().message, "not-the-ulca-key"));
    CHECK(fake.config_request_count() == 1);
}

TEST_CASE("bhashini: a failing inference service is retried and then unavailable with its message") {
    FakeBhashini fake;
    fake.add_translations("en", "hi", own_en_hi());
    fake.push_compute_failure(500, 4);
    const auto provider = bhashini(fake);
    auto translated = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unavailable);
    CHECK(contains(translated.error().message, "Model inference failed"));
    CHECK(fake.compute_request_count() == 4);

    fake.push_compute_failure(503);
    auto recovered = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE(recovered);
    CHECK(recovered->at(0) == "पानी 100 डिग्री सेल्सियस पर उबलता है।");
}

TEST_CASE("bhashini: batches beyond 25 texts are refused before anything is sent; the config is checked") {
    FakeBhashini fake;
    const auto provider = bhashini(fake);
    auto too_many = provider->translate({"en", "hi", std::vector<std::string>(26, "a")});
    REQUIRE_FALSE(too_many);
    CHECK(too_many.error().code == ErrorCode::invalid_argument);
    CHECK(fake.requests().empty());

    BhashiniConfig config;
    config.api_key = "k";
    auto no_user = make_bhashini_translator(config);
    REQUIRE_FALSE(no_user);
    CHECK(no_user.error().field == "user_id");
    config.user_id = "u";
    config.pipeline_url = "not a url";
    auto bad_url = make_bhashini_translator(config);
    REQUIRE_FALSE(bad_url);
    CHECK(bad_url.error().field == "pipeline_url");
}

// =================================================================================================
// LLM translator
// =================================================================================================

TEST_CASE("llm: one JSON-mode chat per batch, naming the languages and carrying the texts as a JSON array") {
    FakeOpenAi fake;
    fake.set_default_reply(dictionary_model(own_en_hi()));
    const auto provider = llm_translator(fake);
    CHECK(provider->name() == "llm");
    CHECK(provider->limits().max_segments == 40);
    CHECK(provider->limits().max_code_points == 4000);

    const std::vector<std::string> texts = keys_of(own_en_hi());
    auto translated = provider->translate({"en", "hi", texts});
    REQUIRE(translated);
    CHECK(*translated == translations_of(own_en_hi(), texts));

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].rejection == "");
    const Json& body = requests[0].body;
    CHECK(*body.find("response_format") == Json::object({{"type", "json_object"}}));
    CHECK(body.find("temperature")->as_double() == doctest::Approx(0.1));
    REQUIRE(body.find("messages")->as_array().size() == 2);
    const std::string& system = message_content(requests[0], 0);
    CHECK(contains(system, "from English to Hindi (हिंदी)"));
    CHECK(contains(system, "⟦1⟧"));
    CHECK(contains(system, "{\"translations\": [...]}"));
    CHECK_FALSE(contains(system, "{{"));
    const std::string& user = message_content(requests[0], 1);
    CHECK(contains(user, "these 4 texts"));
    CHECK_FALSE(contains(user, "{{"));
    CHECK(inputs_in_prompt(body) == texts);
}

TEST_CASE("llm: FLORES English sentences come back as their Hindi lines, in order") {
    SKIP_WITHOUT_FLORES(dir);
    const Parallel hindi = flores(*dir, "hin_Deva");
    FakeOpenAi fake;
    fake.set_default_reply(dictionary_model(hindi.dictionary));
    const auto provider = llm_translator(fake);
    CHECK(translate_all(*provider, "en", "hi", hindi.english) ==
          translations_of(hindi.dictionary, hindi.english));
    for (const auto& r : fake.requests())
        CHECK(r.rejection == "");
}

TEST_CASE("llm: a dropped placeholder gets one repair round, then the repaired answer is used") {
    FakeOpenAi fake;
    const std::vector<std::string> texts = {"Water boils at 100 degrees Celsius.",
                                            "The teacher's \"magic\" box <for ⟦1⟧> is ready."};
    const std::string dropped =
        translations_json({"पानी 100 डिग्री सेल्सियस पर उबलता है।", "शिक्षक का \"जादुई\" डिब्बा तैयार है।"});
    fake.push(FakeChatReply::ok(dropped));
    fake.push(dictionary_model(own_en_hi()));
    const auto provider = llm_translator(fake);

    auto translated = provider->translate({"en", "hi", texts});
    REQUIRE(translated);
    CHECK(*translated == translations_of(own_en_hi(), texts));

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    const auto& messages = requests[1].body.find("messages")->as_array();
    REQUIRE(messages.size() == 4);
    CHECK(messages[2].find("role")->as_string() == "assistant");
    CHECK(messages[2].find("content")->as_string() == dropped);
    CHECK(messages[3].find("role")->as_string() == "user");
    const std::string& repair = messages[3].find("content")->as_string();
    CHECK(contains(repair, "translation 2 must keep ⟦1⟧"));
    CHECK(contains(repair, "exactly 2 strings"));
}

TEST_CASE("llm: the wrong number of translations twice is unavailable, naming what was wrong") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::ok(translations_json({"केवल एक"})));
    const auto provider = llm_translator(fake);
    auto translated = provider->translate({"en", "hi", {"one", "two"}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unavailable);
    CHECK(contains(translated.error().message, "1 translations for 2 texts"));
    CHECK(contains(translated.error().message, "even after one repair"));
    CHECK(fake.request_count() == 2);
}

TEST_CASE("llm: answers that are not JSON, not strings, or add placeholders are repaired") {
    FakeOpenAi fake;
    fake.push(FakeChatReply::ok("Here you go: पानी"));
    fake.push(FakeChatReply::ok(R"({"translations": [42, "जल ⟦7⟧"]})"));
    const auto provider = llm_translator(fake);
    auto translated = provider->translate({"en", "hi", {"water", "more water"}});
    REQUIRE_FALSE(translated);
    CHECK(translated.error().code == ErrorCode::unavailable);
    CHECK(contains(translated.error().message, "translation 1 is not a string (integer)"));
    CHECK(contains(translated.error().message, "translation 2 has ⟦7⟧, which text 2 does not"));
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    CHECK(contains(message_content(requests[1], 3), "not valid JSON"));
}

TEST_CASE("llm: blank texts are kept and not sent; the model's errors pass through") {
    FakeOpenAi fake;
    fake.set_default_reply(dictionary_model(own_en_hi()));
    const auto provider = llm_translator(fake);
    auto translated = provider->translate({"en", "hi", {"", "Water boils at 100 degrees Celsius."}});
    REQUIRE(translated);
    CHECK(*translated == std::vector<std::string>{"", "पानी 100 डिग्री सेल्सियस पर उबलता है।"});
    CHECK(inputs_in_prompt(fake.requests()[0].body) ==
          std::vector<std::string>{"Water boils at 100 degrees Celsius."});

    fake.push(FakeChatReply::server_error(500));
    fake.push(FakeChatReply::server_error(500));
    fake.push(FakeChatReply::server_error(500));
    fake.push(FakeChatReply::server_error(500));
    auto failed = provider->translate({"en", "hi", {"Water boils at 100 degrees Celsius."}});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == ErrorCode::unavailable);
}

TEST_CASE("llm: a language the registry does not know is named by its code") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::ok(translations_json({"x"})));
    const auto provider = llm_translator(fake);
    REQUIRE(provider->translate({"en", "xq", {"water"}}));
    CHECK(contains(message_content(fake.requests()[0], 0), "\"xq\""));
}
