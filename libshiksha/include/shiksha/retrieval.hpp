#pragma once
/// Hybrid search over indexed manuals: BM25 over SQLite FTS5 (a tokenizer that keeps Indic
/// vowel signs and viramas inside words) fused by reciprocal rank fusion with cosine
/// similarity over an hnswlib index of the chunks' embeddings. Every hit carries its pages.
///
///     auto result = platform.retrieval().search({.query = "series and parallel circuits",
///                                                .manual_ids = {3}, .k = 5});
///     for (const auto& hit : result->hits)
///         std::cout << hit.manual_title << " p." << hit.page_start << ": " << hit.text << '\n';
///
/// SQLite is the source of truth; the vector index file in `<data_dir>/index/` is rebuilt from
/// it when missing, damaged or made with another embedder. Searches may run concurrently with
/// indexing. Thread-safe.

#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/providers.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

enum class SearchMode { hybrid, lexical, vector };

struct SearchRequest {
    std::string query;                    ///< 1–1000 characters, any script
    std::vector<std::int64_t> manual_ids; ///< empty = every indexed manual
    std::optional<std::string> section;   ///< exact section title
    std::size_t k = 5;                    ///< 1–50
    SearchMode mode = SearchMode::hybrid;
};

struct SearchHit {
    std::int64_t chunk_id = 0;
    std::int64_t manual_id = 0;
    std::string manual_title;
    int page_start = 0;
    int page_end = 0;
    std::string section;
    std::string text;
    std::optional<double> bm25;   ///< higher is better; absent when not a lexical hit
    std::optional<double> vector; ///< cosine similarity; absent when not a vector hit
    double fused = 0;             ///< reciprocal-rank-fusion score the order uses
};

struct SearchResult {
    std::vector<SearchHit> hits;
    bool vector_used = false; ///< false while the vector index is rebuilding
    double took_ms = 0;
};

struct RetrievalStats {
    std::int64_t chunks = 0;
    std::int64_t vectors = 0; ///< in the vector index
    std::string embedder;     ///< model id of the vectors
    std::size_t dimension = 0;
    bool rebuilding = false;
};

/// Obtained from `Platform::retrieval()`; not constructible by hosts.
class RetrievalEngine {
public:
    struct Impl;
    explicit RetrievalEngine(std::unique_ptr<Impl> impl);
    ~RetrievalEngine();
    RetrievalEngine(const RetrievalEngine&) = delete;
    RetrievalEngine& operator=(const RetrievalEngine&) = delete;

    [[nodiscard]] Result<SearchResult> search(const SearchRequest& request);
    /// The configured embedder (for callers that want the vectors themselves).
    [[nodiscard]] std::shared_ptr<const Embedder> embedder() const;
    [[nodiscard]] Result<RetrievalStats> stats();

private:
    std::unique_ptr<Impl> impl_;
};

[[nodiscard]] Json to_json(const SearchHit& hit);
[[nodiscard]] Json to_json(const SearchResult& result);
[[nodiscard]] std::string_view to_string(SearchMode mode) noexcept;
/// "hybrid", "lexical" or "vector"; `invalid_argument` on field "mode" otherwise.
[[nodiscard]] Result<SearchMode> parse_search_mode(std::string_view text);

} // namespace shiksha
