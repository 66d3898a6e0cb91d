#include "adaptation/extract.hpp"

#include "core/text.hpp"
#include "ingest/text.hpp"
#include "retrieval/query.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace shiksha::detail {

namespace {

bool is_ascii_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_word_char(char c) {
    return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80;
}

bool is_ascii_word(std::string_view w) {
    return !w.empty() &&
           std::all_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

/// A word of a sentence: its bytes and position (letters, digits, and inner ' or -).
struct Token {
    std::size_t pos = 0;
    std::string_view text;
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_word_char(s[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && (is_word_char(s[j]) || ((s[j] == '-' || s[j] == '\'') && j + 1 < s.size() &&
                                                       is_word_char(s[j + 1]) && j > i)))
            ++j;
        out.push_back({i, s.substr(i, j - i)});
        i = j;
    }
    return out;
}

/// True when only spaces lie between two tokens (no punctuation breaks the phrase).
bool joined_by_space(std::string_view s, const Token& left, const Token& right) {
    const auto gap = s.substr(left.pos + left.text.size(), right.pos - left.pos - left.text.size());
    return !gap.empty() && gap.find_first_not_of(' ') == std::string_view::npos;
}

constexpr auto imperative_verbs = std::to_array<std::string_view>({
    "add",     "arrange",  "ask",     "attach",   "bend",     "blow",      "boil",    "bring", "build",
    "check",   "close",    "collect", "compare",  "connect",  "construct", "count",   "cover", "crush",
    "cut",     "describe", "dip",     "discuss",  "dissolve", "divide",    "draw",    "drop",  "dry",
    "explain", "fill",     "filter",  "find",     "fix",      "fold",      "gather",  "give",  "grind",
    "hang",    "heat",     "hold",    "identify", "insert",   "invite",    "join",    "keep",  "label",
    "lay",     "leave",    "let",     "lift",     "list",     "look",      "make",    "mark",  "measure",
    "melt",    "mix",      "name",    "note",     "observe",  "open",      "place",   "plan",  "pose",
    "pour",    "predict",  "prepare", "press",    "pull",     "push",      "put",     "read",  "record",
    "remove",  "repeat",   "roll",    "rotate",   "rub",      "send",      "set",     "shake", "share",
    "soak",    "sort",     "spread",  "squeeze",  "state",    "stir",      "stretch", "strip", "switch",
    "take",    "tap",      "tell",    "test",     "tie",      "touch",     "try",     "turn",  "use",
    "wait",    "warm",     "wash",    "weigh",    "wrap",     "write",
});

constexpr auto leading_adverbs =
    std::to_array<std::string_view>({"now", "then", "next", "first", "finally", "again", "carefully",
                                     "slowly", "gently", "also", "afterwards"});

/// Words a material phrase never extends over (besides stop words): prepositions, verbs,
/// quantifiers that are not numbers.
constexpr auto phrase_breaks = std::to_array<std::string_view>({
    "about",   "above",   "across", "after",   "against", "along",   "among", "around", "before",
    "behind",  "below",   "beside", "between", "each",    "enough",  "every", "few",    "get",
    "gets",    "glow",    "glows",  "goes",    "inside",  "instead", "just",  "like",   "many",
    "much",    "near",    "other",  "out",     "outside", "over",    "own",   "per",    "same",
    "several", "through", "under",  "until",   "up",      "upon",    "using", "very",   "without",
});

/// "strips of newspaper": the word before "of" that makes the phrase a quantity of the material.
constexpr auto quantity_words = std::to_array<std::string_view>({
    "bits",    "bottle", "bottles", "bunch",  "cup",    "cups",  "drop",   "drops", "glass",
    "handful", "length", "lengths", "packet", "pair",   "piece", "pieces", "pinch", "sheet",
    "sheets",  "slice",  "slices",  "spoon",  "spoons", "strip", "strips",
});

constexpr auto number_words = std::to_array<std::string_view>({
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "twenty",
    "some",
    "one",
});

constexpr auto activity_markers = std::to_array<std::string_view>({
    "activity",
    "activities",
    "experiment",
    "try this",
    "let us do",
    "do it yourself",
    "hands-on",
    "गतिविधि",
    "प्रयोग",
    "कृती",
    "उपक्रम",
});

constexpr auto stem_exceptions = std::to_array<std::string_view>({
    "always",  "as",   "bus",   "does",        "gas",  "has",     "his",     "is",
    "its",     "lens", "means", "mathematics", "news", "perhaps", "physics", "series",
    "species", "this", "thus",  "various",     "was",  "whereas", "yes",
});

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view w) {
    return std::find(list.begin(), list.end(), w) != list.end();
}

bool is_number_word(std::string_view lower) {
    return in(number_words, lower) || (!lower.empty() && std::all_of(lower.begin(), lower.end(), [](char c) {
               return c >= '0' && c <= '9';
           }));
}

bool ends_with_terminal(std::string_view s) {
    s = trim(s);
    while (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == ')'))
        s.remove_suffix(1);
    if (s.empty()) return false;
    if (s.back() == '.' || s.back() == '!') return true;
    for (std::string_view end : {"।", "॥", "۔", "…"}) {
        if (s.ends_with(end)) return true;
    }
    return false;
}

