#include "http/server.hpp"

#include "http/api.hpp"
#include "http/errors.hpp"
#include "shiksha/platform.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <list>
#include <mutex>
#include <thread>

namespace shiksha::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t header_limit = 16 * 1024;

/// Runs `work` on the worker pool and resumes the awaiting coroutine on its own executor.
template <class Token>
auto async_on_workers(WorkerPool& pool, std::function<Response()> work, Token&& token) {
    return net::async_initiate<Token, void(Response)>(
        [&pool](auto handler, std::function<Response()> fn) {
            // A tracked executor counts as outstanding work, so io_context::run() cannot
            // return while a request is being handled on the pool.
            auto resume_on =
                net::prefer(net::get_associated_executor(handler), net::execution::outstanding_work.tracked);
            // The pool takes copyable tasks; the handler is move-only, so it travels in a shared_ptr.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            auto resume = [shared, resume_on](Response r) {
                net::post(resume_on, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
            };
            if (!pool.post([fn = std::move(fn), resume]() { resume(fn()); })) {
                Response r = http_error(503, "The server is shutting down", "unavailable");
                add_security_headers(r, nullptr, false);
                resume(std::move(r));
            }
        },
        token, std::move(work));
}

http::response<http::string_body> to_beast(const Response& r, unsigned version, bool keep_alive, bool head) {
    http::response<http::string_body> out{static_cast<http::status>(r.status), version};
    out.set(http::field::server, "shiksha");
    for (const auto& [k, v] : r.headers) {
        if (k == "Content-Length") continue;
        out.set(k, v);
    }
    out.body() = r.body;
    out.keep_alive(keep_alive);
    if (head) {
        out.content_length(r.header("Content-Length") ? std::stoull(std::string(*r.header("Content-Length")))
                                                      : 0);
    } else {
        out.prepare_payload();
    }
    return out;
}

} // namespace

