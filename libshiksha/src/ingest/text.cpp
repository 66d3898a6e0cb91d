// Unicode normalisation and grapheme segmentation (ICU), page clean-up, running headers and
// section headings. The text-layer checks live in text_quality.cpp, sentences and chunks in
// chunker.cpp.
#include "ingest/text.hpp"

#include "core/text.hpp"
#include "ingest/text_unicode.hpp"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>

namespace shiksha::detail {

namespace uc = unicode;

// ---- Unicode ------------------------------------------------------------------------------

std::string to_nfc(std::string_view utf8) {
    if (std::ranges::all_of(utf8, [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        return std::string(utf8); // ASCII is always NFC
    }
    // fromUTF8 turns every ill-formed sequence into U+FFFD, which is the contract. ICU strings
    // hold at most 2^31-1 units; page texts (from PDFs of a few MB) are far below that.
    const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(std::min<std::size_t>(utf8.size(), INT32_MAX))));
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    std::string out;
    if (U_FAILURE(status)) {
        // ICU's data is missing: keep the text (with ill-formed bytes replaced) rather than lose it.
        source.toUTF8String(out);
        return out;
    }
    const icu::UnicodeString normalized = nfc->normalize(source, status);
    (U_SUCCESS(status) ? normalized : source).toUTF8String(out);
    return out;
}

namespace {

/// ICU's character break iterator is costly to create (rule data lookup), so each thread keeps
/// one; the functions stay pure and thread-safe.
icu::BreakIterator* grapheme_iterator() {
    thread_local std::unique_ptr<icu::BreakIterator> it = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::BreakIterator> bi(
            icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status)) bi.reset();
        return bi;
    }();
    return it.get();
}

} // namespace

std::vector<std::size_t> grapheme_boundaries(std::string_view utf8) {
    std::vector<std::size_t> out;
    out.reserve(utf8.size() / 2 + 2);
    icu::BreakIterator* bi = grapheme_iterator();
    UErrorCode status = U_ZERO_ERROR;
    UText* ut =
        bi ? utext_openUTF8(nullptr, utf8.data(), static_cast<int64_t>(utf8.size()), &status) : nullptr;
    if (bi && ut && U_SUCCESS(status)) {
        bi->setText(ut, status);
        if (U_SUCCESS(status)) {
            // UText over UTF-8 reports native (byte) offsets.
            for (int32_t b = bi->first(); b != icu::BreakIterator::DONE; b = bi->next()) {
                out.push_back(static_cast<std::size_t>(b));
            }
        }
    }
    // The iterator keeps a shallow clone pointing into `utf8`; the next call replaces it before
    // any use, so closing our UText here is enough.
    if (ut) utext_close(ut);
    if (out.empty() || out.back() != utf8.size()) {
        // No ICU iterator: fall back to code points, which never split a code point either.
        out.clear();
        for (std::size_t i = 0; i < utf8.size();) {
            out.push_back(i);
            (void)uc::next_code_point(utf8, i);
        }
        out.push_back(utf8.size());
    }
    return out;
}

// ---- Pages ----------------------------------------------------------------------------------

