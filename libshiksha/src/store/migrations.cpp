// The schema history. Never edit a migration that has shipped: add a new one.
#include "store/store.hpp"

#include <string>

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

// Combining marks (Unicode categories Mn and Mc) of the Indic blocks U+0900–U+0DFF, Arabic
// (Urdu) U+0600–U+06FF, U+0750–U+077F, U+08A0–U+08FF, Devanagari Extended U+A8E0–U+A8FF and
// Vedic U+1CD0–U+1CFF, plus ZWNJ and ZWJ. FTS5's unicode61 tokenizer would otherwise treat
// vowel signs and viramas as separators and index "प्रकाश" as प | र | रक | श (NOTES.md).
// Generated once with Python 3.11's unicodedata (Unicode 14); fixed here because a
// migration must never change after it ships.
constexpr const char* indic_tokenchars =
    "\u0900\u0901\u0902\u0903\u093A\u093B\u093C\u093E\u093F\u0940\u0941\u0942\u0943\u0944\u0945\u0946"
    "\u0947\u0948\u0949\u094A\u094B\u094C\u094D\u094E\u094F\u0951\u0952\u0953\u0954\u0955\u0956\u0957"
    "\u0962\u0963\u0981\u0982\u0983\u09BC\u09BE\u09BF\u09C0\u09C1\u09C2\u09C3\u09C4\u09C7\u09C8\u09CB"
    "\u09CC\u09CD\u09D7\u09E2\u09E3\u09FE\u0A01\u0A02\u0A03\u0A3C\u0A3E\u0A3F\u0A40\u0A41\u0A42\u0A47"
    "\u0A48\u0A4B\u0A4C\u0A4D\u0A51\u0A70\u0A71\u0A75\u0A81\u0A82\u0A83\u0ABC\u0ABE\u0ABF\u0AC0\u0AC1"
    "\u0AC2\u0AC3\u0AC4\u0AC5\u0AC7\u0AC8\u0AC9\u0ACB\u0ACC\u0ACD\u0AE2\u0AE3\u0AFA\u0AFB\u0AFC\u0AFD"
    "\u0AFE\u0AFF\u0B01\u0B02\u0B03\u0B3C\u0B3E\u0B3F\u0B40\u0B41\u0B42\u0B43\u0B44\u0B47\u0B48\u0B4B"
    "\u0B4C\u0B4D\u0B55\u0B56\u0B57\u0B62\u0B63\u0B82\u0BBE\u0BBF\u0BC0\u0BC1\u0BC2\u0BC6\u0BC7\u0BC8"
    "\u0BCA\u0BCB\u0BCC\u0BCD\u0BD7\u0C00\u0C01\u0C02\u0C03\u0C04\u0C3C\u0C3E\u0C3F\u0C40\u0C41\u0C42"
    "\u0C43\u0C44\u0C46\u0C47\u0C48\u0C4A\u0C4B\u0C4C\u0C4D\u0C55\u0C56\u0C62\u0C63\u0C81\u0C82\u0C83"
    "\u0CBC\u0CBE\u0CBF\u0CC0\u0CC1\u0CC2\u0CC3\u0CC4\u0CC6\u0CC7\u0CC8\u0CCA\u0CCB\u0CCC\u0CCD\u0CD5"
    "\u0CD6\u0CE2\u0CE3\u0D00\u0D01\u0D02\u0D03\u0D3B\u0D3C\u0D3E\u0D3F\u0D40\u0D41\u0D42\u0D43\u0D44"
    "\u0D46\u0D47\u0D48\u0D4A\u0D4B\u0D4C\u0D4D\u0D57\u0D62\u0D63\u0D81\u0D82\u0D83\u0DCA\u0DCF\u0DD0"
    "\u0DD1\u0DD2\u0DD3\u0DD4\u0DD6\u0DD8\u0DD9\u0DDA\u0DDB\u0DDC\u0DDD\u0DDE\u0DDF\u0DF2\u0DF3\u0610"
    "\u0611\u0612\u0613\u0614\u0615\u0616\u0617\u0618\u0619\u061A\u064B\u064C\u064D\u064E\u064F\u0650"
    "\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0659\u065A\u065B\u065C\u065D\u065E\u065F\u0670"
    "\u06D6\u06D7\u06D8\u06D9\u06DA\u06DB\u06DC\u06DF\u06E0\u06E1\u06E2\u06E3\u06E4\u06E7\u06E8\u06EA"
    "\u06EB\u06EC\u06ED\uA8E0\uA8E1\uA8E2\uA8E3\uA8E4\uA8E5\uA8E6\uA8E7\uA8E8\uA8E9\uA8EA\uA8EB\uA8EC"
    "\uA8ED\uA8EE\uA8EF\uA8F0\uA8F1\uA8FF\u1CD0\u1CD1\u1CD2\u1CD4\u1CD5\u1CD6\u1CD7\u1CD8\u1CD9\u1CDA"
    "\u1CDB\u1CDC\u1CDD\u1CDE\u1CDF\u1CE0\u1CE1\u1CE2\u1CE3\u1CE4\u1CE5\u1CE6\u1CE7\u1CE8\u1CED\u1CF4"
    "\u1CF7\u1CF8\u1CF9\u08CA\u08CB\u08CC\u08CD\u08CE\u08CF\u08D0\u08D1\u08D2\u08D3\u08D4\u08D5\u08D6"
    "\u08D7\u08D8\u08D9\u08DA\u08DB\u08DC\u08DD\u08DE\u08DF\u08E0\u08E1\u08E3\u08E4\u08E5\u08E6\u08E7"
    "\u08E8\u08E9\u08EA\u08EB\u08EC\u08ED\u08EE\u08EF\u08F0\u08F1\u08F2\u08F3\u08F4\u08F5\u08F6\u08F7"
    "\u08F8\u08F9\u08FA\u08FB\u08FC\u08FD\u08FE\u08FF\u200C\u200D";

