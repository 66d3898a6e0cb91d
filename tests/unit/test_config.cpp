// Config: defaults, validation (each refusal names its field), config_from_env through an
// injected getenv, and the development JWT secret file.
#include "shiksha/config.hpp"
#include "shiksha/platform.hpp"

#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

/// A getenv backed by a map, so tests never touch the process environment.
struct FakeEnv {
    std::map<std::string, std::string> vars;

    [[nodiscard]] Result<Config> load() const {
        return config_from_env([this](const char* name) -> const char* {
            auto it = vars.find(name);
            return it == vars.end() ? nullptr : it->second.c_str();
        });
    }
};

/// The field of the error `result` carries; fails the test when there is none.
template <class T>
std::string refused_field(const Result<T>& result) {
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::invalid_argument);
    CHECK_FALSE(result.error().message.empty());
    return result.error().field;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

} // namespace

TEST_CASE("default config validates") {
    const Config cfg;
    CHECK(cfg.validate().has_value());
    CHECK(cfg.server.port == 8000);
    CHECK(cfg.server.host == "127.0.0.1");
    CHECK(cfg.auth.access_token_ttl == 1h);
}

TEST_CASE("config refuses each invalid value with the field it is about") {
    Config cfg;
    SUBCASE("empty data_dir") {
        cfg.data_dir.clear();
        CHECK(refused_field(cfg.validate()) == "data_dir");
    }
    SUBCASE("empty host") {
        cfg.server.host.clear();
        CHECK(refused_field(cfg.validate()) == "server.host");
    }
    SUBCASE("tiny body limit") {
        cfg.server.max_body_bytes = 10;
        CHECK(refused_field(cfg.validate()) == "server.max_body_bytes");
    }
    SUBCASE("zero header timeout") {
        cfg.server.header_timeout = 0s;
        CHECK(refused_field(cfg.validate()) == "server.header_timeout");
    }
    SUBCASE("JWT secret shorter than 32 bytes") {
        cfg.auth.jwt_secret = "short-secret";
        const auto r = cfg.validate();
        CHECK(refused_field(r) == "auth.jwt_secret");
        CHECK(r.error().message.find("32") != std::string::npos);
        // The secret itself never appears in an error message.
        CHECK(r.error().message.find("short-secret") == std::string::npos);
    }
    SUBCASE("CORS origin with a path") {
        cfg.server.cors_origins = {"http://x/path"};
        CHECK(refused_field(cfg.validate()) == "server.cors_origins");
    }
    SUBCASE("CORS wildcard") {
        cfg.server.cors_origins = {"*"};
        CHECK(refused_field(cfg.validate()) == "server.cors_origins");
    }
    SUBCASE("CORS origin without a scheme") {
        cfg.server.cors_origins = {"http://localhost:3000", "localhost:3000"};
        CHECK(refused_field(cfg.validate()) == "server.cors_origins");
    }
    SUBCASE("access token TTL under a minute") {
        cfg.auth.access_token_ttl = 59s;
        CHECK(refused_field(cfg.validate()) == "auth.access_token_ttl");
    }
    SUBCASE("access token TTL over seven days") {
        cfg.auth.access_token_ttl = std::chrono::hours(24 * 7) + 1s;
        CHECK(refused_field(cfg.validate()) == "auth.access_token_ttl");
    }
    SUBCASE("refresh token TTL shorter than the access token's") {
        cfg.auth.access_token_ttl = 2h;
        cfg.auth.refresh_token_ttl = 1h;
        CHECK(refused_field(cfg.validate()) == "auth.refresh_token_ttl");
    }
}

TEST_CASE("config accepts boundary values") {
    Config cfg;
    cfg.auth.jwt_secret = std::string(32, 'k');
    cfg.auth.access_token_ttl = 60s;
    cfg.auth.refresh_token_ttl = 60s;
    cfg.server.cors_origins = {"https://diet.example.org:8443", "http://127.0.0.1:5173"};
    CHECK(cfg.validate().has_value());
    cfg.auth.access_token_ttl = std::chrono::hours(24 * 7);
    cfg.auth.refresh_token_ttl = std::chrono::hours(24 * 30);
    CHECK(cfg.validate().has_value());
}

TEST_CASE("config_from_env with no variables gives the defaults") {
    const auto cfg = FakeEnv{}.load();
    REQUIRE(cfg);
    const Config defaults;
    CHECK(cfg->data_dir == defaults.data_dir);
    CHECK(cfg->server.port == defaults.server.port);
    CHECK(cfg->server.cors_origins == defaults.server.cors_origins);
    CHECK(cfg->auth.password_hash_cost == PasswordHashCost::interactive);
}

TEST_CASE("config_from_env reads the documented variables") {
    FakeEnv env;
    env.vars = {
        {"SHIKSHA_DATA_DIR", "/srv/shiksha"},
        {"SHIKSHA_WORKERS", "3"},
        {"SHIKSHA_LOG_LEVEL", "debug"},
        {"SHIKSHA_HOST", "0.0.0.0"},
        {"SHIKSHA_PORT", "9100"},
        {"SHIKSHA_THREADS", "5"},
        {"SHIKSHA_MAX_BODY_MB", "8"},
        {"SHIKSHA_HEADER_TIMEOUT", "15"},
        {"SHIKSHA_BODY_TIMEOUT", "2m"},
        {"SHIKSHA_IDLE_TIMEOUT", "45s"},
        {"SHIKSHA_SHUTDOWN_GRACE", "1m"},
        {"SHIKSHA_CORS_ORIGINS", "https://a.example.org, http://localhost:8080"},
        {"SHIKSHA_RATE_LIMIT_PER_MINUTE", "0"},
        {"SHIKSHA_JWT_SECRET", "0123456789abcdef0123456789abcdef-env"},
        {"SHIKSHA_ACCESS_TOKEN_TTL", "15m"},
        {"SHIKSHA_REFRESH_TOKEN_TTL", "30d"},
        {"SHIKSHA_LOGIN_ATTEMPTS_PER_MINUTE", "4"},
        {"SHIKSHA_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", "25"},
        {"SHIKSHA_MAX_CONNECTIONS", "300"},
        {"SHIKSHA_TRUST_FORWARDED_PROTO", "true"},
        {"SHIKSHA_MAX_PDF_PAGES", "400"},
        {"SHIKSHA_PASSWORD_HASH_COST", "moderate"},
        {"SHIKSHA_ALLOW_ANONYMOUS_UPLOAD", "true"},
        {"SHIKSHA_TRUST_PROXY", "yes"},
        {"SHIKSHA_SHARE_WAIT_MAX_RECIPIENTS", "5"},
        {"SHIKSHA_SHARE_WAIT", "3s"},
        {"SHIKSHA_MAX_PDF_MB", "12"},
        {"SHIKSHA_OCR", "off"},
        {"SHIKSHA_OCR_LANGUAGES", "eng+hin+mar"},
        {"SHIKSHA_TESSDATA_DIR", "/opt/tessdata"},
        {"SHIKSHA_OCR_DPI", "300"},
        {"SHIKSHA_CHUNK_TOKENS", "200"},
        {"SHIKSHA_CHUNK_OVERLAP", "0.2"},
        {"SHIKSHA_EMBEDDINGS_BASE_URL", "http://127.0.0.1:11434/v1"},
        {"SHIKSHA_EMBEDDINGS_API_KEY", "embed-key"},
        {"SHIKSHA_EMBEDDINGS_MODEL", "nomic-embed-text"},
        {"SHIKSHA_EMBEDDINGS_DIMENSION", "768"},
        {"SHIKSHA_LLM_BASE_URL", "http://127.0.0.1:11434/v1"},
        {"SHIKSHA_LLM_API_KEY", "llm-key"},
        {"SHIKSHA_LLM_MODEL", "llama3.1:8b"},
        {"SHIKSHA_TRANSLATE_PROVIDER", "Google,llm"},
        {"SHIKSHA_TRANSLATION_MEMORY_TTL", "3d"},
        {"SHIKSHA_GOOGLE_TRANSLATE_API_KEY", "google-key"},
        {"SHIKSHA_GOOGLE_TRANSLATE_BASE_URL", "http://127.0.0.1:9/"},
        {"SHIKSHA_BHASHINI_USER_ID", "bhashini-user"},
        {"SHIKSHA_BHASHINI_API_KEY", "bhashini-key"},
        {"SHIKSHA_BHASHINI_PIPELINE_URL", "http://127.0.0.1:9/pipeline"},
        {"SHIKSHA_EXPORT_TTL", "2h"},
        {"SHIKSHA_PUBLIC_URL", "https://shiksha.diet.gov.in"},
        {"SHIKSHA_FONT_DIR", "/opt/fonts"},
        {"SHIKSHA_WHATSAPP_GATEWAY", "twilio"},
        {"SHIKSHA_WHATSAPP_RATE", "12.5"},
        {"SHIKSHA_WHATSAPP_MAX_ATTEMPTS", "4"},
        {"SHIKSHA_WHATSAPP_COUNTRY_CODES", "1,44"},
        {"SHIKSHA_META_BASE_URL", "http://127.0.0.1:9/v19.0"},
        {"SHIKSHA_META_ACCESS_TOKEN", "meta-token"},
        {"SHIKSHA_META_PHONE_NUMBER_ID", "1065"},
        {"SHIKSHA_META_APP_SECRET", "meta-secret"},
        {"SHIKSHA_META_VERIFY_TOKEN", "meta-verify"},
        {"SHIKSHA_META_TEMPLATE", "module_ready"},
        {"SHIKSHA_META_TEMPLATE_LANGUAGE", "hi"},
        {"SHIKSHA_TWILIO_BASE_URL", "http://127.0.0.1:9"},
        {"SHIKSHA_TWILIO_ACCOUNT_SID", "AC123"},
        {"SHIKSHA_TWILIO_AUTH_TOKEN", "twilio-token"},
        {"SHIKSHA_TWILIO_FROM", "whatsapp:+14155238886"},
        {"SHIKSHA_YOUTUBE_API_KEY", "yt-key"},
        {"SHIKSHA_YOUTUBE_BASE_URL", "http://127.0.0.1:9"},
        {"SHIKSHA_YOUTUBE_DAILY_QUOTA", "500"},
        {"SHIKSHA_VIDEO_CACHE_TTL", "2d"},
        {"HTTPS_PROXY", "http://proxy.diet.local:3128"},
        {"NO_PROXY", "localhost,.nic.in"},
    };
    // Every variable set here is one the library documents, and every documented one is set:
    // a variable added to the list without being read (or the reverse) fails this test.
    for (const auto& var : config_env_variables()) {
        CAPTURE(var.name);
        CHECK(env.vars.contains(std::string(var.name)));
        CHECK_FALSE(var.description.empty());
    }
    CHECK(env.vars.size() == config_env_variables().size());

    const auto cfg = env.load();
    REQUIRE(cfg);
    CHECK(cfg->auth.login_attempts_per_address_per_minute == 25);
    CHECK(cfg->server.max_connections == 300);
    CHECK(cfg->server.trust_forwarded_proto);
    CHECK(cfg->ingest.max_pages == 400);
    CHECK(cfg->server.trust_forwarded_headers);
    CHECK(cfg->server.share_wait_max_recipients == 5);
    CHECK(cfg->server.share_wait == std::chrono::seconds(3));
    CHECK(cfg->data_dir == std::filesystem::path("/srv/shiksha"));
    CHECK(cfg->workers == 3);
    CHECK(cfg->log_level == LogLevel::debug);
    CHECK(cfg->server.host == "0.0.0.0");
    CHECK(cfg->server.port == 9100);
    CHECK(cfg->server.threads == 5);
    CHECK(cfg->server.max_body_bytes == 8u << 20);
    CHECK(cfg->server.header_timeout == 15s);
    CHECK(cfg->server.body_timeout == 120s);
    CHECK(cfg->server.idle_timeout == 45s);
    CHECK(cfg->server.shutdown_grace == 60s);
    CHECK(cfg->server.cors_origins ==
          std::vector<std::string>{"https://a.example.org", "http://localhost:8080"});
    CHECK(cfg->server.requests_per_minute == 0);
    CHECK(cfg->auth.jwt_secret == "0123456789abcdef0123456789abcdef-env");
    CHECK(cfg->auth.access_token_ttl == 15min);
    CHECK(cfg->auth.refresh_token_ttl == std::chrono::hours(24 * 30));
    CHECK(cfg->auth.login_attempts_per_minute == 4);
    CHECK(cfg->auth.password_hash_cost == PasswordHashCost::moderate);
    CHECK(cfg->server.allow_anonymous_upload);
    CHECK(cfg->ingest.max_pdf_bytes == 12u << 20);
    CHECK_FALSE(cfg->ingest.ocr);
    CHECK(cfg->ingest.ocr_languages == "eng+hin+mar");
    CHECK(cfg->ingest.tessdata_dir == "/opt/tessdata");
    CHECK(cfg->ingest.ocr_dpi == 300);
    CHECK(cfg->ingest.chunk_tokens == 200);
    CHECK(cfg->ingest.chunk_overlap == doctest::Approx(0.2));
    CHECK(cfg->embeddings.base_url == "http://127.0.0.1:11434/v1");
    CHECK(cfg->embeddings.api_key == "embed-key");
    CHECK(cfg->embeddings.model == "nomic-embed-text");
    CHECK(cfg->embeddings.dimension == 768);
    CHECK(cfg->llm.base_url == "http://127.0.0.1:11434/v1");
    CHECK(cfg->llm.api_key == "llm-key");
    CHECK(cfg->llm.model == "llama3.1:8b");
    CHECK(cfg->llm.configured());
    CHECK(cfg->translation.providers == "google,llm");
    CHECK(cfg->translation.memory_ttl == std::chrono::hours(72));
    CHECK(cfg->translation.google_api_key == "google-key");
    CHECK(cfg->translation.google_base_url == "http://127.0.0.1:9/");
    CHECK(cfg->translation.bhashini_user_id == "bhashini-user");
    CHECK(cfg->translation.bhashini_api_key == "bhashini-key");
    CHECK(cfg->translation.bhashini_pipeline_url == "http://127.0.0.1:9/pipeline");
    CHECK(cfg->exports.ttl == std::chrono::hours(2));
    CHECK(cfg->exports.public_url == "https://shiksha.diet.gov.in");
    CHECK(cfg->exports.font_dir == std::filesystem::path("/opt/fonts"));
    CHECK(cfg->delivery.gateway == "twilio");
    CHECK(cfg->delivery.rate_per_second == 12.5);
    CHECK(cfg->delivery.max_attempts == 4);
    CHECK(cfg->delivery.extra_country_codes == "1,44");
    CHECK(cfg->delivery.meta_base_url == "http://127.0.0.1:9/v19.0");
    CHECK(cfg->delivery.meta_access_token == "meta-token");
    CHECK(cfg->delivery.meta_phone_number_id == "1065");
    CHECK(cfg->delivery.meta_app_secret == "meta-secret");
    CHECK(cfg->delivery.meta_verify_token == "meta-verify");
    CHECK(cfg->delivery.meta_template == "module_ready");
    CHECK(cfg->delivery.meta_template_language == "hi");
    CHECK(cfg->delivery.twilio_base_url == "http://127.0.0.1:9");
    CHECK(cfg->delivery.twilio_account_sid == "AC123");
    CHECK(cfg->delivery.twilio_auth_token == "twilio-token");
    CHECK(cfg->delivery.twilio_from == "whatsapp:+14155238886");
    CHECK(cfg->videos.youtube_api_key == "yt-key");
    CHECK(cfg->videos.youtube_base_url == "http://127.0.0.1:9");
    CHECK(cfg->videos.daily_quota_units == 500);
    CHECK(cfg->videos.cache_ttl == std::chrono::hours(48));
    CHECK(cfg->net.https_proxy == "http://proxy.diet.local:3128");
    CHECK(cfg->net.no_proxy == "localhost,.nic.in");
}

TEST_CASE("malformed ingest and embedding variables are refused naming the variable") {
    for (auto [var, value] : {std::pair{"SHIKSHA_OCR", "maybe"}, std::pair{"SHIKSHA_CHUNK_OVERLAP", "0.9"},
                              std::pair{"SHIKSHA_OCR_DPI", "20"}, std::pair{"SHIKSHA_MAX_PDF_MB", "0"},
                              std::pair{"SHIKSHA_EMBEDDINGS_DIMENSION", "4"}}) {
        FakeEnv env;
        env.vars[var] = value;
        const auto cfg = env.load();
        CAPTURE(var);
        REQUIRE_FALSE(cfg);
        CHECK(cfg.error().field == var);
    }
    FakeEnv bad_url;
    bad_url.vars["SHIKSHA_EMBEDDINGS_BASE_URL"] = "ftp://x";
    REQUIRE_FALSE(bad_url.load());
    CHECK(bad_url.load().error().field == "embeddings.base_url");
}

TEST_CASE("export and WhatsApp settings are checked") {
    for (auto [var, value, field] :
         {std::tuple{"SHIKSHA_EXPORT_TTL", "0s", "SHIKSHA_EXPORT_TTL"},
          std::tuple{"SHIKSHA_EXPORT_TTL", "soon", "SHIKSHA_EXPORT_TTL"},
          std::tuple{"SHIKSHA_PUBLIC_URL", "shiksha.local", "exports.public_url"},
          std::tuple{"SHIKSHA_WHATSAPP_GATEWAY", "telegram", "delivery.gateway"},
          std::tuple{"SHIKSHA_WHATSAPP_RATE", "fast", "SHIKSHA_WHATSAPP_RATE"},
          std::tuple{"SHIKSHA_WHATSAPP_MAX_ATTEMPTS", "0", "SHIKSHA_WHATSAPP_MAX_ATTEMPTS"},
          std::tuple{"SHIKSHA_WHATSAPP_COUNTRY_CODES", "+1", "delivery.extra_country_codes"}}) {
        FakeEnv env;
        env.vars[var] = value;
        const auto cfg = env.load();
        CAPTURE(var);
        REQUIRE_FALSE(cfg);
        CHECK(cfg.error().field == std::string(field));
    }
    Config direct;
    direct.exports.ttl = std::chrono::seconds(0);
    CHECK(direct.validate().error().field == "exports.ttl");
}

