#pragma once
// Outbound HTTP/1.1 client for the providers (internal): http:// and https:// (OpenSSL, system
// CA store or NetConfig::ca_file, hostname verification, SNI), HTTPS through an HTTP proxy with
// CONNECT (HTTPS_PROXY/NO_PROXY via NetConfig), connect and read timeouts, and retries with
// exponential backoff and full jitter on 429, 5xx and network errors that honour
// `Retry-After` (seconds or HTTP date) and the `x-ratelimit-reset-*` headers (Groq/OpenAI
// style "1m2.5s", "7.66s", "250ms"). Other 4xx answers are returned at once, not retried.
//
//     detail::HttpClient client(config.net);
//     auto res = client.send({"POST", "https://api.groq.com/openai/v1/chat/completions",
//                             {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
//                             body.dump()});
//     if (!res) ...                      // transport failure or retries exhausted (see below)
//     if (res->status != 200) ...        // a non-retryable HTTP answer, body included
//
// Errors: `deadline_exceeded` (timeouts), `unavailable` (DNS, refused, TLS failure, 5xx after the
// last attempt), `rate_limited` (429 after the last attempt), `invalid_argument` (bad URL),
// each message naming the host and carrying the upstream error text when there is one.
// Thread-safe: one client may send from many threads; each send uses its own connection.

#include "shiksha/error.hpp"
#include "shiksha/providers.hpp"
#include "shiksha/types.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha::detail {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// One attempt only, and 429/5xx answers come back as responses (headers included, so the
    /// caller can read Retry-After) instead of errors: for callers that keep their own retry
    /// state, like the WhatsApp outbox.
    bool single_attempt = false;
};

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    int attempts = 1;                     ///< how many tries it took
    std::chrono::milliseconds elapsed{0}; ///< wall time including waits between retries

    /// Case-insensitive; first occurrence.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct ParsedUrl {
    std::string scheme; ///< "http" or "https"
    std::string host;
    std::uint16_t port = 0;
    std::string target; ///< path + query, at least "/"
};
[[nodiscard]] Result<ParsedUrl> parse_url(std::string_view url);

/// How long a 429/503 answer asks us to wait: Retry-After (delta-seconds or HTTP-date), else
/// the largest x-ratelimit-reset-requests / -tokens value. nullopt when none is given.
[[nodiscard]] std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response,
                                                                   std::chrono::system_clock::time_point now);
/// "2m59.56s", "7.66s", "250ms", "1h2m" → milliseconds; nullopt when malformed.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);
/// True when `host` matches a NO_PROXY list ("localhost,.internal,10.0.0.1,*").
[[nodiscard]] bool bypasses_proxy(std::string_view host, std::string_view no_proxy);
/// Best-effort human text from an error body: OpenAI/Groq `{"error":{"message":…}}`, Google
/// `{"error":{"message":…}}`, `{"message":…}`, `{"detail":…}`, else the first 200 bytes.
[[nodiscard]] std::string upstream_message(std::string_view body);

/// What this process's outbound calls to one endpoint ("host:port") last did, for health reports.
/// Every HttpClient::send records its outcome: success for an answer below 400, failure for a
/// transport error or an error status (the status and upstream message are kept).
struct EndpointHealth {
    std::optional<Timestamp> last_success;
    std::optional<Timestamp> last_failure;
    std::string last_error;
    std::int64_t calls = 0;
    std::int64_t failures = 0;
};
/// "host:port" of a URL ("api.groq.com:443"); "" when it does not parse.
[[nodiscard]] std::string endpoint_key(std::string_view url);
/// nullopt when nothing was sent to that endpoint yet. Thread-safe.
[[nodiscard]] std::optional<EndpointHealth> endpoint_health(std::string_view key);

class HttpClient {
public:
    explicit HttpClient(NetConfig config);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends with retries as described above. `cancel` aborts waits between attempts.
    [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request,
                                            const CancelToken* cancel = nullptr) const;

    /// Replaces the sleep between attempts (tests record the waits instead of sleeping).
    void set_sleeper(std::function<void(std::chrono::milliseconds)> sleeper);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha::detail
