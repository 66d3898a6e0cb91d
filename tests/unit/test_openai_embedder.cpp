// The OpenAI-compatible embedder against a fake `/v1/embeddings` that speaks OpenAI's wire format.
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include "fake_http_server.hpp"
#include "result_printing.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;
using namespace shiksha::test;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t fake_dimension = 8;

/// The raw vector the fake server returns for a text: derived from its length, never normalised.
std::vector<double> raw_vector(const std::string& text, std::size_t dimension = fake_dimension) {
    std::vector<double> v(dimension);
    for (std::size_t i = 0; i < dimension; ++i)
        v[i] = static_cast<double>(text.size() + 1) * static_cast<double>(i + 1) + 0.25;
    return v;
}

std::vector<float> normalised(const std::vector<double>& v) {
    double norm = 0;
    for (double x : v)
        norm += x * x;
    std::vector<float> out;
    for (double x : v)
        out.push_back(static_cast<float>(x / std::sqrt(norm)));
    return out;
}

Json embedding_item(std::size_t index, const std::vector<double>& v) {
    Json numbers = Json::array();
    for (double x : v)
        numbers.push_back(x);
    return Json::object(
        {{"object", "embedding"}, {"index", static_cast<std::int64_t>(index)}, {"embedding", numbers}});
}

/// What a test wants the fake server to do with the next requests.
enum class Mode {
    normal,
    wrong_count,
    mixed_lengths,
    repeated_index,
    short_vectors,
    not_json,
    rate_limit_once
};

/// A fake OpenAI `/v1/embeddings`: checks the key and the JSON shape, answers in reverse order.
struct FakeOpenAi {
    std::mutex mu;
    Mode mode = Mode::normal;
    int status_override = 0;
    bool rate_limited_once = false;
    std::vector<std::size_t> batch_sizes;
    std::vector<std::string> shape_errors;
    FakeHttpServer server{[this](const FakeRequest& req) { return handle(req); }};

    ~FakeOpenAi() = default;

    void set_mode(Mode m) {
        const std::lock_guard lock(mu);
        mode = m;
    }

    FakeResponse handle(const FakeRequest& req) {
        const std::lock_guard lock(mu);
        if (req.path != "/v1/embeddings" || req.method != "POST")
            return FakeResponse::json(404, R"({"error":{"message":"no route"}})");
        if (req.header("authorization") != "Bearer test-key") {
            return FakeResponse::json(
                401,
                R"({"error":{"message":"Incorrect API key provided: wr***ey. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
        }
        if (status_override != 0) {
            return FakeResponse::json(
                status_override,
                R"({"error":{"message":"upstream says no","type":"invalid_request_error"}})");
        }
        if (mode == Mode::rate_limit_once && !rate_limited_once) {
            rate_limited_once = true;
            FakeResponse r =
                FakeResponse::json(429, R"({"error":{"message":"Rate limit reached for requests"}})");
            r.headers.emplace_back("Retry-After", "0");
            return r;
        }
        if (mode == Mode::not_json) return FakeResponse::text(200, "<html>hello</html>");
        auto body = Json::parse(req.body);
        if (!body || !body->is_object()) {
            shape_errors.push_back("body is not a JSON object");
            return FakeResponse::json(400, R"({"error":{"message":"bad json"}})");
        }
        const Json* model = body->find("model");
        const Json* input = body->find("input");
        const Json* format = body->find("encoding_format");
        if (model == nullptr || !model->is_string() || model->as_string() != "text-embedding-3-small")
            shape_errors.push_back("model");
        if (format == nullptr || !format->is_string() || format->as_string() != "float")
            shape_errors.push_back("encoding_format");
        if (req.header("content-type") != "application/json") shape_errors.push_back("content-type");
        if (input == nullptr || !input->is_array()) {
            shape_errors.push_back("input");
            return FakeResponse::json(400, R"({"error":{"message":"input must be an array"}})");
        }
        const auto& texts = input->as_array();
        batch_sizes.push_back(texts.size());

        Json data = Json::array();
        std::size_t count = texts.size();
        if (mode == Mode::wrong_count && count > 0) --count;
        for (std::size_t k = count; k-- > 0;) { // reverse order: the client must sort by "index"
            const std::string text = texts[k].is_string() ? texts[k].as_string() : std::string();
            std::size_t dimension = fake_dimension;
            if (mode == Mode::mixed_lengths && k == 0) dimension = fake_dimension + 1;
            if (mode == Mode::short_vectors) dimension = 4;
            const std::size_t index = (mode == Mode::repeated_index) ? 0 : k;
            data.push_back(embedding_item(index, raw_vector(text, dimension)));
        }
        const Json answer =
            Json::object({{"object", "list"},
                          {"data", data},
                          {"model", "text-embedding-3-small"},
                          {"usage", Json::object({{"prompt_tokens", 1}, {"total_tokens", 1}})}});
        return FakeResponse::json(200, answer.dump());
    }

    OpenAiEmbedderConfig config(std::string key = "test-key") {
        OpenAiEmbedderConfig c;
        c.base_url = server.url("/v1");
        c.api_key = std::move(key);
        c.model = "text-embedding-3-small";
        c.net.backoff_base = 1ms;
        c.net.backoff_max = 5ms;
        c.net.read_timeout = 10s;
        return c;
    }
};

std::vector<std::string> numbered_texts(std::size_t n) {
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < n; ++i)
        texts.push_back("text " + std::string(i, 'x'));
    return texts;
}