TEST_CASE("an unknown translation provider is refused") {
    FakeEnv env;
    env.vars["SHIKSHA_TRANSLATE_PROVIDER"] = "google,deepl";
    const auto cfg = env.load();
    REQUIRE_FALSE(cfg);
    CHECK(cfg.error().field == "translation.providers");
    CHECK(cfg.error().message.find("deepl") != std::string::npos);
}

TEST_CASE("the LLM is configured by a key alone (Groq) or a base URL alone (local server)") {
    LlmConfig none;
    CHECK_FALSE(none.configured());
    LlmConfig key_only;
    key_only.api_key = "gsk_test";
    CHECK(key_only.configured());
    CHECK(key_only.effective_base_url() == "https://api.groq.com/openai/v1");
    LlmConfig local;
    local.base_url = "http://127.0.0.1:8080/v1";
    CHECK(local.configured());
    CHECK(local.effective_base_url() == "http://127.0.0.1:8080/v1");
}

TEST_CASE("durations parse with s, m, h and d suffixes") {
    FakeEnv env;
    env.vars["SHIKSHA_ACCESS_TOKEN_TTL"] = "1h";
    env.vars["SHIKSHA_REFRESH_TOKEN_TTL"] = "7d";
    env.vars["SHIKSHA_IDLE_TIMEOUT"] = "90";
    env.vars["SHIKSHA_BODY_TIMEOUT"] = "90s";
    const auto cfg = env.load();
    REQUIRE(cfg);
    CHECK(cfg->auth.access_token_ttl == 3600s);
    CHECK(cfg->auth.refresh_token_ttl == std::chrono::hours(24 * 7));
    CHECK(cfg->server.idle_timeout == 90s);
    CHECK(cfg->server.body_timeout == 90s);
}

