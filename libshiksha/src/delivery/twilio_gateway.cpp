// Twilio Programmable Messaging for WhatsApp: POST {base}/2010-04-01/Accounts/{sid}/Messages.json,
// form-encoded, Basic auth. A document travels as MediaUrl (Twilio downloads it), so it needs a
// public URL; Twilio can list messages, which lets find_accepted() recover after a crash.
#include "core/text.hpp"
#include "delivery/gateway.hpp"
#include "net/http_client.hpp"
#include "providers/translation_common.hpp"
#include "shiksha/json.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

namespace shiksha::detail::delivery {

namespace {

constexpr std::string_view gateway_name = "Twilio";
constexpr std::size_t max_body_code_points = 1600;

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += percent_encode(value);
}

/// Twilio's dates, RFC 2822: "Sat, 21 Nov 2026 10:00:00 +0000"; nullopt when malformed.
std::optional<Timestamp> parse_rfc2822(std::string_view text) {
    text = trim(text);
    if (const auto comma = text.find(','); comma != std::string_view::npos)
        text = trim(text.substr(comma + 1));
    const auto words = split(text, ' ');
    std::vector<std::string_view> parts;
    for (const auto word : words) {
        if (!word.empty()) parts.push_back(word);
    }
    if (parts.size() < 4) return std::nullopt;
    const auto number = [](std::string_view s, int& out) {
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && end == s.data() + s.size();
    };
    static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int day = 0;
    int year = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    const auto month = std::ranges::find(months, parts[1]);
    const auto clock = split(parts[3], ':');
    if (!number(parts[0], day) || month == months.end() || !number(parts[2], year) || clock.size() != 3 ||
        !number(clock[0], hour) || !number(clock[1], minute) || !number(clock[2], second))
        return std::nullopt;
    const std::chrono::year_month_day date{
        std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month - months.begin() + 1)),
        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    auto at = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
              std::chrono::seconds(second);
    if (parts.size() > 4) {
        const std::string_view zone = parts[4];
        int offset = 0;
        if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-') && number(zone.substr(1), offset)) {
            const auto minutes = std::chrono::minutes(offset / 100 * 60 + offset % 100);
            at += zone[0] == '+' ? -minutes : minutes;
        } else if (zone != "GMT" && zone != "UT" && zone != "UTC" && zone != "Z") {
            return std::nullopt;
        }
    }
    return std::chrono::time_point_cast<std::chrono::microseconds>(at);
}

class TwilioGateway final : public Gateway {
public:
    TwilioGateway(const DeliveryConfig& config, std::string base, std::string host, NetConfig net)
        : token_(config.twilio_auth_token),
          from_(config.twilio_from.starts_with("whatsapp:") ? config.twilio_from
                                                            : "whatsapp:" + config.twilio_from),
          messages_url_(
              fmt::format("{}/2010-04-01/Accounts/{}/Messages.json", base, config.twilio_account_sid)),
          authorization_("Basic " + base64(config.twilio_account_sid + ":" + config.twilio_auth_token)),
          host_(std::move(host)), client_(std::move(net)) {}

    [[nodiscard]] std::string_view name() const noexcept override { return "twilio"; }