struct HttpServer::Impl {
    Platform& platform;
    Api& api;
    ServerConfig config;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    net::signal_set signals{ioc};
    net::strand<net::io_context::executor_type> control{ioc.get_executor()}; // shutdown state
    net::steady_timer grace_timer{control};
    net::steady_timer sweep_timer{control};  // expired exports
    net::steady_timer accept_timer{control}; // back-off after accept errors, waiting for a free slot
    bool waiting_for_slot = false;           // on the control strand: the accept loop sleeps at the cap
    // A descriptor held back for the moment they run out: closing it lets the loop accept the
    // waiting connection and close it at once, so the client is refused instead of left hanging.
    int reserve_fd = -1;
    std::chrono::steady_clock::time_point last_accept_log{};
    std::int64_t accept_errors_unlogged = 0;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};

    // What stop() needs to know about a connection. Guarded by `mu`; the stream itself is
    // only touched on the connection's strand.
    struct Connection {
        beast::tcp_stream* stream = nullptr; // null once the session has ended
        net::any_io_executor executor;       // the connection's strand
        bool idle = true;                    // waiting for the next request to begin
    };
    std::mutex mu;
    std::list<std::shared_ptr<Connection>> connections;

    Impl(Platform& p, Api& a) : platform(p), api(a), config(p.config().server) {
        reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    ~Impl() {
        if (reserve_fd >= 0) ::close(reserve_fd);
    }

    [[nodiscard]] Response too_large() const {
        return transport_error(
            413, fmt::format("Request body exceeds the limit of {} bytes", config.max_body_bytes),
            "payload_too_large");
    }

    /// An answer the transport gives before the API sees a request: it carries the same
    /// security headers as every other.
    [[nodiscard]] Response transport_error(int status, std::string_view detail, std::string_view code) const {
        Response r = http_error(status, detail, code);
        add_security_headers(r, nullptr, config.trust_forwarded_proto);
        return r;
    }

    net::awaitable<void> write(beast::tcp_stream& stream, const Response& response, unsigned version,
                               bool keep_alive, bool head, beast::error_code& ec) {
        auto out = to_beast(response, version, keep_alive, head);
        if (head) {
            http::response_serializer<http::string_body> sr{out};
            co_await http::async_write_header(stream, sr, net::redirect_error(net::use_awaitable, ec));
        } else {
            co_await http::async_write(stream, out, net::redirect_error(net::use_awaitable, ec));
        }
    }

    net::awaitable<void> session(tcp::socket socket) {
        auto conn = std::make_shared<Connection>();
        beast::tcp_stream stream(std::move(socket));
        conn->stream = &stream;
        conn->executor = stream.get_executor();
        std::list<std::shared_ptr<Connection>>::iterator self;
        {
            const std::lock_guard lock(mu);
            self = connections.insert(connections.end(), conn);
        }
        std::string remote;
        {
            beast::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            remote = ec ? "unknown" : ep.address().to_string();
        }
        beast::flat_buffer buffer;
        bool first = true;
        for (;;) {
            beast::error_code ec;
            http::request_parser<http::string_body> parser;
            parser.header_limit(header_limit);
            parser.body_limit(config.max_body_bytes);
            {
                const std::lock_guard lock(mu);
                conn->idle = buffer.size() == 0;
                if (stopping && conn->idle) break;
            }
            stream.expires_after(first ? config.header_timeout : config.idle_timeout);
            first = false;
            // The idle keep-alive wait and the header share one deadline: once bytes arrive
            // the client gets header_timeout to finish the head.
            co_await http::async_read_header(stream, buffer, parser,
                                             net::redirect_error(net::use_awaitable, ec));
            {
                const std::lock_guard lock(mu);
                conn->idle = false;
            }
            if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
                ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof) {
                break;
            }
            if (ec) {
                // Beast checks a declared Content-Length against body_limit while reading the head.
                Response bad =
                    ec == http::error::body_limit ? too_large()
                    : ec == http::error::header_limit
                        ? transport_error(431, "Request header fields too large", "header_too_large")
                        : transport_error(400, fmt::format("Malformed HTTP request: {}", ec.message()),
                                          "bad_request");
                beast::error_code wec;
                co_await write(stream, bad, 11, false, false, wec);
                break;
            }
            auto& head = parser.get();
            if (beast::iequals(head[http::field::expect], "100-continue")) {
                http::response<http::empty_body> cont{http::status::continue_, head.version()};
                co_await http::async_write(stream, cont, net::redirect_error(net::use_awaitable, ec));
                if (ec) break;
            }
            if (!parser.is_done()) {
                stream.expires_after(config.body_timeout);
                co_await http::async_read(stream, buffer, parser,
                                          net::redirect_error(net::use_awaitable, ec));
                if (ec == http::error::body_limit) { // chunked bodies are only caught here
                    beast::error_code wec;
                    co_await write(stream, too_large(), head.version(), false, false, wec);
                    break;
                }
                if (ec) break; // timeout or disconnect mid-body: nothing to answer to
            }
            stream.expires_never();

            auto message = parser.release();
            Request request;
            request.method = parse_method(std::string_view(message.method_string()));
            request.target = std::string(message.target());
            request.remote = remote;
            for (const auto& field : message) {
                request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            }
            request.body = std::move(message.body());
            const unsigned version = message.version();
            const bool wants_keep_alive = message.keep_alive();
            Response response;
            if (!parse_target(request.target, request.path, request.query)) {
                response = http_error(400, "Malformed request target (bad percent-encoding)", "bad_request");
                add_security_headers(response, &request, config.trust_forwarded_proto);
            } else {
                response = co_await async_on_workers(
                    platform.workers(), [this, &request] { return api.handle(request); }, net::use_awaitable);
            }
            const bool keep_alive = wants_keep_alive && !stopping;
            co_await write(stream, response, version, keep_alive, request.method == Method::head, ec);
            if (ec || !keep_alive) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.close();
        bool last = false;
        {
            const std::lock_guard lock(mu);
            conn->stream = nullptr;
            connections.erase(self);
            last = connections.empty();
        }
        if (last && stopping) net::post(control, [this] { grace_timer.cancel(); });
        // A slot is free: wake the accept loop if the cap put it to sleep.
        net::post(control, [this] {
            if (waiting_for_slot) accept_timer.cancel();
        });
    }

    [[nodiscard]] std::size_t open_connections() {
        const std::lock_guard lock(mu);
        return connections.size();
    }

    /// At most one line per interval, however fast accept fails: under descriptor exhaustion
    /// the loop would otherwise write megabytes of log a second.
    void log_accept_error(const beast::error_code& ec) {
        constexpr auto interval = std::chrono::seconds(10);
        const auto now = std::chrono::steady_clock::now();
        if (now - last_accept_log < interval) {
            ++accept_errors_unlogged;
            return;
        }
        platform.logger().warn("accept failed; backing off",
                               {{"error", ec.message()},
                                {"similar_errors_not_logged", accept_errors_unlogged},
                                {"open_connections", static_cast<std::int64_t>(open_connections())}});
        last_accept_log = now;
        accept_errors_unlogged = 0;
    }

    /// Out of descriptors: give back the reserve, take the connection that is waiting and
    /// close it (the client sees a refusal, not a hang), then take the reserve again.
    void shed_one_connection() {
        if (reserve_fd < 0) return;
        ::close(reserve_fd);
        reserve_fd = -1;
        beast::error_code ec;
        acceptor.non_blocking(true, ec); // never wait here: the client may be gone already
        tcp::socket doomed(ioc);
        acceptor.accept(doomed, ec);
        if (!ec) doomed.close(ec);
        reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }

    net::awaitable<void> accept_loop() {
        using namespace std::chrono_literals;
        auto backoff = 10ms;
        for (;;) {
            beast::error_code ec;
            if (config.max_connections > 0 && open_connections() >= config.max_connections) {
                // At the cap: new connections wait in the listen backlog until one ends (the
                // session's end cancels this timer; the timeout re-checks in any case).
                waiting_for_slot = true;
                accept_timer.expires_after(1s);
                co_await accept_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
                waiting_for_slot = false;
                if (!acceptor.is_open() || stopping) co_return;
                continue;
            }
            tcp::socket socket = co_await acceptor.async_accept(net::make_strand(ioc),
                                                                net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                if (!acceptor.is_open() || stopping) co_return;
                if (ec == net::error::connection_aborted) continue; // the client gave up: nothing to fix
                log_accept_error(ec);
                if (ec == net::error::no_descriptors ||
                    ec == boost::system::errc::too_many_files_open_in_system)
                    shed_one_connection();
                // Retrying at once would spin: the condition (no descriptors, no memory) lasts
                // until connections close. Back off up to a second, reset by the next success.
                accept_timer.expires_after(backoff);
                co_await accept_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
                backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1s);
                if (!acceptor.is_open() || stopping) co_return;
                continue;
            }
            backoff = 10ms;
            auto executor = socket.get_executor();
            net::co_spawn(executor, session(std::move(socket)), net::detached);
        }
    }

    /// Every sweep_interval (a tenth of the export TTL, between 1 s and 10 min) a worker
    /// deletes expired exports; the sweep itself never runs on an I/O thread.
    void schedule_sweep() {
        const auto ttl = platform.config().exports.ttl;
        const auto interval =
            std::clamp<std::chrono::seconds>(ttl / 10, std::chrono::seconds(1), std::chrono::minutes(10));
        sweep_timer.expires_after(interval);
        sweep_timer.async_wait([this](const beast::error_code& ec) {
            if (ec || stopping) return;
            // Captures the platform, not the server: the task may run after the server is gone.
            (void)platform.workers().post([&p = platform] {
                if (auto swept = p.exports().sweep_expired(); !swept)
                    p.logger().warn("cannot sweep expired exports", {{"error", swept.error().message}});
            });
            schedule_sweep();
        });
    }

    void begin_stop() {
        if (stopping.exchange(true)) return;
        platform.logger().info("shutting down: finishing requests in flight");
        net::post(control, [this] {
            beast::error_code ec;
            acceptor.close(ec);
            signals.cancel(ec);
            sweep_timer.cancel();
            accept_timer.cancel();
            std::vector<std::shared_ptr<Connection>> idle;
            bool none_left = false;
            {
                const std::lock_guard lock(mu);
                for (auto& c : connections) {
                    if (c->idle) idle.push_back(c);
                }
                none_left = connections.empty();
            }
            for (auto& c : idle) {
                net::post(c->executor, [this, c] {
                    const std::lock_guard lock(mu);
                    if (c->idle && c->stream) c->stream->cancel();
                });
            }
            if (none_left) return;
            // The last session to end cancels this timer; if it fires instead, the stragglers
            // are cut off.
            grace_timer.expires_after(config.shutdown_grace);
            grace_timer.async_wait([this](const beast::error_code& wec) {
                if (wec) return;
                platform.logger().warn("shutdown grace period over; closing remaining connections");
                ioc.stop();
            });
        });
    }
};

