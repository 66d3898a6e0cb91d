// Splitting text for machine translation, putting it back, and glossary placeholders.
//
// The plan works line by line, as module generation always has (API contract §6): a provider
// never sees a newline, so it cannot drop, add or move one. Within a line, layout that must
// survive translation is cut out as literal parts: indentation, list/heading/quote markers,
// table pipes, inline code, links' targets, URLs, HTML tags, emphasis markers around a
// translatable span, whitespace between sentences, and bytes a provider cannot take (ill-formed
// UTF-8, control characters, a BOM). Every byte of the input lands in exactly one part, in
// order; `Planner::literal` and `Planner::translatable` assert that, so the round trip holds by
// construction rather than by reassembling and comparing.
#include "translation/segmenter.hpp"

#include "core/assert.hpp"
#include "core/text.hpp"
#include "ingest/text.hpp"
#include "ingest/text_unicode.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace shiksha::detail {

namespace uc = unicode;

std::vector<std::string> SegmentPlan::segments() const {
    std::vector<std::string> out;
    for (const auto& part : parts) {
        if (part.translate) out.push_back(part.text);
    }
    return out;
}

namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr char32_t bom = 0xFEFF;
constexpr char32_t danda = 0x0964, double_danda = 0x0965;
constexpr char32_t placeholder_open = 0x27E6, placeholder_close = 0x27E7;

/// Line breaks other than '\n'. A line is cut only at '\n' (so "\r\n" keeps its '\r' at the end
/// of the line, as trailing whitespace), but these never go to a provider inside a segment.
bool is_vertical_space(char32_t c) {
    return c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool is_control(char32_t c) {
    return u_charType(uc::icu(c)) == U_CONTROL_CHAR;
}

/// Code points in valid UTF-8: every byte that is not a continuation byte starts one.
std::size_t count_code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::ranges::count_if(s, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_ascii_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_ascii_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Roman numerals from i to xxxix, either case: list labels ("iv.", "(ii)", "IX)").
bool is_roman(std::string_view s) {
    if (s.empty() || s.size() > 6) return false;
    std::string lower(s);
    for (auto& c : lower)
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    std::string_view rest = lower;
    for (int tens = 0; tens < 3 && rest.starts_with('x'); ++tens)
        rest.remove_prefix(1);
    for (const std::string_view unit : {"viii", "vii", "iii", "vi", "iv", "ix", "ii", "v", "i"}) {
        if (rest == unit) return true;
    }
    return rest.empty() && lower.front() == 'x';
}

/// List bullets that may open a line ("- ", "* ", "• " and what PDFs and word processors use).
bool is_bullet(char32_t c) {
    switch (c) {
    case '-':
    case '*':
    case '+':
    case 0x2022: // •
    case 0x2023: // ‣
    case 0x25E6: // ◦
    case 0x25AA: // ▪
    case 0x25CF: // ●
    case 0x25CB: // ○
    case 0x25A0: // ■
    case 0x27A2: // ➢
    case 0x2713: // ✓
    case 0x2714: // ✔
    case 0x2013: // –
        return true;
    default: return false;
    }
}

bool is_emphasis_char(char c) {
    return c == '*' || c == '_' || c == '~';
}

/// Punctuation that may follow a closing emphasis marker before the text goes on ("**Note:**",
/// "**Note**:").
bool is_label_punct(char32_t c) {
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == danda ||
           c == double_danda;
}

/// Punctuation that makes an emphasised span at a sentence start a label of its own.
bool is_label_end(char32_t c) {
    return c == '.' || c == ':' || c == '!' || c == '?' || c == danda || c == double_danda;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != prefix[i]) return false;
    }
    return true;
}

bool is_url_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && std::string_view("<>\"`[]{}|\\^").find(c) == npos;
}

class Planner {
public:
    Planner(std::string_view text, std::size_t max_code_points)
        : text_(text), max_(std::max<std::size_t>(1, max_code_points)) {}

    SegmentPlan run() && {
        std::size_t i = 0;
        while (i < text_.size()) {
            const std::size_t nl = text_.find('\n', i);
            const std::size_t end = nl == npos ? text_.size() : nl;
            line(i, end);
            if (nl == npos) break;
            literal(nl, nl + 1);
            i = nl + 1;
        }
        SHIKSHA_ASSERT(pos_ == text_.size());
        return std::move(plan_);
    }

private:
    struct Fence {
        char marker = 0;
        std::size_t length = 0;
    };

    std::string_view text_;
    std::size_t max_;
    std::size_t pos_ = 0; ///< everything before is in plan_
    SegmentPlan plan_;
    std::optional<Fence> fence_; ///< inside a fenced code block

    // ---- Emitting parts --------------------------------------------------------------------

