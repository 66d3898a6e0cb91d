#include "store/translation_repo.hpp"

#include "core/text.hpp"
#include "modules/module_codec.hpp"
#include "store/store.hpp"

#include <fmt/format.h>

namespace shiksha::detail::translation_repo {

std::optional<std::string> lookup(SQLite::Database& db, const MemoryKey& key,
                                  const std::vector<std::string>& providers, Timestamp not_before) {
    std::string sql =
        "SELECT id, translation FROM translation_memory WHERE source_key = ? AND source_lang = ? AND "
        "target_lang = ? AND glossary_version = ? AND created_at >= ?";
    if (!providers.empty()) {
        sql += " AND provider IN (";
        for (std::size_t i = 0; i < providers.size(); ++i)
            sql += i ? ",?" : "?";
        sql += ")";
    }
    sql += " ORDER BY created_at DESC LIMIT 1";
    SQLite::Statement st(db, sql);
    st.bind(1, key.source_key);
    st.bind(2, key.source_lang);
    st.bind(3, key.target_lang);
    st.bind(4, key.glossary_version);
    st.bind(5, to_micros(not_before));
    for (std::size_t i = 0; i < providers.size(); ++i)
        st.bind(static_cast<int>(6 + i), providers[i]);
    if (!st.executeStep()) return std::nullopt;
    const auto id = st.getColumn(0).getInt64();
    std::string translation = st.getColumn(1).getString();
    SQLite::Statement hit(db, "UPDATE translation_memory SET hits = hits + 1 WHERE id = ?");
    hit.bind(1, id);
    hit.exec();
    return translation;
}

void store(SQLite::Database& db, const MemoryKey& key, std::string_view provider,
           std::string_view translation, Timestamp now) {
    SQLite::Statement st(
        db, "INSERT INTO translation_memory (source_key, source_lang, target_lang, provider, "
            "glossary_version, translation, created_at) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT (source_key, source_lang, target_lang, provider, glossary_version) "
            "DO UPDATE SET translation = excluded.translation, created_at = excluded.created_at");
    st.bind(1, key.source_key);
    st.bind(2, key.source_lang);
    st.bind(3, key.target_lang);
    st.bind(4, std::string(provider));
    st.bind(5, key.glossary_version);
    st.bind(6, std::string(translation));
    st.bind(7, to_micros(now));
    st.exec();
}

std::int64_t glossary_version(SQLite::Database& db, std::string_view language) {
    SQLite::Statement st(db, "SELECT value FROM settings WHERE key = ?");
    st.bind(1, fmt::format("glossary.version.{}", language));
    if (!st.executeStep()) return 0;
    return std::stoll(st.getColumn(0).getString());
}

void bump_glossary_version(SQLite::Database& db, std::string_view language) {
    const auto next = glossary_version(db, language) + 1;
    SQLite::Statement st(db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)");
    st.bind(1, fmt::format("glossary.version.{}", language));
    st.bind(2, std::to_string(next));
    st.exec();
}

namespace {

GlossaryEntry read_term(SQLite::Statement& st) {
    return GlossaryEntry{st.getColumn(0).getInt64(),
                         st.getColumn(1).getString(),
                         st.getColumn(2).getString(),
                         optional_text(st.getColumn(3)),
                         to_timestamp(st.getColumn(4).getInt64()),
                         to_timestamp(st.getColumn(5).getInt64())};
}

constexpr const char* term_columns = "id, language, term, translation, created_at, updated_at";

} // namespace

std::vector<GlossaryEntry> terms(SQLite::Database& db, std::string_view language) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM glossary WHERE (?1 = '' OR language = ?1) "
                                         "ORDER BY language, length(term) DESC, term",
                                         term_columns));
    st.bind(1, std::string(language));
    std::vector<GlossaryEntry> out;
    while (st.executeStep())
        out.push_back(read_term(st));
    return out;
}

