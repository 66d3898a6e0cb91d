#include "shiksha/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shiksha {

struct RateLimiter::Impl {
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    RateLimit limit;
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point last_sweep{};

    // A bucket idle for capacity/refill seconds is full again, i.e. indistinguishable from a
    // new one; dropping it keeps memory bounded by recently active keys.
    void sweep(Clock::time_point now) {
        const auto full_after = std::chrono::duration<double>(limit.capacity / limit.refill_per_second);
        if (now - last_sweep < full_after) return;
        last_sweep = now;
        std::erase_if(buckets, [&](const auto& kv) { return now - kv.second.updated >= full_after; });
    }
};

RateLimiter::RateLimiter(RateLimit limit) : impl_(std::make_unique<Impl>()) {
    impl_->limit = limit;
    impl_->limit.capacity = std::max(1.0, limit.capacity);
    impl_->limit.refill_per_second = std::max(1e-9, limit.refill_per_second);
}

RateLimiter::~RateLimiter() = default;

std::chrono::milliseconds RateLimiter::acquire(std::string_view key, Clock::time_point now) {
    const std::lock_guard lock(impl_->mu);
    impl_->sweep(now);
    const auto& limit = impl_->limit;
    auto [it, inserted] = impl_->buckets.try_emplace(std::string(key), Impl::Bucket{limit.capacity, now});
    auto& bucket = it->second;
    if (!inserted && now > bucket.updated) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        bucket.tokens = std::min(limit.capacity, bucket.tokens + elapsed * limit.refill_per_second);
        bucket.updated = now;
    }
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::chrono::milliseconds(0);
    }
    const double wait_s = (1.0 - bucket.tokens) / limit.refill_per_second;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_s * 1000.0)));
}

std::size_t RateLimiter::tracked_keys() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->buckets.size();
}

} // namespace shiksha