std::shared_ptr<const Embedder> make(const OpenAiEmbedderConfig& config) {
    auto embedder = make_openai_embedder(config);
    REQUIRE(embedder);
    return *embedder;
}

} // namespace

TEST_CASE("130 texts go out in batches of 64, 64 and 2 and come back in input order, normalised") {
    FakeOpenAi fake;
    const auto embedder = make(fake.config());
    CHECK(embedder->model() == "openai:text-embedding-3-small");
    CHECK(embedder->dimension() == 0); // not known before the first answer

    const auto texts = numbered_texts(130);
    auto vectors = embedder->embed(texts);
    REQUIRE(vectors);
    REQUIRE(vectors->size() == 130);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        CAPTURE(i);
        const auto expected = normalised(raw_vector(texts[i]));
        const auto& got = (*vectors)[i];
        REQUIRE(got.size() == fake_dimension);
        double norm = 0;
        for (std::size_t d = 0; d < fake_dimension; ++d) {
            CHECK(got[d] == doctest::Approx(expected[d]).epsilon(1e-6));
            norm += static_cast<double>(got[d]) * got[d];
        }
        CHECK(norm == doctest::Approx(1.0).epsilon(1e-5));
    }
    CHECK(embedder->dimension() == fake_dimension);
    CHECK(fake.batch_sizes == std::vector<std::size_t>{64, 64, 2});
    CHECK(fake.shape_errors.empty());
    const auto requests = fake.server.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].header("authorization") == "Bearer test-key");
    auto first = Json::parse(requests[0].body);
    REQUIRE(first);
    CHECK(first->find("input")->as_array().front().as_string() == texts[0]);
    auto last = Json::parse(requests[2].body);
    REQUIRE(last);
    CHECK(last->find("input")->as_array().back().as_string() == texts[129]);
}

TEST_CASE("no texts, no request") {
    FakeOpenAi fake;
    const auto embedder = make(fake.config());
    auto vectors = embedder->embed(std::vector<std::string>{});
    REQUIRE(vectors);
    CHECK(vectors->empty());
    CHECK(fake.server.request_count() == 0);
}

TEST_CASE("a wrong key is unauthenticated and carries OpenAI's message") {
    FakeOpenAi fake;
    const auto embedder = make(fake.config("wrong-key"));
    auto vectors = embedder->embed(numbered_texts(2));
    REQUIRE_FALSE(vectors);
    CHECK(vectors.error().code == ErrorCode::unauthenticated);
    CHECK(vectors.error().message.find("Incorrect API key provided") != std::string::npos);
    CHECK(vectors.error().message.find("127.0.0.1") != std::string::npos);
    CHECK(vectors.error().message.find("wrong-key") == std::string::npos);
    CHECK(fake.server.request_count() == 1); // 401 is not retried
}

TEST_CASE("an empty api_key sends no Authorization header (local servers)") {
    FakeOpenAi fake;
    const auto embedder = make(fake.config(""));
    auto vectors = embedder->embed(numbered_texts(1));
    REQUIRE_FALSE(vectors); // the fake insists on a key
    const auto requests = fake.server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].headers.count("authorization") == 0);
}

