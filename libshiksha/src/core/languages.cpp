#include "shiksha/languages.hpp"

#include "core/text.hpp"

namespace shiksha {

const std::vector<Language>& supported_languages() {
    // Order of GET /api/modules/languages in the API contract (§5).
    static const std::vector<Language> languages = {
        {"english", "en", "English", "English", "Latin", false, "English", "Noto Sans"},
        {"hindi", "hi", "Hindi", "हिंदी", "Devanagari", false, "हिंदी (Hindi)", "Noto Sans Devanagari"},
        {"marathi", "mr", "Marathi", "मराठी", "Devanagari", false, "मराठी (Marathi)", "Noto Sans Devanagari"},
        {"bengali", "bn", "Bengali", "বাংলা", "Bengali", false, "বাংলা (Bengali)", "Noto Sans Bengali"},
        {"tamil", "ta", "Tamil", "தமிழ்", "Tamil", false, "தமிழ் (Tamil)", "Noto Sans Tamil"},
        {"telugu", "te", "Telugu", "తెలుగు", "Telugu", false, "తెలుగు (Telugu)", "Noto Sans Telugu"},
        {"gujarati", "gu", "Gujarati", "ગુજરાતી", "Gujarati", false, "ગુજરાતી (Gujarati)",
         "Noto Sans Gujarati"},
        {"kannada", "kn", "Kannada", "ಕನ್ನಡ", "Kannada", false, "ಕನ್ನಡ (Kannada)", "Noto Sans Kannada"},
        {"malayalam", "ml", "Malayalam", "മലയാളം", "Malayalam", false, "മലയാളം (Malayalam)",
         "Noto Sans Malayalam"},
        {"punjabi", "pa", "Punjabi", "ਪੰਜਾਬੀ", "Gurmukhi", false, "ਪੰਜਾਬੀ (Punjabi)", "Noto Sans Gurmukhi"},
        {"odia", "or", "Odia", "ଓଡ଼ିଆ", "Oriya", false, "ଓଡ଼ିଆ (Odia)", "Noto Sans Oriya"},
        {"urdu", "ur", "Urdu", "اردو", "Arabic", true, "اردو (Urdu)", "Noto Naskh Arabic"},
        {"assamese", "as", "Assamese", "অসমীয়া", "Bengali", false, "অসমীয়া (Assamese)", "Noto Sans Bengali",
         false},
    };
    return languages;
}

std::string supported_language_list() {
    std::string out;
    for (const auto& l : supported_languages())
        out += (out.empty() ? "" : ", ") + std::string(l.key);
    return out;
}

const Language* find_language(std::string_view name_or_code) {
    const auto wanted = detail::trim(name_or_code);
    for (const auto& l : supported_languages()) {
        if (detail::iequals_ascii(wanted, l.key) || detail::iequals_ascii(wanted, l.code) ||
            detail::iequals_ascii(wanted, l.english_name) ||
            (l.key == "odia" && detail::iequals_ascii(wanted, "oriya"))) {
            return &l;
        }
    }
    return nullptr;
}

} // namespace shiksha
