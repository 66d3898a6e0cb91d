#pragma once
/// Process metrics rendered in the Prometheus text exposition format (version 0.0.4).
///
///     auto& requests = platform.metrics().counter("shiksha_http_requests_total",
///         "HTTP requests served", {{"route", "/api/clusters/"}, {"status", "200"}});
///     requests.inc();
///     std::string text = platform.metrics().render_prometheus();
///
/// Thread-safe. References returned by counter()/gauge()/histogram() stay valid for the
/// registry's lifetime, so hot paths look a metric up once and keep the reference.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(double by = 1.0) noexcept;
    [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void inc(double by = 1.0) noexcept;
    void dec(double by = 1.0) noexcept { inc(-by); }
    [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double v) noexcept;

    struct Snapshot {
        std::vector<double> upper_bounds;
        std::vector<std::uint64_t> cumulative_counts; ///< one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    [[nodiscard]] Snapshot snapshot() const;

private:
    std::vector<double> bounds_;
    mutable std::mutex mu_;
    std::vector<std::uint64_t> counts_; // per bucket (not cumulative), last = +Inf
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

/// Default latency buckets in seconds: 1 ms … 10 s.
[[nodiscard]] std::vector<double> latency_buckets();

class MetricsRegistry {
public:
    MetricsRegistry();
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    /// Get or create. Names must match [a-zA-Z_:][a-zA-Z0-9_:]* (asserted: names are code,
    /// not input); a name keeps the type it was first registered with.
    Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const MetricLabels& labels = {},
                         std::vector<double> upper_bounds = latency_buckets());

    [[nodiscard]] std::string render_prometheus() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha
