// The OpenAI-compatible chat client against FakeOpenAi, which refuses any request a real
// OpenAI/Groq endpoint would refuse: a call that succeeds proves the request's shape.
#include "net/http_client.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include "fake_openai.hpp"
#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using namespace shiksha;
using namespace shiksha::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

/// Fast retries: 1 ms backoff, and every wait (Retry-After included) capped at 5 ms.
OpenAiChatConfig chat_config(const FakeOpenAi& fake, const std::string& key = "test-key") {
    OpenAiChatConfig config;
    config.base_url = fake.base_url();
    config.api_key = key;
    config.model = "llama-test";
    config.net.backoff_base = 1ms;
    config.net.backoff_max = 5ms;
    config.net.read_timeout = 10s;
    return config;
}

std::shared_ptr<const LlmClient> make(const OpenAiChatConfig& config) {
    auto client = make_openai_chat_client(config);
    REQUIRE(client);
    return *client;
}

ChatRequest question(const std::string& text = "What is a series circuit?") {
    ChatRequest request;
    request.messages = {{"system", "You are a teacher educator."}, {"user", text}};
    request.temperature = 0.2;
    request.max_tokens = 50;
    return request;
}

ChatRequest json_question() {
    ChatRequest request = question("Answer as a JSON object with the key \"answer\".");
    request.json_object = true;
    return request;
}

} // namespace

TEST_CASE("a chat sends model, messages, temperature and max_tokens and parses the completion") {
    FakeOpenAi fake;
    fake.push(FakeChatReply::ok("A single loop.", "stop", ChatUsage{11, 22, 33}));
    const auto client = make(chat_config(fake));
    CHECK(client->model() == "llama-test");

    auto answer = client->chat(question());
    REQUIRE(answer);
    CHECK(answer->content == "A single loop.");
    CHECK(answer->finish_reason == "stop");
    CHECK(answer->usage.prompt_tokens == 11);
    CHECK(answer->usage.completion_tokens == 22);
    CHECK(answer->usage.total_tokens == 33);
    CHECK(answer->model == "llama-test");
    CHECK(answer->attempts == 1);
    CHECK(answer->latency_ms >= 0);

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].rejection == "");
    CHECK(requests[0].status == 200);
    CHECK(requests[0].http.path == "/v1/chat/completions");
    CHECK(requests[0].http.header("authorization") == "Bearer test-key");
    CHECK(requests[0].http.header("content-type") == "application/json");
    const Json& body = requests[0].body;
    REQUIRE(body.is_object());
    std::vector<std::string> keys;
    for (const auto& [key, value] : body.as_object())
        keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"model", "messages", "temperature", "max_tokens"});
    CHECK(body.find("model")->as_string() == "llama-test");
    CHECK(body.find("temperature")->as_double() == doctest::Approx(0.2));
    CHECK(body.find("max_tokens")->as_int() == 50);
    const Json expected_messages = Json::Array{
        Json::object({{"role", "system"}, {"content", "You are a teacher educator."}}),
        Json::object({{"role", "user"}, {"content", "What is a series circuit?"}}),
    };
    CHECK(*body.find("messages") == expected_messages);
}

TEST_CASE("json_object asks for response_format json_object, and only then") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::ok(R"({"answer":"a loop"})"));
    const auto client = make(chat_config(fake));

    auto with = client->chat(json_question());
    REQUIRE(with);
    CHECK(with->content == R"({"answer":"a loop"})");
    auto without = client->chat(question());
    REQUIRE(without);

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    const Json* format = requests[0].body.find("response_format");
    REQUIRE(format != nullptr);
    CHECK(*format == Json::object({{"type", "json_object"}}));
    CHECK(requests[1].body.find("response_format") == nullptr);
}

