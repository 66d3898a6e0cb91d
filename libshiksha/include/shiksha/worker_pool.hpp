#pragma once
/// The one pool of worker threads a Platform owns. Long or blocking work (database writes,
/// indexing, provider calls) runs here, never on the server's I/O threads.
///
///     platform.workers().post([&] { do_slow_thing(); });
///
/// Thread-safe. Tasks must not throw; an escaping exception is caught and logged as a bug.
/// Destruction (or shutdown()) stops taking new tasks, finishes the queued ones and joins.

#include <cstddef>
#include <functional>
#include <memory>

namespace shiksha {

class Logger;

class WorkerPool {
public:
    /// `threads` == 0 means one per hardware thread (at least 2).
    WorkerPool(unsigned threads, const Logger& logger);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues a task. Returns false (and drops it) once shutdown has begun.
    bool post(std::function<void()> task);

    /// Stops accepting tasks, drains the queue, joins the threads. Idempotent.
    void shutdown();

    [[nodiscard]] unsigned size() const noexcept;
    [[nodiscard]] std::size_t queued() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha
