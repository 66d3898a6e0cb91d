#pragma once
// State behind TranslationEngine (internal; Platform constructs it).

#include "shiksha/config.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/providers.hpp"
#include "shiksha/translation.hpp"
#include "store/store.hpp"

namespace shiksha {

struct TranslationEngine::Impl {
    std::shared_ptr<detail::Store> store;
    Logger logger;
    TranslationConfig config;
    /// Providers in the configured order ("memory" is not one: the memory is always asked first).
    std::vector<std::shared_ptr<const TranslationProvider>> chain;
    MetricsRegistry& metrics;
};

} // namespace shiksha
