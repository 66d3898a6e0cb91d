#include "fake_bhashini.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <utility>

namespace shiksha::test {

namespace {

constexpr std::string_view config_path = "/ulca/apis/v0/model/getModelsPipeline";
constexpr std::string_view compute_path = "/services/inference/pipeline";

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

/// ULCA's error shape.
FakeResponse ulca_error(int status, std::string_view message) {
    return FakeResponse::json(status, Json::object({{"message", message}}).dump());
}

/// Dhruva's (FastAPI) error shape.
FakeResponse dhruva_error(int status, std::string_view kind, std::string_view message) {
    return FakeResponse::json(
        status, Json::object({{"detail", Json::object({{"kind", kind}, {"message", message}})}}).dump());
}

const std::string* string_at(const Json* object, std::string_view key) {
    const Json* value = object != nullptr ? object->find(key) : nullptr;
    return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

/// The translation task's source and target, or "" for both when the task is malformed.
std::pair<std::string, std::string> task_language(const Json& body, const Json*& task) {
    task = nullptr;
    const Json* tasks = body.find("pipelineTasks");
    if (tasks == nullptr || !tasks->is_array() || tasks->as_array().size() != 1) return {};
    task = &tasks->as_array().front();
    const std::string* type = string_at(task, "taskType");
    if (type == nullptr || *type != "translation") return {};
    const Json* config = task->find("config");
    const Json* language = config != nullptr ? config->find("language") : nullptr;
    const std::string* source = string_at(language, "sourceLanguage");
    const std::string* target = string_at(language, "targetLanguage");
    if (source == nullptr || target == nullptr || source->empty() || target->empty()) return {};
    return {*source, *target};
}

} // namespace

struct FakeBhashini::Impl {
    FakeBhashiniOptions options;
    mutable std::mutex mu;
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> dictionaries;
    int key_generation = 1;
    bool refuse_keys = false;
    std::deque<int> compute_failures;
    std::vector<FakeBhashiniRequest> requests;

    // Last: destroyed first, so its handler threads are gone before the state above.
    std::unique_ptr<FakeHttpServer> server;

    std::string current_key() const { return "fake-inference-key-" + std::to_string(key_generation); }

    FakeResponse handle(const FakeRequest& request) {
        std::size_t index = 0;
        {
            const std::lock_guard lock(mu);
            index = requests.size();
            FakeBhashiniRequest record;
            record.http = request;
            if (request.path == config_path) record.kind = FakeBhashiniRequest::Kind::config;
            if (request.path == compute_path) record.kind = FakeBhashiniRequest::Kind::compute;
            requests.push_back(std::move(record));
        }
        std::string rejection;
        FakeResponse response = answer(request, index, rejection);
        const std::lock_guard lock(mu);
        requests[index].status = response.status;
        requests[index].rejection = std::move(rejection);
        return response;
    }

    FakeResponse answer(const FakeRequest& request, std::size_t index, std::string& rejection) {
        if (request.method != "POST" || (request.path != config_path && request.path != compute_path)) {
            rejection = "unknown endpoint " + request.method + " " + request.path;
            return FakeResponse::json(404, R"({"detail":"Not Found"})");
        }
        const bool is_config = request.path == config_path;
        const std::string content_type = request.header("content-type");
        if (content_type != "application/json" && !content_type.starts_with("application/json;")) {
            rejection = "Content-Type is '" + content_type + "'";
            return is_config ? ulca_error(415, "Content type '" + content_type + "' not supported")
                             : dhruva_error(422, "ValidationError", "Content-Type must be application/json");
        }
        // Keys are checked before the body is read, as both services do.
        if (is_config) {
            if (request.header("userid") != options.user_id ||
                request.header("ulcaapikey") != options.api_key) {
                rejection = "wrong or missing userID / ulcaApiKey";
                return ulca_error(401, "Invalid userID or ulcaApiKey");
            }
        } else {
            const std::lock_guard lock(mu);
            if (refuse_keys || request.header(lower(options.inference_key_name)) != current_key()) {
                rejection = "wrong or expired inference key";
                return dhruva_error(401, "InvalidAPIKey", "Invalid or expired API key");
            }
        }
        auto parsed = Json::parse(request.body);
        if (!parsed || !parsed->is_object()) {
            rejection = "the body is not a JSON object";
            return is_config ? ulca_error(400, "Malformed JSON request")
                             : dhruva_error(422, "ValidationError", "Malformed JSON request");
        }
        {
            const std::lock_guard lock(mu);
            requests[index].body = *parsed;
        }
        return is_config ? config_answer(*parsed, rejection) : compute_answer(*parsed, rejection);
    }

    FakeResponse config_answer(const Json& body, std::string& rejection) {
        const Json* task = nullptr;
        const auto [source, target] = task_language(body, task);
        if (source.empty()) {
            rejection = "pipelineTasks is not one translation task with a language pair";
            return ulca_error(400, "Invalid pipelineTasks");
        }
        const Json* request_config = body.find("pipelineRequestConfig");
        const std::string* pipeline = string_at(request_config, "pipelineId");
        if (pipeline == nullptr || *pipeline != options.pipeline_id) {
            rejection = "unknown pipelineId";
            return ulca_error(400, "Pipeline not found for the given pipelineId");
        }
        Json configs = Json::array();
        Json languages = Json::array();
        std::string key;
        {
            const std::lock_guard lock(mu);
            if (dictionaries.contains({source, target})) {
                configs.push_back(Json::object({{"serviceId", service_id(source, target)},
                                                {"modelId", "641d1d7c8ecee6735a1b37c3"},
                                                {"language", Json::object({{"sourceLanguage", source},
                                                                           {"sourceScriptCode", ""},
                                                                           {"targetLanguage", target},
                                                                           {"targetScriptCode", ""}})}}));
                languages.push_back(
                    Json::object({{"sourceLanguage", source}, {"targetLanguageList", Json::Array{target}}}));
            }
            key = current_key();
        }
        return FakeResponse::json(
            200,
            Json::object(
                {{"languages", std::move(languages)},
                 {"pipelineResponseConfig",
                  Json::Array{Json::object({{"taskType", "translation"}, {"config", std::move(configs)}})}},
                 {"feedbackUrl", server->url("/services/feedback/submit")},
                 {"pipelineInferenceAPIEndPoint",
                  Json::object({{"callbackUrl", server->url(compute_path)},
                                {"inferenceApiKey",
                                 Json::object({{"name", options.inference_key_name}, {"value", key}})},
                                {"isMultilingualEnabled", true},
                                {"isSyncApi", true}})},
                 {"pipelineInferenceSocketEndPoint", nullptr}})
                .dump());
    }

    FakeResponse compute_answer(const Json& body, std::string& rejection) {
        const Json* task = nullptr;
        const auto [source, target] = task_language(body, task);
        if (source.empty()) {
            rejection = "pipelineTasks is not one translation task with a language pair";
            return dhruva_error(422, "ValidationError", "Invalid pipelineTasks");
        }
        const std::string* service = string_at(task->find("config"), "serviceId");
        if (service == nullptr || *service != service_id(source, target)) {
            rejection = "wrong serviceId for the pair";
            return dhruva_error(400, "InvalidServiceId", "Invalid service id");
        }
        const Json* input_data = body.find("inputData");
        const Json* input = input_data != nullptr ? input_data->find("input") : nullptr;
        if (input == nullptr || !input->is_array() || input->as_array().empty()) {
            rejection = "inputData.input is not a non-empty list";
            return dhruva_error(422, "ValidationError", "inputData.input must be a non-empty list");
        }
        std::vector<std::string> texts;
        for (const Json& item : input->as_array()) {
            const std::string* text = string_at(&item, "source");
            if (text == nullptr) {
                rejection = "an input has no source string";
                return dhruva_error(422, "ValidationError", "every input needs a source string");
            }
            texts.push_back(*text);
        }
        Json output = Json::array();
        {
            const std::lock_guard lock(mu);
            if (!compute_failures.empty()) {
                const int status = compute_failures.front();
                compute_failures.pop_front();
                rejection = "scripted failure";
                return dhruva_error(status, "InferenceError", "Model inference failed");
            }
            const auto dictionary = dictionaries.find({source, target});
            for (const auto& text : texts) {
                std::string translated = untranslated(target, text);
                if (dictionary != dictionaries.end()) {
                    if (const auto hit = dictionary->second.find(text); hit != dictionary->second.end())
                        translated = hit->second;
                }
                output.push_back(Json::object({{"source", text}, {"target", translated}}));
            }
        }
        return FakeResponse::json(
            200, Json::object({{"pipelineResponse", Json::Array{Json::object({{"taskType", "translation"},
                                                                              {"config", nullptr},
                                                                              {"output", std::move(output)},
                                                                              {"audio", nullptr}})}}})
                     .dump());
    }
};

FakeBhashini::FakeBhashini(FakeBhashiniOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->server = std::make_unique<FakeHttpServer>(
        [impl = impl_.get()](const FakeRequest& request) { return impl->handle(request); });
}

FakeBhashini::~FakeBhashini() {
    impl_->server.reset();
}

const FakeBhashiniOptions& FakeBhashini::options() const noexcept {
    return impl_->options;
}

std::string FakeBhashini::pipeline_url() const {
    return impl_->server->url(config_path);
}

std::string FakeBhashini::inference_url() const {
    return impl_->server->url(compute_path);
}

void FakeBhashini::add_translations(const std::string& source, const std::string& target,
                                    const std::map<std::string, std::string>& dictionary) {
    const std::lock_guard lock(impl_->mu);
    auto& known = impl_->dictionaries[{source, target}];
    for (const auto& [text, translation] : dictionary)
        known.insert_or_assign(text, translation);
}

std::string FakeBhashini::service_id(std::string_view source, std::string_view target) {
    return "ai4bharat/indictrans-v2-" + std::string(source) + "-" + std::string(target) + "--fake";
}

std::string FakeBhashini::inference_key() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->current_key();
}

void FakeBhashini::rotate_inference_key() {
    const std::lock_guard lock(impl_->mu);
    ++impl_->key_generation;
}

void FakeBhashini::refuse_inference_keys(bool refuse) {
    const std::lock_guard lock(impl_->mu);
    impl_->refuse_keys = refuse;
}

void FakeBhashini::push_compute_failure(int status, int times) {
    const std::lock_guard lock(impl_->mu);
    for (int i = 0; i < times; ++i)
        impl_->compute_failures.push_back(status);
}

std::vector<FakeBhashiniRequest> FakeBhashini::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeBhashini::config_request_count() const {
    const std::lock_guard lock(impl_->mu);
    return static_cast<std::size_t>(std::ranges::count_if(
        impl_->requests, [](const auto& r) { return r.kind == FakeBhashiniRequest::Kind::config; }));
}

std::size_t FakeBhashini::compute_request_count() const {
    const std::lock_guard lock(impl_->mu);
    return static_cast<std::size_t>(std::ranges::count_if(
        impl_->requests, [](const auto& r) { return r.kind == FakeBhashiniRequest::Kind::compute; }));
}

std::string FakeBhashini::untranslated(std::string_view target, std::string_view text) {
    return "[untranslated:" + std::string(target) + "] " + std::string(text);
}

} // namespace shiksha::test
