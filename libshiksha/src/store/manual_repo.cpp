#include "store/manual_repo.hpp"

#include "store/store.hpp"

#include <fmt/format.h>

#include <cstring>

namespace shiksha::detail {

namespace {

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += i ? ",?" : "?";
    return out;
}

// ---- jobs

constexpr const char* job_columns =
    "id, kind, state, done, total, message, result, error_code, error_message, "
    "created_by, created_at, updated_at";

std::optional<JobState> parse_state(std::string_view s) {
    for (auto st :
         {JobState::queued, JobState::running, JobState::succeeded, JobState::failed, JobState::cancelled}) {
        if (s == to_string(st)) return st;
    }
    return std::nullopt;
}

std::optional<ErrorCode> parse_code(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(ErrorCode::internal); ++i) {
        if (s == to_string(static_cast<ErrorCode>(i))) return static_cast<ErrorCode>(i);
    }
    return std::nullopt;
}

Job read_job(SQLite::Statement& st) {
    Job j;
    j.id = st.getColumn(0).getString();
    j.kind = st.getColumn(1).getString();
    j.state = parse_state(st.getColumn(2).getString()).value_or(JobState::failed);
    j.done = st.getColumn(3).getInt64();
    j.total = st.getColumn(4).getInt64();
    j.message = st.getColumn(5).getString();
    if (auto r = optional_text(st.getColumn(6))) j.result = Json::parse(*r).value_or(Json());
    if (auto code = optional_text(st.getColumn(7))) {
        j.error = Error{parse_code(*code).value_or(ErrorCode::internal), st.getColumn(8).getString(), {}};
    }
    j.created_by = optional_int(st.getColumn(9));
    j.created_at = to_timestamp(st.getColumn(10).getInt64());
    j.updated_at = to_timestamp(st.getColumn(11).getInt64());
    return j;
}

// ---- manuals

constexpr const char* manual_columns =
    "id, title, filename, file_path, sha256, size_bytes, total_pages, upload_date, indexed, indexed_at, "
    "pinned, "
    "detected_language, ocr_pages, chunk_count, adapted_summary, key_points, chunker_version";

Manual read_manual(SQLite::Statement& st) {
    Manual m;
    m.id = st.getColumn(0).getInt64();
    m.title = st.getColumn(1).getString();
    m.filename = st.getColumn(2).getString();
    m.file_path = st.getColumn(3).getString();
    m.sha256 = st.getColumn(4).getString();
    m.size_bytes = st.getColumn(5).getInt64();
    m.total_pages = st.getColumn(6).getInt();
    m.upload_date = to_timestamp(st.getColumn(7).getInt64());
    m.indexed = st.getColumn(8).getInt() != 0;
    if (auto t = optional_int(st.getColumn(9))) m.indexed_at = to_timestamp(*t);
    m.pinned = st.getColumn(10).getInt() != 0;
    m.detected_language = optional_text(st.getColumn(11));
    m.ocr_pages = st.getColumn(12).getInt();
    m.chunk_count = st.getColumn(13).getInt();
    m.adapted_summary = optional_text(st.getColumn(14));
    m.chunker_version = st.getColumn(16).getInt();
    if (auto points = optional_text(st.getColumn(15))) {
        if (auto parsed = Json::parse(*points); parsed && parsed->is_array()) {
            for (const auto& p : parsed->as_array()) {
                if (p.is_string()) m.key_points.push_back(p.as_string());
            }
        }
    }
    return m;
}

std::optional<Manual> one_manual(SQLite::Database& db, std::string_view where, auto bind) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM manuals WHERE {}", manual_columns, where));
    bind(st);
    if (!st.executeStep()) return std::nullopt;
    return read_manual(st);
}

std::vector<std::int64_t> chunk_ids(SQLite::Database& db, std::int64_t manual_id) {
    SQLite::Statement st(db, "SELECT id FROM chunks WHERE manual_id = ? ORDER BY ordinal");
    st.bind(1, manual_id);
    std::vector<std::int64_t> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getInt64());
    return out;
}

void bind_ids(SQLite::Statement& st, int first, std::span<const std::int64_t> ids) {
    for (std::size_t i = 0; i < ids.size(); ++i)
        st.bind(first + static_cast<int>(i), ids[i]);
}

} // namespace

