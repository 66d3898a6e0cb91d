// The server over real HTTP on a loopback port: routing, auth, errors, CORS, limits.
#include "server_fixture.hpp"

#include "routes/routes.hpp"

#include <fmt/format.h>

#include <set>

using namespace shiksha;
using namespace shiksha::test;

namespace {

Json cluster_body(const std::string& name) {
    return Json::object({{"name", name},
                         {"region_type", "Tribal Belt"},
                         {"language", "Hindi"},
                         {"infrastructure_constraints", "Low"},
                         {"key_issues", "No lab"}});
}

} // namespace

TEST_CASE("health answers without a token") {
    TestServer s;
    HttpClient c(s.port);
    auto r = c.get("/health");
    CHECK(r.status == 200);
    CHECK(r.json().find("status")->as_string() == "healthy");
    CHECK_FALSE(r.header("x-request-id").empty());
}

TEST_CASE("login, then cluster create, read, update, pin and delete over HTTP") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);

    auto created = c.post_json("/api/clusters/", cluster_body("Koraput Cluster"), token);
    REQUIRE(created.status == 201);
    const auto id = created.json().find("id")->as_int();
    CHECK(created.json().find("geographic_type")->as_string() == "Tribal Belt");
    const std::string path = "/api/clusters/" + std::to_string(id);

    auto got = c.get(path, token);
    CHECK(got.status == 200);
    CHECK(got.json().find("name")->as_string() == "Koraput Cluster");

    auto listed = c.get("/api/clusters/?skip=0&limit=100", token);
    REQUIRE(listed.status == 200);
    CHECK(listed.json().as_array().size() == 4);                        // three demo clusters + this one
    CHECK(listed.json().as_array().front().find("id")->as_int() == id); // newest first

    auto updated =
        c.send_json("PUT", path, Json::object({{"language", "Odia"}, {"key_issues", nullptr}}), token);
    REQUIRE(updated.status == 200);
    CHECK(updated.json().find("language")->as_string() == "Odia");
    CHECK(updated.json().find("key_issues")->is_null());
    CHECK(updated.json().find("region_type")->as_string() == "Tribal Belt");

    auto pinned = c.request("PATCH", path + "/pin", {}, {{"Authorization", "Bearer " + token}});
    REQUIRE(pinned.status == 200);
    CHECK(pinned.json().find("pinned")->as_bool());

    auto deleted = c.request("DELETE", path, {}, {{"Authorization", "Bearer " + token}});
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    auto gone = c.get(path, token);
    CHECK(gone.status == 404);
    CHECK(gone.json().find("detail")->as_string() == "Cluster with ID " + std::to_string(id) + " not found");
}

TEST_CASE("every /api route is also served under /api/v1, with and without the trailing slash") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);
    for (const std::string path :
         {"/api/clusters", "/api/clusters/", "/api/v1/clusters", "/api/v1/clusters/"}) {
        auto r = c.get(path, token);
        CHECK_MESSAGE(r.status == 200, path);
        CHECK(r.json().as_array().size() == 3);
    }
    CHECK(c.get("/api/v1/auth/me", token).json().find("role")->as_string() == "admin");
}

TEST_CASE("missing, malformed and revoked tokens get 401 with WWW-Authenticate") {
    TestServer s;
    HttpClient c(s.port);
    auto missing = c.get("/api/clusters/");
    CHECK(missing.status == 401);
    CHECK(missing.json().find("detail")->as_string() == "Not authenticated");
    CHECK(missing.header("www-authenticate") == "Bearer");

    auto garbage = c.get("/api/clusters/", "not.a.token");
    CHECK(garbage.status == 401);
    CHECK(garbage.json().find("detail")->as_string() == "Could not validate credentials");

    const auto token = s.admin();
    CHECK(c.get("/api/auth/me", token).status == 200);
    auto out = c.request("POST", "/api/auth/logout", {}, {{"Authorization", "Bearer " + token}});
    CHECK(out.status == 200);
    CHECK(out.json().find("message")->as_string() == "Successfully logged out");
    auto after = c.get("/api/auth/me", token);
    CHECK(after.status == 401);
}

TEST_CASE("roles: a viewer cannot create, a teacher hides, a principal deletes") {
    TestServer s;
    REQUIRE(s.platform->auth()
                .create_user({"vimala", "vimala@diet.gov.in", "Vimala", Role::viewer, "viewer-pass-1", {}})
                .has_value());
    const auto viewer = s.token("vimala@diet.gov.in", "viewer-pass-1");
    HttpClient c(s.port);
    auto refused = c.post_json("/api/clusters/", cluster_body("Viewer Cluster"), viewer);
    CHECK(refused.status == 403);
    CHECK(refused.json().find("code")->as_string() == "permission_denied");
    CHECK(c.get("/api/clusters/", viewer).status == 200); // reading is allowed

    const auto teacher = s.teacher();
    auto own = c.post_json("/api/clusters/", cluster_body("Teacher Cluster"), teacher);
    REQUIRE(own.status == 201);
    const auto path = "/api/clusters/" + std::to_string(own.json().find("id")->as_int());
    CHECK(c.request("DELETE", path, {}, {{"Authorization", "Bearer " + teacher}}).status == 204);
    CHECK(c.get("/api/clusters/", teacher).json().as_array().size() == 3); // hidden for the teacher
    const auto principal = s.principal();
    CHECK(c.get("/api/clusters/", principal).json().as_array().size() == 4); // still there for others
    CHECK(c.request("DELETE", path, {}, {{"Authorization", "Bearer " + principal}}).status == 204);
    CHECK(c.get(path, principal).status == 404);
}

TEST_CASE("unknown routes are 404 and wrong methods 405 with Allow") {
    TestServer s;
    HttpClient c(s.port);
    auto unknown = c.get("/api/admin/overview", s.admin());
    CHECK(unknown.status == 404); // not 401: the original frontend logs out on 401
    CHECK(c.get("/nowhere").status == 404);
    auto wrong = c.request("DELETE", "/health");
    CHECK(wrong.status == 405);
    CHECK(wrong.header("allow") == "GET");
}