TEST_CASE("the fake refuses fields beyond the widely supported ones, as the real service does") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::ok("hi"));
    detail::HttpClient http(NetConfig{});
    const auto send = [&](const Json& body) {
        auto response =
            http.send({"POST",
                       fake.base_url() + "/chat/completions",
                       {{"Authorization", "Bearer test-key"}, {"Content-Type", "application/json"}},
                       body.dump()});
        REQUIRE(response);
        return *response;
    };
    const Json messages = Json::Array{Json::object({{"role", "user"}, {"content", "hi"}})};

    auto accepted = send(Json::object({{"model", "m"}, {"messages", messages}}));
    CHECK(accepted.status == 200);

    auto extra = send(Json::object({{"model", "m"}, {"messages", messages}, {"n", 2}}));
    CHECK(extra.status == 400);
    CHECK(detail::upstream_message(extra.body) == "Unrecognized request argument supplied: n");

    const Json bad_role = Json::Array{Json::object({{"role", "tool"}, {"content", "hi"}})};
    CHECK(send(Json::object({{"model", "m"}, {"messages", bad_role}})).status == 400);
    CHECK(send(Json::object({{"model", "m"}, {"messages", Json::array()}})).status == 400);
    CHECK(send(Json::object({{"model", "m"}, {"messages", messages}, {"temperature", 2.5}})).status == 400);
    CHECK(send(Json::object({{"model", "m"}, {"messages", messages}, {"max_tokens", 0}})).status == 400);
    CHECK(send(Json::object({{"model", "m"},
                             {"messages", messages},
                             {"response_format", Json::object({{"type", "text"}})}}))
              .status == 400);
    CHECK(send(Json::object({{"messages", messages}})).status == 400);
    CHECK(fake.requests().back().rejection == "you must provide a model parameter");
}

TEST_CASE("missing usage reads as zeros and the configured model stands in for a missing one") {
    FakeOpenAi fake;
    fake.push(FakeChatReply::ok("fine", "length", std::nullopt));
    fake.push(FakeChatReply::raw(200, R"({"choices":[{"message":{"role":"assistant","content":"local"}}]})"));
    const auto client = make(chat_config(fake));

    auto first = client->chat(question());
    REQUIRE(first);
    CHECK(first->finish_reason == "length");
    CHECK(first->usage.prompt_tokens == 0);
    CHECK(first->usage.completion_tokens == 0);
    CHECK(first->usage.total_tokens == 0);

    auto second = client->chat(question());
    REQUIRE(second);
    CHECK(second->content == "local");
    CHECK(second->finish_reason == "");
    CHECK(second->model == "llama-test");
    CHECK(second->usage.total_tokens == 0);
}

TEST_CASE("a wrong key is unauthenticated with the upstream message and never shows the key") {
    FakeOpenAi fake;
    const auto client = make(chat_config(fake, "sk-wrong-secret-4711"));
    auto answer = client->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::unauthenticated);
    CHECK(contains(answer.error().message, "Invalid API Key"));
    CHECK(contains(answer.error().message, "127.0.0.1"));
    CHECK_FALSE(contains(answer.error().message, "sk-wrong-secret-4711"));
    CHECK(fake.request_count() == 1); // 401 is not retried
}

TEST_CASE("a key echoed back by the server is redacted from the error") {
    FakeOpenAiOptions options;
    options.api_key = "sk-wrong-secret-4711"; // let the request through to the scripted 401
    FakeOpenAi fake(options);
    fake.push(FakeChatReply::raw(
        401,
        R"({"error":{"message":"Incorrect API key provided: sk-wrong-secret-4711.","code":"invalid_api_key"}})"));
    const auto client = make(chat_config(fake, "sk-wrong-secret-4711"));
    auto answer = client->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::unauthenticated);
    CHECK(contains(answer.error().message, "Incorrect API key provided: ***"));
    CHECK_FALSE(contains(answer.error().message, "sk-wrong-secret-4711"));
}

TEST_CASE("an empty api_key sends no Authorization header (local servers)") {
    FakeOpenAiOptions options;
    options.api_key = "";
    FakeOpenAi fake(options);
    fake.set_default_reply(FakeChatReply::ok("local answer"));
    const auto client = make(chat_config(fake, ""));
    auto answer = client->chat(question());
    REQUIRE(answer);
    CHECK(fake.requests().front().http.headers.count("authorization") == 0);
}

