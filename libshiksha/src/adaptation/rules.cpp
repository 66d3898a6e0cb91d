#include "adaptation/rules.hpp"

#include "adaptation/adapter.hpp"
#include "core/assert.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "shiksha/json.hpp"
#include "shiksha/languages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace shiksha::detail {

namespace {

constexpr std::string_view substitutions_path = "adaptation/substitutions.json";
constexpr std::string_view tips_path = "adaptation/tips.json";

const std::set<std::string, std::less<>> known_placeholders = {"language",  "home_language", "topic", "terms",
                                                               "materials", "class_size",    "region"};
const std::set<std::string, std::less<>> known_bands = {"primary", "upper_primary", "secondary"};

bool is_word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    // Bytes of multi-byte UTF-8 sequences count as word characters: a boundary is never
    // placed inside (or right next to) a non-ASCII letter.
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

std::optional<InfraLevel> parse_level(std::string_view s) {
    if (iequals_ascii(s, "low")) return InfraLevel::low;
    if (iequals_ascii(s, "medium")) return InfraLevel::medium;
    if (iequals_ascii(s, "high")) return InfraLevel::high;
    return std::nullopt;
}

/// Collects every problem in a data file instead of stopping at the first.
struct Checker {
    std::string file;
    std::vector<std::string> problems;

    void problem(std::string where, std::string what) {
        problems.push_back(fmt::format("{}: {}: {}", file, where, what));
    }

    std::string string(const Json& obj, std::string_view key, std::string_view where, bool required = true) {
        const Json* v = obj.find(key);
        if (!v) {
            if (required) problem(std::string(where), fmt::format("'{}' is missing", key));
            return {};
        }
        if (!v->is_string()) {
            problem(std::string(where),
                    fmt::format("'{}' must be a string, not {}", key, to_string(v->kind())));
            return {};
        }
        if (required && trim(v->as_string()).empty())
            problem(std::string(where), fmt::format("'{}' is empty", key));
        return v->as_string();
    }

    std::vector<std::string> strings(const Json& obj, std::string_view key, std::string_view where,
                                     bool required = true) {
        std::vector<std::string> out;
        const Json* v = obj.find(key);
        if (!v) {
            if (required) problem(std::string(where), fmt::format("'{}' is missing", key));
            return out;
        }
        if (!v->is_array()) {
            problem(std::string(where), fmt::format("'{}' must be an array of strings", key));
            return out;
        }
        for (const auto& item : v->as_array()) {
            if (!item.is_string() || trim(item.as_string()).empty()) {
                problem(std::string(where), fmt::format("'{}' holds an empty or non-string item", key));
                continue;
            }
            out.push_back(item.as_string());
        }
        return out;
    }

    std::optional<bool> boolean(const Json& obj, std::string_view key, std::string_view where) {
        const Json* v = obj.find(key);
        if (!v) return std::nullopt;
        if (!v->is_bool()) {
            problem(std::string(where), fmt::format("'{}' must be true or false", key));
            return std::nullopt;
        }
        return v->as_bool();
    }

    std::vector<InfraLevel> levels(const Json& obj, std::string_view key, std::string_view where,
                                   bool required) {
        std::vector<InfraLevel> out;
        for (const auto& s : strings(obj, key, where, required)) {
            if (auto l = parse_level(s)) {
                out.push_back(*l);
            } else {
                problem(std::string(where),
                        fmt::format("'{}' has unknown level '{}' (Low, Medium, High)", key, s));
            }
        }
        return out;
    }

