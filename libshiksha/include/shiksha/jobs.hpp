#pragma once
/// Long work (indexing a manual, re-embedding the library…) runs on the Platform's worker pool
/// as a job whose state and progress are stored, so a client can poll it and a restart can say
/// what was interrupted.
///
///     auto job = platform.manuals().index_async(manual_id);   // returns at once
///     auto now = platform.jobs().get(job->id);                // state, done/total, percent
///     platform.jobs().cancel(job->id);
///
/// Jobs that were queued or running when the process stopped are marked failed
/// ("interrupted") when the platform next opens. Thread-safe.

#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

enum class JobState { queued, running, succeeded, failed, cancelled };

[[nodiscard]] std::string_view to_string(JobState state) noexcept;

struct Job {
    std::string id;   ///< opaque, URL-safe
    std::string kind; ///< "manual.index", "retrieval.reembed"…
    JobState state = JobState::queued;
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::string message;        ///< what it is doing now ("OCR page 12 of 40")
    Json result;                ///< set when succeeded
    std::optional<Error> error; ///< set when failed or cancelled
    std::optional<std::int64_t> created_by;
    Timestamp created_at;
    Timestamp updated_at;

    /// 0–100; 100 once succeeded.
    [[nodiscard]] double percent() const noexcept;
};

/// Wire form: id, kind, state, done, total, percent, message, result, error {code, message}.
[[nodiscard]] Json to_json(const Job& job);

/// Obtained from `Platform::jobs()`; not constructible by hosts.
class JobEngine {
public:
    struct Impl;
    explicit JobEngine(std::unique_ptr<Impl> impl);
    ~JobEngine();
    JobEngine(const JobEngine&) = delete;
    JobEngine& operator=(const JobEngine&) = delete;

    [[nodiscard]] Result<Job> get(std::string_view id);
    /// Newest first; `kind` filters when non-empty.
    [[nodiscard]] Result<std::vector<Job>> list(Page page = {}, std::string_view kind = {});
    /// Asks a queued or running job to stop; it ends `cancelled` at its next check.
    /// `conflict` when it already finished.
    [[nodiscard]] Result<Job> cancel(std::string_view id);
    /// Blocks until the job has finished, or `timeout` has passed, and returns its state then
    /// (check `state`: a timeout returns a queued or running job, not an error).
    [[nodiscard]] Result<Job> wait(std::string_view id,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt);

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha
