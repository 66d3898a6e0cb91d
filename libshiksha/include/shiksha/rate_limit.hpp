#pragma once
/// Token-bucket rate limiting keyed by a string (client address, account, phone number...).
///
///     shiksha::RateLimiter login_limiter({.capacity = 10, .refill_per_second = 10.0 / 60});
///     if (auto wait = login_limiter.acquire("203.0.113.9"); wait.count() > 0) {
///         // refuse; retry after `wait`
///     }
///
/// Thread-safe. Keys idle long enough to have refilled completely are forgotten, so memory
/// stays bounded by the number of recently active keys.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace shiksha {

struct RateLimit {
    double capacity = 60;           ///< burst size
    double refill_per_second = 1.0; ///< sustained rate
};

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(RateLimit limit);
    ~RateLimiter();
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    /// Takes one token for `key` when available and returns zero; otherwise takes nothing and
    /// returns how long until a token will be available.
    [[nodiscard]] std::chrono::milliseconds acquire(std::string_view key,
                                                    Clock::time_point now = Clock::now());

    [[nodiscard]] std::size_t tracked_keys() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha
