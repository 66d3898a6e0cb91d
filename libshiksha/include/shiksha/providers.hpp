#pragma once
/// Interfaces to the outside services an engine may use. Engines hold them as
/// `std::shared_ptr<const Iface>` and never know which implementation they have; the Platform
/// builds them from Config (an offline default is always available).
///
///     auto embedder = shiksha::make_hash_embedder(384);
///     auto vectors = embedder->embed({"प्रकाश संश्लेषण", "photosynthesis"});
///
/// Implementations are thread-safe: one instance serves concurrent calls.

#include "shiksha/error.hpp"
#include "shiksha/types.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace shiksha {

/// Turns texts into vectors for semantic search. Vectors of one `model()` live in one space;
/// the retrieval engine stores the model and dimension with its index and rebuilds the index
/// when they change instead of mixing spaces.
class Embedder {
public:
    virtual ~Embedder() = default;
    /// Identifies the vector space, e.g. "hash-ngram-v1/384" or "openai:text-embedding-3-small".
    [[nodiscard]] virtual std::string model() const = 0;
    /// Vector length; 0 until known for providers that learn it from their first answer.
    [[nodiscard]] virtual std::size_t dimension() const = 0;
    /// One vector per text, in order, L2-normalised. Errors: `unavailable`, `rate_limited`,
    /// `deadline_exceeded`, `unauthenticated` (bad key), `invalid_argument` (input refused).
    [[nodiscard]] virtual Result<std::vector<std::vector<float>>>
    embed(std::span<const std::string> texts, const CancelToken* cancel = nullptr) const = 0;
    /// How much this embedder's ranking counts in hybrid search, against BM25's 1.0: its
    /// measured quality. A real embedding model keeps the default; the built-in hash embedder
    /// returns less (retrieval.cpp gives the measurement). RetrievalConfig::vector_weight > 0
    /// overrides it.
    [[nodiscard]] virtual double fusion_weight() const { return 1.0; }
};

/// The built-in offline embedder: hashed character n-grams (3–5 code points, within words)
/// and whole words, signed feature hashing into `dimension` buckets, L2-normalised.
/// Deterministic, script-agnostic, no model files. `dimension` 64..4096.
[[nodiscard]] std::shared_ptr<const Embedder> make_hash_embedder(std::size_t dimension = 384);

