// AuthEngine through the public API: users, logins, sessions, refresh rotation, the audit
// trail and the role ladder.
#include "shiksha/auth.hpp"
#include "shiksha/platform.hpp"

#include "platform_fixture.hpp"
#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;

namespace {

constexpr const char* passphrase = "a long passphrase";

struct Fixture : test::PlatformFixture {
    using PlatformFixture::PlatformFixture;

    AuthEngine& auth() { return platform->auth(); }

    User user(const std::string& username, Role role = Role::teacher) {
        auto u = auth().create_user({.username = username,
                                     .email = username + "@diet.gov.in",
                                     .name = "",
                                     .role = role,
                                     .password = passphrase});
        REQUIRE(u);
        return *u;
    }

    TokenPair login(std::string_view who, std::string_view password = passphrase) {
        auto pair = auth().login(who, password);
        REQUIRE(pair);
        return *pair;
    }

    /// Actions in the audit log, oldest first.
    std::vector<std::string> audit_actions() {
        auto log = auth().audit_log({.skip = 0, .limit = 1000});
        REQUIRE(log);
        std::vector<std::string> out;
        for (auto it = log->rbegin(); it != log->rend(); ++it)
            out.push_back(it->action);
        return out;
    }
};

template <class T>
Error error_of(const Result<T>& r) {
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

NewUser new_user(std::string username, std::string email, std::string password = passphrase) {
    return {.username = std::move(username),
            .email = std::move(email),
            .name = "Someone",
            .role = Role::teacher,
            .password = std::move(password)};
}

} // namespace

// ---- role ladder -----------------------------------------------------------------------------

TEST_CASE("roles form one ladder with principal beside coordinator") {
    CHECK(role_rank(Role::viewer) == 0);
    CHECK(role_rank(Role::teacher) == 1);
    CHECK(role_rank(Role::principal) == 2);
    CHECK(role_rank(Role::coordinator) == 2);
    CHECK(role_rank(Role::admin) == 3);

    CHECK(role_at_least(Role::admin, Role::teacher));
    CHECK(role_at_least(Role::teacher, Role::teacher));
    CHECK_FALSE(role_at_least(Role::teacher, Role::principal));
    CHECK_FALSE(role_at_least(Role::viewer, Role::teacher));
    CHECK(role_at_least(Role::principal, Role::coordinator));
    CHECK(role_at_least(Role::coordinator, Role::principal));
    CHECK_FALSE(role_at_least(Role::coordinator, Role::admin));
}

TEST_CASE("parse_role is case-insensitive and round-trips to_string") {
    for (auto r : {Role::viewer, Role::teacher, Role::principal, Role::coordinator, Role::admin}) {
        const auto parsed = parse_role(to_string(r));
        REQUIRE(parsed);
        CHECK(*parsed == r);
    }
    CHECK(parse_role("ADMIN").value() == Role::admin);
    CHECK(parse_role("Principal").value() == Role::principal);
    CHECK(parse_role("tEaChEr").value() == Role::teacher);
}

TEST_CASE("an invalid role is refused listing the valid ones") {
    const auto r = parse_role("superuser");
    const Error e = error_of(r);
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK(e.field == "role");
    CHECK(e.message.find("superuser") != std::string::npos);
    for (const char* valid : {"viewer", "teacher", "principal", "coordinator", "admin"}) {
        CHECK(e.message.find(valid) != std::string::npos);
    }
    CHECK_FALSE(parse_role("").has_value());
    CHECK_FALSE(parse_role("admin ").has_value());
}

// ---- users -----------------------------------------------------------------------------------

TEST_CASE("create_user normalises username and e-mail and defaults the name") {
    Fixture f;
    const auto u = f.auth().create_user({.username = "  Asha.Rao ",
                                         .email = " Asha@DIET.gov.in ",
                                         .name = "",
                                         .role = Role::coordinator,
                                         .password = passphrase});
    REQUIRE(u);
    CHECK(u->id > 0);
    CHECK(u->username == "asha.rao");
    CHECK(u->email == "asha@diet.gov.in");
    CHECK(u->name == "asha.rao");
    CHECK(u->role == Role::coordinator);
    CHECK(u->active);
    CHECK_FALSE(u->last_login.has_value());

    const auto by_id = f.auth().get_user(u->id);
    REQUIRE(by_id);
    CHECK(by_id->username == "asha.rao");
    const auto by_email = f.auth().find_user("ASHA@diet.gov.in");
    REQUIRE(by_email);
    CHECK(by_email->id == u->id);
    CHECK(error_of(f.auth().get_user(u->id + 100)).code == ErrorCode::not_found);
}

TEST_CASE("create_user refuses invalid input naming the field") {
    Fixture f;
    NewUser u = new_user("valid_user", "valid@school.edu");
    std::string expected;
    SUBCASE("username too short") {
        u.username = "ab";
        expected = "username";
    }
    SUBCASE("username too long") {
        u.username = std::string(51, 'a');
        expected = "username";
    }
    SUBCASE("username with a space") {
        u.username = "asha rao";
        expected = "username";
    }
    SUBCASE("username with non-ASCII letters") {
        u.username = "आशा";
        expected = "username";
    }
    SUBCASE("username with an at sign") {
        u.username = "asha@home";
        expected = "username";
    }
    SUBCASE("e-mail without an at sign") {
        u.email = "not-an-email";
        expected = "email";
    }
    SUBCASE("e-mail without a dotted domain") {
        u.email = "asha@localhost";
        expected = "email";
    }
    SUBCASE("e-mail with two at signs") {
        u.email = "a@b@c.org";
        expected = "email";
    }
    SUBCASE("e-mail with a space inside") {
        u.email = "asha rao@school.edu";
        expected = "email";
    }
    SUBCASE("password too short") {
        u.password = "1234567";
        expected = "password";
    }
    SUBCASE("password too long") {
        u.password = std::string(1025, 'p');
        expected = "password";
    }
    SUBCASE("unknown school") {
        u.school_id = 4242;
        expected = "school_id";
    }
    SUBCASE("name with control characters") {
        u.name = "Asha\x01";
        expected = "name";
    }
    const Error e = error_of(f.auth().create_user(u));
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK(e.field == expected);
    // The password is never echoed back.
    CHECK(e.message.find(u.password) == std::string::npos);
    CHECK(f.auth().list_users().value().empty());
}

TEST_CASE("create_user accepts the boundary lengths") {
    Fixture f;
    CHECK(f.auth().create_user(new_user("abc", "", "12345678")).has_value());
    CHECK(f.auth().create_user(new_user(std::string(50, 'z'), "", std::string(1024, 'p'))).has_value());
}

TEST_CASE("duplicate username or e-mail is a conflict") {
    Fixture f;
    REQUIRE(f.auth().create_user(new_user("priya", "priya@school.edu")));

    const Error name_clash = error_of(f.auth().create_user(new_user("PRIYA", "other@school.edu")));
    CHECK(name_clash.code == ErrorCode::conflict);
    CHECK(name_clash.field == "username");

    const Error mail_clash = error_of(f.auth().create_user(new_user("priya2", "Priya@School.edu")));
    CHECK(mail_clash.code == ErrorCode::conflict);
    CHECK(mail_clash.field == "email");

    CHECK(f.auth().list_users().value().size() == 1);
}

TEST_CASE("several accounts may have no e-mail") {
    Fixture f;
    CHECK(f.auth().create_user(new_user("service.one", "")).has_value());
    CHECK(f.auth().create_user(new_user("service.two", "")).has_value());
    CHECK(f.auth().list_users().value().size() == 2);
}

TEST_CASE("list_users pages in creation order and checks the page") {
    Fixture f;
    for (const char* n : {"user.a", "user.b", "user.c"})
        f.user(n);
    const auto page = f.auth().list_users({.skip = 1, .limit = 1});
    REQUIRE(page);
    REQUIRE(page->size() == 1);
    CHECK(page->front().username == "user.b");
    CHECK(error_of(f.auth().list_users({.skip = 0, .limit = 0})).field == "limit");
    CHECK(error_of(f.auth().list_users({.skip = 0, .limit = 1001})).field == "limit");
}

TEST_CASE("schools are unique by name") {
    Fixture f;
    const auto s = f.auth().create_school({.name = "Mumbai Government School", .district = "Mumbai"});
    REQUIRE(s);
    CHECK(error_of(f.auth().create_school({.name = "mumbai government school"})).code == ErrorCode::conflict);
    const auto found = f.auth().find_school("Mumbai Government School");
    REQUIRE(found);
    REQUIRE(found->has_value());
    CHECK((*found)->id == s->id);
    CHECK_FALSE(f.auth().find_school("Nowhere School").value().has_value());

    auto u = new_user("with.school", "ws@school.edu");
    u.school_id = s->id;
    const auto created = f.auth().create_user(u);
    REQUIRE(created);
    CHECK(created->school_id == s->id);
    CHECK(created->school_name == "Mumbai Government School");
}

// ---- login -----------------------------------------------------------------------------------

TEST_CASE("login works by username and by e-mail") {
    Fixture f;
    const auto u = f.user("meera", Role::principal);

    const auto by_name = f.auth().login("meera", passphrase);
    REQUIRE(by_name);
    CHECK(by_name->user.id == u.id);
    CHECK_FALSE(by_name->access_token.empty());
    CHECK_FALSE(by_name->refresh_token.empty());
    CHECK(by_name->access_token != by_name->refresh_token);
    CHECK(by_name->expires_in == 3600);
    CHECK(by_name->user.last_login.has_value());

    const auto by_mail = f.auth().login("MEERA@diet.gov.in ", passphrase);
    REQUIRE(by_mail);
    CHECK(by_mail->user.id == u.id);
    CHECK(by_mail->access_token != by_name->access_token);

    CHECK(f.auth().get_user(u.id).value().last_login.has_value());
}

TEST_CASE("wrong password and unknown user give the same error") {
    Fixture f;
    f.user("lakshmi");
    const auto wrong = f.auth().login("lakshmi", "not the passphrase");
    const auto unknown = f.auth().login("nobody", passphrase);
    const auto empty = f.auth().login("", passphrase);
    const Error a = error_of(wrong);
    const Error b = error_of(unknown);
    CHECK(a.code == ErrorCode::unauthenticated);
    CHECK(b.code == ErrorCode::unauthenticated);
    CHECK(a.message == "Incorrect email or password");
    CHECK(b.message == a.message);
    CHECK(error_of(empty).message == a.message);
}

TEST_CASE("an inactive user cannot log in and loses existing sessions") {
    Fixture f;
    const auto u = f.user("amit");
    const auto pair = f.login("amit");
    REQUIRE(f.auth().authenticate(pair.access_token));

    REQUIRE(f.auth().set_active(u.id, false));
    const Error e = error_of(f.auth().login("amit", passphrase));
    CHECK(e.code == ErrorCode::permission_denied);
    CHECK(e.message == "User account is inactive");
    CHECK(error_of(f.auth().authenticate(pair.access_token)).code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().refresh(pair.refresh_token)).code == ErrorCode::unauthenticated);

    // A wrong password for an inactive account still says only "incorrect".
    CHECK(error_of(f.auth().login("amit", "wrong password!")).code == ErrorCode::unauthenticated);

    REQUIRE(f.auth().set_active(u.id, true));
    CHECK(f.auth().login("amit", passphrase).has_value());
}

TEST_CASE("authenticate returns the session of a valid access token") {
    Fixture f;
    const auto u = f.user("coordinator.one", Role::coordinator);
    const auto pair = f.login("coordinator.one");
    const auto session = f.auth().authenticate(pair.access_token);
    REQUIRE(session);
    CHECK(session->user.id == u.id);
    CHECK(session->user.role == Role::coordinator);
    CHECK_FALSE(session->token_id.empty());
    CHECK(session->expires_at > now_utc());
    CHECK(session->expires_at <= now_utc() + std::chrono::seconds(3600 + 5));
}

TEST_CASE("authenticate refuses garbage tokens") {
    Fixture f;
    f.user("victim");
    const auto pair = f.login("victim");
    for (const std::string& bad :
         {std::string(), std::string("abc"), std::string("a.b.c"), pair.refresh_token,
          pair.access_token + "x", pair.access_token.substr(0, pair.access_token.size() - 2)}) {
        CAPTURE(bad);
        CHECK(error_of(f.auth().authenticate(bad)).code == ErrorCode::unauthenticated);
    }
}

TEST_CASE("tokens signed with another secret are refused") {
    Fixture f;
    f.user("shared.name");
    const auto pair = f.login("shared.name");

    // A second deployment with its own secret, same user id 1.
    const test::TempDir other_dir;
    auto cfg = test::test_config(other_dir.path());
    cfg.auth.jwt_secret = "another-secret-another-secret-another-se";
    auto other = Platform::open(cfg);
    REQUIRE(other);
    REQUIRE((*other)->auth().create_user(new_user("shared.name", "")));
    CHECK(error_of((*other)->auth().authenticate(pair.access_token)).message ==
          "Could not validate credentials");
}

TEST_CASE("logout revokes the access token and the refresh family") {
    Fixture f;
    f.user("leaving");
    const auto pair = f.login("leaving");
    const auto session = f.auth().authenticate(pair.access_token);
    REQUIRE(session);
    REQUIRE(f.auth().logout(*session, pair.refresh_token));

    const Error e = error_of(f.auth().authenticate(pair.access_token));
    CHECK(e.code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().refresh(pair.refresh_token)).code == ErrorCode::unauthenticated);

    // Another login of the same user is unaffected.
    const auto again = f.login("leaving");
    CHECK(f.auth().authenticate(again.access_token).has_value());
}

TEST_CASE("logout cannot revoke another user's refresh token") {
    Fixture f;
    f.user("alice");
    f.user("mallory");
    const auto alice = f.login("alice");
    const auto mallory = f.login("mallory");
    const auto session = f.auth().authenticate(mallory.access_token);
    REQUIRE(session);
    REQUIRE(f.auth().logout(*session, alice.refresh_token));
    CHECK(f.auth().refresh(alice.refresh_token).has_value());
}

TEST_CASE("refresh rotates: new tokens, the old refresh token is spent") {
    Fixture f;
    const auto u = f.user("rotator");
    const auto first = f.login("rotator");
    const auto second = f.auth().refresh(first.refresh_token);
    REQUIRE(second);
    CHECK(second->user.id == u.id);
    CHECK(second->refresh_token != first.refresh_token);
    CHECK(second->access_token != first.access_token);
    CHECK(f.auth().authenticate(second->access_token).has_value());

    const auto third = f.auth().refresh(second->refresh_token);
    REQUIRE(third);
    CHECK(third->refresh_token != second->refresh_token);
}

TEST_CASE("reusing a spent refresh token revokes its whole family") {
    Fixture f;
    f.user("reuser");
    const auto first = f.login("reuser");
    const auto unrelated = f.login("reuser"); // another device: a different family
    const auto rotated = f.auth().refresh(first.refresh_token);
    REQUIRE(rotated);

    // An attacker replays the spent token.
    const Error e = error_of(f.auth().refresh(first.refresh_token));
    CHECK(e.code == ErrorCode::unauthenticated);
    CHECK(f.platform->metrics().render_prometheus().find("shiksha_auth_refresh_reuse_total 1\n") !=
          std::string::npos);

    // The token the legitimate rotation produced is now dead too.
    CHECK(error_of(f.auth().refresh(rotated->refresh_token)).code == ErrorCode::unauthenticated);
    // ...but the other device's family lives on.
    CHECK(f.auth().refresh(unrelated.refresh_token).has_value());

    const auto actions = f.audit_actions();
    CHECK(std::count(actions.begin(), actions.end(), "auth.refresh_reuse") >= 1);
}

TEST_CASE("a refresh token presented twice at once rotates only once") {
    Fixture f;
    f.user("racer");
    const auto pair = f.login("racer");
    std::atomic<int> ok{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            auto r = f.auth().refresh(pair.refresh_token);
            if (r)
                ++ok;
            else if (r.error().code == ErrorCode::unauthenticated)
                ++refused;
            else
                ++other;
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(ok.load() == 1); // one rotation, never two live successors of one token
    CHECK(ok.load() + refused.load() == 4);
    CHECK(other.load() == 0);
}

TEST_CASE("unknown refresh tokens are refused") {
    Fixture f;
    CHECK(error_of(f.auth().refresh("")).code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().refresh("made-up-token")).code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().refresh(std::string(600, 'a'))).code == ErrorCode::unauthenticated);
}

TEST_CASE("set_password changes the password and revokes refresh tokens") {
    Fixture f;
    const auto u = f.user("changer");
    const auto before = f.login("changer");
    REQUIRE(f.auth().set_password(u.id, "a brand new passphrase"));

    CHECK(error_of(f.auth().refresh(before.refresh_token)).code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().login("changer", passphrase)).code == ErrorCode::unauthenticated);
    CHECK(f.auth().login("changer", "a brand new passphrase").has_value());
    CHECK(f.auth().check_password("changer", "a brand new passphrase").value());
    CHECK_FALSE(f.auth().check_password("changer", passphrase).value());

    CHECK(error_of(f.auth().set_password(u.id, "short")).field == "password");
    CHECK(error_of(f.auth().set_password(u.id + 50, "long enough pass")).code == ErrorCode::not_found);
    CHECK(error_of(f.auth().check_password("ghost", passphrase)).code == ErrorCode::not_found);
}