    void check_placeholders(std::string_view text, std::string_view where) {
        for (std::size_t open = text.find('{'); open != std::string_view::npos;
             open = text.find('{', open + 1)) {
            const auto close = text.find('}', open);
            if (close == std::string_view::npos) {
                problem(std::string(where), "unclosed '{'");
                return;
            }
            const auto name = text.substr(open + 1, close - open - 1);
            if (!known_placeholders.contains(name)) {
                problem(std::string(where), fmt::format("unknown placeholder {{{}}}", name));
            }
        }
    }
};

std::vector<std::string> lower_all(std::vector<std::string> v) {
    for (auto& s : v)
        s = ascii_lower(s);
    return v;
}

void parse_substitutions(const Json& root, Checker& c, AdaptationRules& out) {
    const Json* list = root.find("substitutions");
    if (!list || !list->is_array()) {
        c.problem("top level", "'substitutions' must be an array");
        return;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const Json& e = list->as_array()[i];
        const auto where = fmt::format("substitutions[{}]", i);
        if (!e.is_object()) {
            c.problem(where, "must be an object");
            continue;
        }
        Substitution s;
        s.material = ascii_lower(c.string(e, "material", where));
        s.aliases = lower_all(c.strings(e, "aliases", where, false));
        s.substitute = c.string(e, "substitute", where);
        s.short_form = c.string(e, "short", where);
        s.note = c.string(e, "note", where);
        s.expect = c.string(e, "expect", where, false);
        s.applies_when = c.levels(e, "applies_when", where, true);
        if (s.applies_when.empty()) c.problem(where, "'applies_when' names no level");
        s.replace_in_steps = c.boolean(e, "replace_in_steps", where).value_or(true);
        for (const auto& n : [&] {
                 auto all = s.aliases;
                 all.push_back(s.material);
                 return all;
             }()) {
            if (!names.insert(n).second) c.problem(where, fmt::format("'{}' is already listed", n));
        }
        out.substitutions.push_back(std::move(s));
    }
    out.common_materials = c.strings(root, "common_materials", "top level");
    for (auto& m : out.common_materials) {
        // Acronyms (LED) stay as written and match case-sensitively.
        if (std::none_of(m.begin(), m.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) continue;
        m = ascii_lower(m);
    }
}

void parse_signals(const Json& root, Checker& c, ProfileSignals& out) {
    const Json* s = root.find("signals");
    if (!s || !s->is_object()) {
        c.problem("top level", "'signals' must be an object");
        return;
    }
    const Json* infra = s->find("infrastructure");
    if (!infra || !infra->is_object()) {
        c.problem("signals", "'infrastructure' must be an object of Low/Medium/High word lists");
    } else {
        for (const auto& [key, words] : infra->as_object()) {
            auto level = parse_level(key);
            if (!level) {
                c.problem("signals.infrastructure", fmt::format("unknown level '{}'", key));
                continue;
            }
            out.infrastructure[*level] = lower_all(c.strings(*infra, key, "signals.infrastructure"));
        }
        if (out.infrastructure.size() != 3) c.problem("signals.infrastructure", "needs Low, Medium and High");
    }
    out.no_lab = lower_all(c.strings(*s, "no_lab", "signals"));
    out.no_electricity = lower_all(c.strings(*s, "no_electricity", "signals"));
    out.large_class = lower_all(c.strings(*s, "large_class", "signals"));
    out.multigrade = lower_all(c.strings(*s, "multigrade", "signals"));
    out.home_language_cues = lower_all(c.strings(*s, "home_language_cues", "signals"));
    out.home_languages = c.strings(*s, "home_languages", "signals");
}

void parse_tip_rules(const Json& root, Checker& c, AdaptationRules& out) {
    const Json* list = root.find("rules");
    if (!list || !list->is_array()) {
        c.problem("top level", "'rules' must be an array");
        return;
    }
    static const std::set<std::string, std::less<>> condition_keys = {
        "region_type",   "not_region_type", "infrastructure",      "issues",
        "no_lab",        "no_electricity",  "large_class",         "multigrade",
        "home_language", "grade_band",      "language_not_english"};
    std::set<std::string> ids;
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const Json& e = list->as_array()[i];
        const auto where = fmt::format("rules[{}]", i);
        if (!e.is_object()) {
            c.problem(where, "must be an object");
            continue;
        }
        TipRule r;
        r.id = c.string(e, "id", where);
        if (!r.id.empty() && !ids.insert(r.id).second)
            c.problem(where, fmt::format("duplicate id '{}'", r.id));
        if (const Json* p = e.find("priority"); p && p->is_int()) {
            r.priority = static_cast<int>(p->as_int());
        } else {
            c.problem(where, "'priority' must be an integer");
        }
        r.fallback = c.boolean(e, "fallback", where).value_or(false);
        const Json* when = e.find("when");
        if (!when || !when->is_object()) {
            c.problem(where, "'when' must be an object");
        } else {
            for (const auto& [key, value] : when->as_object()) {
                if (!condition_keys.contains(key))
                    c.problem(where, fmt::format("unknown condition '{}'", key));
            }
            auto& w = r.when;
            w.region_type = lower_all(c.strings(*when, "region_type", where, false));
            w.not_region_type = lower_all(c.strings(*when, "not_region_type", where, false));
            w.infrastructure = c.levels(*when, "infrastructure", where, false);
            w.issues = lower_all(c.strings(*when, "issues", where, false));
            w.no_lab = c.boolean(*when, "no_lab", where);
            w.no_electricity = c.boolean(*when, "no_electricity", where);
            w.large_class = c.boolean(*when, "large_class", where);
            w.multigrade = c.boolean(*when, "multigrade", where);
            w.language_not_english = c.boolean(*when, "language_not_english", where);
            w.home_language = c.boolean(*when, "home_language", where);
            w.grade_band = c.strings(*when, "grade_band", where, false);
            for (const auto& b : w.grade_band) {
                if (!known_bands.contains(b)) c.problem(where, fmt::format("unknown grade band '{}'", b));
            }
            if (when->as_object().empty() && !r.fallback) {
                c.problem(where, "a rule without conditions must be a fallback");
            }
        }
        r.tips = c.strings(e, "tips", where);
        if (r.tips.empty() || r.tips.size() > 2) c.problem(where, "'tips' must hold one or two tips");
        for (std::size_t t = 0; t < r.tips.size(); ++t) {
            c.check_placeholders(r.tips[t], fmt::format("{}.tips[{}]", where, t));
        }
        out.tips.push_back(std::move(r));
    }
}

std::string read_version(const Json& root, Checker& c) {
    auto version = c.string(root, "version", "top level");
    (void)c.string(root, "about", "top level");
    return version;
}

/// Byte offsets of whole-word, case-insensitive occurrences of `needle` (lower-case) in `lower_text`.
std::vector<std::size_t> word_occurrences(std::string_view lower_text, std::string_view needle) {
    std::vector<std::size_t> out;
    if (needle.empty()) return out;
    for (auto pos = lower_text.find(needle); pos != std::string_view::npos;
         pos = lower_text.find(needle, pos + 1)) {
        const bool left_ok = pos == 0 || !is_word_byte(lower_text[pos - 1]) || !is_word_byte(needle.front());
        const auto end = pos + needle.size();
        const bool right_ok =
            end == lower_text.size() || !is_word_byte(lower_text[end]) || !is_word_byte(needle.back());
        if (left_ok && right_ok) out.push_back(pos);
    }
    return out;
}

bool any_phrase(std::string_view lower_text, const std::vector<std::string>& phrases) {
    return std::any_of(phrases.begin(), phrases.end(),
                       [&](const std::string& p) { return contains_phrase(lower_text, p); });
}

bool any_substring(std::string_view lower_text, const std::vector<std::string>& parts) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](const std::string& p) { return lower_text.find(p) != std::string_view::npos; });
}

