#include "auth/crypto.hpp"

#include "core/random.hpp"
#include "shiksha/json.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

namespace shiksha::detail {

namespace {

struct Cost {
    unsigned long long ops;
    std::size_t mem;
};

Cost cost_of(PasswordHashCost cost) {
    switch (cost) {
    case PasswordHashCost::minimum: return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    case PasswordHashCost::interactive:
        return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case PasswordHashCost::moderate:
        return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    }
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Error bad_token() {
    return Error{ErrorCode::unauthenticated, "Could not validate credentials", {}};
}

constexpr std::string_view jwt_header = R"({"alg":"HS256","typ":"JWT"})";

} // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> hash_password(std::string_view password, PasswordHashCost cost) {
    if (sodium_init() < 0) return fail(ErrorCode::internal, "libsodium failed to initialise");
    const Cost c = cost_of(cost);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), c.ops, c.mem) != 0) {
        return fail(ErrorCode::unavailable, "not enough memory to hash the password");
    }
    return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    char buf[crypto_pwhash_STRBYTES] = {};
    hash.copy(buf, hash.size());
    return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash, PasswordHashCost cost) {
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
    char buf[crypto_pwhash_STRBYTES] = {};
    hash.copy(buf, hash.size());
    const Cost c = cost_of(cost);
    return crypto_pwhash_str_needs_rehash(buf, c.ops, c.mem) != 0;
}

std::string sha256(std::string_view bytes) {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string jwt_sign(const JwtClaims& claims, std::string_view secret) {
    const Json payload = Json::object({{"sub", claims.sub},
                                       {"role", claims.role},
                                       {"iat", claims.iat},
                                       {"exp", claims.exp},
                                       {"jti", claims.jti},
                                       {"gen", claims.gen}});
    std::string signing_input = base64url_encode(jwt_header) + "." + base64url_encode(payload.dump());
    const std::string signature = hmac_sha256(secret, signing_input);
    return signing_input + "." + base64url_encode(signature);
}

Result<JwtClaims> jwt_verify(std::string_view token, std::string_view secret, std::int64_t now) {
    if (token.size() > 4096) return std::unexpected(bad_token());
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return std::unexpected(bad_token());
    }
    std::string header_text, payload_text, signature;
    if (!base64url_decode(token.substr(0, first), header_text) ||
        !base64url_decode(token.substr(first + 1, second - first - 1), payload_text) ||
        !base64url_decode(token.substr(second + 1), signature)) {
        return std::unexpected(bad_token());
    }
    // The algorithm is fixed by us, never chosen by the token: "none", RS256 with our secret
    // as a public key and every other confusion are refused here.
    auto header = Json::parse(header_text, 4);
    const Json* alg = header ? header->find("alg") : nullptr;
    if (!alg || !alg->is_string() || alg->as_string() != "HS256") return std::unexpected(bad_token());

    const std::string expected = hmac_sha256(secret, token.substr(0, second));
    if (signature.size() != expected.size() ||
        CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
        return std::unexpected(bad_token());
    }

    auto payload = Json::parse(payload_text, 4);
    if (!payload || !payload->is_object()) return std::unexpected(bad_token());
    auto text = [&](std::string_view key) -> const std::string* {
        const Json* v = payload->find(key);
        return v && v->is_string() ? &v->as_string() : nullptr;
    };
    auto integer = [&](std::string_view key) -> const Json* {
        const Json* v = payload->find(key);
        return v && v->is_int() ? v : nullptr;
    };
    const auto *sub = text("sub"), *role = text("role"), *jti = text("jti");
    const Json *iat = integer("iat"), *exp = integer("exp");
    if (!sub || !role || !jti || !iat || !exp) return std::unexpected(bad_token());
    const Json* gen = payload->find("gen");
    if (gen && !gen->is_int()) return std::unexpected(bad_token());
    JwtClaims claims{*sub, *role, *jti, iat->as_int(), exp->as_int(), gen ? gen->as_int() : 0};
    if (claims.iat > now + 60) return std::unexpected(bad_token());
    if (now >= claims.exp) return fail(ErrorCode::unauthenticated, "Token has expired");
    return claims;
}

} // namespace shiksha::detail
