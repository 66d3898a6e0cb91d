#include "auth/auth_engine_impl.hpp"

#include "auth/crypto.hpp"
#include "core/random.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "store/auth_repo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace shiksha {

namespace {

constexpr std::size_t password_min = 8, password_max = 1024;

const Error& wrong_credentials() {
    static const Error e{ErrorCode::unauthenticated, "Incorrect email or password", {}};
    return e;
}

std::int64_t seconds_since_epoch(Timestamp t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<void> check_password_rules(std::string_view password) {
    if (password.size() < password_min) {
        return fail_field("password", fmt::format("password: must be at least {} characters", password_min));
    }
    if (password.size() > password_max) {
        return fail_field("password", fmt::format("password: must be at most {} bytes", password_max));
    }
    return {};
}

bool valid_username(std::string_view u) {
    return u.size() >= 3 && u.size() <= 50 && std::all_of(u.begin(), u.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
           });
}

/// Deliberately simple: one '@', a non-empty local part, a dotted domain, no spaces.
/// Deliverability is proven by mail, not by a regex.
bool valid_email(std::string_view e) {
    const auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = e.substr(at + 1);
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.') {
        return false;
    }
    return e.size() <= 254 && std::none_of(e.begin(), e.end(), [](char c) {
               return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';';
           });
}

} // namespace

int role_rank(Role role) noexcept {
    switch (role) {
    case Role::viewer: return 0;
    case Role::teacher: return 1;
    case Role::principal:
    case Role::coordinator: return 2;
    case Role::admin: return 3;
    }
    return 0;
}

std::string_view to_string(Role role) noexcept {
    switch (role) {
    case Role::viewer: return "viewer";
    case Role::teacher: return "teacher";
    case Role::principal: return "principal";
    case Role::coordinator: return "coordinator";
    case Role::admin: return "admin";
    }
    return "viewer";
}

Result<Role> parse_role(std::string_view text) {
    for (auto r : {Role::viewer, Role::teacher, Role::principal, Role::coordinator, Role::admin}) {
        if (detail::iequals_ascii(text, to_string(r))) return r;
    }
    return fail_field(
        "role", fmt::format("role: '{}' is not one of viewer, teacher, principal, coordinator, admin", text));
}

std::string normalized_login(std::string_view login) {
    return detail::ascii_lower(detail::trim(login));
}

Json to_json(const User& u) {
    return Json::object({
        {"id", u.id},
        {"username", u.username},
        {"name", u.name},
        {"full_name", u.name}, // the requirement's name for it (PRD §4.2)
        {"email", u.email},
        {"role", to_string(u.role)},
        {"school_id", u.school_id ? Json(*u.school_id) : Json()},
        {"school_name", u.school_name ? Json(*u.school_name) : Json()},
        {"active", u.active},
        {"last_login", u.last_login ? Json(format_timestamp(*u.last_login)) : Json()},
        {"created_at", format_timestamp(u.created_at)},
    });
}

AuthEngine::Impl::Impl(std::shared_ptr<detail::Store> s, AuthConfig c, Logger l, MetricsRegistry& metrics)
    : store(std::move(s)), config(std::move(c)), logger(std::move(l)),
      logins_ok(metrics.counter("shiksha_auth_logins_total", "Login attempts by outcome",
                                {{"outcome", "success"}})),
      logins_failed(metrics.counter("shiksha_auth_logins_total", "Login attempts by outcome",
                                    {{"outcome", "failure"}})),
      refresh_reuse(metrics.counter("shiksha_auth_refresh_reuse_total",
                                    "Spent refresh tokens presented again (families revoked)")) {}

const std::string& AuthEngine::Impl::dummy() {
    std::call_once(dummy_once, [&] {
        dummy_hash = detail::hash_password(detail::random_hex(16), config.password_hash_cost).value_or("");
    });
    return dummy_hash;
}

