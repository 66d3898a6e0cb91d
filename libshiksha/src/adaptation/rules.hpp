#pragma once
// The offline adapter's rule tables (libshiksha/data/adaptation/{substitutions,tips}.json) and
// what they are matched against: a cluster profile read from the cluster's free text.
// Pure functions; the compiled-in tables are parsed once and then only read (thread-safe).

#include "shiksha/clusters.hpp"
#include "shiksha/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

enum class InfraLevel { low, medium, high };

/// "Low", "Medium", "High" (as the data files and the contract write them).
[[nodiscard]] std::string_view to_string(InfraLevel level) noexcept;

/// A lab- or equipment-dependent material and its low-cost replacement.
struct Substitution {
    std::string material;             ///< canonical name ("litmus paper")
    std::vector<std::string> aliases; ///< other spellings, matched like material
    std::string substitute;           ///< what the materials list shows instead
    std::string short_form;           ///< what replaces the word inside a step
    std::string note;                 ///< how to make or use it safely
    std::string expect; ///< what students see with the substitute, when it differs; may be empty
    std::vector<InfraLevel> applies_when;
    bool replace_in_steps = true;

    [[nodiscard]] bool applies(InfraLevel level) const;
};

/// Conditions of a tip rule; every engaged one must hold.
struct TipCondition {
    std::vector<std::string> region_type;     ///< any, lower-case substrings
    std::vector<std::string> not_region_type; ///< none
    std::vector<InfraLevel> infrastructure;   ///< any
    std::vector<std::string> issues;          ///< any phrase, lower-case, whole words
    std::optional<bool> no_lab, no_electricity, large_class, multigrade, language_not_english, home_language;
    std::vector<std::string> grade_band; ///< any of primary / upper_primary / secondary
};

struct TipRule {
    std::string id;
    int priority = 0;
    bool fallback = false;
    TipCondition when;
    std::vector<std::string> tips; ///< 1-2, may hold {placeholders}
};

/// Words that set a profile's flags (lower-case phrases, matched as whole words).
struct ProfileSignals {
    std::map<InfraLevel, std::vector<std::string>> infrastructure;
    std::vector<std::string> no_lab, no_electricity, large_class, multigrade, home_language_cues;
    std::vector<std::string> home_languages; ///< as written ("Gondi")
};

struct AdaptationRules {
    std::string version;
    std::vector<Substitution> substitutions;
    std::vector<std::string> common_materials; ///< lower-case, except acronyms ("LED")
    std::vector<TipRule> tips;                 ///< in file order
    ProfileSignals signals;
};

/// Parses and checks both files; `invalid_argument` listing every problem found (a missing or
/// mistyped key, an unknown level, condition or placeholder, an empty string, a duplicate id,
/// different versions).
[[nodiscard]] Result<AdaptationRules> parse_adaptation_rules(std::string_view substitutions_json,
                                                             std::string_view tips_json);

/// The tables compiled into the library, parsed on first use. A broken table is a bug (the
/// unit tests parse the files), so this asserts.
[[nodiscard]] const AdaptationRules& adaptation_rules();

/// What the adapter knows about a cluster, read from its profile and the requested grade.
struct ClusterProfile {
    InfraLevel infrastructure = InfraLevel::medium;
    bool no_lab = false;
    bool no_electricity = false;
    bool large_class = false;
    bool multigrade = false;
    bool language_not_english = false;
    int class_size = 0;                      ///< largest class size named in the key issues; 0 = none
    std::string language;                    ///< English name when known ("Hindi"), else as given
    std::vector<std::string> home_languages; ///< named in the key issues, other than `language`
    std::vector<std::string> grade_bands;    ///< primary / upper_primary / secondary
    std::string region;                      ///< region type, lower-case
    std::string issues;                      ///< key issues + infrastructure + notes, lower-case
};

[[nodiscard]] ClusterProfile analyse_cluster(const Cluster& cluster, const std::optional<std::string>& grade,
                                             const AdaptationRules& rules);

/// True when `text` (lower-case) contains `phrase` (lower-case) with word boundaries at both
/// ends (a phrase starting or ending in punctuation needs no boundary there).
[[nodiscard]] bool contains_phrase(std::string_view text, std::string_view phrase);

[[nodiscard]] bool rule_matches(const TipRule& rule, const ClusterProfile& profile);

/// Tips for the profile: fired rules by priority (ties in file order), first tips of every rule,
/// then second tips, at most `max_tips`, duplicates dropped; fallback rules fill up to
/// `min_tips`. Placeholders are filled from `values` ("language" → "Hindi"); unknown ones stay.
[[nodiscard]] std::vector<std::string> select_tips(const ClusterProfile& profile,
                                                   const AdaptationRules& rules,
                                                   const std::map<std::string, std::string>& values,
                                                   std::size_t min_tips = 3, std::size_t max_tips = 6);

/// `text` with {name} placeholders replaced from `values`.
[[nodiscard]] std::string fill_placeholders(std::string_view text,
                                            const std::map<std::string, std::string>& values);

/// A substitution found in a text: the rule and the matched byte range.
struct SubstitutionHit {
    const Substitution* rule = nullptr;
    std::size_t pos = 0;
    std::size_t len = 0;
};

/// Non-overlapping matches of the rules that apply at `level`, longest names first, in text order.
[[nodiscard]] std::vector<SubstitutionHit> find_substitutions(std::string_view text, InfraLevel level,
                                                              const AdaptationRules& rules);

/// A materials-list item with the first applicable material replaced: "litmus paper strips" →
/// "turmeric paper strips or red cabbage juice (instead of litmus paper)". nullopt when nothing applies.
[[nodiscard]] std::optional<std::string> substitute_material(std::string_view item, InfraLevel level,
                                                             const AdaptationRules& rules,
                                                             const Substitution** used = nullptr);

/// A step with every applicable material replaced by its short form ("Dip litmus paper in…" →
/// "Dip turmeric paper in…"); a preceding "a"/"an" is corrected. `used` collects the rules applied.
[[nodiscard]] std::string substitute_in_step(std::string_view step, InfraLevel level,
                                             const AdaptationRules& rules,
                                             std::vector<const Substitution*>* used = nullptr);

} // namespace shiksha::detail
