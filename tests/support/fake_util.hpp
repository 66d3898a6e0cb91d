#pragma once
// Small helpers the fakes of external services share: counting characters as the services
// count them, and the encodings and random ids they answer with.

#include <cstddef>
#include <string>
#include <string_view>

namespace shiksha::test {

/// Unicode code points of UTF-8 text (what Google, Meta and Twilio limit).
[[nodiscard]] std::size_t code_points(std::string_view text);
[[nodiscard]] std::string base64(std::string_view bytes);
/// Lower-case hex of the bytes.
[[nodiscard]] std::string hex(std::string_view bytes);
[[nodiscard]] std::string random_bytes(std::size_t n);

} // namespace shiksha::test
