#include "core/text.hpp"
#include "shiksha/delivery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace shiksha {

namespace {

constexpr std::size_t indian_digits = 10;
constexpr std::size_t e164_max_digits = 15;
constexpr std::size_t e164_min_digits = 8;

Error phone_error(std::string_view text, std::string_view why) {
    return Error::invalid("phone", fmt::format("'{}' is not a valid phone number: {}", text, why));
}

bool indian_mobile(std::string_view ten) {
    return ten.size() == indian_digits && ten.front() >= '6' && ten.front() <= '9';
}

/// The calling code at the start of `digits` among the extra codes (longest match), or "".
std::string_view extra_code(std::string_view digits, std::string_view extra) {
    std::string_view best;
    for (auto code : detail::split(extra, ',')) {
        code = detail::trim(code);
        if (!code.empty() && digits.starts_with(code) && code.size() > best.size()) best = code;
    }
    return best;
}

} // namespace

Result<std::string> normalize_phone(std::string_view text, std::string_view extra_country_codes) {
    const auto trimmed = detail::trim(text);
    if (trimmed.empty()) return std::unexpected(phone_error(text, "it is empty"));
    // Separators people write: spaces, dashes, dots, parentheses; one leading '+'.
    bool plus = false;
    std::string digits;
    for (std::size_t i = 0; i < trimmed.size(); ++i) {
        const char c = trimmed[i];
        if (c == '+' && i == 0) {
            plus = true;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            digits.push_back(c);
        } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
            return std::unexpected(
                phone_error(text, "only digits, spaces, dashes and a leading + are allowed"));
        }
    }
    if (!plus && digits.starts_with("00")) {
        plus = true; // international prefix
        digits.erase(0, 2);
    }
    if (!plus) {
        // National forms: 98765 43210, 098765 43210 (trunk 0), 91 98765 43210.
        if (digits.size() == indian_digits + 1 && digits.front() == '0') digits.erase(0, 1);
        if (digits.size() == indian_digits + 2 && digits.starts_with("91")) digits.erase(0, 2);
        if (!indian_mobile(digits))
            return std::unexpected(
                phone_error(text, "an Indian mobile number has ten digits starting with 6, 7, 8 or 9"));
        return "+91" + digits;
    }
    if (digits.starts_with("91")) {
        const std::string_view national = std::string_view(digits).substr(2);
        if (!indian_mobile(national))
            return std::unexpected(phone_error(
                text, "an Indian mobile number has ten digits starting with 6, 7, 8 or 9 after +91"));
        return "+" + digits;
    }
    const auto code = extra_code(digits, extra_country_codes);
    if (code.empty()) {
        return std::unexpected(phone_error(text, "only Indian (+91) numbers are accepted; add the country "
                                                 "code to SHIKSHA_WHATSAPP_COUNTRY_CODES"));
    }
    if (digits.size() < e164_min_digits || digits.size() > e164_max_digits)
        return std::unexpected(phone_error(text, "an international number has 8 to 15 digits"));
    return "+" + digits;
}

} // namespace shiksha
