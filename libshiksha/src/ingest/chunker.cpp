// Sentences, the token budget and chunking. Splits never fall inside a grapheme cluster: a
// cut inside "क्षि" would leave a dangling virama or vowel sign in two chunks.
#include "ingest/text.hpp"

#include "ingest/text_unicode.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace shiksha::detail {

namespace uc = unicode;

// ---- Sentences -----------------------------------------------------------------------------------

namespace {

constexpr char32_t danda = 0x0964, double_danda = 0x0965, urdu_full_stop = 0x06D4, arabic_question = 0x061F;

bool is_terminator(char32_t c) {
    return c == '.' || c == '?' || c == '!' || c == danda || c == double_danda || c == urdu_full_stop ||
           c == arabic_question;
}

bool is_closer(char32_t c) {
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x2019 || c == 0x201D || c == 0xBB;
}

std::string_view trim_space(std::string_view s) {
    std::size_t b = 0;
    while (b < s.size()) {
        std::size_t i = b;
        if (!uc::is_space(uc::next_code_point(s, i))) break;
        b = i;
    }
    std::size_t e = s.size();
    while (e > b) {
        std::size_t start = e - 1;
        while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
            --start;
        std::size_t i = start;
        if (!uc::is_space(uc::next_code_point(s, i))) break;
        e = start;
    }
    return s.substr(b, e - b);
}

std::string ascii_lower_copy(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
}

/// Abbreviations that take a full stop mid-sentence (compared lower-case, without the dot).
bool is_abbreviation(std::string_view word) {
    static constexpr std::array<std::string_view, 35> words{
        "dr",  "mr",  "mrs",  "ms",   "prof", "st",  "sr",  "jr",  "smt", "shri", "fig", "figs",
        "no",  "nos", "vol",  "eq",   "eqs",  "ch",  "sec", "pp",  "p",   "vs",   "cf",  "approx",
        "viz", "al",  "govt", "dept", "ex",   "ref", "sl",  "art", "e.g", "i.e",  "ca"};
    const std::string lower = ascii_lower_copy(word);
    return std::ranges::find(words, std::string_view(lower)) != words.end();
}

bool is_list_marker(std::string_view word) {
    if (word.empty() || word.size() > 4) return false;
    const bool digits = std::ranges::all_of(word, [](char c) { return c >= '0' && c <= '9'; });
    const bool roman = std::ranges::all_of(
        word, [](char c) { return std::string_view("ivxIVX").find(c) != std::string_view::npos; });
    const bool letter =
        word.size() == 1 && ((word[0] >= 'a' && word[0] <= 'z') || (word[0] >= 'A' && word[0] <= 'Z'));
    return digits || roman || letter;
}

/// "e.g", "U.S", "A" (an initial): single letters separated by dots.
bool is_initials(std::string_view word) {
    std::size_t run = 0;
    for (char c : word) {
        if (c == '.') {
            if (run != 1) return false;
            run = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            ++run;
        } else {
            return false;
        }
    }
    return run == 1;
}

/// The next word starts with a lower-case letter: "approx. three", "etc. and", "'Why?' she asked".
bool next_word_is_lower_case(std::string_view text, std::size_t end) {
    while (end < text.size()) {
        const char32_t c = uc::next_code_point(text, end);
        if (!uc::is_space(c)) return uc::is_lower(c);
    }
    return false;
}

/// Whether the '.' at `dot` ends an abbreviation, initials or a list number rather than a sentence.
bool dot_continues_sentence(std::string_view text, std::size_t dot) {
    std::size_t word_start = dot;
    while (word_start > 0 && text[word_start - 1] != ' ' && text[word_start - 1] != '\n' &&
           text[word_start - 1] != '\t') {
        --word_start;
    }
    std::string_view word = text.substr(word_start, dot - word_start);
    while (!word.empty() && (word.front() == '(' || word.front() == '"' || word.front() == '\''))
        word.remove_prefix(1);
    if (word.empty()) return false;
    if (is_abbreviation(word) || is_initials(word)) return true;
    std::size_t line_start = word_start;
    while (line_start > 0 && (text[line_start - 1] == ' ' || text[line_start - 1] == '\t'))
        --line_start;
    const bool first_on_line = line_start == 0 || text[line_start - 1] == '\n';
    return first_on_line && is_list_marker(word); // "1. Take a beaker", "iv. Observe"
}

} // namespace

