#pragma once
// State behind JobEngine, and how other engines start jobs (internal).

#include "shiksha/jobs.hpp"
#include "shiksha/log.hpp"
#include "shiksha/worker_pool.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace shiksha {

/// Handed to a running job: cancellation and progress reporting (stored, throttled).
class JobContext {
public:
    JobContext(JobEngine::Impl& engine, std::string id, std::shared_ptr<CancelToken> cancel)
        : engine_(engine), id_(std::move(id)), cancel_(std::move(cancel)) {}

    [[nodiscard]] const CancelToken& cancel_token() const noexcept { return *cancel_; }
    [[nodiscard]] const std::string& id() const noexcept { return id_; }
    /// Records progress (at most every 200 ms, and always the last step). Returns false once
    /// the job has been asked to stop.
    bool progress(std::int64_t done, std::int64_t total, std::string_view message = {});

private:
    JobEngine::Impl& engine_;
    std::string id_;
    std::shared_ptr<CancelToken> cancel_;
    std::chrono::steady_clock::time_point last_write_{};
};

struct JobEngine::Impl {
    using Work = std::function<Result<Json>(JobContext&)>;

    Impl(std::shared_ptr<detail::Store> s, Logger l, WorkerPool& w)
        : store(std::move(s)), logger(std::move(l)), workers(w) {}

    std::shared_ptr<detail::Store> store;
    Logger logger;
    WorkerPool& workers;
    std::mutex mu;
    std::condition_variable finished;
    std::map<std::string, std::shared_ptr<CancelToken>, std::less<>> active;

    /// Records a queued job and runs `work` on the worker pool. The job ends succeeded with
    /// the returned JSON, failed with the returned error, or cancelled.
    Result<Job> start(std::string kind, std::optional<std::int64_t> created_by, Work work);
    /// Marks jobs left queued/running by a previous process as failed. Called at open.
    Result<std::int64_t> fail_interrupted();
};

} // namespace shiksha
