// Outbound HTTP client (internal): URL and header parsing helpers, retries with backoff,
// timeouts, TLS verification and the CONNECT proxy, against the fake server on 127.0.0.1.
#include "net/http_client.hpp"

#include "fake_http_server.hpp"
#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace shiksha;
using namespace shiksha::detail;
using namespace shiksha::test;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

/// Quick settings for loopback tests; waits between attempts are recorded, not slept.
NetConfig loopback_net() {
    NetConfig net;
    net.connect_timeout = 5s;
    net.read_timeout = 10s;
    net.max_attempts = 3;
    net.backoff_base = 100ms;
    net.backoff_max = 20s;
    return net;
}

struct WaitLog {
    std::mutex mu;
    std::vector<milliseconds> waits;

    void attach(HttpClient& client) {
        client.set_sleeper([this](milliseconds wait) {
            const std::lock_guard lock(mu);
            waits.push_back(wait);
        });
    }
    std::vector<milliseconds> get() {
        const std::lock_guard lock(mu);
        return waits;
    }
};

/// Answers with `statuses` in turn (the last one repeats), with `headers` on every non-2xx one.
FakeHandler statuses_then(std::vector<int> statuses, std::vector<std::pair<std::string, std::string>> headers,
                          std::string error_body) {
    auto next = std::make_shared<std::size_t>(0);
    auto mu = std::make_shared<std::mutex>();
    return [=](const FakeRequest&) {
        const std::lock_guard lock(*mu);
        const int status = statuses[std::min(*next, statuses.size() - 1)];
        ++*next;
        if (status / 100 == 2) return FakeResponse::json(status, R"({"ok":true})");
        FakeResponse r = FakeResponse::json(status, error_body);
        for (const auto& h : headers)
            r.headers.push_back(h);
        return r;
    };
}

/// Releases a latch when it goes out of scope: declared after the server it unblocks, so the
/// server's destructor (which waits for handlers) runs after the release.
struct ReleaseOnExit {
    std::latch& latch;
    ~ReleaseOnExit() { latch.count_down(); }
};

/// A loopback port that is bound but not listening: connecting is refused, and nobody else can
/// take the port while this object lives.
struct RefusingPort {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    std::uint16_t port = 0;

    RefusingPort() {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        socklen_t size = sizeof address;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port = ntohs(address.sin_port);
    }
    ~RefusingPort() { ::close(fd); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
};

} // namespace

