// The offline adapter: a module written from the retrieved sentences and the cluster profile
// with fixed rules (no model). Everything is ordered explicitly (manual order, rule priority,
// file order), so the same input always gives the same bytes.
#include "adaptation/adapter.hpp"

#include "adaptation/extract.hpp"
#include "adaptation/rules.hpp"
#include "core/text.hpp"
#include "retrieval/query.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>

namespace shiksha::detail {

namespace {

constexpr std::size_t min_key_sentences = 4;
constexpr std::size_t max_key_sentences = 8;
constexpr std::size_t max_activities = 2;
constexpr std::size_t max_manual_steps = 6;
constexpr std::size_t max_assessment = 5;
constexpr std::size_t max_materials = 8;

/// Words that say little about a topic on their own: never chosen as key terms or blanks.
const std::set<std::string, std::less<>> generic_words = {
    "activity", "also",  "another", "answer", "ask",     "both",     "child",    "children", "class",
    "does",     "each",  "enough",  "every",  "example", "first",    "give",     "given",    "happen",
    "happens",  "here",  "just",    "learn",  "learns",  "like",     "make",     "makes",    "manual",
    "many",     "much",  "need",    "needs",  "only",    "other",    "page",     "same",     "second",
    "show",     "shows", "simple",  "some",   "still",   "student",  "students", "take",     "teacher",
    "teachers", "thing", "things",  "three",  "time",    "together", "very",     "well",     "whole",
    "would",    "using", "used",    "uses",   "every",   "group",    "groups",   "what",     "which",
};

/// Words in a sentence that describes what students see.
constexpr auto observation_words = std::to_array<std::string_view>({
    "observe", "observed", "see",      "seen",   "glow",   "glows",    "goes out", "turns",     "turn",
    "changes", "change",   "becomes",  "stays",  "lights", "light up", "moves",    "dissolves", "floats",
    "sinks",   "colour",   "brighter", "dimmer", "dimly",  "brightly", "records",  "notice",
});

std::string lower_first(std::string_view s) {
    std::string out(s);
    // Keep acronyms and "I": only a capital followed by a lower-case letter, or the article "A", is lowered.
    if (out.size() >= 2 && out[0] >= 'A' && out[0] <= 'Z' &&
        ((out[1] >= 'a' && out[1] <= 'z') || (out[0] == 'A' && out[1] == ' ')))
        out[0] = static_cast<char>(out[0] + 32);
    return out;
}

/// The topic inside a sentence: "Series and parallel circuits" → "series and parallel circuits";
/// a topic typed in Title Case loses its capitals except in acronyms ("LED").
std::string topic_phrase(std::string_view topic) {
    const auto t = std::string(trim(topic));
    bool sentence_case = false;
    std::size_t word_start = 0;
    for (std::size_t i = 0; i <= t.size(); ++i) {
        if (i < t.size() && t[i] != ' ') continue;
        if (word_start > 0 && word_start < t.size() && t[word_start] >= 'a' && t[word_start] <= 'z')
            sentence_case = true;
        word_start = i + 1;
    }
    if (sentence_case) return lower_first(t);
    std::string out;
    word_start = 0;
    for (std::size_t i = 0; i <= t.size(); ++i) {
        if (i < t.size() && t[i] != ' ') continue;
        auto word = t.substr(word_start, i - word_start);
        if (word.size() >= 2 && word[0] >= 'A' && word[0] <= 'Z' &&
            std::all_of(word.begin() + 1, word.end(), [](char c) { return !(c >= 'A' && c <= 'Z'); }))
            word[0] = static_cast<char>(word[0] + 32);
        out += (out.empty() ? "" : " ") + word;
        word_start = i + 1;
    }
    return out;
}

std::string number_word(std::size_t n) {
    static const std::array<std::string_view, 11> words = {"no",  "one",   "two",   "three", "four", "five",
                                                           "six", "seven", "eight", "nine",  "ten"};
    return n < words.size() ? std::string(words[n]) : std::to_string(n);
}

std::string strip_end_punct(std::string_view s) {
    s = trim(s);
    while (!s.empty() && (s.back() == '.' || s.back() == ',' || s.back() == ';' || s.back() == ':' ||
                          s.back() == '!' || s.back() == ' '))
        s.remove_suffix(1);
    return std::string(s);
}

std::string with_period(std::string_view s) {
    auto t = std::string(trim(s));
    if (t.empty()) return t;
    const char last = t.back();
    if (last != '.' && last != '!' && last != '?' && !t.ends_with("…") && !t.ends_with("।")) t += '.';
    return t;
}

/// "a, b and c" (or "a; b; and c" with other separators).
std::string join_list(const std::vector<std::string>& items, std::string_view sep = ", ",
                      std::string_view last_sep = " and ") {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? last_sep : sep;
        out += items[i];
    }
    return out;
}

std::string article_for(std::string_view word) {
    return !word.empty() && std::string_view("AEIOUaeiou").find(word.front()) != std::string_view::npos ? "an"
                                                                                                        : "a";
}

std::string quote(std::string_view s) {
    return fmt::format("\u201c{}\u201d", s);
}

std::string page_label(int start, int end) {
    if (end <= start) return fmt::format("p. {}", start);
    return fmt::format("pp. {}\u2013{}", start, end);
}

bool contains_any(std::string_view lower, std::span<const std::string_view> words) {
    return std::any_of(words.begin(), words.end(),
                       [&](std::string_view w) { return contains_phrase(lower, w); });
}

struct WhyQuestion {
    std::string question;
    std::string answer;
    std::vector<std::size_t> sentences;
    int kind = 0; ///< 0 because, 1 therefore, 2 so that
};

/// Everything the writer needs, computed once.
class ModuleWriter {
public:
    ModuleWriter(const AdaptationInput& in, const AdaptationRules& rules)
        : in_(in), rules_(rules), profile_(analyse_cluster(in.cluster, in.grade, rules)),
          sentences_(collect_sentences(in.chunks)), topic_(content_stems(in.topic)),
          title_(title_case(trim(in.topic))) {
        choose_key_sentences();
        choose_terms();
        choose_activities();
        find_why_questions();
        build_activities();
    }

