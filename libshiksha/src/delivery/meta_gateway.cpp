// Meta WhatsApp Cloud API: POST {base}/{phone_number_id}/messages with a Bearer token; a PDF is
// uploaded first (POST {base}/{phone_number_id}/media, multipart) and sent by its media id.
#include "core/random.hpp"
#include "core/text.hpp"
#include "delivery/gateway.hpp"
#include "net/http_client.hpp"
#include "providers/translation_common.hpp"
#include "shiksha/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace shiksha::detail::delivery {

namespace {

constexpr std::string_view gateway_name = "Meta WhatsApp";
constexpr std::size_t max_text_code_points = 4096;
constexpr std::size_t max_caption_code_points = 1024;
/// A template's body parameter; Meta refuses longer ones.
constexpr std::size_t max_template_parameter_code_points = 1024;

/// What a Graph API error body says ({"error":{"message","type","code","error_subcode",
/// "error_data":{"details"},"fbtrace_id"}}).
struct GraphError {
    std::int64_t code = 0;
    std::int64_t subcode = 0;
    std::string type;
    std::string message;
    std::string details;
};

GraphError parse_graph_error(std::string_view body) {
    GraphError out;
    auto root = Json::parse(body);
    const Json* error = root && root->is_object() ? root->find("error") : nullptr;
    if (error == nullptr || !error->is_object()) {
        out.message = upstream_message(body);
        return out;
    }
    const auto text = [&](const Json& object, std::string_view key) -> std::string {
        const Json* value = object.find(key);
        return value != nullptr && value->is_string() ? value->as_string() : std::string();
    };
    const auto integer = [&](std::string_view key) -> std::int64_t {
        const Json* value = error->find(key);
        return value != nullptr && value->is_int() ? value->as_int() : 0;
    };
    out.code = integer("code");
    out.subcode = integer("error_subcode");
    out.type = text(*error, "type");
    out.message = text(*error, "message");
    if (const Json* data = error->find("error_data"); data != nullptr && data->is_object())
        out.details = text(*data, "details");
    return out;
}

bool one_of(std::int64_t code, std::initializer_list<std::int64_t> codes) {
    return std::ranges::find(codes, code) != codes.end();
}

/// The Content-Disposition filename: quotes and line breaks would end the header early.
std::string quoted_filename(std::string_view filename) {
    std::string out;
    for (const char c : filename) {
        if (c == '"') {
            out += "%22";
        } else if (c != '\r' && c != '\n') {
            out += c;
        }
    }
    return out.empty() ? std::string("document.pdf") : out;
}

class MetaGateway final : public Gateway {
public:
    MetaGateway(const DeliveryConfig& config, std::string base, std::string host, NetConfig net)
        : token_(config.meta_access_token), template_(config.meta_template),
          template_language_(config.meta_template_language.empty() ? "en" : config.meta_template_language),
          messages_url_(fmt::format("{}/{}/messages", base, config.meta_phone_number_id)),
          media_url_(fmt::format("{}/{}/media", base, config.meta_phone_number_id)), host_(std::move(host)),
          client_(std::move(net)) {}

    [[nodiscard]] std::string_view name() const noexcept override { return "meta"; }

    [[nodiscard]] SendResult send(const OutgoingMessage& message) override {
        const auto to = e164_digits(message.to);
        if (!to) {
            return permanent(ErrorCode::invalid_argument,
                             fmt::format("{}: '{}' is not a phone number in E.164 form (+919876543210)",
                                         gateway_name, message.to));
        }
        if (message.text.empty() && !message.document)
            return permanent(ErrorCode::invalid_argument, fmt::format("{}: nothing to send", gateway_name));

        SendOutcome outcome;
        std::size_t part = 0; // parts in order: text parts (or the template), then the document
        const auto pending = [&] { return part++ >= message.parts_already_sent; };
        if (!message.text.empty()) {
            if (!template_.empty()) {
                if (pending()) {
                    auto id = post_message(template_message(*to, message), outcome);
                    if (!id) return std::unexpected(std::move(id.error()));
                }
            } else {
                for (const auto& text : split_message(message.text, max_text_code_points)) {
                    if (!pending()) continue;
                    auto id = post_message(text_message(*to, text, message.reference), outcome);
                    if (!id) return std::unexpected(std::move(id.error()));
                }
            }
        }
        if (message.document && pending()) {
            auto media_id = upload(*message.document, outcome);
            if (!media_id) return std::unexpected(std::move(media_id.error()));
            auto id = post_message(document_message(*to, *media_id, message), outcome);
            if (!id) return std::unexpected(std::move(id.error()));
        }
        return outcome;
    }

