#pragma once
// A fake Bhashini (ULCA) translation service for tests of the Bhashini provider: the pipeline
// config endpoint and the inference (compute) endpoint it points to, on one local server.
//
//     shiksha::test::FakeBhashini fake;
//     fake.add_translations("en", "hi", {{"Water boils.", "पानी उबलता है।"}});
//     BhashiniConfig config{.pipeline_url = fake.pipeline_url(), .user_id = fake.options().user_id,
//                           .api_key = fake.options().api_key};
//     ... translator->translate({"en", "hi", {"Water boils."}}) ...
//     CHECK(fake.config_request_count() == 1);
//
// Config: `POST /ulca/apis/v0/model/getModelsPipeline`, Content-Type application/json, headers
// `userID` and `ulcaApiKey` (401 otherwise), body {"pipelineTasks": [{"taskType":
// "translation", "config": {"language": {"sourceLanguage", "targetLanguage"}}}],
// "pipelineRequestConfig": {"pipelineId"}} (400 for a malformed body or an unknown pipeline).
// The answer names the inference endpoint (callbackUrl on this server), the current inference
// key {"name": options.inference_key_name, "value": …} and, under pipelineResponseConfig, the
// serviceId for the pair — or an empty config list when the pair was never added.
//
// Compute: `POST /services/inference/pipeline`, Content-Type application/json, the inference
// key header with the current key (401 otherwise, as Dhruva answers an expired key), body
// {"pipelineTasks": [{"taskType": "translation", "config": {"language": {…}, "serviceId"}}],
// "inputData": {"input": [{"source"}…]}} with the serviceId the config call gave for that pair
// (400 otherwise). The answer is {"pipelineResponse": [{"taskType": "translation", "output":
// [{"source", "target"}…]}]}, one output per input in order, from the dictionaries; unknown
// texts come back as untranslated(target, text).
//
// Lifetime: the destructor stops the server. Thread-safe.

#include "fake_http_server.hpp"

#include "shiksha/json.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::test {

struct FakeBhashiniOptions {
    std::string user_id = "bhashini-test-user";
    std::string api_key = "bhashini-ulca-key";
    std::string pipeline_id = "64392f96daac500b55c543cd";
    std::string inference_key_name = "Authorization";
};

/// One request as the fake received it.
struct FakeBhashiniRequest {
    enum class Kind { config, compute, other };
    Kind kind = Kind::other;
    FakeRequest http;
    Json body;             ///< parsed body; null when it was not JSON
    int status = 0;        ///< what the fake answered
    std::string rejection; ///< why it refused; empty when it answered 200
};

class FakeBhashini {
public:
    explicit FakeBhashini(FakeBhashiniOptions options = {});
    ~FakeBhashini();
    FakeBhashini(const FakeBhashini&) = delete;
    FakeBhashini& operator=(const FakeBhashini&) = delete;

    [[nodiscard]] const FakeBhashiniOptions& options() const noexcept;
    /// What BhashiniConfig::pipeline_url should be.
    [[nodiscard]] std::string pipeline_url() const;
    /// The callbackUrl the config call hands out.
    [[nodiscard]] std::string inference_url() const;

    /// Offers `source` → `target` and adds `dictionary` (source text → translation) to it.
    void add_translations(const std::string& source, const std::string& target,
                          const std::map<std::string, std::string>& dictionary);
    /// The serviceId the config call names for a pair.
    [[nodiscard]] static std::string service_id(std::string_view source, std::string_view target);

    /// The inference key the config call hands out now.
    [[nodiscard]] std::string inference_key() const;
    /// Issues a new inference key: compute calls with any earlier key get 401 from now on.
    void rotate_inference_key();
    /// While set, compute calls get 401 whatever key they carry.
    void refuse_inference_keys(bool refuse);
    /// The next `times` valid compute calls get `status` (e.g. 500) with a Dhruva error body.
    void push_compute_failure(int status, int times = 1);

    /// Every request received, valid or not, in arrival order.
    [[nodiscard]] std::vector<FakeBhashiniRequest> requests() const;
    [[nodiscard]] std::size_t config_request_count() const;
    [[nodiscard]] std::size_t compute_request_count() const;

    /// What a text the fake has no translation for comes back as: "[untranslated:hi] <text>".
    [[nodiscard]] static std::string untranslated(std::string_view target, std::string_view text);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha::test
