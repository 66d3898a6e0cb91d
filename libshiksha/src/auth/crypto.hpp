#pragma once
// Password hashing (Argon2id, libsodium), HS256 JWTs (HMAC-SHA256, OpenSSL) and SHA-256
// (internal; unit-tested directly).

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shiksha::detail {

/// Argon2id in libsodium's self-describing string format ($argon2id$v=19$m=…).
[[nodiscard]] Result<std::string> hash_password(std::string_view password, PasswordHashCost cost);
/// Constant-time with respect to the password; false for malformed hashes too.
[[nodiscard]] bool verify_password(std::string_view hash, std::string_view password);
/// True when `hash` was made with other parameters than `cost` asks for now.
[[nodiscard]] bool password_needs_rehash(std::string_view hash, PasswordHashCost cost);

[[nodiscard]] std::string sha256(std::string_view bytes);
/// Raw 32-byte HMAC-SHA256 (JWT signatures, signed download links, webhook signatures).
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);
/// Compares secrets without leaking where they differ.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

struct JwtClaims {
    std::string sub; ///< user id
    std::string role;
    std::string jti;
    std::int64_t iat = 0; ///< seconds since the epoch
    std::int64_t exp = 0;
    std::int64_t gen = 0; ///< the user's token generation when signed (absent in older tokens: 0)
};

[[nodiscard]] std::string jwt_sign(const JwtClaims& claims, std::string_view secret);

/// Accepts only `alg: HS256` with a valid signature, `iat` not in the future (60 s skew) and
/// `now` before `exp`. Errors are `unauthenticated`: "Token has expired" for an expired one,
/// "Could not validate credentials" for everything else.
[[nodiscard]] Result<JwtClaims> jwt_verify(std::string_view token, std::string_view secret, std::int64_t now);

} // namespace shiksha::detail
