#pragma once
// Code-point helpers shared by the ingest/text*.cpp files (internal to ingestion). Character
// properties come from ICU; nothing here is a hand-written Unicode table.

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shiksha::detail::unicode {

inline constexpr char32_t replacement_char = 0xFFFD;
inline constexpr char32_t zwnj = 0x200C;
inline constexpr char32_t zwj = 0x200D;
inline constexpr char32_t soft_hyphen = 0x00AD;

/// Decodes the code point starting at byte `i` and moves `i` past it. Ill-formed bytes decode
/// as U+FFFD (one per maximal ill-formed subsequence, as ICU does).
inline char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
    UChar32 c = 0;
    const std::size_t length = s.size();
    U8_NEXT_OR_FFFD(s.data(), i, length, c);
    return static_cast<char32_t>(c);
}

/// Appends `c` to `out` as UTF-8.
inline void append_utf8(std::string& out, char32_t c) {
    char buf[U8_MAX_LENGTH];
    std::size_t n = 0;
    UBool error = false;
    U8_APPEND(buf, n, sizeof buf, static_cast<UChar32>(c), error);
    if (error) {
        out += "\xEF\xBF\xBD";
        return;
    }
    out.append(buf, n);
}

inline UChar32 icu(char32_t c) noexcept {
    return static_cast<UChar32>(c);
}

inline bool is_letter(char32_t c) noexcept {
    return u_isalpha(icu(c)) != 0;
}
inline bool is_mark(char32_t c) noexcept {
    return (U_GET_GC_MASK(icu(c)) & U_GC_M_MASK) != 0;
}
inline bool is_digit(char32_t c) noexcept {
    return u_isdigit(icu(c)) != 0;
}
inline bool is_lower(char32_t c) noexcept {
    return u_islower(icu(c)) != 0;
}
inline bool is_upper(char32_t c) noexcept {
    return u_isupper(icu(c)) != 0;
}
/// Unicode White_Space (includes NBSP, the U+2000 spaces and line separators).
inline bool is_space(char32_t c) noexcept {
    return u_isUWhiteSpace(icu(c)) != 0;
}

inline UScriptCode script_of(char32_t c) noexcept {
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode s = uscript_getScript(icu(c), &status);
    return U_SUCCESS(status) ? s : USCRIPT_INVALID_CODE;
}

/// The Brahmic scripts of India (and Sinhala) whose orthography we check: vowel signs and
/// viramas attach to a consonant.
inline bool is_indic_script(UScriptCode s) noexcept {
    switch (s) {
    case USCRIPT_DEVANAGARI:
    case USCRIPT_BENGALI:
    case USCRIPT_GURMUKHI:
    case USCRIPT_GUJARATI:
    case USCRIPT_ORIYA:
    case USCRIPT_TAMIL:
    case USCRIPT_TELUGU:
    case USCRIPT_KANNADA:
    case USCRIPT_MALAYALAM:
    case USCRIPT_SINHALA: return true;
    default: return false;
    }
}

inline int indic_category(char32_t c) noexcept {
    return u_getIntPropertyValue(icu(c), UCHAR_INDIC_SYLLABIC_CATEGORY);
}
inline bool is_consonant(char32_t c) noexcept {
    return indic_category(c) == U_INSC_CONSONANT;
}
/// Canonical combining class 9 is exactly the set of viramas (halant, pulli, chandrakkala...).
inline bool is_virama(char32_t c) noexcept {
    return u_getCombiningClass(icu(c)) == 9;
}

} // namespace shiksha::detail::unicode
