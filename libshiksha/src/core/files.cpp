#include "core/files.hpp"

#include "core/random.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace shiksha::detail {

namespace {
constexpr std::string_view temporary_marker = ".tmp-";
}

Result<void> create_private_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return {};
    const auto parent = dir.lexically_normal().parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (!ec && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        ec = std::error_code(errno, std::generic_category());
    if (ec)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
    return {};
}

std::string shown_path(const std::filesystem::path& path, const std::filesystem::path& base) {
    if (!base.empty()) {
        const auto rel = path.lexically_normal().lexically_relative(base.lexically_normal());
        if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
    }
    return path.filename().string();
}

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                   const std::filesystem::path& base) {
    const auto shown = shown_path(path, base);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create the folder for {}: {}", shown, ec.message()));
    const auto tmp = path.string() + std::string(temporary_marker) + detail::random_hex(4);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorCode::unavailable, fmt::format("cannot write {}: {}", shown, std::strerror(errno)));
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC; // a zero-byte write means no room either
            ::close(fd);
            std::filesystem::remove(tmp, ec);
            return fail(ErrorCode::unavailable,
                        fmt::format("cannot write {}: {}", shown, std::strerror(err)));
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int sync_error = errno;
    ::close(fd);
    if (!synced) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot sync {}: {}", shown, std::strerror(sync_error)));
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::unavailable, fmt::format("cannot store {}: {}", shown, ec.message()));
    }
    return {};
}

Result<std::string> read_file(const std::filesystem::path& path, const std::filesystem::path& base) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec == std::errc::no_such_file_or_directory) return fail(ErrorCode::not_found, "File missing");
    if (ec)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot read {}: {}", shown_path(path, base), ec.message()));
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
        return fail(ErrorCode::unavailable, fmt::format("cannot read {}", shown_path(path, base)));
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
