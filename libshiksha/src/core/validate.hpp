#pragma once
// Field validation shared by the engines (internal). Messages follow the API contract's
// wording ("String should have at least 2 characters") and name the wire field.

#include "shiksha/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shiksha::detail {

/// Valid UTF-8, no control characters other than tab/newline, `min`..`max` code points
/// after trimming. Returns the trimmed text.
[[nodiscard]] Result<std::string> check_text(std::string_view field, std::string_view value, std::size_t min,
                                             std::size_t max);
[[nodiscard]] Result<std::optional<std::string>>
check_optional_text(std::string_view field, const std::optional<std::string>& value, std::size_t max);
[[nodiscard]] Result<std::int64_t> check_range(std::string_view field, std::int64_t value, std::int64_t min,
                                               std::int64_t max);
[[nodiscard]] Result<void> check_page(std::int64_t skip, std::int64_t limit);

} // namespace shiksha::detail
