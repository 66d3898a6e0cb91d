#pragma once
// Files the library writes (internal): manual uploads, exported PDFs.

#include "shiksha/error.hpp"
#include "shiksha/log.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// Creates `dir` (and missing parents) with the leaf readable by its owner only (0700): the
/// data directory holds the database, uploads and exports. An existing directory is left as
/// it is. `unavailable` naming the directory when it cannot be made.
[[nodiscard]] Result<void> create_private_directory(const std::filesystem::path& dir);

/// How a message names `path`: relative to `base` (the data directory) when it lies inside
/// it, else by its file name alone. Error messages reach API clients, so they never carry
/// the server's absolute paths (the log may, for the operator).
[[nodiscard]] std::string shown_path(const std::filesystem::path& path, const std::filesystem::path& base);

/// Writes bytes to `path` atomically (temp file beside it, fsync, rename): a crash never
/// leaves a half-written file under the final name. Creates the parent directory; the file
/// is readable by its owner only (0600). `unavailable` when the disk refuses, naming the
/// file relative to `base` (see shown_path) with the system's reason ("No space left on device").
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                                 const std::filesystem::path& base);

/// The whole file; `not_found` when it does not exist, `unavailable` when it cannot be read
/// (naming it relative to `base`).
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path,
                                            const std::filesystem::path& base);

/// Removes files whose records a deletion just took with it (exports of a deleted module…);
/// a file already gone is fine, any other failure is logged.
void remove_files(const std::vector<std::filesystem::path>& files, const Logger& logger);

/// True for the temporary names write_file_atomically uses (`<name>.tmp-<hex>`).
[[nodiscard]] bool is_temporary_file(const std::filesystem::path& path);

} // namespace shiksha::detail