/// Class sizes named in key issues: "classes of 60 to 80 students" → 80. A number counts when a
/// word for students follows within four words or "class" comes just before it.
int largest_class_size(std::string_view lower_issues) {
    std::vector<std::string> words;
    std::string word;
    for (char ch : lower_issues) {
        if (is_word_byte(ch)) {
            word += ch;
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    static const std::set<std::string, std::less<>> pupils = {"students", "children", "pupils", "learners",
                                                              "kids"};
    static const std::set<std::string, std::less<>> class_words = {"class", "classes", "size", "strength",
                                                                   "of"};
    int best = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& w = words[i];
        if (w.empty() || w.size() > 4 ||
            !std::all_of(w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            continue;
        const int n = std::stoi(w);
        bool counts = false;
        for (std::size_t j = i + 1; j < words.size() && j <= i + 4; ++j)
            counts = counts || pupils.contains(words[j]);
        if (i > 0 && class_words.contains(words[i - 1])) counts = true;
        if (counts) best = std::max(best, n);
    }
    return best;
}

std::vector<std::string> grade_bands(const std::optional<std::string>& grade) {
    std::vector<std::string> bands;
    if (!grade) return bands;
    const auto g = ascii_lower(*grade);
    auto add = [&](std::string_view b) {
        if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.emplace_back(b);
    };
    int lo = 99, hi = 0;
    std::string digits;
    auto flush = [&] {
        if (!digits.empty() && digits.size() <= 2) {
            const int n = std::stoi(digits);
            if (n >= 1 && n <= 12) {
                lo = std::min(lo, n);
                hi = std::max(hi, n);
            }
        }
        digits.clear();
    };
    for (char ch : g) {
        if (ch >= '0' && ch <= '9') {
            digits += ch;
        } else {
            flush();
        }
    }
    flush();
    if (hi > 0) {
        if (lo <= 5) add("primary");
        if (lo <= 8 && hi >= 6) add("upper_primary");
        if (hi >= 9) add("secondary");
    } else {
        if (contains_phrase(g, "upper primary") || contains_phrase(g, "middle")) {
            add("upper_primary");
        } else if (contains_phrase(g, "primary")) {
            add("primary");
        }
        if (contains_phrase(g, "secondary") || contains_phrase(g, "high school")) add("secondary");
    }
    std::sort(bands.begin(), bands.end(), [](const std::string& a, const std::string& b) {
        auto rank = [](std::string_view s) { return s == "primary" ? 0 : s == "upper_primary" ? 1 : 2; };
        return rank(a) < rank(b);
    });
    return bands;
}

} // namespace

std::string_view to_string(InfraLevel level) noexcept {
    switch (level) {
    case InfraLevel::low: return "Low";
    case InfraLevel::medium: return "Medium";
    case InfraLevel::high: return "High";
    }
    return "Medium";
}

bool Substitution::applies(InfraLevel level) const {
    return std::find(applies_when.begin(), applies_when.end(), level) != applies_when.end();
}

Result<AdaptationRules> parse_adaptation_rules(std::string_view substitutions_json,
                                               std::string_view tips_json) {
    AdaptationRules rules;
    std::vector<std::string> problems;
    std::string tips_version;

    Checker subs{"substitutions.json", {}};
    if (auto root = Json::parse(substitutions_json); !root) {
        subs.problem("JSON", root.error().message);
    } else if (!root->is_object()) {
        subs.problem("top level", "must be an object");
    } else {
        rules.version = read_version(*root, subs);
        parse_substitutions(*root, subs, rules);
    }

    Checker tips{"tips.json", {}};
    if (auto root = Json::parse(tips_json); !root) {
        tips.problem("JSON", root.error().message);
    } else if (!root->is_object()) {
        tips.problem("top level", "must be an object");
    } else {
        tips_version = read_version(*root, tips);
        parse_signals(*root, tips, rules.signals);
        parse_tip_rules(*root, tips, rules);
    }
    if (!rules.version.empty() && !tips_version.empty() && rules.version != tips_version) {
        tips.problem("version",
                     fmt::format("'{}' differs from substitutions.json's '{}'", tips_version, rules.version));
    }

    problems = std::move(subs.problems);
    problems.insert(problems.end(), tips.problems.begin(), tips.problems.end());
    if (!problems.empty()) {
        std::string message = "adaptation rules are invalid: ";
        for (std::size_t i = 0; i < problems.size(); ++i)
            message += (i ? "; " : "") + problems[i];
        return fail(ErrorCode::invalid_argument, std::move(message));
    }
    return rules;
}

const AdaptationRules& adaptation_rules() {
    static const AdaptationRules rules = [] {
        const auto subs = embedded_file(substitutions_path);
        const auto tips = embedded_file(tips_path);
        SHIKSHA_ASSERT(subs && tips);
        auto parsed = parse_adaptation_rules(*subs, *tips);
        if (!parsed) std::fprintf(stderr, "shiksha: %s\n", parsed.error().message.c_str());
        SHIKSHA_ASSERT(parsed.has_value());
        SHIKSHA_ASSERT(parsed->version == offline_rules_version);
        return std::move(*parsed);
    }();
    return rules;
}

bool contains_phrase(std::string_view text, std::string_view phrase) {
    return !word_occurrences(text, phrase).empty();
}

ClusterProfile analyse_cluster(const Cluster& cluster, const std::optional<std::string>& grade,
                               const AdaptationRules& rules) {
    ClusterProfile p;
    const auto& sig = rules.signals;
    p.region = ascii_lower(trim(cluster.region_type));
    const auto infra = ascii_lower(cluster.infrastructure_constraints);
    const auto issues_only = ascii_lower(cluster.key_issues.value_or(""));
    p.issues = issues_only + "\n" + infra + "\n" + ascii_lower(cluster.additional_notes.value_or(""));

    // The level: a level word in the infrastructure field decides; otherwise its description
    // (Low words first, so "very limited" is Low while "limited" alone is Medium), then what the
    // key issues say about labs and power; unknown is Medium.
    std::optional<InfraLevel> level;
    for (auto l : {InfraLevel::low, InfraLevel::medium, InfraLevel::high}) {
        if (!level && contains_phrase(infra, ascii_lower(to_string(l)))) level = l;
    }
    for (auto l : {InfraLevel::low, InfraLevel::medium, InfraLevel::high}) {
        const auto it = sig.infrastructure.find(l);
        if (!level && it != sig.infrastructure.end() && any_phrase(infra, it->second)) level = l;
    }
    p.no_lab = any_phrase(p.issues, sig.no_lab);
    p.no_electricity = any_phrase(p.issues, sig.no_electricity);
    if (!level && (p.no_lab || p.no_electricity)) level = InfraLevel::low;
    p.infrastructure = level.value_or(InfraLevel::medium);

    p.class_size = largest_class_size(issues_only);
    p.large_class = any_phrase(p.issues, sig.large_class) || p.class_size >= 50;
    p.multigrade = any_phrase(p.issues, sig.multigrade);

    const auto language_name = std::string(trim(cluster.language));
    const Language* lang = find_language(language_name);
    p.language = lang ? std::string(lang->english_name) : language_name;
    p.language_not_english = !p.language.empty() && !iequals_ascii(p.language, "english");

    // Home languages: named in the key issues or notes next to a cue ("speak … at home",
    // "home languages"), in the order they are written, other than the school language.
    if (any_phrase(p.issues, sig.home_language_cues)) {
        std::vector<std::pair<std::size_t, std::string>> found;
        for (const auto& name : sig.home_languages) {
            if (iequals_ascii(name, p.language) || iequals_ascii(name, "english")) continue;
            const auto at = word_occurrences(p.issues, ascii_lower(name));
            if (!at.empty()) found.emplace_back(at.front(), name);
        }
        std::sort(found.begin(), found.end());
        for (auto& [pos, name] : found)
            p.home_languages.push_back(std::move(name));
    }
    p.grade_bands = grade_bands(grade);
    return p;
}

bool rule_matches(const TipRule& rule, const ClusterProfile& p) {
    const auto& w = rule.when;
    if (!w.region_type.empty() && !any_substring(p.region, w.region_type)) return false;
    if (!w.not_region_type.empty() && any_substring(p.region, w.not_region_type)) return false;
    if (!w.infrastructure.empty() && std::find(w.infrastructure.begin(), w.infrastructure.end(),
                                               p.infrastructure) == w.infrastructure.end())
        return false;
    if (!w.issues.empty() && !any_phrase(p.issues, w.issues)) return false;
    auto flag = [](const std::optional<bool>& want, bool have) { return !want || *want == have; };
    if (!flag(w.no_lab, p.no_lab) || !flag(w.no_electricity, p.no_electricity) ||
        !flag(w.large_class, p.large_class) || !flag(w.multigrade, p.multigrade) ||
        !flag(w.language_not_english, p.language_not_english) ||
        !flag(w.home_language, !p.home_languages.empty()))
        return false;
    if (!w.grade_band.empty() &&
        std::none_of(w.grade_band.begin(), w.grade_band.end(), [&](const std::string& b) {
            return std::find(p.grade_bands.begin(), p.grade_bands.end(), b) != p.grade_bands.end();
        }))
        return false;
    return true;
}

std::string fill_placeholders(std::string_view text, const std::map<std::string, std::string>& values) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('{', i);
        if (open == std::string_view::npos) break;
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(text.substr(i, open - i));
        const auto it = values.find(std::string(text.substr(open + 1, close - open - 1)));
        if (it != values.end()) {
            out += it->second;
        } else {
            out.append(text.substr(open, close - open + 1));
        }
        i = close + 1;
    }
    out.append(text.substr(i));
    return out;
}