Result<TokenPair> AuthEngine::Impl::issue(SQLite::Database& db, const User& user, const std::string& family,
                                          Timestamp now, std::int64_t generation) {
    if (config.jwt_secret.empty()) {
        return fail(
            ErrorCode::unavailable,
            "no JWT secret is configured: set SHIKSHA_JWT_SECRET (32+ bytes) or start the server with --dev");
    }
    detail::JwtClaims claims;
    claims.sub = std::to_string(user.id);
    claims.role = std::string(to_string(user.role));
    claims.jti = detail::random_token(16);
    claims.iat = seconds_since_epoch(now);
    claims.exp = claims.iat + config.access_token_ttl.count();
    claims.gen = generation;
    TokenPair pair;
    pair.access_token = detail::jwt_sign(claims, config.jwt_secret);
    pair.refresh_token = detail::random_token(32);
    pair.expires_in = config.access_token_ttl.count();
    pair.user = user;
    detail::token_repo::insert_refresh(db, detail::sha256(pair.refresh_token), family, user.id, now,
                                       now + config.refresh_token_ttl);
    return pair;
}

AuthEngine::AuthEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuthEngine::~AuthEngine() = default;

Result<User> AuthEngine::create_user(const NewUser& input, const Actor& actor) {
    NewUser u = input;
    u.username = detail::ascii_lower(detail::trim(u.username));
    if (!valid_username(u.username)) {
        return fail_field("username", "username: use 3–50 characters from a-z, 0-9, '.', '_' and '-'");
    }
    u.email = detail::ascii_lower(detail::trim(u.email));
    if (!u.email.empty() && !valid_email(u.email)) {
        return fail_field("email", fmt::format("email: '{}' is not a valid e-mail address", u.email));
    }
    auto name = detail::check_text("name", u.name.empty() ? u.username : u.name, 1, 100);
    if (!name) return std::unexpected(name.error());
    u.name = *name;
    if (auto ok = check_password_rules(u.password); !ok) return std::unexpected(ok.error());
    auto hash = detail::hash_password(u.password, impl_->config.password_hash_cost);
    if (!hash) return std::unexpected(hash.error());

    auto created = impl_->store->write([&](SQLite::Database& db) -> Result<User> {
        if (detail::user_repo::username_taken(db, u.username)) {
            return std::unexpected(
                Error{ErrorCode::conflict, fmt::format("username '{}' is taken", u.username), "username"});
        }
        if (!u.email.empty() && detail::user_repo::email_taken(db, u.email)) {
            return std::unexpected(Error{ErrorCode::conflict,
                                         fmt::format("e-mail '{}' is already registered", u.email), "email"});
        }
        if (u.school_id && !detail::school_repo::get(db, *u.school_id)) {
            return fail_field("school_id", fmt::format("school_id: no school with ID {}", *u.school_id));
        }
        User user = detail::user_repo::insert(db, u, *hash, now_utc());
        detail::audit_repo::append(
            db, {0, now_utc(), actor.user_id, "user.create", fmt::format("user:{}", user.id),
                 Json::object({{"username", user.username}, {"role", to_string(user.role)}}).dump(),
                 actor.request_id, actor.client});
        return user;
    });
    if (created) {
        impl_->logger.info(
            "user created",
            {{"user_id", created->id}, {"username", created->username}, {"role", to_string(created->role)}});
    }
    return created;
}

Result<User> AuthEngine::get_user(std::int64_t id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<User> {
        auto row = detail::user_repo::get(db, id);
        if (!row) return fail(ErrorCode::not_found, fmt::format("User with ID {} not found", id));
        return row->user;
    });
}

Result<User> AuthEngine::find_user(std::string_view login) {
    const std::string key = detail::ascii_lower(detail::trim(login));
    return impl_->store->read([&](SQLite::Database& db) -> Result<User> {
        auto row = detail::user_repo::find_login(db, key);
        if (!row) return fail(ErrorCode::not_found, fmt::format("User '{}' not found", key));
        return row->user;
    });
}

