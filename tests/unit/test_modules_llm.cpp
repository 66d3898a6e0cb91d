// Module generation and grounded answers through an OpenAI-compatible model, against a local
// fake that validates requests as the real service does. Each scripted case asserts what the
// engine does with it: valid module, malformed JSON, 429 with retry-after, 500, a reply slower
// than the timeout, invented citations, bad key.
#include "fake_openai.hpp"
#include "platform_fixture.hpp"
#include "shiksha/platform.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <set>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

/// The chunk ids the engine put in the prompt ("[chunk_id=12, pages 2-2 …]").
std::vector<std::int64_t> prompt_chunk_ids(const Json& request) {
    std::vector<std::int64_t> ids;
    const auto& messages = request.find("messages")->as_array();
    const std::string user = messages.at(1).find("content")->as_string();
    static const std::regex id(R"(\[chunk_id=(\d+), pages (\d+)-(\d+))");
    for (auto it = std::sregex_iterator(user.begin(), user.end(), id); it != std::sregex_iterator(); ++it) {
        ids.push_back(std::stoll((*it)[1]));
    }
    return ids;
}

/// A valid module citing the first two excerpts the engine offered (pages deliberately wrong:
/// the engine must take pages from its own records).
test::FakeChatReply cite_offered(std::vector<std::int64_t> extra = {}) {
    return test::FakeChatReply::computed([extra](const Json& request) {
        auto ids = prompt_chunk_ids(request);
        ids.resize(std::min<std::size_t>(ids.size(), 2));
        ids.insert(ids.end(), extra.begin(), extra.end());
        return test::FakeChatReply::ok(test::module_json(ids, {{99, 99}, {98, 98}}));
    });
}

struct Fixture : test::PlatformFixture {
    // Shared with the sink: the platform (in the base) logs while it shuts down, after the
    // members of this fixture are gone.
    std::shared_ptr<test::LogCapture> logs = std::make_shared<test::LogCapture>();
    test::FakeOpenAi fake;
    std::int64_t manual_id = 0;
    std::int64_t cluster_id = 0;

    explicit Fixture(test::FakeOpenAiOptions options = {}, std::chrono::milliseconds read_timeout = 5s)
        : test::PlatformFixture([&](Config& c) { (void)c; }), fake(options) {
        // The platform must point at the fake, which only exists now: reopen with its URL.
        platform.reset();
        Config cfg = test::test_config(dir.path());
        cfg.llm.base_url = fake.base_url();
        cfg.llm.api_key = "test-key";
        cfg.llm.model = "test-model";
        cfg.net.read_timeout = read_timeout;
        cfg.net.backoff_base = 1ms;
        cfg.net.backoff_max = 5ms;
        cfg.net.max_attempts = 3;
        cfg.log_sink = [logs = logs](const LogRecord& r) { logs->sink()(r); };
        auto opened = Platform::open(cfg);
        REQUIRE(opened);
        platform = std::move(*opened);
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        manual_id = up->manual.id;
        auto cluster = platform->clusters().create({"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low",
                                                    "No laboratory; multigrade classes", 40, std::nullopt});
        REQUIRE(cluster);
        cluster_id = cluster->id;
    }

    Result<Module> generate() {
        return platform->modules().generate(
            {manual_id, cluster_id, "Series and parallel circuits", std::nullopt, "6-8"});
    }
};

} // namespace

TEST_CASE("a valid model answer becomes a stored module with checked citations, usage and provenance") {
    Fixture f;
    f.fake.push(cite_offered());
    CHECK(f.platform->modules().adapter() == "llm");
    auto m = f.generate();
    REQUIRE(m);
    CHECK(m->generation.adapter == "llm");
    CHECK_FALSE(m->generation.offline);
    CHECK(m->generation.provider == "openai-compatible");
    CHECK(m->generation.model == "test-model");
    CHECK(m->generation.prompt_version == "module-v1");
    CHECK(m->generation.llm_calls == 1);
    CHECK(m->generation.repairs == 0);
    CHECK(m->generation.total_tokens == 200);
    CHECK(m->generation.prompt_tokens == 120);
    REQUIRE(m->content.citations.size() == 2);
    for (const auto& c : m->content.citations) {
        CHECK(c.manual_id == f.manual_id);
        CHECK(c.page_start < 9); // our pages, not the model's 99
    }
    CHECK(m->content.citations.front().page_start == 2); // the circuits chunk
    auto stored = f.platform->modules().get(m->id);
    REQUIRE(stored);
    CHECK(stored->generation.total_tokens == 200);
    CHECK(stored->content.sections.size() == m->content.sections.size());

    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 1);
    const Json& body = requests.front().body;
    CHECK(requests.front().rejection.empty());
    CHECK(body.find("model")->as_string() == "test-model");
    CHECK(body.find("response_format")->find("type")->as_string() == "json_object");
    const std::string user = body.find("messages")->as_array().at(1).find("content")->as_string();
    for (const char* expected : {"Series and parallel circuits", "Tribal Belt", "Low", "No laboratory", "6-8",
                                 "Low-Cost Science Handbook"}) {
        CAPTURE(expected);
        CHECK(user.find(expected) != std::string::npos);
    }
    CHECK(f.platform->metrics().render_prometheus().find("shiksha_llm_tokens_total{kind=\"prompt\"} 120") !=
          std::string::npos);
}

