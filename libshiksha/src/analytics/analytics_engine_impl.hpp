#pragma once
// State behind AnalyticsEngine (internal): the store, nothing else. Every call is one short
// read or write transaction, so the engine is thread-safe without a lock of its own.

#include "shiksha/analytics.hpp"
#include "shiksha/log.hpp"
#include "store/store.hpp"

#include <memory>

namespace shiksha {

struct AnalyticsEngine::Impl {
    std::shared_ptr<detail::Store> store;
    Logger logger;
};

} // namespace shiksha