std::vector<std::string> select_tips(const ClusterProfile& profile, const AdaptationRules& rules,
                                     const std::map<std::string, std::string>& values, std::size_t min_tips,
                                     std::size_t max_tips) {
    std::vector<const TipRule*> fired, fallbacks;
    for (const auto& r : rules.tips) {
        if (r.fallback) {
            fallbacks.push_back(&r);
        } else if (rule_matches(r, profile)) {
            fired.push_back(&r);
        }
    }
    auto by_priority = [](const TipRule* a, const TipRule* b) { return a->priority > b->priority; };
    std::stable_sort(fired.begin(), fired.end(), by_priority);
    std::stable_sort(fallbacks.begin(), fallbacks.end(), by_priority);

    std::vector<std::string> out;
    auto add = [&](const std::string& tip) {
        if (out.size() >= max_tips) return;
        auto text = fill_placeholders(tip, values);
        if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
    };
    for (std::size_t round = 0; round < 2; ++round) {
        for (const auto* r : fired) {
            if (round < r->tips.size()) add(r->tips[round]);
        }
    }
    for (const auto* r : fallbacks) {
        if (out.size() >= min_tips) break;
        for (const auto& t : r->tips) {
            if (out.size() < min_tips) add(t);
        }
    }
    return out;
}

