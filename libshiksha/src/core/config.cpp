#include "shiksha/config.hpp"

#include "core/files.hpp"
#include "core/random.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace shiksha {

namespace {

constexpr std::size_t min_jwt_secret_bytes = 32;

Result<std::int64_t> parse_int(std::string_view var, std::string_view text, std::int64_t lo,
                               std::int64_t hi) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end) {
        return fail_field(std::string(var), fmt::format("{}: '{}' is not an integer", var, text));
    }
    if (value < lo || value > hi) {
        return fail_field(std::string(var), fmt::format("{}: {} is outside {}..{}", var, value, lo, hi));
    }
    return value;
}

/// "90", "90s", "15m", "1h", "30d" → seconds.
Result<std::chrono::seconds> parse_duration(std::string_view var, std::string_view text) {
    std::int64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 's':
            unit = 1;
            text.remove_suffix(1);
            break;
        case 'm':
            unit = 60;
            text.remove_suffix(1);
            break;
        case 'h':
            unit = 3600;
            text.remove_suffix(1);
            break;
        case 'd':
            unit = 86400;
            text.remove_suffix(1);
            break;
        default: break;
        }
    }
    auto n = parse_int(var, text, 1, 10LL * 365 * 86400);
    if (!n) {
        return fail_field(std::string(var),
                          fmt::format("{}: expected a duration like 90, 90s, 15m, 1h or 30d", var));
    }
    return std::chrono::seconds(*n * unit);
}

bool valid_origin(std::string_view origin) {
    std::string_view rest;
    if (origin.starts_with("http://"))
        rest = origin.substr(7);
    else if (origin.starts_with("https://"))
        rest = origin.substr(8);
    else
        return false;
    if (rest.empty() || rest.find_first_of("/?#* ") != std::string_view::npos) return false;
    return true;
}

} // namespace

std::string_view to_string(PasswordHashCost cost) noexcept {
    switch (cost) {
    case PasswordHashCost::minimum: return "minimum";
    case PasswordHashCost::interactive: return "interactive";
    case PasswordHashCost::moderate: return "moderate";
    }
    return "interactive";
}

Result<PasswordHashCost> parse_password_hash_cost(std::string_view text) {
    for (auto cost : {PasswordHashCost::minimum, PasswordHashCost::interactive, PasswordHashCost::moderate}) {
        if (text == to_string(cost)) return cost;
    }
    return fail_field("auth.password_hash_cost",
                      "auth.password_hash_cost must be interactive, moderate or minimum");
}

