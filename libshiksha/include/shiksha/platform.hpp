#pragma once
/// The facade: open a data directory and get every engine.
///
///     shiksha::Config cfg;
///     cfg.data_dir = "/tmp/shiksha-demo";
///     auto platform = shiksha::Platform::open(cfg);
///     if (!platform) { std::cerr << platform.error().message << '\n'; return 1; }
///     auto clusters = (*platform)->clusters().list();
///
/// open() creates the data directory, opens (or creates) `<data_dir>/shiksha.db`, applies
/// pending schema migrations and refuses a database written by a newer version
/// (`unavailable`, nothing is altered). It marks jobs interrupted by a previous stop as
/// failed, builds the configured providers (the built-in embedder unless
/// `embeddings.base_url` is set) and loads the vector index, starting a rebuild job when the
/// saved index is missing, damaged or from another embedder. The Platform owns the store, the worker pool and
/// every engine; it is thread-safe and must outlive every reference it hands out.

#include "shiksha/analytics.hpp"
#include "shiksha/auth.hpp"
#include "shiksha/clusters.hpp"
#include "shiksha/config.hpp"
#include "shiksha/delivery.hpp"
#include "shiksha/error.hpp"
#include "shiksha/exports.hpp"
#include "shiksha/jobs.hpp"
#include "shiksha/log.hpp"
#include "shiksha/manuals.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/modules.hpp"
#include "shiksha/retrieval.hpp"
#include "shiksha/translation.hpp"
#include "shiksha/videos.hpp"
#include "shiksha/worker_pool.hpp"

#include <filesystem>
#include <memory>

namespace shiksha {

/// Version of the newest schema this build knows (PRAGMA user_version after migration).
[[nodiscard]] int schema_version() noexcept;

class Platform {
public:
    [[nodiscard]] static Result<std::unique_ptr<Platform>> open(Config config);
    ~Platform();
    Platform(const Platform&) = delete;
    Platform& operator=(const Platform&) = delete;

    [[nodiscard]] const Config& config() const noexcept;
    [[nodiscard]] const Logger& logger() const noexcept;
    [[nodiscard]] MetricsRegistry& metrics() noexcept;
    [[nodiscard]] WorkerPool& workers() noexcept;

    /// Cheap liveness probe: the database answers a query. `unavailable` otherwise.
    [[nodiscard]] Result<void> check_health();

    [[nodiscard]] AuthEngine& auth() noexcept;
    [[nodiscard]] ClusterEngine& clusters() noexcept;
    [[nodiscard]] JobEngine& jobs() noexcept;
    [[nodiscard]] ManualEngine& manuals() noexcept;
    [[nodiscard]] RetrievalEngine& retrieval() noexcept;
    [[nodiscard]] ModuleEngine& modules() noexcept;
    [[nodiscard]] TranslationEngine& translation() noexcept;
    [[nodiscard]] ExportEngine& exports() noexcept;
    [[nodiscard]] DeliveryEngine& delivery() noexcept;
    [[nodiscard]] VideoEngine& videos() noexcept;
    [[nodiscard]] AnalyticsEngine& analytics() noexcept;

private:
    struct Impl;
    explicit Platform(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace shiksha
