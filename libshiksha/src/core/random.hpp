#pragma once
// Cryptographically secure randomness and encodings (internal; libsodium underneath).

#include <cstddef>
#include <string>
#include <string_view>

namespace shiksha::detail {

/// `bytes` random bytes as lower-case hex.
[[nodiscard]] std::string random_hex(std::size_t bytes);
/// `bytes` random bytes as unpadded base64url (for tokens).
[[nodiscard]] std::string random_token(std::size_t bytes);

[[nodiscard]] std::string base64url_encode(std::string_view bytes);
/// Unpadded (or padded) base64url; false on any character outside the alphabet.
[[nodiscard]] bool base64url_decode(std::string_view text, std::string& out);
[[nodiscard]] std::string hex_encode(std::string_view bytes);

} // namespace shiksha::detail