    void literal(std::size_t b, std::size_t e) {
        SHIKSHA_ASSERT(b == pos_ && b <= e && e <= text_.size());
        if (b == e) return;
        if (!plan_.parts.empty() && !plan_.parts.back().translate) {
            plan_.parts.back().text.append(text_.substr(b, e - b));
        } else {
            plan_.parts.push_back({false, std::string(text_.substr(b, e - b))});
        }
        pos_ = e;
    }

    void translatable(std::size_t b, std::size_t e) {
        SHIKSHA_ASSERT(b == pos_ && b < e && e <= text_.size());
        plan_.parts.push_back({true, std::string(text_.substr(b, e - b))});
        pos_ = e;
    }

    // ---- Scanning helpers -------------------------------------------------------------------

    /// Decodes the code point at `i` without looking at or past `limit`.
    [[nodiscard]] char32_t decode(std::size_t& i, std::size_t limit) const {
        return uc::next_code_point(text_.substr(0, limit), i);
    }

    /// Ill-formed bytes decode as U+FFFD too; a real U+FFFD is the three bytes EF BF BD.
    [[nodiscard]] bool ill_formed(std::size_t at, std::size_t next, char32_t c) const {
        return c == uc::replacement_char && text_.substr(at, next - at) != "\xEF\xBF\xBD";
    }

    [[nodiscard]] std::size_t skip_space(std::size_t i, std::size_t e) const {
        while (i < e) {
            std::size_t k = i;
            if (!uc::is_space(decode(k, e))) break;
            i = k;
        }
        return i;
    }

    /// The end of the last code point in [b, e) that is not whitespace (b when there is none).
    [[nodiscard]] std::size_t trim_end(std::size_t b, std::size_t e) const {
        std::size_t end = b;
        for (std::size_t i = b; i < e;) {
            if (!uc::is_space(decode(i, e))) end = i;
        }
        return end;
    }

    [[nodiscard]] bool space_or_end(std::size_t at, std::size_t e) const {
        if (at >= e) return true;
        return uc::is_space(decode(at, e));
    }

    /// The start of the code point that ends just before `i` (not before `floor`).
    [[nodiscard]] std::size_t previous_start(std::size_t i, std::size_t floor) const {
        if (i <= floor) return floor;
        --i;
        while (i > floor && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80)
            --i;
        return i;
    }

    [[nodiscard]] bool has_letter(std::size_t b, std::size_t e) const {
        for (std::size_t i = b; i < e;) {
            if (uc::is_letter(decode(i, e))) return true;
        }
        return false;
    }

    // ---- Lines --------------------------------------------------------------------------------

    /// A fence line ("```", "~~~~ python"): the marker and its length, when [b, e) is one.
    [[nodiscard]] std::optional<Fence> fence_at(std::size_t b, std::size_t e) const {
        if (b >= e || (text_[b] != '`' && text_[b] != '~')) return std::nullopt;
        const char marker = text_[b];
        std::size_t k = b;
        while (k < e && text_[k] == marker)
            ++k;
        if (k - b < 3) return std::nullopt;
        // A backtick fence's info string has no backticks (CommonMark), so "```x```" is inline code.
        if (marker == '`' && text_.substr(k, e - k).find('`') != npos) return std::nullopt;
        return Fence{marker, k - b};
    }

    void line(std::size_t b, std::size_t e) {
        const std::size_t cb = skip_space(b, e);
        const std::size_t ce = trim_end(cb, e);
        const auto fence = fence_at(cb, ce);
        if (fence_) {
            // Only a bare fence at least as long as the opening one closes the block.
            if (fence && fence->marker == fence_->marker && fence->length >= fence_->length &&
                skip_space(cb + fence->length, ce) == ce) {
                fence_.reset();
            }
            literal(b, e);
            return;
        }
        if (fence) {
            // Models like to wrap a whole module in "```markdown … ```": that fence is literal,
            // but what it wraps is the module itself, not code.
            const std::string_view info = text_.substr(cb + fence->length, ce - cb - fence->length);
            const auto word = trim(info);
            if (!iequals_ascii(word, "markdown") && !iequals_ascii(word, "md")) fence_ = fence;
            literal(b, e);
            return;
        }
        literal(b, cb);
        std::size_t p = cb;
        while (p < ce) {
            const auto m = marker_end(p, ce);
            if (!m) break;
            const std::size_t q = skip_space(*m, ce);
            literal(p, q);
            p = q;
        }
        if (p < ce && text_[p] == '|') {
            table_row(p, ce);
        } else {
            inline_run(p, ce);
        }
        literal(ce, e);
    }