std::vector<std::string_view> split_sentences(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    auto emit = [&](std::size_t end) {
        const auto s = trim_space(text.substr(start, end - start));
        if (!s.empty()) out.push_back(s);
        start = end;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t at = i;
        const char32_t c = uc::next_code_point(text, i);
        if (c == '\n') {
            std::size_t j = i;
            while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
                ++j;
            if (j < text.size() && text[j] == '\n') { // a blank line ends the paragraph
                emit(at);
                i = j;
            }
            continue;
        }
        if (!is_terminator(c)) continue;
        std::size_t end = i;
        bool only_dots = c == '.';
        while (end < text.size()) {
            std::size_t k = end;
            const char32_t d = uc::next_code_point(text, k);
            if (!is_terminator(d) && !is_closer(d)) break;
            if (is_terminator(d) && d != '.') only_dots = false;
            end = k;
        }
        bool ends = true;
        if (c == danda || c == double_danda || c == urdu_full_stop) {
            ends = true; // unambiguous, even without a following space
        } else if (end < text.size()) {
            std::size_t k = end;
            ends = uc::is_space(uc::next_code_point(text, k)); // "2.3", "www.x.in", "a.b" go on
        }
        const bool latin_stop = c == '.' || c == '?' || c == '!';
        if (ends && latin_stop && next_word_is_lower_case(text, end)) ends = false;
        if (ends && only_dots && dot_continues_sentence(text, at)) ends = false;
        if (ends) emit(end);
        i = end;
    }
    emit(text.size());
    return out;
}

// ---- Tokens ----------------------------------------------------------------------------------------

namespace {

bool is_word_char(char32_t c) {
    return uc::is_letter(c) || uc::is_mark(c) || uc::is_digit(c) || c == uc::zwj || c == uc::zwnj;
}

bool is_latin_char(char32_t c) {
    if (!uc::is_letter(c) && !uc::is_mark(c) && !uc::is_digit(c)) return true;
    const UScriptCode s = uc::script_of(c);
    return s == USCRIPT_LATIN || s == USCRIPT_COMMON || s == USCRIPT_INHERITED;
}

std::size_t ceil_div(std::size_t a, std::size_t b) {
    return (a + b - 1) / b;
}

} // namespace

std::size_t count_tokens(std::string_view text) {
    constexpr std::size_t latin_chars_per_token = 6;
    constexpr std::size_t clusters_per_token = 3;
    const bool ascii = std::ranges::all_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    std::vector<std::size_t> bounds;
    if (!ascii) bounds = grapheme_boundaries(text);
    auto clusters = [&](std::size_t a, std::size_t b) -> std::size_t {
        const auto lo = std::lower_bound(bounds.begin(), bounds.end(), a);
        const auto hi = std::lower_bound(bounds.begin(), bounds.end(), b);
        return std::max<std::size_t>(1, static_cast<std::size_t>(hi - lo));
    };

    std::size_t tokens = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t at = i;
        const char32_t c = uc::next_code_point(text, i);
        if (uc::is_space(c)) continue;
        if (is_word_char(c)) {
            bool latin = is_latin_char(c);
            std::size_t chars = 1;
            while (i < text.size()) {
                std::size_t k = i;
                const char32_t d = uc::next_code_point(text, k);
                if (d == '\'' || d == 0x2019) { // "don't": an apostrophe between letters stays in the word
                    std::size_t m = k;
                    if (m < text.size() && uc::is_letter(uc::next_code_point(text, m))) {
                        i = k;
                        ++chars;
                        continue;
                    }
                    break;
                }
                if (!is_word_char(d)) break;
                latin = latin && is_latin_char(d);
                ++chars;
                i = k;
            }
            tokens += latin ? ceil_div(chars, latin_chars_per_token)
                            : ceil_div(ascii ? chars : clusters(at, i), clusters_per_token);
            continue;
        }
        // A run of punctuation and symbols counts one.
        while (i < text.size()) {
            std::size_t k = i;
            const char32_t d = uc::next_code_point(text, k);
            if (uc::is_space(d) || is_word_char(d)) break;
            i = k;
        }
        ++tokens;
    }
    return tokens;
}

