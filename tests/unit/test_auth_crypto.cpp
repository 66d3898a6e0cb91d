// Password hashing and HS256 JWTs (internal), and what AuthEngine makes of forged tokens.
#include "auth/crypto.hpp"
#include "core/random.hpp"

#include "shiksha/platform.hpp"

#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <sodium.h>

#include <chrono>
#include <memory>
#include <string>

using namespace shiksha;
using detail::JwtClaims;

namespace {

constexpr std::string_view secret = "test-secret-test-secret-test-secret-0123"; // as test_config sets
constexpr std::int64_t now = 1'800'000'000;

JwtClaims claims(std::int64_t iat = now, std::int64_t exp = now + 3600) {
    return JwtClaims{.sub = "7", .role = "teacher", .jti = "jti-1", .iat = iat, .exp = exp};
}

struct Parts {
    std::string header, payload, signature; // still base64url
};

Parts split(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string decode(std::string_view b64) {
    std::string out;
    REQUIRE(detail::base64url_decode(b64, out));
    return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

/// `header.payload.signature` with an HS256 signature made independently of jwt_sign (libsodium).
std::string hand_signed(const std::string& header_b64, std::string_view payload) {
    const std::string input = header_b64 + "." + detail::base64url_encode(payload);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    crypto_auth_hmacsha256_final(&st, mac);
    return input + "." +
           detail::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

template <class T>
Error error_of(const Result<T>& r) {
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(now_utc().time_since_epoch()).count();
}

} // namespace

// ---- passwords -------------------------------------------------------------------------------

TEST_CASE("password hash verifies the right password and only that") {
    const auto hash = detail::hash_password("correct horse battery", PasswordHashCost::minimum);
    REQUIRE(hash);
    CHECK(hash->starts_with("$argon2id$"));
    CHECK(hash->find("correct horse") == std::string::npos);
    CHECK(detail::verify_password(*hash, "correct horse battery"));
    CHECK_FALSE(detail::verify_password(*hash, "correct horse batterY"));
    CHECK_FALSE(detail::verify_password(*hash, ""));

    // Salted: the same password hashes differently each time, and both verify.
    const auto again = detail::hash_password("correct horse battery", PasswordHashCost::minimum);
    REQUIRE(again);
    CHECK(*again != *hash);
    CHECK(detail::verify_password(*again, "correct horse battery"));
}

TEST_CASE("malformed password hashes never verify") {
    CHECK_FALSE(detail::verify_password("", "anything"));
    CHECK_FALSE(detail::verify_password("plaintext", "plaintext"));
    CHECK_FALSE(detail::verify_password(std::string(500, '$'), "x"));
}

TEST_CASE("a hash needs rehashing when the configured cost changes") {
    const auto hash = detail::hash_password("some password", PasswordHashCost::minimum);
    REQUIRE(hash);
    CHECK_FALSE(detail::password_needs_rehash(*hash, PasswordHashCost::minimum));
    CHECK(detail::password_needs_rehash(*hash, PasswordHashCost::interactive));
    CHECK(detail::password_needs_rehash(*hash, PasswordHashCost::moderate));
    CHECK(detail::password_needs_rehash("not a hash", PasswordHashCost::minimum));
}

TEST_CASE("sha256 matches the standard test vector") {
    CHECK(detail::hex_encode(detail::sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// ---- JWT -------------------------------------------------------------------------------------

TEST_CASE("a signed JWT verifies and returns its claims") {
    const std::string token = detail::jwt_sign(claims(), secret);
    const auto p = split(token);
    CHECK(decode(p.header) == R"({"alg":"HS256","typ":"JWT"})");
    CHECK(decode(p.payload).find(R"("role":"teacher")") != std::string::npos);

    const auto verified = detail::jwt_verify(token, secret, now + 10);
    REQUIRE(verified);
    CHECK(verified->sub == "7");
    CHECK(verified->role == "teacher");
    CHECK(verified->jti == "jti-1");
    CHECK(verified->iat == now);
    CHECK(verified->exp == now + 3600);
}

TEST_CASE("an expired token says so") {
    const std::string token = detail::jwt_sign(claims(now - 7200, now - 3600), secret);
    const Error e = error_of(detail::jwt_verify(token, secret, now));
    CHECK(e.code == ErrorCode::unauthenticated);
    CHECK(e.message == "Token has expired");
    // The boundary: valid until the second before exp.
    const std::string edge = detail::jwt_sign(claims(now - 10, now + 1), secret);
    CHECK(detail::jwt_verify(edge, secret, now).has_value());
    CHECK(error_of(detail::jwt_verify(edge, secret, now + 1)).message == "Token has expired");
}

TEST_CASE("a token issued in the future is refused") {
    const std::string token = detail::jwt_sign(claims(now + 3600, now + 7200), secret);
    CHECK(error_of(detail::jwt_verify(token, secret, now)).message == "Could not validate credentials");
    // Small clock skew is tolerated.
    const std::string skewed = detail::jwt_sign(claims(now + 30, now + 3600), secret);
    CHECK(detail::jwt_verify(skewed, secret, now).has_value());
}

TEST_CASE("a tampered payload is refused") {
    const std::string token = detail::jwt_sign(claims(), secret);
    const auto p = split(token);
    const std::string payload = decode(p.payload);
    const std::string forged_payload = replace_all(payload, R"("role":"teacher")", R"("role":"admin")");
    REQUIRE(forged_payload != payload);
    const std::string forged = p.header + "." + detail::base64url_encode(forged_payload) + "." + p.signature;
    const Error e = error_of(detail::jwt_verify(forged, secret, now));
    CHECK(e.code == ErrorCode::unauthenticated);
    CHECK(e.message == "Could not validate credentials");

    // The untouched token still verifies: the refusal is about the change.
    CHECK(detail::jwt_verify(token, secret, now).has_value());
}

TEST_CASE("a tampered signature is refused") {
    const std::string token = detail::jwt_sign(claims(), secret);
    auto p = split(token);
    std::string sig = decode(p.signature);
    sig[0] = static_cast<char>(sig[0] ^ 0x01);
    const std::string forged = p.header + "." + p.payload + "." + detail::base64url_encode(sig);
    CHECK(error_of(detail::jwt_verify(forged, secret, now)).code == ErrorCode::unauthenticated);
}

TEST_CASE("alg none without a signature is refused") {
    const std::string token = detail::jwt_sign(claims(), secret);
    const auto p = split(token);
    const std::string none_header = detail::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    CHECK(error_of(detail::jwt_verify(none_header + "." + p.payload + ".", secret, now)).code ==
          ErrorCode::unauthenticated);
    // Nor with the original signature attached, nor with another spelling of none.
    CHECK_FALSE(
        detail::jwt_verify(none_header + "." + p.payload + "." + p.signature, secret, now).has_value());
    const std::string none_caps = detail::base64url_encode(R"({"alg":"None"})");
    CHECK_FALSE(detail::jwt_verify(none_caps + "." + p.payload + ".", secret, now).has_value());
    // A header without alg at all.
    const std::string no_alg = detail::base64url_encode(R"({"typ":"JWT"})");
    CHECK_FALSE(detail::jwt_verify(no_alg + "." + p.payload + "." + p.signature, secret, now).has_value());
}

TEST_CASE("a token signed with another secret is refused") {
    const std::string token = detail::jwt_sign(claims(), "another-secret-another-secret-another-se");
    CHECK(error_of(detail::jwt_verify(token, secret, now)).message == "Could not validate credentials");
    CHECK(detail::jwt_verify(token, "another-secret-another-secret-another-se", now).has_value());
}

TEST_CASE("malformed tokens are refused") {
    const std::string token = detail::jwt_sign(claims(), secret);
    const auto p = split(token);
    for (const std::string& bad : {
             std::string(),
             std::string("no-dots-at-all"),
             p.header + "." + p.payload,                            // one dot
             p.header + "." + p.payload + "." + p.signature + ".x", // three dots
             std::string(".."),
             p.header + ".!!not*base64!!." + p.signature,
             "%%%." + p.payload + "." + p.signature,
             p.header + "." + p.payload + "." + p.signature + "$",
             std::string(5000, 'a') + "." + p.payload + "." + p.signature,
         }) {
        CAPTURE(bad);
        const auto r = detail::jwt_verify(bad, secret, now);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == ErrorCode::unauthenticated);
    }
}

TEST_CASE("a correctly signed token with missing or mistyped claims is refused") {
    const std::string header = detail::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    // Control: a hand-signed, well-formed payload passes, so the refusals below are about the claims.
    const std::string well_formed =
        R"({"sub":"7","role":"teacher","iat":1800000000,"exp":1800003600,"jti":"x"})";
    CHECK(detail::jwt_verify(hand_signed(header, well_formed), secret, now).has_value());

    for (const std::string& payload : {
             std::string(R"({"sub":"7","role":"teacher","iat":1800000000,"jti":"x"})"),
             std::string(R"({"sub":7,"role":"teacher","iat":1800000000,"exp":1800003600,"jti":"x"})"),
             std::string(R"({"sub":"7","role":"teacher","iat":"1800000000","exp":1800003600,"jti":"x"})"),
             std::string(R"({"sub":"7","role":"teacher","iat":1800000000,"exp":1800003600.5,"jti":"x"})"),
             std::string(R"({"sub":"7","iat":1800000000,"exp":1800003600,"jti":"x"})"),
             std::string(R"([1,2,3])"),
             std::string(R"(not json)"),
         }) {
        CAPTURE(payload);
        const auto r = detail::jwt_verify(hand_signed(header, payload), secret, now);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == ErrorCode::unauthenticated);
    }
}

TEST_CASE("a correctly signed token with another algorithm in its header is refused") {
    const std::string payload = R"({"sub":"7","role":"teacher","iat":1800000000,"exp":1800003600,"jti":"x"})";
    for (const char* h : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})",
                          R"({"alg":["HS256"]})", R"("HS256")"}) {
        CAPTURE(h);
        const auto r = detail::jwt_verify(hand_signed(detail::base64url_encode(h), payload), secret, now);
        CHECK_FALSE(r.has_value());
    }
}

// ---- the engine with forged and expired tokens -----------------------------------------------

namespace {

struct Engine {
    test::TempDir dir;
    std::unique_ptr<Platform> platform;
    User teacher;