    /// The end of a line-start marker at `p` (heading "##", quote ">", bullet, checkbox "[ ]",
    /// number "1." "2)" "(a)" "iv."), or nothing.
    [[nodiscard]] std::optional<std::size_t> marker_end(std::size_t p, std::size_t ce) const {
        std::size_t i = p;
        const char32_t c = decode(i, ce);
        if (c == '#') {
            while (i < ce && text_[i] == '#')
                ++i;
            return i;
        }
        if (c == '>') return i;
        if (is_bullet(c)) {
            if (space_or_end(i, ce)) return i;
            return std::nullopt;
        }
        const std::string_view rest = text_.substr(p, ce - p);
        if (rest.starts_with("[ ]") || rest.starts_with("[x]") || rest.starts_with("[X]")) {
            if (space_or_end(p + 3, ce)) return p + 3;
            return std::nullopt;
        }
        auto closed = [&](std::size_t k) -> std::optional<std::size_t> {
            if (k < ce && (text_[k] == '.' || text_[k] == ')') && space_or_end(k + 1, ce)) return k + 1;
            return std::nullopt;
        };
        if (uc::is_digit(c)) { // "1.", "12)", "१." (any script's digits)
            std::size_t digits = 1;
            while (i < ce && digits < 10) {
                std::size_t k = i;
                if (!uc::is_digit(decode(k, ce))) break;
                i = k;
                ++digits;
            }
            return closed(i);
        }
        if (c == '(') { // "(a)", "(iv)", "(12)"
            std::size_t k = i;
            while (k < ce && k - i < 5 && is_ascii_alnum(text_[k]))
                ++k;
            const std::string_view label = text_.substr(i, k - i);
            const bool ok =
                !label.empty() && (label.size() == 1 || is_roman(label) ||
                                   std::ranges::all_of(label, [](char d) { return d >= '0' && d <= '9'; }));
            if (ok && k < ce && text_[k] == ')' && space_or_end(k + 1, ce)) return k + 1;
            return std::nullopt;
        }
        if (c < 0x80 && is_ascii_letter(static_cast<char>(c))) { // "a)", "b.", "iv.", "IV)"
            std::size_t k = p;
            while (k < ce && k - p < 6 && is_ascii_letter(text_[k]))
                ++k;
            const std::string_view label = text_.substr(p, k - p);
            if (k >= ce) return std::nullopt;
            if (text_[k] == ')' && (label.size() == 1 || is_roman(label))) return closed(k);
            // "a." only in lower case: "A. P. J. Abdul Kalam" starts with initials, not a list.
            const bool lower_letter = label.size() == 1 && label[0] >= 'a' && label[0] <= 'z';
            if (text_[k] == '.' && (lower_letter || is_roman(label))) return closed(k);
            return std::nullopt;
        }
        return std::nullopt;
    }

    /// "| a | b |": pipes are literal, each cell is inline text. A '|' escaped with a backslash
    /// or inside inline code does not end a cell.
    void table_row(std::size_t p, std::size_t ce) {
        std::size_t cell_start = p;
        std::size_t i = p;
        while (i < ce) {
            const char ch = text_[i];
            if (ch == '\\' && i + 1 < ce) {
                i += 2;
                continue;
            }
            if (ch == '`') {
                const std::size_t n = backtick_run(i, ce);
                const std::size_t close = closing_backticks(i + n, ce, n);
                i = close == npos ? i + n : close + n;
                continue;
            }
            if (ch == '|') {
                cell(cell_start, i);
                literal(i, i + 1);
                cell_start = i + 1;
            }
            ++i;
        }
        cell(cell_start, ce);
    }

    void cell(std::size_t b, std::size_t e) {
        const std::size_t s = skip_space(b, e);
        const std::size_t t = trim_end(s, e);
        literal(b, s);
        inline_run(s, t);
        literal(t, e);
    }

    // ---- Inline literals ----------------------------------------------------------------------

    [[nodiscard]] std::size_t backtick_run(std::size_t i, std::size_t e) const {
        std::size_t k = i;
        while (k < e && text_[k] == '`')
            ++k;
        return k - i;
    }

    /// The start of the next run of exactly `n` backticks in [from, e), or npos.
    [[nodiscard]] std::size_t closing_backticks(std::size_t from, std::size_t e, std::size_t n) const {
        std::size_t k = from;
        while (k < e) {
            if (text_[k] != '`') {
                ++k;
                continue;
            }
            const std::size_t run = backtick_run(k, e);
            if (run == n) return k;
            k += run;
        }
        return npos;
    }

