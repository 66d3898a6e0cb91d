#pragma once
/// Configuration is a plain struct with defaults. Engines never read the environment; hosts
/// call `config_from_env()` explicitly (the shell and the Python module do).
///
///     shiksha::Config cfg;                       // defaults: ./shiksha-data, 127.0.0.1:8000
///     cfg.data_dir = "/var/lib/shiksha";
///     if (auto ok = cfg.validate(); !ok) { ... ok.error().field ... }
///
///     auto env = shiksha::config_from_env();     // defaults overlaid with SHIKSHA_* variables
///
/// Every variable `config_from_env()` reads is listed at `config_env_variables()` and in the
/// README. Secrets (the JWT secret, provider keys) are never logged.

#include "shiksha/error.hpp"
#include "shiksha/log.hpp"
#include "shiksha/providers.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;               ///< 0 picks a free port (tests)
    unsigned threads = 0;                    ///< I/O threads; 0 = one per core
    std::size_t max_body_bytes = 64u << 20;  ///< larger bodies get 413
    std::chrono::seconds header_timeout{10}; ///< to receive a complete request head
    std::chrono::seconds body_timeout{120};  ///< to receive the body (uploads)
    std::chrono::seconds idle_timeout{30};   ///< keep-alive wait for the next request
    std::chrono::seconds shutdown_grace{30}; ///< in-flight requests get this long on SIGTERM
    /// Exact origins allowed by CORS (echoed back, never "*"). Default: where the original
    /// frontend is served from.
    std::vector<std::string> cors_origins = {"http://localhost:3000", "http://localhost:3001",
                                             "http://localhost:5173", "http://127.0.0.1:3000",
                                             "http://127.0.0.1:3001", "http://127.0.0.1:5173"};
    unsigned requests_per_minute = 600; ///< per client address; 0 disables
    /// Connections served at once; beyond it new ones wait in the listen backlog until one
    /// ends. Keep it under the descriptor limit (`ulimit -n`) with room for files and the
    /// database. 0 = no cap.
    unsigned max_connections = 1000;
    /// Admit manual uploads without a token (the original frontend sends none). Off by
    /// default; such uploads are rate-limited and recorded in the audit log.
    bool allow_anonymous_upload = false;
    unsigned anonymous_uploads_per_hour = 20; ///< per client address, when allowed
    /// The server sits behind a TLS-terminating proxy that sets `X-Forwarded-Proto`: requests
    /// it marks `https` get `Strict-Transport-Security`. Off by default, because without such
    /// a proxy any client could send the header.
    bool trust_forwarded_proto = false;
    /// Derive the public base of links from X-Forwarded-Proto / X-Forwarded-Host (set only behind
    /// a reverse proxy that overwrites them; otherwise a client could choose its links' host).
    bool trust_forwarded_headers = false;
    /// A WhatsApp share to at most this many recipients waits for the gateway's first attempt
    /// (up to `share_wait`) and reports real outcomes; a larger one answers at once (pending).
    unsigned share_wait_max_recipients = 20;
    std::chrono::seconds share_wait{10}; ///< 0 = never wait
};

/// Argon2id cost. `interactive` is libsodium's recommendation for logins; `minimum` exists
/// for tests and throwaway data dirs only.
enum class PasswordHashCost { minimum, interactive, moderate };

struct AuthConfig {
    /// HS256 signing key, at least 32 bytes. Required by `shiksha serve` unless --dev.
    std::string jwt_secret;
    std::chrono::seconds access_token_ttl{3600};
    std::chrono::seconds refresh_token_ttl{std::chrono::hours(24 * 30)};
    unsigned login_attempts_per_minute = 10; ///< per client address and account; 0 disables
    /// Per client address across all accounts, so guessing many accounts (or spellings of one)
    /// from one address is throttled too; 0 disables.
    unsigned login_attempts_per_address_per_minute = 30;
    PasswordHashCost password_hash_cost = PasswordHashCost::interactive;
};

