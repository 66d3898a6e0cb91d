// Metrics in the Prometheus text format, the token-bucket rate limiter (driven by explicit
// time points, never by sleeping) and the worker pool.
#include "shiksha/log.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/rate_limit.hpp"
#include "shiksha/worker_pool.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

/// Checks every line against the text exposition format (0.0.4): comments are HELP or TYPE,
/// samples are `name{label="value",...} number`.
void check_exposition_format(const std::string& text) {
    REQUIRE_FALSE(text.empty());
    CHECK(text.back() == '\n');
    static const std::regex help(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
    static const std::regex type(
        R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))");
    const std::string name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    const std::string label = R"re([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")re";
    const std::string value = R"re((-?[0-9.eE+-]+|[+-]Inf|NaN))re";
    const std::regex sample(name + "(\\{" + label + "(," + label + ")*\\})? " + value);
    for (const auto& line : lines_of(text)) {
        CAPTURE(line);
        CHECK(
            (std::regex_match(line, help) || std::regex_match(line, type) || std::regex_match(line, sample)));
    }
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text)) {
        if (l == line) return true;
    }
    return false;
}

} // namespace

// ---- metrics ---------------------------------------------------------------------------------

TEST_CASE("counters render with HELP and TYPE lines and only go up") {
    MetricsRegistry reg;
    auto& c = reg.counter("shiksha_jobs_total", "Jobs run", {{"kind", "index"}});
    c.inc();
    c.inc(2.5);
    c.inc(-10); // ignored: counters never decrease
    CHECK(c.value() == doctest::Approx(3.5));
    const auto text = reg.render_prometheus();
    check_exposition_format(text);
    CHECK(has_line(text, "# HELP shiksha_jobs_total Jobs run"));
    CHECK(has_line(text, "# TYPE shiksha_jobs_total counter"));
    CHECK(has_line(text, R"(shiksha_jobs_total{kind="index"} 3.5)"));
}

TEST_CASE("looking a metric up twice returns the same series") {
    MetricsRegistry reg;
    auto& a = reg.counter("hits_total", "Hits", {{"route", "/a"}});
    auto& again = reg.counter("hits_total", "Hits", {{"route", "/a"}});
    auto& b = reg.counter("hits_total", "Hits", {{"route", "/b"}});
    CHECK(&a == &again);
    CHECK(&a != &b);
    a.inc();
    again.inc();
    b.inc();
    const auto text = reg.render_prometheus();
    CHECK(has_line(text, R"(hits_total{route="/a"} 2)"));
    CHECK(has_line(text, R"(hits_total{route="/b"} 1)"));
    // One HELP/TYPE pair per family, not per series.
    const auto lines = lines_of(text);
    CHECK(std::count(lines.begin(), lines.end(), "# TYPE hits_total counter") == 1);
}

TEST_CASE("gauges go up and down") {
    MetricsRegistry reg;
    auto& g = reg.gauge("shiksha_queue_depth", "Queued tasks");
    g.set(5);
    g.inc();
    g.dec(3);
    CHECK(g.value() == doctest::Approx(3));
    const auto text = reg.render_prometheus();
    check_exposition_format(text);
    CHECK(has_line(text, "# TYPE shiksha_queue_depth gauge"));
    CHECK(has_line(text, "shiksha_queue_depth 3"));
}

TEST_CASE("label values and help text are escaped") {
    MetricsRegistry reg;
    reg.counter("escaped_total", "Help with \\ backslash\nand newline",
                {{"path", "C:\\dir \"quoted\"\nnext"}})
        .inc();
    const auto text = reg.render_prometheus();
    check_exposition_format(text);
    CHECK(has_line(text, R"(# HELP escaped_total Help with \\ backslash\nand newline)"));
    CHECK(has_line(text, R"(escaped_total{path="C:\\dir \"quoted\"\nnext"} 1)"));
}

