#include "store/video_repo.hpp"

#include "store/store.hpp"

namespace shiksha::detail::video_repo {

namespace {

constexpr const char* catalogue_columns =
    "video_id, title, description, channel, url, thumbnail_url, duration_seconds, language, view_count";

std::string text_member(const Json& json, std::string_view key) {
    const Json* v = json.find(key);
    return v && v->is_string() ? v->as_string() : std::string();
}

std::int64_t int_member(const Json& json, std::string_view key) {
    const Json* v = json.find(key);
    return v && v->is_int() ? v->as_int() : 0;
}

} // namespace

bool upsert_catalogue(SQLite::Database& db, const Video& v, std::string_view tags, Timestamp now) {
    SQLite::Statement exists(db, "SELECT 1 FROM video_catalogue WHERE video_id = ?");
    exists.bind(1, v.video_id);
    const bool is_new = !exists.executeStep();
    SQLite::Statement st(
        db, "INSERT INTO video_catalogue (video_id, title, description, channel, url, thumbnail_url, "
            "duration_seconds, language, view_count, tags, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(video_id) DO UPDATE SET title = excluded.title, description = excluded.description, "
            "channel = excluded.channel, url = excluded.url, thumbnail_url = excluded.thumbnail_url, "
            "duration_seconds = excluded.duration_seconds, language = excluded.language, "
            "view_count = excluded.view_count, tags = excluded.tags");
    st.bind(1, v.video_id);
    st.bind(2, v.title);
    st.bind(3, v.description);
    st.bind(4, v.channel);
    st.bind(5, v.url);
    st.bind(6, v.thumbnail_url);
    st.bind(7, v.duration_seconds);
    st.bind(8, v.language);
    st.bind(9, v.view_count);
    st.bind(10, std::string(tags));
    st.bind(11, to_micros(now));
    st.exec();
    return is_new;
}

std::vector<Video> catalogue(SQLite::Database& db, std::size_t max_rows) {
    SQLite::Statement st(db, std::string("SELECT ") + catalogue_columns +
                                 ", tags FROM video_catalogue ORDER BY id LIMIT ?");
    st.bind(1, static_cast<std::int64_t>(max_rows));
    std::vector<Video> out;
    while (st.executeStep()) {
        Video v;
        v.video_id = st.getColumn(0).getString();
        v.title = st.getColumn(1).getString();
        v.description = st.getColumn(2).getString();
        v.channel = st.getColumn(3).getString();
        v.url = st.getColumn(4).getString();
        v.thumbnail_url = st.getColumn(5).getString();
        v.duration_seconds = st.getColumn(6).getInt64();
        v.duration = format_video_duration(v.duration_seconds);
        v.language = st.getColumn(7).getString();
        v.view_count = st.getColumn(8).getInt64();
        // Tags count as description for relevance: that is what an administrator writes them for.
        if (auto tags = st.getColumn(9).getString(); !tags.empty()) v.description += "\n" + tags;
        out.push_back(std::move(v));
    }
    return out;
}

std::int64_t catalogue_count(SQLite::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM video_catalogue").getInt64();
}

std::optional<Video> video_from_json(const Json& json) {
    if (!json.is_object() || !json.find("video_id")) return std::nullopt;
    Video v;
    v.video_id = text_member(json, "video_id");
    v.title = text_member(json, "title");
    v.description = text_member(json, "description");
    v.channel = text_member(json, "channel");
    v.url = text_member(json, "url");
    v.thumbnail_url = text_member(json, "thumbnail_url");
    v.language = text_member(json, "language");
    v.duration_seconds = int_member(json, "duration_seconds");
    v.duration = format_video_duration(v.duration_seconds);
    v.view_count = int_member(json, "view_count");
    if (const Json* s = json.find("relevance_score"); s && s->is_number()) v.relevance_score = s->as_double();
    v.relevance_reason = text_member(json, "relevance_reason");
    v.published_date = text_member(json, "published_date");
    return v;
}

std::optional<StoredSuggestions> suggestions(SQLite::Database& db, std::int64_t module_id) {
    SQLite::Statement st(db, "SELECT source, query, payload, fetched_at, expires_at FROM video_suggestions "
                             "WHERE module_id = ?");
    st.bind(1, module_id);
    if (!st.executeStep()) return std::nullopt;
    StoredSuggestions s;
    s.module_id = module_id;
    s.source = st.getColumn(0).getString();
    s.query = st.getColumn(1).getString();
    s.fetched_at = to_timestamp(st.getColumn(3).getInt64());
    s.expires_at = to_timestamp(st.getColumn(4).getInt64());
    if (auto payload = Json::parse(st.getColumn(2).getString()); payload && payload->is_array()) {
        for (const auto& item : payload->as_array()) {
            if (auto v = video_from_json(item)) s.videos.push_back(std::move(*v));
        }
    }
    return s;
}

void put_suggestions(SQLite::Database& db, const StoredSuggestions& s) {
    Json payload = Json::array();
    for (const auto& v : s.videos)
        payload.push_back(to_json(v));
    SQLite::Statement st(db, "INSERT INTO video_suggestions (module_id, source, query, payload, fetched_at, "
                             "expires_at) VALUES (?,?,?,?,?,?) ON CONFLICT(module_id) DO UPDATE SET "
                             "source = excluded.source, query = excluded.query, payload = excluded.payload, "
                             "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at");
    st.bind(1, s.module_id);
    st.bind(2, s.source);
    st.bind(3, s.query);
    st.bind(4, payload.dump());
    st.bind(5, to_micros(s.fetched_at));
    st.bind(6, to_micros(s.expires_at));
    st.exec();
}

Usage usage(SQLite::Database& db, std::string_view api, std::string_view day) {
    SQLite::Statement st(db, "SELECT units, calls FROM api_quota WHERE api = ? AND day = ?");
    st.bind(1, std::string(api));
    st.bind(2, std::string(day));
    if (!st.executeStep()) return {};
    return {st.getColumn(0).getInt64(), st.getColumn(1).getInt64()};
}

void add_usage(SQLite::Database& db, std::string_view api, std::string_view day, std::int64_t units,
               std::int64_t calls) {
    SQLite::Statement st(db, "INSERT INTO api_quota (api, day, units, calls) VALUES (?,?,?,?) "
                             "ON CONFLICT(api, day) DO UPDATE SET units = units + excluded.units, "
                             "calls = calls + excluded.calls");
    st.bind(1, std::string(api));
    st.bind(2, std::string(day));
    st.bind(3, units);
    st.bind(4, calls);
    st.exec();
}

void mark_exhausted(SQLite::Database& db, std::string_view api, std::string_view day, std::int64_t limit) {
    SQLite::Statement st(db, "INSERT INTO api_quota (api, day, units, calls) VALUES (?,?,?,0) "
                             "ON CONFLICT(api, day) DO UPDATE SET units = MAX(units, excluded.units)");
    st.bind(1, std::string(api));
    st.bind(2, std::string(day));
    st.bind(3, limit);
    st.exec();
}

} // namespace shiksha::detail::video_repo
