#include "fake_openai.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string_view>

namespace shiksha::test {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// OpenAI's error envelope: {"error": {"message", "type", "param", "code"}}.
std::string error_body(std::string_view message, std::string_view type, const Json& code = nullptr,
                       const Json& param = nullptr) {
    return Json::object(
               {{"error",
                 Json::object({{"message", message}, {"type", type}, {"param", param}, {"code", code}})}})
        .dump();
}

FakeResponse invalid_request(std::string_view message, const Json& param = nullptr) {
    return FakeResponse::json(400, error_body(message, "invalid_request_error", nullptr, param));
}

/// Why a chat body would be refused by OpenAI, or "" when it would be accepted. `param` names
/// the offending field as OpenAI's error body does.
std::string body_problem(const Json& body, const std::vector<std::string>& models, std::string& param,
                         bool& unknown_model) {
    if (!body.is_object()) return "The request body must be a JSON object.";
    for (const auto& [key, value] : body.as_object()) {
        if (key != "model" && key != "messages" && key != "temperature" && key != "max_tokens" &&
            key != "response_format") {
            param = key;
            return "Unrecognized request argument supplied: " + key;
        }
    }
    const Json* model = body.find("model");
    if (model == nullptr || !model->is_string() || model->as_string().empty()) {
        param = "model";
        return "you must provide a model parameter";
    }
    if (!models.empty() && std::ranges::find(models, model->as_string()) == models.end()) {
        unknown_model = true;
        param = "model";
        return "The model `" + model->as_string() + "` does not exist or you do not have access to it.";
    }
    const Json* messages = body.find("messages");
    param = "messages";
    if (messages == nullptr || !messages->is_array()) return "'messages' is a required property";
    if (messages->as_array().empty()) return "[] is too short - 'messages'";
    bool mentions_json = false;
    for (std::size_t i = 0; i < messages->as_array().size(); ++i) {
        const Json& message = messages->as_array()[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        param = where;
        if (!message.is_object()) return "Invalid type for '" + where + "': expected an object.";
        for (const auto& [key, value] : message.as_object()) {
            if (key != "role" && key != "content")
                return "Unrecognized message field: '" + where + "." + key + "'";
        }
        const Json* role = message.find("role");
        if (role == nullptr || !role->is_string() ||
            (role->as_string() != "system" && role->as_string() != "user" &&
             role->as_string() != "assistant")) {
            return "Invalid value for '" + where +
                   ".role': supported values are 'system', 'user' and 'assistant'.";
        }
        const Json* content = message.find("content");
        if (content == nullptr || !content->is_string())
            return "Invalid type for '" + where + ".content': expected a string.";
        if (lower(content->as_string()).find("json") != std::string::npos) mentions_json = true;
    }
    if (const Json* temperature = body.find("temperature")) {
        param = "temperature";
        if (!temperature->is_number()) return "Invalid type for 'temperature': expected a number.";
        const double t = temperature->as_double();
        if (!std::isfinite(t) || t < 0 || t > 2)
            return "Invalid 'temperature': decimal above maximum value. Expected a value <= 2.";
    }
    if (const Json* max_tokens = body.find("max_tokens")) {
        param = "max_tokens";
        if (!max_tokens->is_int()) return "Invalid type for 'max_tokens': expected an integer.";
        if (max_tokens->as_int() < 1)
            return "Invalid 'max_tokens': integer below minimum value. Expected >= 1.";
    }
    if (const Json* format = body.find("response_format")) {
        param = "response_format";
        const Json* type = format->find("type");
        if (!format->is_object() || format->as_object().size() != 1 || type == nullptr ||
            !type->is_string() || type->as_string() != "json_object") {
            return "Invalid 'response_format': only {\"type\": \"json_object\"} is supported.";
        }
        if (!mentions_json) {
            return "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                   "'json_object'.";
        }
    }
    param.clear();
    return {};
}

} // namespace

// --- replies ---------------------------------------------------------------------------------------

FakeChatReply FakeChatReply::ok(std::string content, std::string finish_reason,
                                std::optional<ChatUsage> usage) {
    FakeChatReply reply;
    reply.kind = Kind::ok;
    reply.content = std::move(content);
    reply.finish_reason = std::move(finish_reason);
    reply.usage = usage;
    return reply;
}

FakeChatReply FakeChatReply::rate_limited(int retry_after_seconds) {
    const std::string wait = std::to_string(retry_after_seconds);
    return raw(429,
               error_body("Rate limit reached for requests. Please try again in " + wait + "s.", "requests",
                          "rate_limit_exceeded"),
               {{"retry-after", wait}});
}

FakeChatReply FakeChatReply::server_error(int status) {
    return raw(status, error_body("The server had an error while processing your request. Sorry about that!",
                                  "server_error"));
}

FakeChatReply FakeChatReply::slow(std::chrono::milliseconds delay) {
    FakeChatReply reply;
    reply.kind = Kind::slow;
    reply.delay = delay;
    return reply;
}

FakeChatReply FakeChatReply::slow(std::chrono::milliseconds delay, FakeChatReply then) {
    FakeChatReply reply = slow(delay);
    reply.then = std::make_shared<const FakeChatReply>(std::move(then));
    return reply;
}

FakeChatReply FakeChatReply::raw(int status, std::string body,
                                 std::vector<std::pair<std::string, std::string>> headers) {
    FakeChatReply reply;
    reply.kind = Kind::raw;
    reply.status = status;
    reply.body = std::move(body);
    reply.headers = std::move(headers);
    return reply;
}

FakeChatReply FakeChatReply::computed(std::function<FakeChatReply(const Json& request)> fn) {
    FakeChatReply reply;
    reply.kind = Kind::computed;
    reply.compute = std::move(fn);
    return reply;
}

// --- the server ------------------------------------------------------------------------------------

struct FakeOpenAi::Impl {
    FakeOpenAiOptions options;
    std::string cert_pem;