TEST_CASE("histograms render cumulative buckets, +Inf, _sum and _count") {
    MetricsRegistry reg;
    // Bounds given out of order are sorted.
    auto& h =
        reg.histogram("shiksha_request_seconds", "Request latency", {{"route", "/api"}}, {1.0, 0.1, 0.5});
    for (double v : {0.05, 0.1, 0.3, 2.0})
        h.observe(v);

    const auto snap = h.snapshot();
    CHECK(snap.upper_bounds == std::vector<double>{0.1, 0.5, 1.0});
    CHECK(snap.cumulative_counts == std::vector<std::uint64_t>{2, 3, 3, 4});
    CHECK(snap.count == 4);
    CHECK(snap.sum == doctest::Approx(2.45));

    const auto text = reg.render_prometheus();
    check_exposition_format(text);
    CHECK(has_line(text, "# TYPE shiksha_request_seconds histogram"));
    CHECK(has_line(text, R"(shiksha_request_seconds_bucket{route="/api",le="0.1"} 2)"));
    CHECK(has_line(text, R"(shiksha_request_seconds_bucket{route="/api",le="0.5"} 3)"));
    CHECK(has_line(text, R"(shiksha_request_seconds_bucket{route="/api",le="1"} 3)"));
    CHECK(has_line(text, R"(shiksha_request_seconds_bucket{route="/api",le="+Inf"} 4)"));
    CHECK(has_line(text, R"(shiksha_request_seconds_sum{route="/api"} 2.45)"));
    CHECK(has_line(text, R"(shiksha_request_seconds_count{route="/api"} 4)"));
}

TEST_CASE("an unlabelled histogram still labels its buckets with le") {
    MetricsRegistry reg;
    auto& h = reg.histogram("plain_seconds", "Plain", {}, {1.0});
    h.observe(0.5);
    const auto text = reg.render_prometheus();
    check_exposition_format(text);
    CHECK(has_line(text, R"(plain_seconds_bucket{le="1"} 1)"));
    CHECK(has_line(text, R"(plain_seconds_bucket{le="+Inf"} 1)"));
    CHECK(has_line(text, "plain_seconds_sum 0.5"));
    CHECK(has_line(text, "plain_seconds_count 1"));
}

TEST_CASE("default latency buckets span a millisecond to ten seconds") {
    const auto b = latency_buckets();
    REQUIRE_FALSE(b.empty());
    CHECK(b.front() == doctest::Approx(0.001));
    CHECK(b.back() == doctest::Approx(10));
    CHECK(std::is_sorted(b.begin(), b.end()));
}

TEST_CASE("counters are safe to increment from many threads") {
    MetricsRegistry reg;
    auto& c = reg.counter("concurrent_total", "Concurrent increments");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i)
                c.inc();
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(c.value() == 40000);
}

// ---- rate limiter ----------------------------------------------------------------------------

TEST_CASE("rate limiter allows a burst of capacity, then refuses with a positive wait") {
    RateLimiter limiter({.capacity = 3, .refill_per_second = 1});
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i)
        CHECK(limiter.acquire("203.0.113.9", t0) == 0ms);
    const auto wait = limiter.acquire("203.0.113.9", t0);
    CHECK(wait > 0ms);
    CHECK(wait <= 1000ms);
    CHECK(wait >= 990ms);
    // Refused attempts take nothing: still refused at the same instant, same wait.
    CHECK(limiter.acquire("203.0.113.9", t0) == wait);
}

TEST_CASE("rate limiter refills with time") {
    RateLimiter limiter({.capacity = 2, .refill_per_second = 2}); // one token per 500 ms
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    CHECK(limiter.acquire("k", t0) == 0ms);
    CHECK(limiter.acquire("k", t0) == 0ms);
    CHECK(limiter.acquire("k", t0) > 0ms);

    const auto partial = limiter.acquire("k", t0 + 200ms);
    CHECK(partial > 0ms);
    CHECK(partial <= 301ms);
    CHECK(partial >= 299ms);

    CHECK(limiter.acquire("k", t0 + 600ms) == 0ms);
    CHECK(limiter.acquire("k", t0 + 600ms) > 0ms);

    // A long pause refills to capacity, never beyond.
    const auto later = t0 + 1h;
    CHECK(limiter.acquire("k", later) == 0ms);
    CHECK(limiter.acquire("k", later) == 0ms);
    CHECK(limiter.acquire("k", later) > 0ms);
}

