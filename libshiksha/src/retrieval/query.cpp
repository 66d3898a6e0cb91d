#include "retrieval/query.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace shiksha::detail {

namespace {

constexpr std::size_t max_terms = 32;

// Sorted: looked up with binary search.
constexpr auto stop_words = std::to_array<std::string_view>({
    "a",
    "about",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "may",
    "more",
    "most",
    "my",
    "no",
    "not",
    "of",
    "on",
    "or",
    "our",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    // Hindi (UTF-8 byte order, which is code point order)
    "और",
    "एक",
    "कर",
    "का",
    "कि",
    "किया",
    "की",
    "कुछ",
    "के",
    "को",
    "गया",
    "जो",
    "तक",
    "तो",
    "था",
    "थी",
    "थे",
    "दिया",
    "द्वारा",
    "न",
    "नहीं",
    "ने",
    "पर",
    "फिर",
    "भी",
    "में",
    "यदि",
    "यह",
    "या",
    "रहा",
    "लिए",
    "वह",
    "वे",
    "सकता",
    "से",
    "हुआ",
    "है",
    "हैं",
    "हो",
});

} // namespace

bool is_stop_word(std::string_view w) {
    static const auto sorted = [] {
        auto copy = stop_words;
        std::sort(copy.begin(), copy.end());
        return copy;
    }();
    return std::binary_search(sorted.begin(), sorted.end(), w);
}

std::vector<std::string> query_terms(std::string_view text) {
    std::vector<std::string> terms;
    std::string word;
    auto flush = [&] {
        if (!word.empty() && std::find(terms.begin(), terms.end(), word) == terms.end())
            terms.push_back(word);
        word.clear();
    };
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const auto len = static_cast<int32_t>(text.size());
    int32_t i = 0;
    while (i < len) {
        UChar32 c = 0;
        U8_NEXT(s, i, len, c);
        // u_charType returns int8_t; mixing it with the enum in ?: is -Wextra's enum/non-enum warning.
        const auto type = c < 0 ? static_cast<std::int8_t>(U_UNASSIGNED) : u_charType(c);
        const bool part = c >= 0 && (u_isalnum(c) || type == U_NON_SPACING_MARK ||
                                     type == U_COMBINING_SPACING_MARK || c == 0x200C || c == 0x200D);
        if (!part) {
            flush();
            continue;
        }
        c = u_tolower(c);
        char buf[4];
        int32_t n = 0;
        U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(buf), n, c);
        word.append(buf, static_cast<std::size_t>(n));
    }
    flush();
    return terms;
}

std::string fts_match_expression(std::string_view text) {
    auto terms = query_terms(text);
    std::vector<std::string> kept;
    for (const auto& t : terms) {
        if (!is_stop_word(t)) kept.push_back(t);
    }
    if (kept.empty()) kept = terms; // "the" alone still searches for "the"
    if (kept.size() > max_terms) kept.resize(max_terms);
    std::string out;
    for (const auto& t : kept) {
        if (!out.empty()) out += " OR ";
        out += '"';
        for (char c : t) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    return out;
}

} // namespace shiksha::detail
