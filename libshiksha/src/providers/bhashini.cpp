// Bhashini (ULCA) translation: a pipeline config call that names the inference endpoint, its
// key and the model (serviceId) for a language pair, then compute calls to that endpoint.
#include "net/http_client.hpp"
#include "providers/translation_common.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha {

namespace {

/// Bhashini publishes no per-request limits; these keep one compute call well inside what its
/// public endpoint has been seen to accept quickly.
constexpr TranslationLimits bhashini_limits{25, 5000};

/// Where to send a pair's compute calls and with what, as the config call said.
struct Endpoint {
    std::string callback_url;
    std::string key_name;
    std::string key_value;
    std::string service_id;
};

/// ULCA answers `{"message": …}`; Dhruva (the inference service, FastAPI) answers
/// `{"detail": {"kind": …, "message": …}}`, which upstream_message() would print as JSON.
std::string bhashini_message(std::string_view body) {
    if (auto root = Json::parse(body); root && root->is_object()) {
        if (const Json* detail = root->find("detail"); detail && detail->is_object()) {
            if (const Json* message = detail->find("message"); message && message->is_string())
                return message->as_string();
        }
    }
    return detail::upstream_message(body);
}

const Json* find_string(const Json* object, std::string_view key) {
    const Json* value = object != nullptr ? object->find(key) : nullptr;
    return value != nullptr && value->is_string() && !value->as_string().empty() ? value : nullptr;
}

/// The element of a `pipelineResponseConfig` / `pipelineResponse` array for the translation
/// task (the pipeline may list others, e.g. asr or tts, in a multi-task request).
const Json* translation_task(const Json* tasks) {
    if (tasks == nullptr || !tasks->is_array()) return nullptr;
    for (const Json& task : tasks->as_array()) {
        const Json* type = find_string(&task, "taskType");
        if (type != nullptr && type->as_string() == "translation") return &task;
    }
    return nullptr;
}

Json language_config(std::string_view source, std::string_view target) {
    return Json::object({{"sourceLanguage", source}, {"targetLanguage", target}});
}

class BhashiniTranslator final : public TranslationProvider {
public:
    BhashiniTranslator(BhashiniConfig config, std::string pipeline_host)
        : config_(std::move(config)), pipeline_host_(std::move(pipeline_host)), client_(config_.net) {}

    [[nodiscard]] std::string name() const override { return "bhashini"; }
    [[nodiscard]] TranslationLimits limits() const override { return bhashini_limits; }

    [[nodiscard]] Result<std::vector<std::string>> translate(const TranslationBatch& batch,
                                                             const CancelToken* cancel) const override {
        std::vector<std::string> secrets{config_.api_key};
        auto out = send(batch, cancel, secrets);
        // One exit for every error, so no path can carry a key out in a message.
        if (!out) {
            for (const auto& secret : secrets)
                out.error().message = detail::redact_secret(std::move(out.error().message), secret);
        }
        return out;
    }

private:
    using Pair = std::pair<std::string, std::string>;

    Result<std::vector<std::string>> send(const TranslationBatch& batch, const CancelToken* cancel,
                                          std::vector<std::string>& secrets) const {
        if (auto ok = detail::check_translation_batch(batch, bhashini_limits, "Bhashini"); !ok)
            return std::unexpected(std::move(ok.error()));
        // Blank texts translate to themselves; sending them only costs a slot in the batch.
        const detail::SentTexts sent = detail::texts_to_send(batch.texts);
        if (sent.texts.empty()) return batch.texts;
        const Pair pair{std::string(detail::trim(batch.source_code)),
                        std::string(detail::trim(batch.target_code))};

        auto endpoint = endpoint_for(pair, nullptr, cancel);
        if (!endpoint) return std::unexpected(std::move(endpoint.error()));
        secrets.push_back(endpoint->key_value);
        auto response = compute(*endpoint, pair, sent.texts, cancel);
        if (!response) return std::unexpected(std::move(response.error()));
        if (response->status == 401 || response->status == 403) {
            // Inference keys expire and get rotated; the config call hands out the current one.
            const std::string refused = endpoint->key_value;
            endpoint = endpoint_for(pair, &refused, cancel);
            if (!endpoint) return std::unexpected(std::move(endpoint.error()));
            secrets.push_back(endpoint->key_value);
            response = compute(*endpoint, pair, sent.texts, cancel);
            if (!response) return std::unexpected(std::move(response.error()));
        }
        if (response->status / 100 != 2) return compute_error(*endpoint, *response, pair);
        auto translated = parse_compute(*endpoint, response->body, sent.texts.size());
        if (!translated) return std::unexpected(std::move(translated.error()));
        return detail::merge_translations(batch.texts, sent, std::move(*translated));
    }

