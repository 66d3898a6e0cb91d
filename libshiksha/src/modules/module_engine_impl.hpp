#pragma once
// State behind ModuleEngine (internal; Platform constructs it).

#include "jobs/job_engine_impl.hpp"
#include "shiksha/config.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/modules.hpp"
#include "shiksha/providers.hpp"
#include "shiksha/retrieval.hpp"
#include "shiksha/translation.hpp"
#include "store/store.hpp"

namespace shiksha {

struct ModuleEngine::Impl {
    Impl(std::shared_ptr<detail::Store> s, Logger l, RetrievalEngine& r, JobEngine::Impl& j,
         std::shared_ptr<const LlmClient> client, LlmConfig c, MetricsRegistry& m, TranslationEngine& t)
        : store(std::move(s)), logger(std::move(l)), retrieval(r), jobs(j), llm(std::move(client)),
          llm_config(std::move(c)), metrics(m), translation(t) {}

    std::shared_ptr<detail::Store> store;
    Logger logger;
    RetrievalEngine& retrieval;
    JobEngine::Impl& jobs;
    std::shared_ptr<const LlmClient> llm; ///< null: offline
    LlmConfig llm_config;
    MetricsRegistry& metrics;
    TranslationEngine& translation;
};

} // namespace shiksha
