#pragma once
// The SQLite store (internal): a pool of connections to one database file, each used by one
// thread at a time, plus the migration runner. Repositories (the *_repo.hpp files beside this
// one) hold all SQL; engines call them through Store::read / Store::write.

#include "shiksha/error.hpp"
#include "shiksha/log.hpp"
#include "shiksha/types.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace shiksha::detail {

/// Turns an exception thrown by SQLiteCpp into an Error a caller can act on.
[[nodiscard]] Error sqlite_error(const SQLite::Exception& e);
[[nodiscard]] Error unexpected_error(const std::exception& e);

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

/// The schema history, oldest first; versions are 1, 2, 3... without gaps.
[[nodiscard]] const std::vector<Migration>& migrations();

class Store {
public:
    /// Opens or creates the database at `path`, applies pending migrations from `history`
    /// and refuses a database whose schema is newer than `history` knows.
    [[nodiscard]] static Result<std::shared_ptr<Store>>
    open(const std::filesystem::path& path, const Logger& logger,
         const std::vector<Migration>& history = migrations());
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Runs `f(SQLite::Database&)` -> Result<T> on a leased connection.
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F, SQLite::Database&> {
        return run(std::forward<F>(f), false);
    }

    /// Runs `f` inside BEGIN IMMEDIATE … COMMIT; any error or exception rolls back.
    template <class F>
    auto write(F&& f) -> std::invoke_result_t<F, SQLite::Database&> {
        return run(std::forward<F>(f), true);
    }

    [[nodiscard]] int schema_version() const noexcept { return schema_version_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    Store(std::filesystem::path path, Logger logger);

    std::unique_ptr<SQLite::Database> acquire();
    void release(std::unique_ptr<SQLite::Database> db) noexcept;
    void begin(SQLite::Database& db);
    static void finish(SQLite::Database& db, bool commit) noexcept;

    template <class F>
    auto run(F&& f, bool transactional) -> std::invoke_result_t<F, SQLite::Database&> {
        using R = std::invoke_result_t<F, SQLite::Database&>;
        std::unique_ptr<SQLite::Database> db;
        bool in_tx = false;
        try {
            db = acquire();
            if (transactional) {
                begin(*db);
                in_tx = true;
            }
            R result = f(*db);
            if (in_tx) {
                if (result.has_value())
                    db->exec("COMMIT");
                else
                    finish(*db, false);
            }
            release(std::move(db));
            return result;
        } catch (const SQLite::Exception& e) {
            if (db && in_tx) finish(*db, false);
            if (db) release(std::move(db));
            return std::unexpected(sqlite_error(e));
        } catch (const std::exception& e) {
            if (db && in_tx) finish(*db, false);
            if (db) release(std::move(db));
            return std::unexpected(unexpected_error(e));
        }
    }

    std::filesystem::path path_;
    Logger logger_;
    int schema_version_ = 0;
    std::mutex mu_;
    std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

// Column helpers shared by the repositories.
[[nodiscard]] Timestamp to_timestamp(std::int64_t micros) noexcept;
[[nodiscard]] std::int64_t to_micros(Timestamp t) noexcept;
[[nodiscard]] std::optional<std::string> optional_text(const SQLite::Column& c);
[[nodiscard]] std::optional<std::int64_t> optional_int(const SQLite::Column& c);
void bind_optional(SQLite::Statement& st, int index, const std::optional<std::string>& v);
void bind_optional(SQLite::Statement& st, int index, const std::optional<std::int64_t>& v);

} // namespace shiksha::detail
