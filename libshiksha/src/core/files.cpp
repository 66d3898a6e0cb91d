#include "core/files.hpp"

#include "core/random.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace shiksha::detail {

namespace {
constexpr std::string_view temporary_marker = ".tmp-";
}

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
    const auto tmp = path.string() + std::string(temporary_marker) + detail::random_hex(4);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return fail(ErrorCode::unavailable, fmt::format("cannot write {}", tmp));
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n <= 0) {
            ::close(fd);
            std::filesystem::remove(tmp, ec);
            return fail(ErrorCode::unavailable, fmt::format("cannot write {} (disk full?)", tmp));
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::unavailable, fmt::format("cannot sync {}", tmp));
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::unavailable, fmt::format("cannot store {}", path.string()));
    }
    return {};
}

Result<std::string> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec == std::errc::no_such_file_or_directory) return fail(ErrorCode::not_found, "File missing");
    if (ec)
        return fail(ErrorCode::unavailable, fmt::format("cannot read {}: {}", path.string(), ec.message()));
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
        return fail(ErrorCode::unavailable, fmt::format("cannot read {}", path.string()));
    return bytes;
}

void remove_files(const std::vector<std::filesystem::path>& files, const Logger& logger) {
    for (const auto& f : files) {
        std::error_code ec;
        std::filesystem::remove(f, ec);
        if (ec) logger.warn("cannot remove a file", {{"path", f.string()}, {"error", ec.message()}});
    }
}

bool is_temporary_file(const std::filesystem::path& path) {
    return path.filename().string().find(temporary_marker) != std::string::npos;
}

} // namespace shiksha::detail
