#pragma once
// Small text helpers shared by the engines (internal).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
[[nodiscard]] std::vector<std::string_view> split(std::string_view s, char sep);
[[nodiscard]] std::string ascii_lower(std::string_view s);
[[nodiscard]] bool iequals_ascii(std::string_view a, std::string_view b) noexcept;

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;
/// Number of code points in valid UTF-8 (what "characters" means in our limits).
[[nodiscard]] std::size_t utf8_length(std::string_view s) noexcept;
/// The longest prefix of `s` of at most `max_bytes` that does not end inside a UTF-8 sequence.
[[nodiscard]] std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;
/// True when `s` contains C0 control characters other than tab, newline and carriage return.
[[nodiscard]] bool has_control_chars(std::string_view s) noexcept;

/// RFC 3986 percent-encoding of UTF-8 bytes: unreserved bytes (A-Z a-z 0-9 - _ . ~) kept, the
/// rest %XX. Safe in a URL query and in an application/x-www-form-urlencoded value.
[[nodiscard]] std::string percent_encode(std::string_view text);

/// One CSV record (RFC 4180: quoted fields, "" inside quotes, CRLF or LF); `at` moves past it.
[[nodiscard]] std::vector<std::string> csv_record(std::string_view csv, std::size_t& at);

} // namespace shiksha::detail
