#include "store/cluster_repo.hpp"

#include "store/store.hpp"

namespace shiksha::detail::cluster_repo {

namespace {

constexpr const char* columns = "id, name, region_type, language, infrastructure_constraints, key_issues, "
                                "total_teachers, additional_notes, pinned, created_at, updated_at";

Cluster read_row(SQLite::Statement& st) {
    Cluster c;
    c.id = st.getColumn(0).getInt64();
    c.name = st.getColumn(1).getString();
    c.region_type = st.getColumn(2).getString();
    c.language = st.getColumn(3).getString();
    c.infrastructure_constraints = st.getColumn(4).getString();
    c.key_issues = optional_text(st.getColumn(5));
    c.total_teachers = st.getColumn(6).getInt64();
    c.additional_notes = optional_text(st.getColumn(7));
    c.pinned = st.getColumn(8).getInt() != 0;
    c.created_at = to_timestamp(st.getColumn(9).getInt64());
    c.updated_at = to_timestamp(st.getColumn(10).getInt64());
    return c;
}

/// Binds the seven profile columns shared by INSERT and UPDATE to parameters 1–7.
template <class Profile>
void bind_profile(SQLite::Statement& st, const Profile& c) {
    st.bind(1, c.name);
    st.bind(2, c.region_type);
    st.bind(3, c.language);
    st.bind(4, c.infrastructure_constraints);
    bind_optional(st, 5, c.key_issues);
    st.bind(6, c.total_teachers);
    bind_optional(st, 7, c.additional_notes);
}

} // namespace

Cluster insert(SQLite::Database& db, const NewCluster& c, Timestamp now) {
    SQLite::Statement st(db, "INSERT INTO clusters (name, region_type, language, infrastructure_constraints, "
                             "key_issues, total_teachers, additional_notes, pinned, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
    bind_profile(st, c);
    st.bind(8, to_micros(now));
    st.bind(9, to_micros(now));
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<Cluster> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, std::string("SELECT ") + columns + " FROM clusters WHERE id = ?");
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_row(st);
}

std::optional<std::int64_t> find_name(SQLite::Database& db, std::string_view name, std::int64_t except_id) {
    SQLite::Statement st(db, "SELECT id FROM clusters WHERE name = ? AND id != ?");
    st.bind(1, std::string(name));
    st.bind(2, except_id);
    if (!st.executeStep()) return std::nullopt;
    return st.getColumn(0).getInt64();
}

std::vector<Cluster> list(SQLite::Database& db, const ClusterQuery& q) {
    std::string sql = std::string("SELECT ") + columns + " FROM clusters";
    if (q.hidden_for_user) {
        sql += " WHERE id NOT IN (SELECT cluster_id FROM hidden_clusters WHERE user_id = :user)";
    }
    sql += " ORDER BY pinned DESC, created_at DESC, id DESC LIMIT :limit OFFSET :skip";
    SQLite::Statement st(db, sql);
    if (q.hidden_for_user) st.bind(":user", *q.hidden_for_user);
    st.bind(":limit", q.page.limit);
    st.bind(":skip", q.page.skip);
    std::vector<Cluster> out;
    while (st.executeStep())
        out.push_back(read_row(st));
    return out;
}

std::int64_t count(SQLite::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM clusters").getInt64();
}

void update(SQLite::Database& db, const Cluster& c) {
    SQLite::Statement st(db, "UPDATE clusters SET name = ?, region_type = ?, language = ?, "
                             "infrastructure_constraints = ?, key_issues = ?, total_teachers = ?, "
                             "additional_notes = ?, pinned = ?, updated_at = ? WHERE id = ?");
    bind_profile(st, c);
    st.bind(8, c.pinned ? 1 : 0);
    st.bind(9, to_micros(c.updated_at));
    st.bind(10, c.id);
    st.exec();
}

bool remove(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, "DELETE FROM clusters WHERE id = ?");
    st.bind(1, id);
    return st.exec() > 0;
}

void hide(SQLite::Database& db, std::int64_t cluster_id, std::int64_t user_id, Timestamp now) {
    SQLite::Statement st(
        db, "INSERT OR IGNORE INTO hidden_clusters (user_id, cluster_id, hidden_at) VALUES (?, ?, ?)");
    st.bind(1, user_id);
    st.bind(2, cluster_id);
    st.bind(3, to_micros(now));
    st.exec();
}

} // namespace shiksha::detail::cluster_repo