TEST_CASE("config_from_env refuses a malformed value naming the variable") {
    FakeEnv env;
    std::string expected_field;
    SUBCASE("port that is not a number") {
        env.vars["SHIKSHA_PORT"] = "abc";
        expected_field = "SHIKSHA_PORT";
    }
    SUBCASE("port out of range") {
        env.vars["SHIKSHA_PORT"] = "70000";
        expected_field = "SHIKSHA_PORT";
    }
    SUBCASE("port with trailing garbage") {
        env.vars["SHIKSHA_PORT"] = "80x";
        expected_field = "SHIKSHA_PORT";
    }
    SUBCASE("workers negative") {
        env.vars["SHIKSHA_WORKERS"] = "-1";
        expected_field = "SHIKSHA_WORKERS";
    }
    SUBCASE("unknown log level") {
        env.vars["SHIKSHA_LOG_LEVEL"] = "loud";
        expected_field = "SHIKSHA_LOG_LEVEL";
    }
    SUBCASE("duration with an unknown unit") {
        env.vars["SHIKSHA_ACCESS_TOKEN_TTL"] = "10w";
        expected_field = "SHIKSHA_ACCESS_TOKEN_TTL";
    }
    SUBCASE("duration of zero") {
        env.vars["SHIKSHA_HEADER_TIMEOUT"] = "0s";
        expected_field = "SHIKSHA_HEADER_TIMEOUT";
    }
    SUBCASE("unknown hash cost") {
        env.vars["SHIKSHA_PASSWORD_HASH_COST"] = "cheap";
        expected_field = "SHIKSHA_PASSWORD_HASH_COST";
    }
    SUBCASE("short JWT secret from the environment is validated too") {
        env.vars["SHIKSHA_JWT_SECRET"] = "too-short";
        expected_field = "auth.jwt_secret";
    }
    SUBCASE("access TTL out of range after parsing") {
        env.vars["SHIKSHA_ACCESS_TOKEN_TTL"] = "30s";
        expected_field = "auth.access_token_ttl";
    }
    SUBCASE("CORS wildcard from the environment") {
        env.vars["SHIKSHA_CORS_ORIGINS"] = "*";
        expected_field = "server.cors_origins";
    }
    const auto cfg = env.load();
    CHECK(refused_field(cfg) == expected_field);
    if (expected_field.starts_with("SHIKSHA_")) {
        CHECK(cfg.error().message.find(expected_field) != std::string::npos);
    }
}