struct IngestConfig {
    std::size_t max_pdf_bytes = 50u << 20; ///< larger PDFs are refused
    /// PDFs with more pages are refused at upload: indexing is linear in pages (OCR seconds
    /// each), and no training manual comes near it.
    int max_pages = 1000;
    bool ocr = true;                       ///< OCR pages without a usable text layer
    std::string ocr_languages = "eng+hin"; ///< Tesseract language packs, '+'-separated
    std::string tessdata_dir; ///< empty = Tesseract's default (Debian: /usr/share/tesseract-ocr/5/tessdata)
    int ocr_dpi = 200;        ///< rasterisation for OCR
    std::size_t chunk_tokens = 300; ///< chunk budget (see count_tokens in the docs)
    double chunk_overlap = 0.15;    ///< share of a chunk repeated in the next
};

struct EmbeddingsConfig {
    /// OpenAI-compatible endpoint, e.g. https://api.openai.com/v1; empty = the built-in
    /// offline hash embedder.
    std::string base_url;
    std::string api_key;
    std::string model = "text-embedding-3-small";
    std::size_t dimension = 0; ///< 0 = 384 for the hash embedder, learned for a remote one
};

/// The chat model that writes modules and answers. Unset (no base URL and no key) means the
/// offline rule-based adapter; a key alone means Groq; a base URL alone suits a local server
/// (Ollama, vLLM, llama.cpp) that needs no key.
struct LlmConfig {
    std::string base_url; ///< e.g. https://api.groq.com/openai/v1
    std::string api_key;
    std::string model = "llama-3.3-70b-versatile";
    double temperature = 0.4;
    int max_tokens = 3000;

    [[nodiscard]] bool configured() const noexcept { return !base_url.empty() || !api_key.empty(); }
    /// base_url, or Groq's when only a key is given.
    [[nodiscard]] std::string effective_base_url() const {
        return base_url.empty() ? std::string("https://api.groq.com/openai/v1") : base_url;
    }
};

/// Machine translation: providers tried in order after the translation memory. "memory" alone
/// (the default) serves only what the memory holds and says so for everything else.
struct TranslationConfig {
    std::string providers = "memory"; ///< comma-separated chain: google, llm, bhashini, memory
    std::chrono::seconds memory_ttl{std::chrono::hours(24 * 7)};
    std::string google_api_key;
    std::string google_base_url = "https://translation.googleapis.com";
    std::string bhashini_user_id;
    std::string bhashini_api_key;
    std::string bhashini_pipeline_url =
        "https://meity-auth.ulcacontrib.org/ulca/apis/v0/model/getModelsPipeline";
};

struct ExportConfig {
    std::chrono::seconds ttl{std::chrono::hours(24)}; ///< exported files are deleted after this
    /// Base URL links in exported PDFs and WhatsApp messages point to (citations to manual pages,
    /// download links), e.g. "https://shiksha.diet.gov.in". Empty (the default) = not known: a
    /// host that knows it per call passes it in `PdfOptions::public_url` /
    /// `ShareRequest::public_url` (the server derives it from the request's Host); with neither,
    /// PDFs carry no such links and download links are paths. Never guessed: a guessed port is
    /// a dead link.
    std::string public_url;
    std::filesystem::path font_dir = "/usr/share/fonts/truetype/noto";
};

/// WhatsApp delivery. The default gateway, "deeplink", needs no account: it returns wa.me links
/// an administrator opens on their own phone.
struct DeliveryConfig {
    std::string gateway = "deeplink"; ///< "deeplink", "meta" (WhatsApp Cloud API) or "twilio"
    /// Messages per second through the gateway (token bucket); 0 = the gateway's usual limit
    /// (Meta 80/s per business number, Twilio 10/s).
    double rate_per_second = 0;
    int max_attempts = 6;                         ///< then the message is `failed` with the last error
    std::chrono::milliseconds backoff_base{2000}; ///< first retry wait, doubled per attempt, full jitter
    std::chrono::milliseconds backoff_max{std::chrono::minutes(10)};
    /// Calling codes accepted besides India's (+91), comma-separated digits ("1,44"); empty = India only.
    std::string extra_country_codes;

    // Meta WhatsApp Cloud API
    std::string meta_base_url = "https://graph.facebook.com/v19.0";
    std::string meta_access_token;    ///< Bearer token (system user)
    std::string meta_phone_number_id; ///< the business number's id
    std::string meta_app_secret;      ///< signs the status webhooks (X-Hub-Signature-256)
    std::string meta_verify_token;    ///< echoed back in the webhook subscription handshake
    std::string meta_template; ///< send this approved template instead of free text (outside the 24 h window)
    std::string meta_template_language = "en";

