// libFuzzer target for the translation segmenter (libshiksha/src/translation/segmenter.cpp).
// The first byte of an input chooses the segment limit, the rest is the text. The plan must give
// the text back byte for byte; every translatable segment must be non-empty, valid UTF-8,
// within the limit, free of line breaks and of whitespace at either end, and contain a letter;
// literal parts never follow each other; reassembling with the segments themselves, or with
// them upper-cased, must give the text back (resp. the text with only those letters changed).
// The glossary side protects a few fixed terms in the text and restores them from the
// protected text itself, which must give the NFC text back.
//
// Input layout (see README.md): [limit] text...
#include "ingest/text.hpp"
#include "ingest/text_unicode.hpp"
#include "translation/segmenter.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace shiksha::detail;

namespace {

#define SHIKSHA_FUZZ_CHECK(cond)                                                                             \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "fuzz_segmenter: invariant failed at line %d: %s\n", __LINE__, #cond);      \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

// Small limits make the long-sentence and grapheme splitting run on short inputs.
constexpr std::array<std::size_t, 8> limits = {4500, 0, 1, 2, 3, 5, 8, 40};

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        if (unicode::next_code_point(s, i) == unicode::replacement_char &&
            s.substr(at, i - at) != "\xEF\xBF\xBD") {
            return false;
        }
    }
    return true;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++n)
        (void)unicode::next_code_point(s, i);
    return n;
}

char32_t first_code_point(std::string_view s) {
    std::size_t i = 0;
    return unicode::next_code_point(s, i);
}

char32_t last_code_point(std::string_view s) {
    std::size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        --start;
    return unicode::next_code_point(s, start);
}

bool has_letter(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (unicode::is_letter(unicode::next_code_point(s, i))) return true;
    }
    return false;
}

std::string ascii_upper(std::string s) {
    for (auto& c : s)
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return s;
}

const std::vector<GlossaryTerm> glossary = {
    {"NEP 2020", ""}, {"think-pair-share", "सोचो-जोड़ी बनाओ-साझा करो"}, {"a", "x"}, {"क", ""}, {"C++", "y"},
};

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t max = limits[data[0] % limits.size()];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

    const SegmentPlan plan = plan_segments(text, max);
    std::string joined;
    std::vector<std::string> upper;
    for (std::size_t i = 0; i < plan.parts.size(); ++i) {
        const auto& part = plan.parts[i];
        joined += part.text;
        SHIKSHA_FUZZ_CHECK(!part.text.empty());
        if (!part.translate) {
            SHIKSHA_FUZZ_CHECK(i == 0 || plan.parts[i - 1].translate);
            continue;
        }
        SHIKSHA_FUZZ_CHECK(valid_utf8(part.text));
        SHIKSHA_FUZZ_CHECK(code_points(part.text) <= (max == 0 ? 1 : max));
        SHIKSHA_FUZZ_CHECK(part.text.find('\n') == std::string::npos);
        SHIKSHA_FUZZ_CHECK(part.text.find('\r') == std::string::npos);
        SHIKSHA_FUZZ_CHECK(!unicode::is_space(first_code_point(part.text)));
        SHIKSHA_FUZZ_CHECK(!unicode::is_space(last_code_point(part.text)));
        SHIKSHA_FUZZ_CHECK(has_letter(part.text));
        upper.push_back(ascii_upper(part.text));
    }
    SHIKSHA_FUZZ_CHECK(joined == text);

    const auto same = reassemble(plan, plan.segments());
    SHIKSHA_FUZZ_CHECK(same.has_value() && *same == text);
    const auto shouted = reassemble(plan, upper);
    SHIKSHA_FUZZ_CHECK(shouted.has_value() && shouted->size() == text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        SHIKSHA_FUZZ_CHECK((*shouted)[i] == text[i] ||
                           ascii_upper(std::string(1, text[i]))[0] == (*shouted)[i]);
    }
    if (!upper.empty()) {
        upper.pop_back();
        SHIKSHA_FUZZ_CHECK(!reassemble(plan, upper).has_value());
    }

    // Placeholders round-trip when the "provider" returns the protected text untouched: with
    // keep-mode terms restoring gives exactly the NFC text back. A text that already holds a
    // placeholder-like "⟦n⟧" may clash with ours; restoring then fails as `unavailable` (the
    // caller's fallback), never with a wrong text.
    const std::string nfc = to_nfc(text);
    const bool may_clash = nfc.find("\u27E6") != std::string::npos;
    const std::vector<GlossaryTerm> keep = {{"NEP 2020", ""}, {"think-pair-share", ""}, {"a", ""}, {"क", ""}};
    const auto kept = protect_terms(text, keep);
    const auto restored = restore_terms(kept.text, kept);
    if (restored) {
        SHIKSHA_FUZZ_CHECK(*restored == nfc);
    } else {
        SHIKSHA_FUZZ_CHECK(may_clash && restored.error().code == shiksha::ErrorCode::unavailable);
    }
    const auto forced = protect_terms(text, glossary);
    SHIKSHA_FUZZ_CHECK(may_clash || restore_terms(forced.text, forced).has_value());
    const std::string key = memory_key_text(text);
    SHIKSHA_FUZZ_CHECK(memory_key_text(key) == key);
    return 0;
}
