#pragma once
// SQL for jobs, manuals, their pages and chunks, vectors and the FTS index (internal).

#include "shiksha/jobs.hpp"
#include "shiksha/manuals.hpp"

#include <SQLiteCpp/Database.h>

#include <functional>
#include <optional>
#include <span>

namespace shiksha::detail {

namespace job_repo {
void insert(SQLite::Database& db, const Job& job);
[[nodiscard]] std::optional<Job> get(SQLite::Database& db, std::string_view id);
[[nodiscard]] std::vector<Job> list(SQLite::Database& db, const Page& page, std::string_view kind);
void update_progress(SQLite::Database& db, std::string_view id, std::int64_t done, std::int64_t total,
                     std::string_view message, Timestamp now);
void set_state(SQLite::Database& db, std::string_view id, JobState state, Timestamp now);
void finish(SQLite::Database& db, std::string_view id, JobState state, const Json& result,
            const std::optional<Error>& error, Timestamp now);
/// Queued or running jobs of a previous process become failed; returns how many.
std::int64_t fail_interrupted(SQLite::Database& db, Timestamp now);
} // namespace job_repo

struct NewManual {
    std::string title, filename, file_path, sha256;
    std::int64_t size_bytes = 0;
    int total_pages = 0;
    std::optional<std::int64_t> uploaded_by;
};

/// One page's outcome with the text that was kept.
struct StoredPage {
    PageReport report;
    std::string text;
};

struct NewChunk {
    int ordinal = 0;
    int page_start = 0, page_end = 0;
    std::string section, text;
    int tokens = 0;
};

namespace manual_repo {
[[nodiscard]] Manual insert(SQLite::Database& db, const NewManual& m, Timestamp now);
[[nodiscard]] std::optional<Manual> get(SQLite::Database& db, std::int64_t id);
[[nodiscard]] std::optional<Manual> find_sha256(SQLite::Database& db, std::string_view sha256);
[[nodiscard]] std::vector<Manual> list(SQLite::Database& db, const Page& page);
[[nodiscard]] std::int64_t count(SQLite::Database& db);
/// Deletes the manual; pages, chunks, FTS rows and vectors follow by cascade. Returns the
/// deleted chunk ids (for the vector index), or nullopt when there was no such manual.
[[nodiscard]] std::optional<std::vector<std::int64_t>> remove(SQLite::Database& db, std::int64_t id);
void set_pinned(SQLite::Database& db, std::int64_t id, bool pinned);

/// Replaces the manual's pages and chunks (FTS follows by trigger, old vectors by cascade),
/// stores one vector per chunk, and marks it indexed. Returns the old chunk ids and the new
/// ones, in chunk order.
struct Replaced {
    std::vector<std::int64_t> old_chunk_ids;
    std::vector<std::int64_t> new_chunk_ids;
};
[[nodiscard]] Replaced replace_index(SQLite::Database& db, std::int64_t manual_id,
                                     std::span<const StoredPage> pages, std::span<const NewChunk> chunks,
                                     std::string_view model, std::span<const std::vector<float>> vectors,
                                     const std::optional<std::string>& language, int ocr_pages, Timestamp now,
                                     int chunker_version);
[[nodiscard]] std::vector<Chunk> chunks(SQLite::Database& db, std::int64_t manual_id, std::int64_t offset,
                                        std::int64_t limit);
[[nodiscard]] std::vector<PageReport> pages(SQLite::Database& db, std::int64_t manual_id);
/// Indexed manuals whose chunks a chunker older than `version` made, oldest first.
[[nodiscard]] std::vector<std::int64_t> outdated_chunks(SQLite::Database& db, int version);
} // namespace manual_repo

struct ChunkRow {
    std::int64_t id = 0;
    std::int64_t manual_id = 0;
    std::string manual_title;
    int page_start = 0, page_end = 0;
    std::string section, text;
};

namespace chunk_repo {
/// BM25 over chunks_fts for an FTS5 MATCH expression; (chunk id, score: higher is better).
[[nodiscard]] std::vector<std::pair<std::int64_t, double>> bm25(SQLite::Database& db, std::string_view match,
                                                                std::span<const std::int64_t> manual_ids,
                                                                const std::optional<std::string>& section,
                                                                std::size_t limit);
[[nodiscard]] std::vector<ChunkRow> load(SQLite::Database& db, std::span<const std::int64_t> ids);
[[nodiscard]] std::vector<std::int64_t> ids_of_manuals(SQLite::Database& db,
                                                       std::span<const std::int64_t> manual_ids);
[[nodiscard]] std::int64_t count(SQLite::Database& db);
[[nodiscard]] std::int64_t vector_count(SQLite::Database& db, std::string_view model);
[[nodiscard]] std::int64_t max_vector_id(SQLite::Database& db, std::string_view model);
/// Calls `f(chunk_id, vector)` for every stored vector of `model`, in id order.
void for_each_vector(SQLite::Database& db, std::string_view model,
                     const std::function<void(std::int64_t, std::span<const float>)>& f);
/// Chunks without a vector for `model` (after an embedder change), up to `limit`.
[[nodiscard]] std::vector<std::pair<std::int64_t, std::string>>
missing_vectors(SQLite::Database& db, std::string_view model, std::size_t limit);
[[nodiscard]] std::int64_t missing_vector_count(SQLite::Database& db, std::string_view model);
void put_vector(SQLite::Database& db, std::int64_t chunk_id, std::string_view model,
                std::span<const float> vector);
/// Drops vectors of other models (they can never be searched together).
void drop_other_models(SQLite::Database& db, std::string_view model);
} // namespace chunk_repo

namespace settings_repo {
[[nodiscard]] std::optional<std::string> get(SQLite::Database& db, std::string_view key);
void put(SQLite::Database& db, std::string_view key, std::string_view value);
} // namespace settings_repo

} // namespace shiksha::detail