Result<std::vector<User>> AuthEngine::list_users(Page page) {
    if (auto ok = detail::check_page(page.skip, page.limit); !ok) return std::unexpected(ok.error());
    return impl_->store->read(
        [&](SQLite::Database& db) -> Result<std::vector<User>> { return detail::user_repo::list(db, page); });
}

Result<void> AuthEngine::set_password(std::int64_t user_id, std::string_view password, const Actor& actor) {
    if (auto ok = check_password_rules(password); !ok) return ok;
    auto hash = detail::hash_password(password, impl_->config.password_hash_cost);
    if (!hash) return std::unexpected(hash.error());
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        if (!detail::user_repo::get(db, user_id)) {
            return fail(ErrorCode::not_found, fmt::format("User with ID {} not found", user_id));
        }
        const auto now = now_utc();
        detail::user_repo::set_password_hash(db, user_id, *hash, now);
        // A new password ends every session that the old one opened.
        detail::token_repo::revoke_user(db, user_id, now);
        detail::audit_repo::append(db,
                                   {0, now, actor.user_id, "user.password", fmt::format("user:{}", user_id),
                                    "{}", actor.request_id, actor.client});
        return {};
    });
}

Result<void> AuthEngine::set_active(std::int64_t user_id, bool active, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        if (!detail::user_repo::get(db, user_id)) {
            return fail(ErrorCode::not_found, fmt::format("User with ID {} not found", user_id));
        }
        const auto now = now_utc();
        detail::user_repo::set_active(db, user_id, active, now);
        if (!active) detail::token_repo::revoke_user(db, user_id, now);
        detail::audit_repo::append(db,
                                   {0, now, actor.user_id, active ? "user.activate" : "user.deactivate",
                                    fmt::format("user:{}", user_id), "{}", actor.request_id, actor.client});
        return {};
    });
}

Result<bool> AuthEngine::check_password(std::string_view login, std::string_view password) {
    const std::string key = detail::ascii_lower(detail::trim(login));
    auto row = impl_->store->read([&](SQLite::Database& db) -> Result<std::optional<detail::UserRow>> {
        return detail::user_repo::find_login(db, key);
    });
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(ErrorCode::not_found, fmt::format("User '{}' not found", key));
    return detail::verify_password((*row)->password_hash, password);
}

Result<School> AuthEngine::create_school(const School& input) {
    School s = input;
    auto name = detail::check_text("name", s.name, 2, 200);
    if (!name) return std::unexpected(name.error());
    s.name = *name;
    for (auto [field, value] : {std::pair{"district", &s.district}, std::pair{"state", &s.state},
                                std::pair{"school_type", &s.school_type}}) {
        auto v = detail::check_text(field, *value, 0, 100);
        if (!v) return std::unexpected(v.error());
        *value = *v;
    }
    if (auto ok = detail::check_range("total_teachers", s.total_teachers, 0, 10'000'000); !ok) {
        return std::unexpected(ok.error());
    }
    return impl_->store->write([&](SQLite::Database& db) -> Result<School> {
        if (detail::school_repo::find_name(db, s.name)) {
            return std::unexpected(
                Error{ErrorCode::conflict, fmt::format("School '{}' already exists", s.name), "name"});
        }
        return detail::school_repo::insert(db, s, now_utc());
    });
}

Result<std::optional<School>> AuthEngine::find_school(std::string_view name) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::optional<School>> {
        return detail::school_repo::find_name(db, detail::trim(name));
    });
}

