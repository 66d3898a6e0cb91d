#pragma once
// A scriptable OpenAI-compatible chat server (`POST /v1/chat/completions`) for tests of the LLM
// client and of the engines that use it.
//
//     shiksha::test::FakeOpenAi fake;                       // expects "Bearer test-key"
//     fake.set_default_reply(FakeChatReply::ok(module_json({chunk_id}, {{3, 4}})));
//     fake.push(FakeChatReply::rate_limited(0));            // the first call gets a 429...
//     OpenAiChatConfig config{.base_url = fake.base_url(), .api_key = "test-key", .model = "m"};
//     ... client->chat(...) ...                             // ...the retry gets the default
//     CHECK(fake.requests().back().body.find("model")->as_string() == "m");
//
// Every request is validated the way OpenAI and Groq do, before any scripted reply is used:
// POST to {path_prefix}/chat/completions, `Authorization: Bearer <api_key>` (401
// invalid_api_key otherwise), `Content-Type: application/json`, and a body with only model,
// messages [{role: system|user|assistant, content: string}], temperature (0..2), max_tokens
// (> 0) and response_format {"type": "json_object"} (which, as at OpenAI, needs the word
// "json" in a message). Anything else is a 400 with an OpenAI-style error body, so a test that
// passes proves the client sent a request a real server accepts. A valid request takes the
// next scripted reply, or the default reply when none is queued.
//
// Lifetime: the destructor releases every `slow` reply and then stops the server. Thread-safe:
// tests may push replies and read requests while clients call from other threads.

#include "fake_http_server.hpp"

#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shiksha::test {

/// What the fake answers one valid request with. Build one with the static functions.
struct FakeChatReply {
    enum class Kind { ok, raw, slow, computed };
    Kind kind = Kind::ok;
    // ok
    std::string content;
    std::string finish_reason = "stop";
    std::optional<ChatUsage> usage;
    // raw (also what rate_limited and server_error build)
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // slow
    std::chrono::milliseconds delay{0};
    std::shared_ptr<const FakeChatReply> then; ///< after the wait; null: the default reply
    // computed
    std::function<FakeChatReply(const Json& request)> compute;

    /// 200 with `content` as choices[0].message.content; `usage` nullopt leaves "usage" out.
    [[nodiscard]] static FakeChatReply ok(std::string content, std::string finish_reason = "stop",
                                          std::optional<ChatUsage> usage = ChatUsage{120, 80, 200});
    /// 429 with `retry-after: <seconds>` and OpenAI's rate_limit_exceeded error body.
    [[nodiscard]] static FakeChatReply rate_limited(int retry_after_seconds = 0);
    /// `status` (5xx) with OpenAI's server_error body.
    [[nodiscard]] static FakeChatReply server_error(int status = 500);
    /// Holds the answer until FakeOpenAi::release() or `delay` passes (a read timeout test sets
    /// a delay far beyond the client's timeout), then answers `then` or the default reply.
    [[nodiscard]] static FakeChatReply slow(std::chrono::milliseconds delay);
    [[nodiscard]] static FakeChatReply slow(std::chrono::milliseconds delay, FakeChatReply then);
    /// Exactly this status, body (JSON) and extra headers.
    [[nodiscard]] static FakeChatReply raw(int status, std::string body,
                                           std::vector<std::pair<std::string, std::string>> headers = {});
    /// The reply `fn` builds from the request body (e.g. citing the chunk ids in the prompt).
    [[nodiscard]] static FakeChatReply computed(std::function<FakeChatReply(const Json& request)> fn);
};

struct FakeOpenAiOptions {
    std::string api_key = "test-key"; ///< the expected bearer token; empty: none required (like Ollama)
    std::string path_prefix = "/v1";  ///< chat completions live at {path_prefix}/chat/completions
    std::vector<std::string> models;  ///< known models, others get 404 model_not_found; empty: any
    bool tls = false;                 ///< HTTPS with a throwaway self-signed cert for 127.0.0.1/localhost
};

/// One request as the fake received it.
struct FakeChatRequest {
    FakeRequest http;      ///< method, path, lower-case headers, raw body
    Json body;             ///< the parsed body; null when it was not JSON
    int status = 0;        ///< what the fake answered (0 while a slow reply is pending)
    std::string rejection; ///< why validation refused it; empty when it was accepted
};

class FakeOpenAi {
public:
    explicit FakeOpenAi(FakeOpenAiOptions options = {});
    ~FakeOpenAi();
    FakeOpenAi(const FakeOpenAi&) = delete;
    FakeOpenAi& operator=(const FakeOpenAi&) = delete;

    /// What a client's base_url should be: "http://127.0.0.1:PORT/v1" (https with `tls`).
    [[nodiscard]] std::string base_url() const;
    /// The server certificate (PEM) with `tls`, to use as NetConfig::ca_file; else "".
    [[nodiscard]] const std::string& cert_pem() const noexcept;

    /// Queues a reply for the next valid request (first in, first out).
    void push(FakeChatReply reply);
    /// The answer once the queue is empty. Until set: a 500 saying no reply was scripted.
    void set_default_reply(FakeChatReply reply);
    /// Scripted replies not yet used.
    [[nodiscard]] std::size_t pending_replies() const;
    /// Ends every current and future `slow` wait at once.
    void release();

    /// Every request received, valid or not, in arrival order.
    [[nodiscard]] std::vector<FakeChatRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;

    [[nodiscard]] FakeHttpServer& server() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A module object as module-v1.user.txt asks for: title, summary, sections, teaching_tips,
/// activities, assessment, and one citation per chunk id with the pages at the same position
/// (missing pages default to {1, 1}). Valid against the module schema for those chunks.
[[nodiscard]] std::string module_json(const std::vector<std::int64_t>& chunk_ids,
                                      const std::vector<std::pair<int, int>>& pages);

} // namespace shiksha::test
