#pragma once
// SQL for the video catalogue, the per-module suggestions cache and the API quota ledger
// (internal).

#include "shiksha/types.hpp"
#include "shiksha/videos.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail::video_repo {

// Catalogue -----------------------------------------------------------------------------------

/// Inserts or replaces by video_id; true when the row is new.
[[nodiscard]] bool upsert_catalogue(SQLite::Database& db, const Video& video, std::string_view tags,
                                    Timestamp now);
/// Every catalogue entry (an administrator's list: hundreds, not millions), oldest first.
[[nodiscard]] std::vector<Video> catalogue(SQLite::Database& db, std::size_t max_rows = 5000);
[[nodiscard]] std::int64_t catalogue_count(SQLite::Database& db);

// Suggestions cache ---------------------------------------------------------------------------

struct StoredSuggestions {
    std::int64_t module_id = 0;
    std::string source;
    std::string query;
    std::vector<Video> videos;
    Timestamp fetched_at;
    Timestamp expires_at;
};

[[nodiscard]] std::optional<StoredSuggestions> suggestions(SQLite::Database& db, std::int64_t module_id);
void put_suggestions(SQLite::Database& db, const StoredSuggestions& s);

// Quota ledger --------------------------------------------------------------------------------

struct Usage {
    std::int64_t units = 0;
    std::int64_t calls = 0;
};

[[nodiscard]] Usage usage(SQLite::Database& db, std::string_view api, std::string_view day);
void add_usage(SQLite::Database& db, std::string_view api, std::string_view day, std::int64_t units,
               std::int64_t calls);
/// The API said the quota is spent: count the day as full so no more calls are tried today.
void mark_exhausted(SQLite::Database& db, std::string_view api, std::string_view day, std::int64_t limit);

/// Stored video JSON (to_json(Video)) back to a Video; nullopt when it is not one.
[[nodiscard]] std::optional<Video> video_from_json(const Json& json);

} // namespace shiksha::detail::video_repo
