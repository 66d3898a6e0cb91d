#pragma once
// State behind ClusterEngine (internal; Platform constructs it).

#include "shiksha/clusters.hpp"
#include "shiksha/log.hpp"
#include "store/store.hpp"

#include <memory>

namespace shiksha {

struct ClusterEngine::Impl {
    std::shared_ptr<detail::Store> store;
    Logger logger;
};

} // namespace shiksha
