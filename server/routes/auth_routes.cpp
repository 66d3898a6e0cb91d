#include "http/errors.hpp"
#include "routes/routes.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

namespace shiksha::server {

namespace {

Json token_body(const TokenPair& pair) {
    return Json::object({{"access_token", pair.access_token},
                         {"token_type", "bearer"},
                         {"refresh_token", pair.refresh_token},
                         {"expires_in", pair.expires_in},
                         {"user", to_json(pair.user)}});
}

/// A string member, or an error naming it ("Field required" / wrong type).
Result<std::string> required_string(const Json& body, std::string_view key) {
    const Json* v = body.find(key);
    if (!v || v->is_null()) return fail_field(std::string(key), fmt::format("{}: Field required", key));
    if (!v->is_string())
        return fail_field(std::string(key), fmt::format("{}: Input should be a valid string", key));
    return v->as_string();
}

Result<void> require_object(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    return {};
}

/// The contract validates `email` as an address; `username` (requirements) is free-form.
bool looks_like_email(std::string_view e) {
    const auto at = e.find('@');
    return at != std::string_view::npos && at > 0 && e.find('.', at) != std::string_view::npos &&
           e.back() != '.' && e.find(' ') == std::string_view::npos;
}

} // namespace

void add_auth_routes(Router& router, const RouteDeps& deps) {
    router.add({Method::post, "/auth/login", Access::anyone(), Body::json,
                "Log in with email or username and password; returns access and refresh tokens",
                [limiter = deps.login_limiter,
                 address_limiter = deps.login_address_limiter](RouteContext& ctx) -> Result<Response> {
                    if (auto ok = require_object(ctx.body); !ok) return std::unexpected(ok.error());
                    std::string login;
                    if (ctx.body.find("email") && !ctx.body.find("email")->is_null()) {
                        auto email = required_string(ctx.body, "email");
                        if (!email) return std::unexpected(email.error());
                        if (!looks_like_email(*email)) {
                            return fail_field("email", "email: value is not a valid email address");
                        }
                        login = *email;
                    } else if (ctx.body.find("username")) {
                        auto username = required_string(ctx.body, "username");
                        if (!username) return std::unexpected(username.error());
                        login = *username;
                    } else {
                        return fail_field("email", "email: Field required (or send username)");
                    }
                    auto password = required_string(ctx.body, "password");
                    if (!password) return std::unexpected(password.error());
                    // Throttled per address across accounts, and per address and *account*: the
                    // account's id when the login names one, else the login as it is looked up,
                    // so "Admin@X.org " and "admin@x.org" (or the username) share one budget.
                    if (address_limiter) {
                        if (auto wait = address_limiter->acquire(ctx.request.remote); wait.count() > 0)
                            return too_many_requests(wait, "login attempts from this address");
                    }
                    if (limiter) {
                        std::string account = "login:" + normalized_login(login);
                        if (auto user = ctx.platform.auth().find_user(login))
                            account = fmt::format("user:{}", user->id);
                        if (auto wait = limiter->acquire(ctx.request.remote + "|" + account);
                            wait.count() > 0)
                            return too_many_requests(wait, "login attempts");
                    }
                    auto pair = ctx.platform.auth().login(login, *password, ctx.actor);
                    if (!pair) return std::unexpected(pair.error());
                    return json_response(200, token_body(*pair));
                },
                Mount::api, "auth"});

    router.add({Method::post, "/auth/refresh", Access::anyone(), Body::json,
                "Exchange a refresh token for a new token pair (the old one is spent)",
                [](RouteContext& ctx) -> Result<Response> {
                    if (auto ok = require_object(ctx.body); !ok) return std::unexpected(ok.error());
                    auto token = required_string(ctx.body, "refresh_token");
                    if (!token) return std::unexpected(token.error());
                    auto pair = ctx.platform.auth().refresh(*token, ctx.actor);
                    if (!pair) return std::unexpected(pair.error());
                    return json_response(200, token_body(*pair));
                },
                Mount::api, "auth"});

    router.add({Method::post, "/auth/logout", Access::at_least(Role::viewer), Body::optional_json,
                "Revoke the access token and, when given, the refresh token's family",
                [](RouteContext& ctx) -> Result<Response> {
                    std::string refresh;
                    if (ctx.body.is_object()) {
                        if (const Json* t = ctx.body.find("refresh_token"); t && t->is_string()) {
                            refresh = t->as_string();
                        }
                    }
                    if (auto ok = ctx.platform.auth().logout(*ctx.session, refresh, ctx.actor); !ok) {
                        return std::unexpected(ok.error());
                    }
                    return json_response(200, Json::object({{"message", "Successfully logged out"}}));
                },
                Mount::api, "auth"});

    router.add(
        {Method::get, "/auth/me", Access::at_least(Role::viewer), Body::none, "The logged-in user",
         [](RouteContext& ctx) -> Result<Response> { return json_response(200, to_json(ctx.session->user)); },
         Mount::api, "auth"});
}

} // namespace shiksha::server
