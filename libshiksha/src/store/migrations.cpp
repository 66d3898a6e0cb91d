// The schema history. Never edit a migration that has shipped: add a new one.
#include "store/store.hpp"

namespace shiksha::detail {

namespace {

// Timestamps are INTEGER microseconds since the Unix epoch, UTC.
constexpr const char* v1_foundation = R"sql(
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
);

CREATE TABLE schools (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    district       TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT '',
    school_type    TEXT NOT NULL DEFAULT '',
    total_teachers INTEGER NOT NULL DEFAULT 0 CHECK (total_teachers >= 0),
    created_at     INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email         TEXT UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'teacher', 'principal', 'coordinator', 'admin')),
    password_hash TEXT NOT NULL,
    school_id     INTEGER REFERENCES schools(id) ON DELETE SET NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    last_login    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Refresh tokens are stored as SHA-256 of the token; a family is one login's rotation chain.
CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    family     TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

-- Access tokens revoked by logout, kept until they would have expired anyway.
CREATE TABLE revoked_access_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE clusters (
    id                         INTEGER PRIMARY KEY,
    name                       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    region_type                TEXT NOT NULL,
    language                   TEXT NOT NULL,
    infrastructure_constraints TEXT NOT NULL,
    key_issues                 TEXT,
    total_teachers             INTEGER NOT NULL DEFAULT 1 CHECK (total_teachers >= 0),
    additional_notes           TEXT,
    pinned                     INTEGER NOT NULL DEFAULT 0,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX clusters_listing ON clusters(pinned DESC, created_at DESC, id DESC);

-- A teacher's "delete" of a shared cluster only hides it from that teacher.
CREATE TABLE hidden_clusters (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
    hidden_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, cluster_id)
) WITHOUT ROWID;

-- No foreign key on user_id: the trail outlives the accounts it mentions.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_id    INTEGER,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT '',
    client     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Long work (indexing, generation, delivery) reported as jobs with progress.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    done          INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    result        TEXT,
    error_code    TEXT,
    error_message TEXT,
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs(state);
)sql";

} // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> history = {
        {1, "foundation: schools, users, tokens, clusters, audit log, jobs", v1_foundation},
    };
    return history;
}

} // namespace shiksha::detail
