#pragma once
// The approximate-nearest-neighbour index over chunk vectors (internal): hnswlib with the
// inner-product space over L2-normalised vectors (= cosine). Labels are chunk ids.
//
// HnswGraph is one index, not thread-safe. VectorIndex holds the live graph behind a
// shared_mutex (searches share, changes are exclusive), persists it next to a small JSON file
// that records the embedder model, counts and the file's SHA-256, and refuses to load a file
// that does not match what SQLite says should be in it.

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"
#include "shiksha/log.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace shiksha::detail {

using Neighbour = std::pair<std::int64_t, float>; ///< chunk id, cosine similarity

class HnswGraph {
public:
    HnswGraph(std::string model, std::size_t dimension, std::size_t capacity, const RetrievalConfig& config);
    ~HnswGraph();
    HnswGraph(const HnswGraph&) = delete;
    HnswGraph& operator=(const HnswGraph&) = delete;

    /// Loads `file`; throws nothing: errors come back as `unavailable`.
    [[nodiscard]] static Result<std::unique_ptr<HnswGraph>> load(const std::filesystem::path& file,
                                                                 std::string model, std::size_t dimension,
                                                                 const RetrievalConfig& config);

    void add(std::int64_t id, std::span<const float> vector); ///< grows as needed
    void remove(std::int64_t id);                             ///< unknown ids are ignored
    [[nodiscard]] std::vector<Neighbour> search(std::span<const float> query, std::size_t k) const;
    /// Exact cosine against the listed ids (those not in the index are skipped).
    [[nodiscard]] std::vector<Neighbour> exact(std::span<const float> query,
                                               std::span<const std::int64_t> ids, std::size_t k) const;
    [[nodiscard]] Result<void> save(const std::filesystem::path& file) const;

    [[nodiscard]] const std::string& model() const noexcept { return model_; }
    [[nodiscard]] std::size_t dimension() const noexcept { return dimension_; }
    [[nodiscard]] std::size_t live() const noexcept { return live_; }
    [[nodiscard]] std::int64_t max_id() const noexcept { return max_id_; }

private:
    struct Impl;
    HnswGraph(std::string model, std::size_t dimension, std::unique_ptr<Impl> impl);
    std::string model_;
    std::size_t dimension_;
    std::unique_ptr<Impl> impl_;
    std::size_t live_ = 0;
    std::int64_t max_id_ = 0;
};

/// What SQLite says the index must contain.
struct IndexFacts {
    std::string model;
    std::size_t dimension = 0;
    std::int64_t count = 0;
    std::int64_t max_id = 0;
};

class VectorIndex {
public:
    VectorIndex(std::filesystem::path dir, RetrievalConfig config, Logger logger);

    /// Loads the saved graph when its meta file, checksum, model and counts match `facts`.
    /// Returns false (and keeps nothing) when it does not: the caller rebuilds.
    [[nodiscard]] bool load(const IndexFacts& facts);
    /// Replaces the live graph (after a rebuild) and saves it.
    void install(std::unique_ptr<HnswGraph> graph);
    /// Adds vectors (creating the graph on first use with the vectors' dimension).
    [[nodiscard]] Result<void> add(const std::string& model, std::span<const std::int64_t> ids,
                                   std::span<const std::vector<float>> vectors);
    void remove(std::span<const std::int64_t> ids);
    /// Persists the live graph (atomic replace) and its meta file.
    [[nodiscard]] Result<void> save();

    [[nodiscard]] bool ready() const;
    [[nodiscard]] std::size_t live() const;
    [[nodiscard]] std::string model() const;
    [[nodiscard]] std::vector<Neighbour> search(std::span<const float> query, std::size_t k) const;
    [[nodiscard]] std::vector<Neighbour> exact(std::span<const float> query,
                                               std::span<const std::int64_t> ids, std::size_t k) const;

    [[nodiscard]] std::filesystem::path graph_file() const { return dir_ / "vectors.hnsw"; }
    [[nodiscard]] std::filesystem::path meta_file() const { return dir_ / "vectors.meta.json"; }
    [[nodiscard]] const RetrievalConfig& config() const noexcept { return config_; }

private:
    std::filesystem::path dir_;
    RetrievalConfig config_;
    Logger logger_;
    mutable std::shared_mutex mu_;
    std::mutex save_mu_;
    std::unique_ptr<HnswGraph> graph_;
};

} // namespace shiksha::detail
