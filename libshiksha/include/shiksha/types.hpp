#pragma once
/// Small vocabulary types shared by every engine.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace shiksha {

/// UTC instant with microsecond precision; what the store keeps and the wire shows.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

[[nodiscard]] Timestamp now_utc() noexcept;

/// Naive ISO-8601 in UTC, as the API contract wants: "2026-01-15T10:00:00.123456",
/// microseconds omitted when zero ("2026-01-15T10:00:00").
[[nodiscard]] std::string format_timestamp(Timestamp t);

/// Offset-based paging used by every list call.
struct Page {
    std::int64_t skip = 0;
    std::int64_t limit = 100; ///< 1..1000
};

/// Cooperative cancellation for long work. Thread-safe; cancel() may be called from any thread.
class CancelToken {
public:
    void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
    [[nodiscard]] bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> cancelled_{false};
};

/// Progress report for long work: `done` of `total` units. Returning false cancels the work.
using ProgressFn = std::function<bool(std::int64_t done, std::int64_t total)>;

} // namespace shiksha
