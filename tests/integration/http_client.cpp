#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <optional>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace shiksha::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

Json HttpResult::json() const {
    auto parsed = Json::parse(body);
    if (!parsed) throw std::runtime_error("response is not JSON: " + body);
    return *parsed;
}

std::string HttpResult::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
    net::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::uint16_t port;

    void connect() {
        stream.emplace(ioc);
        stream->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
    impl_->connect();
}

HttpClient::~HttpClient() {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
}

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const Headers& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port)); // as curl and browsers send it
    if (req.method() == http::verb::unknown) req.method_string(method);
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    // A server may close an idle keep-alive connection; reconnect once in that case.
    for (int attempt = 0; attempt < 2; ++attempt) {
        beast::error_code ec;
        http::write(*impl_->stream, req, ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        if (req.method() == http::verb::head) parser.skip(true);
        if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
        if (ec && attempt == 0 &&
            (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
             ec == net::error::broken_pipe || ec == net::error::eof)) {
            impl_->buffer.clear();
            impl_->connect();
            continue;
        }
        if (ec) throw std::runtime_error("HTTP request failed: " + ec.message());
        auto res = parser.release();
        HttpResult out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(f.value());
        }
        out.body = std::move(res.body());
        return out;
    }
    throw std::runtime_error("unreachable");
}

HttpResult HttpClient::get(const std::string& target, const std::string& token) {
    Headers h;
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return request("GET", target, {}, h);
}

HttpResult HttpClient::post_json(const std::string& target, const Json& body, const std::string& token) {
    return send_json("POST", target, body, token);
}

HttpResult HttpClient::send_json(const std::string& method, const std::string& target, const Json& body,
                                 const std::string& token) {
    Headers h{{"Content-Type", "application/json"}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return request(method, target, body.dump(), h);
}

RawConnection::RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect failed");
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        sent += static_cast<std::size_t>(n);
    }
}

std::string RawConnection::read_until_close() {
    std::string out;
    char buf[4096];
    for (;;) {
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

std::string RawConnection::read_until(const std::string& marker) {
    std::string out;
    char c = 0;
    while (out.find(marker) == std::string::npos) {
        if (::recv(fd_, &c, 1, 0) != 1) break;
        out.push_back(c);
    }
    return out;
}

bool can_connect(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

} // namespace shiksha::test