namespace {

/// Layout whitespace becomes one space, soft hyphens go (one at the very end is kept for the
/// hyphen join and dropped there), and each line of a multi-line text is trimmed. Runs of blank
/// lines inside the text shrink to one.
std::string clean_line_text(std::string_view raw) {
    const std::string nfc = to_nfc(raw);
    std::string out;
    out.reserve(nfc.size());
    bool pending_space = false;
    int pending_newlines = 0;
    for (std::size_t i = 0; i < nfc.size();) {
        const char32_t c = uc::next_code_point(nfc, i);
        if (c == '\n' || c == 0x2028 || c == 0x2029) {
            ++pending_newlines;
            pending_space = false;
            continue;
        }
        if (c == uc::soft_hyphen) {
            // Keep it only when nothing but whitespace follows: it marks a hyphenated line end.
            std::size_t j = i;
            bool rest_blank = true;
            while (j < nfc.size()) {
                if (!uc::is_space(uc::next_code_point(nfc, j))) {
                    rest_blank = false;
                    break;
                }
            }
            if (rest_blank && !out.empty()) uc::append_utf8(out, c);
            continue;
        }
        if (uc::is_space(c)) {
            pending_space = true;
            continue;
        }
        if (!out.empty()) {
            if (pending_newlines > 0) {
                out += pending_newlines > 1 ? "\n\n" : "\n";
            } else if (pending_space) {
                out += ' ';
            }
        }
        pending_space = false;
        pending_newlines = 0;
        uc::append_utf8(out, c);
    }
    return out;
}

/// The last code point of `s` and where it starts (s must not be empty).
std::pair<char32_t, std::size_t> last_code_point(std::string_view s) {
    std::size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        --start;
    std::size_t i = start;
    return {uc::next_code_point(s, i), start};
}

char32_t first_code_point(std::string_view s) {
    std::size_t i = 0;
    return s.empty() ? 0 : uc::next_code_point(s, i);
}

bool is_line_end_hyphen(char32_t c) {
    return c == '-' || c == 0x2010 || c == uc::soft_hyphen;
}

/// Removes a trailing soft hyphen that did not lead to a join.
void drop_trailing_soft_hyphen(std::string& s) {
    if (s.empty()) return;
    const auto [c, at] = last_code_point(s);
    if (c == uc::soft_hyphen) s.erase(at);
}

/// When `prev` ends in a hyphen that splits a word continued on `next`, joins them into prev.
bool join_hyphenated(std::string& prev, const std::string& next) {
    if (prev.empty() || next.empty()) return false;
    const auto [hyphen, at] = last_code_point(prev);
    if (!is_line_end_hyphen(hyphen) || at == 0) return false;
    const char32_t before = last_code_point(std::string_view(prev).substr(0, at)).first;
    if (!uc::is_letter(before)) return false; // "2-" + "3" is a range, not a split word
    const char32_t first = first_code_point(next);
    const bool continues = hyphen == uc::soft_hyphen ? uc::is_letter(first) : uc::is_lower(first);
    if (!continues) return false;
    prev.erase(at);
    prev += next;
    return true;
}

} // namespace

void clean_page(PageContent& page) {
    std::vector<TextLine> kept;
    kept.reserve(page.lines.size());
    bool gap = false;
    for (auto& line : page.lines) {
        std::string text = clean_line_text(line.text);
        if (text.empty()) {
            gap = true;
            continue;
        }
        line.text = std::move(text);
        line.gap_before = !kept.empty() && (line.gap_before || gap);
        gap = false;
        if (!kept.empty() && !line.gap_before && join_hyphenated(kept.back().text, line.text)) continue;
        if (!kept.empty()) drop_trailing_soft_hyphen(kept.back().text);
        kept.push_back(std::move(line));
    }
    if (!kept.empty()) drop_trailing_soft_hyphen(kept.back().text);
    page.lines = std::move(kept);
}

namespace {

/// A whole word that is a well-formed roman numeral (i, iv, XII, mcmxc...), any case.
bool is_roman_numeral(std::string_view w) {
    if (w.empty()) return false;
    std::string u;
    for (char c : w) {
        const char up = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
        if (std::string_view("IVXLCDM").find(up) == std::string_view::npos) return false;
        u += up;
    }
    // Standard form: thousands, hundreds, tens, units, each from its own small set.
    std::string_view rest = u;
    auto eat = [&rest](std::initializer_list<std::string_view> options) {
        for (auto o : options) { // longest first
            if (rest.starts_with(o)) {
                rest.remove_prefix(o.size());
                return;
            }
        }
    };
    eat({"MMM", "MM", "M"});
    eat({"CM", "CD", "DCCC", "DCC", "DC", "D", "CCC", "CC", "C"});
    eat({"XC", "XL", "LXXX", "LXX", "LX", "L", "XXX", "XX", "X"});
    eat({"IX", "IV", "VIII", "VII", "VI", "V", "III", "II", "I"});
    return rest.empty();
}

/// The line as a running-header key: lower-case, digit runs (any script) and roman-numeral
/// words replaced by '#', spaces collapsed. "Page 3" and "Page iv" both become "page #".
std::string header_key(std::string_view line) {
    std::string out;
    std::string word; // the current ASCII-letter run, held back to test for a roman numeral
    bool last_was_digit = false;
    auto flush_word = [&] {
        if (word.empty()) return;
        if (is_roman_numeral(word)) {
            if (out.empty() || out.back() != '#') out += '#';
        } else {
            for (char c : word)
                out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        }
        word.clear();
    };
    for (std::size_t i = 0; i < line.size();) {
        const char32_t c = uc::next_code_point(line, i);
        if (c < 0x80 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            word += static_cast<char>(c);
            last_was_digit = false;
            continue;
        }
        flush_word();
        if (uc::is_digit(c)) {
            if (!last_was_digit) out += '#';
            last_was_digit = true;
            continue;
        }
        last_was_digit = false;
        if (uc::is_space(c)) {
            if (!out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        uc::append_utf8(out, static_cast<char32_t>(u_tolower(uc::icu(c))));
    }
    flush_word();
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

bool is_edge_line(std::size_t index, std::size_t count, std::size_t edge_lines) {
    return index < edge_lines || index + edge_lines >= count;
}

} // namespace

std::size_t remove_running_headers(std::vector<PageContent>& pages, double min_fraction,
                                   std::size_t edge_lines, std::vector<std::string>* titles) {
    if (pages.size() < 3) return 0;
    // Where a line sits, as a key: its text key and its height on the page in 4 pt steps.
    // Both neighbouring steps are counted so that 2 pt of jitter across a step still matches.
    auto placed_keys = [](const TextLine& line, const std::string& key) {
        std::vector<std::string> out;
        if (line.top <= 0 && line.bottom <= 0) return out; // no geometry (OCR)
        const long step = std::lround(line.top / 4.0);
        for (long s : {step - 1, step, step + 1})
            out.push_back(key + "@" + std::to_string(s));
        return out;
    };
    std::map<std::string, std::size_t> pages_with_key, pages_with_place;
    for (const auto& page : pages) {
        std::set<std::string> seen, places;
        for (std::size_t i = 0; i < page.lines.size(); ++i) {
            std::string key = header_key(page.lines[i].text);
            if (key.empty()) continue;
            for (auto& p : placed_keys(page.lines[i], key))
                places.insert(std::move(p));
            if (is_edge_line(i, page.lines.size(), edge_lines) || page.lines[i].rotated)
                seen.insert(std::move(key));
        }
        for (const auto& key : seen)
            ++pages_with_key[key];
        for (const auto& key : places)
            ++pages_with_place[key];
    }
    const auto at_least = [&](double fraction) {
        return std::max<std::size_t>(3, static_cast<std::size_t>(std::ceil(
                                            std::max(0.0, fraction) * static_cast<double>(pages.size()))));
    };
    const std::size_t needed = at_least(min_fraction);
    const std::size_t needed_in_place = at_least(std::min(min_fraction, 0.3));
    auto is_furniture = [&](const TextLine& line, bool edge) {
        const std::string key = header_key(line.text);
        if (key.empty()) return false;
        if (edge || line.rotated) {
            const auto it = pages_with_key.find(key);
            if (it != pages_with_key.end() && it->second >= needed) return true;
        }
        const auto places = placed_keys(line, key);
        if (places.empty()) return false;
        const auto it = pages_with_place.find(places[1]);
        return it != pages_with_place.end() && it->second >= needed_in_place;
    };
    std::set<std::string> titled;
    std::size_t removed = 0;
    for (auto& page : pages) {
        std::vector<TextLine> kept;
        kept.reserve(page.lines.size());
        bool gap = false;
        for (std::size_t i = 0; i < page.lines.size(); ++i) {
            auto& line = page.lines[i];
            if (is_furniture(line, edge_lines > 0 && is_edge_line(i, page.lines.size(), edge_lines))) {
                ++removed;
                gap = gap || line.gap_before;
                std::size_t letters = 0;
                for (std::size_t k = 0; k < line.text.size();) {
                    letters += uc::is_letter(uc::next_code_point(line.text, k)) ? 1 : 0;
                }
                if (titles && letters >= 2 && titled.insert(header_key(line.text)).second)
                    titles->push_back(line.text);
                continue;
            }
            line.gap_before = !kept.empty() && (line.gap_before || gap);
            gap = false;
            kept.push_back(std::move(line));
        }
        page.lines = std::move(kept);
    }
    return removed;
}

namespace {

/// A change of type between two lines, which is where a heading meets body text.
bool type_changes(const TextLine& a, const TextLine& b) {
    if (a.bold != b.bold) return true;
    if (a.font_size <= 0 || b.font_size <= 0) return false;
    const double big = std::max(a.font_size, b.font_size), small = std::min(a.font_size, b.font_size);
    return big >= small * 1.15;
}

} // namespace

std::string page_text(const PageContent& page) {
    std::string out;
    const TextLine* previous = nullptr;
    bool gap = false;
    for (const auto& line : page.lines) {
        if (line.text.find_first_not_of(" \t\r\n") == std::string::npos) {
            gap = true;
            continue;
        }
        if (previous) out += (gap || line.gap_before || type_changes(*previous, line)) ? "\n\n" : "\n";
        out += line.text;
        previous = &line;
        gap = false;
    }
    return out;
}

// ---- Sections -------------------------------------------------------------------------------

double body_font_size(std::span<const PageContent> pages) {
    // Sizes are bucketed to 0.1 pt so that 10.98 and 11.0 from one font count together.
    std::map<long, std::size_t> chars_by_size;
    for (const auto& page : pages) {
        for (const auto& line : page.lines) {
            if (line.font_size <= 0) continue;
            std::size_t n = 0;
            for (std::size_t i = 0; i < line.text.size();) {
                if (!uc::is_space(uc::next_code_point(line.text, i))) ++n;
            }
            chars_by_size[std::lround(line.font_size * 10)] += n;
        }
    }
    long best = 0;
    std::size_t best_chars = 0;
    for (auto [size, n] : chars_by_size) { // ascending, so a tie goes to the smaller size
        if (n > best_chars) best = size, best_chars = n;
    }
    return best_chars == 0 ? 0.0 : static_cast<double>(best) / 10.0;
}

namespace {

std::vector<std::string_view> words_of(std::string_view s) {
    std::vector<std::string_view> words;
    std::size_t start = std::string_view::npos;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        const bool space = uc::is_space(uc::next_code_point(s, i));
        if (space && start != std::string_view::npos) {
            words.push_back(s.substr(start, at - start));
            start = std::string_view::npos;
        } else if (!space && start == std::string_view::npos) {
            start = at;
        }
    }
    if (start != std::string_view::npos) words.push_back(s.substr(start));
    return words;
}

std::string_view strip_trailing(std::string_view w, std::string_view chars) {
    while (!w.empty() && chars.find(w.back()) != std::string_view::npos)
        w.remove_suffix(1);
    return w;
}

/// "4", "४", "IV", "iv", "2:" — a chapter number in any script's digits or in roman numerals.
bool is_number_word(std::string_view w) {
    w = strip_trailing(w, ".:)-");
    if (w.empty()) return false;
    if (is_roman_numeral(w)) return true;
    for (std::size_t i = 0; i < w.size();) {
        if (!uc::is_digit(uc::next_code_point(w, i))) return false;
    }
    return true;
}

/// "2.3", "4.1.2", "२.३" (optionally with a final '.'): decimal section numbering.
bool is_decimal_section_number(std::string_view w) {
    if (!w.empty() && w.back() == '.') w.remove_suffix(1);
    int groups = 0;
    bool in_digits = false;
    for (std::size_t i = 0; i < w.size();) {
        const char32_t c = uc::next_code_point(w, i);
        if (uc::is_digit(c)) {
            if (!in_digits) ++groups;
            in_digits = true;
        } else if (c == '.' && in_digits) {
            in_digits = false;
        } else {
            return false;
        }
    }
    return in_digits && groups >= 2;
}

/// Words that introduce a chapter-level unit in our manuals' languages.
bool is_chapter_word(std::string_view w) {
    static constexpr std::string_view latin[] = {"chapter", "unit", "module", "lesson", "part"};
    static constexpr std::string_view indic[] = {"अध्याय", "इकाई", "पाठ", "भाग", "प्रकरण", "অধ্যায়"};
    const std::string lower = [&] {
        std::string s;
        for (char c : w)
            s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        return s;
    }();
    if (std::ranges::find(latin, std::string_view(lower)) != std::end(latin)) return true;
    const std::string nfc = to_nfc(w);
    return std::ranges::any_of(indic, [&](std::string_view k) { return to_nfc(k) == nfc; });
}

bool has_letter(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (uc::is_letter(uc::next_code_point(s, i))) return true;
    }
    return false;
}

/// No lower-case letter at all, and at least one word of two or more Latin letters, all capitals.
bool is_all_caps(std::span<const std::string_view> words) {
    bool caps_word = false;
    for (auto w : words) {
        std::size_t latin_letters = 0;
        for (std::size_t i = 0; i < w.size();) {
            const char32_t c = uc::next_code_point(w, i);
            if (uc::is_lower(c)) return false;
            if (uc::is_letter(c) && uc::script_of(c) == USCRIPT_LATIN) ++latin_letters;
        }
        if (latin_letters >= 2) caps_word = true;
    }
    return caps_word;
}

} // namespace

int heading_level(const TextLine& line, double body_font_size) {
    constexpr std::size_t max_heading_words = 12;
    constexpr double larger_type = 1.15;         // ≥ 15 % above body size reads as a heading
    constexpr double same_size_tolerance = 0.98; // sizes are rounded by the reader

    const std::string_view text = trim(line.text);
    if (text.empty() || !has_letter(text)) return 0;
    if (text.ends_with('.') || text.ends_with(',') || text.ends_with("।")) return 0;
    const auto words = words_of(text);
    if (words.empty() || words.size() > max_heading_words) return 0;

    if (words.size() >= 2 && is_chapter_word(strip_trailing(words[0], ":")) && is_number_word(words[1]))
        return 1;
    const bool sized = line.font_size > 0 && body_font_size > 0;
    if (sized && line.font_size >= body_font_size * larger_type) return 1;
    // "2.3 Activities" but not "12.5 kg": section titles start with a capital (or a caseless script).
    if (words.size() >= 2 && is_decimal_section_number(words[0]) && has_letter(words[1]) &&
        !uc::is_lower(first_code_point(words[1]))) {
        return 2;
    }
    if (line.bold && (!sized || line.font_size >= body_font_size * same_size_tolerance)) return 2;
    if (is_all_caps(words)) return 2;
    return 0;
}

const char* to_string(TextVerdict verdict) noexcept {
    switch (verdict) {
    case TextVerdict::readable: return "readable";
    case TextVerdict::empty: return "empty";
    case TextVerdict::legacy_font: return "legacy_font";
    case TextVerdict::broken_unicode: return "broken_unicode";
    case TextVerdict::garbage: return "garbage";
    }
    return "unknown";
}

} // namespace shiksha::detail