// ---------------------------------------------------------------------------------- jobs

namespace job_repo {

void insert(SQLite::Database& db, const Job& j) {
    SQLite::Statement st(
        db, fmt::format("INSERT INTO jobs ({}) VALUES (?,?,?,?,?,?,NULL,NULL,NULL,?,?,?)", job_columns));
    st.bind(1, j.id);
    st.bind(2, j.kind);
    st.bind(3, std::string(to_string(j.state)));
    st.bind(4, j.done);
    st.bind(5, j.total);
    st.bind(6, j.message);
    bind_optional(st, 7, j.created_by);
    st.bind(8, to_micros(j.created_at));
    st.bind(9, to_micros(j.updated_at));
    st.exec();
}

std::optional<Job> get(SQLite::Database& db, std::string_view id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM jobs WHERE id = ?", job_columns));
    st.bind(1, std::string(id));
    if (!st.executeStep()) return std::nullopt;
    return read_job(st);
}

std::vector<Job> list(SQLite::Database& db, const Page& page, std::string_view kind) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM jobs WHERE (?1 = '' OR kind = ?1) "
                                         "ORDER BY created_at DESC LIMIT ?2 OFFSET ?3",
                                         job_columns));
    st.bind(1, std::string(kind));
    st.bind(2, page.limit);
    st.bind(3, page.skip);
    std::vector<Job> out;
    while (st.executeStep())
        out.push_back(read_job(st));
    return out;
}

void update_progress(SQLite::Database& db, std::string_view id, std::int64_t done, std::int64_t total,
                     std::string_view message, Timestamp now) {
    SQLite::Statement st(db, "UPDATE jobs SET done = ?, total = ?, message = ?, updated_at = ? WHERE id = ?");
    st.bind(1, done);
    st.bind(2, total);
    st.bind(3, std::string(message));
    st.bind(4, to_micros(now));
    st.bind(5, std::string(id));
    st.exec();
}

void set_state(SQLite::Database& db, std::string_view id, JobState state, Timestamp now) {
    SQLite::Statement st(db, "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?");
    st.bind(1, std::string(to_string(state)));
    st.bind(2, to_micros(now));
    st.bind(3, std::string(id));
    st.exec();
}

void finish(SQLite::Database& db, std::string_view id, JobState state, const Json& result,
            const std::optional<Error>& error, Timestamp now) {
    SQLite::Statement st(db, "UPDATE jobs SET state = ?, result = ?, error_code = ?, error_message = ?, "
                             "updated_at = ? WHERE id = ?");
    st.bind(1, std::string(to_string(state)));
    bind_optional(st, 2, result.is_null() ? std::nullopt : std::optional<std::string>(result.dump()));
    bind_optional(st, 3,
                  error ? std::optional<std::string>(std::string(to_string(error->code))) : std::nullopt);
    bind_optional(st, 4, error ? std::optional<std::string>(error->message) : std::nullopt);
    st.bind(5, to_micros(now));
    st.bind(6, std::string(id));
    st.exec();
}

std::int64_t fail_interrupted(SQLite::Database& db, Timestamp now) {
    SQLite::Statement st(db, "UPDATE jobs SET state = 'failed', error_code = 'unavailable', "
                             "error_message = 'interrupted: the process stopped while this job was running; "
                             "start it again', updated_at = ? WHERE state IN ('queued', 'running')");
    st.bind(1, to_micros(now));
    return st.exec();
}

} // namespace job_repo

// ------------------------------------------------------------------------------- manuals

