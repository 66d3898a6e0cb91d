#include "fake_meta_whatsapp.hpp"

#include "fake_util.hpp"
#include "shiksha/json.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace shiksha::test {

namespace {

constexpr std::string_view api_version = "/v19.0";
constexpr std::size_t max_text_code_points = 4096;
constexpr std::size_t max_caption_code_points = 1024;
constexpr std::size_t max_document_bytes = 100u << 20;

std::string fbtrace_id() {
    std::string id = base64(random_bytes(8));
    std::erase(id, '=');
    return id;
}

FakeResponse graph_error(int status, std::string_view message, std::string_view type, int code,
                         int subcode = 0, std::string_view details = {}) {
    return FakeResponse::json(status, graph_error_body(message, type, code, subcode, details));
}

FakeResponse invalid_parameter(std::string_view details) {
    return graph_error(400, "(#100) Invalid parameter", "OAuthException", 100, 0, details);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

struct Part {
    std::string name;
    std::string filename;
    std::string content_type;
    std::string data;
};

/// multipart/form-data parts; nullopt when the body does not follow the boundary.
std::optional<std::vector<Part>> parse_multipart(std::string_view content_type, std::string_view body) {
    const auto at = content_type.find("boundary=");
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view boundary = content_type.substr(at + 9);
    if (const auto semi = boundary.find(';'); semi != std::string_view::npos)
        boundary = boundary.substr(0, semi);
    if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
        boundary = boundary.substr(1, boundary.size() - 2);
    if (boundary.empty()) return std::nullopt;
    const std::string delimiter = "--" + std::string(boundary);
    if (!body.starts_with(delimiter)) return std::nullopt;
    std::vector<Part> parts;
    std::size_t pos = delimiter.size();
    for (;;) {
        if (body.substr(pos).starts_with("--")) return parts; // closing delimiter
        if (!body.substr(pos).starts_with("\r\n")) return std::nullopt;
        pos += 2;
        const auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return std::nullopt;
        Part part;
        for (std::string_view headers = body.substr(pos, headers_end - pos); !headers.empty();) {
            const auto eol = headers.find("\r\n");
            const std::string_view line = headers.substr(0, eol);
            headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            std::string name(line.substr(0, colon));
            std::ranges::transform(name, name.begin(), [](unsigned char c) { return std::tolower(c); });
            std::string_view value = line.substr(colon + 1);
            while (value.starts_with(' '))
                value.remove_prefix(1);
            const auto quoted = [&](std::string_view key) -> std::string {
                const std::string needle = std::string(key) + "=\"";
                const auto start = value.find(needle);
                if (start == std::string_view::npos) return {};
                const auto end = value.find('"', start + needle.size());
                if (end == std::string_view::npos) return {};
                return std::string(value.substr(start + needle.size(), end - start - needle.size()));
            };
            if (name == "content-disposition") {
                if (!value.starts_with("form-data")) return std::nullopt;
                part.name = quoted("name");
                part.filename = quoted("filename");
            } else if (name == "content-type") {
                part.content_type = std::string(value);
            }
        }
        pos = headers_end + 4;
        const auto next = body.find("\r\n" + delimiter, pos);
        if (next == std::string_view::npos) return std::nullopt;
        part.data = std::string(body.substr(pos, next - pos));
        parts.push_back(std::move(part));
        pos = next + 2 + delimiter.size();
    }
}

std::string digits_of(std::string_view to) {
    if (to.starts_with('+')) to.remove_prefix(1);
    return std::string(to);
}

struct Failure {
    FakeMetaFailure kind;
    std::optional<std::chrono::seconds> retry_after;
    std::string endpoint; ///< "messages" or "media"; empty = any
};

FakeResponse failure_response(const Failure& failure) {
    FakeResponse response;
    switch (failure.kind) {
    case FakeMetaFailure::throttle:
        response = graph_error(429, "(#130429) Rate limit hit", "OAuthException", 130429, 0,
                               "Cloud API message throughput has been reached.");
        break;
    case FakeMetaFailure::pair_rate_limit:
        response = graph_error(400, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                               "OAuthException", 131056, 0,
                               "Message failed to send because there were too many messages sent from this "
                               "phone number to the same phone number in a short period of time.");
        break;
    case FakeMetaFailure::server_error:
        response = graph_error(500, "(#131000) Something went wrong", "OAuthException", 131000, 0,
                               "Message failed to send due to an unknown error.");
        break;
    }
    if (failure.retry_after)
        response.headers.emplace_back("Retry-After", std::to_string(failure.retry_after->count()));
    return response;
}

} // namespace

std::string graph_error_body(std::string_view message, std::string_view type, int code, int subcode,
                             std::string_view details) {
    Json error = Json::object({{"message", message}, {"type", type}, {"code", code}});
    if (subcode != 0) error["error_subcode"] = subcode;
    if (!details.empty())
        error["error_data"] = Json::object({{"messaging_product", "whatsapp"}, {"details", details}});
    error["fbtrace_id"] = fbtrace_id();
    return Json::object({{"error", std::move(error)}}).dump();
}

std::string meta_signature(std::string_view app_secret, std::string_view body) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), out, &length);
    return "sha256=" + hex(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string meta_status_webhook(const std::vector<MetaStatusUpdate>& statuses,
                                std::string_view phone_number_id) {
    Json list = Json::array();
    for (const auto& update : statuses) {
        Json status = Json::object({{"id", update.message_id},
                                    {"status", update.status},
                                    {"timestamp", std::to_string(update.timestamp)},
                                    {"recipient_id", update.recipient}});
        if (!update.reference.empty()) status["biz_opaque_callback_data"] = update.reference;
        if (update.status == "sent" || update.status == "delivered") {
            status["conversation"] = Json::object({{"id", "c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5"},
                                                   {"origin", Json::object({{"type", "utility"}})}});
            status["pricing"] =
                Json::object({{"billable", true}, {"pricing_model", "CBP"}, {"category", "utility"}});
        }
        if (update.status == "failed") {
            status["errors"] = Json::Array{Json::object(
                {{"code", update.error_code},
                 {"title", update.error_title},
                 {"message", update.error_title},
                 {"error_data", Json::object({{"details", update.error_details}})},
                 {"href", "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}})};
        }
        list.push_back(std::move(status));
    }
    const Json value = Json::object({{"messaging_product", "whatsapp"},
                                     {"metadata", Json::object({{"display_phone_number", "15550783881"},
                                                                {"phone_number_id", phone_number_id}})},
                                     {"statuses", std::move(list)}});
    return Json::object(
               {{"object", "whatsapp_business_account"},
                {"entry",
                 Json::Array{Json::object(
                     {{"id", "102290129340398"},
                      {"changes", Json::Array{Json::object({{"value", value}, {"field", "messages"}})}}})}}})
        .dump();
}

struct FakeMetaWhatsApp::Impl {
    FakeMetaOptions options;
    mutable std::mutex mu;
    std::deque<Failure> failures;
    std::chrono::milliseconds latency{0};
    std::vector<FakeMetaRequest> requests;
    std::map<std::string, std::vector<std::string>> accepted; ///< digits → wamids
    std::size_t accepted_total = 0;
    std::map<std::string, std::string> media; ///< id → filename
    std::uint64_t next_media = 1037543291543636;

    // Last: destroyed first, so its handler threads are gone before the state above.
    std::unique_ptr<FakeHttpServer> server;

    FakeResponse handle(const FakeRequest& request) {
        std::chrono::milliseconds wait{0};
        std::size_t index = 0;
        {
            const std::lock_guard lock(mu);
            wait = latency;
            index = requests.size();
            FakeMetaRequest record;
            record.http = request;
            requests.push_back(std::move(record));
        }
        if (wait.count() > 0) std::this_thread::sleep_for(wait);
        FakeMetaRequest record;
        FakeResponse response = answer(request, record);
        const std::lock_guard lock(mu);
        record.http = std::move(requests[index].http);
        record.status = response.status;
        requests[index] = std::move(record);
        return response;
    }

    std::string new_wamid(const std::string& to) {
        // Real ids are base64 of a protobuf-ish blob that embeds the recipient.
        return "wamid." + base64(std::string("\x15\x02\x00\x11\x18\x12", 6) + to + random_bytes(12));
    }

    FakeResponse answer(const FakeRequest& request, FakeMetaRequest& record) {
        const std::string prefix = std::string(api_version) + "/" + options.phone_number_id + "/";
        if (request.path == prefix + "messages") record.endpoint = "messages";
        if (request.path == prefix + "media") record.endpoint = "media";
        if (request.method != "POST" || record.endpoint.empty()) {
            record.rejection = "unsupported " + request.method + " " + request.path;
            return graph_error(400,
                               "Unsupported post request. Object with ID '" + request.path +
                                   "' does not exist, cannot be loaded due to missing permissions, or does "
                                   "not support this operation.",
                               "GraphMethodException", 100, 33);
        }
        const std::string authorization = request.header("authorization");
        if (authorization.empty()) {
            record.rejection = "no token";
            return graph_error(
                400, "An active access token must be used to query information about the current user.",
                "OAuthException", 2500);
        }
        if (authorization != "Bearer " + options.access_token) {
            record.rejection = "wrong token";
            return graph_error(401, "Invalid OAuth access token - Cannot parse access token",
                               "OAuthException", 190);
        }
        {
            const std::lock_guard lock(mu);
            const auto scripted = std::ranges::find_if(failures, [&](const Failure& f) {
                return f.endpoint.empty() || f.endpoint == record.endpoint;
            });
            if (scripted != failures.end()) {
                const Failure failure = *scripted;
                failures.erase(scripted);
                record.rejection = "scripted failure";
                return failure_response(failure);
            }
        }
        return record.endpoint == "media" ? upload(request, record) : message(request, record);
    }

    FakeResponse upload(const FakeRequest& request, FakeMetaRequest& record) {
        const std::string content_type = request.header("content-type");
        if (!content_type.starts_with("multipart/form-data")) {
            record.rejection = "Content-Type is '" + content_type + "'";
            return invalid_parameter("Content-Type must be multipart/form-data");
        }
        const auto parts = parse_multipart(content_type, request.body);
        if (!parts) {
            record.rejection = "malformed multipart body";
            return invalid_parameter("The multipart body could not be parsed");
        }
        const auto field = [&](std::string_view name) -> const Part* {
            const auto it = std::ranges::find_if(*parts, [&](const Part& p) { return p.name == name; });
            return it == parts->end() ? nullptr : &*it;
        };
        const Part* product = field("messaging_product");
        if (product == nullptr || product->data != "whatsapp") {
            record.rejection = "messaging_product";
            return graph_error(400, "(#100) The parameter messaging_product is required.", "OAuthException",
                               100);
        }
        const Part* file = field("file");
        if (file == nullptr || file->filename.empty()) {
            record.rejection = "no file";
            return graph_error(400, "(#100) The parameter file is required.", "OAuthException", 100);
        }
        const Part* type = field("type");
        record.type = type != nullptr ? type->data : std::string();
        record.filename = file->filename;
        record.file_bytes = file->data.size();
        if (record.type != "application/pdf" || !file->content_type.starts_with("application/pdf")) {
            record.rejection = "not declared application/pdf";
            return graph_error(400, "(#131053) Media upload error", "OAuthException", 131053, 0,
                               "Unsupported file type or type mismatch.");
        }
        if (!file->data.starts_with("%PDF")) {
            record.rejection = "not a PDF";
            return graph_error(400, "(#131053) Media upload error", "OAuthException", 131053, 0,
                               "Param file must be a file with one of the following types: application/pdf. "
                               "Received file of type 'application/octet-stream'.");
        }
        if (file->data.size() > max_document_bytes) {
            record.rejection = "too large";
            return graph_error(400, "(#131053) Media upload error", "OAuthException", 131053, 0,
                               "Documents are limited to 100 MB.");
        }
        const std::lock_guard lock(mu);
        record.media_id = std::to_string(next_media++);
        media.emplace(record.media_id, file->filename);
        return FakeResponse::json(200, Json::object({{"id", record.media_id}}).dump());
    }

    FakeResponse message(const FakeRequest& request, FakeMetaRequest& record) {
        if (!request.header("content-type").starts_with("application/json")) {
            record.rejection = "Content-Type is not application/json";
            return invalid_parameter("The request body must be JSON");
        }
        auto body = Json::parse(request.body);
        if (!body || !body->is_object()) {
            record.rejection = "not a JSON object";
            return invalid_parameter("The request body is not a JSON object");
        }
        const auto text = [](const Json* object, std::string_view key) -> std::string {
            const Json* value = object != nullptr ? object->find(key) : nullptr;
            return value != nullptr && value->is_string() ? value->as_string() : std::string();
        };
        record.to = text(&*body, "to");
        record.type = text(&*body, "type");
        record.reference = text(&*body, "biz_opaque_callback_data");
        if (text(&*body, "messaging_product") != "whatsapp") {
            record.rejection = "messaging_product";
            return graph_error(400, "(#100) The parameter messaging_product is required.", "OAuthException",
                               100);
        }
        if (body->find("recipient_type") != nullptr && text(&*body, "recipient_type") != "individual") {
            record.rejection = "recipient_type";
            return invalid_parameter("Param recipient_type must be one of {INDIVIDUAL, GROUP}");
        }
        const std::string to = digits_of(record.to);
        if (to.size() < 8 || to.size() > 15 || !all_digits(to)) {
            record.rejection = "bad to";
            return invalid_parameter("Invalid phone number: '" + record.to + "'");
        }
        if (!options.allowed_recipients.empty() &&
            std::ranges::find(options.allowed_recipients, to) == options.allowed_recipients.end()) {
            record.rejection = "recipient not allowed";
            return graph_error(400, "(#131030) Recipient phone number not in allowed list", "OAuthException",
                               131030, 0,
                               "Recipient phone number not in allowed list: Add recipient phone number to "
                               "recipient list and try again.");
        }
        if (record.type == "text") {
            const Json* object = body->find("text");
            record.text = text(object, "body");
            if (record.text.empty()) {
                record.rejection = "no text body";
                return graph_error(400, "(#100) The parameter text['body'] is required.", "OAuthException",
                                   100);
            }
            if (code_points(record.text) > max_text_code_points) {
                record.rejection = "text too long";
                return invalid_parameter("Param text['body'] must be at most 4096 characters long.");
            }
        } else if (record.type == "document") {
            const Json* object = body->find("document");
            record.media_id = text(object, "id");
            record.filename = text(object, "filename");
            record.caption = text(object, "caption");
            const bool link = object != nullptr && object->find("link") != nullptr;
            if (record.media_id.empty() && !link) {
                record.rejection = "no document id";
                return graph_error(400, "(#100) The parameter document['id'] is required.", "OAuthException",
                                   100);
            }
            {
                const std::lock_guard lock(mu);
                if (!record.media_id.empty() && !media.contains(record.media_id)) {
                    record.rejection = "unknown media id";
                    return invalid_parameter(
                        "Param document['id'] is not a valid whatsapp business account media attachment ID.");
                }
            }
            if (code_points(record.caption) > max_caption_code_points) {
                record.rejection = "caption too long";
                return invalid_parameter("Param document['caption'] must be at most 1024 characters long.");
            }
        } else if (record.type == "template") {
            const Json* object = body->find("template");
            record.template_name = text(object, "name");
            record.template_language = text(object != nullptr ? object->find("language") : nullptr, "code");
            if (record.template_language.empty()) {
                record.rejection = "no template language";
                return graph_error(400, "(#100) The parameter template['language'] is required.",
                                   "OAuthException", 100);
            }
            if (std::ranges::find(options.templates, record.template_name) == options.templates.end()) {
                record.rejection = "unknown template";
                return graph_error(404, "(#132001) Template name does not exist in the translation",
                                   "OAuthException", 132001, 0,
                                   "template name (" + record.template_name + ") does not exist in " +
                                       record.template_language);
            }
            const Json* components = object->find("components");
            if (components != nullptr && components->is_array()) {
                for (const Json& component : components->as_array()) {
                    const Json* parameters = component.find("parameters");
                    if (text(&component, "type") != "body" || parameters == nullptr ||
                        !parameters->is_array())
                        continue;
                    for (const Json& parameter : parameters->as_array()) {
                        if (record.text.empty()) record.text = text(&parameter, "text");
                        if (code_points(text(&parameter, "text")) > 1024) {
                            record.rejection = "template parameter too long";
                            return invalid_parameter(
                                "Param template['components'][0]['parameters'][0]['text'] is too long.");
                        }
                    }
                }
            }
        } else {
            record.rejection = "unsupported type '" + record.type + "'";
            return invalid_parameter("Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, "
                                     "INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}");
        }

        const std::lock_guard lock(mu);
        record.message_id = new_wamid(to);
        accepted[to].push_back(record.message_id);
        ++accepted_total;
        Json message = Json::object({{"id", record.message_id}});
        if (record.type == "template") message["message_status"] = "accepted";
        return FakeResponse::json(
            200, Json::object({{"messaging_product", "whatsapp"},
                               {"contacts", Json::Array{Json::object({{"input", record.to}, {"wa_id", to}})}},
                               {"messages", Json::Array{std::move(message)}}})
                     .dump());
    }
};

FakeMetaWhatsApp::FakeMetaWhatsApp(FakeMetaOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->server = std::make_unique<FakeHttpServer>(
        [impl = impl_.get()](const FakeRequest& request) { return impl->handle(request); });
}

FakeMetaWhatsApp::~FakeMetaWhatsApp() {
    impl_->server.reset();
}

std::string FakeMetaWhatsApp::base_url() const {
    return impl_->server->url(api_version);
}

const FakeMetaOptions& FakeMetaWhatsApp::options() const noexcept {
    return impl_->options;
}

void FakeMetaWhatsApp::push_failure(FakeMetaFailure failure, int times,
                                    std::optional<std::chrono::seconds> retry_after,
                                    std::string_view endpoint) {
    const std::lock_guard lock(impl_->mu);
    for (int i = 0; i < times; ++i)
        impl_->failures.push_back({failure, retry_after, std::string(endpoint)});
}

void FakeMetaWhatsApp::set_latency(std::chrono::milliseconds latency) {
    const std::lock_guard lock(impl_->mu);
    impl_->latency = latency;
}

std::vector<FakeMetaRequest> FakeMetaWhatsApp::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeMetaWhatsApp::request_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

std::vector<std::string> FakeMetaWhatsApp::accepted(std::string_view to) const {
    const std::lock_guard lock(impl_->mu);
    const auto it = impl_->accepted.find(digits_of(to));
    return it == impl_->accepted.end() ? std::vector<std::string>() : it->second;
}

std::size_t FakeMetaWhatsApp::accepted_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->accepted_total;
}

std::size_t FakeMetaWhatsApp::media_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->media.size();
}

} // namespace shiksha::test