Result<void> Config::validate() const {
    if (data_dir.empty()) return fail_field("data_dir", "data_dir must not be empty");
    if (server.host.empty()) return fail_field("server.host", "server.host must not be empty");
    if (server.max_body_bytes < 1024) {
        return fail_field("server.max_body_bytes", "server.max_body_bytes must be at least 1024");
    }
    for (auto [name, value] : {std::pair{"server.header_timeout", server.header_timeout},
                               std::pair{"server.body_timeout", server.body_timeout},
                               std::pair{"server.idle_timeout", server.idle_timeout}}) {
        if (value.count() < 1) return fail_field(name, fmt::format("{} must be at least one second", name));
    }
    for (const auto& origin : server.cors_origins) {
        if (!valid_origin(origin)) {
            return fail_field(
                "server.cors_origins",
                fmt::format("CORS origin '{}' must look like http://host:port (no path, no '*')", origin));
        }
    }
    if (!auth.jwt_secret.empty() && auth.jwt_secret.size() < min_jwt_secret_bytes) {
        return fail_field("auth.jwt_secret",
                          fmt::format("the JWT secret must be at least {} bytes (it has {})",
                                      min_jwt_secret_bytes, auth.jwt_secret.size()));
    }
    if (auth.access_token_ttl < std::chrono::seconds(60) ||
        auth.access_token_ttl > std::chrono::hours(24 * 7)) {
        return fail_field("auth.access_token_ttl", "auth.access_token_ttl must be between 60 s and 7 days");
    }
    if (ingest.max_pdf_bytes < 1024)
        return fail_field("ingest.max_pdf_bytes", "ingest.max_pdf_bytes must be at least 1024");
    if (ingest.ocr_dpi < 72 || ingest.ocr_dpi > 600) {
        return fail_field("ingest.ocr_dpi", "ingest.ocr_dpi must be between 72 and 600");
    }
    if (ingest.ocr_languages.empty() ||
        ingest.ocr_languages.find_first_not_of("abcdefghijklmnopqrstuvwxyz_+") != std::string::npos) {
        return fail_field("ingest.ocr_languages",
                          "ingest.ocr_languages must be Tesseract codes joined by '+', e.g. eng+hin");
    }
    if (ingest.chunk_tokens < 50 || ingest.chunk_tokens > 4000) {
        return fail_field("ingest.chunk_tokens", "ingest.chunk_tokens must be between 50 and 4000");
    }
    if (!(ingest.chunk_overlap >= 0 && ingest.chunk_overlap <= 0.5)) {
        return fail_field("ingest.chunk_overlap", "ingest.chunk_overlap must be between 0 and 0.5");
    }
    if (!embeddings.base_url.empty() && !embeddings.base_url.starts_with("http://") &&
        !embeddings.base_url.starts_with("https://")) {
        return fail_field("embeddings.base_url", "embeddings.base_url must start with http:// or https://");
    }
    if (embeddings.dimension != 0 && (embeddings.dimension < 8 || embeddings.dimension > 8192)) {
        return fail_field("embeddings.dimension", "embeddings.dimension must be between 8 and 8192");
    }
    if (!llm.base_url.empty() && !llm.base_url.starts_with("http://") &&
        !llm.base_url.starts_with("https://")) {
        return fail_field("llm.base_url", "llm.base_url must start with http:// or https://");
    }
    if (llm.model.empty()) return fail_field("llm.model", "llm.model must not be empty");
    if (exports.ttl <= std::chrono::seconds(0)) {
        return fail_field("exports.ttl",
                          "SHIKSHA_EXPORT_TTL must be positive (exports would expire at once)");
    }
    if (!exports.public_url.empty() && !exports.public_url.starts_with("http://") &&
        !exports.public_url.starts_with("https://")) {
        return fail_field("exports.public_url", "SHIKSHA_PUBLIC_URL must start with http:// or https://");
    }
    if (delivery.gateway != "deeplink" && delivery.gateway != "meta" && delivery.gateway != "twilio") {
        return fail_field(
            "delivery.gateway",
            fmt::format("WhatsApp gateway '{}' is not one of deeplink, meta, twilio", delivery.gateway));
    }
    if (delivery.max_attempts < 1 || delivery.max_attempts > 50)
        return fail_field("delivery.max_attempts", "delivery.max_attempts must be 1..50");
    for (auto code : detail::split(delivery.extra_country_codes, ',')) {
        code = detail::trim(code);
        if (delivery.extra_country_codes.empty()) break;
        if (code.empty() || code.size() > 3 ||
            !std::ranges::all_of(code, [](char c) { return c >= '0' && c <= '9'; }))
            return fail_field("delivery.extra_country_codes",
                              "SHIKSHA_WHATSAPP_COUNTRY_CODES: comma-separated calling codes such as 1,44");
    }
    for (auto name : detail::split(translation.providers, ',')) {
        const auto p = detail::trim(name);
        if (p != "google" && p != "llm" && p != "bhashini" && p != "memory") {
            return fail_field(
                "translation.providers",
                fmt::format("translation provider '{}' is not one of google, llm, bhashini, memory", p));
        }
    }
    if (retrieval.hnsw_m < 4 || retrieval.hnsw_m > 128)
        return fail_field("retrieval.hnsw_m", "retrieval.hnsw_m must be 4..128");
    if (net.max_attempts < 1 || net.max_attempts > 10)
        return fail_field("net.max_attempts", "net.max_attempts must be 1..10");
    if (!net.https_proxy.empty() && !net.https_proxy.starts_with("http://")) {
        return fail_field("net.https_proxy", "HTTPS_PROXY must look like http://host:port");
    }
    if (auth.refresh_token_ttl < auth.access_token_ttl) {
        return fail_field("auth.refresh_token_ttl",
                          "auth.refresh_token_ttl must not be shorter than the access token's");
    }
    return {};
}