std::string v2_manuals_sql() {
    std::string sql = R"sql(
CREATE TABLE manuals (
    id                INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    filename          TEXT NOT NULL,
    file_path         TEXT NOT NULL,
    sha256            TEXT NOT NULL UNIQUE,
    size_bytes        INTEGER NOT NULL,
    total_pages       INTEGER NOT NULL,
    upload_date       INTEGER NOT NULL,
    uploaded_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    indexed           INTEGER NOT NULL DEFAULT 0,
    indexed_at        INTEGER,
    pinned            INTEGER NOT NULL DEFAULT 0,
    detected_language TEXT,
    ocr_pages         INTEGER NOT NULL DEFAULT 0,
    chunk_count       INTEGER NOT NULL DEFAULT 0,
    adapted_summary   TEXT,
    key_points        TEXT
);
CREATE INDEX manuals_listing ON manuals(pinned DESC, upload_date DESC, id DESC);

-- What ingestion found on each page, and the text it kept.
CREATE TABLE manual_pages (
    manual_id INTEGER NOT NULL REFERENCES manuals(id) ON DELETE CASCADE,
    page      INTEGER NOT NULL,
    method    TEXT NOT NULL CHECK (method IN ('text', 'ocr', 'none')),
    verdict   TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    chars     INTEGER NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (manual_id, page)
) WITHOUT ROWID;

-- AUTOINCREMENT: chunk ids are vector-index labels and must never be reused.
CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    manual_id  INTEGER NOT NULL REFERENCES manuals(id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    page_start INTEGER NOT NULL,
    page_end   INTEGER NOT NULL,
    section    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    tokens     INTEGER NOT NULL,
    UNIQUE (manual_id, ordinal)
);

CREATE TABLE chunk_vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    model    TEXT NOT NULL,
    vector   BLOB NOT NULL
);

-- Small persistent facts (the embedder the vectors belong to...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql";
    sql += "CREATE VIRTUAL TABLE chunks_fts USING fts5(text, section, content='chunks', content_rowid='id', "
           "tokenize=\"unicode61 remove_diacritics 2 tokenchars '";
    sql += indic_tokenchars;
    sql += "'\");\n";
    sql += R"sql(
-- Keep the external-content FTS index in step with chunks (cascaded deletes fire these too).
CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, section) VALUES ('delete', old.id, old.text, old.section);
END;
CREATE TRIGGER chunks_fts_update AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, section) VALUES ('delete', old.id, old.text, old.section);
    INSERT INTO chunks_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
END;
)sql";
    return sql;
}

// Modules adapted from a manual for a cluster. Deleting either deletes its modules (and, as
// later versions add them, their feedback and exports).
constexpr const char* v3_modules = R"sql(
CREATE TABLE modules (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    topic              TEXT NOT NULL,
    manual_id          INTEGER NOT NULL REFERENCES manuals(id) ON DELETE CASCADE,
    cluster_id         INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
    grade              TEXT,
    language           TEXT,
    learning_objective TEXT,
    original_content   TEXT NOT NULL,
    adapted_content    TEXT NOT NULL,
    content            TEXT NOT NULL,
    generation         TEXT NOT NULL,
    approved           INTEGER NOT NULL DEFAULT 0,
    created_by         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX modules_cluster ON modules(cluster_id);
CREATE INDEX modules_manual ON modules(manual_id);
)sql";

// Translation memory (a segment translated once is never paid for again), per-language glossary,
// and the translations kept beside a module's English original.
constexpr const char* v4_translation = R"sql(
CREATE TABLE translation_memory (
    id          INTEGER PRIMARY KEY,
    source_key  TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    provider    TEXT NOT NULL,
    glossary_version INTEGER NOT NULL,
    translation TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    hits        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_key, source_lang, target_lang, provider, glossary_version)
);
CREATE INDEX translation_memory_lookup ON translation_memory(source_key, source_lang, target_lang, glossary_version);

CREATE TABLE glossary (
    id          INTEGER PRIMARY KEY,
    language    TEXT NOT NULL,
    term        TEXT NOT NULL,
    translation TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (language, term COLLATE NOCASE)
);

CREATE TABLE module_translations (
    module_id       INTEGER NOT NULL REFERENCES modules(id) ON DELETE CASCADE,
    language        TEXT NOT NULL,
    content         TEXT NOT NULL,
    adapted_content TEXT NOT NULL,
    providers       TEXT NOT NULL,
    memory_hits     INTEGER NOT NULL,
    segments        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (module_id, language)
) WITHOUT ROWID;

ALTER TABLE modules ADD COLUMN translation_status TEXT NOT NULL DEFAULT '';
)sql";

// Exported files: what was written where, for whom, until when.
constexpr const char* v5_exports = R"sql(
CREATE TABLE exports (
    id            INTEGER PRIMARY KEY,
    module_id     INTEGER NOT NULL REFERENCES modules(id) ON DELETE CASCADE,
    type          TEXT NOT NULL CHECK (type IN ('pdf')),
    filename      TEXT NOT NULL UNIQUE,
    path          TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    language      TEXT NOT NULL,
    pages         INTEGER NOT NULL,
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    downloaded_at INTEGER,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX exports_module ON exports(module_id);
CREATE INDEX exports_expiry ON exports(expires_at);
-- The translated headings of a module translation (JSON object; '' before v5: English ones).
ALTER TABLE module_translations ADD COLUMN labels TEXT NOT NULL DEFAULT '';
)sql";

// WhatsApp delivery: the teachers of a cluster, and one outbox row per message to send.
constexpr const char* v6_delivery = R"sql(
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL,          -- E.164
    language   TEXT NOT NULL DEFAULT '',
    opted_in   INTEGER NOT NULL DEFAULT 1 CHECK (opted_in IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (cluster_id, phone)
);

-- status: pending → in_flight → sent → delivered → read, or failed; manual for deep links.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    module_id        INTEGER NOT NULL REFERENCES modules(id) ON DELETE CASCADE,
    cluster_id       INTEGER REFERENCES clusters(id) ON DELETE SET NULL,
    export_id        INTEGER REFERENCES exports(id) ON DELETE SET NULL,
    phone            TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    gateway          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,   -- module, recipient, content
    generation       INTEGER NOT NULL DEFAULT 0, -- 1, 2… for explicit resends
    text             TEXT NOT NULL,
    caption          TEXT NOT NULL DEFAULT '',
    document_path    TEXT NOT NULL DEFAULT '',
    document_name    TEXT NOT NULL DEFAULT '',
    document_url     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN
                         ('pending', 'in_flight', 'sent', 'delivered', 'read', 'failed', 'manual')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    attempt_started_at INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    link             TEXT NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    delivered_at     INTEGER,
    read_at          INTEGER,
    UNIQUE (idempotency_key, generation)
);
CREATE INDEX deliveries_module ON deliveries(module_id);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);

-- The gateway's ids of a delivery's messages (a long text is several), for status webhooks.
CREATE TABLE delivery_messages (
    message_id  TEXT PRIMARY KEY,  -- rowid order is the order of the parts
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE
);
CREATE INDEX delivery_messages_delivery ON delivery_messages(delivery_id);
)sql";