namespace manual_repo {

Manual insert(SQLite::Database& db, const NewManual& m, Timestamp now) {
    SQLite::Statement st(db,
                         "INSERT INTO manuals (title, filename, file_path, sha256, size_bytes, total_pages, "
                         "upload_date, uploaded_by) VALUES (?,?,?,?,?,?,?,?)");
    st.bind(1, m.title);
    st.bind(2, m.filename);
    st.bind(3, m.file_path);
    st.bind(4, m.sha256);
    st.bind(5, m.size_bytes);
    st.bind(6, m.total_pages);
    st.bind(7, to_micros(now));
    bind_optional(st, 8, m.uploaded_by);
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<Manual> get(SQLite::Database& db, std::int64_t id) {
    return one_manual(db, "id = ?", [&](SQLite::Statement& st) { st.bind(1, id); });
}

std::optional<Manual> find_sha256(SQLite::Database& db, std::string_view sha256) {
    return one_manual(db, "sha256 = ?", [&](SQLite::Statement& st) { st.bind(1, std::string(sha256)); });
}

std::vector<Manual> list(SQLite::Database& db, const Page& page) {
    SQLite::Statement st(db,
                         fmt::format("SELECT {} FROM manuals ORDER BY pinned DESC, upload_date DESC, id DESC "
                                     "LIMIT ? OFFSET ?",
                                     manual_columns));
    st.bind(1, page.limit);
    st.bind(2, page.skip);
    std::vector<Manual> out;
    while (st.executeStep())
        out.push_back(read_manual(st));
    return out;
}

std::int64_t count(SQLite::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM manuals").getInt64();
}

std::optional<std::vector<std::int64_t>> remove(SQLite::Database& db, std::int64_t id) {
    auto ids = chunk_ids(db, id);
    SQLite::Statement st(db, "DELETE FROM manuals WHERE id = ?");
    st.bind(1, id);
    if (st.exec() == 0) return std::nullopt;
    return ids;
}

void set_pinned(SQLite::Database& db, std::int64_t id, bool pinned) {
    SQLite::Statement st(db, "UPDATE manuals SET pinned = ? WHERE id = ?");
    st.bind(1, pinned ? 1 : 0);
    st.bind(2, id);
    st.exec();
}

Replaced replace_index(SQLite::Database& db, std::int64_t manual_id, std::span<const StoredPage> pages,
                       std::span<const NewChunk> chunks, std::string_view model,
                       std::span<const std::vector<float>> vectors,
                       const std::optional<std::string>& language, int ocr_pages, Timestamp now,
                       int chunker_version) {
    Replaced out;
    out.old_chunk_ids = chunk_ids(db, manual_id);
    {
        SQLite::Statement del(db, "DELETE FROM chunks WHERE manual_id = ?");
        del.bind(1, manual_id);
        del.exec();
        SQLite::Statement del_pages(db, "DELETE FROM manual_pages WHERE manual_id = ?");
        del_pages.bind(1, manual_id);
        del_pages.exec();
    }
    SQLite::Statement page_st(
        db, "INSERT INTO manual_pages (manual_id, page, method, verdict, reason, chars, text) "
            "VALUES (?,?,?,?,?,?,?)");
    for (const auto& p : pages) {
        page_st.bind(1, manual_id);
        page_st.bind(2, p.report.page);
        page_st.bind(3, p.report.method);
        page_st.bind(4, p.report.verdict);
        page_st.bind(5, p.report.reason);
        page_st.bind(6, p.report.chars);
        page_st.bind(7, p.text);
        page_st.exec();
        page_st.reset();
    }
    SQLite::Statement chunk_st(db,
                               "INSERT INTO chunks (manual_id, ordinal, page_start, page_end, section, text, "
                               "tokens) VALUES (?,?,?,?,?,?,?)");
    for (const auto& c : chunks) {
        chunk_st.bind(1, manual_id);
        chunk_st.bind(2, c.ordinal);
        chunk_st.bind(3, c.page_start);
        chunk_st.bind(4, c.page_end);
        chunk_st.bind(5, c.section);
        chunk_st.bind(6, c.text);
        chunk_st.bind(7, c.tokens);
        chunk_st.exec();
        chunk_st.reset();
        out.new_chunk_ids.push_back(db.getLastInsertRowid());
    }
    for (std::size_t i = 0; i < vectors.size() && i < out.new_chunk_ids.size(); ++i) {
        chunk_repo::put_vector(db, out.new_chunk_ids[i], model, vectors[i]);
    }
    SQLite::Statement done(db, "UPDATE manuals SET indexed = 1, indexed_at = ?, detected_language = ?, "
                               "ocr_pages = ?, chunk_count = ?, chunker_version = ? WHERE id = ?");
    done.bind(1, to_micros(now));
    bind_optional(done, 2, language);
    done.bind(3, ocr_pages);
    done.bind(4, static_cast<std::int64_t>(chunks.size()));
    done.bind(5, chunker_version);
    done.bind(6, manual_id);
    done.exec();
    return out;
}

std::vector<Chunk> chunks(SQLite::Database& db, std::int64_t manual_id, std::int64_t offset,
                          std::int64_t limit) {
    SQLite::Statement st(
        db, "SELECT id, manual_id, ordinal, page_start, page_end, section, text, tokens FROM chunks "
            "WHERE manual_id = ? ORDER BY ordinal LIMIT ? OFFSET ?");
    st.bind(1, manual_id);
    st.bind(2, limit);
    st.bind(3, offset);
    std::vector<Chunk> out;
    while (st.executeStep()) {
        out.push_back(Chunk{st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), st.getColumn(2).getInt(),
                            st.getColumn(3).getInt(), st.getColumn(4).getInt(), st.getColumn(5).getString(),
                            st.getColumn(6).getString(), st.getColumn(7).getInt()});
    }
    return out;
}

std::vector<PageReport> pages(SQLite::Database& db, std::int64_t manual_id) {
    SQLite::Statement st(db,
                         "SELECT page, method, verdict, reason, chars FROM manual_pages WHERE manual_id = ? "
                         "ORDER BY page");
    st.bind(1, manual_id);
    std::vector<PageReport> out;
    while (st.executeStep()) {
        out.push_back(PageReport{st.getColumn(0).getInt(), st.getColumn(1).getString(),
                                 st.getColumn(2).getString(), st.getColumn(3).getString(),
                                 st.getColumn(4).getInt()});
    }
    return out;
}

std::vector<std::int64_t> outdated_chunks(SQLite::Database& db, int version) {
    SQLite::Statement st(db, "SELECT id FROM manuals WHERE indexed = 1 AND chunker_version < ? ORDER BY id");
    st.bind(1, version);
    std::vector<std::int64_t> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getInt64());
    return out;
}

} // namespace manual_repo