TEST_SUITE("http client: requests and retries") {

    TEST_CASE("GET and POST carry method, target, headers and body, and return the answer") {
        FakeHttpServer server([](const FakeRequest& req) {
            FakeResponse r =
                FakeResponse::json(req.method == "POST" ? 201 : 200, "{\"echo\":\"" + req.body + "\"}");
            r.headers.emplace_back("X-Request-Path", req.path);
            return r;
        });
        HttpClient client(loopback_net());

        auto got = client.send({"GET", server.url("/v1/models?limit=5&q=a%20b"), {{"X-Trace", "t-1"}}, ""});
        REQUIRE(got);
        CHECK(got->status == 200);
        CHECK(got->attempts == 1);
        CHECK(got->header("x-request-path") == "/v1/models");
        CHECK(got->header("X-REQUEST-PATH") == "/v1/models");
        CHECK_FALSE(got->header("x-missing").has_value());

        auto posted =
            client.send({"POST",
                         server.url("/v1/chat"),
                         {{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-test"}},
                         "hello"});
        REQUIRE(posted);
        CHECK(posted->status == 201);
        CHECK(posted->body == R"({"echo":"hello"})");
        CHECK(posted->header("content-type") == "application/json");

        const auto requests = server.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].method == "GET");
        CHECK(requests[0].target == "/v1/models?limit=5&q=a%20b");
        CHECK(requests[0].query.at("limit") == "5");
        CHECK(requests[0].query.at("q") == "a b");
        CHECK(requests[0].header("x-trace") == "t-1");
        CHECK(requests[0].header("host") == "127.0.0.1:" + std::to_string(server.port()));
        CHECK(requests[0].header("user-agent").starts_with("shiksha/"));
        CHECK(requests[0].body.empty());
        CHECK(requests[1].method == "POST");
        CHECK(requests[1].path == "/v1/chat");
        CHECK(requests[1].body == "hello");
        CHECK(requests[1].header("content-length") == "5");
        CHECK(requests[1].header("content-type") == "application/json");
        CHECK(requests[1].header("authorization") == "Bearer sk-test");
    }

    TEST_CASE("429 with Retry-After: 2 is retried after exactly 2000 ms") {
        FakeHttpServer server(
            statuses_then({429, 200}, {{"Retry-After", "2"}}, R"({"error":{"message":"slow down"}})"));
        HttpClient client(loopback_net());
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", server.url("/x"), {}, ""});
        REQUIRE(got);
        CHECK(got->status == 200);
        CHECK(got->attempts == 2);
        CHECK(server.request_count() == 2);
        CHECK(log.get() == std::vector<milliseconds>{2000ms});
    }

    TEST_CASE("x-ratelimit-reset-tokens \"1.5s\" decides the wait") {
        FakeHttpServer server(statuses_then(
            {429, 200}, {{"x-ratelimit-reset-requests", "250ms"}, {"x-ratelimit-reset-tokens", "1.5s"}},
            R"({"error":{"message":"Rate limit reached for tokens"}})"));
        HttpClient client(loopback_net());
        WaitLog log;
        log.attach(client);

        auto got = client.send({"POST", server.url("/v1/chat/completions"), {}, "{}"});
        REQUIRE(got);
        CHECK(got->attempts == 2);
        CHECK(log.get() == std::vector<milliseconds>{1500ms});
    }

    TEST_CASE("a Retry-After longer than backoff_max waits backoff_max") {
        FakeHttpServer server(statuses_then({503, 200}, {{"Retry-After", "120"}}, "busy"));
        auto net = loopback_net();
        net.backoff_max = 5s;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", server.url("/"), {}, ""});
        REQUIRE(got);
        CHECK(log.get() == std::vector<milliseconds>{5000ms});
    }

    TEST_CASE(
        "503 on every attempt is unavailable after max_attempts, naming the host and the upstream message") {
        FakeHttpServer server(statuses_then(
            {503}, {},
            R"({"error":{"message":"The engine is currently overloaded","type":"server_error"}})"));
        auto net = loopback_net();
        net.backoff_base = 100ms;
        net.backoff_max = 150ms;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got =
            client.send({"POST", server.url("/v1/x"), {{"Authorization", "Bearer sk-very-secret"}}, "{}"});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("127.0.0.1") != std::string::npos);
        CHECK(got.error().message.find("503") != std::string::npos);
        CHECK(got.error().message.find("3 attempts") != std::string::npos);
        CHECK(got.error().message.find("The engine is currently overloaded") != std::string::npos);
        CHECK(got.error().message.find("sk-very-secret") == std::string::npos);
        CHECK(server.request_count() == 3);
        // Full jitter: each wait is within [0, min(backoff_max, base * 2^n)].
        const auto waits = log.get();
        REQUIRE(waits.size() == 2);
        CHECK(waits[0] >= 0ms);
        CHECK(waits[0] <= 100ms);
        CHECK(waits[1] >= 0ms);
        CHECK(waits[1] <= 150ms);
    }

    TEST_CASE("429 on every attempt is rate_limited") {
        FakeHttpServer server(statuses_then({429}, {}, R"({"error":{"message":"Rate limit reached"}})"));
        auto net = loopback_net();
        net.max_attempts = 2;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", server.url("/"), {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::rate_limited);
        CHECK(got.error().message.find("Rate limit reached") != std::string::npos);
        CHECK(server.request_count() == 2);
    }

    TEST_CASE("500, 502 and 504 are retried too") {
        for (const int status : {500, 502, 504}) {
            CAPTURE(status);
            FakeHttpServer server(statuses_then({status, 200}, {}, "oops"));
            HttpClient client(loopback_net());
            WaitLog log;
            log.attach(client);
            auto got = client.send({"GET", server.url("/"), {}, ""});
            REQUIRE(got);
            CHECK(got->attempts == 2);
        }
    }

    TEST_CASE("waits without a hint are random (full jitter), not a fixed schedule") {
        FakeHttpServer server(statuses_then({503}, {}, "busy"));
        auto net = loopback_net();
        net.max_attempts = 10;
        net.backoff_base = 1000ms;
        net.backoff_max = 1000ms;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", server.url("/"), {}, ""});
        REQUIRE_FALSE(got);
        const auto waits = log.get();
        REQUIRE(waits.size() == 9);
        CHECK(std::ranges::all_of(waits, [](milliseconds w) { return w >= 0ms && w <= 1000ms; }));
        // Nine equal draws from 0..1000 would be a one-in-10^27 event.
        CHECK(std::ranges::count(waits, waits.front()) < 9);
    }

    TEST_CASE("other 4xx answers are returned at once, not retried") {
        for (const int status : {400, 401, 403, 404, 422}) {
            CAPTURE(status);
            FakeHttpServer server(statuses_then({status}, {{"Retry-After", "1"}}, R"({"detail":"no"})"));
            HttpClient client(loopback_net());
            WaitLog log;
            log.attach(client);
            auto got = client.send({"POST", server.url("/"), {}, "{}"});
            REQUIRE(got);
            CHECK(got->status == status);
            CHECK(got->attempts == 1);
            CHECK(got->body == R"({"detail":"no"})");
            CHECK(server.request_count() == 1);
            CHECK(log.get().empty());
        }
    }

    TEST_CASE("a refused connection is unavailable after the retries") {
        const RefusingPort refusing;
        const auto port = refusing.port;
        auto net = loopback_net();
        net.max_attempts = 2;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
        CHECK(got.error().message.find("after 2 attempts") != std::string::npos);
        CHECK(log.get().size() == 1);
    }

    TEST_CASE("a server that does not answer within read_timeout is deadline_exceeded") {
        std::latch release(1);
        FakeHttpServer server([&](const FakeRequest&) {
            release.wait();
            return FakeResponse::text(200, "too late");
        });
        const ReleaseOnExit unblock{release};
        auto net = loopback_net();
        net.read_timeout = 200ms;
        net.max_attempts = 2;
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", server.url("/slow"), {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::deadline_exceeded);
        CHECK(got.error().message.find("127.0.0.1") != std::string::npos);
        CHECK(got.error().message.find("200 ms") != std::string::npos);
        CHECK(log.get().size() == 1); // a timeout is a network error: retried once
    }

    TEST_CASE("cancelling stops between attempts with deadline_exceeded") {
        FakeHttpServer server(statuses_then({503}, {}, "busy"));
        auto net = loopback_net();
        net.max_attempts = 5;
        HttpClient client(net);
        CancelToken cancel;
        client.set_sleeper([&](milliseconds) { cancel.cancel(); });

        auto got = client.send({"GET", server.url("/"), {}, ""}, &cancel);
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::deadline_exceeded);
        CHECK(got.error().message.find("cancelled") != std::string::npos);
        CHECK(server.request_count() == 1);

        auto again = client.send({"GET", server.url("/"), {}, ""}, &cancel);
        REQUIRE_FALSE(again);
        CHECK(again.error().code == ErrorCode::deadline_exceeded);
        CHECK(server.request_count() == 1); // an already cancelled token sends nothing
    }

    TEST_CASE("an answer larger than 64 MiB is refused") {
        FakeHttpServer server([](const FakeRequest&) {
            FakeResponse r;
            r.raw = "HTTP/1.1 200 OK\r\nContent-Length: 70000000\r\n\r\n";
            return r;
        });
        HttpClient client(loopback_net());
        auto got = client.send({"GET", server.url("/big"), {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("64 MiB") != std::string::npos);
        CHECK(server.request_count() == 1); // not retried: it would be just as large next time
    }

    TEST_CASE("bad URLs, methods and header values are invalid_argument and send nothing") {
        FakeHttpServer server([](const FakeRequest&) { return FakeResponse{}; });
        HttpClient client(loopback_net());

        auto bad_url = client.send({"GET", "ftp://127.0.0.1/", {}, ""});
        REQUIRE_FALSE(bad_url);
        CHECK(bad_url.error().code == ErrorCode::invalid_argument);

        auto injected = client.send({"GET", server.url("/"), {{"X-Key", "secret\r\nX-Evil: 1"}}, ""});
        REQUIRE_FALSE(injected);
        CHECK(injected.error().code == ErrorCode::invalid_argument);
        CHECK(injected.error().message.find("secret") == std::string::npos);

        auto bad_method = client.send({"GE T", server.url("/"), {}, ""});
        REQUIRE_FALSE(bad_method);
        CHECK(bad_method.error().code == ErrorCode::invalid_argument);
        CHECK(server.request_count() == 0);
    }

} // TEST_SUITE

TEST_SUITE("http client: parsing helpers") {

    TEST_CASE("parse_url accepts http(s) URLs and splits them") {
        struct Row {
            std::string_view url, scheme, host;
            std::uint16_t port;
            std::string_view target;
        };
        const Row rows[] = {
            {"https://api.openai.com/v1/embeddings", "https", "api.openai.com", 443, "/v1/embeddings"},
            {"http://localhost:8080", "http", "localhost", 8080, "/"},
            {"HTTPS://API.Example.COM?x=1", "https", "api.example.com", 443, "/?x=1"},
            {"http://127.0.0.1:11434/api/embed?a=1&b=2#frag", "http", "127.0.0.1", 11434,
             "/api/embed?a=1&b=2"},
            {"http://my_host.internal:65535/", "http", "my_host.internal", 65535, "/"},
            {"http://[::1]:8080/x", "http", "::1", 8080, "/x"},
            {"https://[2001:DB8::1]/v1", "https", "2001:db8::1", 443, "/v1"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.url);
            auto parsed = parse_url(row.url);
            REQUIRE(parsed);
            CHECK(parsed->scheme == row.scheme);
            CHECK(parsed->host == row.host);
            CHECK(parsed->port == row.port);
            CHECK(parsed->target == row.target);
        }
    }

    TEST_CASE("parse_url refuses what is not a plain http(s) URL") {
        for (const std::string_view url : {"",
                                           "ftp://example.com/",
                                           "api.openai.com/v1",
                                           "http://",
                                           "http:///x",
                                           "http://:80/",
                                           "http://host:0/",
                                           "http://host:65536/",
                                           "http://host:8a/",
                                           "http://host:/",
                                           "http://ho st/",
                                           "http://host/pa th",
                                           "http://host/\x01",
                                           "http://h\xC3\xB3st/",
                                           "http://[::1/",
                                           "http://::1/",
                                           "http://[example.com]/",
                                           "http://host..com/",
                                           "http://.host/",
                                           "http://user:pw@host/"}) {
            CAPTURE(url);
            auto parsed = parse_url(url);
            REQUIRE_FALSE(parsed);
            CHECK(parsed.error().code == ErrorCode::invalid_argument);
        }
        auto with_credentials = parse_url("https://user:hunter2@host/v1?key=AIza-secret");
        REQUIRE_FALSE(with_credentials);
        CHECK(with_credentials.error().message.find("hunter2") == std::string::npos);
        CHECK(with_credentials.error().message.find("AIza-secret") == std::string::npos);
    }

    TEST_CASE("parse_go_duration reads Go durations and rejects the rest") {
        struct Row {
            std::string_view text;
            std::optional<milliseconds> expected;
        };
        const Row rows[] = {
            {"2m59.56s", 179'560ms},
            {"7.66s", 7'660ms},
            {"250ms", 250ms},
            {"1h2m3s", 3'723'000ms},
            {"1h2m", 3'720'000ms},
            {"1.5s", 1'500ms},
            {"0s", 0ms},
            {"0", 0ms},
            {"3s250ms", 3'250ms},
            {"500us", 1ms}, // rounded up: never retry early
            {"1500000ns", 2ms},
            {"", std::nullopt},
            {"garbage", std::nullopt},
            {"12", std::nullopt},
            {"s", std::nullopt},
            {"1x", std::nullopt},
            {"-1s", std::nullopt},
            {"1s ", std::nullopt},
            {".s", std::nullopt},
            {"1m-1s", std::nullopt},
            {"9999999999999h", std::nullopt},
        };
        for (const auto& row : rows) {
            CAPTURE(row.text);
            CHECK(parse_go_duration(row.text) == row.expected);
        }
    }

    TEST_CASE("retry_after reads Retry-After seconds and dates, else the longest x-ratelimit-reset") {
        using namespace std::chrono;
        const auto now = sys_days(2026y / January / 15) + 10h;
        const auto with = [](std::vector<std::pair<std::string, std::string>> headers) {
            HttpResponse r;
            r.status = 429;
            r.headers = std::move(headers);
            return r;
        };
        CHECK(retry_after(with({{"Retry-After", "120"}}), now) == 120'000ms);
        CHECK(retry_after(with({{"retry-after", " 0 "}}), now) == 0ms);
        CHECK(retry_after(with({{"Retry-After", "1.5"}}), now) == 1'500ms);
        CHECK(retry_after(with({{"Retry-After", "Thu, 15 Jan 2026 10:00:30 GMT"}}), now) == 30'000ms);
        CHECK(retry_after(with({{"Retry-After", "Thursday, 15-Jan-26 10:00:30 GMT"}}), now) == 30'000ms);
        CHECK(retry_after(with({{"Retry-After", "Thu Jan 15 10:00:30 2026"}}), now) == 30'000ms);
        CHECK(retry_after(with({{"Retry-After", "Wed, 14 Jan 2026 10:00:00 GMT"}}), now) == 0ms);
        CHECK(retry_after(
                  with({{"X-RateLimit-Reset-Requests", "2m59.56s"}, {"x-ratelimit-reset-tokens", "7.66s"}}),
                  now) == 179'560ms);
        CHECK(retry_after(with({{"Retry-After", "soon"}, {"x-ratelimit-reset-tokens", "1s"}}), now) ==
              1'000ms);
        CHECK(retry_after(with({{"Retry-After", "Thu, 32 Jan 2026 10:00:30 GMT"}}), now) == std::nullopt);
        CHECK(retry_after(with({{"x-ratelimit-remaining-tokens", "0"}}), now) == std::nullopt);
        CHECK(retry_after(with({}), now) == std::nullopt);
    }

    TEST_CASE("bypasses_proxy follows NO_PROXY conventions") {
        struct Row {
            std::string_view host, no_proxy;
            bool bypass;
        };
        const Row rows[] = {
            {"localhost", "localhost", true},
            {"api.openai.com", "openai.com", true},
            {"api.openai.com", ".openai.com", true},
            {"openai.com", ".openai.com", true},
            {"API.OpenAI.com", "openai.COM", true},
            {"api.openai.com", "*.openai.com", true},
            {"notopenai.com", "openai.com", false},
            {"openai.com.evil.net", "openai.com", false},
            {"anything.example", "*", true},
            {"a.internal", " foo.com , .internal ", true},
            {"example.com", "example.com:443", true},
            {"10.1.2.3", "10.0.0.0/8", true},
            {"11.1.2.3", "10.0.0.0/8", false},
            {"10.0.0.1", "10.0.0.1", true},
            {"10.0.0.2", "10.0.0.1", false},
            {"::1", "::1", true},
            {"[::1]", "[::1]:8080", true},
            {"fe80::1", "fe80::/10", true},
            {"127.0.0.1", "localhost", false}, // no DNS lookups
            {"example.com", "", false},
            {"example.com", ",,", false},
        };
        for (const auto& row : rows) {
            CAPTURE(row.host);
            CAPTURE(row.no_proxy);
            CHECK(bypasses_proxy(row.host, row.no_proxy) == row.bypass);
        }
    }

    TEST_CASE("upstream_message finds the human text in common error bodies") {
        struct Row {
            std::string_view body, message;
        };
        const Row rows[] = {
            {R"({"error":{"message":"Incorrect API key provided: sk-ab***yz.","type":"invalid_request_error","code":"invalid_api_key"}})",
             "Incorrect API key provided: sk-ab***yz."},
            {R"({"error":{"code":403,"message":"Requests from this referer are blocked.","status":"PERMISSION_DENIED"}})",
             "Requests from this referer are blocked."},
            {R"([{"error":{"code":400,"message":"Invalid target language"}}])", "Invalid target language"},
            {R"({"detail":"Not Found"})", "Not Found"},
            {R"({"detail":[{"loc":["body","input"],"msg":"field required","type":"value_error.missing"},{"loc":["body",0],"msg":"bad"}]})",
             "body.input: field required; body.0: bad"},
            {R"({"message":"Too many requests"})", "Too many requests"},
            {R"({"error":"model \"x\" not found"})", R"(model "x" not found)"},
            {"<html>\r\n<b>502 Bad Gateway</b>\r\n</html>", "<html> <b>502 Bad Gateway</b> </html>"},
            {"", ""},
            {"  \n ", ""},
        };
        for (const auto& row : rows) {
            CAPTURE(row.body);
            CHECK(upstream_message(row.body) == row.message);
        }
        const std::string long_text(500, 'x');
        CHECK(upstream_message(long_text) == std::string(200, 'x'));
        // A cut never splits a UTF-8 sequence.
        const std::string accented = std::string(199, 'a') + "\xC3\xA9tude";
        CHECK(upstream_message(accented) == std::string(199, 'a'));
    }

} // TEST_SUITE

TEST_SUITE("http client: TLS and proxies") {

    struct TlsServer {
        TempDir dir;
        TlsIdentity identity;
        std::string ca_file;
        FakeHttpServer server;

        explicit TlsServer(const std::vector<std::string>& dns = {"localhost"},
                           const std::vector<std::string>& ips = {})
            : identity(make_self_signed_cert(dns, ips)), ca_file((dir.path() / "ca.pem").string()),
              server([](const FakeRequest& req) { return FakeResponse::text(200, "secure " + req.path); },
                     FakeServerOptions{identity}) {
            write_text_file(ca_file, identity.cert_pem);
        }
    };

    TEST_CASE("HTTPS works when the server's certificate is trusted through ca_file") {
        TlsServer tls;
        auto net = loopback_net();
        net.ca_file = tls.ca_file;
        HttpClient client(net);

        auto got = client.send({"GET", tls.server.url("/v1/models", "localhost"), {}, ""});
        REQUIRE(got);
        CHECK(got->status == 200);
        CHECK(got->body == "secure /v1/models");
        REQUIRE(tls.server.request_count() == 1);
        CHECK(tls.server.requests()[0].header("host") == "localhost:" + std::to_string(tls.server.port()));
    }

    TEST_CASE("HTTPS to an untrusted certificate fails verification, without retrying") {
        TlsServer tls;
        auto net = loopback_net();
        HttpClient system_store(net); // the system CA store does not know the throwaway certificate
        WaitLog log;
        log.attach(system_store);
        auto got = system_store.send({"GET", tls.server.url("/", "localhost"), {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("certificate verification") != std::string::npos);
        CHECK(got.error().message.find("localhost") != std::string::npos);
        CHECK(log.get().empty());
        CHECK(tls.server.connection_count() == 1);
        CHECK(tls.server.request_count() == 0);

        TlsServer other; // trusting a different certificate does not help either
        net.ca_file = other.ca_file;
        HttpClient wrong_ca(net);
        auto again = wrong_ca.send({"GET", tls.server.url("/", "localhost"), {}, ""});
        REQUIRE_FALSE(again);
        CHECK(again.error().code == ErrorCode::unavailable);
        CHECK(again.error().message.find("certificate verification") != std::string::npos);
    }

    TEST_CASE("a certificate for another host name fails even when trusted") {
        TlsServer tls({"localhost"});
        auto net = loopback_net();
        net.ca_file = tls.ca_file;
        HttpClient client(net);
        auto got = client.send({"GET", tls.server.url("/", "127.0.0.1"), {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("certificate verification") != std::string::npos);
        CHECK(got.error().message.find("mismatch") != std::string::npos);
        CHECK(tls.server.request_count() == 0);
    }

    TEST_CASE("a certificate listing the IP address is accepted for https://127.0.0.1") {
        TlsServer tls({}, {"127.0.0.1"});
        auto net = loopback_net();
        net.ca_file = tls.ca_file;
        HttpClient client(net);
        auto got = client.send({"GET", tls.server.url("/ip"), {}, ""});
        REQUIRE(got);
        CHECK(got->body == "secure /ip");
    }

    TEST_CASE("a missing ca_file is reported on https sends") {
        auto net = loopback_net();
        net.ca_file = "/nonexistent/ca.pem";
        HttpClient client(net);
        auto got = client.send({"GET", "https://localhost:1/", {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::invalid_argument);
        CHECK(got.error().message.find("/nonexistent/ca.pem") != std::string::npos);
    }

    TEST_CASE("HTTPS goes through HTTPS_PROXY with CONNECT, with Basic proxy credentials") {
        TlsServer tls;
        FakeHttpServer proxy([&](const FakeRequest& req) {
            if (req.method != "CONNECT") return FakeResponse::text(400, "CONNECT only");
            FakeResponse r;
            r.tunnel_to = tls.server.port();
            return r;
        });
        auto net = loopback_net();
        net.ca_file = tls.ca_file;
        net.https_proxy = "http://alice:s%40cret@127.0.0.1:" + std::to_string(proxy.port());
        net.no_proxy = "example.internal";
        HttpClient client(net);

        auto got = client.send({"POST", tls.server.url("/v1/embeddings", "localhost"), {}, "{}"});
        REQUIRE(got);
        CHECK(got->body == "secure /v1/embeddings");

        const auto connects = proxy.requests();
        REQUIRE(connects.size() == 1);
        const std::string authority = "localhost:" + std::to_string(tls.server.port());
        CHECK(connects[0].method == "CONNECT");
        CHECK(connects[0].target == authority);
        CHECK(connects[0].header("host") == authority);
        CHECK(connects[0].header("proxy-authorization") == "Basic YWxpY2U6c0BjcmV0"); // alice:s@cret
        const auto origin = tls.server.requests();
        REQUIRE(origin.size() == 1);
        CHECK(origin[0].method == "POST");
        CHECK(origin[0].path == "/v1/embeddings");
        CHECK(origin[0].header("proxy-authorization").empty());
    }

    TEST_CASE("NO_PROXY hosts and plain http:// skip the proxy") {
        TlsServer tls;
        FakeHttpServer plain([](const FakeRequest&) { return FakeResponse::text(200, "plain"); });
        FakeHttpServer proxy(
            [](const FakeRequest&) { return FakeResponse::text(502, "should not be used"); });
        auto net = loopback_net();
        net.ca_file = tls.ca_file;
        net.https_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
        net.no_proxy = "example.internal, localhost";
        HttpClient client(net);

        auto secure = client.send({"GET", tls.server.url("/", "localhost"), {}, ""});
        REQUIRE(secure);
        CHECK(secure->body == "secure /");
        auto clear = client.send({"GET", plain.url("/"), {}, ""});
        REQUIRE(clear);
        CHECK(clear->body == "plain");
        CHECK(proxy.request_count() == 0);
    }

    TEST_CASE("a proxy that refuses CONNECT is unavailable, not retried, and its credentials stay out of the "
              "message") {
        FakeHttpServer proxy([](const FakeRequest&) {
            FakeResponse r = FakeResponse::text(407, "auth required");
            r.headers.emplace_back("Proxy-Authenticate", "Basic realm=\"corp\"");
            return r;
        });
        auto net = loopback_net();
        net.https_proxy = "http://bob:hunter2@127.0.0.1:" + std::to_string(proxy.port());
        HttpClient client(net);
        WaitLog log;
        log.attach(client);

        auto got = client.send({"GET", "https://api.example.com/v1", {}, ""});
        REQUIRE_FALSE(got);
        CHECK(got.error().code == ErrorCode::unavailable);
        CHECK(got.error().message.find("407") != std::string::npos);
        CHECK(got.error().message.find("proxy") != std::string::npos);
        CHECK(got.error().message.find("api.example.com:443") != std::string::npos);
        CHECK(got.error().message.find("hunter2") == std::string::npos);
        CHECK(proxy.request_count() == 1);
        CHECK(log.get().empty());
    }

} // TEST_SUITE

TEST_SUITE("fake http server") {

    /// Minimal raw client: the HTTP client under test always closes, so keep-alive needs this.
    struct RawSocket {
        int fd = -1;
        explicit RawSocket(std::uint16_t port) {
            fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(port);
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        }
        ~RawSocket() { ::close(fd); }
        RawSocket(const RawSocket&) = delete;
        RawSocket& operator=(const RawSocket&) = delete;
        void send(std::string_view bytes) const {
            REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                    static_cast<ssize_t>(bytes.size()));
        }
        /// Reads until `marker` arrives, or everything until the peer closes when marker is empty.
        std::string read(std::string_view marker = {}) const {
            std::string out;
            char c = 0;
            while (marker.empty() || out.find(marker) == std::string::npos) {
                if (::recv(fd, &c, 1, 0) != 1) break;
                out.push_back(c);
            }
            return out;
        }
    };

    TEST_CASE("keeps a connection alive until the client sends Connection: close") {
        FakeHttpServer server(
            [](const FakeRequest& req) { return FakeResponse::text(200, "<" + req.path + ">"); });
        RawSocket socket(server.port());
        socket.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(socket.read("</a>").ends_with("</a>"));
        socket.send("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const std::string last = socket.read();
        CHECK(last.find("</b>") != std::string::npos);
        CHECK(last.find("Connection: close") != std::string::npos);
        const auto requests = server.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].connection == requests[1].connection);
        CHECK(server.connection_count() == 1);
    }

    TEST_CASE("a response with close = true ends the connection") {
        FakeHttpServer server([](const FakeRequest&) {
            FakeResponse r = FakeResponse::text(200, "bye");
            r.close = true;
            return r;
        });
        RawSocket socket(server.port());
        socket.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        const std::string all = socket.read(); // returns because the server closed
        CHECK(all.find("bye") != std::string::npos);
    }

} // TEST_SUITE
