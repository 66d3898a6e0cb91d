#pragma once
// Files the library writes (internal): manual uploads, exported PDFs.

#include "shiksha/error.hpp"
#include "shiksha/log.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// Writes bytes to `path` atomically (temp file beside it, fsync, rename): a crash never
/// leaves a half-written file under the final name. Creates the parent directory.
/// `unavailable` when the disk refuses.
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// The whole file; `not_found` when it does not exist, `unavailable` when it cannot be read.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path);

/// Removes files whose records a deletion just took with it (exports of a deleted module…);
/// a file already gone is fine, any other failure is logged.
void remove_files(const std::vector<std::filesystem::path>& files, const Logger& logger);

/// True for the temporary names write_file_atomically uses (`<name>.tmp-<hex>`).
[[nodiscard]] bool is_temporary_file(const std::filesystem::path& path);

} // namespace shiksha::detail