TEST_CASE("rate limiter keys are independent") {
    RateLimiter limiter({.capacity = 1, .refill_per_second = 0.1});
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    CHECK(limiter.acquire("alice", t0) == 0ms);
    CHECK(limiter.acquire("alice", t0) > 0ms);
    CHECK(limiter.acquire("bob", t0) == 0ms);
    CHECK(limiter.acquire("bob", t0) > 0ms);
    CHECK(limiter.tracked_keys() == 2);
    // Ten seconds for one token at 0.1/s.
    CHECK(limiter.acquire("carol", t0) == 0ms);
    const auto carol_wait = limiter.acquire("carol", t0);
    CHECK(carol_wait >= 9999ms);
    CHECK(carol_wait <= 10001ms);
}

TEST_CASE("rate limiter forgets keys that have fully refilled") {
    RateLimiter limiter({.capacity = 2, .refill_per_second = 1});
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 50; ++i)
        CHECK(limiter.acquire("client-" + std::to_string(i), t0) == 0ms);
    CHECK(limiter.tracked_keys() == 50);
    CHECK(limiter.acquire("late", t0 + 10s) == 0ms);
    CHECK(limiter.tracked_keys() == 1);
}

// ---- worker pool -----------------------------------------------------------------------------

TEST_CASE("worker pool runs every posted task before shutdown returns") {
    WorkerPool pool(2, Logger());
    CHECK(pool.size() == 2);
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> ran{0};

    // Hold both workers so the rest of the tasks are still queued when shutdown starts.
    for (int i = 0; i < 2; ++i) {
        REQUIRE(pool.post([&] {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] { return open; });
            ++ran;
        }));
    }
    for (int i = 0; i < 100; ++i)
        REQUIRE(pool.post([&] { ++ran; }));
    CHECK(pool.queued() >= 100);

    std::thread stopper([&] { pool.shutdown(); });
    // Wait (without sleeping) until shutdown has begun: post() then refuses.
    int accepted_meanwhile = 0;
    while (pool.post([&] { ++ran; })) {
        ++accepted_meanwhile;
        std::this_thread::yield();
    }
    CHECK(pool.queued() >= 100); // shutdown began with the queue still full
    {
        const std::lock_guard lock(mu);
        open = true;
    }
    cv.notify_all();
    stopper.join();
    CHECK(ran.load() == 102 + accepted_meanwhile);
    CHECK(pool.queued() == 0);
}

TEST_CASE("post after shutdown returns false and the task never runs") {
    WorkerPool pool(2, Logger());
    pool.shutdown();
    std::atomic<bool> ran{false};
    CHECK_FALSE(pool.post([&] { ran = true; }));
    pool.shutdown(); // idempotent
    CHECK_FALSE(ran.load());
    CHECK(pool.queued() == 0);
}

TEST_CASE("a throwing task is logged and the pool keeps working") {
    test::LogCapture logs;
    std::atomic<int> ran{0};
    {
        WorkerPool pool(1, Logger(logs.sink()));
        REQUIRE(pool.post([] { throw std::runtime_error("boom from task"); }));
        REQUIRE(pool.post([&] { ++ran; }));
    } // the destructor drains and joins
    CHECK(ran.load() == 1);
    CHECK(logs.contains("boom from task"));
}

TEST_CASE("a pool of zero threads means one per core, at least two") {
    WorkerPool pool(0, Logger());
    CHECK(pool.size() >= 2);
}
