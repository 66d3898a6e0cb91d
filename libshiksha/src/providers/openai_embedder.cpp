// Embeddings from any OpenAI-compatible `POST {base_url}/embeddings` endpoint.
#include "net/http_client.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace shiksha {

namespace {

/// OpenAI takes at most 2048 inputs per request; larger batches would only be refused.
constexpr std::size_t max_batch_size = 2048;

class OpenAiEmbedder final : public Embedder {
public:
    OpenAiEmbedder(OpenAiEmbedderConfig config, std::string url, std::string host)
        : config_(std::move(config)), url_(std::move(url)), host_(std::move(host)), client_(config_.net),
          dimension_(config_.dimension) {}

    [[nodiscard]] std::string model() const override { return "openai:" + config_.model; }

    [[nodiscard]] std::size_t dimension() const override {
        return dimension_.load(std::memory_order_acquire);
    }

    [[nodiscard]] Result<std::vector<std::vector<float>>> embed(std::span<const std::string> texts,
                                                                const CancelToken* cancel) const override {
        std::vector<std::vector<float>> out;
        out.reserve(texts.size());
        for (std::size_t start = 0; start < texts.size(); start += config_.batch_size) {
            if (cancel && cancel->cancelled())
                return fail(ErrorCode::deadline_exceeded, "embedding was cancelled");
            const auto batch = texts.subspan(start, std::min(config_.batch_size, texts.size() - start));
            auto vectors = embed_batch(batch, cancel);
            if (!vectors) return std::unexpected(std::move(vectors.error()));
            for (auto& v : *vectors)
                out.push_back(std::move(v));
        }
        return out;
    }

private:
    Result<std::vector<std::vector<float>>> embed_batch(std::span<const std::string> batch,
                                                        const CancelToken* cancel) const {
        Json input = Json::array();
        for (const auto& text : batch)
            input.push_back(text);
        const Json body = Json::object(
            {{"model", config_.model}, {"input", std::move(input)}, {"encoding_format", "float"}});

        detail::HttpRequest request{"POST", url_, {{"Content-Type", "application/json"}}, body.dump()};
        if (!config_.api_key.empty())
            request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
        auto response = client_.send(request, cancel);
        if (!response) return std::unexpected(std::move(response.error()));
        if (response->status / 100 != 2) return status_error(*response);
        return parse_answer(response->body, batch.size());
    }

    std::unexpected<Error> status_error(const detail::HttpResponse& response) const {
        const std::string upstream = detail::upstream_message(response.body);
        std::string message = fmt::format("the embedding server {} answered {}", host_, response.status);
        if (!upstream.empty()) message += ": " + upstream;
        switch (response.status) {
        case 401: return fail(ErrorCode::unauthenticated, message + " (check the embedding API key)");
        case 403: return fail(ErrorCode::permission_denied, std::move(message));
        case 400:
        case 413:
        case 422: return fail(ErrorCode::invalid_argument, std::move(message));
        default: return fail(ErrorCode::unavailable, std::move(message));
        }
    }

    std::unexpected<Error> bad_answer(std::string_view why) const {
        return fail(ErrorCode::unavailable,
                    fmt::format("the embedding server {} sent an unusable answer: {}", host_, why));
    }

    Result<std::vector<std::vector<float>>> parse_answer(const std::string& body,
                                                         std::size_t expected) const {
        // simdjson straight into floats: an answer holds ~100k numbers, too many for a Json tree.
        simdjson::dom::parser parser;
        simdjson::dom::element root;
        if (parser.parse(body).get(root) != simdjson::SUCCESS) return bad_answer("it is not JSON");
        simdjson::dom::array data;
        if (root["data"].get_array().get(data) != simdjson::SUCCESS)
            return bad_answer("it has no \"data\" array");
        if (data.size() != expected) {
            return bad_answer(fmt::format("{} vectors for {} texts", data.size(), expected));
        }
        std::vector<std::vector<float>> vectors(expected);
        std::vector<bool> seen(expected, false);
        std::size_t position = 0;
        std::size_t length = 0; // of the first vector; every other one must match it
        for (simdjson::dom::element item : data) {
            // Servers may answer out of order; "index" says which input a vector belongs to.
            std::uint64_t index = position;
            if (const auto field = item["index"]; field.error() != simdjson::NO_SUCH_FIELD) {
                if (field.get_uint64().get(index) != simdjson::SUCCESS)
                    return bad_answer("an \"index\" is not a number");
            }
            ++position;
            if (index >= expected || seen[index]) {
                return bad_answer(fmt::format("index {} is out of range or repeated", index));
            }
            seen[index] = true;
            simdjson::dom::array numbers;
            if (item["embedding"].get_array().get(numbers) != simdjson::SUCCESS) {
                return bad_answer("an item has no \"embedding\" array (is encoding_format honoured?)");
            }
            auto& vector = vectors[index];
            vector.reserve(numbers.size());
            double norm = 0;
            for (simdjson::dom::element number : numbers) {
                double value = 0;
                if (number.get_double().get(value) != simdjson::SUCCESS || !std::isfinite(value)) {
                    return bad_answer("an embedding holds something other than finite numbers");
                }
                norm += value * value;
                vector.push_back(static_cast<float>(value));
            }
            if (vector.empty()) return bad_answer("an embedding is empty");
            if (length == 0) length = vector.size();
            if (vector.size() != length) {
                return bad_answer(
                    fmt::format("the vectors have different lengths ({} and {})", length, vector.size()));
            }
            // Cosine similarity is what retrieval computes; unit vectors make it a dot product.
            if (norm > 0) {
                const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
                for (float& x : vector)
                    x *= scale;
            }
        }
        std::size_t known = 0;
        // The first answer fixes the dimension when the configuration left it open; every later
        // answer (from any thread) must match it.
        if (!dimension_.compare_exchange_strong(known, length, std::memory_order_acq_rel) &&
            known != length) {
            return bad_answer(
                fmt::format("{}-dimensional vectors where {} dimensions are expected{}", length, known,
                            config_.dimension != 0 ? " (see the embedding dimension setting)" : ""));
        }
        return vectors;
    }

    OpenAiEmbedderConfig config_;
    std::string url_;
    std::string host_;
    detail::HttpClient client_;
    mutable std::atomic<std::size_t> dimension_;
};

} // namespace

Result<std::shared_ptr<const Embedder>> make_openai_embedder(const OpenAiEmbedderConfig& config) {
    if (config.model.empty())
        return fail_field("model", "the embedding model is required, e.g. text-embedding-3-small");
    if (config.batch_size == 0 || config.batch_size > max_batch_size) {
        return fail_field("batch_size",
                          fmt::format("the embedding batch size must be 1..{}", max_batch_size));
    }
    std::string base(config.base_url);
    while (base.ends_with('/'))
        base.pop_back();
    const std::string url = base + "/embeddings";
    auto parsed = detail::parse_url(url);
    if (!parsed) return fail_field("base_url", parsed.error().message);
    if (parsed->target.find('?') != std::string::npos) {
        return fail_field("base_url", "the embedding base URL must not have a query string");
    }
    try {
        return std::make_shared<const OpenAiEmbedder>(config, url, parsed->host);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the embedding client: {}", e.what()));
    }
}

} // namespace shiksha