const std::vector<EnvVariable>& config_env_variables() {
    static const std::vector<EnvVariable> vars = {
        {"SHIKSHA_DATA_DIR", "data directory (database, uploads, exports); default ./shiksha-data"},
        {"SHIKSHA_WORKERS", "worker threads for long work; default one per core (at least 2)"},
        {"SHIKSHA_LOG_LEVEL", "debug, info, warn or error; default info"},
        {"SHIKSHA_HOST", "address the server binds; default 127.0.0.1"},
        {"SHIKSHA_PORT", "port the server listens on; default 8000 (0 = any free port)"},
        {"SHIKSHA_THREADS", "server I/O threads; default one per core"},
        {"SHIKSHA_MAX_CONNECTIONS", "connections served at once, more wait in the backlog; 0 = no cap; "
                                    "default 1000"},
        {"SHIKSHA_MAX_BODY_MB", "largest request body in MiB, larger gets 413; default 64"},
        {"SHIKSHA_HEADER_TIMEOUT", "time allowed to send request headers; default 10s"},
        {"SHIKSHA_BODY_TIMEOUT", "time allowed to send a request body; default 120s"},
        {"SHIKSHA_IDLE_TIMEOUT", "keep-alive wait for the next request; default 30s"},
        {"SHIKSHA_SHUTDOWN_GRACE", "how long in-flight requests may finish on SIGTERM; default 30s"},
        {"SHIKSHA_CORS_ORIGINS", "comma-separated exact origins allowed by CORS; default the loopback "
                                 "origins on ports 3000, 3001 and 5173"},
        {"SHIKSHA_RATE_LIMIT_PER_MINUTE", "requests per minute per client address; 0 disables; default 600"},
        {"SHIKSHA_TRUST_FORWARDED_PROTO",
         "true when a TLS-terminating proxy sets X-Forwarded-Proto: https answers then carry "
         "Strict-Transport-Security; default false"},
        {"SHIKSHA_JWT_SECRET", "HS256 signing secret, at least 32 bytes; required by `serve` without --dev"},
        {"SHIKSHA_ACCESS_TOKEN_TTL", "access token lifetime; default 1h"},
        {"SHIKSHA_REFRESH_TOKEN_TTL", "refresh token lifetime; default 30d"},
        {"SHIKSHA_LOGIN_ATTEMPTS_PER_MINUTE",
         "login attempts per minute per address and account; default 10"},
        {"SHIKSHA_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE",
         "login attempts per minute per address across all accounts; 0 disables; default 30"},
        {"SHIKSHA_ALLOW_ANONYMOUS_UPLOAD", "true admits manual uploads without a token (original frontend); "
                                           "rate-limited and audited; default false"},
        {"SHIKSHA_TRUST_PROXY", "true derives the public base of links from X-Forwarded-Proto/-Host "
                                "(only behind a proxy that sets them); default false"},
        {"SHIKSHA_SHARE_WAIT_MAX_RECIPIENTS",
         "WhatsApp shares to at most this many recipients wait for the first send; default 20"},
        {"SHIKSHA_SHARE_WAIT", "how long such a share waits for the gateway's first attempt; 0 = never; "
                               "default 10s"},
        {"SHIKSHA_MAX_PDF_MB", "largest manual accepted, in MiB; default 50"},
        {"SHIKSHA_MAX_PDF_PAGES", "most pages a manual may have; default 1000"},
        {"SHIKSHA_OCR", "OCR pages without a usable text layer (true/false); default true"},
        {"SHIKSHA_OCR_LANGUAGES", "Tesseract language packs, e.g. eng+hin+mar; default eng+hin"},
        {"SHIKSHA_TESSDATA_DIR", "where the .traineddata files are; default Tesseract's own"},
        {"SHIKSHA_OCR_DPI", "rasterisation resolution for OCR; default 200"},
        {"SHIKSHA_CHUNK_TOKENS", "chunk budget in tokens; default 300"},
        {"SHIKSHA_CHUNK_OVERLAP", "share of a chunk repeated in the next, 0..0.5; default 0.15"},
        {"SHIKSHA_EMBEDDINGS_BASE_URL",
         "OpenAI-compatible embeddings endpoint (…/v1); default none = built-in "
         "offline embedder"},
        {"SHIKSHA_EMBEDDINGS_API_KEY", "key for that endpoint"},
        {"SHIKSHA_EMBEDDINGS_MODEL", "embedding model; default text-embedding-3-small"},
        {"SHIKSHA_EMBEDDINGS_DIMENSION",
         "vector length; default 384 (built-in) or learned from the endpoint"},
        {"SHIKSHA_LLM_BASE_URL", "OpenAI-compatible chat endpoint (…/v1); set it or the key to use an LLM "
                                 "instead of the offline adapter; default Groq's when only a key is set"},
        {"SHIKSHA_LLM_API_KEY", "key for that endpoint"},
        {"SHIKSHA_LLM_MODEL", "chat model; default llama-3.3-70b-versatile"},
        {"SHIKSHA_TRANSLATE_PROVIDER",
         "translation providers in order: google, llm, bhashini (comma-separated); "
         "default memory = translation memory only"},
        {"SHIKSHA_TRANSLATION_MEMORY_TTL", "how long translations are reused; default 7d"},
        {"SHIKSHA_GOOGLE_TRANSLATE_API_KEY", "Google Cloud Translation v2 key"},
        {"SHIKSHA_GOOGLE_TRANSLATE_BASE_URL",
         "Google Cloud Translation base URL; default https://translation.googleapis.com"},
        {"SHIKSHA_BHASHINI_USER_ID", "Bhashini (ULCA) user id"},
        {"SHIKSHA_BHASHINI_API_KEY", "Bhashini (ULCA) API key"},
        {"SHIKSHA_BHASHINI_PIPELINE_URL",
         "Bhashini pipeline config endpoint; default MeitY's getModelsPipeline"},
        {"SHIKSHA_EXPORT_TTL", "how long exported PDFs are kept; default 24h"},
        {"SHIKSHA_WHATSAPP_GATEWAY", "deeplink (default, wa.me links), meta or twilio"},
        {"SHIKSHA_WHATSAPP_RATE",
         "messages per second; default the gateway's (Meta 80, Twilio 10); -1 = no limit"},
        {"SHIKSHA_WHATSAPP_MAX_ATTEMPTS", "attempts per message before it is failed; default 6"},
        {"SHIKSHA_WHATSAPP_COUNTRY_CODES", "calling codes accepted besides +91, comma-separated"},
        {"SHIKSHA_META_BASE_URL", "WhatsApp Cloud API base; default https://graph.facebook.com/v19.0"},
        {"SHIKSHA_META_ACCESS_TOKEN", "WhatsApp Cloud API token"},
        {"SHIKSHA_META_PHONE_NUMBER_ID", "the WhatsApp business number's id"},
        {"SHIKSHA_META_APP_SECRET", "verifies X-Hub-Signature-256 on status webhooks"},
        {"SHIKSHA_META_VERIFY_TOKEN", "answers Meta's webhook subscription handshake"},
        {"SHIKSHA_META_TEMPLATE", "approved template to send instead of free text"},
        {"SHIKSHA_META_TEMPLATE_LANGUAGE", "its language code; default en"},
        {"SHIKSHA_TWILIO_BASE_URL", "default https://api.twilio.com"},
        {"SHIKSHA_TWILIO_ACCOUNT_SID", "Twilio account"},
        {"SHIKSHA_TWILIO_AUTH_TOKEN", "Twilio auth token (also verifies status callbacks)"},
        {"SHIKSHA_TWILIO_FROM", "the WhatsApp sender, whatsapp:+14155238886"},
        {"SHIKSHA_PUBLIC_URL", "base URL links in exported PDFs use; default http://127.0.0.1:8000"},
        {"SHIKSHA_FONT_DIR",
         "where the Noto fonts are; default /usr/share/fonts/truetype/noto (fonts-noto-core)"},
        {"SHIKSHA_YOUTUBE_API_KEY", "YouTube Data API v3 key; unset = the local video catalogue only"},
        {"SHIKSHA_YOUTUBE_BASE_URL", "default https://www.googleapis.com"},
        {"SHIKSHA_YOUTUBE_DAILY_QUOTA", "units per day (YouTube's default 10000)"},
        {"SHIKSHA_VIDEO_CACHE_TTL", "how long a module's suggestions are reused; default 7d"},
        {"HTTPS_PROXY", "proxy for outbound HTTPS (http://host:port), also https_proxy"},
        {"NO_PROXY", "hosts that bypass the proxy, comma-separated, also no_proxy"},
        {"SHIKSHA_PASSWORD_HASH_COST",
         "Argon2id cost: interactive (default), moderate, or minimum (tests only)"},
    };
    return vars;
}

