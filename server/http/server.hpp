#pragma once
// The HTTP/1.1 transport (Boost.Beast behind a pimpl; nothing here includes Beast).
//
//     HttpServer server(platform, api);
//     auto port = server.start();        // binds, starts the I/O threads
//     server.stop();                     // graceful: in-flight requests finish
//     server.wait();                     // returns when every connection is gone
//
// Reading a request is bounded by the header and body timeouts, the body by max_body_bytes
// (413 beyond it). Handlers run on the Platform's worker pool, never on an I/O thread.

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"

#include <cstdint>
#include <memory>

namespace shiksha {
class Platform;
}

namespace shiksha::server {

class Api;

class HttpServer {
public:
    HttpServer(Platform& platform, Api& api);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds host:port from the platform's config and starts serving. Returns the bound port.
    [[nodiscard]] Result<std::uint16_t> start();
    /// Stops on SIGINT/SIGTERM (graceful). Call before start().
    void stop_on_signals();
    /// Graceful shutdown: stop accepting, close idle keep-alive connections, let requests in
    /// flight finish (closing their connections afterwards), force-close after shutdown_grace.
    /// Thread-safe and idempotent.
    void stop();
    /// Blocks until the server has stopped and its threads have ended.
    void wait();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha::server
