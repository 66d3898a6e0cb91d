#include "retrieval/vector_index.hpp"

#include "auth/crypto.hpp"
#include "core/files.hpp"
#include "core/random.hpp"
#include "shiksha/json.hpp"

#include <fmt/format.h>
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace shiksha::detail {

namespace {

Result<std::string> read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot read {}", shown_path(p, p.parent_path().parent_path())));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result<std::string> file_sha256(const std::filesystem::path& p) {
    auto bytes = read_file(p);
    if (!bytes) return std::unexpected(bytes.error());
    return hex_encode(sha256(*bytes));
}

float dot(std::span<const float> a, std::span<const float> b) {
    float s = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        s += a[i] * b[i];
    return s;
}

} // namespace

struct HnswGraph::Impl {
    hnswlib::InnerProductSpace space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
    explicit Impl(std::size_t dim) : space(dim) {}
};

HnswGraph::HnswGraph(std::string model, std::size_t dimension, std::unique_ptr<Impl> impl)
    : model_(std::move(model)), dimension_(dimension), impl_(std::move(impl)) {}

HnswGraph::HnswGraph(std::string model, std::size_t dimension, std::size_t capacity,
                     const RetrievalConfig& config)
    : model_(std::move(model)), dimension_(dimension), impl_(std::make_unique<Impl>(dimension)) {
    impl_->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        &impl_->space, std::max<std::size_t>(capacity, 64), config.hnsw_m, config.hnsw_ef_construction);
    impl_->hnsw->setEf(config.hnsw_ef_search);
}

HnswGraph::~HnswGraph() = default;

Result<std::unique_ptr<HnswGraph>> HnswGraph::load(const std::filesystem::path& file, std::string model,
                                                   std::size_t dimension, const RetrievalConfig& config) {
    auto impl = std::make_unique<Impl>(dimension);
    try {
        impl->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, file.string());
    } catch (const std::exception& e) {
        return fail(
            ErrorCode::unavailable,
            fmt::format("cannot load {}: {}", shown_path(file, file.parent_path().parent_path()), e.what()));
    }
    impl->hnsw->setEf(config.hnsw_ef_search);
    std::unique_ptr<HnswGraph> graph(new HnswGraph(std::move(model), dimension, std::move(impl)));
    auto& h = *graph->impl_->hnsw;
    for (const auto& [label, internal] : h.label_lookup_) {
        if (h.isMarkedDeleted(internal)) continue;
        ++graph->live_;
        graph->max_id_ = std::max(graph->max_id_, static_cast<std::int64_t>(label));
    }
    return graph;
}

void HnswGraph::add(std::int64_t id, std::span<const float> vector) {
    auto& h = *impl_->hnsw;
    if (h.cur_element_count >= h.max_elements_) h.resizeIndex(std::max<std::size_t>(64, h.max_elements_ * 2));
    h.addPoint(vector.data(), static_cast<hnswlib::labeltype>(id));
    ++live_;
    max_id_ = std::max(max_id_, id);
}

void HnswGraph::remove(std::int64_t id) {
    auto& h = *impl_->hnsw;
    auto it = h.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
    if (it == h.label_lookup_.end() || h.isMarkedDeleted(it->second)) return;
    h.markDelete(static_cast<hnswlib::labeltype>(id));
    --live_;
}

std::vector<Neighbour> HnswGraph::search(std::span<const float> query, std::size_t k) const {
    std::vector<Neighbour> out;
    if (live_ == 0 || query.size() != dimension_) return out;
    auto pq = impl_->hnsw->searchKnn(query.data(), std::min(k, live_));
    while (!pq.empty()) {
        out.emplace_back(static_cast<std::int64_t>(pq.top().second), 1.0f - pq.top().first);
        pq.pop();
    }
    std::reverse(out.begin(), out.end()); // best first
    return out;
}

std::vector<Neighbour> HnswGraph::exact(std::span<const float> query, std::span<const std::int64_t> ids,
                                        std::size_t k) const {
    std::vector<Neighbour> out;
    if (query.size() != dimension_) return out;
    const auto& h = *impl_->hnsw;
    for (auto id : ids) {
        auto it = h.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
        if (it == h.label_lookup_.end() || h.isMarkedDeleted(it->second)) continue;
        const auto* v = reinterpret_cast<const float*>(h.getDataByInternalId(it->second));
        out.emplace_back(id, dot(query, std::span<const float>(v, dimension_)));
    }
    const auto n = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(),
                      [](const auto& a, const auto& b) { return a.second > b.second; });
    out.resize(n);
    return out;
}

Result<void> HnswGraph::save(const std::filesystem::path& file) const {
    try {
        impl_->hnsw->saveIndex(file.string());
    } catch (const std::exception& e) {
        return fail(
            ErrorCode::unavailable,
            fmt::format("cannot save {}: {}", shown_path(file, file.parent_path().parent_path()), e.what()));
    }
    return {};
}

VectorIndex::VectorIndex(std::filesystem::path dir, RetrievalConfig config, Logger logger)
    : dir_(std::move(dir)), config_(config), logger_(std::move(logger)) {}

