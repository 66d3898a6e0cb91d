// Google Cloud Translation v2 (`POST {base_url}/language/translate/v2`, form-encoded).
#include "core/text.hpp"
#include "net/http_client.hpp"
#include "providers/translation_common.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

namespace {

/// Google's documented limits for one v2 request (it answers 400 beyond them).
constexpr TranslationLimits google_limits{128, 5000};

void append_field(std::string& out, std::string_view name, std::string_view value) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += detail::percent_encode(value); // UTF-8 byte by byte; '+', '&' and '=' cannot split a field
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The character an entity body ("amp", "#39", "#x27") stands for, or nullopt when it is not
/// one we know (it is then left as written).
std::optional<std::uint32_t> entity_code_point(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 6> named = {{
        {"amp", '&'},
        {"lt", '<'},
        {"gt", '>'},
        {"quot", '"'},
        {"apos", '\''},
        {"nbsp", 0xA0},
    }};
    for (const auto& [key, cp] : named) {
        if (name == key) return cp;
    }
    if (name.size() < 2 || name.front() != '#') return std::nullopt;
    std::string_view digits = name.substr(1);
    int base = 10;
    if (digits.front() == 'x' || digits.front() == 'X') {
        digits.remove_prefix(1);
        base = 16;
    }
    std::uint32_t cp = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    // NUL, surrogates and values past Unicode would make the output invalid UTF-8.
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return std::nullopt;
    return cp;
}

/// Google escapes ' " & < > as HTML entities in some answers even with format=text (&#39; most
/// often). One pass, so "&amp;lt;" becomes "&lt;" as it would in a browser. A source that
/// itself contains an entity ("AT&amp;T") comes back decoded too; teaching material hardly
/// ever does, while apostrophes are everywhere.
std::string decode_html_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto amp = text.find('&', i);
        if (amp == std::string_view::npos) break;
        out.append(text.substr(i, amp - i));
        // Entities are short; a ';' further away belongs to something else.
        const auto semi = text.find(';', amp + 1);
        if (semi != std::string_view::npos && semi - amp <= 10) {
            if (const auto cp = entity_code_point(text.substr(amp + 1, semi - amp - 1))) {
                append_utf8(out, *cp);
                i = semi + 1;
                continue;
            }
        }
        out += '&';
        i = amp + 1;
    }
    out.append(text.substr(std::min(i, text.size())));
    return out;
}

/// What Google says about a refused request: the first `errors[].reason` (or, in the newer
/// format, `details[].reason` such as API_KEY_INVALID), the `status` and the message.
struct GoogleError {
    std::vector<std::string> reasons;
    std::string status;
    std::string message;

    [[nodiscard]] bool has_reason(std::string_view reason) const {
        for (const auto& r : reasons) {
            if (r == reason) return true;
        }
        return false;
    }
};

GoogleError parse_google_error(std::string_view body) {
    GoogleError out;
    out.message = detail::upstream_message(body);
    auto root = Json::parse(body);
    if (!root) return out;
    const Json* top = &*root;
    if (top->is_array() && !top->as_array().empty()) top = &top->as_array().front();
    const Json* error = top->find("error");
    if (error == nullptr || !error->is_object()) return out;
    if (const Json* status = error->find("status"); status && status->is_string())
        out.status = status->as_string();
    for (const char* list : {"errors", "details"}) {
        const Json* items = error->find(list);
        if (items == nullptr || !items->is_array()) continue;
        for (const Json& item : items->as_array()) {
            if (const Json* reason = item.find("reason"); reason && reason->is_string())
                out.reasons.push_back(reason->as_string());
        }
    }
    return out;
}

/// Reasons that mean "used up for now", which callers handle by waiting or switching provider.
bool is_quota_error(const GoogleError& error) {
    for (const char* reason : {"dailyLimitExceeded", "dailyLimitExceededUnreg", "userRateLimitExceeded",
                               "userRateLimitExceededUnreg", "rateLimitExceeded", "rateLimitExceededUnreg",
                               "quotaExceeded", "limitExceeded", "RATE_LIMIT_EXCEEDED"}) {
        if (error.has_reason(reason)) return true;
    }
    return error.status == "RESOURCE_EXHAUSTED";
}

bool is_key_error(const GoogleError& error) {
    return error.has_reason("keyInvalid") || error.has_reason("keyExpired") ||
           error.has_reason("API_KEY_INVALID") ||
           error.message.find("API key not valid") != std::string::npos || error.status == "UNAUTHENTICATED";
}

class GoogleTranslator final : public TranslationProvider {
public:
    GoogleTranslator(GoogleTranslateConfig config, std::string url, std::string host)
        : config_(std::move(config)), url_(std::move(url)), host_(std::move(host)), client_(config_.net) {}

    [[nodiscard]] std::string name() const override { return "google"; }
    [[nodiscard]] TranslationLimits limits() const override { return google_limits; }

