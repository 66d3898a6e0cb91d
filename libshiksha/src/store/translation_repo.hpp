#pragma once
// SQL for the translation memory, the glossary and module translations (internal).

#include "shiksha/modules.hpp"
#include "shiksha/translation.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>

namespace shiksha::detail::translation_repo {

struct MemoryKey {
    std::string source_key;
    std::string source_lang;
    std::string target_lang;
    std::int64_t glossary_version = 0;
};

/// The newest entry younger than `not_before` from one of `providers` (any provider when
/// empty); counts the hit.
[[nodiscard]] std::optional<std::string> lookup(SQLite::Database& db, const MemoryKey& key,
                                                const std::vector<std::string>& providers,
                                                Timestamp not_before);
void store(SQLite::Database& db, const MemoryKey& key, std::string_view provider,
           std::string_view translation, Timestamp now);

[[nodiscard]] std::int64_t glossary_version(SQLite::Database& db, std::string_view language);
void bump_glossary_version(SQLite::Database& db, std::string_view language);
[[nodiscard]] std::vector<GlossaryEntry> terms(SQLite::Database& db, std::string_view language);
[[nodiscard]] std::optional<GlossaryEntry> term(SQLite::Database& db, std::int64_t id);
[[nodiscard]] bool term_exists(SQLite::Database& db, std::string_view language, std::string_view term,
                               std::int64_t except_id = 0);
[[nodiscard]] GlossaryEntry insert_term(SQLite::Database& db, const GlossaryEntry& e, Timestamp now);
void update_term(SQLite::Database& db, const GlossaryEntry& e, Timestamp now);
[[nodiscard]] bool remove_term(SQLite::Database& db, std::int64_t id);

void put_module_translation(SQLite::Database& db, std::int64_t module_id, const ModuleTranslation& t);
[[nodiscard]] std::vector<ModuleTranslation> module_translations(SQLite::Database& db,
                                                                 std::int64_t module_id);
void set_translation_status(SQLite::Database& db, std::int64_t module_id, std::string_view status);

} // namespace shiksha::detail::translation_repo