bool VectorIndex::load(const IndexFacts& facts) {
    std::error_code ec;
    if (!std::filesystem::exists(graph_file(), ec) || !std::filesystem::exists(meta_file(), ec)) {
        if (facts.count > 0) logger_.warn("vector index file missing; rebuilding from the database");
        return false;
    }
    auto meta_text = read_file(meta_file());
    auto meta = meta_text ? Json::parse(*meta_text) : Result<Json>(std::unexpected(meta_text.error()));
    auto str = [&](std::string_view k) -> std::string {
        const Json* v = meta ? meta->find(k) : nullptr;
        return v && v->is_string() ? v->as_string() : std::string();
    };
    auto num = [&](std::string_view k) -> std::int64_t {
        const Json* v = meta ? meta->find(k) : nullptr;
        return v && v->is_int() ? v->as_int() : -1;
    };
    auto reject = [&](std::string_view why) {
        logger_.warn("vector index not used; rebuilding from the database", {{"reason", why}});
        return false;
    };
    if (!meta) return reject("the meta file is unreadable");
    if (str("model") != facts.model || num("dimension") != static_cast<std::int64_t>(facts.dimension)) {
        return reject("it was built with another embedder");
    }
    if (num("live") != facts.count || num("max_id") != facts.max_id) {
        return reject("it does not hold the vectors the database has (an unfinished write?)");
    }
    auto sum = file_sha256(graph_file());
    if (!sum || *sum != str("sha256")) return reject("its checksum does not match (damaged file)");
    auto graph = HnswGraph::load(graph_file(), facts.model, facts.dimension, config_);
    if (!graph) return reject(graph.error().message);
    if (static_cast<std::int64_t>((*graph)->live()) != facts.count)
        return reject("its element count is wrong");
    const std::unique_lock lock(mu_);
    graph_ = std::move(*graph);
    logger_.info("vector index loaded", {{"vectors", facts.count}, {"model", facts.model}});
    return true;
}

void VectorIndex::install(std::unique_ptr<HnswGraph> graph) {
    {
        const std::unique_lock lock(mu_);
        graph_ = std::move(graph);
    }
    if (auto ok = save(); !ok)
        logger_.warn("could not save the vector index", {{"error", ok.error().message}});
}

Result<void> VectorIndex::add(const std::string& model, std::span<const std::int64_t> ids,
                              std::span<const std::vector<float>> vectors) {
    if (ids.size() != vectors.size()) return fail(ErrorCode::internal, "ids and vectors differ in number");
    if (vectors.empty()) return {};
    const std::unique_lock lock(mu_);
    if (!graph_ || graph_->model() != model) {
        graph_ = std::make_unique<HnswGraph>(model, vectors.front().size(), vectors.size() * 2, config_);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (vectors[i].size() != graph_->dimension()) {
            return fail(ErrorCode::internal, fmt::format("vector of length {} for an index of dimension {}",
                                                         vectors[i].size(), graph_->dimension()));
        }
        graph_->add(ids[i], vectors[i]);
    }
    return {};
}

void VectorIndex::remove(std::span<const std::int64_t> ids) {
    const std::unique_lock lock(mu_);
    if (!graph_) return;
    for (auto id : ids)
        graph_->remove(id);
}

Result<void> VectorIndex::save() {
    const std::lock_guard save_lock(save_mu_);
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
        return fail(ErrorCode::unavailable,
                    fmt::format("cannot create {}: {}", shown_path(dir_, dir_.parent_path()), ec.message()));
    const auto tmp = dir_ / ("vectors.hnsw.tmp-" + random_hex(4));
    Json meta;
    {
        const std::shared_lock lock(mu_); // saving reads the graph; searches may continue
        if (!graph_) return {};
        if (auto ok = graph_->save(tmp); !ok) return ok;
        meta = Json::object({{"model", graph_->model()},
                             {"dimension", static_cast<std::int64_t>(graph_->dimension())},
                             {"live", static_cast<std::int64_t>(graph_->live())},
                             {"max_id", graph_->max_id()}});
    }
    auto sum = file_sha256(tmp);
    if (!sum) return std::unexpected(sum.error());
    meta["sha256"] = *sum;
    // Meta first, graph second: a crash in between leaves a meta that does not match the
    // old graph's checksum, which load() treats as "rebuild" — never as valid.
    const auto meta_tmp = dir_ / ("vectors.meta.json.tmp-" + random_hex(4));
    {
        std::ofstream out(meta_tmp, std::ios::binary | std::ios::trunc);
        out << meta.dump();
        if (!out)
            return fail(ErrorCode::unavailable,
                        fmt::format("cannot write {}", shown_path(meta_tmp, dir_.parent_path())));
    }
    std::filesystem::rename(meta_tmp, meta_file(), ec);
    if (!ec) std::filesystem::rename(tmp, graph_file(), ec);
    if (ec)
        return fail(ErrorCode::unavailable, fmt::format("cannot replace the vector index: {}", ec.message()));
    return {};
}

bool VectorIndex::ready() const {
    const std::shared_lock lock(mu_);
    return graph_ != nullptr;
}

std::size_t VectorIndex::live() const {
    const std::shared_lock lock(mu_);
    return graph_ ? graph_->live() : 0;
}

std::string VectorIndex::model() const {
    const std::shared_lock lock(mu_);
    return graph_ ? graph_->model() : std::string();
}

std::vector<Neighbour> VectorIndex::search(std::span<const float> query, std::size_t k) const {
    const std::shared_lock lock(mu_);
    return graph_ ? graph_->search(query, k) : std::vector<Neighbour>{};
}

std::vector<Neighbour> VectorIndex::exact(std::span<const float> query, std::span<const std::int64_t> ids,
                                          std::size_t k) const {
    const std::shared_lock lock(mu_);
    return graph_ ? graph_->exact(query, ids, k) : std::vector<Neighbour>{};
}

} // namespace shiksha::detail
