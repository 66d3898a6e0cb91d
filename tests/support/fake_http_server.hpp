#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1 for tests of code that calls external services.
//
//     shiksha::test::FakeHttpServer server([](const FakeRequest& req) {
//         if (req.header("authorization") != "Bearer k") return FakeResponse::json(401,
//         R"({"error":{"message":"bad key"}})"); return FakeResponse::json(200, R"({"data":[]})");
//     });
//     client.send({"POST", server.url("/v1/embeddings"), ...});
//     CHECK(server.requests().size() == 1);
//
// Each accepted connection is served on its own thread (so a handler may block, e.g. on a
// std::latch, without stopping other connections); keep-alive is honoured until either side
// says `Connection: close`. With `FakeServerOptions::tls` the server speaks HTTPS with the
// given certificate. A handler answering CONNECT with `tunnel_to` makes the server an HTTPS
// proxy that relays bytes to 127.0.0.1:tunnel_to.
//
// Lifetime: the destructor stops accepting, closes every connection and joins the threads;
// it waits for handlers that are still running, so release anything a handler blocks on
// before the server is destroyed. Thread-safe: requests() may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha::test {

struct FakeRequest {
    std::string method;                         ///< "GET", "POST", "CONNECT"...
    std::string target;                         ///< as sent: "/v1/x?a=1" or "host:443" for CONNECT
    std::string path;                           ///< target without the query, not decoded
    std::map<std::string, std::string> query;   ///< percent- and '+'-decoded; the last value wins
    std::map<std::string, std::string> headers; ///< lower-case names; repeats joined with ", "
    std::string body;
    std::size_t connection = 0; ///< 1-based number of the connection that carried it

    /// The header's value, or "" when absent. `lower_name` must be lower-case.
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

struct FakeResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;          ///< send `Connection: close` and close after this answer
    std::uint16_t tunnel_to = 0; ///< for CONNECT: answer 200, then relay to 127.0.0.1:tunnel_to
    std::string raw;             ///< when set, these bytes are sent instead, then the connection closes

    [[nodiscard]] static FakeResponse json(int status, std::string body);
    [[nodiscard]] static FakeResponse text(int status, std::string body);
};

using FakeHandler = std::function<FakeResponse(const FakeRequest&)>;

/// A certificate and its private key, PEM. Made at test time; never written to the repository.
struct TlsIdentity {
    std::string cert_pem;
    std::string key_pem;
};

/// A throwaway self-signed certificate (EC P-256, valid for a day) whose subjectAltName lists
/// `dns_names` and `ip_addresses`. The first DNS name (else the first address) is the CN.
[[nodiscard]] TlsIdentity make_self_signed_cert(const std::vector<std::string>& dns_names = {"localhost"},
                                                const std::vector<std::string>& ip_addresses = {});

struct FakeServerOptions {
    std::optional<TlsIdentity> tls; ///< serve HTTPS with this identity
};

class FakeHttpServer {
public:
    explicit FakeHttpServer(FakeHandler handler, FakeServerOptions options = {});
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;
    /// "http://127.0.0.1:PORT/path" ("https://" with TLS); `host` replaces 127.0.0.1.
    [[nodiscard]] std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;

    /// Every request received so far, in arrival order.
    [[nodiscard]] std::vector<FakeRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;
    /// Connections accepted so far (a keep-alive client reuses one).
    [[nodiscard]] std::size_t connection_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Writes `text` to `path` (e.g. a certificate for NetConfig::ca_file); throws on failure.
void write_text_file(const std::string& path, std::string_view text);

} // namespace shiksha::test
