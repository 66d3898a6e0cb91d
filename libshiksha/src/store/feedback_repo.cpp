#include "store/feedback_repo.hpp"

#include "store/store.hpp"

#include <fmt/format.h>

namespace shiksha::detail::feedback_repo {

namespace {

constexpr std::int64_t micros_per_day = 86'400'000'000;

constexpr const char* columns =
    "id, module_id, cluster_id, manual_id, rating, comment, tags, helpful, created_by, submitted_at";

std::optional<std::vector<std::string>> parse_tags(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    auto json = Json::parse(c.getString());
    if (!json || !json->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& t : json->as_array()) {
        if (t.is_string()) out.push_back(t.as_string());
    }
    return out;
}

Feedback read_row(SQLite::Statement& st) {
    Feedback f;
    f.id = st.getColumn(0).getInt64();
    f.module_id = st.getColumn(1).getInt64();
    f.cluster_id = optional_int(st.getColumn(2));
    f.manual_id = optional_int(st.getColumn(3));
    f.rating = st.getColumn(4).getInt();
    f.comment = optional_text(st.getColumn(5));
    f.tags = parse_tags(st.getColumn(6));
    f.helpful = st.getColumn(7).getInt() != 0;
    f.created_by = optional_int(st.getColumn(8));
    f.submitted_at = to_timestamp(st.getColumn(9).getInt64());
    return f;
}

/// " AND ..." for the filter's bounds, with named parameters bound by bind_filter().
std::string where(const FeedbackFilter& f) {
    std::string sql;
    if (f.cluster_id) sql += " AND cluster_id = :cluster";
    if (f.manual_id) sql += " AND manual_id = :manual";
    if (f.date_from) sql += " AND submitted_at >= :from";
    if (f.date_to) sql += " AND submitted_at <= :to";
    return sql;
}

/// where() plus the same bounds on the day, so the planner can seek in feedback_day.
std::string where_days(const FeedbackFilter& f) {
    std::string sql = where(f);
    if (f.date_from) sql += fmt::format(" AND submitted_at / {} >= :from_day", micros_per_day);
    if (f.date_to) sql += fmt::format(" AND submitted_at / {} <= :to_day", micros_per_day);
    return sql;
}

void bind_filter(SQLite::Statement& st, const FeedbackFilter& f) {
    if (f.cluster_id) st.bind(":cluster", *f.cluster_id);
    if (f.manual_id) st.bind(":manual", *f.manual_id);
    if (f.date_from) st.bind(":from", to_micros(*f.date_from));
    if (f.date_to) st.bind(":to", to_micros(*f.date_to));
}

} // namespace

Feedback insert(SQLite::Database& db, const Feedback& f) {
    SQLite::Statement st(db, "INSERT INTO feedback (module_id, cluster_id, manual_id, rating, comment, tags, "
                             "helpful, created_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, f.module_id);
    bind_optional(st, 2, f.cluster_id);
    bind_optional(st, 3, f.manual_id);
    st.bind(4, f.rating);
    bind_optional(st, 5, f.comment);
    if (f.tags) {
        Json tags = Json::array();
        for (const auto& t : *f.tags)
            tags.push_back(Json(t));
        st.bind(6, tags.dump());
    } else {
        st.bind(6);
    }
    st.bind(7, f.helpful ? 1 : 0);
    bind_optional(st, 8, f.created_by);
    st.bind(9, to_micros(f.submitted_at));
    st.exec();
    Feedback out = f;
    out.id = db.getLastInsertRowid();
    return out;
}

bool module_exists(SQLite::Database& db, std::int64_t module_id) {
    SQLite::Statement st(db, "SELECT 1 FROM modules WHERE id = ?");
    st.bind(1, module_id);
    return st.executeStep();
}

std::vector<Feedback> for_module(SQLite::Database& db, std::int64_t module_id, const Page& page) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM feedback WHERE module_id = ? "
                                         "ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?",
                                         columns));
    st.bind(1, module_id);
    st.bind(2, page.limit);
    st.bind(3, page.skip);
    std::vector<Feedback> out;
    while (st.executeStep())
        out.push_back(read_row(st));
    return out;
}

