#include "shiksha/languages.hpp"

#include "core/text.hpp"

namespace shiksha {

const std::vector<Language>& supported_languages() {
    // Order of GET /api/modules/languages in the API contract (§5).
    static const std::vector<Language> languages = {
        {"english", "en", "English", "English", "Latin", false, "English"},
        {"hindi", "hi", "Hindi", "हिंदी", "Devanagari", false, "हिंदी (Hindi)"},
        {"marathi", "mr", "Marathi", "मराठी", "Devanagari", false, "मराठी (Marathi)"},
        {"bengali", "bn", "Bengali", "বাংলা", "Bengali", false, "বাংলা (Bengali)"},
        {"tamil", "ta", "Tamil", "தமிழ்", "Tamil", false, "தமிழ் (Tamil)"},
        {"telugu", "te", "Telugu", "తెలుగు", "Telugu", false, "తెలుగు (Telugu)"},
        {"gujarati", "gu", "Gujarati", "ગુજરાતી", "Gujarati", false, "ગુજરાતી (Gujarati)"},
        {"kannada", "kn", "Kannada", "ಕನ್ನಡ", "Kannada", false, "ಕನ್ನಡ (Kannada)"},
        {"malayalam", "ml", "Malayalam", "മലയാളം", "Malayalam", false, "മലയാളം (Malayalam)"},
        {"punjabi", "pa", "Punjabi", "ਪੰਜਾਬੀ", "Gurmukhi", false, "ਪੰਜਾਬੀ (Punjabi)"},
        {"odia", "or", "Odia", "ଓଡ଼ିଆ", "Oriya", false, "ଓଡ଼ିଆ (Odia)"},
        {"urdu", "ur", "Urdu", "اردو", "Arabic", true, "اردو (Urdu)"},
    };
    return languages;
}

const Language* find_language(std::string_view name_or_code) {
    const auto wanted = detail::trim(name_or_code);
    for (const auto& l : supported_languages()) {
        if (detail::iequals_ascii(wanted, l.key) || detail::iequals_ascii(wanted, l.code) ||
            detail::iequals_ascii(wanted, l.english_name)) {
            return &l;
        }
    }
    return nullptr;
}

} // namespace shiksha
