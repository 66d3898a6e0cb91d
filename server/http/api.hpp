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
