#include "shiksha/jobs.hpp"

#include "core/random.hpp"
#include "jobs/job_engine_impl.hpp"
#include "store/manual_repo.hpp"

#include <fmt/format.h>

#include <cmath>

namespace shiksha {

std::string_view to_string(JobState state) noexcept {
    switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
    }
    return "failed";
}

double Job::percent() const noexcept {
    if (state == JobState::succeeded) return 100.0;
    if (total <= 0) return 0.0;
    return std::round(1000.0 * static_cast<double>(std::min(done, total)) / static_cast<double>(total)) /
           10.0;
}

Json to_json(const Job& job) {
    return Json::object({
        {"id", job.id},
        {"kind", job.kind},
        {"state", to_string(job.state)},
        {"status", to_string(job.state)},
        {"done", job.done},
        {"total", job.total},
        {"percent", job.percent()},
        {"message", job.message},
        {"result", job.result},
        {"error", job.error
                      ? Json::object({{"code", to_string(job.error->code)}, {"message", job.error->message}})
                      : Json()},
        {"created_at", format_timestamp(job.created_at)},
        {"updated_at", format_timestamp(job.updated_at)},
    });
}

bool JobContext::progress(std::int64_t done, std::int64_t total, std::string_view message) {
    const auto now = std::chrono::steady_clock::now();
    if (done >= total || now - last_write_ >= std::chrono::milliseconds(200)) {
        last_write_ = now;
        (void)engine_.store->write([&](SQLite::Database& db) -> Result<void> {
            detail::job_repo::update_progress(db, id_, done, total, message, now_utc());
            return {};
        });
    }
    return !cancel_->cancelled();
}

Result<Job> JobEngine::Impl::start(std::string kind, std::optional<std::int64_t> created_by, Work work) {
    Job job;
    job.id = detail::random_token(12);
    job.kind = std::move(kind);
    job.created_by = created_by;
    job.created_at = job.updated_at = now_utc();
    job.message = "queued";
    if (auto ok = store->write([&](SQLite::Database& db) -> Result<void> {
            detail::job_repo::insert(db, job);
            return {};
        });
        !ok) {
        return std::unexpected(ok.error());
    }
    auto cancel = std::make_shared<CancelToken>();
    {
        const std::lock_guard lock(mu);
        active.emplace(job.id, cancel);
    }
    const bool posted = workers.post([this, id = job.id, kind = job.kind, cancel, work = std::move(work)] {
        (void)store->write([&](SQLite::Database& db) -> Result<void> {
            detail::job_repo::set_state(db, id, JobState::running, now_utc());
            return {};
        });
        JobContext ctx(*this, id, cancel);
        Result<Json> outcome = fail(ErrorCode::internal, "job did not run");
        try {
            outcome = work(ctx);
        } catch (const std::exception& e) {
            outcome = fail(ErrorCode::internal, fmt::format("unexpected error: {}", e.what()));
        }
        JobState state = JobState::succeeded;
        std::optional<Error> error;
        Json result;
        if (outcome) {
            result = std::move(*outcome);
        } else if (cancel->cancelled()) {
            state = JobState::cancelled;
            error = Error{ErrorCode::deadline_exceeded, "cancelled", {}};
        } else {
            state = JobState::failed;
            error = outcome.error();
        }
        (void)store->write([&](SQLite::Database& db) -> Result<void> {
            detail::job_repo::finish(db, id, state, result, error, now_utc());
            return {};
        });
        logger.log(state == JobState::failed ? LogLevel::warn : LogLevel::info, "job finished",
                   {{"job_id", id},
                    {"kind", kind},
                    {"state", to_string(state)},
                    {"error", error ? Json(error->message) : Json()}});
        {
            const std::lock_guard lock(mu);
            active.erase(id);
        }
        finished.notify_all();
    });
    if (!posted) {
        {
            const std::lock_guard lock(mu);
            active.erase(job.id);
        }
        (void)store->write([&](SQLite::Database& db) -> Result<void> {
            detail::job_repo::finish(db, job.id, JobState::failed, Json(),
                                     Error{ErrorCode::unavailable, "shutting down", {}}, now_utc());
            return {};
        });
        return fail(ErrorCode::unavailable, "the platform is shutting down; the job was not started");
    }
    return job;
}

Result<std::int64_t> JobEngine::Impl::fail_interrupted() {
    return store->write([](SQLite::Database& db) -> Result<std::int64_t> {
        return detail::job_repo::fail_interrupted(db, now_utc());
    });
}

JobEngine::JobEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JobEngine::~JobEngine() = default;

Result<Job> JobEngine::get(std::string_view id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<Job> {
        auto job = detail::job_repo::get(db, id);
        if (!job) return fail(ErrorCode::not_found, fmt::format("Job '{}' not found", id));
        return *job;
    });
}

Result<std::vector<Job>> JobEngine::list(Page page, std::string_view kind) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Job>> {
        return detail::job_repo::list(db, page, kind);
    });
}

Result<Job> JobEngine::cancel(std::string_view id) {
    {
        const std::lock_guard lock(impl_->mu);
        if (auto it = impl_->active.find(id); it != impl_->active.end()) {
            it->second->cancel();
            return get(id);
        }
    }
    auto job = get(id);
    if (!job) return job;
    return fail(ErrorCode::conflict,
                fmt::format("Job '{}' has already finished ({})", id, to_string(job->state)));
}

Result<Job> JobEngine::wait(std::string_view id, std::optional<std::chrono::milliseconds> timeout) {
    {
        std::unique_lock lock(impl_->mu);
        const auto done = [&] { return !impl_->active.contains(id); };
        if (timeout)
            impl_->finished.wait_for(lock, *timeout, done);
        else
            impl_->finished.wait(lock, done);
    }
    return get(id);
}

} // namespace shiksha