    /// "<br>", "</b>", "<span class=x>", "<https://example.org>": the end of the tag, or nothing.
    [[nodiscard]] std::optional<std::size_t> tag_end(std::size_t at, std::size_t e) const {
        constexpr std::size_t max_tag = 512;
        std::size_t k = at + 1;
        if (k < e && text_[k] == '/') ++k;
        if (k >= e || !is_ascii_letter(text_[k])) return std::nullopt;
        while (k < e && (is_ascii_alnum(text_[k]) || text_[k] == '-'))
            ++k;
        if (k >= e) return std::nullopt;
        const char after = text_[k];
        if (after != '>' && after != '/' && after != ':' && after != ' ' && after != '\t')
            return std::nullopt;
        for (; k < e && k - at < max_tag; ++k) {
            if (text_[k] == '<') return std::nullopt;
            if (text_[k] == '>') return k + 1;
        }
        return std::nullopt;
    }

    struct Link {
        std::size_t close = 0; ///< the ']' before "(target)"
        std::size_t end = 0;   ///< past the ')'
    };

    /// "[text](target)" with `open` at '[': where the text ends and the link ends. Bounded
    /// searches keep a line full of '[' linear.
    [[nodiscard]] std::optional<Link> link_at(std::size_t open, std::size_t e) const {
        constexpr std::size_t max_text = 1000, max_target = 2000;
        const std::size_t limit = std::min(e, open + max_text);
        const std::size_t close = text_.substr(0, limit).find("](", open + 1);
        if (close == npos) return std::nullopt;
        int depth = 0;
        for (std::size_t k = close + 2; k < e && k - close < max_target; ++k) {
            if (text_[k] == '(') ++depth;
            if (text_[k] == ')') {
                if (depth == 0) return Link{close, k + 1};
                --depth;
            }
        }
        return std::nullopt;
    }

    /// A URL starting at `at` ("https://…", "www.…"): its end without trailing punctuation.
    [[nodiscard]] std::optional<std::size_t> url_end(std::size_t b, std::size_t at, std::size_t e) const {
        if (at > b && (is_ascii_alnum(text_[at - 1]) || text_[at - 1] == '@' || text_[at - 1] == '.')) {
            return std::nullopt;
        }
        const std::string_view rest = text_.substr(at, e - at);
        std::size_t prefix = 0;
        for (const std::string_view scheme : {"https://", "http://", "ftp://", "mailto:", "www."}) {
            if (starts_with_icase(rest, scheme)) {
                prefix = scheme.size();
                break;
            }
        }
        if (prefix == 0) return std::nullopt;
        std::size_t k = at + prefix;
        while (k < e && is_url_char(text_[k]))
            ++k;
        // Trailing punctuation belongs to the sentence; a ')' only when it has no '(' in the URL.
        while (k > at + prefix) {
            const char last = text_[k - 1];
            if (std::string_view(".,;:!?'\"*_~").find(last) != npos) {
                --k;
                continue;
            }
            if (last == ')') {
                const auto url = text_.substr(at, k - at);
                if (std::ranges::count(url, '(') < std::ranges::count(url, ')')) {
                    --k;
                    continue;
                }
            }
            break;
        }
        if (k == at + prefix) return std::nullopt;
        return k;
    }

    /// Cuts literal atoms out of [b, e) and hands the text between them to text_run.
    void inline_run(std::size_t b, std::size_t e) {
        std::size_t run = b; // start of the pending text
        std::size_t i = b;
        std::size_t link_close = npos, link_end = npos;
        auto atom = [&](std::size_t ab, std::size_t ae) {
            text_run(run, ab);
            literal(ab, ae);
            run = ae;
            i = ae;
        };
        while (i < e) {
            if (link_close != npos && i >= link_close) {
                if (i == link_close) {
                    const std::size_t end = link_end;
                    link_close = link_end = npos;
                    atom(i, end);
                    continue;
                }
                link_close = link_end = npos; // an atom ran past it: the link is just text
            }
            const std::size_t at = i;
            std::size_t next = i;
            const char32_t c = decode(next, e);
            if (ill_formed(at, next, c) || (is_control(c) && !uc::is_space(c)) || c == bom ||
                is_vertical_space(c)) {
                atom(at, next);
                continue;
            }
            if (c == '`') {
                const std::size_t n = backtick_run(at, e);
                const std::size_t close = closing_backticks(at + n, e, n);
                if (close != npos) {
                    atom(at, close + n);
                } else {
                    i = at + n;
                }
                continue;
            }
            if (c == '<') {
                if (const auto end = tag_end(at, e)) {
                    atom(at, *end);
                    continue;
                }
            }
            if (link_close == npos && (c == '[' || (c == '!' && next < e && text_[next] == '['))) {
                const std::size_t open = c == '!' ? next : at;
                if (const auto link = link_at(open, e)) {
                    link_close = link->close;
                    link_end = link->end;
                    atom(at, open + 1);
                    continue;
                }
            }
            if (c == 'h' || c == 'H' || c == 'w' || c == 'W' || c == 'f' || c == 'F' || c == 'm' ||
                c == 'M') {
                if (auto end = url_end(b, at, e)) {
                    if (link_close != npos) end = std::min(*end, link_close);
                    atom(at, *end);
                    continue;
                }
            }
            i = next;
        }
        text_run(run, e);
    }