    // Twilio
    std::string twilio_base_url = "https://api.twilio.com";
    std::string twilio_account_sid;
    std::string twilio_auth_token; ///< Basic auth password; also signs the status callbacks
    std::string twilio_from;       ///< the WhatsApp sender, "whatsapp:+14155238886"
};

/// Teaching-video suggestions: YouTube Data API v3 when a key is set, else the local catalogue.
struct VideoConfig {
    std::string youtube_api_key; ///< SHIKSHA_YOUTUBE_API_KEY; empty = catalogue only
    std::string youtube_base_url = "https://www.googleapis.com";
    int daily_quota_units = 10000; ///< YouTube's default daily quota; the ledger resets at midnight Pacific
    std::chrono::seconds cache_ttl{std::chrono::hours(24 * 7)}; ///< suggestions kept per module
};

struct RetrievalConfig {
    std::size_t hnsw_m = 16;
    std::size_t hnsw_ef_construction = 200;
    std::size_t hnsw_ef_search = 128;
    double rrf_k = 60; ///< reciprocal rank fusion constant
    /// Weight of the vector ranks against BM25's (1.0) in the fusion; 0 = automatic: the
    /// embedder's own Embedder::fusion_weight() (low for the built-in hash embedder, a weaker
    /// signal than BM25 on real manuals; 1.0 for a real embedding model).
    double vector_weight = 0;
};

/// Providers the host built itself — an in-house model, a cache in front of a vendor, a
/// test double — used instead of the ones the settings above describe. An empty member
/// leaves that provider to the settings. Held as shared pointers to const: implementations
/// must be thread-safe (see providers.hpp).
///
///     cfg.providers.llm = std::make_shared<MyLlm>();           // modules, answers, video queries
///     cfg.providers.embedder = std::make_shared<MyEmbedder>(); // search, video ranking
struct CustomProviders {
    std::shared_ptr<const Embedder>
        embedder; ///< replaces `embeddings`; the index is rebuilt when its model() changes
    std::shared_ptr<const LlmClient> llm; ///< replaces `llm`; also serves the "llm" translation provider
};

struct Config {
    std::filesystem::path data_dir = "shiksha-data"; ///< database, uploads, exports
    unsigned workers = 0;                            ///< worker pool size; 0 = one per core (≥ 2)
    ServerConfig server;
    AuthConfig auth;
    IngestConfig ingest;
    EmbeddingsConfig embeddings;
    RetrievalConfig retrieval;
    LlmConfig llm;
    TranslationConfig translation;
    ExportConfig exports;
    DeliveryConfig delivery;
    VideoConfig videos;
    NetConfig net;                       ///< outbound HTTP(S) for every provider
    CustomProviders providers;           ///< the host's own providers, overriding the settings
    LogSink log_sink;                    ///< where the library logs; empty = nowhere
    LogLevel log_level = LogLevel::info; ///< records below this are not even built

    /// Checks ranges and formats; the error's `field` is the SHIKSHA_* variable's suffix in
    /// lower case ("server.port", "auth.jwt_secret").
    [[nodiscard]] Result<void> validate() const;
};

struct EnvVariable {
    std::string_view name;
    std::string_view description;
};

/// The variables config_from_env() understands, for help texts and the README.
[[nodiscard]] const std::vector<EnvVariable>& config_env_variables();

/// Defaults overlaid with SHIKSHA_* environment variables, then validated. A malformed value
/// is `invalid_argument` naming the variable.
[[nodiscard]] Result<Config> config_from_env();

/// Same, reading through `getenv` (tests pass a map lookup).
[[nodiscard]] Result<Config> config_from_env(const std::function<const char*(const char*)>& getenv);

[[nodiscard]] std::string_view to_string(PasswordHashCost cost) noexcept;
/// "minimum", "interactive" or "moderate"; `invalid_argument` otherwise.
[[nodiscard]] Result<PasswordHashCost> parse_password_hash_cost(std::string_view text);

/// A development JWT secret kept in `<data_dir>/dev-jwt-secret` (created with mode 0600 on
/// first use). For `serve --dev` and notebooks; never for a deployment.
[[nodiscard]] Result<std::string> load_or_create_dev_jwt_secret(const std::filesystem::path& data_dir);

} // namespace shiksha
