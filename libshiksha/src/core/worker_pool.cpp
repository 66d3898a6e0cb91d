#include "shiksha/worker_pool.hpp"

#include "shiksha/log.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace shiksha {

struct WorkerPool::Impl {
    Logger logger;
    mutable std::mutex mu;
    std::condition_variable ready;
    std::deque<std::function<void()>> queue;
    bool stopping = false;
    std::vector<std::thread> threads;

    void run() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(mu);
                ready.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty()) return; // stopping and drained
                task = std::move(queue.front());
                queue.pop_front();
            }
            try {
                task();
            } catch (const std::exception& e) {
                logger.error("worker task threw (a bug: tasks must not throw)", {{"what", e.what()}});
            } catch (...) {
                logger.error("worker task threw a non-standard exception (a bug)");
            }
        }
    }
};

WorkerPool::WorkerPool(unsigned threads, const Logger& logger) : impl_(std::make_unique<Impl>()) {
    impl_->logger = logger;
    if (threads == 0) threads = std::max(2u, std::thread::hardware_concurrency());
    impl_->threads.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) {
        impl_->threads.emplace_back([impl = impl_.get()] { impl->run(); });
    }
}

WorkerPool::~WorkerPool() {
    shutdown();
}

bool WorkerPool::post(std::function<void()> task) {
    {
        const std::lock_guard lock(impl_->mu);
        if (impl_->stopping) return false;
        impl_->queue.push_back(std::move(task));
    }
    impl_->ready.notify_one();
    return true;
}

void WorkerPool::shutdown() {
    {
        const std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->ready.notify_all();
    for (auto& t : impl_->threads) {
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    }
}

unsigned WorkerPool::size() const noexcept {
    return static_cast<unsigned>(impl_->threads.size());
}

std::size_t WorkerPool::queued() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->queue.size();
}

} // namespace shiksha