bool is_question(std::string_view s) {
    s = trim(s);
    return s.ends_with("?") || s.ends_with("؟");
}

/// A line that reads like a heading: short, without a sentence end.
bool heading_like(std::string_view s) {
    s = trim(s);
    return !s.empty() && word_count(s) <= 12 && !ends_with_terminal(s) && !is_question(s) &&
           !s.ends_with(",");
}

bool mentions_activity(std::string_view text) {
    const auto lower = ascii_lower(text);
    return std::any_of(activity_markers.begin(), activity_markers.end(),
                       [&](std::string_view m) { return lower.find(m) != std::string::npos; });
}

/// A paragraph that begins "Activity…" / "Experiment…" / "गतिविधि…".
bool opens_activity(std::string_view paragraph) {
    const auto tokens = tokenize(paragraph);
    if (tokens.empty()) return false;
    const auto w = ascii_lower(tokens.front().text);
    return w == "activity" || w == "experiment" || w == "गतिविधि" || w == "प्रयोग" || w == "कृती";
}

bool starts_with_imperative(std::string_view sentence) {
    const auto tokens = tokenize(sentence);
    for (std::size_t i = 0; i < tokens.size() && i < 3; ++i) {
        const auto w = ascii_lower(tokens[i].text);
        if (in(leading_adverbs, w)) continue;
        return in(imperative_verbs, w);
    }
    return false;
}

/// An instruction: an imperative ("Connect…") or a subject doing an activity verb ("Students
/// test…", "Each group collects…"). Materials are read only from these sentences.
bool instruction_like(std::string_view sentence) {
    if (starts_with_imperative(sentence)) return true;
    const auto tokens = tokenize(sentence);
    std::size_t verb = 0;
    if (tokens.size() >= 2) {
        const auto w0 = ascii_lower(tokens[0].text);
        const auto w1 = ascii_lower(tokens[1].text);
        if (w0 == "students" || w0 == "children" || w0 == "pupils" || w0 == "you" || w0 == "groups") verb = 1;
        if ((w0 == "each" || w0 == "every" || w0 == "the") &&
            (w1 == "group" || w1 == "student" || w1 == "teacher"))
            verb = 2;
    }
    if (verb == 0 || verb >= tokens.size()) return false;
    auto v = ascii_lower(tokens[verb].text);
    if (in(imperative_verbs, v)) return true;
    if (v.ends_with("es") && in(imperative_verbs, std::string_view(v).substr(0, v.size() - 2))) return true;
    return v.ends_with("s") && in(imperative_verbs, std::string_view(v).substr(0, v.size() - 1));
}

std::string normalise_space(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : trim(s)) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

/// The chunk text after a leading copy of its section heading ("2.1 Activity: … Materials: …").
std::string_view chunk_body(const RetrievedChunk& chunk) {
    std::string_view text = chunk.text;
    const auto section = trim(chunk.section);
    const auto lead = text.find_first_not_of(" \t\r\n");
    if (!section.empty() && lead != std::string_view::npos && text.substr(lead).starts_with(section)) {
        const auto after = lead + section.size();
        if (after == text.size() || !is_word_char(text[after])) return text.substr(after);
    }
    return text;
}

/// Paragraphs of a body: split on blank lines; views into the body.
std::vector<std::string_view> paragraphs(std::string_view body) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < body.size()) {
        auto gap = body.find("\n\n", start);
        // A blank line may hold spaces.
        for (auto p = body.find('\n', start); p != std::string_view::npos && gap != p;
             p = body.find('\n', p + 1)) {
            const auto next = body.find('\n', p + 1);
            if (next == std::string_view::npos) break;
            if (trim(body.substr(p + 1, next - p - 1)).empty()) {
                gap = std::min(gap, p);
                break;
            }
        }
        const auto end = gap == std::string_view::npos ? body.size() : gap;
        if (!trim(body.substr(start, end - start)).empty()) out.push_back(body.substr(start, end - start));
        if (gap == std::string_view::npos) break;
        start = gap + 1;
    }
    return out;
}

