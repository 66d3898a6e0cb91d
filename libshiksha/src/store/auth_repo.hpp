#pragma once
// SQL for users, schools, refresh tokens and revoked access tokens (internal).

#include "shiksha/auth.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>

namespace shiksha::detail {

struct UserRow {
    User user;
    std::string password_hash;
    std::int64_t token_generation = 0; ///< access tokens signed with another generation are void
};

namespace user_repo {
[[nodiscard]] User insert(SQLite::Database& db, const NewUser& u, std::string_view password_hash,
                          Timestamp now);
[[nodiscard]] std::optional<UserRow> get(SQLite::Database& db, std::int64_t id);
/// By username or e-mail, case-insensitive.
[[nodiscard]] std::optional<UserRow> find_login(SQLite::Database& db, std::string_view login);
[[nodiscard]] bool username_taken(SQLite::Database& db, std::string_view username);
[[nodiscard]] bool email_taken(SQLite::Database& db, std::string_view email);
[[nodiscard]] std::vector<User> list(SQLite::Database& db, const Page& page);
void set_password_hash(SQLite::Database& db, std::int64_t id, std::string_view hash, Timestamp now);
void set_active(SQLite::Database& db, std::int64_t id, bool active, Timestamp now);
void stamp_login(SQLite::Database& db, std::int64_t id, Timestamp now);
} // namespace user_repo

namespace school_repo {
[[nodiscard]] School insert(SQLite::Database& db, const School& s, Timestamp now);
[[nodiscard]] std::optional<School> find_name(SQLite::Database& db, std::string_view name);
[[nodiscard]] std::optional<School> get(SQLite::Database& db, std::int64_t id);
} // namespace school_repo

struct RefreshTokenRow {
    std::int64_t id = 0;
    std::string family;
    std::int64_t user_id = 0;
    Timestamp expires_at;
    bool used = false;
    bool revoked = false;
};

namespace token_repo {
void insert_refresh(SQLite::Database& db, std::string_view token_hash, std::string_view family,
                    std::int64_t user_id, Timestamp issued, Timestamp expires);
[[nodiscard]] std::optional<RefreshTokenRow> find_refresh(SQLite::Database& db, std::string_view token_hash);
/// Marks the token spent; false when it already was (or was revoked) — i.e. a reuse.
[[nodiscard]] bool mark_used(SQLite::Database& db, std::int64_t id, Timestamp now);
void revoke_family(SQLite::Database& db, std::string_view family, Timestamp now);
/// Revokes the user's refresh tokens and ends their access tokens (bumps the generation).
void revoke_user(SQLite::Database& db, std::int64_t user_id, Timestamp now);
/// Ends every access token of the user issued so far (they carry the old generation).
void bump_generation(SQLite::Database& db, std::int64_t user_id);
void revoke_access(SQLite::Database& db, std::string_view jti, Timestamp expires);
[[nodiscard]] bool access_revoked(SQLite::Database& db, std::string_view jti);
/// Drops rows that can no longer matter (expired tokens).
void purge_expired(SQLite::Database& db, Timestamp now);
} // namespace token_repo

namespace audit_repo {
void append(SQLite::Database& db, const AuditEntry& e);
[[nodiscard]] std::vector<AuditEntry> list(SQLite::Database& db, const Page& page);
} // namespace audit_repo

} // namespace shiksha::detail