TEST_CASE("malformed JSON is 400, wrong content type 415, validation failures 422 naming the field") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);
    const Headers json_auth{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
    auto malformed = c.request("POST", "/api/clusters/", R"({"name": "x",)", json_auth);
    CHECK(malformed.status == 400);
    CHECK(malformed.json().find("detail")->as_string().starts_with("Invalid JSON"));

    auto form = c.request(
        "POST", "/api/clusters/", "name=x",
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Bearer " + token}});
    CHECK(form.status == 415);

    auto body = cluster_body("A");
    auto short_name = c.post_json("/api/clusters/", body, token);
    CHECK(short_name.status == 422);
    const Json err = short_name.json();
    CHECK(err.find("code")->as_string() == "invalid_argument");
    const auto& loc = err.find("errors")->as_array().front().find("loc")->as_array();
    CHECK(loc.at(0).as_string() == "body");
    CHECK(loc.at(1).as_string() == "name");

    auto bad_id = c.get("/api/clusters/abc", token);
    CHECK(bad_id.status == 422);
    CHECK(bad_id.json().find("errors")->as_array().front().find("loc")->as_array().at(0).as_string() ==
          "path");

    auto bad_limit = c.get("/api/clusters/?limit=0", token);
    CHECK(bad_limit.status == 422);
    CHECK(bad_limit.json().find("errors")->as_array().front().find("loc")->as_array().at(0).as_string() ==
          "query");

    auto duplicate = c.post_json("/api/clusters/", cluster_body("Bastar Tribal Cluster"), token);
    CHECK(duplicate.status == 409);
    CHECK(duplicate.json().find("detail")->as_string() ==
          "Cluster with name 'Bastar Tribal Cluster' already exists");
}

TEST_CASE("a body over the configured limit gets 413") {
    TestServer s([](Config& cfg) { cfg.server.max_body_bytes = 4096; });
    const auto token = s.admin();
    HttpClient c(s.port);
    Json body = cluster_body("Big Cluster");
    body["additional_notes"] = std::string(8000, 'x');
    auto r = c.post_json("/api/clusters/", body, token);
    CHECK(r.status == 413);
    CHECK(r.json().find("code")->as_string() == "payload_too_large");
    HttpClient fresh(s.port);
    CHECK(fresh.get("/health").status == 200); // the server is fine afterwards
}

namespace {

void check_security_headers(const HttpResult& r, bool json) {
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK(r.header("referrer-policy") == "no-referrer");
    CHECK(r.header("x-frame-options") == "DENY");
    CHECK(r.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
    if (json) CHECK(r.header("cache-control") == "no-store");
    CHECK(r.header("strict-transport-security").empty()); // no trusted proxy configured
}

} // namespace

// Regression (issue 16, defect 4): no response carried nosniff, a referrer policy, framing
// protection or no-store, not even the login answer that carries the tokens.
TEST_CASE("every answer carries the security headers; JSON is never cached") {
    TestServer s;
    HttpClient c(s.port);
    auto login = c.post_json(
        "/api/auth/login", Json::object({{"email", "admin@shiksha-setu.gov.in"}, {"password", "admin123"}}));
    REQUIRE(login.status == 200);
    check_security_headers(login, true);
    check_security_headers(c.get("/health"), true);
    check_security_headers(c.get("/api/clusters/"), true);        // 401
    check_security_headers(c.get("/api/no/such/route"), true);    // 404 from the router
    check_security_headers(c.request("DELETE", "/health"), true); // 405
    // Answers the transport gives before the API sees a request.
    RawConnection raw(s.port);
    raw.send("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    const auto bad = raw.read_until_close();
    CHECK(bad.find("400") != std::string::npos);
    CHECK(bad.find("X-Content-Type-Options: nosniff") != std::string::npos);
    CHECK(bad.find("Cache-Control: no-store") != std::string::npos);
}

TEST_CASE("Strict-Transport-Security only behind a trusted TLS-terminating proxy that says https") {
    TestServer trusted([](Config& cfg) { cfg.server.trust_forwarded_proto = true; });
    HttpClient c(trusted.port);
    auto https = c.request("GET", "/health", {}, {{"X-Forwarded-Proto", "https"}});
    CHECK(https.header("strict-transport-security") == "max-age=31536000; includeSubDomains");
    CHECK(c.request("GET", "/health", {}, {{"X-Forwarded-Proto", "http"}})
              .header("strict-transport-security")
              .empty());
    CHECK(c.get("/health").header("strict-transport-security").empty());

    TestServer untrusted; // a client cannot switch it on by sending the header itself
    HttpClient u(untrusted.port);
    CHECK(u.request("GET", "/health", {}, {{"X-Forwarded-Proto", "https"}})
              .header("strict-transport-security")
              .empty());
}

TEST_CASE("CORS: allowed origins are echoed exactly, others refused, never '*'") {
    TestServer s;
    HttpClient c(s.port);
    auto pre = c.request("OPTIONS", "/api/clusters/", {},
                         {{"Origin", "http://localhost:5173"},
                          {"Access-Control-Request-Method", "POST"},
                          {"Access-Control-Request-Headers", "authorization, content-type"}});
    CHECK(pre.status == 200);
    CHECK(pre.header("access-control-allow-origin") == "http://localhost:5173");
    CHECK(pre.header("access-control-allow-credentials") == "true");
    CHECK(pre.header("access-control-allow-headers") == "authorization, content-type");
    CHECK(pre.header("access-control-max-age") == "600");
    CHECK(pre.header("access-control-allow-methods").find("PATCH") != std::string::npos);

    auto denied = c.request("OPTIONS", "/api/clusters/", {},
                            {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(denied.status == 400);
    CHECK(denied.header("access-control-allow-origin").empty());

    auto simple = c.request("GET", "/health", {}, {{"Origin", "http://127.0.0.1:3000"}});
    CHECK(simple.header("access-control-allow-origin") == "http://127.0.0.1:3000");
    CHECK(simple.header("vary") == "Origin");
    auto other = c.request("GET", "/health", {}, {{"Origin", "http://evil.example"}});
    CHECK(other.header("access-control-allow-origin").empty());
}

TEST_CASE("request ids: a sane incoming X-Request-Id is echoed, otherwise one is made") {
    TestServer s;
    HttpClient c(s.port);
    CHECK(c.request("GET", "/health", {}, {{"X-Request-Id", "trace-42"}}).header("x-request-id") ==
          "trace-42");
    const auto made =
        c.request("GET", "/health", {}, {{"X-Request-Id", "bad id with spaces"}}).header("x-request-id");
    CHECK(made != "bad id with spaces");
    CHECK(made.size() == 16);
}

TEST_CASE("clients over the request budget get 429 with Retry-After") {
    TestServer s([](Config& cfg) { cfg.server.requests_per_minute = 5; });
    HttpClient c(s.port);
    for (int i = 0; i < 5; ++i)
        CHECK(c.get("/api/clusters/").status == 401);
    auto limited = c.get("/api/clusters/");
    CHECK(limited.status == 429);
    CHECK(std::stoi(limited.header("retry-after")) >= 1);
    CHECK(c.get("/health").status == 200); // health checks are never throttled
}

TEST_CASE("repeated failed logins for one account are throttled") {
    TestServer s([](Config& cfg) { cfg.auth.login_attempts_per_minute = 3; });
    HttpClient c(s.port);
    const auto wrong = Json::object({{"email", "admin@shiksha-setu.gov.in"}, {"password", "guess"}});
    for (int i = 0; i < 3; ++i) {
        auto r = c.post_json("/api/auth/login", wrong);
        CHECK(r.status == 401);
        CHECK(r.json().find("detail")->as_string() == "Incorrect email or password");
    }
    auto limited = c.post_json("/api/auth/login", wrong);
    CHECK(limited.status == 429);
    // Regression (issue 16, defect 3): the login 429 carried no Retry-After. Three a minute:
    // the next try is at most 20 s away.
    const auto retry = limited.header("retry-after");
    REQUIRE_FALSE(retry.empty());
    CHECK(std::stoi(retry) >= 1);
    CHECK(std::stoi(retry) <= 20);
    CHECK(limited.json().find("code")->as_string() == "rate_limited");
    // Another account from the same address is unaffected.
    auto other = c.post_json("/api/auth/login",
                             Json::object({{"email", "amit.patel@school.edu"}, {"password", "teacher123"}}));
    CHECK(other.status == 200);
}

// Regression (issue 16, defect 2): the throttle was keyed on the login as typed while the
// login itself is trimmed and case-folded, so every spelling got a fresh budget (60 guesses
// in 0.1 s, then the right password got in).
TEST_CASE("the login throttle counts every spelling of an account, and its username, as one") {
    TestServer s([](Config& cfg) {
        cfg.auth.login_attempts_per_minute = 3;
        cfg.auth.login_attempts_per_address_per_minute = 0; // this test is about the account key
    });
    HttpClient c(s.port);
    const auto attempt = [&](const std::string& field, const std::string& login,
                             const std::string& password) {
        return c.post_json("/api/auth/login", Json::object({{field, login}, {"password", password}})).status;
    };
    CHECK(attempt("email", "admin@shiksha-setu.gov.in", "guess") == 401);
    CHECK(attempt("email", "ADMIN@Shiksha-Setu.gov.in", "guess") == 401);
    CHECK(attempt("username", " Admin ", "guess") == 401);
    CHECK(attempt("email", "Admin@shiksha-setu.GOV.in", "admin123") == 429); // even the right password
    CHECK(attempt("username", "admin", "admin123") == 429);
    // Unknown logins are keyed the same way.
    for (const char* spelling : {"ghost@x.org", "GHOST@x.org", "ghost@X.ORG"})
        CHECK(attempt("email", spelling, "guess") == 401);
    CHECK(attempt("email", "Ghost@x.org", "guess") == 429);
    CHECK(attempt("email", "amit.patel@school.edu", "teacher123") == 200); // other accounts are fine
}

TEST_CASE("one address guessing across many accounts runs into a per-address budget") {
    TestServer s([](Config& cfg) {
        cfg.auth.login_attempts_per_minute = 3;
        cfg.auth.login_attempts_per_address_per_minute = 5;
    });
    HttpClient c(s.port);
    for (int i = 0; i < 5; ++i) {
        CHECK(c.post_json("/api/auth/login",
                          Json::object({{"email", fmt::format("user{}@x.org", i)}, {"password", "guess"}}))
                  .status == 401);
    }
    auto limited = c.post_json(
        "/api/auth/login", Json::object({{"email", "amit.patel@school.edu"}, {"password", "teacher123"}}));
    CHECK(limited.status == 429);
    CHECK(std::stoi(limited.header("retry-after")) >= 1);
    CHECK(
        limited.json().find("detail")->as_string().starts_with("Too many login attempts from this address"));
}

TEST_CASE("login accepts username or email; malformed email is 422; refresh rotates") {
    TestServer s;
    HttpClient c(s.port);
    auto by_name =
        c.post_json("/api/auth/login", Json::object({{"username", "admin"}, {"password", "admin123"}}));
    REQUIRE(by_name.status == 200);
    const Json tokens = by_name.json();
    CHECK(tokens.find("token_type")->as_string() == "bearer");
    CHECK(tokens.find("user")->find("email")->as_string() == "admin@shiksha-setu.gov.in");
    CHECK(tokens.find("user")->find("password_hash") == nullptr);

    CHECK(
        c.post_json("/api/auth/login", Json::object({{"email", "not-an-email"}, {"password", "x"}})).status ==
        422);
    CHECK(c.post_json("/api/auth/login", Json::object({{"email", "admin@shiksha-setu.gov.in"}})).status ==
          422);

    const auto refresh = tokens.find("refresh_token")->as_string();
    auto rotated = c.post_json("/api/auth/refresh", Json::object({{"refresh_token", refresh}}));
    REQUIRE(rotated.status == 200);
    const auto next = rotated.json().find("refresh_token")->as_string();
    CHECK(next != refresh);
    CHECK(c.get("/api/auth/me", rotated.json().find("access_token")->as_string()).status == 200);

    auto reused = c.post_json("/api/auth/refresh", Json::object({{"refresh_token", refresh}}));
    CHECK(reused.status == 401);
    // Reuse revoked the family: the token issued by the rotation is dead too.
    CHECK(c.post_json("/api/auth/refresh", Json::object({{"refresh_token", next}})).status == 401);
}

TEST_CASE("keep-alive: many requests share one connection") {
    TestServer s;
    HttpClient c(s.port);
    for (int i = 0; i < 20; ++i) {
        auto r = c.get("/health");
        REQUIRE(r.status == 200);
        CHECK(r.header("connection") != "close");
    }
}

TEST_CASE("HEAD is answered like GET without a body") {
    TestServer s;
    HttpClient c(s.port);
    auto r = c.request("HEAD", "/health");
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(std::stoi(r.header("content-length")) > 0);
}

TEST_CASE("a client that stalls in the middle of its headers is cut off") {
    TestServer s([](Config& cfg) { cfg.server.header_timeout = std::chrono::seconds(1); });
    RawConnection raw(s.port);
    raw.send("GET /health HTTP/1.1\r\nHost: x\r\n"); // never finishes the head
    CHECK(raw.read_until_close().empty());           // returns only because the server closed it
    HttpClient c(s.port);
    CHECK(c.get("/health").status == 200);
}

TEST_CASE("malformed request lines and bad percent-encoding are 400") {
    TestServer s;
    RawConnection raw(s.port);
    raw.send("GARBAGE\r\n\r\n");
    CHECK(raw.read_until_close().starts_with("HTTP/1.1 400"));
    HttpClient c(s.port);
    CHECK(c.get("/api/clusters/%zz").status == 400);
}

TEST_CASE("the OpenAPI document describes exactly the routes the router serves") {
    TestServer s;
    HttpClient c(s.port);
    auto r = c.get("/api/v1/openapi.json");
    REQUIRE(r.status == 200);
    const Json doc = r.json();
    std::set<std::string> documented;
    for (const auto& [path, ops] : doc.find("paths")->as_object()) {
        for (const auto& [method, op] : ops.as_object())
            documented.insert(method + " " + path);
    }
    std::set<std::string> served;
    for (const auto& route : s.api->router().routes()) {
        std::string method(server::to_string(route.method));
        for (auto& ch : method)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (const auto& p : server::Router::served_paths(route))
            served.insert(method + " " + p);
    }
    CHECK(documented == served);
    CHECK(documented.count("post /api/v1/clusters") == 1);
    CHECK(doc.find("paths")->find("/api/v1/clusters")->find("post")->find("x-min-role")->as_string() ==
          "teacher");
}

TEST_CASE("metrics count requests by route and status") {
    TestServer s;
    HttpClient c(s.port);
    (void)c.get("/health");
    (void)c.get("/api/clusters/");
    auto r = c.get("/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("shiksha_http_requests_total{method=\"GET\",route=\"/clusters\",status=\"401\"} 1") !=
          std::string::npos);
    CHECK(r.body.find("# TYPE shiksha_http_request_duration_seconds histogram") != std::string::npos);
}
