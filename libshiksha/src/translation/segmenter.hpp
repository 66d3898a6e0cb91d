#pragma once
// Splitting text for machine translation and putting it back together (internal), and
// protecting glossary terms with placeholders. Pure functions; thread-safe.

#include "shiksha/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// A text cut into parts: literal parts (blank lines, newlines, indentation, list markers such
/// as "- ", "* ", "• ", "1. ", "2) ", "(a) ", Markdown heading marks "## ", emphasis markers,
/// URLs) are kept as they are; translatable parts are whole sentences (ending in . ? ! । ॥ or
/// at a line end). Concatenating all parts gives the input back exactly.
/// Also literal: table pipes, inline `code`, fenced code blocks, link targets "](…)", HTML tags,
/// whitespace between sentences, and what a provider cannot take (ill-formed UTF-8, control
/// characters, a BOM). A span with no letter (numbers, punctuation) is never translatable.
struct SegmentPlan {
    struct Part {
        bool translate = false;
        std::string text;
    };
    std::vector<Part> parts;

    /// The translatable parts, in order.
    [[nodiscard]] std::vector<std::string> segments() const;
};

/// Splits `text`. A sentence longer than `max_code_points` is split further at spaces (or, with
/// no spaces, at grapheme boundaries) so every segment fits one provider request; a single
/// grapheme cluster longer than that stays literal. `max_code_points` 0 is treated as 1.
[[nodiscard]] SegmentPlan plan_segments(std::string_view text, std::size_t max_code_points = 4500);

/// Puts translations in place of the translatable parts (one per segment, in order).
/// `invalid_argument` when the count differs.
[[nodiscard]] Result<std::string> reassemble(const SegmentPlan& plan,
                                             const std::vector<std::string>& translations);

/// A glossary rule for one target language.
struct GlossaryTerm {
    std::string term;        ///< as it appears in the source (matched case-insensitively, whole words)
    std::string replacement; ///< the forced translation; empty = keep `term` untranslated
};

/// A segment with glossary terms replaced by placeholders ⟦1⟧, ⟦2⟧… (U+27E6/U+27E7).
struct ProtectedText {
    std::string text;
    /// What each placeholder stands for in the output, by number − 1: the term as written in
    /// the source (keep) or its forced translation.
    std::vector<std::string> restore;
};

/// Longest terms first; overlapping matches never nest. Terms inside a placeholder-like
/// sequence already present in the text are left alone.
[[nodiscard]] ProtectedText protect_terms(std::string_view segment, const std::vector<GlossaryTerm>& terms);

/// Replaces the placeholders in a provider's output. `unavailable` naming the placeholder when
/// one is missing or appears twice (the provider mangled it); tolerates spaces the provider may
/// have put inside or around the brackets ("⟦ 1 ⟧") and digits of another script ("⟦１⟧",
/// "⟦१⟧"). A source that already held "⟦1⟧" clashes with ours and fails the same way.
[[nodiscard]] Result<std::string> restore_terms(std::string_view translated, const ProtectedText& original);

/// Normal form used as the translation-memory key: NFC, whitespace runs collapsed to one
/// space, trimmed.
[[nodiscard]] std::string memory_key_text(std::string_view text);

} // namespace shiksha::detail