// -------------------------------------------------------------------------------- chunks

namespace chunk_repo {

std::vector<std::pair<std::int64_t, double>> bm25(SQLite::Database& db, std::string_view match,
                                                  std::span<const std::int64_t> manual_ids,
                                                  const std::optional<std::string>& section,
                                                  std::size_t limit) {
    std::string sql =
        "SELECT c.id, -bm25(chunks_fts) AS score FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid "
        "WHERE chunks_fts MATCH ?";
    if (!manual_ids.empty()) sql += fmt::format(" AND c.manual_id IN ({})", placeholders(manual_ids.size()));
    // A chunk that took in a short section's text names both, joined by "; " (chunker.cpp).
    if (section) sql += " AND instr('; ' || c.section || '; ', '; ' || ? || '; ') > 0";
    sql += " ORDER BY bm25(chunks_fts) LIMIT ?";
    SQLite::Statement st(db, sql);
    int i = 1;
    st.bind(i++, std::string(match));
    bind_ids(st, i, manual_ids);
    i += static_cast<int>(manual_ids.size());
    if (section) st.bind(i++, *section);
    st.bind(i, static_cast<std::int64_t>(limit));
    std::vector<std::pair<std::int64_t, double>> out;
    while (st.executeStep())
        out.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getDouble());
    return out;
}

std::vector<ChunkRow> load(SQLite::Database& db, std::span<const std::int64_t> ids) {
    if (ids.empty()) return {};
    SQLite::Statement st(
        db, fmt::format("SELECT c.id, c.manual_id, m.title, c.page_start, c.page_end, c.section, "
                        "c.text FROM chunks c JOIN manuals m ON m.id = c.manual_id WHERE c.id IN ({})",
                        placeholders(ids.size())));
    bind_ids(st, 1, ids);
    std::vector<ChunkRow> out;
    while (st.executeStep()) {
        out.push_back(ChunkRow{st.getColumn(0).getInt64(), st.getColumn(1).getInt64(),
                               st.getColumn(2).getString(), st.getColumn(3).getInt(),
                               st.getColumn(4).getInt(), st.getColumn(5).getString(),
                               st.getColumn(6).getString()});
    }
    return out;
}

