#pragma once
// State behind DeliveryEngine (internal; Platform constructs it and calls start()).
//
// The dispatcher thread only schedules: it claims due outbox rows (marking them in flight in
// a committed transaction) and posts one send task per row to the engine's sender pool,
// keeping at most `max_in_flight` sends running. Each task waits for a token from the rate
// limiter, makes one gateway attempt and records the outcome. The thread sleeps until the next
// row is due or share_whatsapp() wakes it.
//
// Senders have their own pool (not the platform's): a gateway call blocks for a network round
// trip (~300 ms to Meta), and Meta's 80 messages/s need ~24 calls in flight; on the platform's
// pool (one thread per core) they would starve every other engine. Outcomes are committed in
// groups: whichever sender finds no commit running writes every outcome queued so far in one
// transaction, the others wait for it (one fsync for many messages).

#include "delivery/gateway.hpp"
#include "shiksha/clusters.hpp"
#include "shiksha/config.hpp"
#include "shiksha/delivery.hpp"
#include "shiksha/exports.hpp"
#include "shiksha/log.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/modules.hpp"
#include "shiksha/worker_pool.hpp"
#include "store/delivery_repo.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace shiksha {

namespace detail::delivery {

/// Token bucket of one token: sends are spaced 1/`rate` seconds apart, so no one-second window
/// ever holds more than rate + 1 (gateways count per second). A negative rate means no limit.
class RateLimiter {
public:
    explicit RateLimiter(double rate);
    /// Blocks until a token is available (or `stopping` becomes true).
    void acquire(const std::atomic<bool>& stopping);

private:
    std::mutex mu_;
    double rate_;
    double tokens_;
    std::chrono::steady_clock::time_point refilled_;
};

/// The usual sustained rate of a gateway when the configuration leaves it at 0.
[[nodiscard]] double default_rate(std::string_view gateway) noexcept;

} // namespace detail::delivery

struct DeliveryEngine::Impl {
    Impl(std::shared_ptr<detail::Store> store, Logger logger, Config config, MetricsRegistry& metrics,
         ModuleEngine& modules, ClusterEngine& clusters, ExportEngine& exports,
         std::unique_ptr<detail::delivery::Gateway> gateway);
    ~Impl();

    /// Reconciles rows a previous process left in flight, then starts the dispatcher.
    /// `recover_in_flight`: settle rows a dead process left in flight first (only when this
    /// process has the data directory to itself).
    void start(bool recover_in_flight = true);
    /// Stops the dispatcher; sends already running finish.
    void stop();
    /// Wakes the dispatcher: new rows are due.
    void wake();
    /// Until nothing of the module (all when 0) is pending or in flight.
    [[nodiscard]] Result<void> wait_idle(std::int64_t module_id, std::chrono::milliseconds timeout);
    /// Until every delivery of `ids` has had its first gateway attempt recorded (or `timeout`
    /// passes); returns the rows as they are then.
    [[nodiscard]] Result<std::vector<Delivery>> wait_first_attempt(const std::vector<std::int64_t>& ids,
                                                                   std::chrono::milliseconds timeout);

    std::shared_ptr<detail::Store> store;
    Logger logger;
    Config config;
    MetricsRegistry& metrics;
    ModuleEngine& modules;
    ClusterEngine& clusters;
    ExportEngine& exports;
    std::unique_ptr<detail::delivery::Gateway> gateway;
    detail::delivery::RateLimiter limiter;
    WorkerPool senders; ///< gateway calls (see above)

private:
    void run();
    void send(detail::delivery_repo::OutboxRow row);
    /// What one attempt ended in, to be committed.
    struct Outcome {
        std::int64_t id = 0;
        enum class Kind { sent, manual, retry, failed } kind = Kind::sent;
        std::vector<std::string> message_ids;
        std::string text; ///< the deep link, or the error
        Timestamp next_attempt_at;
    };
    void record_failure(const detail::delivery_repo::OutboxRow& row,
                        const detail::delivery::SendFailure& failure);
    /// Commits `outcome` (with whatever else is queued); returns once it is durable or failed.
    void record(Outcome outcome);
    [[nodiscard]] detail::delivery::OutgoingMessage
    message_for(const detail::delivery_repo::OutboxRow& row) const;
    [[nodiscard]] std::chrono::milliseconds backoff(int attempts,
                                                    std::optional<std::chrono::milliseconds> asked) const;

    static constexpr int max_in_flight = 32;
    /// Deep links send nothing: one thread then (a CLI command opens a platform for a moment).
    static constexpr unsigned sender_threads = 32;
    std::mutex mu_;
    std::condition_variable cv_;
    bool wake_ = false;
    int in_flight_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread dispatcher_;

    std::mutex record_mu_;
    std::condition_variable record_cv_;
    std::vector<Outcome> batch_;
    std::uint64_t enqueued_ = 0, committed_ = 0;
    bool committing_ = false;
};

} // namespace shiksha