TEST_CASE("a 429 with retry-after is retried and then succeeds") {
    FakeOpenAi fake;
    // Retry-After: 1 s, capped by backoff_max (5 ms): the test does not wait a second.
    fake.push(FakeChatReply::rate_limited(1));
    fake.push(FakeChatReply::ok("after the limit"));
    const auto client = make(chat_config(fake));
    auto answer = client->chat(question());
    REQUIRE(answer);
    CHECK(answer->content == "after the limit");
    CHECK(answer->attempts == 2);
    CHECK(answer->latency_ms < 900);
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].status == 429);
    CHECK(requests[1].status == 200);
}

TEST_CASE("a 429 on every attempt is rate_limited after max_attempts") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::rate_limited(0));
    auto config = chat_config(fake);
    config.net.max_attempts = 3;
    auto answer = make(config)->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::rate_limited);
    CHECK(contains(answer.error().message, "Rate limit reached"));
    CHECK(fake.request_count() == 3);
}

TEST_CASE("a 5xx is retried: a later success is returned, a lasting failure is unavailable") {
    FakeOpenAi fake;
    fake.push(FakeChatReply::server_error(503));
    fake.push(FakeChatReply::ok("recovered"));
    auto config = chat_config(fake);
    config.net.max_attempts = 3;
    const auto client = make(config);
    auto recovered = client->chat(question());
    REQUIRE(recovered);
    CHECK(recovered->attempts == 2);

    fake.set_default_reply(FakeChatReply::server_error(500));
    auto failed = client->chat(question());
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == ErrorCode::unavailable);
    CHECK(contains(failed.error().message, "The server had an error"));
    CHECK(fake.request_count() == 2 + 3);
}

TEST_CASE("refused requests map to error codes with the upstream message and are not retried") {
    struct Row {
        int status;
        ErrorCode code;
    };
    const Row rows[] = {
        {400, ErrorCode::invalid_argument}, {413, ErrorCode::invalid_argument},
        {422, ErrorCode::invalid_argument}, {403, ErrorCode::permission_denied},
        {404, ErrorCode::invalid_argument}, {418, ErrorCode::unavailable},
    };
    for (const auto& row : rows) {
        CAPTURE(row.status);
        FakeOpenAi fake;
        fake.push(FakeChatReply::raw(row.status, R"({"error":{"message":"upstream says no"}})"));
        auto answer = make(chat_config(fake))->chat(question());
        REQUIRE_FALSE(answer);
        CHECK(answer.error().code == row.code);
        CHECK(contains(answer.error().message, "upstream says no"));
        CHECK(fake.request_count() == 1);
    }
}

TEST_CASE("an unknown model is invalid_argument naming the model and the host") {
    FakeOpenAiOptions options;
    options.models = {"llama-3.3-70b-versatile"};
    FakeOpenAi fake(options);
    auto answer = make(chat_config(fake))->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::invalid_argument);
    CHECK(contains(answer.error().message, "model 'llama-test' not found at 127.0.0.1"));
    CHECK(contains(answer.error().message, "does not exist or you do not have access to it"));
    CHECK(fake.request_count() == 1);
}

TEST_CASE("response_format json_object without 'json' in the prompt is refused upstream: invalid_argument") {
    FakeOpenAi fake;
    ChatRequest request = question("Explain circuits.");
    request.json_object = true;
    auto answer = make(chat_config(fake))->chat(request);
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::invalid_argument);
    CHECK(contains(answer.error().message, "must contain the word 'json'"));
    CHECK(fake.request_count() == 1);
}

TEST_CASE("a response slower than read_timeout is deadline_exceeded") {
    FakeOpenAi fake; // its destructor releases the held reply
    fake.push(FakeChatReply::slow(60s));
    auto config = chat_config(fake);
    config.net.read_timeout = 300ms;
    config.net.max_attempts = 1;
    auto answer = make(config)->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::deadline_exceeded);
    CHECK(contains(answer.error().message, "did not answer within 300 ms"));
    CHECK(fake.request_count() == 1);
}