    ModuleContent write() {
        ModuleContent m;
        m.title = title_;
        m.activities = activities_;
        for (const auto& src : activity_sources_)
            used_.insert(src.begin(), src.end());
        m.sections = {
            {"Classroom Challenge", classroom_challenge()},
            {"Why This Matters", why_this_matters()},
            {"Suggested Teaching Approach", teaching_approach()},
            {"Low-Resource Activity", low_resource_activity()},
            {"Expected Student Response", expected_response()},
            {"Classroom Signals", classroom_signals()},
            {"Teacher Feedback Prompt", feedback_prompt()},
        };
        m.teaching_tips = select_tips(profile_, rules_, placeholder_values());
        m.assessment = assessment();
        m.summary = summary();
        m.citations = citations();
        return m;
    }

private:
    const AdaptationInput& in_;
    const AdaptationRules& rules_;
    ClusterProfile profile_;
    std::vector<SourceSentence> sentences_;
    std::vector<std::string> topic_;
    std::string title_;
    std::vector<std::size_t> key_;          // key sentences, manual order
    std::vector<std::string> terms_;        // key terms shown to teachers (the best three)
    std::vector<std::string> ranked_terms_; // every candidate term of the key sentences, best first
    std::vector<FoundActivity> found_;      // the manual's activities chosen for the topic
    std::vector<std::string>
        brief_materials_;              // the first activity's materials from the text, briefly (short forms)
    std::vector<Activity> activities_; // adapted
    std::vector<std::vector<std::size_t>> activity_sources_;
    std::vector<std::string> substitution_notes_;
    std::vector<std::pair<std::string, std::string>> substitutions_made_; // material, substitute
    std::vector<WhyQuestion> why_;
    std::set<std::size_t> used_;   // sentences the module relies on (cited)
    std::set<std::size_t> quoted_; // sentences already quoted in a section (not repeated)

    // ---- reading -------------------------------------------------------------------------

    std::size_t score(std::size_t i) const { return count_matches(topic_, sentences_[i].stems); }

    void choose_key_sentences() {
        std::vector<std::pair<std::size_t, std::size_t>> scored; // score, index
        for (std::size_t i = 0; i < sentences_.size(); ++i) {
            if (!sentences_[i].statement) continue;
            if (auto s = score(i); s > 0) scored.emplace_back(s, i);
        }
        std::stable_sort(scored.begin(), scored.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (const auto& [s, i] : scored) {
            if (key_.size() == max_key_sentences) break;
            key_.push_back(i);
        }
        if (key_.size() < min_key_sentences) {
            // Too few sentences name the topic: the best-ranked chunks' statements fill in.
            std::vector<std::size_t> rest;
            for (std::size_t i = 0; i < sentences_.size(); ++i) {
                if (sentences_[i].statement && std::find(key_.begin(), key_.end(), i) == key_.end())
                    rest.push_back(i);
            }
            std::stable_sort(rest.begin(), rest.end(), [&](std::size_t a, std::size_t b) {
                return sentences_[a].chunk < sentences_[b].chunk;
            });
            for (auto i : rest) {
                if (key_.size() == min_key_sentences) break;
                key_.push_back(i);
            }
        }
        std::sort(key_.begin(), key_.end());
    }

    void choose_terms() {
        struct Count {
            std::size_t count = 0;
            std::size_t first = 0;
            bool topical = false;
        };
        std::map<std::string, Count> counts;
        std::size_t position = 0;
        for (auto k : key_) {
            for (const auto& word : query_terms(sentences_[k].text)) {
                ++position;
                if (is_stop_word(word) || generic_words.contains(word)) continue;
                const bool ascii = std::all_of(word.begin(), word.end(),
                                               [](char c) { return static_cast<unsigned char>(c) < 0x80; });
                if (ascii && (word.size() < 4 || std::any_of(word.begin(), word.end(),
                                                             [](char c) { return c >= '0' && c <= '9'; })))
                    continue;
                const auto stem = stem_word(word);
                auto [it, inserted] = counts.try_emplace(stem, Count{0, position, false});
                ++it->second.count;
                it->second.topical = std::any_of(topic_.begin(), topic_.end(),
                                                 [&](const std::string& t) { return stems_match(t, stem); });
            }
        }
        std::vector<std::pair<std::string, Count>> ranked(counts.begin(), counts.end());
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            if (a.second.topical != b.second.topical) return a.second.topical;
            if (a.second.count != b.second.count) return a.second.count > b.second.count;
            return a.second.first < b.second.first;
        });
        // Blanks and key terms are concepts: words of the topic, words several key sentences
        // repeat, or materials; never an instruction verb ("Connect").
        for (const auto& [stem, count] : ranked) {
            if (is_instruction_verb(stem)) continue;
            const bool material = !materials_named(stem, rules_).empty();
            if (count.topical || count.count >= 2 || material) ranked_terms_.push_back(stem);
        }
        // Shown terms are distinct words, not one family ("electric" and "electricity").
        for (const auto& t : ranked_terms_) {
            if (terms_.size() == 3) break;
            if (std::none_of(terms_.begin(), terms_.end(),
                             [&](const std::string& x) { return stems_match(x, t); }))
                terms_.push_back(t);
        }
    }

    std::string terms_text() const {
        if (terms_.empty()) return topic_phrase(in_.topic);
        return join_list(terms_);
    }

    std::string step_text(std::size_t i) const {
        auto text = shorten_sentence(sentences_[i].text);
        if (profile_.infrastructure != InfraLevel::high)
            text = substitute_in_step(text, profile_.infrastructure, rules_);
        return text;
    }

