#pragma once
// Turning a user's query into an FTS5 MATCH expression (internal).

#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// Words of `text` as FTS5's tokenizer sees them (letters, digits and combining marks, so
/// Indic words stay whole), lower-cased, in order, without repeats.
[[nodiscard]] std::vector<std::string> query_terms(std::string_view text);

/// True for very common English and Hindi words that only slow BM25 down (NOTES.md: an OR over
/// a common word costs tens of milliseconds at 50k chunks) and add nothing to ranking.
[[nodiscard]] bool is_stop_word(std::string_view lower_word);

/// `"term1" OR "term2" …` with stop words dropped (kept when the query has nothing else),
/// at most 32 terms, quotes doubled. Empty when the query has no words at all.
[[nodiscard]] std::string fts_match_expression(std::string_view text);

} // namespace shiksha::detail
