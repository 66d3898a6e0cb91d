// Chat completions from any OpenAI-compatible `POST {base_url}/chat/completions` endpoint.
#include "net/http_client.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace shiksha {

namespace {

/// Where the endpoint runs, for GenerationInfo and metrics labels.
std::string provider_for(const detail::ParsedUrl& url) {
    const std::string& host = url.host;
    if (host == "groq.com" || host.ends_with(".groq.com")) return "groq";
    if (host == "api.openai.com") return "openai";
    if (url.port == 11434) return "ollama"; // Ollama's default port, whatever the host
    return "openai-compatible";
}

/// Replaces every occurrence of `secret` with "***": some servers echo the key they refused.
std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

/// A token count from `usage`; anything that is not a sane non-negative integer reads as 0.
int token_count(const Json* usage, std::string_view key) {
    const Json* value = usage != nullptr ? usage->find(key) : nullptr;
    if (value == nullptr || !value->is_int()) return 0;
    const std::int64_t n = value->as_int();
    return n < 0 || n > std::numeric_limits<int>::max() ? 0 : static_cast<int>(n);
}

class OpenAiChatClient final : public LlmClient {
public:
    OpenAiChatClient(OpenAiChatConfig config, std::string url, const detail::ParsedUrl& parsed)
        : config_(std::move(config)), url_(std::move(url)), host_(parsed.host),
          provider_(provider_for(parsed)), client_(config_.net) {}

    [[nodiscard]] std::string provider() const override { return provider_; }
    [[nodiscard]] std::string model() const override { return config_.model; }