    mutable std::mutex mu;
    std::condition_variable released_cv;
    bool released = false;
    std::deque<FakeChatReply> queue;
    FakeChatReply default_reply = FakeChatReply::raw(
        500,
        error_body("FakeOpenAi: no reply was scripted; call push() or set_default_reply()", "server_error"));
    std::vector<FakeChatRequest> requests;
    std::atomic<std::int64_t> completions{0};

    // Last: destroyed first, so its handler threads are gone before the state above.
    std::unique_ptr<FakeHttpServer> server;

    std::string chat_path() const { return options.path_prefix + "/chat/completions"; }

    FakeResponse handle(const FakeRequest& request) {
        std::size_t index = 0;
        {
            const std::lock_guard lock(mu);
            index = requests.size();
            requests.push_back(FakeChatRequest{request, Json(), 0, {}});
        }
        FakeResponse response = answer(request, index);
        const std::lock_guard lock(mu);
        requests[index].status = response.status;
        return response;
    }

    void reject(std::size_t index, std::string why) {
        const std::lock_guard lock(mu);
        requests[index].rejection = std::move(why);
    }

    FakeResponse answer(const FakeRequest& request, std::size_t index) {
        if (request.method != "POST" || request.path != chat_path()) {
            const std::string message = "Unknown request URL: " + request.method + " " + request.path +
                                        ". Please check the URL for typos.";
            reject(index, message);
            return FakeResponse::json(404, error_body(message, "invalid_request_error", "unknown_url"));
        }
        if (!options.api_key.empty() && request.header("authorization") != "Bearer " + options.api_key) {
            reject(index, "wrong or missing Authorization");
            return FakeResponse::json(
                401, error_body("Invalid API Key", "invalid_request_error", "invalid_api_key"));
        }
        const std::string content_type = request.header("content-type");
        if (content_type != "application/json" && !content_type.starts_with("application/json;")) {
            reject(index, "Content-Type is '" + content_type + "'");
            return invalid_request("Content-Type must be application/json");
        }
        auto parsed = Json::parse(request.body);
        if (!parsed) {
            reject(index, "the body is not JSON: " + parsed.error().message);
            return invalid_request(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
                "your HTTP library correctly.)");
        }
        {
            const std::lock_guard lock(mu);
            requests[index].body = *parsed;
        }
        std::string param;
        bool unknown_model = false;
        if (std::string problem = body_problem(*parsed, options.models, param, unknown_model);
            !problem.empty()) {
            reject(index, problem);
            if (unknown_model) {
                return FakeResponse::json(
                    404, error_body(problem, "invalid_request_error", "model_not_found", param));
            }
            return invalid_request(problem, param);
        }
        FakeChatReply reply;
        {
            const std::lock_guard lock(mu);
            if (queue.empty()) {
                reply = default_reply;
            } else {
                reply = std::move(queue.front());
                queue.pop_front();
            }
        }
        return render(reply, *parsed);
    }

    FakeResponse render(const FakeChatReply& reply, const Json& body) {
        switch (reply.kind) {
        case FakeChatReply::Kind::ok: return completion(reply, body);
        case FakeChatReply::Kind::raw: {
            FakeResponse response = FakeResponse::json(reply.status, reply.body);
            for (const auto& header : reply.headers)
                response.headers.push_back(header);
            return response;
        }
        case FakeChatReply::Kind::slow: {
            {
                std::unique_lock lock(mu);
                released_cv.wait_for(lock, reply.delay, [this] { return released; });
            }
            if (reply.then) return render(*reply.then, body);
            FakeChatReply fallback;
            {
                const std::lock_guard lock(mu);
                fallback = default_reply;
            }
            return render(fallback, body);
        }
        case FakeChatReply::Kind::computed: return render(reply.compute(body), body);
        }
        return FakeResponse::json(500, error_body("FakeOpenAi: unknown reply kind", "server_error"));
    }

