#include "shiksha/metrics.hpp"

#include "core/assert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <variant>

namespace shiksha {

namespace {

void atomic_add(std::atomic<double>& target, double by) noexcept {
    double current = target.load(std::memory_order_relaxed);
    while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
    }
}

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    auto ok = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
               (!first && c >= '0' && c <= '9');
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!ok(name[i], i == 0)) return false;
    }
    return true;
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

std::string render_labels(const MetricLabels& labels,
                          const std::pair<std::string, std::string>* extra = nullptr) {
    if (labels.empty() && !extra) return {};
    std::string out = "{";
    bool first = true;
    auto add = [&](const std::string& k, const std::string& v) {
        if (!first) out.push_back(',');
        first = false;
        out += fmt::format("{}=\"{}\"", k, escape_label_value(v));
    };
    for (const auto& [k, v] : labels)
        add(k, v);
    if (extra) add(extra->first, extra->second);
    out.push_back('}');
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

} // namespace

void Counter::inc(double by) noexcept {
    if (by > 0) atomic_add(value_, by); // counters only go up
}

void Gauge::inc(double by) noexcept {
    atomic_add(value_, by);
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
    std::sort(bounds_.begin(), bounds_.end());
    counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double v) noexcept {
    const auto bucket =
        static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    const std::lock_guard lock(mu_);
    ++counts_[bucket];
    sum_ += v;
    ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.upper_bounds = bounds_;
    const std::lock_guard lock(mu_);
    std::uint64_t running = 0;
    for (auto c : counts_) {
        running += c;
        s.cumulative_counts.push_back(running);
    }
    s.sum = sum_;
    s.count = count_;
    return s;
}

std::vector<double> latency_buckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct MetricsRegistry::Impl {
    using Metric = std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>;
    struct Family {
        std::string help;
        std::size_t type = 0; // index into Metric
        std::map<MetricLabels, Metric> series;
    };
    mutable std::mutex mu;
    std::map<std::string, Family, std::less<>> families;

    template <class T, class Make>
    T& get(std::string_view name, std::string_view help, const MetricLabels& labels, Make make) {
        SHIKSHA_ASSERT(valid_metric_name(name));
        const std::lock_guard lock(mu);
        auto it = families.find(name);
        if (it == families.end()) {
            it = families
                     .emplace(std::string(name),
                              Family{std::string(help), Metric(std::unique_ptr<T>()).index(), {}})
                     .first;
        }
        Family& family = it->second;
        SHIKSHA_ASSERT(family.type == Metric(std::unique_ptr<T>()).index());
        auto series = family.series.find(labels);
        if (series == family.series.end()) {
            series = family.series.emplace(labels, Metric(make())).first;
        }
        return *std::get<std::unique_ptr<T>>(series->second);
    }
};

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}
MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
    return impl_->get<Counter>(name, help, labels, [] { return std::make_unique<Counter>(); });
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
    return impl_->get<Gauge>(name, help, labels, [] { return std::make_unique<Gauge>(); });
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const MetricLabels& labels, std::vector<double> upper_bounds) {
    return impl_->get<Histogram>(name, help, labels,
                                 [&] { return std::make_unique<Histogram>(std::move(upper_bounds)); });
}

std::string MetricsRegistry::render_prometheus() const {
    std::string out;
    const std::lock_guard lock(impl_->mu);
    for (const auto& [name, family] : impl_->families) {
        static constexpr std::string_view type_names[] = {"counter", "gauge", "histogram"};
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(family.help), name,
                           type_names[family.type]);
        for (const auto& [labels, metric] : family.series) {
            if (const auto* c = std::get_if<std::unique_ptr<Counter>>(&metric)) {
                out += fmt::format("{}{} {}\n", name, render_labels(labels), format_value((*c)->value()));
            } else if (const auto* g = std::get_if<std::unique_ptr<Gauge>>(&metric)) {
                out += fmt::format("{}{} {}\n", name, render_labels(labels), format_value((*g)->value()));
            } else {
                const auto snap = std::get<std::unique_ptr<Histogram>>(metric)->snapshot();
                for (std::size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
                    const std::pair<std::string, std::string> le{
                        "le", i < snap.upper_bounds.size() ? format_value(snap.upper_bounds[i]) : "+Inf"};
                    out += fmt::format("{}_bucket{} {}\n", name, render_labels(labels, &le),
                                       snap.cumulative_counts[i]);
                }
                out += fmt::format("{}_sum{} {}\n", name, render_labels(labels), format_value(snap.sum));
                out += fmt::format("{}_count{} {}\n", name, render_labels(labels), snap.count);
            }
        }
    }
    return out;
}

} // namespace shiksha