std::optional<GlossaryEntry> term(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM glossary WHERE id = ?", term_columns));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_term(st);
}

bool term_exists(SQLite::Database& db, std::string_view language, std::string_view t,
                 std::int64_t except_id) {
    SQLite::Statement st(db,
                         "SELECT 1 FROM glossary WHERE language = ? AND term = ? COLLATE NOCASE AND id != ?");
    st.bind(1, std::string(language));
    st.bind(2, std::string(t));
    st.bind(3, except_id);
    return st.executeStep();
}

GlossaryEntry insert_term(SQLite::Database& db, const GlossaryEntry& e, Timestamp now) {
    SQLite::Statement st(db, "INSERT INTO glossary (language, term, translation, created_at, updated_at) "
                             "VALUES (?,?,?,?,?)");
    st.bind(1, e.language);
    st.bind(2, e.term);
    bind_optional(st, 3, e.translation);
    st.bind(4, to_micros(now));
    st.bind(5, to_micros(now));
    st.exec();
    return *term(db, db.getLastInsertRowid());
}

void update_term(SQLite::Database& db, const GlossaryEntry& e, Timestamp now) {
    SQLite::Statement st(
        db, "UPDATE glossary SET language = ?, term = ?, translation = ?, updated_at = ? WHERE id = ?");
    st.bind(1, e.language);
    st.bind(2, e.term);
    bind_optional(st, 3, e.translation);
    st.bind(4, to_micros(now));
    st.bind(5, e.id);
    st.exec();
}

bool remove_term(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, "DELETE FROM glossary WHERE id = ?");
    st.bind(1, id);
    return st.exec() > 0;
}

void put_module_translation(SQLite::Database& db, std::int64_t module_id, const ModuleTranslation& t) {
    SQLite::Statement st(db, "INSERT OR REPLACE INTO module_translations (module_id, language, content, "
                             "adapted_content, providers, memory_hits, segments, created_at, labels) "
                             "VALUES (?,?,?,?,?,?,?,?,?)");
    std::string providers;
    for (const auto& p : t.providers)
        providers += (providers.empty() ? "" : ",") + p;
    st.bind(1, module_id);
    st.bind(2, t.language);
    st.bind(3, to_json(t.content).dump());
    st.bind(4, t.adapted_content);
    st.bind(5, providers);
    st.bind(6, t.memory_hits);
    st.bind(7, t.segments);
    st.bind(8, to_micros(t.created_at));
    st.bind(9, encode_labels(t.labels));
    st.exec();
}

std::vector<ModuleTranslation> module_translations(SQLite::Database& db, std::int64_t module_id) {
    SQLite::Statement st(
        db, "SELECT language, content, adapted_content, providers, memory_hits, segments, created_at, labels "
            "FROM module_translations WHERE module_id = ? ORDER BY created_at");
    st.bind(1, module_id);
    std::vector<ModuleTranslation> out;
    while (st.executeStep()) {
        ModuleTranslation t;
        t.language = st.getColumn(0).getString();
        t.content = decode_content(st.getColumn(1).getString());
        t.adapted_content = st.getColumn(2).getString();
        // The string outlives the views split() returns into it.
        const std::string providers = st.getColumn(3).getString();
        for (auto p : split(providers, ',')) {
            if (!p.empty()) t.providers.emplace_back(p);
        }
        t.memory_hits = st.getColumn(4).getInt();
        t.segments = st.getColumn(5).getInt();
        t.created_at = to_timestamp(st.getColumn(6).getInt64());
        t.labels = decode_labels(st.getColumn(7).getString());
        out.push_back(std::move(t));
    }
    return out;
}

void set_translation_status(SQLite::Database& db, std::int64_t module_id, std::string_view status) {
    SQLite::Statement st(db, "UPDATE modules SET translation_status = ? WHERE id = ?");
    st.bind(1, std::string(status));
    st.bind(2, module_id);
    st.exec();
}

} // namespace shiksha::detail::translation_repo
