// The outbox dispatcher and the send path (see delivery_engine_impl.hpp).
#include "core/files.hpp"
#include "delivery/delivery_engine_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace shiksha {

namespace detail::delivery {

RateLimiter::RateLimiter(double rate)
    : rate_(rate), tokens_(1), refilled_(std::chrono::steady_clock::now()) {}

void RateLimiter::acquire(const std::atomic<bool>& stopping) {
    if (rate_ < 0) return;
    std::unique_lock lock(mu_);
    while (!stopping) {
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - refilled_).count();
        tokens_ = std::min(1.0, tokens_ + elapsed * rate_);
        refilled_ = now;
        if (tokens_ >= 1) {
            tokens_ -= 1;
            return;
        }
        // The rate limit itself: wait for the next token to accrue.
        const auto wait = std::chrono::duration<double>((1 - tokens_) / rate_);
        lock.unlock();
        std::this_thread::sleep_for(wait);
        lock.lock();
    }
}

double default_rate(std::string_view gateway) noexcept {
    if (gateway == "meta") return 80;   // messages per second per business number
    if (gateway == "twilio") return 10; // WhatsApp senders, text
    return -1;                          // deep links send nothing
}

} // namespace detail::delivery

namespace {

namespace repo = detail::delivery_repo;

double configured_rate(const Config& config) {
    const double r = config.delivery.rate_per_second;
    return r == 0 ? detail::delivery::default_rate(config.delivery.gateway) : r;
}

std::string reference(std::int64_t delivery_id) {
    return fmt::format("shiksha-{}", delivery_id);
}

} // namespace

DeliveryEngine::Impl::Impl(std::shared_ptr<detail::Store> s, Logger l, Config c, MetricsRegistry& m,
                           ModuleEngine& mo, ClusterEngine& cl, ExportEngine& ex,
                           std::unique_ptr<detail::delivery::Gateway> g)
    : store(std::move(s)), logger(std::move(l)), config(std::move(c)), metrics(m), modules(mo), clusters(cl),
      exports(ex), gateway(std::move(g)), limiter(configured_rate(config)),
      senders(config.delivery.gateway == "deeplink" ? 1 : sender_threads, logger) {}

DeliveryEngine::Impl::~Impl() {
    stop();
}

void DeliveryEngine::Impl::start(bool recover_in_flight) {
    // A row in flight was being sent when the last process died. Ask the gateway whether it
    // took the message (Twilio can tell); otherwise it goes out again — the only window for a
    // duplicate is one gateway round trip (Meta offers no lookup and no idempotency key).
    // With another owner alive the rows may be in flight right now: leave them to it.
    auto stranded = store->read(
        [](SQLite::Database& db) -> Result<std::vector<repo::OutboxRow>> { return repo::in_flight(db); });
    if (stranded && recover_in_flight) {
        for (const auto& row : *stranded) {
            const auto since = row.attempt_started_at.value_or(row.delivery.created_at);
            const auto accepted = gateway->find_accepted(message_for(row), since);
            const auto now = now_utc();
            (void)store->write([&](SQLite::Database& db) -> Result<void> {
                if (accepted && !accepted->empty()) {
                    repo::mark_sent(db, row.delivery.id, *accepted, now);
                } else {
                    repo::mark_retry(db, row.delivery.id, "interrupted while sending (process stopped)", now,
                                     now);
                }
                return {};
            });
            logger.info("outbox row recovered after a stop",
                        {{"delivery_id", row.delivery.id},
                         {"outcome", accepted && !accepted->empty() ? "sent (gateway had it)" : "resend"}});
        }
    }
    dispatcher_ = std::thread([this] { run(); });
}

void DeliveryEngine::Impl::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_.exchange(true)) return;
    }
    cv_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
    // Queued sends see `stopping_` and put their rows back; running ones finish.
    senders.shutdown();
}

void DeliveryEngine::Impl::wake() {
    {
        std::lock_guard lock(mu_);
        wake_ = true;
    }
    cv_.notify_all();
}

Result<void> DeliveryEngine::Impl::wait_idle(std::int64_t module_id, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
        lock.unlock();
        auto left =
            store->read([&](SQLite::Database& db) -> Result<int> { return repo::unfinished(db, module_id); });
        lock.lock();
        if (!left) return std::unexpected(left.error());
        if (*left == 0) return {};
        // Each finished send notifies; the timeout bounds the wait for rows backing off.
        if (cv_.wait_until(lock,
                           std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1))) ==
                std::cv_status::timeout &&
            std::chrono::steady_clock::now() >= deadline)
            return fail(ErrorCode::deadline_exceeded,
                        fmt::format("{} messages still pending after {} ms", *left, timeout.count()));
    }
}

Result<std::vector<Delivery>> DeliveryEngine::Impl::wait_first_attempt(const std::vector<std::int64_t>& ids,
                                                                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
        lock.unlock();
        auto rows = store->read([&](SQLite::Database& db) -> Result<std::vector<Delivery>> {
            std::vector<Delivery> out;
            for (const auto id : ids)
                if (auto row = repo::get(db, id)) out.push_back(row->delivery);
            return out;
        });
        lock.lock();
        if (!rows) return std::unexpected(rows.error());
        // Tried once: an outcome is recorded (sent, failed, manual) or a retry is scheduled
        // (pending again with attempts counted). In flight means the attempt is still running.
        const bool all_tried = std::ranges::all_of(*rows, [](const Delivery& dl) {
            return dl.status != "in_flight" && (dl.status != "pending" || dl.attempts > 0);
        });
        if (all_tried || std::chrono::steady_clock::now() >= deadline) return rows;
        // Each recorded outcome notifies; the second bounds a missed notification.
        cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    }
}

void DeliveryEngine::Impl::run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        const int room = max_in_flight - in_flight_;
        if (room <= 0) {
            cv_.wait(lock, [&] { return stopping_ || in_flight_ < max_in_flight; });
            continue;
        }
        wake_ = false;
        lock.unlock();
        const auto now = now_utc();
        auto claimed = store->write([&](SQLite::Database& db) -> Result<std::vector<repo::OutboxRow>> {
            return repo::claim_due(db, now, room);
        });
        std::optional<Timestamp> next;
        if (claimed && claimed->empty()) {
            auto due = store->read(
                [](SQLite::Database& db) -> Result<std::optional<Timestamp>> { return repo::next_due(db); });
            if (due) next = *due;
        }
        lock.lock();
        if (!claimed) {
            logger.warn("outbox: cannot claim rows", {{"error", claimed.error().message}});
            cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_.load(); });
            continue;
        }
        for (auto& row : *claimed) {
            ++in_flight_;
            lock.unlock();
            const auto id = row.delivery.id;
            const bool posted = senders.post([this, row = std::move(row)]() mutable {
                send(std::move(row));
                {
                    std::lock_guard done(mu_);
                    --in_flight_;
                }
                cv_.notify_all();
            });
            lock.lock();
            if (!posted) {
                // The pool is shutting down: the row stays in flight and is reconciled at the
                // next start.
                --in_flight_;
                logger.info("outbox: pool stopped; row left for the next start", {{"delivery_id", id}});
            }
        }
        if (!claimed->empty()) continue;
        const auto pred = [&] { return stopping_ || wake_; };
        if (next) {
            const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now_utc());
            cv_.wait_for(lock, std::max(wait, std::chrono::milliseconds(1)), pred);
        } else {
            cv_.wait(lock, pred);
        }
    }
}

detail::delivery::OutgoingMessage DeliveryEngine::Impl::message_for(const repo::OutboxRow& row) const {
    detail::delivery::OutgoingMessage m;
    m.to = row.delivery.phone;
    m.text = row.text;
    m.caption = row.caption;
    m.reference = reference(row.delivery.id);
    // Status callbacks need the public URL Twilio can reach (and signs): only when configured.
    if (row.delivery.gateway == "twilio" && !config.exports.public_url.empty())
        m.status_callback_url = fmt::format("{}/api/webhooks/twilio?ref={}", config.exports.public_url,
                                            reference(row.delivery.id));
    if (!row.document_path.empty())
        m.document = detail::delivery::Attachment{row.document_name, {}, row.document_url};
    m.parts_already_sent = row.delivery.message_ids.size(); // accepted before an earlier failure
    return m;
}

std::chrono::milliseconds
DeliveryEngine::Impl::backoff(int attempts, std::optional<std::chrono::milliseconds> asked) const {
    // Exponential with full jitter; never shorter than what the gateway asked for.
    const double cap = std::min(static_cast<double>(config.delivery.backoff_max.count()),
                                static_cast<double>(config.delivery.backoff_base.count()) *
                                    std::pow(2.0, std::max(0, attempts - 1)));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const auto jittered = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::uniform_real_distribution<double>(0, std::max(1.0, cap))(rng)));
    return std::max(jittered, asked.value_or(std::chrono::milliseconds(0)));
}

void DeliveryEngine::Impl::send(repo::OutboxRow row) {
    if (row.delivery.gateway != gateway->name()) {
        record_failure(
            row, {Error{ErrorCode::invalid_argument,
                        fmt::format("queued for the {} gateway but the platform now uses {}: share again",
                                    row.delivery.gateway, gateway->name())},
                  false,
                  {}});
        return;
    }
    if (stopping_) {
        // Shutting down before this one started: back to pending, sent after the next start.
        record({row.delivery.id, Outcome::Kind::retry, {}, "stopped before sending", now_utc()});
        return;
    }
    auto message = message_for(row);
    if (message.document) {
        auto bytes = detail::read_file(row.document_path, {});
        if (!bytes) {
            record_failure(row,
                           {Error{ErrorCode::not_found,
                                  "the module's PDF is gone (its export expired): share the module again"},
                            false,
                            {}});
            return;
        }
        message.document->bytes = std::move(*bytes);
    }
    limiter.acquire(stopping_);
    const auto started = std::chrono::steady_clock::now();
    auto outcome = gateway->send(message);
    metrics.histogram("shiksha_whatsapp_send_seconds", "One gateway attempt")
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!outcome) {
        record_failure(row, outcome.error());
        return;
    }
    if (outcome->manual)
        record({row.delivery.id, Outcome::Kind::manual, {}, outcome->link, {}});
    else
        record({row.delivery.id, Outcome::Kind::sent, std::move(outcome->message_ids), {}, {}});
    metrics.counter("shiksha_whatsapp_messages_total", "WhatsApp messages accepted by the gateway").inc();
}

void DeliveryEngine::Impl::record_failure(const repo::OutboxRow& row,
                                          const detail::delivery::SendFailure& failure) {
    const auto now = now_utc();
    const bool retry = failure.retryable && row.delivery.attempts < config.delivery.max_attempts;
    const auto next = now + std::chrono::duration_cast<std::chrono::microseconds>(
                                backoff(row.delivery.attempts, failure.retry_after));
    record({row.delivery.id, retry ? Outcome::Kind::retry : Outcome::Kind::failed, failure.accepted_ids,
            failure.error.message, next});
    metrics
        .counter(retry ? "shiksha_whatsapp_retries_total" : "shiksha_whatsapp_failures_total",
                 retry ? "WhatsApp attempts to be retried" : "WhatsApp messages given up")
        .inc();
    logger.warn(retry ? "whatsapp send failed; will retry" : "whatsapp send failed",
                {{"delivery_id", row.delivery.id},
                 {"attempt", row.delivery.attempts},
                 {"error", failure.error.message}});
    if (retry) wake();
}

void DeliveryEngine::Impl::record(Outcome outcome) {
    std::unique_lock lock(record_mu_);
    batch_.push_back(std::move(outcome));
    const std::uint64_t ticket = ++enqueued_;
    while (committed_ < ticket) {
        if (committing_) {
            record_cv_.wait(lock);
            continue;
        }
        committing_ = true;
        auto batch = std::move(batch_);
        batch_.clear();
        const std::uint64_t upto = enqueued_;
        lock.unlock();
        const auto now = now_utc();
        auto saved = store->write([&](SQLite::Database& db) -> Result<void> {
            for (const auto& o : batch) {
                switch (o.kind) {
                case Outcome::Kind::sent: repo::mark_sent(db, o.id, o.message_ids, now); break;
                case Outcome::Kind::manual: repo::mark_manual(db, o.id, o.text, now); break;
                case Outcome::Kind::retry:
                    repo::add_message_ids(db, o.id, o.message_ids); // parts already accepted
                    repo::mark_retry(db, o.id, o.text, o.next_attempt_at, now);
                    break;
                case Outcome::Kind::failed:
                    repo::add_message_ids(db, o.id, o.message_ids);
                    repo::mark_failed(db, o.id, o.text, now);
                    break;
                }
            }
            return {};
        });
        if (!saved) {
            // The rows stay in flight; the next start reconciles them with the gateway.
            logger.error("outbox: cannot record outcomes", {{"rows", static_cast<std::int64_t>(batch.size())},
                                                            {"error", saved.error().message}});
        }
        lock.lock();
        committing_ = false;
        committed_ = upto;
        record_cv_.notify_all();
    }
}

} // namespace shiksha