Result<Config> config_from_env() {
    return config_from_env([](const char* name) -> const char* { return std::getenv(name); });
}

Result<Config> config_from_env(const std::function<const char*(const char*)>& getenv) {
    Config cfg;
    auto get = [&](const char* name) -> std::optional<std::string_view> {
        const char* v = getenv(name);
        if (v == nullptr || *v == '\0') return std::nullopt;
        return std::string_view(v);
    };
    if (auto v = get("SHIKSHA_DATA_DIR")) cfg.data_dir = std::string(*v);
    if (auto v = get("SHIKSHA_WORKERS")) {
        auto n = parse_int("SHIKSHA_WORKERS", *v, 0, 256);
        if (!n) return std::unexpected(n.error());
        cfg.workers = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_LOG_LEVEL")) {
        auto level = parse_log_level(*v);
        if (!level)
            return fail_field("SHIKSHA_LOG_LEVEL", "SHIKSHA_LOG_LEVEL must be debug, info, warn or error");
        cfg.log_level = *level;
    }
    if (auto v = get("SHIKSHA_HOST")) cfg.server.host = std::string(*v);
    if (auto v = get("SHIKSHA_PORT")) {
        auto n = parse_int("SHIKSHA_PORT", *v, 0, 65535);
        if (!n) return std::unexpected(n.error());
        cfg.server.port = static_cast<std::uint16_t>(*n);
    }
    if (auto v = get("SHIKSHA_THREADS")) {
        auto n = parse_int("SHIKSHA_THREADS", *v, 0, 256);
        if (!n) return std::unexpected(n.error());
        cfg.server.threads = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_MAX_CONNECTIONS")) {
        auto n = parse_int("SHIKSHA_MAX_CONNECTIONS", *v, 0, 1'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.server.max_connections = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_MAX_BODY_MB")) {
        auto n = parse_int("SHIKSHA_MAX_BODY_MB", *v, 1, 4096);
        if (!n) return std::unexpected(n.error());
        cfg.server.max_body_bytes = static_cast<std::size_t>(*n) << 20;
    }
    for (auto [var, target] : {std::pair{"SHIKSHA_HEADER_TIMEOUT", &cfg.server.header_timeout},
                               std::pair{"SHIKSHA_BODY_TIMEOUT", &cfg.server.body_timeout},
                               std::pair{"SHIKSHA_IDLE_TIMEOUT", &cfg.server.idle_timeout},
                               std::pair{"SHIKSHA_SHUTDOWN_GRACE", &cfg.server.shutdown_grace},
                               std::pair{"SHIKSHA_SHARE_WAIT", &cfg.server.share_wait},
                               std::pair{"SHIKSHA_ACCESS_TOKEN_TTL", &cfg.auth.access_token_ttl},
                               std::pair{"SHIKSHA_REFRESH_TOKEN_TTL", &cfg.auth.refresh_token_ttl}}) {
        if (auto v = get(var)) {
            auto d = parse_duration(var, *v);
            if (!d) return std::unexpected(d.error());
            *target = *d;
        }
    }
    if (auto v = get("SHIKSHA_CORS_ORIGINS")) {
        cfg.server.cors_origins.clear();
        for (auto part : detail::split(*v, ',')) {
            auto origin = detail::trim(part);
            if (!origin.empty()) cfg.server.cors_origins.emplace_back(origin);
        }
    }
    if (auto v = get("SHIKSHA_RATE_LIMIT_PER_MINUTE")) {
        auto n = parse_int("SHIKSHA_RATE_LIMIT_PER_MINUTE", *v, 0, 10'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.server.requests_per_minute = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_JWT_SECRET")) cfg.auth.jwt_secret = std::string(*v);
    if (auto v = get("SHIKSHA_LOGIN_ATTEMPTS_PER_MINUTE")) {
        auto n = parse_int("SHIKSHA_LOGIN_ATTEMPTS_PER_MINUTE", *v, 0, 1'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.auth.login_attempts_per_minute = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE")) {
        auto n = parse_int("SHIKSHA_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", *v, 0, 1'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.auth.login_attempts_per_address_per_minute = static_cast<unsigned>(*n);
    }
    if (auto v = get("SHIKSHA_PASSWORD_HASH_COST")) {
        auto cost = parse_password_hash_cost(*v);
        if (!cost) {
            return fail_field("SHIKSHA_PASSWORD_HASH_COST",
                              "SHIKSHA_PASSWORD_HASH_COST must be interactive, moderate or minimum");
        }
        cfg.auth.password_hash_cost = *cost;
    }
    auto boolean = [&](const char* var, bool& target) -> Result<void> {
        if (auto v = get(var)) {
            const std::string t = detail::ascii_lower(*v);
            if (t == "true" || t == "1" || t == "yes" || t == "on")
                target = true;
            else if (t == "false" || t == "0" || t == "no" || t == "off")
                target = false;
            else
                return fail_field(var, fmt::format("{} must be true or false", var));
        }
        return {};
    };
    if (auto ok = boolean("SHIKSHA_ALLOW_ANONYMOUS_UPLOAD", cfg.server.allow_anonymous_upload); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = boolean("SHIKSHA_TRUST_FORWARDED_PROTO", cfg.server.trust_forwarded_proto); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = boolean("SHIKSHA_TRUST_PROXY", cfg.server.trust_forwarded_headers); !ok)
        return std::unexpected(ok.error());
    if (auto v = get("SHIKSHA_SHARE_WAIT_MAX_RECIPIENTS")) {
        auto n = parse_int("SHIKSHA_SHARE_WAIT_MAX_RECIPIENTS", *v, 0, 100'000);
        if (!n) return std::unexpected(n.error());
        cfg.server.share_wait_max_recipients = static_cast<unsigned>(*n);
    }
    if (auto ok = boolean("SHIKSHA_OCR", cfg.ingest.ocr); !ok) return std::unexpected(ok.error());
    if (auto v = get("SHIKSHA_MAX_PDF_MB")) {
        auto n = parse_int("SHIKSHA_MAX_PDF_MB", *v, 1, 2048);
        if (!n) return std::unexpected(n.error());
        cfg.ingest.max_pdf_bytes = static_cast<std::size_t>(*n) << 20;
    }
    if (auto v = get("SHIKSHA_MAX_PDF_PAGES")) {
        auto n = parse_int("SHIKSHA_MAX_PDF_PAGES", *v, 1, 1'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.ingest.max_pages = static_cast<int>(*n);
    }
    if (auto v = get("SHIKSHA_OCR_LANGUAGES")) cfg.ingest.ocr_languages = std::string(*v);
    if (auto v = get("SHIKSHA_TESSDATA_DIR")) cfg.ingest.tessdata_dir = std::string(*v);
    if (auto v = get("SHIKSHA_OCR_DPI")) {
        auto n = parse_int("SHIKSHA_OCR_DPI", *v, 72, 600);
        if (!n) return std::unexpected(n.error());
        cfg.ingest.ocr_dpi = static_cast<int>(*n);
    }
    if (auto v = get("SHIKSHA_CHUNK_TOKENS")) {
        auto n = parse_int("SHIKSHA_CHUNK_TOKENS", *v, 50, 4000);
        if (!n) return std::unexpected(n.error());
        cfg.ingest.chunk_tokens = static_cast<std::size_t>(*n);
    }
    if (auto v = get("SHIKSHA_CHUNK_OVERLAP")) {
        char* end = nullptr;
        const std::string text(*v);
        const double d = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size() || !(d >= 0 && d <= 0.5)) {
            return fail_field("SHIKSHA_CHUNK_OVERLAP",
                              "SHIKSHA_CHUNK_OVERLAP must be a number from 0 to 0.5");
        }
        cfg.ingest.chunk_overlap = d;
    }
    if (auto v = get("SHIKSHA_EMBEDDINGS_BASE_URL")) cfg.embeddings.base_url = std::string(*v);
    if (auto v = get("SHIKSHA_EMBEDDINGS_API_KEY")) cfg.embeddings.api_key = std::string(*v);
    if (auto v = get("SHIKSHA_EMBEDDINGS_MODEL")) cfg.embeddings.model = std::string(*v);
    if (auto v = get("SHIKSHA_EMBEDDINGS_DIMENSION")) {
        auto n = parse_int("SHIKSHA_EMBEDDINGS_DIMENSION", *v, 8, 8192);
        if (!n) return std::unexpected(n.error());
        cfg.embeddings.dimension = static_cast<std::size_t>(*n);
    }
    if (auto v = get("SHIKSHA_LLM_BASE_URL")) cfg.llm.base_url = std::string(*v);
    if (auto v = get("SHIKSHA_LLM_API_KEY")) cfg.llm.api_key = std::string(*v);
    if (auto v = get("SHIKSHA_LLM_MODEL")) cfg.llm.model = std::string(*v);
    if (auto v = get("SHIKSHA_TRANSLATE_PROVIDER")) cfg.translation.providers = detail::ascii_lower(*v);
    if (auto v = get("SHIKSHA_TRANSLATION_MEMORY_TTL")) {
        auto d = parse_duration("SHIKSHA_TRANSLATION_MEMORY_TTL", *v);
        if (!d) return std::unexpected(d.error());
        cfg.translation.memory_ttl = *d;
    }
    if (auto v = get("SHIKSHA_GOOGLE_TRANSLATE_API_KEY")) cfg.translation.google_api_key = std::string(*v);
    if (auto v = get("SHIKSHA_GOOGLE_TRANSLATE_BASE_URL")) cfg.translation.google_base_url = std::string(*v);
    if (auto v = get("SHIKSHA_BHASHINI_USER_ID")) cfg.translation.bhashini_user_id = std::string(*v);
    if (auto v = get("SHIKSHA_BHASHINI_API_KEY")) cfg.translation.bhashini_api_key = std::string(*v);
    if (auto v = get("SHIKSHA_BHASHINI_PIPELINE_URL"))
        cfg.translation.bhashini_pipeline_url = std::string(*v);
    if (auto v = get("SHIKSHA_EXPORT_TTL")) {
        auto d = parse_duration("SHIKSHA_EXPORT_TTL", *v);
        if (!d) return std::unexpected(d.error());
        cfg.exports.ttl = *d;
    }
    if (auto v = get("SHIKSHA_PUBLIC_URL")) cfg.exports.public_url = std::string(*v);
    if (auto v = get("SHIKSHA_PUBLIC_BASE_URL")) cfg.exports.public_url = std::string(*v);
    if (auto v = get("SHIKSHA_WHATSAPP_GATEWAY")) cfg.delivery.gateway = std::string(*v);
    if (auto v = get("SHIKSHA_WHATSAPP_RATE")) {
        char* end = nullptr;
        const std::string text(*v);
        const double d = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size() || text.empty() || !(d >= -1 && d <= 10000))
            return fail_field("SHIKSHA_WHATSAPP_RATE",
                              "SHIKSHA_WHATSAPP_RATE must be messages per second (-1 = no limit)");
        cfg.delivery.rate_per_second = d;
    }
    if (auto v = get("SHIKSHA_WHATSAPP_MAX_ATTEMPTS")) {
        auto n = parse_int("SHIKSHA_WHATSAPP_MAX_ATTEMPTS", *v, 1, 50);
        if (!n) return std::unexpected(n.error());
        cfg.delivery.max_attempts = static_cast<int>(*n);
    }
    if (auto v = get("SHIKSHA_WHATSAPP_COUNTRY_CODES")) cfg.delivery.extra_country_codes = std::string(*v);
    if (auto v = get("SHIKSHA_META_BASE_URL")) cfg.delivery.meta_base_url = std::string(*v);
    if (auto v = get("SHIKSHA_META_ACCESS_TOKEN")) cfg.delivery.meta_access_token = std::string(*v);
    if (auto v = get("SHIKSHA_META_PHONE_NUMBER_ID")) cfg.delivery.meta_phone_number_id = std::string(*v);
    if (auto v = get("SHIKSHA_META_APP_SECRET")) cfg.delivery.meta_app_secret = std::string(*v);
    if (auto v = get("SHIKSHA_META_VERIFY_TOKEN")) cfg.delivery.meta_verify_token = std::string(*v);
    if (auto v = get("SHIKSHA_META_TEMPLATE")) cfg.delivery.meta_template = std::string(*v);
    if (auto v = get("SHIKSHA_META_TEMPLATE_LANGUAGE")) cfg.delivery.meta_template_language = std::string(*v);
    if (auto v = get("SHIKSHA_TWILIO_BASE_URL")) cfg.delivery.twilio_base_url = std::string(*v);
    if (auto v = get("SHIKSHA_TWILIO_ACCOUNT_SID")) cfg.delivery.twilio_account_sid = std::string(*v);
    if (auto v = get("SHIKSHA_TWILIO_AUTH_TOKEN")) cfg.delivery.twilio_auth_token = std::string(*v);
    if (auto v = get("SHIKSHA_TWILIO_FROM")) cfg.delivery.twilio_from = std::string(*v);
    if (auto v = get("SHIKSHA_YOUTUBE_API_KEY")) cfg.videos.youtube_api_key = std::string(*v);
    if (auto v = get("SHIKSHA_YOUTUBE_BASE_URL")) cfg.videos.youtube_base_url = std::string(*v);
    if (auto v = get("SHIKSHA_YOUTUBE_DAILY_QUOTA")) {
        auto n = parse_int("SHIKSHA_YOUTUBE_DAILY_QUOTA", *v, 1, 100'000'000);
        if (!n) return std::unexpected(n.error());
        cfg.videos.daily_quota_units = static_cast<int>(*n);
    }
    if (auto v = get("SHIKSHA_VIDEO_CACHE_TTL")) {
        auto d = parse_duration("SHIKSHA_VIDEO_CACHE_TTL", *v);
        if (!d) return std::unexpected(d.error());
        cfg.videos.cache_ttl = *d;
    }
    if (auto v = get("SHIKSHA_FONT_DIR")) cfg.exports.font_dir = std::string(*v);
    // The conventional proxy variables, in either case (curl and Python accept both).
    if (auto v = get("HTTPS_PROXY"))
        cfg.net.https_proxy = std::string(*v);
    else if (auto w = get("https_proxy"))
        cfg.net.https_proxy = std::string(*w);
    if (auto v = get("NO_PROXY"))
        cfg.net.no_proxy = std::string(*v);
    else if (auto w = get("no_proxy"))
        cfg.net.no_proxy = std::string(*w);

    if (auto ok = cfg.validate(); !ok) return std::unexpected(ok.error());
    return cfg;
}

namespace {

Result<std::string> load_or_create_dev_jwt_secret(const std::filesystem::path& data_dir, bool may_retry) {
    if (auto made = detail::create_private_directory(data_dir); !made) return std::unexpected(made.error());
    const auto path = data_dir / "dev-jwt-secret";
    if (std::ifstream in{path}; in) {
        std::stringstream buf;
        buf << in.rdbuf();
        std::string secret{detail::trim(buf.str())};
        if (secret.size() < min_jwt_secret_bytes) {
            return fail(ErrorCode::invalid_argument,
                        fmt::format("{} holds a secret shorter than {} bytes; delete it to get a new one",
                                    path.string(), min_jwt_secret_bytes));
        }
        return secret;
    }
    std::string secret = detail::random_hex(32);
    // O_EXCL: when two processes race, one creates the file and the other re-reads it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        // Retry once only: a name that exists but cannot be read (a dangling symlink, say) would
        // otherwise recurse until the stack runs out.
        if (errno == EEXIST && may_retry) return load_or_create_dev_jwt_secret(data_dir, false);
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
    }
    const std::string line = secret + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return fail(ErrorCode::unavailable, fmt::format("cannot write {}", path.string()));
    return secret;
}

} // namespace

Result<std::string> load_or_create_dev_jwt_secret(const std::filesystem::path& data_dir) {
    return load_or_create_dev_jwt_secret(data_dir, true);
}

} // namespace shiksha
