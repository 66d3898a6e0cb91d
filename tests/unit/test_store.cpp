// Store and schema migrations (internal): fresh databases, re-opening, databases from a newer
// build, and migrations that fail half way.
#include "core/files.hpp"
#include "store/store.hpp"

#include "shiksha/platform.hpp"

#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace shiksha;
using detail::Migration;
using detail::Store;

namespace {

int user_version(const std::filesystem::path& db_path) {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA user_version").getInt();
}

bool table_exists(const std::filesystem::path& db_path, const std::string& table) {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
    SQLite::Statement st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    st.bind(1, table);
    return st.executeStep();
}

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::size_t count_lines(test::LogCapture& logs, std::string_view needle) {
    const std::lock_guard lock(logs.mu);
    return static_cast<std::size_t>(
        std::count_if(logs.lines.begin(), logs.lines.end(),
                      [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

constexpr const char* v1_sql = R"sql(
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO notes (body) VALUES ('kept');
)sql";

// The first statements succeed; the last one fails, so everything before it must roll back.
constexpr const char* v2_broken_sql = R"sql(
CREATE TABLE half_done (id INTEGER PRIMARY KEY);
INSERT INTO notes (body) VALUES ('should vanish');
ALTER TABLE notes ADD COLUMN extra TEXT;
THIS IS NOT SQL;
)sql";

constexpr const char* v2_good_sql = "ALTER TABLE notes ADD COLUMN extra TEXT;";

} // namespace

TEST_CASE("a fresh database is migrated to the latest schema") {
    const test::TempDir dir;
    test::LogCapture logs;
    const auto path = dir.path() / "fresh.db";
    const auto store = Store::open(path, Logger(logs.sink()));
    REQUIRE(store);
    CHECK((*store)->schema_version() == schema_version());
    CHECK(schema_version() == detail::migrations().back().version);
    CHECK(user_version(path) == schema_version());
    CHECK(table_exists(path, "clusters"));
    CHECK(table_exists(path, "users"));
    CHECK(count_lines(logs, "applied schema migration") == detail::migrations().size());

    // Every applied migration is recorded.
    const auto recorded = (*store)->read([](SQLite::Database& db) -> Result<int> {
        return db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt();
    });
    REQUIRE(recorded);
    CHECK(*recorded == static_cast<int>(detail::migrations().size()));
}

TEST_CASE("re-opening a migrated database applies nothing") {
    const test::TempDir dir;
    const auto path = dir.path() / "twice.db";
    {
        test::LogCapture first;
        auto store = Store::open(path, Logger(first.sink()));
        REQUIRE(store);
        CHECK(first.contains("applied schema migration"));
    }
    test::LogCapture second;
    auto store = Store::open(path, Logger(second.sink()));
    REQUIRE(store);
    CHECK((*store)->schema_version() == schema_version());
    CHECK_FALSE(second.contains("applied schema migration"));
    const auto recorded = (*store)->read([](SQLite::Database& db) -> Result<int> {
        return db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt();
    });
    REQUIRE(recorded);
    CHECK(*recorded == static_cast<int>(detail::migrations().size()));
}

TEST_CASE("Platform::open migrates on first open only") {
    const test::TempDir dir;
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        test::LogCapture logs;
        auto cfg = test::test_config(dir.path());
        cfg.log_sink = logs.sink();
        auto platform = Platform::open(cfg);
        REQUIRE(platform);
        CHECK(logs.contains("platform open"));
        CHECK(logs.contains("applied schema migration") == (round == 0));
    }
    CHECK(user_version(dir.path() / "shiksha.db") == schema_version());
}

TEST_CASE("a database from a newer build is refused and left unchanged") {
    const test::TempDir dir;
    const auto path = dir.path() / "newer.db";
    const int future = schema_version() + 5;
    {
        // A database as some later build might leave it (default rollback journal).
        SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT)");
        db.exec("INSERT INTO future_things (what) VALUES ('from the future')");
        db.exec("PRAGMA user_version = " + std::to_string(future));
    }
    const std::string before = read_bytes(path);
    REQUIRE_FALSE(before.empty());

    test::LogCapture logs;
    const auto store = Store::open(path, Logger(logs.sink()));
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == ErrorCode::unavailable);
    CHECK(store.error().message.find(std::to_string(future)) != std::string::npos);
    CHECK_FALSE(logs.contains("applied schema migration"));

    CHECK(user_version(path) == future);
    CHECK(read_bytes(path) == before);
    CHECK_FALSE(table_exists(path, "clusters"));
}

