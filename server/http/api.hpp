#pragma once
// The HTTP API as a function from Request to Response: CORS, request ids, rate limiting,
// routing, authentication and role checks, body parsing, error mapping, access log and
// metrics. Transport-free: the Beast server feeds it, tests can call it directly.
// Thread-safe: handle() may run on many worker threads at once.

#include "http/message.hpp"
#include "http/router.hpp"

#include <memory>

namespace shiksha {
class Platform;
}

namespace shiksha::server {

/// The headers every answer carries, whoever produced it (a route, the router, the transport):
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
/// with `Content-Security-Policy: frame-ancestors 'none'`, `Cache-Control: no-store` on JSON
/// (tokens and personal data must not sit in a cache) unless the route chose its own, and
/// `Strict-Transport-Security` when `trust_forwarded_proto` is set and the proxy marked the
/// request `X-Forwarded-Proto: https`. `request` is null when no request was parsed.
void add_security_headers(Response& response, const Request* request, bool trust_forwarded_proto);

class Api {
public:
    explicit Api(Platform& platform);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    /// Never throws; a handler that throws becomes a logged 500.
    [[nodiscard]] Response handle(Request& request) noexcept;

    [[nodiscard]] const Router& router() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha::server