TEST_CASE("malformed JSON is repaired once: the model sees its answer and what was wrong") {
    Fixture f;
    f.fake.push(test::FakeChatReply::ok("Here is your module: {not json"));
    f.fake.push(cite_offered());
    auto m = f.generate();
    REQUIRE(m);
    CHECK(m->generation.repairs == 1);
    CHECK(m->generation.llm_calls == 2);
    CHECK(m->generation.total_tokens == 400);
    const auto requests = f.fake.requests();
    REQUIRE(requests.size() == 2);
    const auto& messages = requests[1].body.find("messages")->as_array();
    REQUIRE(messages.size() == 4);
    CHECK(messages[2].find("role")->as_string() == "assistant");
    CHECK(messages[2].find("content")->as_string() == "Here is your module: {not json");
    CHECK(messages[3].find("content")->as_string().find("not valid JSON") != std::string::npos);
}

TEST_CASE("an answer that is still invalid after the repair is an error saying what was wrong") {
    Fixture f;
    f.fake.push(test::FakeChatReply::ok(R"({"title": "Circuits"})"));
    f.fake.push(test::FakeChatReply::ok(R"({"title": "Circuits", "summary": "x"})"));
    auto m = f.generate();
    REQUIRE_FALSE(m);
    CHECK(m.error().code == ErrorCode::unavailable);
    CHECK(m.error().message.find("even after one repair") != std::string::npos);
    CHECK(m.error().message.find("module.sections is missing") != std::string::npos);
    const auto requests = f.fake.requests();
    const Json& repair = requests.at(1).body.find("messages")->as_array().back();
    CHECK(repair.find("content")->as_string().find("module.summary is missing") != std::string::npos);
    CHECK(*f.platform->modules().count() == 0); // nothing half-made is stored
}