    // ---- Sentences and emphasis -----------------------------------------------------------------

    struct Range {
        std::size_t b = 0, e = 0;
    };

    [[nodiscard]] std::vector<Range> sentences_in(std::size_t b, std::size_t e) const {
        std::vector<Range> out;
        const std::string_view run = text_.substr(b, e - b);
        for (const auto s : split_sentences(run)) {
            const auto sb = b + static_cast<std::size_t>(s.data() - run.data());
            out.push_back({sb, sb + s.size()});
        }
        return out;
    }

    /// The length of the emphasis marker ("*", "**", "__", "~~"…) at `at`: a run of 1 to 3 of
    /// one emphasis character, exactly (not part of a longer run); 0 when there is none.
    [[nodiscard]] std::size_t emphasis_run(std::size_t at, std::size_t b, std::size_t e) const {
        if (at >= e || !is_emphasis_char(text_[at])) return 0;
        const char ch = text_[at];
        if (at > b && text_[at - 1] == ch) return 0;
        std::size_t k = at;
        while (k < e && text_[k] == ch)
            ++k;
        return k - at <= 3 ? k - at : 0;
    }

    struct Label {
        std::size_t marker = 0; ///< length of the emphasis marker
        std::size_t close = 0;  ///< where the closing marker starts
        std::size_t after = 0;  ///< past the closing marker and the punctuation that follows it
    };

    /// An emphasised span opening a sentence and standing apart from what follows:
    /// "**Note:** Wash…", "**Step 1**: Take…", "**Term** – meaning", or a whole emphasised
    /// sentence. Its markers are literal and its inside is translated on its own; "**Students**
    /// wash hands." is not one (the markers stay inside the sentence, for the provider).
    [[nodiscard]] std::optional<Label> label_at(std::size_t s, std::size_t e) const {
        const std::size_t n = emphasis_run(s, s, e);
        if (n == 0 || space_or_end(s + n, e)) return std::nullopt;
        const char ch = text_[s];
        for (std::size_t c = s + n; c < e; ++c) {
            if (text_[c] != ch) continue;
            const std::size_t run = emphasis_run(c, s, e);
            if (run == 0) { // part of a longer run: skip it whole
                while (c + 1 < e && text_[c + 1] == ch)
                    ++c;
                continue;
            }
            if (run != n) {
                c += run - 1;
                continue;
            }
            // The first marker of the same length closes the span, when text comes right before it.
            std::size_t before = previous_start(c, s + n);
            if (uc::is_space(decode(before, c))) return std::nullopt;
            return label_after(s, n, c, e);
        }
        return std::nullopt;
    }

    [[nodiscard]] std::optional<Label> label_after(std::size_t s, std::size_t n, std::size_t c,
                                                   std::size_t e) const {
        std::size_t p = c + n;
        bool punct_end = false;
        while (p < e) {
            std::size_t k = p;
            const char32_t d = decode(k, e);
            if (!is_label_punct(d)) break;
            punct_end = punct_end || is_label_end(d);
            p = k;
        }
        if (!space_or_end(p, e)) return std::nullopt;
        const std::size_t next = skip_space(p, e);
        std::size_t last = previous_start(trim_end(s + n, c), s + n);
        const bool inner_end = is_label_end(decode(last, c));
        if (next == e || punct_end || inner_end) return Label{n, c, p};
        // "**Term** – meaning": a dash standing alone after the span.
        std::size_t k = next;
        const char32_t d = decode(k, e);
        if ((d == '-' || d == 0x2013 || d == 0x2014) && space_or_end(k, e)) return Label{n, c, k};
        return std::nullopt;
    }

    /// Text between inline literals: sentences, with emphasis labels cut out.
    void text_run(std::size_t b, std::size_t e) {
        if (b >= e) return;
        const auto sentences = sentences_in(b, e);
        std::size_t cur = b;
        std::size_t k = 0;
        while (true) {
            const std::size_t s = skip_space(cur, e);
            while (k < sentences.size() && sentences[k].e <= s)
                ++k;
            if (s >= e || k == sentences.size()) {
                literal(cur, e);
                return;
            }
            literal(cur, s);
            if (const auto label = label_at(s, e)) {
                literal(s, s + label->marker);
                sentences_only(s + label->marker, label->close);
                literal(label->close, label->after);
                cur = label->after;
                continue;
            }
            const std::size_t t = sentences[k].e;
            sentence(s, t);
            cur = t;
            ++k;
        }
    }