std::vector<SummaryGroup> summary_groups(SQLite::Database& db, const FeedbackFilter& f) {
    // The GROUP BY terms are feedback_day's columns in its order: SQLite walks the index and
    // needs no sort. (Integer division floors only for non-negative micros; no feedback predates
    // 1970.)
    SQLite::Statement st(db,
                         fmt::format("SELECT submitted_at / {0}, cluster_id, rating, helpful, COUNT(*) "
                                     "FROM feedback WHERE 1=1{1} GROUP BY submitted_at / {0}, cluster_id, "
                                     "rating, helpful",
                                     micros_per_day, where_days(f)));
    bind_filter(st, f);
    if (f.date_from) st.bind(":from_day", to_micros(*f.date_from) / micros_per_day);
    if (f.date_to) st.bind(":to_day", to_micros(*f.date_to) / micros_per_day);
    std::vector<SummaryGroup> out;
    while (st.executeStep()) {
        out.push_back({optional_int(st.getColumn(1)), st.getColumn(0).getInt64(), st.getColumn(2).getInt(),
                       st.getColumn(3).getInt() != 0, st.getColumn(4).getInt64()});
    }
    return out;
}

std::map<std::string, std::int64_t> tag_counts(SQLite::Database& db, const FeedbackFilter& f) {
    // submit_feedback() stores each tag once per feedback, so COUNT(*) counts feedback. The
    // condition on tags matches the partial index feedback_tagged: untagged rows are never read.
    SQLite::Statement st(db, fmt::format("SELECT t.value, COUNT(*) FROM feedback, "
                                         "json_each(feedback.tags) AS t WHERE feedback.tags IS NOT NULL "
                                         "AND feedback.tags <> '[]' AND t.type = 'text'{} GROUP BY t.value",
                                         where(f)));
    bind_filter(st, f);
    std::map<std::string, std::int64_t> out;
    while (st.executeStep())
        out.emplace(st.getColumn(0).getString(), st.getColumn(1).getInt64());
    return out;
}

std::vector<std::string> issue_comments(SQLite::Database& db, const FeedbackFilter& f, int limit) {
    SQLite::Statement st(
        db, fmt::format("SELECT comment FROM feedback WHERE helpful = 0 AND comment IS NOT NULL{} "
                        "ORDER BY submitted_at DESC, id DESC LIMIT :limit",
                        where(f)));
    bind_filter(st, f);
    st.bind(":limit", limit);
    std::vector<std::string> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getString());
    return out;
}

std::map<std::int64_t, std::string> cluster_names(SQLite::Database& db) {
    SQLite::Statement st(db, "SELECT id, name FROM clusters");
    std::map<std::int64_t, std::string> out;
    while (st.executeStep())
        out.emplace(st.getColumn(0).getInt64(), st.getColumn(1).getString());
    return out;
}

std::vector<ModuleStats> module_stats(SQLite::Database& db) {
    SQLite::Statement st(db, "SELECT s.module_id, m.title, m.cluster_id, COALESCE(c.name, ''), s.n, s.h, s.r "
                             "FROM (SELECT module_id, COUNT(*) AS n, SUM(helpful) AS h, SUM(rating) AS r "
                             "      FROM feedback GROUP BY module_id) AS s "
                             "JOIN modules m ON m.id = s.module_id "
                             "LEFT JOIN clusters c ON c.id = m.cluster_id");
    std::vector<ModuleStats> out;
    while (st.executeStep()) {
        out.push_back({st.getColumn(0).getInt64(), st.getColumn(1).getString(), st.getColumn(2).getInt64(),
                       st.getColumn(3).getString(), st.getColumn(4).getInt64(), st.getColumn(5).getInt64(),
                       st.getColumn(6).getInt64()});
    }
    return out;
}

} // namespace shiksha::detail::feedback_repo
