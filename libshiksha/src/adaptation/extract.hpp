#pragma once
// Reading retrieved chunks for the offline adapter: sentences in manual order, term matching,
// sentence shortening, and activities (title, materials, steps) found in the text.
// Pure functions; thread-safe.

#include "adaptation/adapter.hpp"
#include "adaptation/rules.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// A lower-case word reduced for matching: plural endings go ("circuits" → "circuit",
/// "batteries" → "battery", "boxes" → "box"); "series", "glass", "lens" stay.
[[nodiscard]] std::string stem_word(std::string_view lower_word);

/// The content words of a text as stems: query_terms() minus stop words (all of them when the
/// text has nothing else), unique, in order.
[[nodiscard]] std::vector<std::string> content_stems(std::string_view text);

/// Two stems match when equal or when one extends the other, at least 4 characters long, by at
/// most 4 ("electric" / "electricity", "magnet" / "magnetic").
[[nodiscard]] bool stems_match(std::string_view a, std::string_view b);

/// How many of `terms` occur among `stems`.
[[nodiscard]] std::size_t count_matches(std::span<const std::string> terms,
                                        std::span<const std::string> stems);

[[nodiscard]] std::size_t word_count(std::string_view text);

/// True for the verbs that start an instruction ("connect", "pour", "name"…), lower-case.
[[nodiscard]] bool is_instruction_verb(std::string_view lower_word);

/// A sentence of the retrieved text, traceable to its chunk.
struct SourceSentence {
    std::size_t chunk = 0;  ///< index into the input chunks
    std::size_t offset = 0; ///< byte offset of `text` in the chunk's text
    std::string text;
    std::vector<std::string> stems;
    bool statement = false;   ///< usable as content: a full sentence, not a question or a fragment
    bool materials = false;   ///< a "Materials: …" line
    bool imperative = false;  ///< starts with an instruction ("Connect…", "Now push…")
    bool instruction = false; ///< imperative, or a subject doing an activity verb ("Students test…")
};

/// Every sentence of the chunks once (chunks overlap: a sentence seen in several is kept for the
/// best-ranked one), in manual order: manual, first page, chunk id, position. A chunk's leading
/// copy of its section heading is not a sentence.
[[nodiscard]] std::vector<SourceSentence> collect_sentences(std::span<const RetrievedChunk> chunks);

/// At most `max_words` words: cut at the last clause boundary (, ; : – —) that leaves at least
/// 8 words, else after `max_words - 5` words with an ellipsis. Shorter sentences are returned as they are.
[[nodiscard]] std::string shorten_sentence(std::string_view sentence, std::size_t max_words = 30);

/// An activity described in the manual.
struct FoundActivity {
    std::string title; ///< from its heading ("Series and parallel circuits with torch bulbs"), or empty
    std::vector<std::string> materials; ///< as the manual names them
    std::vector<std::size_t>
        sentences; ///< indices into collect_sentences(), in manual order (materials line included)
};

/// Activities in the chunks: text under a heading that says "Activity" (or "Experiment",
/// "गतिविधि"…), a paragraph with a "Materials:" line or starting with "Activity", or a paragraph
/// of instructions (at least half of its sentences, and two or more, start with a verb) that
/// names materials. Parts of one activity split across overlapping chunks are merged.
/// Materials come from the "Materials:" line, else from the materials named in the steps.
[[nodiscard]] std::vector<FoundActivity> find_activities(std::span<const RetrievedChunk> chunks,
                                                         std::span<const SourceSentence> sentences,
                                                         const AdaptationRules& rules);

/// The everyday and lab materials named in a sentence, with their quantities ("two old cells",
/// "strips of newspaper", "copper coin"), in order.
[[nodiscard]] std::vector<std::string> materials_named(std::string_view sentence,
                                                       const AdaptationRules& rules);

/// "Materials: two torch bulbs, two old cells and tape." → {"two torch bulbs", "two old cells", "tape"};
/// nullopt when the sentence is not a materials line.
[[nodiscard]] std::optional<std::vector<std::string>> parse_materials_line(std::string_view sentence);

/// Title case for a topic: "series and parallel circuits" → "Series and Parallel Circuits".
/// Words with capitals inside (LED, pH) and non-Latin words are kept as written.
[[nodiscard]] std::string title_case(std::string_view text);

/// The text with its first letter upper-cased (ASCII only).
[[nodiscard]] std::string capitalise(std::string_view text);

} // namespace shiksha::detail