    Engine() {
        auto opened = Platform::open(test::test_config(dir.path()));
        REQUIRE(opened);
        platform = std::move(*opened);
        auto u = platform->auth().create_user({.username = "priya",
                                               .email = "priya@school.edu",
                                               .name = "Priya",
                                               .role = Role::teacher,
                                               .password = "teacher-password"});
        REQUIRE(u);
        teacher = *u;
    }

    JwtClaims claims_for(const User& u, std::string role) const {
        const auto t = unix_now();
        return JwtClaims{
            .sub = std::to_string(u.id), .role = std::move(role), .jti = "forged", .iat = t, .exp = t + 600};
    }
};

} // namespace

TEST_CASE("authenticate reports the user's current role, not the token's claim") {
    Engine e;
    // A token validly signed but claiming admin: the session still says teacher.
    const std::string token = detail::jwt_sign(e.claims_for(e.teacher, "admin"), secret);
    const auto session = e.platform->auth().authenticate(token);
    REQUIRE(session);
    CHECK(session->user.role == Role::teacher);
    CHECK(session->user.id == e.teacher.id);
}

TEST_CASE("authenticate refuses an expired access token") {
    Engine e;
    auto c = e.claims_for(e.teacher, "teacher");
    c.iat -= 7200;
    c.exp = c.iat + 3600;
    const auto r = e.platform->auth().authenticate(detail::jwt_sign(c, secret));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::unauthenticated);
    CHECK(r.error().message == "Token has expired");
}

