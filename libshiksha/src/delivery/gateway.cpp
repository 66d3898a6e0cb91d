// Choosing a gateway, the wa.me link, and the text handling the gateways share.
#include "delivery/gateway.hpp"

#include "core/text.hpp"
#include "providers/translation_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace shiksha::detail::delivery {

namespace {

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

/// Byte offset just after the first `count` code points of `text` (text.size() when shorter).
std::size_t code_point_offset(std::string_view text, std::size_t count) {
    std::size_t i = 0;
    for (std::size_t seen = 0; i < text.size(); ++i) {
        if (!is_continuation(text[i])) {
            if (seen == count) return i;
            ++seen;
        }
    }
    return text.size();
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Where to cut `window` (what is left, up to and including the first byte that does not fit):
/// the last paragraph break, else line break, else space, in its second half so parts stay
/// reasonably full; npos when there is none.
std::size_t cut_position(std::string_view window) {
    const std::size_t floor = window.size() / 2;
    for (const std::string_view separator :
         {std::string_view("\n\n"), std::string_view("\n"), std::string_view(" ")}) {
        const auto at = window.rfind(separator);
        if (at != std::string_view::npos && at > floor) return at;
    }
    return std::string_view::npos;
}

} // namespace

std::optional<std::string> e164_digits(std::string_view number) {
    number = trim(number);
    if (number.starts_with('+')) number.remove_prefix(1);
    if (number.size() < 8 || number.size() > 15) return std::nullopt;
    if (!std::ranges::all_of(number, [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    if (number.front() == '0') return std::nullopt; // no calling code starts with 0
    return std::string(number);
}

std::vector<std::string> split_message(std::string_view text, std::size_t max_code_points) {
    std::vector<std::string> parts;
    max_code_points = std::max<std::size_t>(max_code_points, 1);
    while (!text.empty()) {
        const std::size_t limit = code_point_offset(text, max_code_points);
        if (limit == text.size()) {
            while (!text.empty() && is_space(text.back()))
                text.remove_suffix(1);
            if (!text.empty()) parts.emplace_back(text);
            break;
        }
        // `limit` is the start of the first code point that does not fit; a separator there
        // still ends this part cleanly.
        std::size_t cut = cut_position(text.substr(0, limit + 1));
        if (cut == std::string_view::npos) cut = limit;
        std::string_view part = text.substr(0, cut);
        while (!part.empty() && is_space(part.back()))
            part.remove_suffix(1);
        if (!part.empty()) parts.emplace_back(part);
        text.remove_prefix(cut);
        while (!text.empty() && is_space(text.front()))
            text.remove_prefix(1);
    }
    return parts;
}

std::string truncate_text(std::string_view text, std::size_t max_code_points) {
    if (utf8_length(text) <= max_code_points) return std::string(text);
    if (max_code_points == 0) return {};
    std::string_view kept = text.substr(0, code_point_offset(text, max_code_points - 1));
    while (!kept.empty() && is_space(kept.back()))
        kept.remove_suffix(1);
    return std::string(kept) + "…";
}

SendFailure failure_after(const SendOutcome& outcome, SendFailure failure) {
    failure.accepted_ids = outcome.message_ids;
    if (!outcome.message_ids.empty()) {
        std::string ids;
        for (const auto& id : outcome.message_ids)
            ids += (ids.empty() ? "" : ", ") + id;
        failure.error.message +=
            fmt::format(" (after {} part(s) were accepted: {})", outcome.message_ids.size(), ids);
    }
    return failure;
}

SendFailure transport_failure(Error error, std::string_view gateway, std::string_view secret) {
    // Without an answer we cannot know whether the message went out; the outbox retries and,
    // after a crash, asks find_accepted().
    const bool retryable = error.code == ErrorCode::unavailable || error.code == ErrorCode::rate_limited ||
                           error.code == ErrorCode::deadline_exceeded;
    error.message = redact_secret(fmt::format("{}: {}", gateway, error.message), secret);
    error.field.clear();
    return SendFailure{std::move(error), retryable, std::nullopt};
}

std::string wa_me_link(std::string_view e164, std::string_view text) {
    std::string digits;
    for (const char c : e164) {
        if (c >= '0' && c <= '9') digits += c;
    }
    std::string link = "https://wa.me/" + digits;
    if (!text.empty()) link += "?text=" + percent_encode(text);
    return link;
}

Result<std::unique_ptr<Gateway>> make_gateway(const Config& config) {
    const DeliveryConfig& delivery = config.delivery;
    const std::string name = ascii_lower(trim(delivery.gateway));
    const auto missing = [](std::vector<std::string_view> variables, std::string_view gateway) {
        std::string list;
        for (const auto variable : variables) {
            if (!list.empty()) list += ", ";
            list += variable;
        }
        return fail_field("gateway", fmt::format("the {} WhatsApp gateway needs {} (set {})", gateway,
                                                 variables.size() == 1 ? "a setting" : "settings", list));
    };
    if (name.empty() || name == "deeplink") return make_deeplink_gateway();
    if (name == "meta") {
        std::vector<std::string_view> unset;
        if (trim(delivery.meta_access_token).empty()) unset.push_back("SHIKSHA_META_ACCESS_TOKEN");
        if (trim(delivery.meta_phone_number_id).empty()) unset.push_back("SHIKSHA_META_PHONE_NUMBER_ID");
        if (!unset.empty()) return missing(std::move(unset), "Meta");
        return make_meta_gateway(delivery, config.net);
    }
    if (name == "twilio") {
        std::vector<std::string_view> unset;
        if (trim(delivery.twilio_account_sid).empty()) unset.push_back("SHIKSHA_TWILIO_ACCOUNT_SID");
        if (trim(delivery.twilio_auth_token).empty()) unset.push_back("SHIKSHA_TWILIO_AUTH_TOKEN");
        if (trim(delivery.twilio_from).empty()) unset.push_back("SHIKSHA_TWILIO_FROM");
        if (!unset.empty()) return missing(std::move(unset), "Twilio");
        return make_twilio_gateway(delivery, config.net);
    }
    return fail_field("gateway", fmt::format("unknown WhatsApp gateway '{}': use deeplink, meta or twilio",
                                             delivery.gateway));
}

} // namespace shiksha::detail::delivery
