#include "store/store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace shiksha::detail {

namespace {

constexpr int busy_timeout_ms = 5000;
constexpr std::size_t max_idle_connections = 16;

std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& path) {
    auto db =
        std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE |
                                                              SQLite::OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE);
    db->setBusyTimeout(busy_timeout_ms);
    db->exec("PRAGMA foreign_keys = ON");
    // WAL keeps readers off the writer's back. synchronous=FULL: a committed transaction
    // survives a power cut too, not just a killed process.
    db->exec("PRAGMA synchronous = FULL");
    return db;
}

} // namespace

Error sqlite_error(const SQLite::Exception& e) {
    const int primary = e.getErrorCode() & 0xFF;
    switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error{
            ErrorCode::unavailable, fmt::format("the database is busy, try again ({})", e.what()), {}};
    case SQLITE_FULL: return Error{ErrorCode::unavailable, "the disk holding the data directory is full", {}};
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
        return Error{ErrorCode::unavailable, fmt::format("cannot write the database: {}", e.what()), {}};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Error{ErrorCode::unavailable,
                     fmt::format("the database file is damaged or not a database: {}", e.what()),
                     {}};
    case SQLITE_CONSTRAINT:
        return Error{
            ErrorCode::conflict, fmt::format("the change conflicts with stored data: {}", e.what()), {}};
    default: return Error{ErrorCode::internal, fmt::format("database error: {}", e.what()), {}};
    }
}

Error unexpected_error(const std::exception& e) {
    return Error{ErrorCode::internal, fmt::format("unexpected error: {}", e.what()), {}};
}

Store::Store(std::filesystem::path path, Logger logger)
    : path_(std::move(path)), logger_(std::move(logger)) {}

Store::~Store() = default;

Result<std::shared_ptr<Store>> Store::open(const std::filesystem::path& path, const Logger& logger,
                                           const std::vector<Migration>& history) {
    std::shared_ptr<Store> store(new Store(path, logger));
    const int latest = history.empty() ? 0 : history.back().version;
    // The database holds password and token hashes: owner-only. SQLite gives its -wal and
    // -shm files the database file's mode, so creating it 0600 (an empty file is an empty
    // database) covers them; a file an older version created 0644 is tightened.
    if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) {
        (void)::fchmod(fd, 0600);
        ::close(fd);
    }
    for (const char* suffix : {"-wal", "-shm"}) {
        const auto side = path.string() + suffix;
        (void)::chmod(side.c_str(), 0600); // absent: nothing to do
    }
    try {
        auto db = connect(path);
        const int current = db->execAndGet("PRAGMA user_version").getInt();
        if (current > latest) {
            return fail(
                ErrorCode::unavailable,
                fmt::format("{} has schema version {}, newer than this build of shiksha supports ({}); "
                            "upgrade shiksha or use another data directory. Nothing was changed.",
                            path.string(), current, latest));
        }
        // journal_mode is persistent in the file (setting it is idempotent), so only after the
        // version check: a database from a newer build must be left exactly as it was.
        db->exec("PRAGMA journal_mode = WAL");
        for (const auto& m : history) {
            if (m.version <= current) continue;
            db->exec("BEGIN IMMEDIATE");
            try {
                // Re-check under the write lock: another process may have migrated meanwhile.
                const int now_at = db->execAndGet("PRAGMA user_version").getInt();
                if (now_at >= m.version) {
                    db->exec("ROLLBACK");
                    continue;
                }
                db->exec(m.sql);
                SQLite::Statement record(*db,
                                         "INSERT INTO schema_migrations(version, description, applied_at) "
                                         "VALUES (?, ?, ?)");
                record.bind(1, m.version);
                record.bind(2, m.description);
                record.bind(3, to_micros(now_utc()));
                record.exec();
                db->exec(fmt::format("PRAGMA user_version = {}", m.version));
                db->exec("COMMIT");
            } catch (...) {
                finish(*db, false);
                throw;
            }
            logger.info("applied schema migration",
                        {{"version", m.version}, {"description", m.description}, {"db", path.string()}});
        }
        store->schema_version_ = db->execAndGet("PRAGMA user_version").getInt();
        store->release(std::move(db));
    } catch (const SQLite::Exception& e) {
        Error err = sqlite_error(e);
        err.message = fmt::format("cannot open {}: {}", path.string(), err.message);
        return std::unexpected(err);
    }
    return store;
}

std::unique_ptr<SQLite::Database> Store::acquire() {
    {
        const std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return db;
        }
    }
    return connect(path_);
}

void Store::release(std::unique_ptr<SQLite::Database> db) noexcept {
    const std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_connections) idle_.push_back(std::move(db));
}

void Store::begin(SQLite::Database& db) {
    db.exec("BEGIN IMMEDIATE");
}

void Store::finish(SQLite::Database& db, bool commit) noexcept {
    try {
        db.exec(commit ? "COMMIT" : "ROLLBACK");
    } catch (const SQLite::Exception&) {
        // ROLLBACK fails only when SQLite already rolled back (e.g. after SQLITE_FULL).
    }
}

Timestamp to_timestamp(std::int64_t micros) noexcept {
    return Timestamp(std::chrono::microseconds(micros));
}

std::int64_t to_micros(Timestamp t) noexcept {
    return t.time_since_epoch().count();
}

std::optional<std::string> optional_text(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}

std::optional<std::int64_t> optional_int(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}

void bind_optional(SQLite::Statement& st, int index, const std::optional<std::string>& v) {
    if (v)
        st.bind(index, *v);
    else
        st.bind(index);
}

void bind_optional(SQLite::Statement& st, int index, const std::optional<std::int64_t>& v) {
    if (v)
        st.bind(index, *v);
    else
        st.bind(index);
}

} // namespace shiksha::detail