HttpServer::HttpServer(Platform& platform, Api& api) : impl_(std::make_unique<Impl>(platform, api)) {}

HttpServer::~HttpServer() {
    stop();
    wait();
}

Result<std::uint16_t> HttpServer::start() {
    auto& d = *impl_;
    beast::error_code ec;
    tcp::resolver resolver(d.ioc);
    auto results = resolver.resolve(d.config.host, std::to_string(d.config.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        return fail(ErrorCode::invalid_argument,
                    fmt::format("cannot resolve host '{}': {}", d.config.host, ec.message()));
    }
    const tcp::endpoint endpoint = *results.begin();
    d.acceptor.open(endpoint.protocol(), ec);
    if (!ec) d.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) d.acceptor.bind(endpoint, ec);
    if (!ec) d.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot listen on {}:{}: {}", d.config.host, d.config.port, ec.message()));
    }
    const auto port = d.acceptor.local_endpoint().port();
    // The acceptor and the signal set are touched only on the control strand, where stop()
    // closes them: Asio objects are not safe to use from two threads at once.
    net::co_spawn(d.control, d.accept_loop(), net::detached);
    net::post(d.control, [&d] { d.schedule_sweep(); });
    unsigned n = d.config.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : d.config.threads;
    for (unsigned i = 0; i < n; ++i) {
        d.threads.emplace_back([&d] { d.ioc.run(); });
    }
    d.platform.logger().info("listening", {{"host", d.config.host},
                                           {"port", static_cast<std::int64_t>(port)},
                                           {"io_threads", static_cast<std::int64_t>(n)}});
    return port;
}

void HttpServer::stop_on_signals() {
    auto& d = *impl_;
    d.signals.add(SIGINT);
    d.signals.add(SIGTERM);
    d.signals.async_wait(net::bind_executor(d.control, [&d](const beast::error_code& ec, int signo) {
        if (ec) return;
        d.platform.logger().info("signal received", {{"signal", signo}});
        d.begin_stop();
    }));
}

void HttpServer::stop() {
    impl_->begin_stop();
}

void HttpServer::wait() {
    for (auto& t : impl_->threads) {
        if (t.joinable()) t.join();
    }
    impl_->threads.clear();
}

} // namespace shiksha::server
