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

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

/// Version of the newest schema this build knows (PRAGMA user_version after migration).
[[nodiscard]] int schema_version() noexcept;

/// An external service the platform talks to, and what this process's calls to it last did.
struct ProviderHealth {
    std::string name;        ///< "llm", "embeddings", "translation.google", "whatsapp", "youtube"…
    std::string provider;    ///< what answers: "groq/openai-compatible", "built-in", "twilio"…
    bool configured = false; ///< false: the offline default serves (no network)
    std::string endpoint;    ///< base URL, "" for built-in or host-supplied providers
    std::optional<Timestamp> last_success;
    std::optional<Timestamp> last_failure;
    std::string last_error; ///< of the last failure
    std::int64_t calls = 0;
    std::int64_t failures = 0;
};

/// Everything an operator checks first (GET /api/health/detailed).
struct HealthReport {
    bool database_ok = false;
    std::string database_error;       ///< why not, when not
    int schema_version = 0;           ///< of the open database
    int schema_version_supported = 0; ///< newest this build knows
    std::filesystem::path data_dir;
    std::uint64_t disk_capacity_bytes = 0; ///< of the file system holding the data directory
    std::uint64_t disk_free_bytes = 0;
    std::uint64_t disk_available_bytes = 0; ///< free to this process
    std::int64_t index_chunks = 0;
    std::int64_t index_vectors = 0;
    std::string index_embedder;
    std::size_t index_dimension = 0;
    bool index_rebuilding = false;
    std::vector<ProviderHealth> providers;
    unsigned workers = 0;         ///< threads of the worker pool
    std::size_t worker_queue = 0; ///< tasks waiting for one
    std::int64_t jobs_queued = 0; ///< among the newest 1,000 jobs
    std::int64_t jobs_running = 0;
    std::int64_t outbox_unfinished = 0; ///< WhatsApp messages pending or in flight
    std::string version;
    Timestamp started_at;
    double uptime_seconds = 0;
};

[[nodiscard]] Json to_json(const HealthReport& report);

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
    /// The operator's view: database, schema, disk, index, providers, queues, version, uptime.
    /// Never fails: what cannot be read is reported as such (database_ok false, zeros).
    [[nodiscard]] HealthReport detailed_health();

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
