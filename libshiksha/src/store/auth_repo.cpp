#include "store/auth_repo.hpp"

#include "store/store.hpp"

namespace shiksha::detail {

namespace {

constexpr const char* user_columns =
    "u.id, u.username, COALESCE(u.email, ''), u.name, u.role, u.school_id, s.name, u.active, u.last_login, "
    "u.created_at, u.updated_at, u.password_hash, u.token_generation";

UserRow read_user(SQLite::Statement& st) {
    UserRow row;
    User& u = row.user;
    u.id = st.getColumn(0).getInt64();
    u.username = st.getColumn(1).getString();
    u.email = st.getColumn(2).getString();
    u.name = st.getColumn(3).getString();
    u.role =
        parse_role(st.getColumn(4).getString()).value_or(Role::viewer); // CHECK constraint guards the set
    u.school_id = optional_int(st.getColumn(5));
    u.school_name = optional_text(st.getColumn(6));
    u.active = st.getColumn(7).getInt() != 0;
    if (auto t = optional_int(st.getColumn(8))) u.last_login = to_timestamp(*t);
    u.created_at = to_timestamp(st.getColumn(9).getInt64());
    u.updated_at = to_timestamp(st.getColumn(10).getInt64());
    row.password_hash = st.getColumn(11).getString();
    row.token_generation = st.getColumn(12).getInt64();
    return row;
}

std::string select_users(std::string_view where) {
    return std::string("SELECT ") + user_columns +
           " FROM users u LEFT JOIN schools s ON s.id = u.school_id " + std::string(where);
}

School read_school(SQLite::Statement& st) {
    School s;
    s.id = st.getColumn(0).getInt64();
    s.name = st.getColumn(1).getString();
    s.district = st.getColumn(2).getString();
    s.state = st.getColumn(3).getString();
    s.school_type = st.getColumn(4).getString();
    s.total_teachers = st.getColumn(5).getInt64();
    return s;
}

void exec_with(SQLite::Database& db, const char* sql, std::int64_t a, std::int64_t b) {
    SQLite::Statement st(db, sql);
    st.bind(1, a);
    st.bind(2, b);
    st.exec();
}

} // namespace

namespace user_repo {

User insert(SQLite::Database& db, const NewUser& u, std::string_view password_hash, Timestamp now) {
    SQLite::Statement st(db,
                         "INSERT INTO users (username, email, name, role, password_hash, school_id, active, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)");
    st.bind(1, u.username);
    bind_optional(st, 2, u.email.empty() ? std::nullopt : std::optional<std::string>(u.email));
    st.bind(3, u.name);
    st.bind(4, std::string(to_string(u.role)));
    st.bind(5, std::string(password_hash));
    bind_optional(st, 6, u.school_id);
    st.bind(7, to_micros(now));
    st.bind(8, to_micros(now));
    st.exec();
    return get(db, db.getLastInsertRowid())->user;
}

std::optional<UserRow> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, select_users("WHERE u.id = ?"));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_user(st);
}

std::optional<UserRow> find_login(SQLite::Database& db, std::string_view login) {
    SQLite::Statement st(db, select_users("WHERE u.username = ?1 OR u.email = ?1"));
    st.bind(1, std::string(login));
    if (!st.executeStep()) return std::nullopt;
    return read_user(st);
}

bool username_taken(SQLite::Database& db, std::string_view username) {
    SQLite::Statement st(db, "SELECT 1 FROM users WHERE username = ?");
    st.bind(1, std::string(username));
    return st.executeStep();
}

bool email_taken(SQLite::Database& db, std::string_view email) {
    SQLite::Statement st(db, "SELECT 1 FROM users WHERE email = ?");
    st.bind(1, std::string(email));
    return st.executeStep();
}

std::vector<User> list(SQLite::Database& db, const Page& page) {
    SQLite::Statement st(db, select_users("ORDER BY u.id LIMIT ? OFFSET ?"));
    st.bind(1, page.limit);
    st.bind(2, page.skip);
    std::vector<User> out;
    while (st.executeStep())
        out.push_back(read_user(st).user);
    return out;
}

void set_password_hash(SQLite::Database& db, std::int64_t id, std::string_view hash, Timestamp now) {
    SQLite::Statement st(db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    st.bind(1, std::string(hash));
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
}

void set_active(SQLite::Database& db, std::int64_t id, bool active, Timestamp now) {
    SQLite::Statement st(db, "UPDATE users SET active = ?, updated_at = ? WHERE id = ?");
    st.bind(1, active ? 1 : 0);
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
}

void stamp_login(SQLite::Database& db, std::int64_t id, Timestamp now) {
    exec_with(db, "UPDATE users SET last_login = ? WHERE id = ?", to_micros(now), id);
}

} // namespace user_repo