    /// The cached endpoint for `pair`, fetched when there is none or when the cached one still
    /// carries `stale_key` (refused by the inference service). Fetches are serialised so that
    /// concurrent first calls for a pair make one config request; cached lookups never wait
    /// for a fetch in progress.
    Result<Endpoint> endpoint_for(const Pair& pair, const std::string* stale_key,
                                  const CancelToken* cancel) const {
        const auto cached = [&]() -> std::optional<Endpoint> {
            const std::lock_guard lock(cache_mutex_);
            const auto it = cache_.find(pair);
            if (it == cache_.end() || (stale_key != nullptr && it->second.key_value == *stale_key))
                return std::nullopt;
            return it->second;
        };
        if (auto hit = cached()) return *hit;
        const std::lock_guard fetching(fetch_mutex_);
        if (auto hit = cached()) return *hit; // another thread fetched it meanwhile
        auto fetched = fetch_endpoint(pair, cancel);
        if (!fetched) return fetched;
        const std::lock_guard lock(cache_mutex_);
        cache_[pair] = *fetched;
        return fetched;
    }

    Result<Endpoint> fetch_endpoint(const Pair& pair, const CancelToken* cancel) const {
        if (cancel && cancel->cancelled())
            return fail(ErrorCode::deadline_exceeded, "the translation was cancelled");
        Json task = Json::object(
            {{"taskType", "translation"},
             {"config", Json::object({{"language", language_config(pair.first, pair.second)}})}});
        const Json body =
            Json::object({{"pipelineTasks", Json::Array{std::move(task)}},
                          {"pipelineRequestConfig", Json::object({{"pipelineId", config_.pipeline_id}})}});
        auto response = client_.send({"POST",
                                      config_.pipeline_url,
                                      {{"Content-Type", "application/json"},
                                       {"userID", config_.user_id},
                                       {"ulcaApiKey", config_.api_key}},
                                      body.dump()},
                                     cancel);
        if (!response) return std::unexpected(std::move(response.error()));
        if (response->status / 100 != 2) {
            std::string message =
                fmt::format("the Bhashini pipeline service {} answered {}", pipeline_host_, response->status);
            if (const auto upstream = bhashini_message(response->body); !upstream.empty())
                message += ": " + upstream;
            switch (response->status) {
            case 401:
            case 403:
                return fail(ErrorCode::unauthenticated,
                            message + " (check the Bhashini user ID and ULCA API key)");
            case 400:
            case 422: return fail(ErrorCode::invalid_argument, message + " (check the pipeline ID)");
            default: return fail(ErrorCode::unavailable, std::move(message));
            }
        }
        return parse_config(response->body, pair);
    }

    Result<Endpoint> parse_config(const std::string& body, const Pair& pair) const {
        const auto bad = [&](std::string_view why) {
            return fail(ErrorCode::unavailable,
                        fmt::format("the Bhashini pipeline service {} sent an unusable answer: {}",
                                    pipeline_host_, why));
        };
        auto root = Json::parse(body);
        if (!root || !root->is_object()) return bad("it is not a JSON object");
        const Json* task = translation_task(root->find("pipelineResponseConfig"));
        if (task == nullptr) return bad("it has no translation task in pipelineResponseConfig");
        const Json* configs = task->find("config");
        if (configs == nullptr || !(configs->is_array() || configs->is_null()))
            return bad("the translation task has no config list");

        // The config list names the models serving the pair; one that names another pair is
        // not for us, one that names none is taken as serving what was asked.
        const Json* chosen = nullptr;
        if (configs->is_array()) {
            for (const Json& item : configs->as_array()) {
                const Json* language = item.find("language");
                const Json* source = find_string(language, "sourceLanguage");
                const Json* target = find_string(language, "targetLanguage");
                if (source == nullptr && target == nullptr) {
                    if (chosen == nullptr) chosen = &item;
                } else if (source != nullptr && target != nullptr && source->as_string() == pair.first &&
                           target->as_string() == pair.second) {
                    chosen = &item;
                    break;
                }
            }
        }
        if (chosen == nullptr) {
            return fail(ErrorCode::invalid_argument,
                        fmt::format("Bhashini's pipeline {} offers no translation from '{}' to '{}'",
                                    config_.pipeline_id, pair.first, pair.second));
        }
        const Json* service_id = find_string(chosen, "serviceId");
        if (service_id == nullptr) return bad("the translation config has no serviceId");

        const Json* inference = root->find("pipelineInferenceAPIEndPoint");
        const Json* callback = find_string(inference, "callbackUrl");
        if (callback == nullptr) return bad("it has no pipelineInferenceAPIEndPoint.callbackUrl");
        if (auto parsed = detail::parse_url(callback->as_string()); !parsed)
            return bad("its callbackUrl is not an http(s) URL");
        const Json* key = inference->find("inferenceApiKey");
        const Json* key_name = find_string(key, "name");
        const Json* key_value = find_string(key, "value");
        if (key_name == nullptr || key_value == nullptr)
            return bad("it has no inferenceApiKey name and value");
        return Endpoint{callback->as_string(), key_name->as_string(), key_value->as_string(),
                        service_id->as_string()};
    }

