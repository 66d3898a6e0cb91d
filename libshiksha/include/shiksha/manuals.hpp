#pragma once
/// Manuals: teacher-training PDFs, uploaded once and indexed for retrieval with page numbers.
///
///     auto& manuals = platform.manuals();
///     auto up = manuals.upload_file("ncert_science_ch11.pdf", {.title = "Electricity"});
///     if (up->duplicate) { /* the same bytes were uploaded before: up->manual is that one */ }
///     auto report = manuals.index(up->manual.id, {.progress = [](auto done, auto total) {
///         std::cerr << done << "/" << total << '\r'; return true; }});
///     for (const auto& page : report->pages) { /* method text/ocr/none, verdict, reason */ }
///
/// Upload validates the bytes (signature, size limit, encryption, damage) and stores the file
/// under its SHA-256 in `<data_dir>/manuals/`; the same bytes again return the existing manual
/// with `duplicate = true`. Indexing extracts each page's text layer in reading order, judges
/// whether it is real text (legacy non-Unicode Hindi fonts and broken conjuncts are not),
/// OCRs the pages that are not, drops running headers, finds section headings, chunks the text
/// (sentence-aware, ~300 tokens, 15 % overlap) and indexes the chunks for lexical and vector
/// search — all committed together: a failed or cancelled index leaves the previous state.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/jobs.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

struct Manual {
    std::int64_t id = 0;
    std::string title;
    std::string filename;  ///< the upload's name (display only)
    std::string file_path; ///< relative to the data dir: `manuals/<sha256>.pdf`
    std::string sha256;
    std::int64_t size_bytes = 0;
    int total_pages = 0;
    Timestamp upload_date;
    bool indexed = false;
    std::optional<Timestamp> indexed_at;
    bool pinned = false;
    std::optional<std::string> detected_language; ///< contract name: "english", "hindi"…
    int ocr_pages = 0;
    int chunk_count = 0;
    /// Version of the ingestion that made its chunks (0 = never indexed). Manuals indexed by an
    /// older version are re-chunked by a "manual.rechunk" job when the platform opens.
    int chunker_version = 0;
    std::optional<std::string> adapted_summary;
    std::vector<std::string> key_points;
};

struct ManualUpload {
    std::string title;    ///< 2–200 characters
    std::string filename; ///< original name; path parts are stripped
};

struct UploadResult {
    Manual manual;
    bool duplicate = false; ///< the same bytes were already uploaded
};

/// What indexing did with one page.
struct PageReport {
    int page = 0;
    std::string method;  ///< "text" (text layer), "ocr", "none"
    std::string verdict; ///< text-layer verdict: readable, empty, legacy_font, broken_unicode, garbage
    std::string reason;  ///< a sentence when not plain readable text
    int chars = 0;       ///< characters kept
};

struct IndexOptions {
    ProgressFn progress; ///< pages done / total; return false to cancel
    const CancelToken* cancel = nullptr;
};

struct IndexReport {
    Manual manual;
    std::vector<PageReport> pages;
    int chunks = 0;
    int ocr_pages = 0;
    int headers_removed = 0;
    double seconds = 0;
    /// Running titles recognised as page furniture and kept out of the chunks (a book or
    /// chapter title printed at the foot of every page, up the margin), rebuilt from their
    /// letter-spaced type: "Understanding Economic Development" as printed.
    std::vector<std::string> running_titles;
};

struct Chunk {
    std::int64_t id = 0;
    std::int64_t manual_id = 0;
    int ordinal = 0;
    int page_start = 0;
    int page_end = 0;
    std::string section;
    std::string text;
    int tokens = 0;
};

/// Obtained from `Platform::manuals()`; not constructible by hosts.
class ManualEngine {
public:
    struct Impl;
    explicit ManualEngine(std::unique_ptr<Impl> impl);
    ~ManualEngine();
    ManualEngine(const ManualEngine&) = delete;
    ManualEngine& operator=(const ManualEngine&) = delete;

    [[nodiscard]] Result<UploadResult> upload(std::string bytes, const ManualUpload& upload,
                                              const Actor& actor = {});
    [[nodiscard]] Result<UploadResult> upload_file(const std::filesystem::path& path, ManualUpload upload,
                                                   const Actor& actor = {});
    [[nodiscard]] Result<Manual> get(std::int64_t id);
    /// Pinned first, then newest upload first.
    [[nodiscard]] Result<std::vector<Manual>> list(Page page = {});
    /// Removes the file, its pages, chunks and vectors (and, as later engines add them, its
    /// modules with their feedback and exports).
    [[nodiscard]] Result<void> remove(std::int64_t id, const Actor& actor = {});
    [[nodiscard]] Result<Manual> toggle_pin(std::int64_t id, const Actor& actor = {});

    /// Extracts, OCRs where needed, chunks and indexes. Re-indexing replaces the old chunks.
    /// `invalid_argument` "Could not extract sufficient text…" when fewer than 100 characters
    /// survive; `unavailable` when pages need OCR that is disabled or lacks language packs
    /// and nothing else is readable; `deadline_exceeded` "cancelled" when cancelled.
    [[nodiscard]] Result<IndexReport> index(std::int64_t id, const IndexOptions& options = {},
                                            const Actor& actor = {});
    /// index() as a job on the worker pool; returns the queued job at once.
    [[nodiscard]] Result<Job> index_async(std::int64_t id, const Actor& actor = {});
    /// Starts one "manual.rechunk" job that indexes again, one after another, every manual
    /// whose chunks an older chunker made (Manual::chunker_version); nothing when there is none.
    /// Platform::open calls it. Searches keep answering from the old chunks until each manual's
    /// new ones replace them in one transaction. A manual that fails is logged and skipped.
    [[nodiscard]] Result<std::optional<Job>> rechunk_outdated(const Actor& actor = {});

    [[nodiscard]] Result<std::vector<Chunk>> chunks(std::int64_t id, std::int64_t offset = 0,
                                                    std::int64_t limit = 50);
    [[nodiscard]] Result<std::vector<PageReport>> pages(std::int64_t id);
    [[nodiscard]] Result<std::int64_t> count();

    /// The stored PDF's absolute path (for downloads and exports).
    [[nodiscard]] Result<std::filesystem::path> file_path(std::int64_t id);
    /// The stored PDF's bytes; `not_found` "File missing" when it is gone from disk.
    [[nodiscard]] Result<std::string> file(std::int64_t id);

private:
    std::unique_ptr<Impl> impl_;
};

/// Wire form (contract §4 ManualResponse) plus sha256, size_bytes, ocr_pages, chunk_count.
[[nodiscard]] Json to_json(const Manual& manual);
[[nodiscard]] Json to_json(const PageReport& page);
[[nodiscard]] Json to_json(const Chunk& chunk);
/// {manual, chunks, ocr_pages, headers_removed, seconds, pages: [...]}; also a job's result.
[[nodiscard]] Json to_json(const IndexReport& report);

} // namespace shiksha