TEST_CASE("Platform::open refuses a data directory written by a newer build") {
    const test::TempDir dir;
    {
        SQLite::Database db((dir.path() / "shiksha.db").string(),
                            SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA user_version = " + std::to_string(schema_version() + 1));
    }
    const auto platform = Platform::open(test::test_config(dir.path()));
    REQUIRE_FALSE(platform.has_value());
    CHECK(platform.error().code == ErrorCode::unavailable);
    CHECK(user_version(dir.path() / "shiksha.db") == schema_version() + 1);
}

TEST_CASE("a failing migration rolls back and keeps the previous version") {
    const test::TempDir dir;
    const auto path = dir.path() / "broken.db";
    const std::vector<Migration> v1_only = {{1, "notes", v1_sql}};
    {
        auto store = Store::open(path, Logger(), v1_only);
        REQUIRE(store);
        CHECK((*store)->schema_version() == 1);
    }

    test::LogCapture logs;
    const std::vector<Migration> broken = {{1, "notes", v1_sql}, {2, "broken", v2_broken_sql}};
    const auto failed = Store::open(path, Logger(logs.sink()), broken);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().message.find(path.string()) != std::string::npos);
    CHECK_FALSE(logs.contains("applied schema migration"));

    CHECK(user_version(path) == 1);
    CHECK_FALSE(table_exists(path, "half_done"));
    {
        SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM notes").getInt() == 1);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt() == 1);
        CHECK(
            db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('notes') WHERE name = 'extra'").getInt() ==
            0);
    }

    // A corrected history then migrates the same file normally.
    const std::vector<Migration> fixed = {{1, "notes", v1_sql}, {2, "extra column", v2_good_sql}};
    const auto store = Store::open(path, Logger(), fixed);
    REQUIRE(store);
    CHECK((*store)->schema_version() == 2);
    CHECK(user_version(path) == 2);
}

TEST_CASE("a failing first migration leaves a fresh database at version zero") {
    const test::TempDir dir;
    const auto path = dir.path() / "never.db";
    const std::vector<Migration> broken = {{1, "broken", "CREATE TABLE a (id INTEGER); SELEC nonsense;"}};
    REQUIRE_FALSE(Store::open(path, Logger(), broken).has_value());
    CHECK(user_version(path) == 0);
    CHECK_FALSE(table_exists(path, "a"));
}

TEST_CASE("write rolls back when the callback returns an error") {
    const test::TempDir dir;
    auto store = Store::open(dir.path() / "tx.db", Logger());
    REQUIRE(store);
    auto& s = **store;
    const auto failed = s.write([](SQLite::Database& db) -> Result<void> {
        db.exec("INSERT INTO audit_log (at, action) VALUES (1, 'rolled.back')");
        return fail(ErrorCode::conflict, "changed my mind");
    });
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == ErrorCode::conflict);

    const auto threw = s.write([](SQLite::Database& db) -> Result<void> {
        db.exec("INSERT INTO audit_log (at, action) VALUES (1, 'also.rolled.back')");
        db.exec("INSERT INTO no_such_table VALUES (1)");
        return {};
    });
    REQUIRE_FALSE(threw.has_value());
    CHECK(threw.error().code == ErrorCode::internal);

    const auto ok = s.write([](SQLite::Database& db) -> Result<void> {
        db.exec("INSERT INTO audit_log (at, action) VALUES (1, 'kept')");
        return {};
    });
    REQUIRE(ok);

    const auto actions = s.read([](SQLite::Database& db) -> Result<std::vector<std::string>> {
        SQLite::Statement st(db, "SELECT action FROM audit_log ORDER BY id");
        std::vector<std::string> out;
        while (st.executeStep())
            out.push_back(st.getColumn(0).getString());
        return out;
    });
    REQUIRE(actions);
    CHECK(*actions == std::vector<std::string>{"kept"});
}

TEST_CASE("a constraint violation inside write is a conflict") {
    const test::TempDir dir;
    auto store = Store::open(dir.path() / "c.db", Logger());
    REQUIRE(store);
    const auto r = (*store)->write([](SQLite::Database& db) -> Result<void> {
        db.exec("INSERT INTO schools (name, created_at) VALUES ('Same', 1)");
        db.exec("INSERT INTO schools (name, created_at) VALUES ('same', 1)");
        return {};
    });
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::conflict);
}

