#pragma once
// SQL for teacher feedback and its aggregates (internal).

#include "shiksha/analytics.hpp"

#include <SQLiteCpp/Database.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shiksha::detail::feedback_repo {

/// Stores `f` (id ignored) and returns it with its id.
[[nodiscard]] Feedback insert(SQLite::Database& db, const Feedback& f);
[[nodiscard]] bool module_exists(SQLite::Database& db, std::int64_t module_id);
/// Newest first.
[[nodiscard]] std::vector<Feedback> for_module(SQLite::Database& db, std::int64_t module_id,
                                               const Page& page);

/// Counts of feedback with one (cluster, UTC day, rating, helpful) combination: the summary's
/// totals, distribution, per-cluster and per-day figures all fold from these groups, so the
/// feedback rows are scanned once.
struct SummaryGroup {
    std::optional<std::int64_t> cluster_id;
    std::int64_t day = 0; ///< days since 1970-01-01 (UTC)
    int rating = 0;
    bool helpful = false;
    std::int64_t count = 0;
};
[[nodiscard]] std::vector<SummaryGroup> summary_groups(SQLite::Database& db, const FeedbackFilter& f);
/// Tag → number of feedback rows carrying it.
[[nodiscard]] std::map<std::string, std::int64_t> tag_counts(SQLite::Database& db, const FeedbackFilter& f);
/// Comments of not-helpful feedback, newest first, at most `limit`.
[[nodiscard]] std::vector<std::string> issue_comments(SQLite::Database& db, const FeedbackFilter& f,
                                                      int limit);
/// id → name of every cluster.
[[nodiscard]] std::map<std::int64_t, std::string> cluster_names(SQLite::Database& db);

/// Per-module counts over all feedback, with the module's title and cluster.
struct ModuleStats {
    std::int64_t module_id = 0;
    std::string title;
    std::int64_t cluster_id = 0;
    std::string cluster_name;
    std::int64_t count = 0;
    std::int64_t helpful = 0;
    std::int64_t rating_sum = 0;
};
[[nodiscard]] std::vector<ModuleStats> module_stats(SQLite::Database& db);

} // namespace shiksha::detail::feedback_repo