std::vector<SubstitutionHit> find_substitutions(std::string_view text, InfraLevel level,
                                                const AdaptationRules& rules) {
    struct Name {
        std::string_view name;
        const Substitution* rule;
    };
    std::vector<Name> names;
    for (const auto& s : rules.substitutions) {
        if (!s.applies(level)) continue;
        names.push_back({s.material, &s});
        for (const auto& a : s.aliases)
            names.push_back({a, &s});
    }
    // Longest first, so "litmus paper" wins over "litmus" and "test tube stand" over "test tube".
    std::stable_sort(names.begin(), names.end(),
                     [](const Name& a, const Name& b) { return a.name.size() > b.name.size(); });
    const auto lower = ascii_lower(text);
    std::vector<SubstitutionHit> hits;
    for (const auto& n : names) {
        for (auto pos : word_occurrences(lower, n.name)) {
            const auto end = pos + n.name.size();
            const bool overlaps = std::any_of(hits.begin(), hits.end(), [&](const SubstitutionHit& h) {
                return pos < h.pos + h.len && h.pos < end;
            });
            if (!overlaps) hits.push_back({n.rule, pos, n.name.size()});
        }
    }
    std::sort(hits.begin(), hits.end(),
              [](const SubstitutionHit& a, const SubstitutionHit& b) { return a.pos < b.pos; });
    return hits;
}