    [[nodiscard]] SendResult send(const OutgoingMessage& message) override {
        const auto to = e164_digits(message.to);
        if (!to) {
            return std::unexpected(
                SendFailure{Error{ErrorCode::invalid_argument,
                                  fmt::format("{}: '{}' is not a phone number in E.164 form (+919876543210)",
                                              gateway_name, message.to),
                                  {}},
                            false, std::nullopt});
        }
        if (message.document && message.document->public_url.empty()) {
            return std::unexpected(
                SendFailure{Error{ErrorCode::invalid_argument,
                                  fmt::format("{} sends documents by URL, and this one has no public URL "
                                              "(set the export public URL)",
                                              gateway_name),
                                  {}},
                            false, std::nullopt});
        }
        const std::string recipient = "whatsapp:+" + *to;
        SendOutcome outcome;
        std::size_t part = 0; // parts in order: the text's, then the document
        const auto pending = [&] { return part++ >= message.parts_already_sent; };
        for (const auto& text : split_message(message.text, max_body_code_points)) {
            if (!pending()) continue;
            if (auto sent = post(recipient, text, {}, message, outcome); !sent)
                return std::unexpected(sent.error());
        }
        if (message.document && pending()) {
            // The caption is the media message's body.
            const std::string caption = truncate_text(trim(message.caption), max_body_code_points);
            if (auto sent = post(recipient, caption, message.document->public_url, message, outcome); !sent)
                return std::unexpected(sent.error());
        }
        if (outcome.message_ids.empty() && message.parts_already_sent == 0) {
            return std::unexpected(SendFailure{
                Error{ErrorCode::invalid_argument, fmt::format("{}: nothing to send", gateway_name), {}},
                false, std::nullopt});
        }
        return outcome;
    }

    [[nodiscard]] std::optional<std::vector<std::string>> find_accepted(const OutgoingMessage& message,
                                                                        Timestamp since) override {
        const auto to = e164_digits(message.to);
        if (!to) return std::nullopt;
        // The first message of a send carries the text's first part (or, for a document
        // alone, the caption).
        const auto parts =
            split_message(message.text.empty() ? message.caption : message.text, max_body_code_points);
        const std::string first = parts.empty() ? std::string() : parts.front();
        const auto day = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(since)};
        std::string query;
        append_field(query, "To", "whatsapp:+" + *to);
        append_field(query, "DateSent%3E",
                     fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                                 static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day())));
        append_field(query, "PageSize", "50");

        auto response =
            client_.send({"GET", messages_url_ + "?" + query, {{"Authorization", authorization_}}, {}});
        if (!response || response->status != 200) return std::nullopt;
        auto root = Json::parse(response->body);
        const Json* messages = root && root->is_object() ? root->find("messages") : nullptr;
        if (messages == nullptr || !messages->is_array()) return std::nullopt;
        std::vector<std::string> sids;
        for (const Json& item : messages->as_array()) {
            const Json* sid = item.find("sid");
            const Json* body = item.find("body");
            const Json* created = item.find("date_created");
            if (sid == nullptr || !sid->is_string() || body == nullptr || !body->is_string() ||
                created == nullptr || !created->is_string())
                continue;
            if (body->as_string() != first) continue;
            const auto at = parse_rfc2822(created->as_string());
            // Twilio's dates have whole seconds; `since` has microseconds.
            if (!at || *at < std::chrono::floor<std::chrono::seconds>(since)) continue;
            sids.push_back(sid->as_string());
        }
        return sids;
    }

