#pragma once
// State behind VideoEngine (internal; Platform constructs it).

#include "shiksha/clusters.hpp"
#include "shiksha/config.hpp"
#include "shiksha/log.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/modules.hpp"
#include "shiksha/providers.hpp"
#include "shiksha/videos.hpp"
#include "store/store.hpp"
#include "videos/video_source.hpp"

#include <memory>

namespace shiksha {

namespace detail::videos {

/// The search text for a module: title (or topic), a key term or two from the summary, the
/// cluster's constraint ("without lab", "low cost") and the language name when not English,
/// cut at a word boundary to at most `max_chars` characters.
[[nodiscard]] std::string module_query(const Module& module, const Cluster* cluster,
                                       std::size_t max_chars = 60);

/// Weighted score in [0, 1] and a short reason. `similarity` is the cosine of the embeddings,
/// `overlap` the share of the module's key terms found in the video's title and description.
struct Score {
    double value = 0;
    std::string reason;
};
[[nodiscard]] Score score_video(const Video& video, double similarity, double overlap,
                                std::string_view language_key);

/// The LLM's search query for the module, accepted only when it is one line of 3–60 characters,
/// without links, quotes or hashtags, and shares a word with `rule_query` (so it is on topic);
/// otherwise `invalid_argument` saying why (the caller keeps the rule-built query).
[[nodiscard]] Result<std::string> llm_query(const LlmClient& llm, const Module& module,
                                            const Cluster* cluster, std::string_view rule_query,
                                            std::size_t max_chars = 60);

} // namespace detail::videos

struct VideoEngine::Impl {
    /// Builds the YouTube source when `config` has a key (its calls are recorded here).
    [[nodiscard]] static Result<std::unique_ptr<Impl>> create(std::shared_ptr<detail::Store> store,
                                                              Logger logger, VideoConfig config,
                                                              const NetConfig& net, MetricsRegistry& metrics,
                                                              ModuleEngine& modules, ClusterEngine& clusters,
                                                              std::shared_ptr<const Embedder> embedder);
    Impl(std::shared_ptr<detail::Store> store, Logger logger, VideoConfig config, MetricsRegistry& metrics,
         ModuleEngine& modules, ClusterEngine& clusters, std::shared_ptr<const Embedder> embedder);

    std::shared_ptr<detail::Store> store;
    Logger logger;
    VideoConfig config;
    MetricsRegistry& metrics;
    ModuleEngine& modules;
    ClusterEngine& clusters;
    std::shared_ptr<const Embedder> embedder;
    std::unique_ptr<detail::videos::VideoSource> youtube; ///< null without an API key
    std::shared_ptr<const LlmClient> llm;                 ///< null without an LLM: rule-built queries

    /// Records a call in the ledger, the metrics and the log.
    void record_call(const detail::videos::SourceCall& call);
};

} // namespace shiksha
