#include "core/owner_lock.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace shiksha::detail {

namespace {

/// Field 22 of /proc/self/stat: when this process started, in clock ticks since boot. With
/// the pid it names a process uniquely (pids are reused, start times with them are not).
std::string process_start_time() {
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')'); // the command name may hold spaces and parentheses
    if (close == std::string::npos) return "unknown";
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 22) return field;
    }
    return "unknown";
}

std::string read_all(int fd) {
    std::string out;
    char buf[256];
    ssize_t n = 0;
    while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

} // namespace

Result<DataDirLock> DataDirLock::acquire(const std::filesystem::path& data_dir) {
    const auto path = data_dir / "owner.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create owner.lock in the data directory: {}", std::strerror(errno)));
    bool sole = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (sole) {
        const std::string line =
            fmt::format("pid {} (started at clock tick {})\n", ::getpid(), process_start_time());
        if (::ftruncate(fd, 0) == 0) (void)::pwrite(fd, line.data(), line.size(), 0);
    }
    std::string recorded = read_all(fd);
    // Shared from now on, so later openers see a live owner. Converting releases the exclusive
    // lock before taking the shared one; nothing has been started yet that another opener's
    // recovery could disturb.
    while (::flock(fd, LOCK_SH) != 0 && errno == EINTR) {
    }
    return DataDirLock(fd, sole, std::move(recorded));
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), sole_owner_(other.sole_owner_),
      recorded_owner_(std::move(other.recorded_owner_)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        sole_owner_ = other.sole_owner_;
        recorded_owner_ = std::move(other.recorded_owner_);
    }
    return *this;
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_); // releases the lock
}

} // namespace shiksha::detail
