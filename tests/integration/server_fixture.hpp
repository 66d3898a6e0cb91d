#pragma once
// An in-process server on an ephemeral loopback port, with the demo data seeded.

#include "http/api.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "platform_fixture.hpp"
#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

namespace shiksha::test {

/// The bundled sample manual the HTTP tests upload.
inline const std::filesystem::path sample_manual =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

/// A whole file's bytes (an upload body).
inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

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