private:
    std::expected<void, SendFailure> post(const std::string& recipient, std::string_view body,
                                          std::string_view media_url, const OutgoingMessage& message,
                                          SendOutcome& outcome) const {
        std::string form;
        append_field(form, "To", recipient);
        append_field(form, "From", from_);
        if (!body.empty()) append_field(form, "Body", body);
        if (!media_url.empty()) append_field(form, "MediaUrl", media_url);
        if (!message.status_callback_url.empty())
            append_field(form, "StatusCallback", message.status_callback_url);

        // One attempt, 429/5xx as answers: the outbox retries, honouring Retry-After.
        auto response = client_.send(
            {"POST",
             messages_url_,
             {{"Authorization", authorization_}, {"Content-Type", "application/x-www-form-urlencoded"}},
             std::move(form),
             true});
        if (!response)
            return std::unexpected(
                failure_after(outcome, transport_failure(std::move(response.error()), gateway_name, token_)));
        if (response->status / 100 != 2) return std::unexpected(failure_after(outcome, classify(*response)));
        auto root = Json::parse(response->body);
        const Json* sid = root && root->is_object() ? root->find("sid") : nullptr;
        if (sid == nullptr || !sid->is_string() || sid->as_string().empty()) {
            // Twilio took the message; sending it again could deliver it twice.
            return std::unexpected(failure_after(
                outcome, SendFailure{Error{ErrorCode::internal,
                                           fmt::format("{} ({}) accepted a message but its answer has no sid",
                                                       gateway_name, host_),
                                           {}},
                                     false, std::nullopt}));
        }
        outcome.message_ids.push_back(sid->as_string());
        return {};
    }

    [[nodiscard]] SendFailure classify(const HttpResponse& response) const {
        std::int64_t code = 0;
        std::string text;
        if (auto root = Json::parse(response.body); root && root->is_object()) {
            if (const Json* c = root->find("code"); c != nullptr && c->is_int()) code = c->as_int();
            if (const Json* m = root->find("message"); m != nullptr && m->is_string()) text = m->as_string();
        }
        if (text.empty()) text = upstream_message(response.body);
        std::string message = fmt::format("{} ({}) answered {}", gateway_name, host_, response.status);
        if (!text.empty()) message += ": " + text;
        if (code != 0) message += fmt::format(" (error {})", code);
        message = redact_secret(std::move(message), token_);

        SendFailure failure{Error{ErrorCode::invalid_argument, std::move(message), {}}, false, std::nullopt};
        if (response.status == 429 || code == 20429) {
            failure.error.code = ErrorCode::rate_limited;
            failure.retryable = true;
            failure.retry_after = retry_after(response, std::chrono::system_clock::now());
        } else if (response.status >= 500) {
            failure.error.code = ErrorCode::unavailable;
            failure.retryable = true;
            failure.retry_after = retry_after(response, std::chrono::system_clock::now());
        } else if (response.status == 401 || code == 20003) {
            failure.error.code = ErrorCode::unauthenticated;
            failure.error.message += " (check SHIKSHA_TWILIO_ACCOUNT_SID and SHIKSHA_TWILIO_AUTH_TOKEN)";
        } else if (response.status == 403) {
            failure.error.code = ErrorCode::permission_denied;
        }
        return failure;
    }

    std::string token_;
    std::string from_;
    std::string messages_url_;
    std::string authorization_;
    std::string host_;
    HttpClient client_;
};

} // namespace

Result<std::unique_ptr<Gateway>> make_twilio_gateway(const DeliveryConfig& config, NetConfig net) {
    std::string base = std::string(trim(config.twilio_base_url));
    while (base.ends_with('/'))
        base.pop_back();
    auto parsed = parse_url(base);
    if (!parsed) return fail_field("twilio_base_url", parsed.error().message);
    if (parsed->target.find('?') != std::string::npos)
        return fail_field("twilio_base_url", "the Twilio base URL must not have a query string");
    DeliveryConfig checked = config;
    checked.twilio_account_sid = std::string(trim(config.twilio_account_sid));
    checked.twilio_auth_token = std::string(trim(config.twilio_auth_token));
    checked.twilio_from = std::string(trim(config.twilio_from));
    if (!std::ranges::all_of(checked.twilio_account_sid, [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }))
        return fail_field("twilio_account_sid", "the Twilio account SID is letters and digits (AC…)");
    const std::string_view from = std::string_view(checked.twilio_from).starts_with("whatsapp:")
                                      ? std::string_view(checked.twilio_from).substr(9)
                                      : std::string_view(checked.twilio_from);
    if (!from.starts_with('+') || !e164_digits(from))
        return fail_field("twilio_from", "the Twilio sender is a WhatsApp number: whatsapp:+14155238886");
    // The outbox retries with its own backoff; the client must make exactly one attempt.
    net.max_attempts = 1;
    try {
        return std::make_unique<TwilioGateway>(checked, base, parsed->host, std::move(net));
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("cannot create the Twilio client: {}", e.what()));
    }
}

} // namespace shiksha::detail::delivery