    /// The inside of a label: sentences, no further labels.
    void sentences_only(std::size_t b, std::size_t e) {
        std::size_t cur = b;
        for (const auto& s : sentences_in(b, e)) {
            literal(cur, s.b);
            sentence(s.b, s.e);
            cur = s.e;
        }
        literal(cur, e);
    }

    /// One sentence, trimmed. A marker that opens or closes emphasis across sentences
    /// ("**First. Second.**" split into two) is literal; balanced ones stay in.
    void sentence(std::size_t s, std::size_t t) {
        const std::size_t lead = emphasis_run(s, s, t);
        if (lead > 0 && !space_or_end(s + lead, t) &&
            text_.substr(s + lead, t - s - lead).find(text_[s]) == npos) {
            literal(s, s + lead);
            s += lead;
        }
        if (s < t && is_emphasis_char(text_[t - 1])) {
            const char ch = text_[t - 1];
            std::size_t r = t;
            while (r > s && text_[r - 1] == ch)
                --r;
            const std::size_t n = t - r;
            const bool after_text = r > s && text_[r - 1] != ' ' && text_[r - 1] != '\t';
            if (n <= 3 && after_text && text_.substr(s, r - s).find(ch) == npos) {
                pieces(s, r);
                literal(r, t);
                return;
            }
        }
        pieces(s, t);
    }

    // ---- Size limit -----------------------------------------------------------------------------

    /// A trimmed span: literal when it has no letter (numbers, punctuation), else translatable,
    /// split at spaces (or grapheme clusters) into segments of at most max_ code points.
    void pieces(std::size_t b, std::size_t e) {
        const std::size_t s = skip_space(b, e);
        const std::size_t t = trim_end(s, e);
        literal(b, s);
        if (s < t) {
            if (!has_letter(s, t)) {
                literal(s, t);
            } else if (count_code_points(text_.substr(s, t - s)) <= max_) {
                translatable(s, t);
            } else {
                split_long(s, t);
            }
        }
        literal(t, e);
    }

    void piece(std::size_t b, std::size_t e) {
        if (has_letter(b, e)) {
            translatable(b, e);
        } else {
            literal(b, e);
        }
    }

    struct Word {
        std::size_t b = 0, e = 0;   ///< bytes
        std::size_t cb = 0, ce = 0; ///< code points from the span's start
    };

    /// Greedy packing of words; a cut prefers to follow ',' ';' ':' when that still fills at
    /// least half the limit, so the provider gets clauses rather than arbitrary word runs.
    void split_long(std::size_t b, std::size_t e) {
        std::vector<Word> words;
        std::size_t cp = 0;
        for (std::size_t i = b; i < e;) {
            const std::size_t at = i;
            const char32_t c = decode(i, e);
            if (uc::is_space(c)) {
                ++cp;
                continue;
            }
            if (words.empty() || words.back().e != at) {
                words.push_back({at, i, cp, cp + 1});
            } else {
                words.back().e = i;
                words.back().ce = cp + 1;
            }
            ++cp;
        }
        std::size_t w = 0;
        while (w < words.size()) {
            const std::size_t start_cp = words[w].cb;
            std::size_t last = w;
            while (last + 1 < words.size() && words[last + 1].ce - start_cp <= max_)
                ++last;
            if (words[w].ce - start_cp > max_) {
                split_word(words[w].b, words[w].e);
            } else {
                if (last + 1 < words.size()) {
                    for (std::size_t k = last; k > w; --k) {
                        if (2 * (words[k].ce - start_cp) < max_) break;
                        const char end = text_[words[k].e - 1];
                        if (end == ',' || end == ';' || end == ':') {
                            last = k;
                            break;
                        }
                    }
                }
                piece(words[w].b, words[last].e);
                w = last;
            }
            if (w + 1 < words.size()) literal(words[w].e, words[w + 1].b);
            ++w;
        }
    }

    /// A word longer than the limit, cut between grapheme clusters ("क्षि" stays whole). A single
    /// cluster longer than the limit (a letter under dozens of combining marks) is literal: cutting
    /// it would hand the provider a dangling mark, and the limit is a hard one.
    void split_word(std::size_t b, std::size_t e) {
        const auto bounds = grapheme_boundaries(text_.substr(b, e - b));
        std::size_t piece_start = b;
        std::size_t piece_cps = 0;
        for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
            const std::size_t cb = b + bounds[k], ce = b + bounds[k + 1];
            const std::size_t cps = count_code_points(text_.substr(cb, ce - cb));
            if (cps > max_) {
                if (piece_start < cb) piece(piece_start, cb);
                literal(cb, ce);
                piece_start = ce;
                piece_cps = 0;
                continue;
            }
            if (piece_cps + cps > max_) {
                piece(piece_start, cb);
                piece_start = cb;
                piece_cps = 0;
            }
            piece_cps += cps;
        }
        if (piece_start < e) piece(piece_start, e);
    }
};

