#pragma once
/// The languages Shiksha-Setu works in: English and the Indian languages of the API contract.
///
///     const auto* hi = shiksha::find_language("Hindi");   // also "hindi", "hi"
///     hi->code;          // "hi"
///     hi->native_name;   // "हिंदी"
///
/// Keys are the contract's lower-case English names ("hindi"); codes are ISO 639-1.

#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

struct Language {
    std::string_view key;          ///< contract name: "english", "hindi"…
    std::string_view code;         ///< ISO 639-1: "en", "hi"…
    std::string_view english_name; ///< "Hindi"
    std::string_view native_name;  ///< "हिंदी"
    std::string_view script;       ///< ISO 15924 name: "Latin", "Devanagari", "Arabic"…
    bool right_to_left = false;
    std::string_view label;       ///< as the original frontend shows it: "हिंदी (Hindi)"
    std::string_view font_family; ///< what the PDF exporter sets it in: "Noto Sans Devanagari"
    bool in_contract = true;      ///< one of the twelve names the original frontend offers
};

/// English first, then the order of `GET /api/modules/languages` in the contract, then the
/// languages the contract does not list (Assamese: `in_contract` false).
[[nodiscard]] const std::vector<Language>& supported_languages();

/// "english, hindi, …" — every key, for error messages.
[[nodiscard]] std::string supported_language_list();

/// By key, code or English name, case-insensitive, surrounding spaces ignored; nullptr when
/// unknown.
[[nodiscard]] const Language* find_language(std::string_view name_or_code);

} // namespace shiksha