std::vector<std::int64_t> ids_of_manuals(SQLite::Database& db, std::span<const std::int64_t> manual_ids) {
    if (manual_ids.empty()) return {};
    SQLite::Statement st(
        db, fmt::format("SELECT id FROM chunks WHERE manual_id IN ({})", placeholders(manual_ids.size())));
    bind_ids(st, 1, manual_ids);
    std::vector<std::int64_t> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getInt64());
    return out;
}

std::int64_t count(SQLite::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM chunks").getInt64();
}

std::int64_t vector_count(SQLite::Database& db, std::string_view model) {
    SQLite::Statement st(db, "SELECT COUNT(*) FROM chunk_vectors WHERE model = ?");
    st.bind(1, std::string(model));
    st.executeStep();
    return st.getColumn(0).getInt64();
}

std::int64_t max_vector_id(SQLite::Database& db, std::string_view model) {
    SQLite::Statement st(db, "SELECT COALESCE(MAX(chunk_id), 0) FROM chunk_vectors WHERE model = ?");
    st.bind(1, std::string(model));
    st.executeStep();
    return st.getColumn(0).getInt64();
}

void for_each_vector(SQLite::Database& db, std::string_view model,
                     const std::function<void(std::int64_t, std::span<const float>)>& f) {
    SQLite::Statement st(db, "SELECT chunk_id, vector FROM chunk_vectors WHERE model = ? ORDER BY chunk_id");
    st.bind(1, std::string(model));
    std::vector<float> buffer;
    while (st.executeStep()) {
        const auto blob = st.getColumn(1);
        buffer.resize(static_cast<std::size_t>(blob.getBytes()) / sizeof(float));
        std::memcpy(buffer.data(), blob.getBlob(), buffer.size() * sizeof(float));
        f(st.getColumn(0).getInt64(), buffer);
    }
}

std::vector<std::pair<std::int64_t, std::string>> missing_vectors(SQLite::Database& db,
                                                                  std::string_view model, std::size_t limit) {
    SQLite::Statement st(
        db, "SELECT c.id, c.text FROM chunks c LEFT JOIN chunk_vectors v "
            "ON v.chunk_id = c.id AND v.model = ? WHERE v.chunk_id IS NULL ORDER BY c.id LIMIT ?");
    st.bind(1, std::string(model));
    st.bind(2, static_cast<std::int64_t>(limit));
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (st.executeStep())
        out.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getString());
    return out;
}

std::int64_t missing_vector_count(SQLite::Database& db, std::string_view model) {
    SQLite::Statement st(db,
                         "SELECT COUNT(*) FROM chunks c LEFT JOIN chunk_vectors v ON v.chunk_id = c.id AND "
                         "v.model = ? WHERE v.chunk_id IS NULL");
    st.bind(1, std::string(model));
    st.executeStep();
    return st.getColumn(0).getInt64();
}

void put_vector(SQLite::Database& db, std::int64_t chunk_id, std::string_view model,
                std::span<const float> vector) {
    SQLite::Statement st(db, "INSERT OR REPLACE INTO chunk_vectors (chunk_id, model, vector) VALUES (?,?,?)");
    st.bind(1, chunk_id);
    st.bind(2, std::string(model));
    st.bind(3, vector.data(), static_cast<int>(vector.size_bytes()));
    st.exec();
}

void drop_other_models(SQLite::Database& db, std::string_view model) {
    SQLite::Statement st(db, "DELETE FROM chunk_vectors WHERE model != ?");
    st.bind(1, std::string(model));
    st.exec();
}

} // namespace chunk_repo

namespace settings_repo {

std::optional<std::string> get(SQLite::Database& db, std::string_view key) {
    SQLite::Statement st(db, "SELECT value FROM settings WHERE key = ?");
    st.bind(1, std::string(key));
    if (!st.executeStep()) return std::nullopt;
    return st.getColumn(0).getString();
}

void put(SQLite::Database& db, std::string_view key, std::string_view value) {
    SQLite::Statement st(db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)");
    st.bind(1, std::string(key));
    st.bind(2, std::string(value));
    st.exec();
}

} // namespace settings_repo

} // namespace shiksha::detail