    Result<detail::HttpResponse> compute(const Endpoint& endpoint, const Pair& pair,
                                         const std::vector<std::string>& texts,
                                         const CancelToken* cancel) const {
        if (cancel && cancel->cancelled())
            return fail(ErrorCode::deadline_exceeded, "the translation was cancelled");
        Json input = Json::array();
        for (const auto& text : texts)
            input.push_back(Json::object({{"source", text}}));
        Json task =
            Json::object({{"taskType", "translation"},
                          {"config", Json::object({{"language", language_config(pair.first, pair.second)},
                                                   {"serviceId", endpoint.service_id}})}});
        const Json body = Json::object({{"pipelineTasks", Json::Array{std::move(task)}},
                                        {"inputData", Json::object({{"input", std::move(input)}})}});
        return client_.send({"POST",
                             endpoint.callback_url,
                             {{"Content-Type", "application/json"}, {endpoint.key_name, endpoint.key_value}},
                             body.dump()},
                            cancel);
    }

    std::unexpected<Error> compute_error(const Endpoint& endpoint, const detail::HttpResponse& response,
                                         const Pair& pair) const {
        std::string message = fmt::format("the Bhashini inference service {} answered {}",
                                          host_of(endpoint.callback_url), response.status);
        if (const auto upstream = bhashini_message(response.body); !upstream.empty())
            message += ": " + upstream;
        switch (response.status) {
        case 401:
            return fail(ErrorCode::unauthenticated,
                        message + " (also with the inference key the pipeline just handed out)");
        case 403: return fail(ErrorCode::permission_denied, std::move(message));
        case 400:
        case 413:
        case 422:
            return fail(ErrorCode::invalid_argument,
                        fmt::format("{} (translating {} → {})", message, pair.first, pair.second));
        default: return fail(ErrorCode::unavailable, std::move(message));
        }
    }

    Result<std::vector<std::string>> parse_compute(const Endpoint& endpoint, const std::string& body,
                                                   std::size_t expected) const {
        const auto bad = [&](std::string_view why) {
            return fail(ErrorCode::unavailable,
                        fmt::format("the Bhashini inference service {} sent an unusable answer: {}",
                                    host_of(endpoint.callback_url), why));
        };
        auto root = Json::parse(body);
        if (!root || !root->is_object()) return bad("it is not a JSON object");
        const Json* task = translation_task(root->find("pipelineResponse"));
        const Json* output = task != nullptr ? task->find("output") : nullptr;
        if (output == nullptr || !output->is_array()) return bad("it has no translation output list");
        if (output->as_array().size() != expected)
            return bad(fmt::format("{} translations for {} texts", output->as_array().size(), expected));
        std::vector<std::string> out;
        out.reserve(expected);
        for (const Json& item : output->as_array()) {
            const Json* target = item.find("target");
            if (target == nullptr || !target->is_string()) return bad("an output item has no target text");
            out.push_back(target->as_string());
        }
        return out;
    }

    static std::string host_of(const std::string& url) {
        auto parsed = detail::parse_url(url);
        return parsed ? parsed->host : url;
    }

    BhashiniConfig config_;
    std::string pipeline_host_;
    detail::HttpClient client_;
    mutable std::mutex cache_mutex_; ///< guards cache_
    mutable std::mutex fetch_mutex_; ///< held while a config call is in flight
    mutable std::map<Pair, Endpoint> cache_;
};

} // namespace

Result<std::shared_ptr<const TranslationProvider>> make_bhashini_translator(const BhashiniConfig& config) {
    if (config.user_id.empty()) return fail_field("user_id", "the Bhashini user ID is required");
    if (config.api_key.empty()) return fail_field("api_key", "the Bhashini ULCA API key is required");
    if (config.pipeline_id.empty()) return fail_field("pipeline_id", "the Bhashini pipeline ID is required");
    auto parsed = detail::parse_url(config.pipeline_url);
    if (!parsed) return fail_field("pipeline_url", parsed.error().message);
    try {
        return std::make_shared<const BhashiniTranslator>(config, parsed->host);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the Bhashini client: {}", e.what()));
    }
}

} // namespace shiksha