Result<TokenPair> AuthEngine::login(std::string_view login, std::string_view password, const Actor& actor) {
    const std::string key = detail::ascii_lower(detail::trim(login));
    auto row = impl_->store->read([&](SQLite::Database& db) -> Result<std::optional<detail::UserRow>> {
        if (key.empty() || key.size() > 254) return std::optional<detail::UserRow>();
        return detail::user_repo::find_login(db, key);
    });
    if (!row) return std::unexpected(row.error());

    const bool known = row->has_value();
    // Unknown logins still pay for one Argon2id verification, so response time does not
    // reveal which accounts exist.
    const bool password_ok =
        password.size() <= password_max &&
        detail::verify_password(known ? (*row)->password_hash : impl_->dummy(), password);
    auto audit_failure = [&](std::string_view reason) {
        impl_->logins_failed.inc();
        (void)impl_->store->write([&](SQLite::Database& db) -> Result<void> {
            detail::audit_repo::append(
                db,
                {0, now_utc(), known ? std::optional((*row)->user.id) : std::nullopt, "auth.login_failed", "",
                 Json::object({{"login", key}, {"reason", reason}}).dump(), actor.request_id, actor.client});
            return {};
        });
        impl_->logger.warn("login failed",
                           {{"login", key}, {"reason", reason}, {"request_id", actor.request_id}});
    };
    if (!known || !password_ok) {
        audit_failure(known ? "wrong password" : "unknown login");
        return std::unexpected(wrong_credentials());
    }
    const detail::UserRow& user_row = **row;
    if (!user_row.user.active) {
        audit_failure("inactive");
        return fail(ErrorCode::permission_denied, "User account is inactive");
    }
    std::optional<std::string> upgraded_hash;
    if (detail::password_needs_rehash(user_row.password_hash, impl_->config.password_hash_cost)) {
        if (auto h = detail::hash_password(password, impl_->config.password_hash_cost)) upgraded_hash = *h;
    }
    auto pair = impl_->store->write([&](SQLite::Database& db) -> Result<TokenPair> {
        const auto now = now_utc();
        detail::user_repo::stamp_login(db, user_row.user.id, now);
        if (upgraded_hash) detail::user_repo::set_password_hash(db, user_row.user.id, *upgraded_hash, now);
        detail::token_repo::purge_expired(db, now);
        User user = user_row.user;
        user.last_login = now;
        auto issued = impl_->issue(db, user, detail::random_token(12), now, user_row.token_generation);
        if (!issued) return issued;
        detail::audit_repo::append(db, {0, now, user.id, "auth.login", fmt::format("user:{}", user.id), "{}",
                                        actor.request_id, actor.client});
        return issued;
    });
    if (pair) {
        impl_->logins_ok.inc();
        impl_->logger.info("login", {{"user_id", pair->user.id}, {"request_id", actor.request_id}});
    }
    return pair;
}

Result<TokenPair> AuthEngine::refresh(std::string_view refresh_token, const Actor& actor) {
    if (refresh_token.empty() || refresh_token.size() > 512) {
        return fail(ErrorCode::unauthenticated, "Invalid refresh token");
    }
    const std::string hash = detail::sha256(refresh_token);
    // A reuse must revoke the family *and* fail; the revocation has to commit, so the
    // transaction returns the verdict as a value and the error is raised after it.
    struct Outcome {
        std::optional<TokenPair> pair;
        std::optional<std::string> revoked_family;
    };
    auto outcome = impl_->store->write([&](SQLite::Database& db) -> Result<Outcome> {
        const auto now = now_utc();
        auto row = detail::token_repo::find_refresh(db, hash);
        if (!row) return fail(ErrorCode::unauthenticated, "Invalid refresh token");
        if (row->used || row->revoked || !detail::token_repo::mark_used(db, row->id, now)) {
            detail::token_repo::revoke_family(db, row->family, now);
            // A spent token presented again means it was copied: the access tokens issued
            // so far (the thief's among them) end too, not only the refresh family.
            detail::token_repo::bump_generation(db, row->user_id);
            detail::audit_repo::append(db, {0, now, row->user_id, "auth.refresh_reuse",
                                            fmt::format("user:{}", row->user_id), "{}", actor.request_id,
                                            actor.client});
            return Outcome{std::nullopt, row->family};
        }
        if (now >= row->expires_at) return fail(ErrorCode::unauthenticated, "Refresh token has expired");
        auto user = detail::user_repo::get(db, row->user_id);
        if (!user || !user->user.active)
            return fail(ErrorCode::unauthenticated, "User not found or inactive");
        auto pair = impl_->issue(db, user->user, row->family, now, user->token_generation);
        if (!pair) return std::unexpected(pair.error());
        return Outcome{std::move(*pair), std::nullopt};
    });
    if (!outcome) return std::unexpected(outcome.error());
    if (outcome->revoked_family) {
        impl_->refresh_reuse.inc();
        impl_->logger.warn("refresh token reused; its family was revoked",
                           {{"family", *outcome->revoked_family}, {"request_id", actor.request_id}});
        return fail(ErrorCode::unauthenticated, "Refresh token was already used; please log in again");
    }
    return std::move(*outcome->pair);
}