/// Outbound HTTP(S) settings shared by every network provider.
struct NetConfig {
    std::string https_proxy; ///< http://[user:pass@]host:port used with CONNECT; from HTTPS_PROXY
    std::string no_proxy;    ///< comma-separated hosts/suffixes that bypass the proxy; from NO_PROXY
    std::string ca_file;     ///< PEM bundle to trust instead of the system store (tests, private CAs)
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds read_timeout{60'000};
    int max_attempts = 4;                          ///< first try + retries on 429/5xx/network errors
    std::chrono::milliseconds backoff_base{500};   ///< doubled per retry, with full jitter
    std::chrono::milliseconds backoff_max{20'000}; ///< cap for one wait (also caps Retry-After)
};

/// Any OpenAI-compatible `POST {base_url}/embeddings` (OpenAI, Ollama, vLLM, llama.cpp, TEI...).
struct OpenAiEmbedderConfig {
    std::string base_url;        ///< e.g. https://api.openai.com/v1
    std::string api_key;         ///< sent as `Authorization: Bearer`; may be empty for local servers
    std::string model;           ///< e.g. text-embedding-3-small
    std::size_t dimension = 0;   ///< expected length; 0 = learn from the first response
    std::size_t batch_size = 64; ///< texts per request
    NetConfig net;
};

[[nodiscard]] Result<std::shared_ptr<const Embedder>>
make_openai_embedder(const OpenAiEmbedderConfig& config);

// ---- Chat models ----------------------------------------------------------------------------

struct ChatMessage {
    std::string role; ///< "system", "user" or "assistant"
    std::string content;
};

struct ChatRequest {
    std::vector<ChatMessage> messages;
    double temperature = 0.3;
    int max_tokens = 2000;
    bool json_object = false; ///< ask for `response_format: {"type": "json_object"}`
};

struct ChatUsage {
    int prompt_tokens = 0;
    int completion_tokens = 0;
    int total_tokens = 0;
};

struct ChatResponse {
    std::string content;       ///< choices[0].message.content
    std::string finish_reason; ///< "stop", "length"…
    ChatUsage usage;
    std::string model;     ///< as the server reports it
    double latency_ms = 0; ///< including retries
    int attempts = 1;
};

/// A chat-completion model. Thread-safe.
class LlmClient {
public:
    virtual ~LlmClient() = default;
    /// Where it runs, for the record ("groq", "openai", "ollama", "openai-compatible").
    [[nodiscard]] virtual std::string provider() const = 0;
    [[nodiscard]] virtual std::string model() const = 0;
    /// Errors: `unauthenticated` (bad key), `permission_denied`, `rate_limited` (429 after
    /// retries), `unavailable` (5xx, network, malformed answer), `deadline_exceeded`
    /// (timeouts), `invalid_argument` (the request was refused, e.g. too long) — each message
    /// carrying the upstream one.
    [[nodiscard]] virtual Result<ChatResponse> chat(const ChatRequest& request,
                                                    const CancelToken* cancel = nullptr) const = 0;
};

/// Any OpenAI-compatible `POST {base_url}/chat/completions` (Groq, OpenAI, Ollama, vLLM,
/// llama.cpp's server). Sends only model, messages, temperature, max_tokens and, when asked,
/// response_format json_object.
struct OpenAiChatConfig {
    std::string base_url = "https://api.groq.com/openai/v1";
    std::string api_key; ///< `Authorization: Bearer`; may be empty for local servers
    std::string model = "llama-3.3-70b-versatile";
    NetConfig net;
};

[[nodiscard]] Result<std::shared_ptr<const LlmClient>>
make_openai_chat_client(const OpenAiChatConfig& config);

// ---- Machine translation ------------------------------------------------------------------

/// One provider request: segments already split to the provider's limits, with glossary terms
/// replaced by placeholders ⟦1⟧, ⟦2⟧… that must come back unchanged (the engine checks).
struct TranslationBatch {
    std::string source_code; ///< ISO 639-1, e.g. "en"
    std::string target_code; ///< e.g. "hi"
    std::vector<std::string> texts;
};

struct TranslationLimits {
    std::size_t max_segments = 128;     ///< per request
    std::size_t max_code_points = 5000; ///< all texts of one request together
};

/// A machine-translation service. Thread-safe.
class TranslationProvider {
public:
    virtual ~TranslationProvider() = default;
    /// "google", "llm", "bhashini": recorded with every translation-memory entry.
    [[nodiscard]] virtual std::string name() const = 0;
    [[nodiscard]] virtual TranslationLimits limits() const = 0;
    /// One translation per text, in order. Errors like LlmClient's: `unauthenticated`,
    /// `permission_denied`, `rate_limited` (429 or a spent quota), `unavailable`,
    /// `deadline_exceeded`, `invalid_argument` (e.g. an unsupported language pair) — each with
    /// the upstream message.
    [[nodiscard]] virtual Result<std::vector<std::string>>
    translate(const TranslationBatch& batch, const CancelToken* cancel = nullptr) const = 0;
};

/// Google Cloud Translation v2: POST {base_url}/language/translate/v2 with `q` repeated,
/// `target`, `source`, `format=text` and `key` (form-encoded); reads
/// data.translations[].translatedText; quota errors (403 dailyLimitExceeded /
/// userRateLimitExceeded, 429) are `rate_limited`.
struct GoogleTranslateConfig {
    std::string base_url = "https://translation.googleapis.com";
    std::string api_key;
    NetConfig net;
};
[[nodiscard]] Result<std::shared_ptr<const TranslationProvider>>
make_google_translator(const GoogleTranslateConfig& config);

/// Bhashini (ULCA) pipeline: a config call to `pipeline_url` (headers userID, ulcaApiKey) that
/// returns the inference endpoint, its key and the serviceId for the language pair (cached per
/// pair), then compute calls to that endpoint.
struct BhashiniConfig {
    std::string pipeline_url = "https://meity-auth.ulcacontrib.org/ulca/apis/v0/model/getModelsPipeline";
    std::string user_id;
    std::string api_key;
    std::string pipeline_id = "64392f96daac500b55c543cd"; ///< MeitY's public translation pipeline
    NetConfig net;
};
[[nodiscard]] Result<std::shared_ptr<const TranslationProvider>>
make_bhashini_translator(const BhashiniConfig& config);

/// Translation through a chat model (prompt: libshiksha/data/prompts/translate-v1.*): one JSON
/// object {"translations": [...]} per batch, same count, placeholders and line breaks kept.
[[nodiscard]] std::shared_ptr<const TranslationProvider>
make_llm_translator(std::shared_ptr<const LlmClient> llm);

} // namespace shiksha
