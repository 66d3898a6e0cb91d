#pragma once
// An in-process server on an ephemeral loopback port, with the demo data seeded.

#include "http/api.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>

namespace shiksha::test {

struct TestServer {
    TempDir dir;
    std::unique_ptr<Platform> platform;
    std::unique_ptr<server::Api> api;
    std::unique_ptr<server::HttpServer> http;
    std::uint16_t port = 0;

    explicit TestServer(const std::function<void(Config&)>& tweak = {}) {
        Config cfg = test_config(dir.path());
        cfg.server.port = 0;
        cfg.server.threads = 2;
        if (tweak) tweak(cfg);
        auto opened = Platform::open(cfg);
        REQUIRE_MESSAGE(opened.has_value(), (opened ? "" : opened.error().message));
        platform = std::move(*opened);
        auto seeded = seed_demo(*platform);
        REQUIRE(seeded.has_value());
        api = std::make_unique<server::Api>(*platform);
        http = std::make_unique<server::HttpServer>(*platform, *api);
        auto bound = http->start();
        REQUIRE(bound.has_value());
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