    [[nodiscard]] Result<ChatResponse> chat(const ChatRequest& request,
                                            const CancelToken* cancel) const override {
        auto answer = send(request, cancel);
        // One exit for every error, so no path can carry the key out in a message.
        if (!answer) answer.error().message = redact(std::move(answer.error().message), config_.api_key);
        return answer;
    }

private:
    Result<ChatResponse> send(const ChatRequest& request, const CancelToken* cancel) const {
        if (auto valid = validate(request); !valid) return std::unexpected(std::move(valid.error()));
        if (cancel && cancel->cancelled())
            return fail(ErrorCode::deadline_exceeded, "the chat was cancelled");

        // Only fields every OpenAI-compatible server accepts: Groq refuses some of OpenAI's
        // newer ones (e.g. `n` > 1, `logprobs`), and local servers ignore or reject others.
        Json messages = Json::array();
        for (const auto& message : request.messages)
            messages.push_back(Json::object({{"role", message.role}, {"content", message.content}}));
        Json body = Json::object({{"model", config_.model},
                                  {"messages", std::move(messages)},
                                  {"temperature", request.temperature},
                                  {"max_tokens", request.max_tokens}});
        if (request.json_object) body["response_format"] = Json::object({{"type", "json_object"}});

        detail::HttpRequest http{"POST", url_, {{"Content-Type", "application/json"}}, body.dump()};
        if (!config_.api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
        auto response = client_.send(http, cancel);
        if (!response) return std::unexpected(std::move(response.error()));
        if (response->status / 100 != 2) return status_error(*response);
        auto answer = parse_answer(response->body);
        if (!answer) return answer;
        answer->latency_ms = static_cast<double>(response->elapsed.count());
        answer->attempts = response->attempts;
        return answer;
    }

    static Result<void> validate(const ChatRequest& request) {
        if (request.messages.empty()) return fail_field("messages", "a chat needs at least one message");
        for (const auto& message : request.messages) {
            if (message.role != "system" && message.role != "user" && message.role != "assistant") {
                return fail_field(
                    "messages",
                    fmt::format("'{}' is not a chat role (system, user or assistant)", message.role));
            }
        }
        if (!std::isfinite(request.temperature) || request.temperature < 0 || request.temperature > 2)
            return fail_field("temperature", "the temperature must be between 0 and 2");
        if (request.max_tokens <= 0) return fail_field("max_tokens", "max_tokens must be positive");
        return {};
    }

    std::unexpected<Error> status_error(const detail::HttpResponse& response) const {
        const std::string upstream = detail::upstream_message(response.body);
        const auto with_upstream = [&](std::string message) {
            if (!upstream.empty()) message += ": " + upstream;
            return message;
        };
        const std::string answered = fmt::format("the LLM server {} answered {}", host_, response.status);
        switch (response.status) {
        case 401:
            return fail(ErrorCode::unauthenticated, with_upstream(answered) + " (check the LLM API key)");
        case 403: return fail(ErrorCode::permission_denied, with_upstream(answered));
        case 404:
            // Groq, OpenAI and Ollama all answer an unknown model with 404; so does a base URL
            // without its /v1, which the hint covers.
            return fail(ErrorCode::invalid_argument,
                        with_upstream(fmt::format("model '{}' not found at {}", config_.model, host_)) +
                            " (check the model name and the base URL)");
        case 400:
        case 413:
        case 422: return fail(ErrorCode::invalid_argument, with_upstream(answered));
        default: return fail(ErrorCode::unavailable, with_upstream(answered));
        }
    }

    std::unexpected<Error> no_answer(std::string_view why, const std::string& body) const {
        std::string message = fmt::format("the model returned no answer: {} sent {}", host_, why);
        if (const std::string upstream = detail::upstream_message(body); !upstream.empty())
            message += ": " + upstream;
        return fail(ErrorCode::unavailable, std::move(message));
    }

    Result<ChatResponse> parse_answer(const std::string& body) const {
        auto root = Json::parse(body);
        if (!root || !root->is_object()) return no_answer("something other than a JSON object", body);
        const Json* choices = root->find("choices");
        if (choices == nullptr || !choices->is_array() || choices->as_array().empty())
            return no_answer("no choices", body);
        const Json& first = choices->as_array().front();
        const Json* message = first.find("message");
        const Json* content = message != nullptr ? message->find("content") : nullptr;
        if (content == nullptr || !content->is_string() || content->as_string().empty()) {
            // OpenAI puts a safety refusal in its own field and leaves content null.
            const Json* refusal = message != nullptr ? message->find("refusal") : nullptr;
            if (refusal != nullptr && refusal->is_string() && !refusal->as_string().empty())
                return no_answer(fmt::format("a refusal ({})", refusal->as_string()), {});
            return no_answer("no message content", body);
        }
        ChatResponse out;
        out.content = content->as_string();
        if (const Json* reason = first.find("finish_reason"); reason && reason->is_string())
            out.finish_reason = reason->as_string();
        const Json* usage = root->find("usage");
        out.usage = ChatUsage{token_count(usage, "prompt_tokens"), token_count(usage, "completion_tokens"),
                              token_count(usage, "total_tokens")};
        const Json* model = root->find("model");
        out.model = model != nullptr && model->is_string() && !model->as_string().empty() ? model->as_string()
                                                                                          : config_.model;
        return out;
    }

    OpenAiChatConfig config_;
    std::string url_;
    std::string host_;
    std::string provider_;
    detail::HttpClient client_;
};

} // namespace

Result<std::shared_ptr<const LlmClient>> make_openai_chat_client(const OpenAiChatConfig& config) {
    if (config.model.empty())
        return fail_field("model", "the LLM model is required, e.g. llama-3.3-70b-versatile");
    std::string base(config.base_url);
    while (base.ends_with('/'))
        base.pop_back();
    const std::string url = base + "/chat/completions";
    auto parsed = detail::parse_url(url);
    if (!parsed) return fail_field("base_url", parsed.error().message);
    if (parsed->target.find('?') != std::string::npos)
        return fail_field("base_url", "the LLM base URL must not have a query string");
    try {
        return std::make_shared<const OpenAiChatClient>(config, url, *parsed);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the LLM client: {}", e.what()));
    }
}

} // namespace shiksha