    /// The Cloud API cannot list sent messages.
    [[nodiscard]] std::optional<std::vector<std::string>> find_accepted(const OutgoingMessage&,
                                                                        Timestamp) override {
        return std::nullopt;
    }

private:
    static std::unexpected<SendFailure> permanent(ErrorCode code, std::string message) {
        return std::unexpected(SendFailure{Error{code, std::move(message), {}}, false, std::nullopt});
    }

    static Json envelope(const std::string& to, std::string_view type, std::string_view reference) {
        Json body = Json::object({{"messaging_product", "whatsapp"},
                                  {"recipient_type", "individual"},
                                  {"to", to},
                                  {"type", type}});
        // Meta echoes it in every status webhook of this message.
        if (!reference.empty()) body["biz_opaque_callback_data"] = reference;
        return body;
    }

    static Json text_message(const std::string& to, std::string_view text, std::string_view reference) {
        Json body = envelope(to, "text", reference);
        body["text"] = Json::object({{"preview_url", false}, {"body", text}});
        return body;
    }

    [[nodiscard]] Json template_message(const std::string& to, const OutgoingMessage& message) const {
        Json body = envelope(to, "template", message.reference);
        const Json parameter = Json::object(
            {{"type", "text"}, {"text", truncate_text(message.text, max_template_parameter_code_points)}});
        body["template"] = Json::object(
            {{"name", template_},
             {"language", Json::object({{"code", template_language_}})},
             {"components",
              Json::Array{Json::object({{"type", "body"}, {"parameters", Json::Array{parameter}}})}}});
        return body;
    }

    static Json document_message(const std::string& to, const std::string& media_id,
                                 const OutgoingMessage& message) {
        Json body = envelope(to, "document", message.reference);
        Json document = Json::object({{"id", media_id}});
        if (!message.document->filename.empty()) document["filename"] = message.document->filename;
        if (!message.caption.empty())
            document["caption"] = truncate_text(message.caption, max_caption_code_points);
        body["document"] = std::move(document);
        return body;
    }

    /// Sends one message; its id is appended to `outcome`.
    std::expected<void, SendFailure> post_message(const Json& body, SendOutcome& outcome) const {
        auto response =
            exchange({"POST",
                      messages_url_,
                      {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}},
                      body.dump()},
                     outcome);
        if (!response) return std::unexpected(std::move(response.error()));
        auto root = Json::parse(response->body);
        const Json* messages = root && root->is_object() ? root->find("messages") : nullptr;
        const Json* id = messages != nullptr && messages->is_array() && !messages->as_array().empty()
                             ? messages->as_array().front().find("id")
                             : nullptr;
        if (id == nullptr || !id->is_string() || id->as_string().empty()) {
            // Meta took the message; sending it again could deliver it twice.
            return std::unexpected(failure_after(
                outcome, SendFailure{Error{ErrorCode::internal,
                                           fmt::format("{} ({}) accepted a message but its answer has no "
                                                       "messages[0].id",
                                                       gateway_name, host_),
                                           {}},
                                     false, std::nullopt}));
        }
        outcome.message_ids.push_back(id->as_string());
        return {};
    }