    void choose_activities() {
        auto found = find_activities(in_.chunks, sentences_, rules_);
        std::vector<std::pair<std::size_t, std::size_t>> ranked; // score, index
        for (std::size_t a = 0; a < found.size(); ++a) {
            std::vector<std::string> stems = content_stems(found[a].title);
            for (auto i : found[a].sentences)
                stems.insert(stems.end(), sentences_[i].stems.begin(), sentences_[i].stems.end());
            ranked.emplace_back(count_matches(topic_, stems), a);
        }
        std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
            if (x.first != y.first) return x.first > y.first;
            return found[x.second].sentences.front() < found[y.second].sentences.front();
        });
        std::vector<std::size_t> chosen;
        for (const auto& [s, a] : ranked) {
            if (s > 0 && chosen.size() < max_activities) chosen.push_back(a);
        }
        if (chosen.empty() && !found.empty()) {
            // Nothing names the topic, but retrieval judged these chunks relevant: take the
            // activity of the best-ranked chunk.
            std::size_t best = 0;
            for (std::size_t a = 1; a < found.size(); ++a) {
                auto rank = [&](std::size_t x) { return sentences_[found[x].sentences.front()].chunk; };
                if (rank(a) < rank(best)) best = a;
            }
            chosen.push_back(best);
        }
        std::sort(chosen.begin(), chosen.end(), [&](std::size_t x, std::size_t y) {
            return found[x].sentences.front() < found[y].sentences.front();
        });
        for (auto a : chosen)
            found_.push_back(std::move(found[a]));
    }

    void build_activities() {
        for (const auto& f : found_)
            adapt_activity(f, activities_.empty());
        if (activities_.empty()) compose_activity();
    }

    std::string duration(std::size_t manual_steps) const {
        std::size_t minutes =
            10 + 5 * manual_steps + (profile_.large_class ? 10 : 0) + (profile_.multigrade ? 5 : 0);
        minutes = std::clamp<std::size_t>((minutes + 4) / 5 * 5, 15, 45);
        return fmt::format("{} minutes", minutes);
    }

    void add_organisation_steps(std::vector<std::string>& steps) const {
        if (profile_.large_class) {
            steps.push_back(
                "Form groups of five or six with fixed roles (materials keeper, reader, recorder, presenter, "
                "timekeeper); each materials keeper collects one kit for the group.");
        }
        if (profile_.multigrade) {
            steps.push_back(
                "Do the first step together with all grades; then younger children observe and name what "
                "they see while older children record and explain.");
        }
        if (profile_.infrastructure == InfraLevel::medium && !profile_.large_class) {
            steps.push_back(
                "Set up stations: the school's equipment at one, the low-cost version at the others; groups "
                "rotate.");
        }
    }

    /// The why-question to close the activity with: one whose sentences name no material the
    /// class replaced (with turmeric, nobody sees "blue litmus turn red").
    const WhyQuestion* closing_question() const {
        for (const auto& w : why_) {
            const bool swapped =
                profile_.infrastructure != InfraLevel::high &&
                std::any_of(w.sentences.begin(), w.sentences.end(), [&](std::size_t i) {
                    return !find_substitutions(sentences_[i].text, profile_.infrastructure, rules_).empty();
                });
            if (!swapped) return &w;
        }
        return nullptr;
    }

    std::string closing_step() const {
        if (const auto* why = closing_question()) {
            return fmt::format("Ask each group's presenter: {}{}", why->question,
                               profile_.language_not_english
                                   ? fmt::format(" Accept answers in {} first, then add the English term.",
                                                 profile_.language)
                                   : std::string());
        }
        if (profile_.language_not_english) {
            return fmt::format(
                "Ask each group to say what they saw and why, in {} first and then with the English terms.",
                profile_.language);
        }
        return "Ask each group to say what they saw and why.";
    }

    void adapt_activity(const FoundActivity& found, bool first) {
        Activity a;
        a.title = found.title.empty() ? fmt::format("Hands-on activity: {}", title_) : found.title;
        for (const auto& item : found.materials) {
            if (a.materials.size() == max_materials) break;
            const Substitution* used = nullptr;
            std::optional<std::string> swapped;
            if (profile_.infrastructure != InfraLevel::high)
                swapped = substitute_material(item, profile_.infrastructure, rules_, &used);
            if (swapped && used) {
                a.materials.push_back(*swapped);
                if (first) brief_materials_.push_back(used->short_form);
                record_substitution(*used, item);
            } else {
                a.materials.push_back(item);
                if (first) brief_materials_.push_back(item);
            }
        }
        std::vector<std::size_t> sources;
        std::vector<std::string> manual_steps;
        std::vector<const Substitution*> explained;
        for (auto i : found.sentences) {
            if (sentences_[i].materials) {
                sources.push_back(i);
                continue;
            }
            if (manual_steps.size() == max_manual_steps) break;
            auto text = shorten_sentence(sentences_[i].text);
            std::vector<std::string> after;
            if (profile_.infrastructure != InfraLevel::high) {
                if (sentences_[i].instruction) {
                    std::vector<const Substitution*> used;
                    text = substitute_in_step(text, profile_.infrastructure, rules_, &used);
                    for (const auto* u : used)
                        record_substitution(*u, u->material);
                } else {
                    // A result ("Blue litmus turns red…") stays as the manual says it: with the
                    // substitute it looks different, and the step after says how.
                    for (const auto& hit : find_substitutions(text, profile_.infrastructure, rules_)) {
                        if (hit.rule->expect.empty() ||
                            std::find(explained.begin(), explained.end(), hit.rule) != explained.end())
                            continue;
                        explained.push_back(hit.rule);
                        after.push_back(fmt::format("With {}, look for this instead: {}",
                                                    hit.rule->short_form, hit.rule->expect));
                    }
                }
            }
            manual_steps.push_back(std::move(text));
            manual_steps.insert(manual_steps.end(), after.begin(), after.end());
            sources.push_back(i);
        }
        if (a.materials.empty()) a.materials = default_materials();
        if (first && profile_.infrastructure == InfraLevel::low) {
            a.steps.push_back(
                "Before class, gather the materials (ask families a week ahead) and try the activity "
                "once yourself.");
        } else if (first && profile_.infrastructure == InfraLevel::medium) {
            a.steps.push_back(
                "Before class, set out the school's equipment and the low-cost materials, and try the "
                "activity once yourself.");
        }
        if (first) add_organisation_steps(a.steps);
        a.steps.insert(a.steps.end(), manual_steps.begin(), manual_steps.end());
        if (first) a.steps.push_back(closing_step());
        a.duration = duration(manual_steps.size());
        activities_.push_back(std::move(a));
        activity_sources_.push_back(std::move(sources));
    }

    std::vector<std::string> default_materials() const {
        std::vector<std::string> m;
        if (profile_.infrastructure == InfraLevel::high) {
            m = {"blackboard and chalk", "notebooks", "the school's equipment for the topic"};
        } else {
            m = {"blackboard and chalk", "notebooks",
                 "local objects that show the idea (collected by the students)"};
        }
        return m;
    }

    /// No activity in the text: one built from the key sentences and the cluster's constraints.
    void compose_activity() {
        Activity a;
        a.title = fmt::format("Observe and explain: {}", title_);
        std::string joined;
        for (auto k : key_)
            joined += sentences_[k].text + " ";
        for (const auto& item : materials_named(joined, rules_)) {
            if (a.materials.size() == max_materials - 2) break;
            const Substitution* used = nullptr;
            std::optional<std::string> swapped;
            if (profile_.infrastructure != InfraLevel::high)
                swapped = substitute_material(item, profile_.infrastructure, rules_, &used);
            a.materials.push_back(swapped ? *swapped : item);
            brief_materials_.push_back(swapped && used ? used->short_form : item);
            if (swapped && used) record_substitution(*used, item);
        }
        for (auto& d : default_materials())
            a.materials.push_back(std::move(d));
        std::vector<std::size_t> sources;
        add_organisation_steps(a.steps);
        a.steps.push_back(profile_.language_not_english
                              ? fmt::format("Write the key terms ({}) on the board in {} and English.",
                                            terms_text(), profile_.language)
                              : fmt::format("Write the key terms ({}) on the board.", terms_text()));
        if (!key_.empty()) {
            a.steps.push_back(fmt::format("Read aloud: {} Each group restates it in its own words.",
                                          quote(shorten_sentence(sentences_[key_.front()].text))));
            sources.push_back(key_.front());
        }
        if (!brief_materials_.empty()) {
            a.steps.push_back(
                fmt::format("With {}, each group tries to show what the sentence describes while you "
                            "move between groups and ask what they see.",
                            join_list(brief_materials_)));
        }
        a.steps.push_back(
            fmt::format("Each group finds or draws one example of it from {}.", local_places()));
        a.steps.push_back(
            "Each presenter shares the group's example; the class checks it against the manual's "
            "statement.");
        a.steps.push_back(closing_step());
        a.duration = duration(3);
        activities_.push_back(std::move(a));
        activity_sources_.push_back(std::move(sources));
    }

    /// `original` is how the manual named the material ("two beakers").
    void record_substitution(const Substitution& s, std::string_view original) {
        const auto entry = std::make_pair(std::string(s.material), s.substitute);
        if (std::find(substitutions_made_.begin(), substitutions_made_.end(), entry) !=
            substitutions_made_.end())
            return;
        substitutions_made_.push_back(entry);
        substitution_notes_.push_back(fmt::format("Instead of {}: {}. {}", original, s.substitute, s.note));
    }

    void find_why_questions() {
        std::vector<std::size_t> pool = key_;
        for (const auto& f : found_)
            pool.insert(pool.end(), f.sentences.begin(), f.sentences.end());
        std::sort(pool.begin(), pool.end());
        pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
        for (auto i : pool) {
            const auto& s = sentences_[i];
            if (!s.statement) continue;
            const auto text = shorten_sentence(s.text, 40);
            const auto lower = ascii_lower(text);
            if (auto at = lower.find(" because "); at != std::string::npos) {
                const auto main = strip_end_punct(std::string_view(text).substr(0, at));
                const auto reason = strip_end_punct(std::string_view(text).substr(at + 9));
                if (word_count(main) >= 3 && word_count(reason) >= 2) {
                    why_.push_back({fmt::format("Why is it that {}?", lower_first(main)),
                                    fmt::format("Because {}.", reason),
                                    {i},
                                    0});
                }
            } else if (auto so = lower.find(" so that "); so != std::string::npos) {
                const auto main = strip_end_punct(std::string_view(text).substr(0, so));
                const auto reason = strip_end_punct(std::string_view(text).substr(so + 9));
                if (word_count(main) >= 3 && word_count(reason) >= 2) {
                    why_.push_back({s.imperative
                                        ? fmt::format("What is this step for: {}?", quote(main))
                                        : fmt::format("Why is it useful that {}?", lower_first(main)),
                                    fmt::format("So that {}.", reason),
                                    {i},
                                    2});
                }
            } else if (lower.starts_with("therefore")) {
                // The reason is the sentence before, when it is in the same chunk.
                auto rest = std::string_view(text).substr(9);
                while (!rest.empty() && (rest.front() == ',' || rest.front() == ' '))
                    rest.remove_prefix(1);
                if (i > 0 && sentences_[i - 1].chunk == s.chunk && word_count(rest) >= 3) {
                    why_.push_back({fmt::format("Why is it that {}?", lower_first(strip_end_punct(rest))),
                                    fmt::format("Because {}", lower_first(with_period(
                                                                  shorten_sentence(sentences_[i - 1].text)))),
                                    {i - 1, i},
                                    1});
                }
            } else if (auto th = lower.find(", therefore "); th != std::string::npos) {
                const auto cause = strip_end_punct(std::string_view(text).substr(0, th));
                const auto effect = strip_end_punct(std::string_view(text).substr(th + 12));
                if (word_count(cause) >= 2 && word_count(effect) >= 3) {
                    why_.push_back({fmt::format("Why is it that {}?", effect),
                                    fmt::format("Because {}.", lower_first(cause)),
                                    {i},
                                    1});
                }
            }
        }
        // Causes ("because") make the best questions, purposes ("so that") the weakest.
        std::stable_sort(why_.begin(), why_.end(),
                         [](const WhyQuestion& a, const WhyQuestion& b) { return a.kind < b.kind; });
    }

    // ---- writing -------------------------------------------------------------------------

    std::string use(std::size_t i, std::size_t max_words = 30) {
        used_.insert(i);
        quoted_.insert(i);
        return shorten_sentence(sentences_[i].text, max_words);
    }

    std::optional<std::size_t> first_unused(const std::vector<std::size_t>& from,
                                            const std::function<bool(std::size_t)>& want) const {
        for (auto i : from) {
            if (!quoted_.contains(i) && want(i)) return i;
        }
        return std::nullopt;
    }

    std::string level_word() const { return ascii_lower(to_string(profile_.infrastructure)); }

    std::string home_text() const { return join_list(profile_.home_languages); }

    std::string class_size_text() const {
        return profile_.class_size > 0 ? fmt::format("{} students", profile_.class_size)
                                       : "a crowded room of students";
    }

    std::string local_places() const {
        const auto& r = profile_.region;
        if (r.find("tribal") != std::string::npos || r.find("forest") != std::string::npos)
            return "the village, the fields and the forest";
        if (r.find("semi") != std::string::npos) return "home, the town market and the farms nearby";
        if (r.find("urban") != std::string::npos || r.find("city") != std::string::npos)
            return "home, the street and the market";
        if (r.find("coast") != std::string::npos) return "home, the boats and the market";
        if (r.find("hill") != std::string::npos || r.find("mountain") != std::string::npos)
            return "home, the slopes and the streams";
        if (r.find("rural") != std::string::npos || r.find("village") != std::string::npos ||
            r.find("desert") != std::string::npos)
            return "home, the fields and the market";
        return "home and the neighbourhood";
    }

    std::string activity_name() const {
        return activities_.empty() ? std::string("the activity") : quote(activities_.front().title);
    }

    /// "the manual's activity “…”", or "the activity" for one composed here.
    std::string manual_activity() const {
        if (found_.empty() || activities_.empty()) return "the activity";
        return fmt::format("the manual's activity {}", quote(activities_.front().title));
    }

    std::map<std::string, std::string> placeholder_values() const {
        std::vector<std::string> materials(
            brief_materials_.begin(),
            brief_materials_.begin() +
                static_cast<std::ptrdiff_t>(std::min<std::size_t>(4, brief_materials_.size())));
        return {
            {"language", profile_.language.empty() ? std::string("the school language") : profile_.language},
            {"home_language",
             profile_.home_languages.empty() ? std::string("their home language") : home_text()},
            {"topic", topic_phrase(in_.topic)},
            {"terms", terms_text()},
            {"materials", materials.empty() ? std::string("the activity's materials") : join_list(materials)},
            {"class_size", profile_.class_size > 0 ? fmt::format("{} or more students", profile_.class_size)
                                                   : std::string("so many students")},
            {"region", in_.cluster.region_type},
        };
    }

    std::string cluster_intro() const {
        const auto& c = in_.cluster;
        const auto region = std::string(trim(c.region_type));
        std::string out = region.empty()
                              ? fmt::format("{} is a cluster", c.name)
                              : fmt::format("{} is {} {} cluster", c.name, article_for(region), region);
        if (!profile_.language.empty()) out += fmt::format(" working in {}", profile_.language);
        out += fmt::format(" with {} infrastructure", level_word());
        const auto infra = std::string(trim(c.infrastructure_constraints));
        if (!infra.empty() && !iequals_ascii(infra, to_string(profile_.infrastructure)))
            out += fmt::format(" ({})", infra);
        return out + ".";
    }

    std::string classroom_challenge() const {
        std::vector<std::string> clauses;
        const auto materials_count = activities_.empty() ? 0 : activities_.front().materials.size();
        switch (profile_.infrastructure) {
        case InfraLevel::low:
            clauses.push_back(fmt::format(
                "{}, so {} has to work with {} local, near-zero-cost materials{}",
                profile_.no_lab ? "there is no laboratory" : "equipment is scarce", manual_activity(),
                materials_count > 0 ? number_word(materials_count) : std::string("a few"),
                profile_.no_lab ? " on the classroom floor or in the yard" : ""));
            break;
        case InfraLevel::medium:
            clauses.push_back(
                fmt::format("some equipment exists but not enough for every group, so in {} most "
                            "students would watch rather than do",
                            manual_activity()));
            break;
        case InfraLevel::high:
            clauses.push_back(
                fmt::format("equipment is available, but without a plan a few students handle it in {} "
                            "while the rest copy notes",
                            manual_activity()));
            break;
        }
        if (profile_.no_electricity)
            clauses.push_back(
                "electricity cannot be relied on, so nothing may depend on a projector, a plug point or "
                "a charged phone");
        if (profile_.large_class)
            clauses.push_back(
                fmt::format("with {} in a room, few children can see one demonstration or get a turn",
                            profile_.class_size > 0 ? fmt::format("{} or more students", profile_.class_size)
                                                    : std::string("so many students")));
        if (profile_.multigrade)
            clauses.push_back(
                "one teacher has several grades in the same room and must keep each of them working at "
                "its own level");
        if (!profile_.home_languages.empty()) {
            clauses.push_back(
                fmt::format("many children speak {} at home and meet terms such as {} in a school "
                            "language that is not their own",
                            home_text(), terms_text()));
        } else if (profile_.language_not_english) {
            clauses.push_back(
                fmt::format("students learn in {} while the manual is in English, so terms such as {} "
                            "need {} equivalents",
                            profile_.language, terms_text(), profile_.language));
        }
        if (contains_phrase(profile_.issues, "first-generation") ||
            contains_phrase(profile_.issues, "first generation"))
            clauses.push_back(
                "first-generation learners get little help with schoolwork at home, so understanding "
                "has to be built in class");
        if (contains_phrase(profile_.issues, "migration"))
            clauses.push_back(
                "children who leave during seasonal migration miss lessons and need a quick way to catch up");

        std::string out = cluster_intro();
        const std::string issues(trim(in_.cluster.key_issues.value_or("")));
        if (!issues.empty())
            out += fmt::format(" Key issues its teachers report: {}", with_period(lower_first(issues)));
        out += fmt::format(" For {} this means that ", quote(title_));
        for (std::size_t i = 0; i < clauses.size(); ++i) {
            if (i > 0) out += i + 1 == clauses.size() ? "; and " : "; ";
            out += clauses[i];
        }
        return out + ".";
    }

    std::string why_this_matters() {
        std::string out;
        std::vector<std::string> quoted;
        // Statements of the idea first; instructions only when the text has nothing else.
        std::vector<std::size_t> picks;
        for (auto k : key_) {
            if (picks.size() < 2 && !sentences_[k].imperative) picks.push_back(k);
        }
        for (auto k : key_) {
            if (picks.size() < 2 && std::find(picks.begin(), picks.end(), k) == picks.end())
                picks.push_back(k);
        }
        std::sort(picks.begin(), picks.end());
        for (auto k : picks)
            quoted.push_back(quote(use(k)));
        if (!quoted.empty()) {
            out += "In the manual's words: ";
            for (std::size_t i = 0; i < quoted.size(); ++i)
                out += (i ? " " : "") + quoted[i];
            out += "\n";
        }
        out += fmt::format(
            "Students who build and observe this themselves, instead of copying a definition, can "
            "explain {} in their own words and apply it to something new: the experiential, "
            "competency-based learning that NEP 2020 asks for.",
            topic_phrase(in_.topic));
        if (!profile_.home_languages.empty()) {
            out += fmt::format(
                " In {} it matters even more: children who speak {} at home understand through what "
                "they see and do long before they have the words in {}.",
                in_.cluster.name, home_text(),
                profile_.language.empty() ? std::string("the school language") : profile_.language);
        } else if (profile_.large_class) {
            out += fmt::format(
                " With {} in a class, a lecture reaches the front benches; an activity in groups reaches "
                "everyone.",
                class_size_text());
        } else if (profile_.infrastructure == InfraLevel::low) {
            out += " Where children rarely see laboratory equipment, an activity with familiar materials "
                   "shows them "
                   "that science happens in their own surroundings.";
        } else if (profile_.language_not_english) {
            out +=
                fmt::format(" Learning it in {} first lets students reason with the idea before they have to "
                            "handle English terms.",
                            profile_.language);
        } else {
            out += fmt::format(
                " Teachers in {} can check understanding as it happens, not only at the end of the "
                "chapter.",
                in_.cluster.name);
        }
        return out;
    }

    std::string teaching_approach() {
        std::vector<std::string> steps;
        steps.push_back(
            fmt::format("Start from experience: ask what children already know about {} from {}, and "
                        "write their words on the board{}.",
                        topic_phrase(in_.topic), local_places(),
                        profile_.language_not_english ? fmt::format(" in {} and English", profile_.language)
                                                      : std::string()));
        std::vector<std::size_t> method_pool = key_;
        for (const auto& src : activity_sources_)
            method_pool.insert(method_pool.end(), src.begin(), src.end());
        if (auto m = first_unused(method_pool, [&](std::size_t i) {
                return sentences_[i].imperative && sentences_[i].statement;
            })) {
            auto text = use(*m);
            if (profile_.infrastructure != InfraLevel::high)
                text = substitute_in_step(text, profile_.infrastructure, rules_);
            steps.push_back(fmt::format("Follow the manual's method: {}", quote(text)));
        } else {
            steps.push_back(fmt::format("Do {} before explaining the idea, so that students see it first.",
                                        activity_name()));
        }
        if (profile_.large_class && profile_.multigrade) {
            steps.push_back(
                "Organise groups of five or six with fixed roles, mixing grades so that an older student "
                "leads each group; give younger children observe-and-name tasks and older children "
                "record-and-explain tasks.");
        } else if (profile_.large_class) {
            steps.push_back(
                "Organise groups of five or six with fixed roles (materials keeper, reader, recorder, "
                "presenter, timekeeper), one kit per group, and call on groups by number.");
        } else if (profile_.multigrade) {
            steps.push_back(
                "Start all grades together, then give younger children observe-and-name tasks and older "
                "children record-and-explain tasks.");
        } else {
            steps.push_back("Let students work in pairs and talk about what they see before anyone writes.");
        }
        if (profile_.infrastructure == InfraLevel::medium) {
            steps.push_back(
                "Rotate groups through stations: the school's equipment at one, low-cost versions at the "
                "others.");
        } else if (profile_.infrastructure == InfraLevel::high) {
            steps.push_back(
                "Make sure every student handles the equipment; each group works from a task card.");
        }
        if (profile_.language_not_english) {
            steps.push_back(fmt::format("Explain in {}; say and write each key term ({}) in {} and English.",
                                        profile_.language, terms_text(), profile_.language));
        } else {
            steps.push_back(fmt::format(
                "Introduce the key terms ({}) only after students have seen the effect.", terms_text()));
        }
        if (!why_.empty()) {
            steps.push_back("Close by asking each group to explain why in its own words, then check with the "
                            "questions in the assessment.");
        } else {
            steps.push_back(
                "Close with two exit questions (see the assessment) and note who needs help tomorrow.");
        }
        std::string out;
        for (std::size_t i = 0; i < steps.size(); ++i)
            out += fmt::format("{}{}. {}", i ? "\n" : "", i + 1, steps[i]);
        return out;
    }

    std::string low_resource_activity() {
        if (activities_.empty()) return {};
        const auto& a = activities_.front();
        for (auto i : activity_sources_.front())
            used_.insert(i);
        std::string arrangement;
        if (profile_.large_class) {
            arrangement = ", in groups of five or six";
        } else if (profile_.multigrade) {
            arrangement = ", all grades together, then by level";
        } else {
            arrangement = ", in pairs or small groups";
        }
        std::string out = fmt::format("{} ({}{}).\n", a.title, a.duration, arrangement);
        out += fmt::format("Materials: {}.\n", join_list(a.materials, "; ", "; "));
        out += "Steps:";
        for (std::size_t i = 0; i < a.steps.size(); ++i)
            out += fmt::format("\n{}. {}", i + 1, a.steps[i]);
        switch (profile_.infrastructure) {
        case InfraLevel::low:
            out += fmt::format(
                "\nEverything comes from a kitchen, {} or the school yard; the cost is close to zero.",
                profile_.region.find("urban") != std::string::npos ? "a local shop" : "the village market");
            break;
        case InfraLevel::medium:
            out += "\nUse the school's equipment at one station and these low-cost materials at the others, "
                   "so that "
                   "every group works at the same time.";
            break;
        case InfraLevel::high:
            out += "\nThe school's equipment is used as the manual describes; the point is that every "
                   "student handles "
                   "it.";
            break;
        }
        for (const auto& note : substitution_notes_)
            out += "\n" + note;
        return out;
    }

    std::string expected_response() {
        std::vector<std::string> points;
        // What students see is best told by the activity's own sentences, then the key ones.
        std::vector<std::size_t> pool;
        for (const auto& src : activity_sources_)
            pool.insert(pool.end(), src.begin(), src.end());
        pool.insert(pool.end(), key_.begin(), key_.end());
        auto observes = [&](std::size_t i) {
            return sentences_[i].statement && !sentences_[i].imperative &&
                   contains_any(ascii_lower(sentences_[i].text), observation_words);
        };
        std::optional<std::size_t> seen;
        for (auto i : pool) {
            if (observes(i)) {
                seen = i;
                break;
            }
        }
        if (seen) points.push_back(fmt::format("describe what they observed: {}", quote(use(*seen))));
        if (auto idea = first_unused(key_, [&](std::size_t i) { return !sentences_[i].imperative; })) {
            points.push_back(fmt::format("explain in their own words that {}", quote(use(*idea))));
        }
        if (!why_.empty()) {
            points.push_back(fmt::format("give the reason in their own words ({})",
                                         lower_first(strip_end_punct(why_.front().answer))));
            for (auto i : why_.front().sentences)
                used_.insert(i);
        }
        if (profile_.language_not_english) {
            points.push_back(fmt::format("name {} in {} and in English", terms_text(), profile_.language));
        } else {
            points.push_back(fmt::format("use the terms {} correctly in their own sentences", terms_text()));
        }
        if (profile_.multigrade) {
            points.push_back(
                "show understanding at their own level: younger children name and draw, older children "
                "record and explain");
        }
        std::string out = "Students should be able to:";
        for (const auto& p : points)
            out += "\n- " + p;
        return out;
    }

    std::string classroom_signals() const {
        std::vector<std::string> s;
        s.push_back(fmt::format(
            "Working: every group finishes {} and its recorder can say what the group saw{}.",
            activity_name(), profile_.large_class ? " (in a big class, check five groups at random)" : ""));
        s.push_back(
            profile_.language_not_english
                ? fmt::format("Working: students use {} correctly in {} and in English when they explain.",
                              terms_text(), profile_.language)
                : fmt::format("Working: students use {} correctly when they explain.", terms_text()));
        if (profile_.multigrade) {
            s.push_back("Working: older students explain to younger ones without reading from the book.");
        } else if (profile_.large_class) {
            s.push_back("Working: answers come from the back benches as well as the front.");
        } else {
            s.push_back("Working: students ask their own \u201cwhat if\u201d questions about the activity.");
        }
        if (profile_.infrastructure == InfraLevel::low) {
            s.push_back(
                "Adjust: if the local materials give unclear results (a dim bulb, a faint colour), try them "
                "yourself and replace them before the next class; if more than a third of the class gets the "
                "exit question wrong, repeat the activity with another local example.");
        } else {
            s.push_back(
                "Adjust: if more than a third of the class gets the exit question wrong, repeat the activity "
                "with another example before moving on.");
        }
        std::string out;
        for (const auto& line : s)
            out += (out.empty() ? "- " : "\n- ") + line;
        return out;
    }

    std::string feedback_prompt() const {
        const auto act = activity_name();
        if (profile_.large_class) {
            return fmt::format(
                "In your class of {}, how many groups could explain the result of {} without your "
                "help, and what will you change so that the back benches take part too?",
                profile_.class_size > 0 ? fmt::format("{} or more", profile_.class_size)
                                        : std::string("many students"),
                act);
        }
        if (profile_.multigrade) {
            return fmt::format(
                "Which grade in your room gained most from {}, and how will you give the other grade a "
                "task at its own level next time?",
                act);
        }
        if (!profile_.home_languages.empty()) {
            return fmt::format(
                "Which of the terms {} did children understand only after you explained them in {}, and "
                "how will you introduce them next time?",
                terms_text(), home_text());
        }
        if (profile_.language_not_english) {
            return fmt::format(
                "Which of the terms {} did students first explain correctly in {}, and which still "
                "need work before they meet them in English?",
                terms_text(), profile_.language);
        }
        if (profile_.infrastructure == InfraLevel::low) {
            return fmt::format(
                "Did the local materials in {} show the idea as clearly as the manual's, and what will "
                "you change before you use them again?",
                act);
        }
        return fmt::format(
            "What did students' answers tell you about their understanding of {}, and what one thing "
            "will you change next time?",
            topic_phrase(in_.topic));
    }

    /// The word of `sentence` to blank: the best key term it holds that is not in `taken`; with
    /// `any_word`, else its longest content word.
    std::optional<std::pair<std::size_t, std::size_t>>
    blank_in(std::string_view sentence, const std::set<std::string>& taken, bool any_word) const {
        struct Word {
            std::size_t pos, len;
            std::string stem;
        };
        std::vector<Word> words;
        std::size_t i = 0;
        auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
        while (i < sentence.size()) {
            if (!is_letter(sentence[i])) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < sentence.size() && is_letter(sentence[j]))
                ++j;
            // Parts of hyphenated or non-ASCII words are never blanked.
            const bool clean =
                (i == 0 || (sentence[i - 1] != '-' && static_cast<unsigned char>(sentence[i - 1]) < 0x80)) &&
                (j == sentence.size() ||
                 (sentence[j] != '-' && static_cast<unsigned char>(sentence[j]) < 0x80));
            if (clean) words.push_back({i, j - i, stem_word(ascii_lower(sentence.substr(i, j - i)))});
            i = j;
        }
        for (const auto& t : ranked_terms_) {
            if (taken.contains(t)) continue;
            for (const auto& w : words) {
                if (w.stem == t) return std::make_pair(w.pos, w.len);
            }
        }
        if (!any_word) return std::nullopt;
        const Word* best = nullptr;
        for (const auto& w : words) {
            const auto lower = ascii_lower(sentence.substr(w.pos, w.len));
            if (w.len < 5 || is_stop_word(lower) || generic_words.contains(lower) || taken.contains(w.stem) ||
                is_instruction_verb(lower))
                continue;
            if (!best || w.len > best->len) best = &w;
        }
        if (best) return std::make_pair(best->pos, best->len);
        return std::nullopt;
    }

    std::vector<AssessmentQuestion> assessment() {
        std::vector<AssessmentQuestion> out;
        std::set<std::size_t> asked;
        for (const auto& w : why_) {
            if (out.size() == 2) break;
            out.push_back({w.question, w.answer});
            for (auto i : w.sentences) {
                asked.insert(i);
                used_.insert(i);
            }
        }
        // Cloze questions: each blanks a different key term; other words only when too few.
        std::set<std::string> taken;
        for (const bool any_word : {false, true}) {
            for (auto k : key_) {
                if (out.size() == max_assessment || (any_word && out.size() >= 3)) break;
                if (asked.contains(k)) continue;
                const auto text = shorten_sentence(sentences_[k].text);
                const auto blank = blank_in(text, taken, any_word);
                if (!blank) continue;
                auto question = text;
                const auto answer = question.substr(blank->first, blank->second);
                question.replace(blank->first, blank->second, "_____");
                out.push_back({fmt::format("Fill in the blank: {}", question), answer});
                taken.insert(stem_word(ascii_lower(answer)));
                asked.insert(k);
                used_.insert(k);
            }
        }
        if (out.size() < 3 && !substitutions_made_.empty()) {
            const auto& [material, substitute] = substitutions_made_.front();
            out.push_back({fmt::format("In this activity, what can you use instead of {}?", material),
                           capitalise(with_period(substitute))});
        }
        if (out.size() < 3) {
            std::string answer = key_.empty()
                                     ? fmt::format("An example that shows {}.", topic_phrase(in_.topic))
                                     : use(key_.front());
            out.push_back({fmt::format("Explain {} to a partner using one example from {}.",
                                       topic_phrase(in_.topic), local_places()),
                           answer});
        }
        while (out.size() < 3) {
            out.push_back({fmt::format("What did you observe in {}, and what does it show?", activity_name()),
                           key_.empty() ? std::string("Answers vary: students describe what they saw.")
                                        : use(key_.back())});
            if (out.size() < 3 && key_.size() < 2) {
                out.push_back({"Which step of the activity would you change for your class, and why?",
                               "Answers vary: the teacher checks that the change keeps the activity safe."});
            }
        }
        return out;
    }

    std::string summary() const {
        int first_page = 0, last_page = 0;
        std::string manual;
        for (auto i : used_) {
            const auto& c = in_.chunks[sentences_[i].chunk];
            if (first_page == 0 || c.page_start < first_page) first_page = c.page_start;
            last_page = std::max(last_page, c.page_end);
        }
        if (!in_.chunks.empty()) manual = in_.chunks.front().manual_title;
        std::string source =
            manual.empty() ? std::string("the manual") : fmt::format("the manual {}", quote(manual));
        if (first_page > 0) source += fmt::format(" ({})", page_label(first_page, last_page));
        const auto region = std::string(trim(in_.cluster.region_type));
        std::string s1 = fmt::format(
            "This module adapts {} from {} for {}, {}{} cluster{} with {} infrastructure.", quote(title_),
            source, in_.cluster.name, region.empty() ? std::string("a") : article_for(region),
            region.empty() ? std::string() : " " + region,
            profile_.language.empty() ? std::string() : " working in " + profile_.language, level_word());
        std::vector<std::string> changes;
        if (!activities_.empty()) {
            const auto& a = activities_.front();
            switch (profile_.infrastructure) {
            case InfraLevel::low:
                changes.push_back(substitutions_made_.empty()
                                      ? fmt::format("the activity {} runs on local materials", quote(a.title))
                                      : fmt::format("the activity {} uses {} instead of {}", quote(a.title),
                                                    substitutions_made_.front().second,
                                                    substitutions_made_.front().first));
                break;
            case InfraLevel::medium:
                changes.push_back(fmt::format(
                    "the activity {} runs in stations with the equipment the school has", quote(a.title)));
                break;
            case InfraLevel::high:
                changes.push_back(
                    fmt::format("the activity {} keeps the manual's equipment with every student hands-on",
                                quote(a.title)));
                break;
            }
        }
        if (profile_.large_class) changes.push_back("groups with fixed roles suit large classes");
        if (profile_.multigrade) changes.push_back("tasks at two levels suit multigrade rooms");
        if (!profile_.home_languages.empty()) {
            changes.push_back(fmt::format("key terms bridge from {} at home to {}", home_text(),
                                          profile_.language.empty() ? std::string("the school language")
                                                                    : profile_.language));
        } else if (profile_.language_not_english) {
            changes.push_back(fmt::format("key terms are taught in {} and English", profile_.language));
        }
        if (profile_.no_electricity) changes.push_back("nothing needs electricity");
        return s1 + fmt::format(" It keeps the manual's concepts and changes how they are taught: {}.",
                                join_list(changes, "; ", "; and "));
    }

    std::vector<Citation> citations() const {
        std::map<std::size_t, std::vector<std::size_t>> by_chunk;
        for (auto i : used_)
            by_chunk[sentences_[i].chunk].push_back(i);
        std::vector<Citation> out;
        for (auto& [c, list] : by_chunk) {
            const auto& chunk = in_.chunks[c];
            std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
                return sentences_[a].offset < sentences_[b].offset;
            });
            // Sentences next to each other in the chunk are quoted as one piece, others joined
            // by " … ": every piece is the chunk's own text.
            std::string excerpt;
            std::size_t piece_end = 0;
            for (std::size_t n = 0; n < list.size(); ++n) {
                const auto& s = sentences_[list[n]];
                const auto gap =
                    n == 0 ? std::string_view{}
                           : std::string_view(chunk.text)
                                 .substr(piece_end, s.offset > piece_end ? s.offset - piece_end : 0);
                if (n > 0 && s.offset >= piece_end && trim(gap).empty()) {
                    excerpt.append(gap);
                } else if (n > 0) {
                    excerpt += " \u2026 ";
                }
                excerpt += s.text;
                piece_end = s.offset + s.text.size();
            }
            out.push_back(
                {chunk.chunk_id, chunk.manual_id, chunk.page_start, chunk.page_end, std::move(excerpt)});
        }
        std::stable_sort(out.begin(), out.end(), [](const Citation& a, const Citation& b) {
            return std::tie(a.manual_id, a.page_start, a.chunk_id) <
                   std::tie(b.manual_id, b.page_start, b.chunk_id);
        });
        return out;
    }
};

} // namespace