    [[nodiscard]] Result<std::vector<std::string>> translate(const TranslationBatch& batch,
                                                             const CancelToken* cancel) const override {
        auto out = send(batch, cancel);
        // One exit for every error, so no path can carry the key out in a message.
        if (!out)
            out.error().message = detail::redact_secret(std::move(out.error().message), config_.api_key);
        return out;
    }

private:
    Result<std::vector<std::string>> send(const TranslationBatch& batch, const CancelToken* cancel) const {
        if (auto ok = detail::check_translation_batch(batch, google_limits, "Google Translate"); !ok)
            return std::unexpected(std::move(ok.error()));
        const detail::SentTexts sent = detail::texts_to_send(batch.texts);
        if (sent.texts.empty()) return batch.texts;
        if (cancel && cancel->cancelled())
            return fail(ErrorCode::deadline_exceeded, "the translation was cancelled");

        // The key travels in the body, never in the URL, so it cannot reach a proxy's or a
        // server's access log.
        std::string body;
        for (const auto& text : sent.texts)
            append_field(body, "q", text);
        append_field(body, "target", detail::trim(batch.target_code));
        append_field(body, "source", detail::trim(batch.source_code));
        append_field(body, "format", "text");
        append_field(body, "key", config_.api_key);

        auto response = client_.send(
            {"POST", url_, {{"Content-Type", "application/x-www-form-urlencoded"}}, std::move(body)}, cancel);
        if (!response) return std::unexpected(std::move(response.error()));
        if (response->status / 100 != 2) return status_error(*response, batch);
        auto translated = parse_answer(response->body, sent.texts.size());
        if (!translated) return std::unexpected(std::move(translated.error()));
        return detail::merge_translations(batch.texts, sent, std::move(*translated));
    }

    std::unexpected<Error> status_error(const detail::HttpResponse& response,
                                        const TranslationBatch& batch) const {
        const GoogleError error = parse_google_error(response.body);
        std::string message = fmt::format("Google Translate ({}) answered {}", host_, response.status);
        if (!error.reasons.empty()) message += " " + error.reasons.front();
        if (!error.message.empty()) message += ": " + error.message;

        if (response.status == 429 || is_quota_error(error))
            return fail(ErrorCode::rate_limited, std::move(message));
        if (response.status == 401 || is_key_error(error))
            return fail(ErrorCode::unauthenticated, message + " (check the Google Translate API key)");
        switch (response.status) {
        case 403: return fail(ErrorCode::permission_denied, std::move(message));
        case 400:
        case 413:
            return fail(ErrorCode::invalid_argument, fmt::format("{} (translating {} → {})", message,
                                                                 batch.source_code, batch.target_code));
        case 404: return fail(ErrorCode::unavailable, message + " (check the Google Translate base URL)");
        default: return fail(ErrorCode::unavailable, std::move(message));
        }
    }

    std::unexpected<Error> bad_answer(std::string_view why) const {
        return fail(ErrorCode::unavailable,
                    fmt::format("Google Translate ({}) sent an unusable answer: {}", host_, why));
    }

    Result<std::vector<std::string>> parse_answer(const std::string& body, std::size_t expected) const {
        auto root = Json::parse(body);
        if (!root || !root->is_object()) return bad_answer("it is not a JSON object");
        const Json* data = root->find("data");
        const Json* translations = data != nullptr ? data->find("translations") : nullptr;
        if (translations == nullptr || !translations->is_array())
            return bad_answer("it has no data.translations array");
        if (translations->as_array().size() != expected) {
            return bad_answer(
                fmt::format("{} translations for {} texts", translations->as_array().size(), expected));
        }
        std::vector<std::string> out;
        out.reserve(expected);
        for (const Json& item : translations->as_array()) {
            const Json* text = item.find("translatedText");
            if (text == nullptr || !text->is_string())
                return bad_answer("a translation has no translatedText");
            out.push_back(decode_html_entities(text->as_string()));
        }
        return out;
    }

    GoogleTranslateConfig config_;
    std::string url_;
    std::string host_;
    detail::HttpClient client_;
};

} // namespace

Result<std::shared_ptr<const TranslationProvider>>
make_google_translator(const GoogleTranslateConfig& config) {
    if (config.api_key.empty()) return fail_field("api_key", "the Google Translate API key is required");
    std::string base(config.base_url);
    while (base.ends_with('/'))
        base.pop_back();
    const std::string url = base + "/language/translate/v2";
    auto parsed = detail::parse_url(url);
    if (!parsed) return fail_field("base_url", parsed.error().message);
    if (parsed->target.find('?') != std::string::npos)
        return fail_field("base_url", "the Google Translate base URL must not have a query string");
    try {
        return std::make_shared<const GoogleTranslator>(config, url, parsed->host);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal,
                    fmt::format("cannot create the Google Translate client: {}", e.what()));
    }
}

} // namespace shiksha
