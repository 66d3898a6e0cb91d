#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

namespace shiksha::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
                   hex_digit(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

FakeRequest to_fake(const http::request<http::string_body>& req, std::size_t connection) {
    FakeRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    const auto question = out.target.find('?');
    out.path = out.target.substr(0, question);
    if (question != std::string::npos) {
        std::string_view query = std::string_view(out.target).substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.empty()) continue;
            const auto eq = pair.find('=');
            out.query[form_decode(pair.substr(0, eq))] =
                eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
        }
    }
    for (const auto& field : req) {
        auto& value = out.headers[lower(field.name_string())];
        if (!value.empty()) value += ", ";
        value += std::string(field.value());
    }
    out.body = req.body();
    out.connection = connection;
    return out;
}

bool send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using OsslPtr = std::unique_ptr<T, Deleter<T, Free>>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("make_self_signed_cert: ") + what + " failed");
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

} // namespace

std::string FakeRequest::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

FakeResponse FakeResponse::json(int status, std::string body) {
    return FakeResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

FakeResponse FakeResponse::text(int status, std::string body) {
    return FakeResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
}

TlsIdentity make_self_signed_cert(const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses) {
    OsslPtr<EVP_PKEY, EVP_PKEY_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    check(key != nullptr, "key generation");
    OsslPtr<X509, X509_free> cert(X509_new());
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
    std::random_device random;
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(random() & 0x7fffffffU)) == 1,
          "serial number");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");

    const std::string common_name =
        !dns_names.empty() ? dns_names.front() : (!ip_addresses.empty() ? ip_addresses.front() : "fake");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                                     0) == 1,
          "subject name");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer name");

    std::string alt_names;
    for (const auto& dns : dns_names)
        alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : ip_addresses)
        alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    const std::vector<std::pair<int, std::string>> extensions{
        {NID_basic_constraints, "critical,CA:TRUE"}, // it is its own trust anchor
        {NID_subject_key_identifier, "hash"},
        {NID_subject_alt_name, alt_names},
    };
    for (const auto& [nid, value] : extensions) {
        if (value.empty()) continue;
        OsslPtr<X509_EXTENSION, X509_EXTENSION_free> ext(
            X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
        check(ext != nullptr, "extension");
        check(X509_add_ext(cert.get(), ext.get(), -1) == 1, "X509_add_ext");
    }
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

    OsslPtr<BIO, BIO_free_all> cert_bio(BIO_new(BIO_s_mem()));
    OsslPtr<BIO, BIO_free_all> key_bio(BIO_new(BIO_s_mem()));
    check(cert_bio && key_bio, "BIO_new");
    check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
    check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    return TlsIdentity{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

void write_text_file(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

struct FakeHttpServer::Impl {
    FakeHandler handler;
    asio::io_context ioc; // never run: only synchronous operations
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::atomic<bool> stopping{false};
    std::thread accept_thread;

    mutable std::mutex mu;
    std::vector<FakeRequest> requests;
    std::size_t connections = 0;
    std::vector<std::thread> workers;
    std::set<int> open_fds; // shut down by the destructor to wake blocked reads

    void register_fd(int fd) {
        const std::lock_guard lock(mu);
        open_fds.insert(fd);
        if (stopping) ::shutdown(fd, SHUT_RDWR);
    }

    /// Closing under the lock keeps the destructor from shutting down a recycled descriptor.
    void close_fd(tcp::socket& socket) {
        const std::lock_guard lock(mu);
        beast::error_code ec;
        open_fds.erase(socket.native_handle());
        socket.shutdown(tcp::socket::shutdown_send, ec);
        socket.close(ec);
    }

    void accept_loop() {
        for (;;) {
            tcp::socket socket(ioc);
            beast::error_code ec;
            acceptor.accept(socket, ec);
            if (stopping) return;
            if (ec) continue;
            const std::lock_guard lock(mu);
            const std::size_t id = ++connections;
            open_fds.insert(socket.native_handle());
            workers.emplace_back([this, s = std::move(socket), id]() mutable { serve(std::move(s), id); });
        }
    }

    void serve(tcp::socket socket, std::size_t id) {
        if (!tls) {
            serve_http(socket, socket, id);
            close_fd(socket);
            return;
        }
        ssl::stream<tcp::socket> stream(std::move(socket), *tls);
        beast::error_code ec;
        stream.handshake(ssl::stream_base::server, ec);
        if (!ec) serve_http(stream, stream.next_layer(), id);
        close_fd(stream.next_layer());
    }

    template <class Stream>
    void serve_http(Stream& stream, tcp::socket& socket, std::size_t id) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(std::size_t{256} << 20);
            beast::error_code ec;
            http::read(stream, buffer, parser, ec);
            if (ec) return;
            const auto request = parser.release();
            FakeRequest fake = to_fake(request, id);
            {
                const std::lock_guard lock(mu);
                requests.push_back(fake);
            }
            FakeResponse answer;
            try {
                answer = handler(fake);
            } catch (const std::exception& e) {
                answer = FakeResponse::text(500, std::string("fake handler threw: ") + e.what());
            }
            if (!answer.raw.empty()) {
                asio::write(stream, asio::buffer(answer.raw), ec);
                return;
            }
            if (request.method() == http::verb::connect && answer.tunnel_to != 0 &&
                answer.status / 100 == 2 && !tls) {
                constexpr std::string_view established = "HTTP/1.1 200 Connection established\r\n\r\n";
                asio::write(stream, asio::buffer(established), ec);
                if (ec) return;
                const auto pending = beast::buffers_to_string(buffer.data());
                relay(socket.native_handle(), pending, answer.tunnel_to);
                return;
            }
            http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                       request.version()};
            for (const auto& [name, value] : answer.headers)
                response.insert(name, value);
            response.body() = std::move(answer.body);
            const bool keep_alive = request.keep_alive() && !answer.close;
            response.keep_alive(keep_alive);
            response.prepare_payload();
            http::write(stream, response, ec);
            if (ec || !keep_alive) return;
        }
    }

    /// Copies bytes both ways between the client and 127.0.0.1:port until both sides close.
    void relay(int client, const std::string& pending, std::uint16_t target_port) {
        const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
        if (upstream < 0) return;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(target_port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        register_fd(upstream);
        if (::connect(upstream, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
            send_all(upstream, pending.data(), pending.size())) {
            std::array<pollfd, 2> fds{{{client, POLLIN, 0}, {upstream, POLLIN, 0}}};
            const std::array<int, 2> peers{upstream, client};
            std::array<char, 16384> chunk{};
            bool failed = false;
            while (!failed && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
                if (::poll(fds.data(), fds.size(), -1) < 0) break;
                for (std::size_t i = 0; i < 2 && !failed; ++i) {
                    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
                    const auto n = ::recv(fds[i].fd, chunk.data(), chunk.size(), 0);
                    if (n <= 0) {
                        ::shutdown(peers[i], SHUT_WR);
                        fds[i].fd = -1; // poll ignores negative descriptors
                    } else if (!send_all(peers[i], chunk.data(), static_cast<std::size_t>(n))) {
                        failed = true;
                    }
                }
            }
        }
        const std::lock_guard lock(mu);
        open_fds.erase(upstream);
        ::close(upstream);
    }
};

FakeHttpServer::FakeHttpServer(FakeHandler handler, FakeServerOptions options)
    : impl_(std::make_unique<Impl>()) {
    impl_->handler = std::move(handler);
    if (options.tls) {
        impl_->tls.emplace(ssl::context::tls_server);
        impl_->tls->use_certificate_chain(asio::buffer(options.tls->cert_pem));
        impl_->tls->use_private_key(asio::buffer(options.tls->key_pem), ssl::context::pem);
    }
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept_thread = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

FakeHttpServer::~FakeHttpServer() {
    impl_->stopping = true;
    {
        // A connection of our own wakes the blocking accept(); it then sees `stopping`.
        tcp::socket wake(impl_->ioc);
        beast::error_code ec;
        wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
        // Should that fail (no ports left), shutting the listening socket down wakes accept() on Linux.
        if (ec) ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
        impl_->accept_thread.join();
    }
    beast::error_code ec;
    impl_->acceptor.close(ec);
    std::vector<std::thread> workers;
    {
        const std::lock_guard lock(impl_->mu);
        for (const int fd : impl_->open_fds)
            ::shutdown(fd, SHUT_RDWR);
        workers.swap(impl_->workers);
    }
    for (auto& worker : workers)
        worker.join();
}

std::uint16_t FakeHttpServer::port() const noexcept {
    return impl_->port;
}

std::string FakeHttpServer::url(std::string_view path, std::string_view host) const {
    return std::string(impl_->tls ? "https://" : "http://") + std::string(host) + ":" +
           std::to_string(impl_->port) + std::string(path);
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeHttpServer::request_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

std::size_t FakeHttpServer::connection_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->connections;
}

} // namespace shiksha::test