TEST_CASE("HTTP errors map to error codes with the upstream message") {
    const std::pair<int, ErrorCode> rows[] = {
        {403, ErrorCode::permission_denied},
        {400, ErrorCode::invalid_argument},
        {422, ErrorCode::invalid_argument},
        {404, ErrorCode::unavailable},
    };
    for (const auto& [status, code] : rows) {
        CAPTURE(status);
        FakeOpenAi fake;
        fake.status_override = status;
        const auto embedder = make(fake.config());
        auto vectors = embedder->embed(numbered_texts(1));
        REQUIRE_FALSE(vectors);
        CHECK(vectors.error().code == code);
        CHECK(vectors.error().message.find("upstream says no") != std::string::npos);
    }
}

TEST_CASE("answers that do not fit the request are errors") {
    const Mode modes[] = {Mode::wrong_count, Mode::mixed_lengths, Mode::repeated_index, Mode::not_json};
    for (const Mode mode : modes) {
        CAPTURE(static_cast<int>(mode));
        FakeOpenAi fake;
        fake.set_mode(mode);
        const auto embedder = make(fake.config());
        auto vectors = embedder->embed(numbered_texts(3));
        REQUIRE_FALSE(vectors);
        CHECK(vectors.error().code == ErrorCode::unavailable);
        CHECK(vectors.error().message.find("127.0.0.1") != std::string::npos);
        CHECK(embedder->dimension() == 0); // nothing learned from a bad answer
    }
}

TEST_CASE("the dimension is learned once and then enforced") {
    FakeOpenAi fake;
    const auto embedder = make(fake.config());
    REQUIRE(embedder->embed(numbered_texts(2)));
    CHECK(embedder->dimension() == fake_dimension);

    fake.set_mode(Mode::short_vectors);
    auto changed = embedder->embed(numbered_texts(2));
    REQUIRE_FALSE(changed);
    CHECK(changed.error().message.find("4-dimensional") != std::string::npos);
    CHECK(embedder->dimension() == fake_dimension);
}

TEST_CASE("a configured dimension is checked against the answer") {
    FakeOpenAi fake;
    auto config = fake.config();
    config.dimension = 16;
    const auto embedder = make(config);
    CHECK(embedder->dimension() == 16);
    auto vectors = embedder->embed(numbered_texts(1));
    REQUIRE_FALSE(vectors);
    CHECK(vectors.error().code == ErrorCode::unavailable);

    config.dimension = fake_dimension;
    REQUIRE(make(config)->embed(numbered_texts(1)));
}

TEST_CASE("a 429 is retried by the client and then succeeds") {
    FakeOpenAi fake;
    fake.set_mode(Mode::rate_limit_once);
    const auto embedder = make(fake.config());
    auto vectors = embedder->embed(numbered_texts(3));
    REQUIRE(vectors);
    CHECK(vectors->size() == 3);
    CHECK(fake.server.request_count() == 2);
}

TEST_CASE("one embedder serves concurrent calls") {
    FakeOpenAi fake;
    auto config = fake.config();
    config.batch_size = 4;
    const auto embedder = make(config);
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto vectors = embedder->embed(numbered_texts(10));
            ok[static_cast<std::size_t>(t)] = vectors && vectors->size() == 10 ? 1 : 0;
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK(ok == std::vector<int>{1, 1, 1, 1});
    CHECK(fake.server.request_count() == 12);
}

TEST_CASE("the base URL may end with a slash; bad settings are invalid_argument") {
    FakeOpenAi fake;
    auto config = fake.config();
    config.base_url += "/";
    REQUIRE(make(config)->embed(numbered_texts(1)));
    CHECK(fake.server.requests().back().path == "/v1/embeddings");

    auto no_model = fake.config();
    no_model.model.clear();
    auto r1 = make_openai_embedder(no_model);
    REQUIRE_FALSE(r1);
    CHECK(r1.error().field == "model");

    auto no_batch = fake.config();
    no_batch.batch_size = 0;
    auto r2 = make_openai_embedder(no_batch);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().field == "batch_size");

    auto bad_url = fake.config();
    bad_url.base_url = "api.openai.com/v1";
    auto r3 = make_openai_embedder(bad_url);
    REQUIRE_FALSE(r3);
    CHECK(r3.error().code == ErrorCode::invalid_argument);
    CHECK(r3.error().field == "base_url");
}
