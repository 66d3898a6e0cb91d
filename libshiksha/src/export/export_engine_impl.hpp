#pragma once
// State behind ExportEngine (internal; Platform constructs it).

#include "shiksha/clusters.hpp"
#include "shiksha/config.hpp"
#include "shiksha/exports.hpp"
#include "shiksha/log.hpp"
#include "shiksha/manuals.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/modules.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace shiksha {

struct ExportEngine::Impl {
    std::shared_ptr<detail::Store> store;
    Logger logger;
    std::filesystem::path directory; ///< <data_dir>/exports
    ExportConfig config;
    std::string link_secret; ///< signs public links (the JWT secret)
    MetricsRegistry& metrics;
    ModuleEngine& modules;
    ClusterEngine& clusters;
    ManualEngine& manuals;
    /// Held while a file is written and recorded, and while the sweeper looks for files no
    /// record owns, so it never deletes a file whose record is about to be inserted.
    std::mutex files;
};

} // namespace shiksha