Result<void> AuthEngine::logout(const Session& session, std::string_view refresh_token, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        const auto now = now_utc();
        detail::token_repo::revoke_access(db, session.token_id, session.expires_at);
        if (!refresh_token.empty()) {
            auto row = detail::token_repo::find_refresh(db, detail::sha256(refresh_token));
            // Only the caller's own tokens: a logout cannot be used to end someone else's session.
            if (row && row->user_id == session.user.id)
                detail::token_repo::revoke_family(db, row->family, now);
        }
        detail::audit_repo::append(db, {0, now, session.user.id, "auth.logout",
                                        fmt::format("user:{}", session.user.id), "{}", actor.request_id,
                                        actor.client});
        return {};
    });
}

Result<Session> AuthEngine::authenticate(std::string_view access_token) {
    if (impl_->config.jwt_secret.empty()) {
        return fail(ErrorCode::unavailable, "no JWT secret is configured: set SHIKSHA_JWT_SECRET");
    }
    auto claims = detail::jwt_verify(access_token, impl_->config.jwt_secret, seconds_since_epoch(now_utc()));
    if (!claims) return std::unexpected(claims.error());
    std::int64_t user_id = 0;
    if (auto [p, ec] = std::from_chars(claims->sub.data(), claims->sub.data() + claims->sub.size(), user_id);
        ec != std::errc{} || p != claims->sub.data() + claims->sub.size()) {
        return fail(ErrorCode::unauthenticated, "Could not validate credentials");
    }
    return impl_->store->read([&](SQLite::Database& db) -> Result<Session> {
        if (detail::token_repo::access_revoked(db, claims->jti)) {
            return fail(ErrorCode::unauthenticated, "Token has been revoked");
        }
        auto row = detail::user_repo::get(db, user_id);
        if (!row || !row->user.active) return fail(ErrorCode::unauthenticated, "User not found or inactive");
        // A password change, a deactivation or a detected refresh-token theft bumped it.
        if (claims->gen != row->token_generation)
            return fail(ErrorCode::unauthenticated, "Token has been revoked");
        return Session{row->user, claims->jti, detail::to_timestamp(claims->exp * 1'000'000)};
    });
}

Result<std::vector<AuditEntry>> AuthEngine::audit_log(Page page) {
    if (auto ok = detail::check_page(page.skip, page.limit); !ok) return std::unexpected(ok.error());
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<AuditEntry>> {
        return detail::audit_repo::list(db, page);
    });
}

Result<void> AuthEngine::record_audit(const Actor& actor, std::string_view action, std::string_view target,
                                      std::string_view detail_json) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        detail::audit_repo::append(db, {0, now_utc(), actor.user_id, std::string(action), std::string(target),
                                        std::string(detail_json), actor.request_id, actor.client});
        return {};
    });
}

} // namespace shiksha