// Teaching videos (catalogue, per-module suggestions cache, YouTube quota ledger) and teacher
// feedback on modules.
constexpr const char* v7_videos_feedback = R"sql(
CREATE TABLE video_catalogue (
    id               INTEGER PRIMARY KEY,
    video_id         TEXT NOT NULL UNIQUE,   -- YouTube id, or any stable id of the source
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    channel          TEXT NOT NULL DEFAULT '',
    url              TEXT NOT NULL,
    thumbnail_url    TEXT NOT NULL DEFAULT '',
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    language         TEXT NOT NULL DEFAULT '',   -- language key ("hindi"), '' = unknown
    view_count       INTEGER NOT NULL DEFAULT 0,
    tags             TEXT NOT NULL DEFAULT '',   -- comma-separated
    created_at       INTEGER NOT NULL
);

-- The last suggestions made for a module (JSON), reused until they expire.
CREATE TABLE video_suggestions (
    module_id  INTEGER PRIMARY KEY REFERENCES modules(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,      -- youtube or catalogue
    query      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Units spent per API per quota day (YouTube's day: midnight to midnight Pacific time).
CREATE TABLE api_quota (
    api   TEXT NOT NULL,
    day   TEXT NOT NULL,           -- YYYY-MM-DD in America/Los_Angeles
    units INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (api, day)
) WITHOUT ROWID;

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY,
    module_id    INTEGER NOT NULL REFERENCES modules(id) ON DELETE CASCADE,
    cluster_id   INTEGER REFERENCES clusters(id) ON DELETE SET NULL,
    manual_id    INTEGER REFERENCES manuals(id) ON DELETE SET NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment      TEXT,
    tags         TEXT,              -- JSON array, as the original stored it
    helpful      INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    submitted_at INTEGER NOT NULL
);
-- The analytics queries read these covering indexes, never the table rows (bench_analytics: a
-- summary over 100,000 rows went from 250 ms to 33 ms with them). feedback_day serves the
-- summary's GROUP BY (UTC day, cluster, rating, helpful) in index order, with no sort.
CREATE INDEX feedback_module ON feedback(module_id, submitted_at, rating, helpful);
CREATE INDEX feedback_cluster ON feedback(cluster_id, submitted_at);
CREATE INDEX feedback_time ON feedback(submitted_at);
CREATE INDEX feedback_day ON feedback(submitted_at / 86400000000, cluster_id, rating, helpful, submitted_at, manual_id);
CREATE INDEX feedback_tagged ON feedback(submitted_at, cluster_id, manual_id, tags)
    WHERE tags IS NOT NULL AND tags <> '[]';
CREATE INDEX feedback_issues ON feedback(submitted_at) WHERE helpful = 0 AND comment IS NOT NULL;
)sql";

constexpr const char* v8_chunker_version = R"sql(
-- Which version of the chunker made a manual's chunks; manuals indexed before there was one
-- are version 1 and get re-chunked.
ALTER TABLE manuals ADD COLUMN chunker_version INTEGER NOT NULL DEFAULT 0;
UPDATE manuals SET chunker_version = 1 WHERE indexed = 1;
)sql";

// Every access token carries the generation its user had when it was signed; bumping it ends
// all of that user's access tokens at once (checked on each request, with the user row the
// request reads anyway).
constexpr const char* v9_token_generation = R"sql(
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
)sql";

} // namespace

const std::vector<Migration>& migrations() {
    static const std::string v2_sql = v2_manuals_sql();
    static const std::vector<Migration> history = {
        {1, "foundation: schools, users, tokens, clusters, audit log, jobs", v1_foundation},
        {2, "manuals: pages, chunks, full-text index, vectors", v2_sql.c_str()},
        {3, "modules", v3_modules},
        {4, "translation memory, glossary, module translations", v4_translation},
        {5, "exports; translated labels of module translations", v5_exports},
        {6, "WhatsApp delivery: contacts, outbox, gateway message ids", v6_delivery},
        {7, "videos: catalogue, suggestions cache, API quota; teacher feedback", v7_videos_feedback},
        {8, "manuals: chunker version", v8_chunker_version},
        {9, "users: token generation (access tokens end with a password change or revocation)",
         v9_token_generation},
    };
    return history;
}

} // namespace shiksha::detail