std::optional<std::string> substitute_material(std::string_view item, InfraLevel level,
                                               const AdaptationRules& rules, const Substitution** used) {
    const auto hits = find_substitutions(item, level, rules);
    if (hits.empty()) return std::nullopt;
    const auto& h = hits.front();
    if (used) *used = h.rule;
    // "two beakers" → "the bottom half of a transparent plastic bottle (instead of two beakers)":
    // the substitute is a complete description, so the original item goes in the brackets.
    return fmt::format("{} (instead of {})", h.rule->substitute, trim(item));
}

std::string substitute_in_step(std::string_view step, InfraLevel level, const AdaptationRules& rules,
                               std::vector<const Substitution*>* used) {
    std::string out;
    std::size_t at = 0;
    for (const auto& h : find_substitutions(step, level, rules)) {
        if (!h.rule->replace_in_steps) continue;
        std::string before(step.substr(at, h.pos - at));
        // Fix the article in front: "a beaker" → "a cut plastic bottle", "a test tube" → "a transparent…".
        const std::string& replacement = h.rule->short_form;
        const bool vowel = !replacement.empty() &&
                           std::string_view("aeiouAEIOU").find(replacement[0]) != std::string_view::npos;
        auto ends_with_word = [&](std::string_view w) {
            return before.size() >= w.size() + 1 && before.ends_with(std::string(w) + " ") &&
                   (before.size() == w.size() + 1 || !is_word_byte(before[before.size() - w.size() - 2]));
        };
        for (std::string_view art : {"a", "an", "A", "An"}) {
            if (!ends_with_word(art)) continue;
            const bool capital = art[0] == 'A';
            before.resize(before.size() - art.size() - 1);
            before += vowel ? (capital ? "An " : "an ") : (capital ? "A " : "a ");
            break;
        }
        out += before;
        // Keep a capital at the start of a sentence.
        if (h.pos == 0 && !replacement.empty() && replacement[0] >= 'a' && replacement[0] <= 'z') {
            out += static_cast<char>(replacement[0] - 32);
            out += replacement.substr(1);
        } else {
            out += replacement;
        }
        at = h.pos + h.len;
        if (used && std::find(used->begin(), used->end(), h.rule) == used->end()) used->push_back(h.rule);
    }
    out.append(step.substr(at));
    return out;
}

} // namespace shiksha::detail