ModuleContent offline_adapt(const AdaptationInput& input) {
    ModuleWriter writer(input, adaptation_rules());
    return writer.write();
}

Answer offline_answer(std::string_view question, std::span<const RetrievedChunk> chunks) {
    Answer answer;
    answer.generation.adapter = "offline-extractive";
    answer.generation.offline = true;
    answer.generation.provider = "shiksha";
    answer.generation.model = "extractive-v1";
    answer.generation.prompt_version = "extractive-v1";

    std::vector<std::string> terms;
    for (const auto& t : query_terms(question)) {
        if (is_stop_word(t)) continue;
        auto s = stem_word(t);
        if (std::find(terms.begin(), terms.end(), s) == terms.end()) terms.push_back(std::move(s));
    }
    const auto sentences = collect_sentences(chunks);
    struct Hit {
        std::size_t score, index;
    };
    std::vector<Hit> hits;
    if (!terms.empty()) {
        for (std::size_t i = 0; i < sentences.size(); ++i) {
            if (word_count(sentences[i].text) < 3) continue;
            if (auto s = count_matches(terms, sentences[i].stems); s > 0) hits.push_back({s, i});
        }
    }
    if (hits.empty()) {
        answer.answer = "The manuals do not cover this question.";
        answer.grounded = false;
        return answer;
    }
    // Best overlap first; ties: the better-ranked chunk, then manual order.
    std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
        if (a.score != b.score) return a.score > b.score;
        if (sentences[a.index].chunk != sentences[b.index].chunk)
            return sentences[a.index].chunk < sentences[b.index].chunk;
        return a.index < b.index;
    });
    const std::size_t best = hits.front().score;
    std::vector<std::size_t> chosen;
    for (const auto& h : hits) {
        // Sentences with less than half the best overlap are noise next to the best ones.
        if (chosen.size() == 3 || h.score * 2 < best) break;
        chosen.push_back(h.index);
    }
    std::sort(chosen.begin(), chosen.end());

    std::string text;
    for (std::size_t n = 0; n < chosen.size(); ++n) {
        const auto& s = sentences[chosen[n]];
        const auto& c = chunks[s.chunk];
        text += (text.empty() ? "" : " ") + with_period(shorten_sentence(s.text, 40));
        const bool same_page_next = n + 1 < chosen.size() &&
                                    chunks[sentences[chosen[n + 1]].chunk].page_start == c.page_start &&
                                    chunks[sentences[chosen[n + 1]].chunk].page_end == c.page_end;
        if (!same_page_next) text += fmt::format(" ({})", page_label(c.page_start, c.page_end));
    }
    answer.answer = std::move(text);
    answer.grounded = true;

    // One source per chunk used, most relevant first.
    std::map<std::size_t, std::vector<std::size_t>> by_chunk;
    std::map<std::size_t, std::size_t> overlap;
    for (const auto& h : hits) {
        if (std::find(chosen.begin(), chosen.end(), h.index) == chosen.end()) continue;
        by_chunk[sentences[h.index].chunk].push_back(h.index);
        overlap[sentences[h.index].chunk] += h.score;
    }
    double top_retrieval = 0;
    std::size_t top_overlap = 0;
    for (const auto& [c, list] : by_chunk) {
        top_retrieval = std::max(top_retrieval, chunks[c].score);
        top_overlap = std::max(top_overlap, overlap[c]);
    }
    for (auto& [c, list] : by_chunk) {
        const auto& chunk = chunks[c];
        std::sort(list.begin(), list.end(),
                  [&](std::size_t a, std::size_t b) { return sentences[a].offset < sentences[b].offset; });
        std::string excerpt;
        for (auto i : list)
            excerpt += (excerpt.empty() ? "" : " \u2026 ") + sentences[i].text;
        // The retrieval score when there is one (the contract's meaning), else the overlap.
        const double relevance = top_retrieval > 0
                                     ? chunk.score / top_retrieval
                                     : static_cast<double>(overlap[c]) / static_cast<double>(top_overlap);
        answer.sources.push_back({chunk.chunk_id, chunk.manual_id, chunk.manual_title, chunk.page_start,
                                  chunk.page_end, std::move(excerpt), relevance});
    }
    std::stable_sort(answer.sources.begin(), answer.sources.end(),
                     [](const AnswerSource& a, const AnswerSource& b) { return a.relevance > b.relevance; });
    return answer;
}

} // namespace shiksha::detail