    FakeResponse completion(const FakeChatReply& reply, const Json& body) {
        const std::int64_t n = ++completions;
        Json answer = Json::object(
            {{"id", "chatcmpl-fake-" + std::to_string(n)},
             {"object", "chat.completion"},
             {"created", std::int64_t{1767225600} + n},
             {"model", body.find("model")->as_string()},
             {"choices", Json::Array{Json::object(
                             {{"index", 0},
                              {"message", Json::object({{"role", "assistant"}, {"content", reply.content}})},
                              {"logprobs", nullptr},
                              {"finish_reason", reply.finish_reason}})}}});
        if (reply.usage) {
            answer["usage"] = Json::object({{"prompt_tokens", reply.usage->prompt_tokens},
                                            {"completion_tokens", reply.usage->completion_tokens},
                                            {"total_tokens", reply.usage->total_tokens}});
        }
        answer["system_fingerprint"] = "fp_fake";
        return FakeResponse::json(200, answer.dump());
    }
};

FakeOpenAi::FakeOpenAi(FakeOpenAiOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    FakeServerOptions server_options;
    if (impl_->options.tls) {
        server_options.tls = make_self_signed_cert({"localhost"}, {"127.0.0.1"});
        impl_->cert_pem = server_options.tls->cert_pem;
    }
    impl_->server = std::make_unique<FakeHttpServer>(
        [impl = impl_.get()](const FakeRequest& request) { return impl->handle(request); },
        std::move(server_options));
}

FakeOpenAi::~FakeOpenAi() {
    // The server joins its handler threads; none may still be waiting in a slow reply.
    release();
    impl_->server.reset();
}

std::string FakeOpenAi::base_url() const {
    return impl_->server->url(impl_->options.path_prefix);
}

const std::string& FakeOpenAi::cert_pem() const noexcept {
    return impl_->cert_pem;
}

void FakeOpenAi::push(FakeChatReply reply) {
    const std::lock_guard lock(impl_->mu);
    impl_->queue.push_back(std::move(reply));
}

void FakeOpenAi::set_default_reply(FakeChatReply reply) {
    const std::lock_guard lock(impl_->mu);
    impl_->default_reply = std::move(reply);
}

std::size_t FakeOpenAi::pending_replies() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->queue.size();
}

void FakeOpenAi::release() {
    {
        const std::lock_guard lock(impl_->mu);
        impl_->released = true;
    }
    impl_->released_cv.notify_all();
}

std::vector<FakeChatRequest> FakeOpenAi::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeOpenAi::request_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

FakeHttpServer& FakeOpenAi::server() noexcept {
    return *impl_->server;
}

// --- module_json -----------------------------------------------------------------------------------

std::string module_json(const std::vector<std::int64_t>& chunk_ids,
                        const std::vector<std::pair<int, int>>& pages) {
    Json citations = Json::array();
    for (std::size_t i = 0; i < chunk_ids.size(); ++i) {
        const auto [start, end] = i < pages.size() ? pages[i] : std::pair{1, 1};
        citations.push_back(Json::object({{"chunk_id", chunk_ids[i]},
                                          {"page_start", start},
                                          {"page_end", end},
                                          {"excerpt", "The passage of chunk " + std::to_string(chunk_ids[i]) +
                                                          " that the module relies on."}}));
    }
    const auto strings = [](std::initializer_list<const char*> items) {
        Json out = Json::array();
        for (const char* item : items)
            out.push_back(item);
        return out;
    };
    const auto section = [](const char* heading, const char* text) {
        return Json::object({{"heading", heading}, {"text", text}});
    };
    const auto question = [](const char* q, const char* a) {
        return Json::object({{"question", q}, {"answer", a}});
    };
    const Json module = Json::object(
        {{"title", "Series circuits with local materials"},
         {"summary",
          "Students build a series circuit from a torch cell, foil and a bulb. The teacher adapts the "
          "manual's activity to classrooms without a laboratory."},
         {"sections",
          Json::Array{
              section("The classroom challenge", "Large multigrade classes and no laboratory."),
              section("Why it matters", "Circuits explain the torches students use every day."),
              section("Teaching approach", "Groups of five share one cell and explain in their language."),
              section("Expected student responses", "Some think the bulb uses up the current."),
              section("Signals that it works", "Groups predict which loop lights the bulb."),
              section("Reflection question", "Which group needed more help, and why?")}},
         {"teaching_tips",
          strings({"Pair older and younger students.", "Use the home language for predictions.",
                   "Collect used cells from families."})},
         {"activities", Json::Array{Json::object(
                            {{"title", "Light the bulb"},
                             {"materials", strings({"one torch cell", "kitchen foil", "a torch bulb"})},
                             {"steps", strings({"Predict which loops will light the bulb.",
                                                "Build the loops.", "Compare with the prediction."})},
                             {"duration", "20 minutes"}})}},
         {"assessment", Json::Array{question("What makes a circuit complete?", "An unbroken loop."),
                                    question("Why does a bulb go out when one wire is lifted?",
                                             "The loop is broken, so no current flows."),
                                    question("Name a conductor at home.", "A steel spoon.")}},
         {"citations", std::move(citations)}});
    return module.dump();
}

} // namespace shiksha::test