/// "2.1 Activity: series and parallel circuits" → "Series and parallel circuits";
/// "Activity 11.1" → "Activity 11.1".
std::string activity_title(std::string_view heading) {
    auto tokens = tokenize(heading);
    std::size_t i = 0;
    auto numbering = [](std::string_view w) {
        return !w.empty() &&
               std::all_of(w.begin(), w.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    };
    while (i < tokens.size() && numbering(tokens[i].text))
        ++i;
    if (i < tokens.size() && mentions_activity(tokens[i].text)) {
        ++i;
        while (i < tokens.size() && numbering(tokens[i].text))
            ++i;
    }
    std::string_view rest = i < tokens.size() ? heading.substr(tokens[i].pos) : std::string_view{};
    rest = trim(rest);
    if (rest.empty()) {
        // Nothing after the number: keep "Activity 11.1" itself, minus a leading section number.
        auto t = tokenize(heading);
        std::size_t k = 0;
        while (k < t.size() && numbering(t[k].text))
            ++k;
        rest = k < t.size() ? trim(heading.substr(t[k].pos)) : trim(heading);
    }
    while (!rest.empty() && (rest.front() == ':' || rest.front() == '-' || rest.front() == ' '))
        rest.remove_prefix(1);
    while (!rest.empty() && (rest.back() == ':' || rest.back() == '-' || rest.back() == ' '))
        rest.remove_suffix(1);
    return capitalise(rest);
}

std::string key_of(std::string_view s) {
    return ascii_lower(normalise_space(s));
}

/// The materials named in text, as (position, phrase, head stem).
struct NamedMaterial {
    std::size_t pos = 0;
    std::size_t end = 0;
    std::string head;
};

std::vector<std::string> material_names(const AdaptationRules& rules) {
    std::vector<std::string> names = rules.common_materials;
    for (const auto& s : rules.substitutions) {
        names.push_back(s.material);
        names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    }
    return names;
}

} // namespace

bool is_instruction_verb(std::string_view lower_word) {
    return in(imperative_verbs, lower_word);
}

std::string stem_word(std::string_view w) {
    static const std::map<std::string, std::string, std::less<>> irregular = {
        {"buses", "bus"},     {"children", "child"}, {"gases", "gas"},   {"halves", "half"},
        {"knives", "knife"},  {"leaves", "leaf"},    {"lenses", "lens"}, {"men", "man"},
        {"people", "person"}, {"shelves", "shelf"},  {"teeth", "tooth"}, {"women", "woman"},
    };
    std::string s(w);
    if (!is_ascii_word(s) || s.size() <= 3 || in(stem_exceptions, s)) return s;
    if (auto it = irregular.find(s); it != irregular.end()) return it->second;
    if (s.ends_with("ss") || s.ends_with("us") || s.ends_with("is")) return s;
    if (s.ends_with("ies") && s.size() > 4) return s.substr(0, s.size() - 3) + "y";
    // "glasses", "boxes", "switches", "bushes" lose "es"; "bases", "sizes", "uses" only "s".
    if (s.ends_with("sses") || s.ends_with("xes") || s.ends_with("ches") || s.ends_with("shes"))
        return s.substr(0, s.size() - 2);
    if (s.ends_with("s")) return s.substr(0, s.size() - 1);
    return s;
}

