#pragma once
// Who else has the data directory open (internal).

#include "shiksha/error.hpp"

#include <filesystem>
#include <string>

namespace shiksha::detail {

/// A shared advisory lock (flock) on `<data_dir>/owner.lock`, held for as long as a Platform
/// is open. Opening first tries the lock exclusively: it succeeds only when no other live
/// process (or Platform) holds the directory, and that is when the state a dead owner left
/// behind (jobs marked running, outbox rows marked in flight) may be recovered. The kernel
/// drops a dead process's lock, so a crash never leaves a stale owner, and a pid that was
/// reused by another program cannot be mistaken for one. The file names the last process
/// that opened the directory alone (pid and start time), for operators.
class DataDirLock {
public:
    /// `unavailable` when the lock file cannot be created.
    [[nodiscard]] static Result<DataDirLock> acquire(const std::filesystem::path& data_dir);

    DataDirLock(DataDirLock&& other) noexcept;
    DataDirLock& operator=(DataDirLock&& other) noexcept;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    ~DataDirLock();

    /// True when nobody else had the directory open at acquire(): leftovers are this
    /// process's to recover.
    [[nodiscard]] bool sole_owner() const noexcept { return sole_owner_; }
    /// "pid 1234 (started at clock tick 5678)" of the process named in the file.
    [[nodiscard]] const std::string& recorded_owner() const noexcept { return recorded_owner_; }

private:
    DataDirLock(int fd, bool sole, std::string recorded) noexcept
        : fd_(fd), sole_owner_(sole), recorded_owner_(std::move(recorded)) {}
    int fd_ = -1;
    bool sole_owner_ = false;
    std::string recorded_owner_;
};

} // namespace shiksha::detail
