#include "store/export_repo.hpp"

#include "store/store.hpp"

#include <fmt/format.h>

namespace shiksha::detail::export_repo {

namespace {

constexpr const char* columns = "id, module_id, filename, path, size_bytes, sha256, language, pages, "
                                "created_at, downloaded_at, expires_at";

ExportedFile read_row(SQLite::Statement& st) {
    ExportedFile f;
    f.id = st.getColumn(0).getInt64();
    f.module_id = st.getColumn(1).getInt64();
    f.filename = st.getColumn(2).getString();
    f.path = st.getColumn(3).getString();
    f.size_bytes = st.getColumn(4).getInt64();
    f.sha256 = st.getColumn(5).getString();
    f.language = st.getColumn(6).getString();
    f.pages = st.getColumn(7).getInt();
    f.created_at = to_timestamp(st.getColumn(8).getInt64());
    if (auto d = optional_int(st.getColumn(9))) f.downloaded_at = to_timestamp(*d);
    f.expires_at = to_timestamp(st.getColumn(10).getInt64());
    return f;
}

std::vector<ExportedFile> read_all(SQLite::Statement& st) {
    std::vector<ExportedFile> out;
    while (st.executeStep())
        out.push_back(read_row(st));
    return out;
}

} // namespace

ExportedFile insert(SQLite::Database& db, const ExportedFile& f, std::optional<std::int64_t> created_by) {
    SQLite::Statement st(db, "INSERT INTO exports (module_id, type, filename, path, size_bytes, sha256, "
                             "language, pages, created_by, created_at, expires_at) "
                             "VALUES (?,'pdf',?,?,?,?,?,?,?,?,?)");
    st.bind(1, f.module_id);
    st.bind(2, f.filename);
    st.bind(3, f.path.string());
    st.bind(4, f.size_bytes);
    st.bind(5, f.sha256);
    st.bind(6, f.language);
    st.bind(7, f.pages);
    bind_optional(st, 8, created_by);
    st.bind(9, to_micros(f.created_at));
    st.bind(10, to_micros(f.expires_at));
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<ExportedFile> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM exports WHERE id = ?", columns));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_row(st);
}

std::optional<ExportedFile> by_filename(SQLite::Database& db, std::string_view filename) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM exports WHERE filename = ?", columns));
    st.bind(1, std::string(filename));
    if (!st.executeStep()) return std::nullopt;
    return read_row(st);
}

std::vector<ExportedFile> list(SQLite::Database& db, std::optional<std::int64_t> module_id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM exports WHERE ?1 IS NULL OR module_id = ?1 "
                                         "ORDER BY created_at DESC, id DESC",
                                         columns));
    bind_optional(st, 1, module_id);
    return read_all(st);
}

bool filename_taken(SQLite::Database& db, std::string_view filename) {
    SQLite::Statement st(db, "SELECT 1 FROM exports WHERE filename = ?");
    st.bind(1, std::string(filename));
    return st.executeStep();
}

void mark_downloaded(SQLite::Database& db, std::int64_t id, Timestamp now) {
    SQLite::Statement st(db, "UPDATE exports SET downloaded_at = ? WHERE id = ?");
    st.bind(1, to_micros(now));
    st.bind(2, id);
    st.exec();
}

bool remove(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, "DELETE FROM exports WHERE id = ?");
    st.bind(1, id);
    return st.exec() > 0;
}

std::vector<ExportedFile> expired(SQLite::Database& db, Timestamp now) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM exports WHERE expires_at <= ?", columns));
    st.bind(1, to_micros(now));
    return read_all(st);
}

std::vector<std::string> filenames(SQLite::Database& db) {
    SQLite::Statement st(db, "SELECT filename FROM exports");
    std::vector<std::string> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getString());
    return out;
}

std::vector<std::filesystem::path> files_of(SQLite::Database& db, Owner owner, std::int64_t id) {
    const char* sql = "";
    switch (owner) {
    case Owner::module: sql = "SELECT path FROM exports WHERE module_id = ?"; break;
    case Owner::manual:
        sql = "SELECT e.path FROM exports e JOIN modules m ON m.id = e.module_id WHERE m.manual_id = ?";
        break;
    case Owner::cluster:
        sql = "SELECT e.path FROM exports e JOIN modules m ON m.id = e.module_id WHERE m.cluster_id = ?";
        break;
    }
    SQLite::Statement st(db, sql);
    st.bind(1, id);
    std::vector<std::filesystem::path> out;
    while (st.executeStep())
        out.emplace_back(st.getColumn(0).getString());
    return out;
}

} // namespace shiksha::detail::export_repo