TEST_CASE("a timed-out attempt is retried") {
    FakeOpenAi fake;
    fake.push(FakeChatReply::slow(60s, FakeChatReply::ok("too late")));
    fake.push(FakeChatReply::ok("in time"));
    auto config = chat_config(fake);
    config.net.read_timeout = 300ms;
    config.net.max_attempts = 2;
    auto answer = make(config)->chat(question());
    REQUIRE(answer);
    CHECK(answer->content == "in time");
    CHECK(answer->attempts == 2);
}

TEST_CASE("a 200 without an answer is unavailable: the model returned no answer") {
    const char* bodies[] = {
        R"({"id":"x","choices":[],"model":"m"})",
        R"({"id":"x","model":"m"})",
        R"({"choices":[{"index":0,"finish_reason":"stop"}]})",
        R"({"choices":[{"message":{"role":"assistant","content":null}}]})",
        R"({"choices":[{"message":{"role":"assistant","content":""}}]})",
        R"({"error":{"message":"model overloaded, try later"}})",
        "<html>gateway</html>",
    };
    for (const char* body : bodies) {
        CAPTURE(body);
        FakeOpenAi fake;
        fake.push(FakeChatReply::raw(200, body));
        auto answer = make(chat_config(fake))->chat(question());
        REQUIRE_FALSE(answer);
        CHECK(answer.error().code == ErrorCode::unavailable);
        CHECK(contains(answer.error().message, "the model returned no answer"));
        CHECK(contains(answer.error().message, "127.0.0.1"));
    }
    FakeOpenAi fake;
    fake.push(FakeChatReply::raw(200, R"({"error":{"message":"model overloaded, try later"}})"));
    auto answer = make(chat_config(fake))->chat(question());
    REQUIRE_FALSE(answer);
    CHECK(contains(answer.error().message, "model overloaded, try later"));

    fake.push(FakeChatReply::raw(
        200, R"({"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help."}}]})"));
    auto refused = make(chat_config(fake))->chat(question());
    REQUIRE_FALSE(refused);
    CHECK(contains(refused.error().message, "I can't help."));
}

TEST_CASE("provider() tells where the model runs") {
    const std::pair<const char*, const char*> rows[] = {
        {"https://api.groq.com/openai/v1", "groq"},
        {"https://groq.com/v1", "groq"},
        {"https://api.openai.com/v1", "openai"},
        {"http://localhost:11434/v1", "ollama"},
        {"http://10.0.0.5:11434/v1/", "ollama"},
        {"http://127.0.0.1:8080/v1", "openai-compatible"},
        {"https://notgroq.com/v1", "openai-compatible"},
        {"https://api.openai.com.example.org/v1", "openai-compatible"},
    };
    for (const auto& [url, provider] : rows) {
        CAPTURE(url);
        OpenAiChatConfig config;
        config.base_url = url;
        CHECK(make(config)->provider() == provider);
    }
}

TEST_CASE("bad settings are invalid_argument naming the field") {
    OpenAiChatConfig no_model;
    no_model.model.clear();
    auto r1 = make_openai_chat_client(no_model);
    REQUIRE_FALSE(r1);
    CHECK(r1.error().field == "model");

    OpenAiChatConfig bad_url;
    bad_url.base_url = "api.groq.com/openai/v1";
    auto r2 = make_openai_chat_client(bad_url);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().code == ErrorCode::invalid_argument);
    CHECK(r2.error().field == "base_url");

    OpenAiChatConfig query;
    query.base_url = "https://example.org/v1?key=secret";
    auto r3 = make_openai_chat_client(query);
    REQUIRE_FALSE(r3);
    CHECK(r3.error().field == "base_url");
}

TEST_CASE("a request the client cannot send is invalid_argument before anything goes out") {
    FakeOpenAi fake;
    const auto client = make(chat_config(fake));
    ChatRequest empty;
    ChatRequest bad_role = question();
    bad_role.messages[0].role = "tool";
    ChatRequest hot = question();
    hot.temperature = 2.5;
    ChatRequest no_tokens = question();
    no_tokens.max_tokens = 0;
    const std::pair<const ChatRequest*, const char*> rows[] = {
        {&empty, "messages"}, {&bad_role, "messages"}, {&hot, "temperature"}, {&no_tokens, "max_tokens"}};
    for (const auto& [request, field] : rows) {
        CAPTURE(field);
        auto answer = client->chat(*request);
        REQUIRE_FALSE(answer);
        CHECK(answer.error().code == ErrorCode::invalid_argument);
        CHECK(answer.error().field == field);
    }
    CHECK(fake.request_count() == 0);
}

