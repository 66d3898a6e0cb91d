#pragma once
// SQL for modules (internal).

#include "shiksha/modules.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>

namespace shiksha::detail::module_repo {

/// Inserts `m` (its id and timestamps are assigned here) and returns it as stored.
[[nodiscard]] Module insert(SQLite::Database& db, const Module& m, std::optional<std::int64_t> created_by);
[[nodiscard]] std::optional<Module> get(SQLite::Database& db, std::int64_t id);
[[nodiscard]] std::vector<Module> list(SQLite::Database& db, const ModuleQuery& q);
[[nodiscard]] std::int64_t count(SQLite::Database& db);
[[nodiscard]] bool remove(SQLite::Database& db, std::int64_t id);
void set_approved(SQLite::Database& db, std::int64_t id, bool approved, Timestamp now);

} // namespace shiksha::detail::module_repo