std::vector<std::string> content_stems(std::string_view text) {
    const auto terms = query_terms(text);
    std::vector<std::string> out;
    for (const auto& t : terms) {
        if (is_stop_word(t)) continue;
        auto s = stem_word(t);
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    if (out.empty()) {
        for (const auto& t : terms) {
            auto s = stem_word(t);
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
        }
    }
    return out;
}

bool stems_match(std::string_view a, std::string_view b) {
    if (a == b) return true;
    if (a.size() > b.size()) std::swap(a, b);
    return a.size() >= 4 && b.size() - a.size() <= 4 && b.starts_with(a) && is_ascii_word(a);
}

std::size_t count_matches(std::span<const std::string> terms, std::span<const std::string> stems) {
    std::size_t n = 0;
    for (const auto& t : terms) {
        if (std::any_of(stems.begin(), stems.end(), [&](const std::string& s) { return stems_match(t, s); }))
            ++n;
    }
    return n;
}

std::size_t word_count(std::string_view text) {
    std::size_t n = 0;
    bool in_word = false;
    for (char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

std::vector<SourceSentence> collect_sentences(std::span<const RetrievedChunk> chunks) {
    std::vector<SourceSentence> out;
    std::set<std::string> seen;
    // Best-ranked chunk first, so a sentence repeated by the overlap belongs to that chunk.
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const auto& chunk = chunks[c];
        const auto body = chunk_body(chunk);
        for (auto para : paragraphs(body)) {
            for (auto sv : split_sentences(para)) {
                const auto text = trim(sv);
                if (text.empty()) continue;
                if (!seen.insert(key_of(text)).second) continue;
                SourceSentence s;
                s.chunk = c;
                s.offset = static_cast<std::size_t>(text.data() - chunk.text.data());
                s.text = std::string(text);
                s.stems = content_stems(text);
                const auto words = word_count(text);
                s.materials = parse_materials_line(text).has_value();
                s.imperative = starts_with_imperative(text);
                s.instruction = instruction_like(text);
                s.statement = words >= 4 && !is_question(text) && !s.materials &&
                              (ends_with_terminal(text) || words >= 6);
                out.push_back(std::move(s));
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [&](const SourceSentence& a, const SourceSentence& b) {
        const auto& ca = chunks[a.chunk];
        const auto& cb = chunks[b.chunk];
        return std::tie(ca.manual_id, ca.page_start, ca.chunk_id, a.offset) <
               std::tie(cb.manual_id, cb.page_start, cb.chunk_id, b.offset);
    });
    return out;
}

std::string shorten_sentence(std::string_view sentence, std::size_t max_words) {
    const auto text = normalise_space(sentence);
    const auto tokens = tokenize(text);
    if (word_count(text) <= max_words || tokens.size() <= max_words) return text;
    // The last clause boundary that keeps between 8 and max_words words.
    std::optional<std::size_t> cut;
    std::size_t words = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == 0 || (text[i - 1] == ' ' && text[i] != ' ')) ++words;
        if (words > max_words) break;
        const bool boundary = text[i] == ',' || text[i] == ';' || text[i] == ':' ||
                              text.compare(i, 5, " \u2013 ") == 0 || text.compare(i, 5, " \u2014 ") == 0;
        if (boundary && words >= 8) cut = i;
    }
    if (cut) {
        auto head = std::string(trim(std::string_view(text).substr(0, *cut)));
        while (!head.empty() && (head.back() == ',' || head.back() == ';' || head.back() == ':'))
            head.pop_back();
        return head + ".";
    }
    const auto keep = max_words > 5 ? max_words - 5 : max_words;
    const auto end = tokens[keep - 1].pos + tokens[keep - 1].text.size();
    return text.substr(0, end) + " …";
}

std::optional<std::vector<std::string>> parse_materials_line(std::string_view sentence) {
    const auto s = trim(sentence);
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon > 40) return std::nullopt;
    const auto label = ascii_lower(trim(s.substr(0, colon)));
    static const std::set<std::string, std::less<>> labels = {
        "materials",    "material",      "materials needed", "materials required",
        "you need",     "you will need", "what you need",    "things needed",
        "requirements", "सामग्री",        "आवश्यक सामग्री",     "साहित्य"};
    if (!labels.contains(label)) return std::nullopt;
    auto list = trim(s.substr(colon + 1));
    while (!list.empty() && (list.back() == '.' || list.back() == ';'))
        list.remove_suffix(1);
    std::vector<std::string> items;
    std::size_t start = 0;
    auto push = [&](std::string_view item) {
        item = trim(item);
        if (!item.empty()) items.emplace_back(item);
    };
    for (std::size_t i = 0; i <= list.size(); ++i) {
        if (i == list.size() || list[i] == ',' || list[i] == ';') {
            auto item = trim(list.substr(start, i - start));
            if (item.starts_with("and ")) item.remove_prefix(4);
            // The last item may join two: "tape and glue".
            const auto and_at = item.find(" and ");
            if (i == list.size() && and_at != std::string_view::npos && word_count(item) <= 6) {
                push(item.substr(0, and_at));
                push(item.substr(and_at + 5));
            } else {
                push(item);
            }
            start = i + 1;
        }
    }
    if (items.empty()) return std::nullopt;
    return items;
}

std::vector<std::string> materials_named(std::string_view sentence, const AdaptationRules& rules) {
    const auto names = material_names(rules);
    const auto tokens = tokenize(sentence);
    const auto lower = ascii_lower(sentence);
    // Heads: material names (or their plurals) as whole words; longer names win.
    std::vector<NamedMaterial> heads;
    for (const auto& name : names) {
        const bool acronym =
            std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        const std::string_view hay = acronym ? sentence : std::string_view(lower);
        for (const auto& form : {name, name + "s", name + "es",
                                 name.ends_with("y") ? name.substr(0, name.size() - 1) + "ies" : name}) {
            for (auto pos = hay.find(form); pos != std::string_view::npos; pos = hay.find(form, pos + 1)) {
                const auto end = pos + form.size();
                if ((pos > 0 && is_word_char(hay[pos - 1])) || (end < hay.size() && is_word_char(hay[end])))
                    continue;
                const bool inside = std::any_of(heads.begin(), heads.end(), [&](const NamedMaterial& h) {
                    return pos >= h.pos && end <= h.end;
                });
                if (inside) continue;
                std::erase_if(heads, [&](const NamedMaterial& h) { return h.pos >= pos && h.end <= end; });
                heads.push_back({pos, end, stem_word(ascii_lower(name))});
            }
        }
    }
    std::sort(heads.begin(), heads.end(),
              [](const NamedMaterial& a, const NamedMaterial& b) { return a.pos < b.pos; });

    auto token_at = [&](std::size_t pos) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (tokens[i].pos <= pos && pos < tokens[i].pos + tokens[i].text.size()) return i;
        }
        return std::nullopt;
    };
    std::vector<std::pair<std::string, std::string>> found; // phrase, head stem
    for (std::size_t h = 0; h < heads.size(); ++h) {
        // "soap water", "torch bulbs": a material followed directly by another is its modifier.
        if (h + 1 < heads.size()) {
            const auto gap = sentence.substr(heads[h].end, heads[h + 1].pos - heads[h].end);
            if (gap == " ") continue;
        }
        const auto first = token_at(heads[h].pos);
        if (!first) continue;
        std::size_t start = *first;
        for (std::size_t steps = 0; steps < 3 && start > 0; ++steps) {
            const auto& prev = tokens[start - 1];
            if (!joined_by_space(sentence, prev, tokens[start])) break;
            const auto w = ascii_lower(prev.text);
            if (w == "of" && start >= 2 && joined_by_space(sentence, tokens[start - 2], prev) &&
                in(quantity_words, ascii_lower(tokens[start - 2].text))) {
                start -= 2;
                continue;
            }
            if (is_stop_word(w) || in(phrase_breaks, w) || in(imperative_verbs, w) || w.ends_with("ly"))
                break;
            --start;
        }
        // "a few", articles and the like never start a material.
        const auto phrase =
            std::string(trim(sentence.substr(tokens[start].pos, heads[h].end - tokens[start].pos)));
        found.emplace_back(phrase, heads[h].head);
    }
    // One entry per material; a later mention with a count ("three lemons") replaces "a lemon".
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [phrase, head] : found) {
        auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.second == head; });
        if (it == out.end()) {
            out.emplace_back(phrase, head);
        } else {
            // "three lemons" replaces "lemon", but "one bulb" does not replace "torch bulb".
            const auto words = tokenize(phrase);
            const auto kept = tokenize(it->first);
            if (words.empty() || kept.empty() || !is_number_word(ascii_lower(words.front().text)) ||
                is_number_word(ascii_lower(kept.front().text)))
                continue;
            const bool covers = std::all_of(kept.begin(), kept.end(), [&](const Token& k) {
                return std::any_of(words.begin() + 1, words.end(), [&](const Token& w) {
                    return stem_word(ascii_lower(w.text)) == stem_word(ascii_lower(k.text));
                });
            });
            if (covers) it->first = phrase;
        }
    }
    std::vector<std::string> phrases;
    for (auto& [phrase, head] : out)
        phrases.push_back(std::move(phrase));
    return phrases;
}

