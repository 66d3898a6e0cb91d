#pragma once
// State behind RetrievalEngine, and what the manual engine calls when chunks change (internal).

#include "jobs/job_engine_impl.hpp"
#include "retrieval/vector_index.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/retrieval.hpp"
#include "store/store.hpp"

#include <atomic>
#include <mutex>

namespace shiksha {

struct RetrievalEngine::Impl {
    Impl(std::shared_ptr<detail::Store> store, std::shared_ptr<const Embedder> embedder,
         std::filesystem::path index_dir, RetrievalConfig config, Logger logger, JobEngine::Impl& jobs,
         MetricsRegistry& metrics);

    std::shared_ptr<detail::Store> store;
    std::shared_ptr<const Embedder> embedder;
    detail::VectorIndex index;
    RetrievalConfig config;
    Logger logger;
    JobEngine::Impl& jobs;
    Histogram& search_seconds;

    std::atomic<bool> rebuilding{false};
    std::mutex rebuild_mu; ///< guards removed_while_rebuilding
    std::vector<std::int64_t> removed_while_rebuilding;

    /// At open: load the saved vector index if it matches the database, otherwise start a
    /// rebuild job (re-embedding chunks that have no vector for the current embedder).
    void open();
    /// Embeds chunk texts in batches; `progress(done, total)` after each batch.
    [[nodiscard]] Result<std::vector<std::vector<float>>>
    embed_all(std::span<const std::string> texts, const CancelToken* cancel,
              const std::function<void(std::size_t, std::size_t)>& progress);
    /// After the database committed a manual's new chunks (and dropped its old ones).
    void chunks_replaced(std::span<const std::int64_t> removed, std::span<const std::int64_t> added,
                         std::span<const std::vector<float>> vectors);
    /// After the database deleted chunks.
    void chunks_removed(std::span<const std::int64_t> removed);
    [[nodiscard]] std::string model() const { return embedder->model(); }

private:
    Result<Json> rebuild(JobContext& ctx);
    void persist();
};

} // namespace shiksha
