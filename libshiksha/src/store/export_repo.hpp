#pragma once
// SQL for exported files (internal).

#include "shiksha/exports.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <vector>

namespace shiksha::detail::export_repo {

/// Inserts `f` (its id is assigned here) and returns it as stored.
[[nodiscard]] ExportedFile insert(SQLite::Database& db, const ExportedFile& f,
                                  std::optional<std::int64_t> created_by);
[[nodiscard]] std::optional<ExportedFile> get(SQLite::Database& db, std::int64_t id);
[[nodiscard]] std::optional<ExportedFile> by_filename(SQLite::Database& db, std::string_view filename);
/// Newest first; every module when `module_id` is empty.
[[nodiscard]] std::vector<ExportedFile> list(SQLite::Database& db, std::optional<std::int64_t> module_id);
[[nodiscard]] bool filename_taken(SQLite::Database& db, std::string_view filename);
void mark_downloaded(SQLite::Database& db, std::int64_t id, Timestamp now);
[[nodiscard]] bool remove(SQLite::Database& db, std::int64_t id);
/// Exports whose expiry is at or before `now`.
[[nodiscard]] std::vector<ExportedFile> expired(SQLite::Database& db, Timestamp now);
/// Every recorded file name (to find files on disk that no record owns).
[[nodiscard]] std::vector<std::string> filenames(SQLite::Database& db);

/// What owns exports: deleting one of these deletes its exports' rows by cascade, so the
/// deleting engine collects the files first and removes them once the deletion committed.
enum class Owner { module, manual, cluster };
[[nodiscard]] std::vector<std::filesystem::path> files_of(SQLite::Database& db, Owner owner, std::int64_t id);

} // namespace shiksha::detail::export_repo