// ---- Glossary -----------------------------------------------------------------------------------

constexpr char32_t any_space = 0xFFFFFFFF; ///< in a term pattern: one or more whitespace code points

bool is_word_char(char32_t c) {
    return uc::is_letter(c) || uc::is_mark(c) || uc::is_digit(c) || c == uc::zwj || c == uc::zwnj;
}

char32_t fold(char32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    return static_cast<char32_t>(u_foldCase(uc::icu(c), U_FOLD_CASE_DEFAULT));
}

struct CodePoint {
    char32_t folded = 0;
    char32_t raw = 0;
    std::size_t b = 0, e = 0; ///< bytes in the NFC text
};

std::vector<CodePoint> decode_all(std::string_view s) {
    std::vector<CodePoint> out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        const char32_t c = uc::next_code_point(s, i);
        out.push_back({fold(c), c, at, i});
    }
    return out;
}

struct Pattern {
    std::vector<char32_t> folded; ///< whitespace runs collapsed to any_space
    std::size_t term = 0;         ///< index into the glossary
    bool word_start = false, word_end = false;
};

std::optional<Pattern> pattern_of(std::string_view term, std::size_t index) {
    const std::string nfc = to_nfc(term);
    Pattern p;
    p.term = index;
    for (const auto& c : decode_all(nfc)) {
        if (uc::is_space(c.raw)) {
            if (!p.folded.empty() && p.folded.back() != any_space) p.folded.push_back(any_space);
        } else {
            p.folded.push_back(c.folded);
        }
    }
    if (!p.folded.empty() && p.folded.back() == any_space) p.folded.pop_back();
    if (p.folded.empty()) return std::nullopt;
    p.word_start = is_word_char(p.folded.front());
    p.word_end = is_word_char(p.folded.back());
    return p;
}

/// Where `p` matches text[at…] (exclusive end in code points), or nothing.
std::optional<std::size_t> match_at(const std::vector<CodePoint>& text, std::size_t at, const Pattern& p) {
    std::size_t i = at;
    for (const char32_t want : p.folded) {
        if (want == any_space) {
            if (i >= text.size() || !uc::is_space(text[i].raw)) return std::nullopt;
            while (i < text.size() && uc::is_space(text[i].raw))
                ++i;
            continue;
        }
        if (i >= text.size() || text[i].folded != want) return std::nullopt;
        ++i;
    }
    if (p.word_start && at > 0 && is_word_char(text[at - 1].raw)) return std::nullopt;
    if (p.word_end && i < text.size() && is_word_char(text[i].raw)) return std::nullopt;
    // Never end a match inside a grapheme cluster (a following mark or joiner belongs to it).
    if (i < text.size() && (uc::is_mark(text[i].raw) || text[i].raw == uc::zwj)) return std::nullopt;
    return i;
}

/// Marks "⟦…⟧" sequences already in the text (up to 16 code points inside) as taken.
void cover_existing_placeholders(const std::vector<CodePoint>& text, std::vector<bool>& covered) {
    constexpr std::size_t max_inside = 16;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i].raw != placeholder_open) continue;
        for (std::size_t j = i + 1; j < text.size() && j - i <= max_inside + 1; ++j) {
            if (text[j].raw == placeholder_open) break;
            if (text[j].raw == placeholder_close) {
                std::fill(covered.begin() + static_cast<std::ptrdiff_t>(i),
                          covered.begin() + static_cast<std::ptrdiff_t>(j + 1), true);
                i = j;
                break;
            }
        }
    }
}

std::string placeholder(std::size_t number) {
    std::string out;
    uc::append_utf8(out, placeholder_open);
    out += std::to_string(number);
    uc::append_utf8(out, placeholder_close);
    return out;
}

} // namespace

SegmentPlan plan_segments(std::string_view text, std::size_t max_code_points) {
    return Planner(text, max_code_points).run();
}

Result<std::string> reassemble(const SegmentPlan& plan, const std::vector<std::string>& translations) {
    const auto wanted =
        static_cast<std::size_t>(std::ranges::count_if(plan.parts, &SegmentPlan::Part::translate));
    if (translations.size() != wanted) {
        return fail_field("translations", "expected " + std::to_string(wanted) + " translations, got " +
                                              std::to_string(translations.size()));
    }
    std::string out;
    std::size_t next = 0;
    for (const auto& part : plan.parts) {
        out += part.translate ? translations[next++] : part.text;
    }
    return out;
}

