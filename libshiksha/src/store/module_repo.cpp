#include "store/module_repo.hpp"

#include "modules/module_codec.hpp"
#include "store/store.hpp"
#include "store/translation_repo.hpp"

#include <fmt/format.h>

namespace shiksha::detail::module_repo {

namespace {

constexpr const char* columns =
    "id, title, topic, manual_id, cluster_id, grade, language, learning_objective, "
    "original_content, adapted_content, content, generation, approved, created_at, "
    "updated_at, translation_status";

Module read_row(SQLite::Statement& st) {
    Module m;
    m.id = st.getColumn(0).getInt64();
    m.title = st.getColumn(1).getString();
    m.topic = st.getColumn(2).getString();
    m.manual_id = st.getColumn(3).getInt64();
    m.cluster_id = st.getColumn(4).getInt64();
    m.grade = optional_text(st.getColumn(5));
    m.language = optional_text(st.getColumn(6));
    m.learning_objective = optional_text(st.getColumn(7));
    m.original_content = st.getColumn(8).getString();
    m.adapted_content = st.getColumn(9).getString();
    m.content = decode_content(st.getColumn(10).getString());
    m.generation = decode_generation(st.getColumn(11).getString());
    m.approved = st.getColumn(12).getInt() != 0;
    m.created_at = to_timestamp(st.getColumn(13).getInt64());
    m.updated_at = to_timestamp(st.getColumn(14).getInt64());
    m.translation_status = st.getColumn(15).getString();
    return m;
}

} // namespace

Module insert(SQLite::Database& db, const Module& m, std::optional<std::int64_t> created_by) {
    SQLite::Statement st(
        db, "INSERT INTO modules (title, topic, manual_id, cluster_id, grade, language, "
            "learning_objective, original_content, adapted_content, content, generation, approved, "
            "created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?,?)");
    const auto now = to_micros(now_utc());
    st.bind(1, m.title);
    st.bind(2, m.topic);
    st.bind(3, m.manual_id);
    st.bind(4, m.cluster_id);
    bind_optional(st, 5, m.grade);
    bind_optional(st, 6, m.language);
    bind_optional(st, 7, m.learning_objective);
    st.bind(8, m.original_content);
    st.bind(9, m.adapted_content);
    st.bind(10, to_json(m.content).dump());
    st.bind(11, to_json(m.generation).dump());
    bind_optional(st, 12, created_by);
    st.bind(13, now);
    st.bind(14, now);
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<Module> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM modules WHERE id = ?", columns));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    Module m = read_row(st);
    m.translations = translation_repo::module_translations(db, m.id);
    return m;
}

std::vector<Module> list(SQLite::Database& db, const ModuleQuery& q) {
    std::string sql = fmt::format("SELECT {} FROM modules WHERE 1=1", columns);
    if (q.cluster_id) sql += " AND cluster_id = :cluster";
    if (q.manual_id) sql += " AND manual_id = :manual";
    sql += " ORDER BY id LIMIT :limit OFFSET :skip";
    SQLite::Statement st(db, sql);
    if (q.cluster_id) st.bind(":cluster", *q.cluster_id);
    if (q.manual_id) st.bind(":manual", *q.manual_id);
    st.bind(":limit", q.page.limit);
    st.bind(":skip", q.page.skip);
    std::vector<Module> out;
    while (st.executeStep())
        out.push_back(read_row(st));
    for (auto& m : out)
        m.translations = translation_repo::module_translations(db, m.id);
    return out;
}

std::int64_t count(SQLite::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM modules").getInt64();
}

bool remove(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, "DELETE FROM modules WHERE id = ?");
    st.bind(1, id);
    return st.exec() > 0;
}

void set_approved(SQLite::Database& db, std::int64_t id, bool approved, Timestamp now) {
    SQLite::Statement st(db, "UPDATE modules SET approved = ?, updated_at = ? WHERE id = ?");
    st.bind(1, approved ? 1 : 0);
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
}

} // namespace shiksha::detail::module_repo
