// Routing rules, without sockets: twins, trailing slashes, HEAD, 405, parameters, targets.
#include "http/errors.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

#include <doctest/doctest.h>

#include <type_traits>

using namespace shiksha;
using namespace shiksha::server;

// A route cannot be declared without saying who may call it.
static_assert(!std::is_default_constructible_v<Access>);

namespace {

Handler ok() {
    return [](RouteContext&) -> Result<Response> { return Response{}; };
}

Router sample() {
    Router r;
    r.add({Method::get, "/clusters", Access::at_least(Role::viewer), Body::none, "list", ok()});
    r.add({Method::post, "/clusters", Access::at_least(Role::teacher), Body::json, "create", ok()});
    r.add({Method::get, "/clusters/{id}", Access::at_least(Role::viewer), Body::none, "get", ok()});
    r.add({Method::patch, "/clusters/{id}/pin", Access::at_least(Role::teacher), Body::none, "pin", ok()});
    r.add({Method::get, "/health", Access::anyone(), Body::none, "health", ok(), Mount::root});
    return r;
}

} // namespace

TEST_CASE("api routes answer under /api and /api/v1, with or without a trailing slash") {
    const Router r = sample();
    for (auto path : {"/api/clusters", "/api/clusters/", "/api/v1/clusters", "/api/v1/clusters/"}) {
        auto m = r.match(Method::get, path);
        REQUIRE_MESSAGE(m.route != nullptr, path);
        CHECK(m.route->summary == "list");
    }
    CHECK(r.match(Method::get, "/clusters").route == nullptr);   // api routes need the prefix
    CHECK(r.match(Method::get, "/api/health").route == nullptr); // root routes have none
    CHECK(r.match(Method::get, "/health").route != nullptr);
    CHECK(r.match(Method::get, "/api/v2/clusters").route == nullptr);
}

TEST_CASE("path parameters are captured by name") {
    const Router r = sample();
    auto m = r.match(Method::patch, "/api/v1/clusters/42/pin");
    REQUIRE(m.route != nullptr);
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].first == "id");
    CHECK(m.params[0].second == "42");
}

TEST_CASE("a known path with another method lists the allowed ones; HEAD falls back to GET") {
    const Router r = sample();
    auto m = r.match(Method::del, "/api/clusters");
    CHECK(m.route == nullptr);
    CHECK(m.allowed == std::vector<Method>{Method::get, Method::post});
    auto head = r.match(Method::head, "/api/clusters/7");
    REQUIRE(head.route != nullptr);
    CHECK(head.route->summary == "get");
}

TEST_CASE("registering a route twice is refused") {
    Router r = sample();
    CHECK_THROWS_AS(r.add({Method::get, "/clusters/{other}", Access::anyone(), Body::none, "dup", ok()}),
                    std::logic_error);
}

TEST_CASE("request targets are percent-decoded and malformed escapes rejected") {
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    REQUIRE(parse_target("/api/manuals/upload?title=%E0%A4%97%E0%A4%A3%E0%A4%BF%E0%A4%A4+2&x", path, query));
    CHECK(path == "/api/manuals/upload");
    REQUIRE(query.size() == 2);
    CHECK(query[0].second == "गणित 2");
    CHECK(query[1].first == "x");
    CHECK(query[1].second.empty());
    CHECK_FALSE(parse_target("/a%zzb", path, query));
    CHECK_FALSE(parse_target("/a%4", path, query));
    CHECK_FALSE(parse_target("no-slash", path, query));
}

TEST_CASE("header lookup is case-insensitive") {
    Request req;
    req.headers = {{"content-TYPE", "application/json"}};
    CHECK(req.header("Content-Type") == "application/json");
    Response res;
    res.set_header("X-A", "1");
    res.set_header("x-a", "2");
    CHECK(res.headers.size() == 1);
    CHECK(res.header("X-A") == "2");
}

// Regression (issue 16, defect 3): a library `rate_limited` error (a provider's quota) became a
// 429 without Retry-After.
TEST_CASE("every 429 carries Retry-After: throttles with their wait, library errors a default") {
    const auto throttled = too_many_requests(std::chrono::milliseconds(2500), "login attempts");
    CHECK(throttled.status == 429);
    CHECK(throttled.header("Retry-After") == "3");
    CHECK(throttled.body.find("Too many login attempts; retry in 3 s") != std::string::npos);
    CHECK(too_many_requests(std::chrono::milliseconds(0), "x").header("Retry-After") == "1");

    const shiksha::Error quota{shiksha::ErrorCode::rate_limited, "the YouTube quota is spent", {}};
    const auto mapped = error_response(quota, Request{});
    CHECK(mapped.status == 429);
    CHECK(mapped.header("Retry-After") == std::to_string(default_retry_after_seconds));
}
