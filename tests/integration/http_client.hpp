#pragma once
// A blocking HTTP/1.1 client for the integration tests (Beast underneath, hidden here).

#include "shiksha/json.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace shiksha::test {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers; ///< lower-case names
    std::string body;

    [[nodiscard]] Json json() const;
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One connection, reused for every request made through it (keep-alive).
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                       const Headers& headers = {});
    HttpResult get(const std::string& target, const std::string& token = {});
    HttpResult post_json(const std::string& target, const Json& body, const std::string& token = {});
    HttpResult send_json(const std::string& method, const std::string& target, const Json& body,
                         const std::string& token = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A raw TCP connection for tests that must control exactly which bytes go out and when.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes);
    /// Reads until the peer closes the connection (or an error); returns what arrived.
    std::string read_until_close();
    /// Reads until `marker` has arrived (or the peer closes); returns everything read so far.
    std::string read_until(const std::string& marker);

private:
    int fd_ = -1;
};

/// True when a TCP connection to 127.0.0.1:port is accepted.
[[nodiscard]] bool can_connect(std::uint16_t port);

} // namespace shiksha::test
