// Status reports from the gateways: Meta's signed webhooks and Twilio's status callbacks.
#include "core/text.hpp"
#include "delivery/gateway.hpp"
#include "shiksha/json.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

namespace shiksha::detail::delivery {

namespace {

std::string hmac(const EVP_MD* digest, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(digest, key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length) == nullptr)
        return {};
    return std::string(reinterpret_cast<const char*>(out), length);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool hex_decode(std::string_view text, std::string& out) {
    if (text.size() % 2 != 0) return false;
    out.clear();
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int high = hex_value(text[i]);
        const int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0) return false;
        out += static_cast<char>(high * 16 + low);
    }
    return true;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // The length of a valid signature is public; only the bytes must not leak through timing.
    return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string string_member(const Json& object, std::string_view key) {
    const Json* value = object.find(key);
    return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

/// Meta sends unix seconds as a string ("1700000000"); some payloads use a number.
std::optional<Timestamp> unix_seconds(const Json* value) {
    if (value == nullptr) return std::nullopt;
    std::int64_t seconds = 0;
    if (value->is_int()) {
        seconds = value->as_int();
    } else if (value->is_string()) {
        const std::string& text = value->as_string();
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return Timestamp(std::chrono::seconds(seconds));
}

std::string meta_error_text(const Json& status) {
    const Json* errors = status.find("errors");
    if (errors == nullptr || !errors->is_array() || errors->as_array().empty()) return {};
    const Json& first = errors->as_array().front();
    std::string text = string_member(first, "title");
    if (const std::string message = string_member(first, "message"); !message.empty() && message != text)
        text += text.empty() ? message : ": " + message;
    if (const Json* data = first.find("error_data"); data != nullptr && data->is_object()) {
        if (const std::string details = string_member(*data, "details"); !details.empty() && details != text)
            text += text.empty() ? details : " — " + details;
    }
    if (const Json* code = first.find("code"); code != nullptr && code->is_int()) {
        const std::string number = std::to_string(code->as_int());
        text = text.empty() ? "error " + number : text + " (code " + number + ")";
    }
    return text;
}

} // namespace

bool verify_meta_signature(std::string_view app_secret, std::string_view body, std::string_view header) {
    constexpr std::string_view prefix = "sha256=";
    header = trim(header);
    if (app_secret.empty() || !header.starts_with(prefix)) return false;
    std::string given;
    if (!hex_decode(header.substr(prefix.size()), given)) return false;
    return constant_time_equal(given, hmac(EVP_sha256(), app_secret, body));
}

Result<std::vector<StatusEvent>> parse_meta_webhook(std::string_view body) {
    auto root = Json::parse(body);
    if (!root) return fail_field("body", "the Meta webhook body is not JSON: " + root.error().message);
    const Json* entries = root->is_object() ? root->find("entry") : nullptr;
    if (string_member(*root, "object") != "whatsapp_business_account" || entries == nullptr ||
        !entries->is_array())
        return fail_field("body", "not a WhatsApp Business Account webhook (object, entry[])");
    std::vector<StatusEvent> events;
    for (const Json& entry : entries->as_array()) {
        const Json* changes = entry.find("changes");
        if (changes == nullptr || !changes->is_array()) continue;
        for (const Json& change : changes->as_array()) {
            const Json* value = change.find("value");
            const Json* statuses = value != nullptr ? value->find("statuses") : nullptr;
            if (statuses == nullptr || !statuses->is_array()) continue;
            for (const Json& status : statuses->as_array()) {
                StatusEvent event;
                event.message_id = string_member(status, "id");
                event.status = string_member(status, "status");
                if (event.message_id.empty()) continue;
                // Meta also reports "deleted" and "warning"; the outbox tracks only these.
                if (event.status != "sent" && event.status != "delivered" && event.status != "read" &&
                    event.status != "failed")
                    continue;
                event.at = unix_seconds(status.find("timestamp"));
                event.reference = string_member(status, "biz_opaque_callback_data");
                if (event.status == "failed") {
                    event.error = meta_error_text(status);
                    if (event.error.empty()) event.error = "failed (Meta gave no reason)";
                }
                events.push_back(std::move(event));
            }
        }
    }
    return events;
}

bool verify_twilio_signature(std::string_view auth_token, std::string_view url,
                             const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view header) {
    header = trim(header);
    if (auth_token.empty() || header.empty()) return false;
    auto sorted = params;
    std::ranges::sort(sorted);
    std::string data(url);
    for (const auto& [name, value] : sorted) {
        data += name;
        data += value;
    }
    return constant_time_equal(header, base64(hmac(EVP_sha1(), auth_token, data)));
}

std::optional<StatusEvent>
parse_twilio_callback(const std::vector<std::pair<std::string, std::string>>& params) {
    const auto param = [&](std::string_view name) -> std::string {
        for (const auto& [key, value] : params) {
            if (key == name) return value;
        }
        return {};
    };
    StatusEvent event;
    event.message_id = param("MessageSid");
    if (event.message_id.empty()) event.message_id = param("SmsSid");
    const std::string status = param("MessageStatus").empty() ? param("SmsStatus") : param("MessageStatus");
    if (event.message_id.empty()) return std::nullopt;
    if (status == "sent" || status == "delivered" || status == "read") {
        event.status = status;
    } else if (status == "failed" || status == "undelivered") {
        event.status = "failed";
        const std::string code = param("ErrorCode");
        const std::string message = param("ErrorMessage");
        event.error = "Twilio " + status;
        if (!code.empty()) event.error += " (error " + code + ")";
        if (!message.empty()) event.error += ": " + message;
    } else {
        return std::nullopt; // queued, accepted, sending, scheduled...: not a delivery state yet
    }
    event.reference = param("ref");
    return event;
}

} // namespace shiksha::detail::delivery