ProtectedText protect_terms(std::string_view segment, const std::vector<GlossaryTerm>& terms) {
    ProtectedText out;
    const std::string source = to_nfc(segment);
    const auto text = decode_all(source);

    std::vector<Pattern> patterns;
    for (std::size_t t = 0; t < terms.size(); ++t) {
        if (auto p = pattern_of(terms[t].term, t)) patterns.push_back(std::move(*p));
    }
    std::ranges::stable_sort(
        patterns, [](const Pattern& a, const Pattern& b) { return a.folded.size() > b.folded.size(); });

    struct Match {
        std::size_t b = 0, e = 0; ///< code points
        std::size_t term = 0;
    };
    std::vector<Match> matches;
    std::vector<bool> covered(text.size(), false);
    cover_existing_placeholders(text, covered);
    for (const auto& p : patterns) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (covered[i]) continue;
            const auto end = match_at(text, i, p);
            if (!end) continue;
            if (std::any_of(covered.begin() + static_cast<std::ptrdiff_t>(i),
                            covered.begin() + static_cast<std::ptrdiff_t>(*end), [](bool c) { return c; })) {
                continue;
            }
            std::fill(covered.begin() + static_cast<std::ptrdiff_t>(i),
                      covered.begin() + static_cast<std::ptrdiff_t>(*end), true);
            matches.push_back({i, *end, p.term});
            i = *end - 1;
        }
    }
    std::ranges::sort(matches, {}, &Match::b);

    std::size_t copied = 0; // bytes of `source`
    for (const auto& m : matches) {
        const std::size_t b = text[m.b].b, e = text[m.e - 1].e;
        out.text.append(source, copied, b - copied);
        out.text += placeholder(out.restore.size() + 1);
        const auto& rule = terms[m.term];
        out.restore.push_back(rule.replacement.empty() ? source.substr(b, e - b) : rule.replacement);
        copied = e;
    }
    out.text.append(source, copied);
    return out;
}

Result<std::string> restore_terms(std::string_view translated, const ProtectedText& original) {
    struct Found {
        std::size_t b = 0, e = 0;
        std::size_t number = 0;
    };
    const std::size_t count = original.restore.size();
    std::vector<Found> found;
    std::vector<std::size_t> seen(count + 1, 0);
    for (std::size_t i = 0; i < translated.size();) {
        const std::size_t at = i;
        if (uc::next_code_point(translated, i) != placeholder_open) continue;
        // "⟦", optional spaces, digits of any script (ASCII, full-width, Devanagari…), optional
        // spaces, "⟧".
        std::size_t k = i;
        auto skip_spaces = [&] {
            while (k < translated.size()) {
                std::size_t n = k;
                if (!uc::is_space(uc::next_code_point(translated, n))) break;
                k = n;
            }
        };
        skip_spaces();
        std::size_t number = 0, digits = 0;
        while (k < translated.size() && digits < 7) {
            std::size_t n = k;
            const char32_t d = uc::next_code_point(translated, n);
            const int value = u_charDigitValue(uc::icu(d));
            if (value < 0 || !uc::is_digit(d)) break;
            number = number * 10 + static_cast<std::size_t>(value);
            ++digits;
            k = n;
        }
        if (digits == 0) continue;
        skip_spaces();
        std::size_t n = k;
        if (k >= translated.size() || uc::next_code_point(translated, n) != placeholder_close) continue;
        if (number >= 1 && number <= count) {
            found.push_back({at, n, number});
            ++seen[number];
        }
        i = n;
    }
    for (std::size_t number = 1; number <= count; ++number) {
        if (seen[number] == 0) {
            return fail(ErrorCode::unavailable,
                        "the translation lost placeholder " + placeholder(number) + " (a glossary term)");
        }
        if (seen[number] > 1) {
            return fail(ErrorCode::unavailable, "placeholder " + placeholder(number) + " appears " +
                                                    std::to_string(seen[number]) +
                                                    " times in the translation");
        }
    }
    std::string out;
    std::size_t copied = 0;
    for (const auto& f : found) {
        out.append(translated.substr(copied, f.b - copied));
        out += original.restore[f.number - 1];
        copied = f.e;
    }
    out.append(translated.substr(copied));
    return out;
}

std::string memory_key_text(std::string_view text) {
    const std::string nfc = to_nfc(text);
    std::string out;
    out.reserve(nfc.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < nfc.size();) {
        const std::size_t at = i;
        if (uc::is_space(uc::next_code_point(nfc, i))) {
            pending_space = true;
            continue;
        }
        if (pending_space && !out.empty()) out += ' ';
        pending_space = false;
        out.append(nfc, at, i - at);
    }
    return out;
}

} // namespace shiksha::detail