TEST_CASE("a cancelled chat sends nothing") {
    FakeOpenAi fake;
    CancelToken cancel;
    cancel.cancel();
    auto answer = make(chat_config(fake))->chat(question(), &cancel);
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::deadline_exceeded);
    CHECK(fake.request_count() == 0);
}

TEST_CASE("the base URL may end with a slash and carry any prefix (Groq's /openai/v1)") {
    FakeOpenAiOptions options;
    options.path_prefix = "/openai/v1";
    FakeOpenAi fake(options);
    fake.set_default_reply(FakeChatReply::ok("ok"));
    auto config = chat_config(fake);
    config.base_url += "/";
    REQUIRE(make(config)->chat(question()));
    CHECK(fake.requests().back().http.path == "/openai/v1/chat/completions");
}

TEST_CASE("one client serves concurrent chats") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::ok(module_json({7, 9}, {{3, 4}, {5, 5}})));
    const auto client = make(chat_config(fake));
    std::vector<int> ok(4, 0);
    {
        std::vector<std::jthread> threads;
        for (std::size_t t = 0; t < ok.size(); ++t) {
            threads.emplace_back([&, t] {
                int good = 0;
                for (int i = 0; i < 3; ++i) {
                    auto answer = client->chat(json_question());
                    good += answer && Json::parse(answer->content) ? 1 : 0;
                }
                ok[t] = good;
            });
        }
    }
    CHECK(ok == std::vector<int>{3, 3, 3, 3});
    CHECK(fake.request_count() == 12);
}

TEST_CASE("module_json builds the shape the module prompt asks for") {
    auto module = Json::parse(module_json({7, 9}, {{3, 4}}));
    REQUIRE(module);
    for (const char* key :
         {"title", "summary", "sections", "teaching_tips", "activities", "assessment", "citations"})
        CHECK(module->find(key) != nullptr);
    const auto& citations = module->find("citations")->as_array();
    REQUIRE(citations.size() == 2);
    CHECK(citations[0].find("chunk_id")->as_int() == 7);
    CHECK(citations[0].find("page_start")->as_int() == 3);
    CHECK(citations[0].find("page_end")->as_int() == 4);
    CHECK(citations[1].find("chunk_id")->as_int() == 9);
    CHECK(citations[1].find("page_start")->as_int() == 1);
}

TEST_CASE("computed replies see the request") {
    FakeOpenAi fake;
    fake.set_default_reply(FakeChatReply::computed([](const Json& request) {
        return FakeChatReply::ok("echo: " +
                                 request.find("messages")->as_array().back().find("content")->as_string());
    }));
    auto answer = make(chat_config(fake))->chat(question("ping"));
    REQUIRE(answer);
    CHECK(answer->content == "echo: ping");
}

TEST_CASE("TLS: the self-signed fake is trusted through ca_file and refused without it") {
    FakeOpenAiOptions options;
    options.tls = true;
    FakeOpenAi fake(options);
    fake.set_default_reply(FakeChatReply::ok("over TLS"));
    REQUIRE(fake.base_url().starts_with("https://127.0.0.1:"));
    TempDir dir;
    const std::string ca_file = (dir.path() / "fake-ca.pem").string();
    write_text_file(ca_file, fake.cert_pem());

    auto trusted = chat_config(fake);
    trusted.net.ca_file = ca_file;
    auto answer = make(trusted)->chat(question());
    REQUIRE(answer);
    CHECK(answer->content == "over TLS");
    CHECK(fake.request_count() == 1);

    auto untrusted = chat_config(fake); // the system store does not know the throwaway CA
    auto refused = make(untrusted)->chat(question());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::unavailable);
    CHECK(contains(refused.error().message, "certificate verification failed"));
    CHECK(fake.request_count() == 1); // the handshake failed: no request reached the server
}