TEST_CASE("authenticate refuses a token for a user that does not exist") {
    Engine e;
    User ghost;
    ghost.id = e.teacher.id + 1000;
    const auto r = e.platform->auth().authenticate(detail::jwt_sign(e.claims_for(ghost, "admin"), secret));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::unauthenticated);
}

TEST_CASE("authenticate refuses a token whose subject is not a number") {
    Engine e;
    auto c = e.claims_for(e.teacher, "teacher");
    c.sub = "1 OR 1=1";
    CHECK_FALSE(e.platform->auth().authenticate(detail::jwt_sign(c, secret)).has_value());
}

TEST_CASE("login tokens carry the documented claims") {
    Engine e;
    const auto pair = e.platform->auth().login("priya", "teacher-password");
    REQUIRE(pair);
    const auto c = detail::jwt_verify(pair->access_token, secret, unix_now());
    REQUIRE(c);
    CHECK(c->sub == std::to_string(e.teacher.id));
    CHECK(c->role == "teacher");
    CHECK(c->exp - c->iat == 3600);
    CHECK(c->jti.size() >= 16);
}

TEST_CASE("a login with an outdated hash cost upgrades the stored hash") {
    const test::TempDir dir;
    auto cfg = test::test_config(dir.path());
    {
        auto p = Platform::open(cfg);
        REQUIRE(p);
        REQUIRE((*p)->auth().create_user({.username = "upgrade",
                                          .email = "",
                                          .name = "",
                                          .role = Role::viewer,
                                          .password = "old cheap hash"}));
    }
    // Same data, higher configured cost: the login still works with the same password.
    cfg.auth.password_hash_cost = PasswordHashCost::interactive;
    auto p = Platform::open(cfg);
    REQUIRE(p);
    auto stored_hash = [&] {
        SQLite::Database db((dir.path() / "shiksha.db").string(), SQLite::OPEN_READONLY);
        return db.execAndGet("SELECT password_hash FROM users WHERE username = 'upgrade'").getString();
    };
    REQUIRE(detail::password_needs_rehash(stored_hash(), PasswordHashCost::interactive));
    REQUIRE((*p)->auth().login("upgrade", "old cheap hash"));
    const std::string upgraded = stored_hash();
    CHECK_FALSE(detail::password_needs_rehash(upgraded, PasswordHashCost::interactive));
    CHECK(detail::verify_password(upgraded, "old cheap hash"));
    CHECK((*p)->auth().check_password("upgrade", "old cheap hash").value());
}
