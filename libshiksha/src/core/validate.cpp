#include "core/validate.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

namespace shiksha::detail {

Result<std::string> check_text(std::string_view field, std::string_view value, std::size_t min,
                               std::size_t max) {
    if (!valid_utf8(value))
        return fail_field(std::string(field), fmt::format("{}: text is not valid UTF-8", field));
    const std::string_view trimmed = trim(value);
    if (has_control_chars(trimmed)) {
        return fail_field(std::string(field), fmt::format("{}: control characters are not allowed", field));
    }
    const std::size_t n = utf8_length(trimmed);
    if (n < min) {
        if (min == 1) return fail_field(std::string(field), fmt::format("{}: must not be empty", field));
        return fail_field(std::string(field),
                          fmt::format("{}: String should have at least {} characters", field, min));
    }
    if (n > max) {
        return fail_field(std::string(field),
                          fmt::format("{}: String should have at most {} characters", field, max));
    }
    return std::string(trimmed);
}

Result<std::optional<std::string>>
check_optional_text(std::string_view field, const std::optional<std::string>& value, std::size_t max) {
    if (!value) return std::optional<std::string>();
    auto checked = check_text(field, *value, 0, max);
    if (!checked) return std::unexpected(checked.error());
    // A blank optional note means "no note".
    if (checked->empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(*checked));
}

Result<std::int64_t> check_range(std::string_view field, std::int64_t value, std::int64_t min,
                                 std::int64_t max) {
    if (value < min) {
        return fail_field(std::string(field),
                          fmt::format("{}: Input should be greater than or equal to {}", field, min));
    }
    if (value > max) {
        return fail_field(std::string(field),
                          fmt::format("{}: Input should be less than or equal to {}", field, max));
    }
    return value;
}

Result<void> check_page(std::int64_t skip, std::int64_t limit) {
    if (auto ok = check_range("skip", skip, 0, INT64_MAX / 2); !ok) return std::unexpected(ok.error());
    if (auto ok = check_range("limit", limit, 1, 1000); !ok) return std::unexpected(ok.error());
    return {};
}

} // namespace shiksha::detail
