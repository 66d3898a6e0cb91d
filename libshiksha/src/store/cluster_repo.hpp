#pragma once
// SQL for clusters and the per-user hidden list (internal).

#include "shiksha/clusters.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>

namespace shiksha::detail::cluster_repo {

[[nodiscard]] Cluster insert(SQLite::Database& db, const NewCluster& c, Timestamp now);
[[nodiscard]] std::optional<Cluster> get(SQLite::Database& db, std::int64_t id);
/// Id of a cluster with this name (case-insensitive), if any, other than `except_id`.
[[nodiscard]] std::optional<std::int64_t> find_name(SQLite::Database& db, std::string_view name,
                                                    std::int64_t except_id = 0);
[[nodiscard]] std::vector<Cluster> list(SQLite::Database& db, const ClusterQuery& q);
[[nodiscard]] std::int64_t count(SQLite::Database& db);
/// Writes every column of `c` (already merged with its patch).
void update(SQLite::Database& db, const Cluster& c);
/// False when no such cluster.
[[nodiscard]] bool remove(SQLite::Database& db, std::int64_t id);
void hide(SQLite::Database& db, std::int64_t cluster_id, std::int64_t user_id, Timestamp now);

} // namespace shiksha::detail::cluster_repo
