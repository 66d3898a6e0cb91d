#pragma once
// An in-process server on an ephemeral loopback port, with the demo data seeded.

#include "http/api.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "platform_fixture.hpp"
#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>

namespace shiksha::test {

struct TestServer : PlatformFixture {
    std::unique_ptr<server::Api> api;
    std::unique_ptr<server::HttpServer> http;
    std::uint16_t port = 0;

    explicit TestServer(const std::function<void(Config&)>& tweak = {})
        : PlatformFixture([&](Config& cfg) {
              cfg.server.port = 0;
              cfg.server.threads = 2;
              if (tweak) tweak(cfg);
          }) {
        REQUIRE(seed_demo(*platform));
        api = std::make_unique<server::Api>(*platform);
        http = std::make_unique<server::HttpServer>(*platform, *api);
        auto bound = http->start();
        REQUIRE(bound);
        port = *bound;
    }

    ~TestServer() {
        http->stop();
        http->wait();
    }

    /// Logs in through HTTP and returns the access token.
    std::string token(const std::string& email, const std::string& password) {
        HttpClient c(port);
        auto r = c.post_json("/api/auth/login", Json::object({{"email", email}, {"password", password}}));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        return r.json().find("access_token")->as_string();
    }
    std::string admin() { return token("admin@shiksha-setu.gov.in", "admin123"); }
    std::string principal() { return token("principal.mumbai@school.edu", "principal123"); }
    std::string teacher() { return token("priya.deshmukh@school.edu", "teacher123"); }
};

} // namespace shiksha::test