std::vector<FoundActivity> find_activities(std::span<const RetrievedChunk> chunks,
                                           std::span<const SourceSentence> sentences,
                                           const AdaptationRules& rules) {
    std::map<std::string, std::size_t> by_key; // normalised sentence → index
    for (std::size_t i = 0; i < sentences.size(); ++i)
        by_key.emplace(key_of(sentences[i].text), i);

    // Chunks in manual order, so an activity's parts arrive in order.
    std::vector<std::size_t> order(chunks.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::tie(chunks[a].manual_id, chunks[a].page_start, chunks[a].chunk_id) <
               std::tie(chunks[b].manual_id, chunks[b].page_start, chunks[b].chunk_id);
    });

    std::vector<FoundActivity> found;
    std::map<std::string, std::size_t> by_title;
    auto activity_for = [&](const std::string& title, std::size_t first_sentence) -> FoundActivity& {
        // Untitled activities are never merged: each paragraph stands alone.
        const auto key = title.empty() ? "#" + std::to_string(first_sentence) : ascii_lower(title);
        auto [it, inserted] = by_title.emplace(key, found.size());
        if (inserted) found.push_back({title, {}, {}});
        return found[it->second];
    };

    for (auto c : order) {
        const auto& chunk = chunks[c];
        // A chunk that took in a short section's text names both ("2 Electricity…; 2.1 Activity:
        // …", chunker.cpp): the activity is the part that names one.
        std::string heading;
        for (std::string_view rest = chunk.section; heading.empty() && !rest.empty();) {
            const auto cut = rest.find("; ");
            const std::string part(rest.substr(0, cut));
            if (mentions_activity(part)) heading = activity_title(part);
            rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 2);
        }
        bool in_activity = !heading.empty();
        for (auto para : paragraphs(chunk_body(chunk))) {
            if (heading_like(para)) {
                in_activity = mentions_activity(para);
                heading = in_activity ? activity_title(para) : std::string();
                continue;
            }
            std::vector<std::size_t> idx;
            std::size_t imperative = 0;
            bool has_materials_line = false;
            for (auto sv : split_sentences(para)) {
                const auto it = by_key.find(key_of(sv));
                if (it == by_key.end()) continue;
                idx.push_back(it->second);
                imperative += sentences[it->second].imperative ? 1 : 0;
                has_materials_line = has_materials_line || sentences[it->second].materials;
            }
            if (idx.empty()) continue;
            bool is_activity = in_activity || has_materials_line || opens_activity(para);
            if (!is_activity && imperative >= 2 && imperative * 2 >= idx.size()) {
                std::string joined;
                for (auto i : idx)
                    joined += sentences[i].text + " ";
                is_activity = !materials_named(joined, rules).empty();
            }
            if (!is_activity) continue;
            auto& act = activity_for(heading, idx.front());
            for (auto i : idx) {
                if (std::find(act.sentences.begin(), act.sentences.end(), i) == act.sentences.end())
                    act.sentences.push_back(i);
            }
        }
    }

    for (auto& act : found) {
        std::sort(act.sentences.begin(), act.sentences.end());
        for (auto i : act.sentences) {
            if (auto list = parse_materials_line(sentences[i].text)) {
                act.materials = std::move(*list);
                break;
            }
        }
        if (act.materials.empty()) {
            // From the instructions ("Push a copper coin…"), not from what students learn about.
            std::string joined, all;
            for (auto i : act.sentences) {
                if (instruction_like(sentences[i].text)) joined += sentences[i].text + " ";
                all += sentences[i].text + " ";
            }
            act.materials = materials_named(joined, rules);
            if (act.materials.empty()) act.materials = materials_named(all, rules);
        }
    }
    return found;
}

std::string capitalise(std::string_view text) {
    std::string out(text);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
    return out;
}

std::string title_case(std::string_view text) {
    static const std::set<std::string, std::less<>> small = {
        "a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "with"};
    const auto t = normalise_space(text);
    std::string out;
    std::size_t i = 0;
    bool first = true;
    while (i < t.size()) {
        const auto sp = t.find(' ', i);
        const auto word = std::string_view(t).substr(i, sp == std::string::npos ? std::string::npos : sp - i);
        const bool has_inner_capital = std::any_of(word.begin() + (word.empty() ? 0 : 1), word.end(),
                                                   [](char c) { return c >= 'A' && c <= 'Z'; });
        if (!out.empty()) out += ' ';
        if (!first && small.contains(ascii_lower(word)) && !has_inner_capital) {
            out += ascii_lower(word);
        } else if (has_inner_capital || !is_ascii_word(word)) {
            out += word;
        } else {
            out += capitalise(word);
        }
        first = false;
        if (sp == std::string::npos) break;
        i = sp + 1;
    }
    return out;
}

} // namespace shiksha::detail