namespace school_repo {

School insert(SQLite::Database& db, const School& s, Timestamp now) {
    SQLite::Statement st(
        db, "INSERT INTO schools (name, district, state, school_type, total_teachers, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, s.name);
    st.bind(2, s.district);
    st.bind(3, s.state);
    st.bind(4, s.school_type);
    st.bind(5, s.total_teachers);
    st.bind(6, to_micros(now));
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<School> find_name(SQLite::Database& db, std::string_view name) {
    SQLite::Statement st(
        db, "SELECT id, name, district, state, school_type, total_teachers FROM schools WHERE name = ?");
    st.bind(1, std::string(name));
    if (!st.executeStep()) return std::nullopt;
    return read_school(st);
}

std::optional<School> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(
        db, "SELECT id, name, district, state, school_type, total_teachers FROM schools WHERE id = ?");
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_school(st);
}

} // namespace school_repo

namespace token_repo {

void insert_refresh(SQLite::Database& db, std::string_view token_hash, std::string_view family,
                    std::int64_t user_id, Timestamp issued, Timestamp expires) {
    SQLite::Statement st(db,
                         "INSERT INTO refresh_tokens (token_hash, family, user_id, issued_at, expires_at) "
                         "VALUES (?, ?, ?, ?, ?)");
    st.bind(1, token_hash.data(), static_cast<int>(token_hash.size()));
    st.bind(2, std::string(family));
    st.bind(3, user_id);
    st.bind(4, to_micros(issued));
    st.bind(5, to_micros(expires));
    st.exec();
}

std::optional<RefreshTokenRow> find_refresh(SQLite::Database& db, std::string_view token_hash) {
    SQLite::Statement st(
        db, "SELECT id, family, user_id, expires_at, used_at IS NOT NULL, revoked_at IS NOT NULL "
            "FROM refresh_tokens WHERE token_hash = ?");
    st.bind(1, token_hash.data(), static_cast<int>(token_hash.size()));
    if (!st.executeStep()) return std::nullopt;
    RefreshTokenRow row;
    row.id = st.getColumn(0).getInt64();
    row.family = st.getColumn(1).getString();
    row.user_id = st.getColumn(2).getInt64();
    row.expires_at = to_timestamp(st.getColumn(3).getInt64());
    row.used = st.getColumn(4).getInt() != 0;
    row.revoked = st.getColumn(5).getInt() != 0;
    return row;
}

bool mark_used(SQLite::Database& db, std::int64_t id, Timestamp now) {
    SQLite::Statement st(db, "UPDATE refresh_tokens SET used_at = ? "
                             "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL");
    st.bind(1, to_micros(now));
    st.bind(2, id);
    return st.exec() == 1;
}

void revoke_family(SQLite::Database& db, std::string_view family, Timestamp now) {
    SQLite::Statement st(db,
                         "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL");
    st.bind(1, to_micros(now));
    st.bind(2, std::string(family));
    st.exec();
}

void revoke_user(SQLite::Database& db, std::int64_t user_id, Timestamp now) {
    exec_with(db, "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
              to_micros(now), user_id);
    bump_generation(db, user_id);
}

void bump_generation(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement st(db, "UPDATE users SET token_generation = token_generation + 1 WHERE id = ?");
    st.bind(1, user_id);
    st.exec();
}

void revoke_access(SQLite::Database& db, std::string_view jti, Timestamp expires) {
    SQLite::Statement st(db, "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)");
    st.bind(1, std::string(jti));
    st.bind(2, to_micros(expires));
    st.exec();
}

bool access_revoked(SQLite::Database& db, std::string_view jti) {
    SQLite::Statement st(db, "SELECT 1 FROM revoked_access_tokens WHERE jti = ?");
    st.bind(1, std::string(jti));
    return st.executeStep();
}

void purge_expired(SQLite::Database& db, Timestamp now) {
    SQLite::Statement a(db, "DELETE FROM revoked_access_tokens WHERE expires_at < ?");
    a.bind(1, to_micros(now));
    a.exec();
    // A family is kept while any member could still be presented, so reuse stays detectable.
    SQLite::Statement r(db, "DELETE FROM refresh_tokens WHERE family IN "
                            "(SELECT family FROM refresh_tokens GROUP BY family HAVING MAX(expires_at) < ?)");
    r.bind(1, to_micros(now));
    r.exec();
}

} // namespace token_repo

namespace audit_repo {

void append(SQLite::Database& db, const AuditEntry& e) {
    SQLite::Statement st(db,
                         "INSERT INTO audit_log (at, user_id, action, target, detail, request_id, client) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, to_micros(e.at));
    bind_optional(st, 2, e.user_id);
    st.bind(3, e.action);
    st.bind(4, e.target);
    st.bind(5, e.detail.empty() ? std::string("{}") : e.detail);
    st.bind(6, e.request_id);
    st.bind(7, e.client);
    st.exec();
}

std::vector<AuditEntry> list(SQLite::Database& db, const Page& page) {
    SQLite::Statement st(db,
                         "SELECT id, at, user_id, action, target, detail, request_id, client FROM audit_log "
                         "ORDER BY id DESC LIMIT ? OFFSET ?");
    st.bind(1, page.limit);
    st.bind(2, page.skip);
    std::vector<AuditEntry> out;
    while (st.executeStep()) {
        AuditEntry e;
        e.id = st.getColumn(0).getInt64();
        e.at = to_timestamp(st.getColumn(1).getInt64());
        e.user_id = optional_int(st.getColumn(2));
        e.action = st.getColumn(3).getString();
        e.target = st.getColumn(4).getString();
        e.detail = st.getColumn(5).getString();
        e.request_id = st.getColumn(6).getString();
        e.client = st.getColumn(7).getString();
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace audit_repo

} // namespace shiksha::detail
