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

#include <fmt/format.h>

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

    if (auto made = detail::create_private_directory(config.data_dir); !made) return std::unexpected(made.error());
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