// ---- Chunks ------------------------------------------------------------------------------------------

namespace {

/// A sentence, or a piece of one too long for the budget.
struct Unit {
    std::string text;
    std::size_t block = 0;
    std::size_t tokens = 0;
    bool whole = true; ///< a whole sentence (only those are repeated as overlap)
};

std::string collapse_space(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        const char32_t c = uc::next_code_point(s, i);
        if (uc::is_space(c)) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out.append(s.substr(at, i - at));
    }
    return out;
}

/// Cuts a word longer than the budget at grapheme-cluster boundaries into pieces of at most
/// `max_tokens` (a single cluster always makes progress). Galloping then bisecting keeps the cost
/// near-linear in the word's length.
std::vector<std::string> split_long_word(std::string_view word, std::size_t max_tokens) {
    const auto bounds = grapheme_boundaries(word);
    const std::size_t last = bounds.size() - 1;
    auto fits = [&](std::size_t from, std::size_t to) {
        return count_tokens(word.substr(bounds[from], bounds[to] - bounds[from])) <= max_tokens;
    };
    std::vector<std::string> pieces;
    std::size_t from = 0;
    while (from < last) {
        std::size_t good = from + 1, bad = 0, step = 1;
        while (good < last) {
            const std::size_t probe = std::min(last, good + step);
            if (!fits(from, probe)) {
                bad = probe;
                break;
            }
            good = probe;
            step *= 2;
        }
        while (bad > good + 1) {
            const std::size_t mid = good + (bad - good) / 2;
            if (fits(from, mid)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        pieces.emplace_back(word.substr(bounds[from], bounds[good] - bounds[from]));
        from = good;
    }
    return pieces;
}

/// A sentence over the budget, split at spaces and, inside a word over the budget, at clusters.
std::vector<std::string> split_long_sentence(const std::string& sentence, std::size_t max_tokens) {
    std::vector<std::string> pieces;
    std::string current;
    std::size_t current_tokens = 0;
    auto push = [&] {
        if (!current.empty()) pieces.push_back(std::move(current));
        current.clear();
        current_tokens = 0;
    };
    std::size_t pos = 0;
    while (pos < sentence.size()) {
        std::size_t space = sentence.find(' ', pos);
        if (space == std::string::npos) space = sentence.size();
        const std::string_view word = std::string_view(sentence).substr(pos, space - pos);
        pos = space + 1;
        // Words separated by a space count independently, so token counts add up.
        const std::size_t t = count_tokens(word);
        if (t > max_tokens) {
            push();
            auto parts = split_long_word(word, max_tokens);
            for (std::size_t k = 0; k + 1 < parts.size(); ++k)
                pieces.push_back(std::move(parts[k]));
            current = std::move(parts.back());
            current_tokens = count_tokens(current);
        } else if (!current.empty() && current_tokens + t > max_tokens) {
            push();
            current = word;
            current_tokens = t;
        } else {
            if (!current.empty()) current += ' ';
            current += word;
            current_tokens += t;
        }
    }
    push();
    return pieces;
}

std::vector<Unit> units_of(std::span<const TextBlock> blocks, std::size_t max_tokens) {
    std::vector<Unit> units;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        for (auto sentence : split_sentences(blocks[b].text)) {
            std::string text = collapse_space(sentence);
            if (text.empty()) continue;
            const std::size_t tokens = count_tokens(text);
            if (tokens <= max_tokens) {
                units.push_back(Unit{std::move(text), b, tokens, true});
                continue;
            }
            for (auto& piece : split_long_sentence(text, max_tokens)) {
                const std::size_t t = count_tokens(piece);
                units.push_back(Unit{std::move(piece), b, t, false});
            }
        }
    }
    return units;
}

/// The last whole sentences of `previous` to repeat before `next`: about `target` tokens, at least
/// one when `previous` has more than one sentence, never all of `previous`, and always leaving
/// room for `next`.
std::vector<const Unit*> overlap_before(std::span<const Unit* const> previous, const Unit& next,
                                        double target, std::size_t max_tokens) {
    std::vector<const Unit*> picked;
    std::size_t tokens = 0;
    for (std::size_t j = previous.size(); j-- > 1;) {
        const Unit* u = previous[j];
        if (!u->whole || tokens + u->tokens + next.tokens > max_tokens) break;
        if (!picked.empty() && static_cast<double>(tokens + u->tokens) > target) break;
        picked.push_back(u);
        tokens += u->tokens;
    }
    std::ranges::reverse(picked);
    return picked;
}

} // namespace

std::vector<ChunkDraft> chunk_blocks(std::span<const TextBlock> blocks, const ChunkOptions& options) {
    const std::size_t max_tokens = std::max<std::size_t>(1, options.max_tokens);
    const double overlap = std::clamp(options.overlap, 0.0, 1.0);
    const auto units = units_of(blocks, max_tokens);

    std::vector<ChunkDraft> chunks;
    std::vector<const Unit*> current;
    std::size_t current_tokens = 0;
    auto flush = [&] {
        ChunkDraft chunk;
        chunk.page_start = chunk.page_end = blocks[current.front()->block].page;
        std::vector<const std::string*> sections;
        for (std::size_t k = 0; k < current.size(); ++k) {
            const Unit& u = *current[k];
            if (k > 0) chunk.text += current[k - 1]->block == u.block ? " " : "\n\n";
            chunk.text += u.text;
            chunk.page_start = std::min(chunk.page_start, blocks[u.block].page);
            chunk.page_end = std::max(chunk.page_end, blocks[u.block].page);
            const std::string& s = blocks[u.block].section;
            if (!s.empty() && std::ranges::none_of(sections, [&](const std::string* x) { return *x == s; }))
                sections.push_back(&s);
        }
        for (const auto* s : sections)
            chunk.section += (chunk.section.empty() ? "" : "; ") + *s;
        chunk.tokens = count_tokens(chunk.text);
        chunks.push_back(std::move(chunk));
    };
    std::size_t current_chars = 0, current_words = 0;
    auto too_short = [&] { return current_chars < options.min_chars || current_words < options.min_words; };
    auto count_in = [&](const Unit& u) {
        current_tokens += u.tokens;
        current_chars += u.text.size() + 1;
        current_words += static_cast<std::size_t>(std::ranges::count(u.text, ' ')) + 1;
    };

    for (const Unit& unit : units) {
        if (!current.empty()) {
            const bool new_section = blocks[current.back()->block].section != blocks[unit.block].section;
            if ((new_section && !too_short()) || current_tokens + unit.tokens > max_tokens) {
                flush();
                std::vector<const Unit*> carried;
                if (!new_section && overlap > 0) {
                    carried =
                        overlap_before(current, unit, overlap * static_cast<double>(max_tokens), max_tokens);
                }
                current = std::move(carried);
                current_tokens = current_chars = current_words = 0;
                for (const Unit* u : current)
                    count_in(*u);
            }
        }
        current.push_back(&unit);
        count_in(unit);
    }
    if (!current.empty()) flush();
    return chunks;
}

} // namespace shiksha::detail