TEST_CASE("the audit log records logins and failed logins without passwords") {
    Fixture f;
    const auto u = f.user("audited");
    REQUIRE(f.auth().login("audited", passphrase, Actor{std::nullopt, "req-42", "203.0.113.9"}));
    REQUIRE_FALSE(f.auth().login("audited", "the wrong secret"));
    REQUIRE_FALSE(f.auth().login("stranger", "the wrong secret"));

    const auto log = f.auth().audit_log();
    REQUIRE(log);
    // Newest first.
    REQUIRE(log->size() >= 4);
    const auto& unknown = (*log)[0];
    const auto& wrong = (*log)[1];
    const auto& ok = (*log)[2];
    CHECK(unknown.action == "auth.login_failed");
    CHECK_FALSE(unknown.user_id.has_value());
    CHECK(unknown.detail.find("stranger") != std::string::npos);
    CHECK(wrong.action == "auth.login_failed");
    CHECK(wrong.user_id == u.id);
    CHECK(wrong.detail.find("wrong password") != std::string::npos);
    CHECK(ok.action == "auth.login");
    CHECK(ok.user_id == u.id);
    CHECK(ok.request_id == "req-42");
    CHECK(ok.client == "203.0.113.9");
    CHECK(ok.target == "user:" + std::to_string(u.id));
    CHECK((*log)[3].action == "user.create");
    for (const auto& e : *log) {
        CHECK(e.detail.find("the wrong secret") == std::string::npos);
        CHECK(e.detail.find(passphrase) == std::string::npos);
    }

    const auto text = f.platform->metrics().render_prometheus();
    CHECK(text.find(R"(shiksha_auth_logins_total{outcome="failure"} 2)") != std::string::npos);
    CHECK(text.find(R"(shiksha_auth_logins_total{outcome="success"} 1)") != std::string::npos);
}

TEST_CASE("record_audit appends an entry") {
    Fixture f;
    REQUIRE(f.auth().record_audit(Actor{7, "r1", "cli"}, "module.export", "module:3", R"({"pages":4})"));
    const auto log = f.auth().audit_log({.skip = 0, .limit = 1});
    REQUIRE(log);
    REQUIRE(log->size() == 1);
    CHECK(log->front().action == "module.export");
    CHECK(log->front().user_id == 7);
    CHECK(log->front().detail == R"({"pages":4})");
}

TEST_CASE("without a JWT secret no tokens are issued") {
    Fixture f([](Config& cfg) { cfg.auth.jwt_secret.clear(); });
    f.user("nosecret");
    const Error e = error_of(f.auth().login("nosecret", passphrase));
    CHECK(e.code == ErrorCode::unavailable);
    CHECK(e.message.find("SHIKSHA_JWT_SECRET") != std::string::npos);
    CHECK(error_of(f.auth().authenticate("a.b.c")).code == ErrorCode::unavailable);
}

// Regression (issue 16, defect 9): access tokens outlived a password change and a refresh-token
// theft until they expired (an hour by default).
TEST_CASE("a password change ends the access tokens issued before it; new ones work") {
    Fixture f;
    const auto u = f.user("rotator");
    const auto before = f.login("rotator");
    REQUIRE(f.auth().authenticate(before.access_token));
    REQUIRE(f.auth().set_password(u.id, "a brand new passphrase"));
    const Error e = error_of(f.auth().authenticate(before.access_token));
    CHECK(e.code == ErrorCode::unauthenticated);
    CHECK(e.message == "Token has been revoked");
    const auto after = f.login("rotator", "a brand new passphrase");
    CHECK(f.auth().authenticate(after.access_token).has_value());
}

TEST_CASE("a replayed refresh token ends the access tokens issued so far") {
    Fixture f;
    f.user("victim");
    const auto first = f.login("victim");
    const auto rotated = f.auth().refresh(first.refresh_token);
    REQUIRE(rotated);
    REQUIRE(f.auth().authenticate(rotated->access_token));
    CHECK_FALSE(f.auth().refresh(first.refresh_token).has_value()); // the replay
    CHECK(error_of(f.auth().authenticate(rotated->access_token)).code == ErrorCode::unauthenticated);
    CHECK(error_of(f.auth().authenticate(first.access_token)).code == ErrorCode::unauthenticated);
    CHECK(f.auth().authenticate(f.login("victim").access_token).has_value());
}
