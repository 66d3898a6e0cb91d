#pragma once
// Test helpers: a scratch data directory that cleans up after itself, and a Config suited to
// tests (cheap password hashing, fixed secret, logs kept in memory).

#include "shiksha/config.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shiksha::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// Collects log records so tests can assert on what was (and was not) logged.
struct LogCapture {
    std::mutex mu;
    std::vector<std::string> lines; ///< JSON lines

    [[nodiscard]] LogSink sink();
    [[nodiscard]] bool contains(std::string_view needle);
};

/// Defaults for tests: data_dir = dir, minimum Argon2id cost, a fixed 40-byte JWT secret,
/// two workers.
[[nodiscard]] Config test_config(const std::filesystem::path& dir);

} // namespace shiksha::test