// Regression (issue 16, defect 8): a disk-full 503 named the server's absolute path (the
// temporary file's). RLIMIT_FSIZE makes the kernel refuse the write as a full disk would.
TEST_CASE("a write the disk refuses names the file relative to the data dir, never the absolute path") {
    test::TempDir dir;
    const auto target = dir.path() / "manuals" / "abc123.pdf";
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of the signal
    rlimit tight = old;
    tight.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &tight) == 0);
    auto written = detail::write_file_atomically(target, std::string(1 << 20, 'x'), dir.path());
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
    std::signal(SIGXFSZ, previous_handler);

    REQUIRE_FALSE(written);
    CHECK(written.error().code == ErrorCode::unavailable);
    CHECK(written.error().message.starts_with("cannot write manuals/abc123.pdf: "));
    CHECK(written.error().message.find(dir.path().string()) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(target));
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "manuals"))
        FAIL("a temporary file was left behind: " << e.path());

    CHECK(detail::shown_path(dir.path() / "exports" / "a.pdf", dir.path()) == "exports/a.pdf");
    CHECK(detail::shown_path("/elsewhere/b.pdf", dir.path()) == "b.pdf");
    CHECK(detail::shown_path(dir.path() / ".." / "c.pdf", dir.path()) == "c.pdf");
}

// Regression (issue 16, defect 9): shiksha.db (password and token hashes) was created 0644 in
// a 0755 directory, readable by every local account.
TEST_CASE("the data dir is created owner-only (0700), the database and stored files 0600") {
    test::TempDir dir;
    Config cfg = test::test_config(dir.path() / "new" / "data");
    auto platform = Platform::open(cfg);
    REQUIRE(platform);
    const auto mode = [](const std::filesystem::path& p) {
        struct stat st {};
        REQUIRE(::stat(p.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    CHECK(mode(cfg.data_dir) == 0700);
    CHECK(mode(cfg.data_dir / "shiksha.db") == 0600);
    if (std::filesystem::exists(cfg.data_dir / "shiksha.db-wal"))
        CHECK(mode(cfg.data_dir / "shiksha.db-wal") == 0600);
    auto up = (*platform)->manuals().upload_file(std::filesystem::path(SHIKSHA_SOURCE_DIR) /
                                                     "examples/data/low_cost_science_handbook.pdf",
                                                 {"Handbook", ""});
    REQUIRE(up);
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(cfg.data_dir / "manuals")) {
        CHECK(mode(e.path()) == 0600);
        ++files;
    }
    CHECK(files == 1);

    // A database an older version left world-readable is tightened when opened.
    platform->reset();
    REQUIRE(::chmod((cfg.data_dir / "shiksha.db").c_str(), 0644) == 0);
    auto again = Platform::open(cfg);
    REQUIRE(again);
    CHECK(mode(cfg.data_dir / "shiksha.db") == 0600);
}

namespace {

std::string job_state(const std::filesystem::path& db_path, const std::string& id) {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT state FROM jobs WHERE id = ?");
    q.bind(1, id);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getString();
}

} // namespace

// Regression (issue 16, defect 5): opening the platform (any CLI command) marked every running
// job `failed: interrupted` while the server that runs them was alive.
TEST_CASE("opening a data dir another live owner holds leaves its running jobs alone") {
    test::TempDir dir;
    const Config cfg = test::test_config(dir.path());
    auto server = Platform::open(cfg);
    REQUIRE(server);
    const auto db_path = dir.path() / "shiksha.db";
    {
        SQLite::Database db(db_path.string(), SQLite::OPEN_READWRITE);
        db.exec("INSERT INTO jobs (id, kind, state, created_at, updated_at) "
                "VALUES ('live-job', 'index', 'running', 1, 1)");
    }
    {
        auto cli = Platform::open(cfg); // a CLI command while the server runs
        REQUIRE(cli);
        CHECK(job_state(db_path, "live-job") == "running");
    }
    CHECK(job_state(db_path, "live-job") == "running");
    server->reset(); // the owner stops (or dies: the kernel drops its lock either way)
    auto next = Platform::open(cfg);
    REQUIRE(next);
    CHECK(job_state(db_path, "live-job") == "failed");
    const auto owner = std::filesystem::path(dir.path() / "owner.lock");
    std::ifstream in(owner);
    std::string line;
    std::getline(in, line);
    CHECK(line.starts_with("pid " + std::to_string(::getpid()) + " (started at clock tick "));
}