TEST_CASE("an empty variable counts as unset") {
    FakeEnv env;
    env.vars["SHIKSHA_PORT"] = "";
    const auto cfg = env.load();
    REQUIRE(cfg);
    CHECK(cfg->server.port == 8000);
}

TEST_CASE("dev JWT secret is created once with mode 0600 and then reused") {
    const test::TempDir dir;
    const auto data_dir = dir.path() / "nested" / "data";
    const auto first = load_or_create_dev_jwt_secret(data_dir);
    REQUIRE(first);
    CHECK(first->size() >= 32);

    const auto file = data_dir / "dev-jwt-secret";
    REQUIRE(std::filesystem::exists(file));
    const auto perms = std::filesystem::status(file).permissions();
    CHECK((perms & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    const std::string content = read_file(file);
    CHECK(content.find(*first) == 0);

    const auto second = load_or_create_dev_jwt_secret(data_dir);
    REQUIRE(second);
    CHECK(*second == *first);
    CHECK(read_file(file) == content);

    // A secret of that length passes validation.
    Config cfg;
    cfg.auth.jwt_secret = *first;
    CHECK(cfg.validate().has_value());
}

TEST_CASE("dev JWT secrets differ between data directories") {
    const test::TempDir a, b;
    const auto sa = load_or_create_dev_jwt_secret(a.path());
    const auto sb = load_or_create_dev_jwt_secret(b.path());
    REQUIRE(sa);
    REQUIRE(sb);
    CHECK(*sa != *sb);
}

TEST_CASE("a truncated dev JWT secret file is refused, not used") {
    const test::TempDir dir;
    std::ofstream(dir.path() / "dev-jwt-secret") << "abc\n";
    const auto secret = load_or_create_dev_jwt_secret(dir.path());
    REQUIRE_FALSE(secret.has_value());
    CHECK(secret.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("a dangling dev-jwt-secret symlink is an error, not endless retrying") {
    const test::TempDir dir;
    std::filesystem::create_symlink(dir.path() / "missing-target", dir.path() / "dev-jwt-secret");
    const auto secret = load_or_create_dev_jwt_secret(dir.path());
    REQUIRE_FALSE(secret.has_value());
    CHECK(secret.error().code == ErrorCode::unavailable);
    CHECK(secret.error().message.find("dev-jwt-secret") != std::string::npos);
}

TEST_CASE("Platform::open validates the config before touching the disk") {
    const test::TempDir dir;
    auto cfg = test::test_config(dir.path() / "never-created");
    cfg.auth.jwt_secret = "short";
    const auto platform = Platform::open(cfg);
    REQUIRE_FALSE(platform.has_value());
    CHECK(platform.error().code == ErrorCode::invalid_argument);
    CHECK(platform.error().field == "auth.jwt_secret");
    CHECK_FALSE(std::filesystem::exists(dir.path() / "never-created"));
}

TEST_CASE("Platform::open reports a data directory that cannot be created") {
    const test::TempDir dir;
    std::ofstream(dir.path() / "a-file") << "not a directory";
    const auto platform = Platform::open(test::test_config(dir.path() / "a-file" / "data"));
    REQUIRE_FALSE(platform.has_value());
    CHECK(platform.error().code == ErrorCode::unavailable);
}
