#include "shiksha/platform.hpp"

#include "analytics/analytics_engine_impl.hpp"
#include "auth/auth_engine_impl.hpp"
#include "clusters/cluster_engine_impl.hpp"
#include "core/files.hpp"
#include "core/owner_lock.hpp"
#include "core/text.hpp"
#include "delivery/delivery_engine_impl.hpp"
#include "export/export_engine_impl.hpp"
#include "jobs/job_engine_impl.hpp"
#include "manuals/manual_engine_impl.hpp"
#include "modules/module_engine_impl.hpp"
#include "retrieval/retrieval_engine_impl.hpp"
#include "store/store.hpp"
#include "translation/translation_engine_impl.hpp"
#include "videos/video_engine_impl.hpp"

#include "net/http_client.hpp"
#include "shiksha/version.hpp"
#include "store/delivery_repo.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <optional>

namespace shiksha {

int schema_version() noexcept {
    return detail::migrations().back().version;
}

struct Platform::Impl {
    Config config;
    // Held until everything below is gone (destroyed last): other openers see a live owner.
    std::optional<detail::DataDirLock> owner;
    Logger logger;
    MetricsRegistry metrics;
    std::shared_ptr<detail::Store> store;
    std::unique_ptr<AuthEngine> auth;
    std::unique_ptr<ClusterEngine> clusters;
    std::unique_ptr<JobEngine> jobs;
    std::unique_ptr<RetrievalEngine> retrieval;
    std::unique_ptr<ManualEngine> manuals;
    std::unique_ptr<TranslationEngine> translation;
    std::unique_ptr<ModuleEngine> modules;
    std::unique_ptr<ExportEngine> exports;
    std::unique_ptr<DeliveryEngine> delivery;
    DeliveryEngine::Impl* delivery_impl = nullptr; ///< to stop its dispatcher before the pool
    std::unique_ptr<VideoEngine> videos;
    std::unique_ptr<AnalyticsEngine> analytics;
    Timestamp started_at = now_utc();
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    // Declared last so it is destroyed first: queued tasks may still use the engines.
    std::unique_ptr<WorkerPool> workers;
};

Platform::Platform(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Platform::~Platform() {
    // The outbox dispatcher first: it posts sends to the pool.
    if (impl_ && impl_->delivery_impl) impl_->delivery_impl->stop();
    if (impl_ && impl_->workers) impl_->workers->shutdown();
}

Result<std::unique_ptr<Platform>> Platform::open(Config config) {
    if (auto ok = config.validate(); !ok) return std::unexpected(ok.error());
    auto impl = std::make_unique<Impl>();
    impl->logger = Logger(config.log_sink, config.log_level);

    if (auto made = detail::create_private_directory(config.data_dir); !made)
        return std::unexpected(made.error());
    auto owner = detail::DataDirLock::acquire(config.data_dir);
    if (!owner) return std::unexpected(owner.error());
    impl->owner = std::move(*owner);
    const bool sole_owner = impl->owner->sole_owner();
    auto store = detail::Store::open(config.data_dir / "shiksha.db", impl->logger);
    if (!store) return std::unexpected(store.error());
    impl->store = std::move(*store);

    impl->auth = std::make_unique<AuthEngine>(
        std::make_unique<AuthEngine::Impl>(impl->store, config.auth, impl->logger, impl->metrics));
    impl->clusters = std::make_unique<ClusterEngine>(
        std::make_unique<ClusterEngine::Impl>(ClusterEngine::Impl{impl->store, impl->logger}));
    impl->workers = std::make_unique<WorkerPool>(config.workers, impl->logger);

    auto jobs = std::make_unique<JobEngine::Impl>(impl->store, impl->logger, *impl->workers);
    // Only a process that has the directory to itself may call running jobs interrupted: with
    // another owner alive (a server, while this is a CLI command) they are really running.
    if (!sole_owner) {
        impl->logger.info("the data directory is also open elsewhere; leaving its jobs and sends alone",
                          {{"owner", impl->owner->recorded_owner()}});
    } else if (auto n = jobs->fail_interrupted(); n && *n > 0) {
        impl->logger.warn("jobs interrupted by the previous stop were marked failed", {{"jobs", *n}});
    }
    auto& jobs_impl = *jobs;
    impl->jobs = std::make_unique<JobEngine>(std::move(jobs));

    std::shared_ptr<const Embedder> embedder = config.providers.embedder;
    if (embedder) {
        impl->logger.info("custom embedder", {{"model", embedder->model()}});
    } else if (config.embeddings.base_url.empty()) {
        embedder = make_hash_embedder(config.embeddings.dimension == 0 ? 384 : config.embeddings.dimension);
    } else {
        auto remote =
            make_openai_embedder({config.embeddings.base_url, config.embeddings.api_key,
                                  config.embeddings.model, config.embeddings.dimension, 64, config.net});
        if (!remote) return std::unexpected(remote.error());
        embedder = std::move(*remote);
    }
    auto retrieval =
        std::make_unique<RetrievalEngine::Impl>(impl->store, embedder, config.data_dir / "index",
                                                config.retrieval, impl->logger, jobs_impl, impl->metrics);
    auto& retrieval_impl = *retrieval;
    impl->retrieval = std::make_unique<RetrievalEngine>(std::move(retrieval));
    impl->manuals = std::make_unique<ManualEngine>(std::make_unique<ManualEngine::Impl>(
        impl->store, config.data_dir, config.ingest, impl->logger, retrieval_impl, jobs_impl, impl->metrics));
    retrieval_impl.open();
    if (auto rechunk = impl->manuals->rechunk_outdated(); !rechunk) {
        impl->logger.error("could not start re-chunking old manuals", {{"error", rechunk.error().message}});
    }

    std::shared_ptr<const LlmClient> llm = config.providers.llm;
    if (llm) {
        impl->logger.info("custom LLM", {{"provider", llm->provider()}, {"model", llm->model()}});
    } else if (config.llm.configured()) {
        auto client = make_openai_chat_client(
            {config.llm.effective_base_url(), config.llm.api_key, config.llm.model, config.net});
        if (!client) return std::unexpected(client.error());
        llm = std::move(*client);
        impl->logger.info("LLM configured", {{"provider", llm->provider()}, {"model", llm->model()}});
    }
    // Translation providers in the configured order; the memory is always consulted first.
    std::vector<std::shared_ptr<const TranslationProvider>> chain;
    for (auto name : detail::split(config.translation.providers, ',')) {
        const auto p = detail::trim(name);
        if (p == "google") {
            if (config.translation.google_api_key.empty()) {
                return fail_field("SHIKSHA_GOOGLE_TRANSLATE_API_KEY",
                                  "the google translation provider needs SHIKSHA_GOOGLE_TRANSLATE_API_KEY");
            }
            auto g = make_google_translator(
                {config.translation.google_base_url, config.translation.google_api_key, config.net});
            if (!g) return std::unexpected(g.error());
            chain.push_back(std::move(*g));
        } else if (p == "bhashini") {
            if (config.translation.bhashini_api_key.empty() || config.translation.bhashini_user_id.empty()) {
                return fail_field(
                    "SHIKSHA_BHASHINI_API_KEY",
                    "the bhashini provider needs SHIKSHA_BHASHINI_USER_ID and SHIKSHA_BHASHINI_API_KEY");
            }
            BhashiniConfig b;
            b.pipeline_url = config.translation.bhashini_pipeline_url;
            b.user_id = config.translation.bhashini_user_id;
            b.api_key = config.translation.bhashini_api_key;
            b.net = config.net;
            auto made = make_bhashini_translator(b);
            if (!made) return std::unexpected(made.error());
            chain.push_back(std::move(*made));
        } else if (p == "llm") {
            if (!llm)
                return fail_field("SHIKSHA_LLM_API_KEY", "the llm translation provider needs an LLM: set "
                                                         "SHIKSHA_LLM_API_KEY or SHIKSHA_LLM_BASE_URL");
            chain.push_back(make_llm_translator(llm));
        }
    }
    impl->translation =
        std::make_unique<TranslationEngine>(std::make_unique<TranslationEngine::Impl>(TranslationEngine::Impl{
            impl->store, impl->logger, config.translation, std::move(chain), impl->metrics}));
    impl->modules = std::make_unique<ModuleEngine>(
        std::make_unique<ModuleEngine::Impl>(impl->store, impl->logger, *impl->retrieval, jobs_impl, llm,
                                             config.llm, impl->metrics, *impl->translation));

    impl->exports = std::make_unique<ExportEngine>(
        std::unique_ptr<ExportEngine::Impl>(new ExportEngine::Impl{impl->store,
                                                                   impl->logger,
                                                                   config.data_dir / "exports",
                                                                   config.exports,
                                                                   config.auth.jwt_secret,
                                                                   impl->metrics,
                                                                   *impl->modules,
                                                                   *impl->clusters,
                                                                   *impl->manuals,
                                                                   {}}));
    // Exports that expired while the platform was closed go now; the server sweeps periodically.
    if (auto swept = impl->exports->sweep_expired(); !swept) {
        impl->logger.warn("cannot sweep expired exports", {{"error", swept.error().message}});
    }

    auto gateway = detail::delivery::make_gateway(config);
    if (!gateway) return std::unexpected(gateway.error());
    auto delivery = std::make_unique<DeliveryEngine::Impl>(impl->store, impl->logger, config, impl->metrics,
                                                           *impl->modules, *impl->clusters, *impl->exports,
                                                           std::move(*gateway));
    impl->delivery_impl = delivery.get();
    impl->delivery = std::make_unique<DeliveryEngine>(std::move(delivery));
    // Rows a killed process left in flight are settled before anything new is sent.
    impl->delivery_impl->start(sole_owner);

    auto videos = VideoEngine::Impl::create(impl->store, impl->logger, config.videos, config.net,
                                            impl->metrics, *impl->modules, *impl->clusters, embedder);
    if (!videos) return std::unexpected(videos.error());
    (*videos)->llm = llm; // writes the search query when configured
    impl->videos = std::make_unique<VideoEngine>(std::move(*videos));

    impl->analytics = std::make_unique<AnalyticsEngine>(
        std::make_unique<AnalyticsEngine::Impl>(AnalyticsEngine::Impl{impl->store, impl->logger}));

    impl->logger.info("platform open", {{"data_dir", config.data_dir.string()},
                                        {"schema_version", impl->store->schema_version()},
                                        {"workers", static_cast<std::int64_t>(impl->workers->size())}});
    impl->config = std::move(config);
    return std::unique_ptr<Platform>(new Platform(std::move(impl)));
}

const Config& Platform::config() const noexcept {
    return impl_->config;
}
const Logger& Platform::logger() const noexcept {
    return impl_->logger;
}
MetricsRegistry& Platform::metrics() noexcept {
    return impl_->metrics;
}
WorkerPool& Platform::workers() noexcept {
    return *impl_->workers;
}
Result<void> Platform::check_health() {
    return impl_->store->read([](SQLite::Database& db) -> Result<void> {
        (void)db.execAndGet("SELECT 1").getInt();
        return {};
    });
}

namespace {

ProviderHealth provider(std::string name, std::string kind, bool configured, std::string endpoint) {
    ProviderHealth p{std::move(name),
                     std::move(kind),
                     configured,
                     configured ? std::move(endpoint) : "",
                     {},
                     {},
                     {},
                     0,
                     0};
    if (!p.endpoint.empty()) {
        if (auto seen = detail::endpoint_health(detail::endpoint_key(p.endpoint))) {
            p.last_success = seen->last_success;
            p.last_failure = seen->last_failure;
            p.last_error = seen->last_error;
            p.calls = seen->calls;
            p.failures = seen->failures;
        }
    }
    return p;
}

bool in_chain(std::string_view chain, std::string_view name) {
    for (auto part : detail::split(chain, ','))
        if (detail::ascii_lower(detail::trim(part)) == name) return true;
    return false;
}

} // namespace

HealthReport Platform::detailed_health() {
    auto& d = *impl_;
    const auto& c = d.config;
    HealthReport r;
    r.schema_version_supported = schema_version();
    r.schema_version = d.store->schema_version();
    if (auto ok = check_health(); ok) {
        r.database_ok = true;
    } else {
        r.database_error = ok.error().message;
    }
    std::error_code ec;
    r.data_dir = std::filesystem::absolute(c.data_dir, ec);
    if (ec) r.data_dir = c.data_dir;
    const auto space = std::filesystem::space(c.data_dir, ec);
    if (!ec) {
        r.disk_capacity_bytes = space.capacity;
        r.disk_free_bytes = space.free;
        r.disk_available_bytes = space.available;
    }
    if (auto stats = d.retrieval->stats()) {
        r.index_chunks = stats->chunks;
        r.index_vectors = stats->vectors;
        r.index_embedder = stats->embedder;
        r.index_dimension = stats->dimension;
        r.index_rebuilding = stats->rebuilding;
    }
    const bool custom_llm = c.providers.llm != nullptr;
    r.providers.push_back(provider("llm",
                                   custom_llm           ? "host-supplied"
                                   : c.llm.configured() ? "openai-compatible " + c.llm.model
                                                        : "offline rule-based adapter",
                                   custom_llm || c.llm.configured(),
                                   custom_llm ? "" : c.llm.effective_base_url()));
    const bool custom_embedder = c.providers.embedder != nullptr;
    r.providers.push_back(provider(
        "embeddings",
        custom_embedder                 ? "host-supplied"
        : c.embeddings.base_url.empty() ? "built-in hash embedder"
                                        : "openai-compatible " + c.embeddings.model,
        custom_embedder || !c.embeddings.base_url.empty(), custom_embedder ? "" : c.embeddings.base_url));
    r.providers.push_back(provider("translation.google", "Google Cloud Translation v2",
                                   in_chain(c.translation.providers, "google"),
                                   c.translation.google_base_url));
    r.providers.push_back(provider("translation.bhashini", "Bhashini (ULCA)",
                                   in_chain(c.translation.providers, "bhashini"),
                                   c.translation.bhashini_pipeline_url));
    r.providers.push_back(provider("translation.llm", "the llm provider",
                                   in_chain(c.translation.providers, "llm"),
                                   custom_llm ? "" : c.llm.effective_base_url()));
    const auto& g = c.delivery.gateway;
    r.providers.push_back(provider("whatsapp", g == "deeplink" ? "wa.me deep links" : g, g != "deeplink",
                                   g == "meta" ? c.delivery.meta_base_url : c.delivery.twilio_base_url));
    r.providers.push_back(provider("youtube", "YouTube Data API v3", !c.videos.youtube_api_key.empty(),
                                   c.videos.youtube_base_url));
    r.workers = d.workers->size();
    r.worker_queue = d.workers->queued();
    if (auto jobs = d.jobs->list({0, 1000})) {
        for (const auto& j : *jobs) {
            if (j.state == JobState::queued) ++r.jobs_queued;
            if (j.state == JobState::running) ++r.jobs_running;
        }
    }
    auto outbox = d.store->read(
        [](SQLite::Database& db) -> Result<int> { return detail::delivery_repo::unfinished(db, 0); });
    if (outbox) r.outbox_unfinished = *outbox;
    r.version = std::string(version_string);
    r.started_at = d.started_at;
    r.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - d.started).count();
    return r;
}

namespace {

Json optional_time(const std::optional<Timestamp>& t) {
    return t ? Json(format_timestamp(*t)) : Json();
}

} // namespace

Json to_json(const HealthReport& r) {
    Json providers = Json::object();
    for (const auto& p : r.providers) {
        providers[p.name] = Json::object({{"provider", p.provider},
                                          {"configured", p.configured},
                                          {"endpoint", p.endpoint.empty() ? Json() : Json(p.endpoint)},
                                          {"last_success", optional_time(p.last_success)},
                                          {"last_failure", optional_time(p.last_failure)},
                                          {"last_error", p.last_error.empty() ? Json() : Json(p.last_error)},
                                          {"calls", p.calls},
                                          {"failures", p.failures}});
    }
    const bool healthy = r.database_ok && r.schema_version == r.schema_version_supported;
    return Json::object(
        {{"status", healthy ? "healthy" : "unhealthy"},
         {"version", r.version},
         {"uptime_seconds", std::round(r.uptime_seconds * 10) / 10},
         {"started_at", format_timestamp(r.started_at)},
         {"database", Json::object({{"ok", r.database_ok},
                                    {"error", r.database_error.empty() ? Json() : Json(r.database_error)},
                                    {"schema_version", r.schema_version},
                                    {"schema_version_supported", r.schema_version_supported}})},
         {"disk", Json::object({{"path", r.data_dir.string()},
                                {"capacity_bytes", static_cast<std::int64_t>(r.disk_capacity_bytes)},
                                {"free_bytes", static_cast<std::int64_t>(r.disk_free_bytes)},
                                {"available_bytes", static_cast<std::int64_t>(r.disk_available_bytes)}})},
         {"index", Json::object({{"chunks", r.index_chunks},
                                 {"vectors", r.index_vectors},
                                 {"embedder", r.index_embedder},
                                 {"dimension", static_cast<std::int64_t>(r.index_dimension)},
                                 {"rebuilding", r.index_rebuilding}})},
         {"providers", std::move(providers)},
         {"queues", Json::object({{"workers", static_cast<std::int64_t>(r.workers)},
                                  {"worker_queue", static_cast<std::int64_t>(r.worker_queue)},
                                  {"jobs_queued", r.jobs_queued},
                                  {"jobs_running", r.jobs_running},
                                  {"whatsapp_outbox", r.outbox_unfinished}})}});
}

AuthEngine& Platform::auth() noexcept {
    return *impl_->auth;
}
ClusterEngine& Platform::clusters() noexcept {
    return *impl_->clusters;
}
JobEngine& Platform::jobs() noexcept {
    return *impl_->jobs;
}
ManualEngine& Platform::manuals() noexcept {
    return *impl_->manuals;
}
RetrievalEngine& Platform::retrieval() noexcept {
    return *impl_->retrieval;
}
ModuleEngine& Platform::modules() noexcept {
    return *impl_->modules;
}
TranslationEngine& Platform::translation() noexcept {
    return *impl_->translation;
}
ExportEngine& Platform::exports() noexcept {
    return *impl_->exports;
}
DeliveryEngine& Platform::delivery() noexcept {
    return *impl_->delivery;
}
VideoEngine& Platform::videos() noexcept {
    return *impl_->videos;
}
AnalyticsEngine& Platform::analytics() noexcept {
    return *impl_->analytics;
}

} // namespace shiksha