    /// Uploads the PDF; returns its media id.
    std::expected<std::string, SendFailure> upload(const Attachment& document,
                                                   const SendOutcome& outcome) const {
        std::string boundary = "shiksha-" + random_hex(16);
        while (document.bytes.find(boundary) != std::string::npos)
            boundary = "shiksha-" + random_hex(16);
        std::string body;
        body.reserve(document.bytes.size() + 512);
        const auto field = [&](std::string_view name, std::string_view value) {
            body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n", boundary,
                                name, value);
        };
        field("messaging_product", "whatsapp");
        field("type", "application/pdf");
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n"
                            "Content-Type: application/pdf\r\n\r\n",
                            boundary, quoted_filename(document.filename));
        body += document.bytes;
        body += fmt::format("\r\n--{}--\r\n", boundary);

        auto response = exchange({"POST",
                                  media_url_,
                                  {{"Authorization", "Bearer " + token_},
                                   {"Content-Type", "multipart/form-data; boundary=" + boundary}},
                                  std::move(body)},
                                 outcome);
        if (!response) return std::unexpected(std::move(response.error()));
        auto root = Json::parse(response->body);
        const Json* id = root && root->is_object() ? root->find("id") : nullptr;
        if (id == nullptr || !id->is_string() || id->as_string().empty()) {
            return std::unexpected(failure_after(
                outcome, SendFailure{Error{ErrorCode::unavailable,
                                           fmt::format("{} ({}) sent an upload answer without a media id",
                                                       gateway_name, host_),
                                           {}},
                                     false, std::nullopt}));
        }
        return id->as_string();
    }

    /// One HTTP exchange; a 200 answer, or the classified failure.
    std::expected<HttpResponse, SendFailure> exchange(const HttpRequest& request,
                                                      const SendOutcome& outcome) const {
        HttpRequest once = request;
        once.single_attempt = true; // the outbox retries; it needs 429's Retry-After
        auto response = client_.send(once);
        if (!response)
            return std::unexpected(
                failure_after(outcome, transport_failure(std::move(response.error()), gateway_name, token_)));
        if (response->status == 200) return std::move(*response);
        return std::unexpected(failure_after(outcome, classify(*response)));
    }

    [[nodiscard]] SendFailure classify(const HttpResponse& response) const {
        const GraphError error = parse_graph_error(response.body);
        std::string message = fmt::format("{} ({}) answered {}", gateway_name, host_, response.status);
        if (!error.message.empty()) message += ": " + error.message;
        if (error.code != 0) message += fmt::format(" (code {})", error.code);
        if (!error.details.empty()) message += " — " + error.details;
        message = redact_secret(std::move(message), token_);

        SendFailure failure{Error{ErrorCode::invalid_argument, std::move(message), {}}, false, std::nullopt};
        // Throughput (130429), pair rate (131056), application and account rate limits (4, 80007).
        if (response.status == 429 || one_of(error.code, {4, 130429, 131056, 80007})) {
            failure.error.code = ErrorCode::rate_limited;
            failure.retryable = true;
            failure.retry_after = retry_after(response, std::chrono::system_clock::now());
        } else if (response.status >= 500 || one_of(error.code, {1, 2, 131000, 131016})) {
            failure.error.code = ErrorCode::unavailable;
            failure.retryable = true;
            failure.retry_after = retry_after(response, std::chrono::system_clock::now());
        } else if (response.status == 401 || one_of(error.code, {190, 2500})) {
            failure.error.code = ErrorCode::unauthenticated;
            failure.error.message += " (check SHIKSHA_META_ACCESS_TOKEN)";
        } else if (response.status == 403 || error.code == 10 || (error.code >= 200 && error.code < 300)) {
            failure.error.code = ErrorCode::permission_denied;
        }
        return failure;
    }

    std::string token_;
    std::string template_;
    std::string template_language_;
    std::string messages_url_;
    std::string media_url_;
    std::string host_;
    HttpClient client_;
};

} // namespace

Result<std::unique_ptr<Gateway>> make_meta_gateway(const DeliveryConfig& config, NetConfig net) {
    std::string base = std::string(trim(config.meta_base_url));
    while (base.ends_with('/'))
        base.pop_back();
    auto parsed = parse_url(base);
    if (!parsed) return fail_field("meta_base_url", parsed.error().message);
    if (parsed->target.find('?') != std::string::npos)
        return fail_field("meta_base_url", "the Meta base URL must not have a query string");
    const std::string_view phone_number_id = trim(config.meta_phone_number_id);
    if (!std::ranges::all_of(phone_number_id, [](char c) { return c >= '0' && c <= '9'; }))
        return fail_field("meta_phone_number_id", "the Meta phone number id is a number (digits only)");
    // The outbox retries with its own backoff; the client must make exactly one attempt.
    net.max_attempts = 1;
    DeliveryConfig checked = config;
    checked.meta_phone_number_id = std::string(phone_number_id);
    checked.meta_access_token = std::string(trim(config.meta_access_token));
    try {
        return std::make_unique<MetaGateway>(checked, base, parsed->host, std::move(net));
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the Meta WhatsApp client: {}", e.what()));
    }
}

} // namespace shiksha::detail::delivery