TEST_CASE("a cut-off answer (finish_reason=length) is sent back for repair") {
    Fixture f;
    f.fake.push(test::FakeChatReply::ok(R"({"title": "Circ)", "length"));
    f.fake.push(cite_offered());
    auto m = f.generate();
    REQUIRE(m);
    CHECK(m->generation.repairs == 1);
    const auto requests = f.fake.requests();
    const Json& repair = requests.at(1).body.find("messages")->as_array().back();
    CHECK(repair.find("content")->as_string().find("cut off") != std::string::npos);
}

TEST_CASE("invented citations are challenged once, then dropped and recorded") {
    Fixture f;
    f.fake.push(cite_offered({99999}));
    f.fake.push(cite_offered({88888}));
    auto m = f.generate();
    REQUIRE(m);
    CHECK(m->generation.repairs == 1);
    CHECK(m->generation.dropped_citations == std::vector<std::int64_t>{88888});
    for (const auto& c : m->content.citations) {
        CHECK(c.chunk_id != 88888);
        CHECK(c.chunk_id != 99999);
    }
    CHECK(m->content.citations.size() == 2);
    const auto requests = f.fake.requests();
    const Json& repair = requests.at(1).body.find("messages")->as_array().back();
    CHECK(repair.find("content")->as_string().find("99999 which you were not given") != std::string::npos);
}

TEST_CASE("a module that cites only invented chunks is refused") {
    Fixture f;
    f.fake.push(test::FakeChatReply::ok(test::module_json({77777}, {{1, 1}})));
    f.fake.push(test::FakeChatReply::ok(test::module_json({77777}, {{1, 1}})));
    auto m = f.generate();
    REQUIRE_FALSE(m);
    CHECK(m.error().message.find("77777") != std::string::npos);
}

TEST_CASE("a 429 with retry-after is waited out and retried") {
    Fixture f;
    f.fake.push(test::FakeChatReply::rate_limited(0));
    f.fake.push(cite_offered());
    auto m = f.generate();
    REQUIRE(m);
    CHECK(f.fake.request_count() == 2);
    CHECK(m->generation.llm_calls == 1); // one logical call, retried by the client
}

TEST_CASE("a persistent 429 is rate_limited and a persistent 500 unavailable, with the upstream message") {
    {
        Fixture f;
        f.fake.set_default_reply(test::FakeChatReply::rate_limited(0));
        auto m = f.generate();
        REQUIRE_FALSE(m);
        CHECK(m.error().code == ErrorCode::rate_limited);
        CHECK(f.fake.request_count() == 3);
    }
    {
        Fixture f;
        f.fake.set_default_reply(test::FakeChatReply::server_error(500));
        auto m = f.generate();
        REQUIRE_FALSE(m);
        CHECK(m.error().code == ErrorCode::unavailable);
        CHECK(f.fake.request_count() == 3);
    }
}

TEST_CASE("a reply slower than the read timeout is deadline_exceeded") {
    Fixture f({}, 300ms);
    f.fake.set_default_reply(test::FakeChatReply::slow(30s, test::FakeChatReply::server_error(503)));
    auto m = f.generate();
    f.fake.release();
    REQUIRE_FALSE(m);
    CHECK(m.error().code == ErrorCode::deadline_exceeded);
}

// Regression (issue 16, defect 8): the model's 401/403 reached the caller as *their*
// unauthenticated / permission_denied (a 401 or 403 over HTTP) naming the LLM's host.
TEST_CASE("an LLM that refuses our key is 'unavailable' to the caller; the detail goes to the log") {
    Fixture f({.api_key = "the-right-key"});
    auto m = f.generate();
    REQUIRE_FALSE(m);
    CHECK(m.error().code == ErrorCode::unavailable);
    CHECK(m.error().message.starts_with("The language model is unavailable"));
    CHECK(m.error().message.find("127.0.0.1") == std::string::npos);
    CHECK(m.error().message.find("Invalid API Key") == std::string::npos);
    CHECK(m.error().message.find("test-key") == std::string::npos);
    CHECK(f.fake.request_count() == 1); // 401 is not retried
    // The operator learns what happened, still without the key.
    CHECK(f.logs->contains("a provider refused the configured credentials"));
    CHECK(f.logs->contains("Invalid API Key"));
    CHECK_FALSE(f.logs->contains("test-key"));

    auto a = f.platform->modules().ask({.question = "How do I make a lemon battery?"});
    REQUIRE_FALSE(a);
    CHECK(a.error().code == ErrorCode::unavailable);
}

TEST_CASE("questions are answered by the model from retrieved excerpts, or declined without a call") {
    Fixture f;
    f.fake.push(test::FakeChatReply::ok("Push a copper coin and a galvanised nail into a lemon (p. 2)."));
    auto a = f.platform->modules().ask({.question = "How do I make a lemon battery?"});
    REQUIRE(a);
    CHECK(a->grounded);
    CHECK(a->answer.find("(p. 2)") != std::string::npos);
    CHECK(a->generation.adapter == "llm");
    REQUIRE_FALSE(a->sources.empty());
    CHECK(a->sources.front().page_start == 2);
    CHECK(a->sources.front().relevance == doctest::Approx(1.0));
    const std::string user =
        f.fake.requests().back().body.find("messages")->as_array().at(1).find("content")->as_string();
    CHECK(user.find("galvanised nail") != std::string::npos); // the excerpt was given

    const auto calls = f.fake.request_count();
    auto none = f.platform->modules().ask({.question = "Who won the cricket world cup in 1983?"});
    REQUIRE(none);
    CHECK_FALSE(none->grounded);
    CHECK(f.fake.request_count() == calls); // nothing retrieved: the model is not asked to guess

    f.fake.push(test::FakeChatReply::ok("The manuals do not cover this."));
    auto declined =
        f.platform->modules().ask({.question = "What is the voltage of a lemon battery in volts?"});
    REQUIRE(declined);
    CHECK_FALSE(declined->grounded);
}
