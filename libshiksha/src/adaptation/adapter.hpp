#pragma once
// Adaptation internals: what the adapters see, the offline (rule-based) adapter and the
// extractive answerer. Pure functions of their input: deterministic, thread-safe.

#include "shiksha/clusters.hpp"
#include "shiksha/modules.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// A chunk as retrieval returned it for this module or question.
struct RetrievedChunk {
    std::int64_t chunk_id = 0;
    std::int64_t manual_id = 0;
    std::string manual_title;
    int page_start = 0;
    int page_end = 0;
    std::string section;
    std::string text;
    double score = 0; ///< fused retrieval score, higher is better
};

struct AdaptationInput {
    Cluster cluster;
    std::string topic;
    std::optional<std::string> grade;
    std::string language;               ///< resolved output language key ("hindi"); the text stays English
    std::vector<RetrievedChunk> chunks; ///< best first; never empty
};

/// Version of the rule tables in libshiksha/data/adaptation (recorded with every module).
inline constexpr std::string_view offline_rules_version = "rules-v1";

/// The deterministic offline adapter. Builds the full ModuleContent from the retrieved text
/// and the cluster profile:
/// - key sentences for the topic (scored by topic-term overlap, kept in manual order, long
///   sentences shortened at clause boundaries), each traceable to its chunk;
/// - sections under the seven headings the original product used (Classroom Challenge, Why This
///   Matters, Suggested Teaching Approach, Low-Resource Activity, Expected Student Response,
///   Classroom Signals, Teacher Feedback Prompt), written from the profile and the sentences;
/// - activities found in the text, with lab- or equipment-dependent materials swapped for
///   low-cost ones from data/adaptation/substitutions.json when infrastructure is low or medium;
/// - teaching tips chosen from data/adaptation/tips.json by region type, infrastructure, class
///   size (key issues mentioning large classes or multigrade), language and grade;
/// - assessment questions with answers made from the key sentences;
/// - citations: exactly the chunks whose sentences were used.
/// Different profiles give visibly different modules from the same chunks.
[[nodiscard]] ModuleContent offline_adapt(const AdaptationInput& input);

/// An extractive answer: the sentences of the chunks that best match the question, joined,
/// with their sources. grounded = false (and a sentence saying nothing relevant was found)
/// when no sentence shares a content word with the question.
[[nodiscard]] Answer offline_answer(std::string_view question, std::span<const RetrievedChunk> chunks);

} // namespace shiksha::detail
