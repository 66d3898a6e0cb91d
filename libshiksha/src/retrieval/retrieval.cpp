#include "shiksha/retrieval.hpp"

#include "core/validate.hpp"
#include "ingest/text.hpp"
#include "retrieval/query.hpp"
#include "retrieval/retrieval_engine_impl.hpp"
#include "store/manual_repo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

namespace shiksha {

namespace {

constexpr std::size_t embed_batch = 64;

struct Candidate {
    std::optional<double> bm25;
    std::optional<double> vector;
    double fused = 0;
};

} // namespace

std::string_view to_string(SearchMode mode) noexcept {
    switch (mode) {
    case SearchMode::hybrid: return "hybrid";
    case SearchMode::lexical: return "lexical";
    case SearchMode::vector: return "vector";
    }
    return "hybrid";
}

Result<SearchMode> parse_search_mode(std::string_view text) {
    for (auto mode : {SearchMode::hybrid, SearchMode::lexical, SearchMode::vector}) {
        if (text == to_string(mode)) return mode;
    }
    return fail_field("mode", "mode: must be hybrid, lexical or vector");
}

Json to_json(const SearchHit& h) {
    return Json::object({
        {"chunk_id", h.chunk_id},
        {"manual_id", h.manual_id},
        {"manual_title", h.manual_title},
        {"page_start", h.page_start},
        {"page_end", h.page_end},
        {"section", h.section},
        {"text", h.text},
        {"scores", Json::object({{"bm25", h.bm25 ? Json(*h.bm25) : Json()},
                                 {"vector", h.vector ? Json(*h.vector) : Json()},
                                 {"fused", h.fused}})},
    });
}

Json to_json(const SearchResult& r) {
    Json hits = Json::array();
    for (const auto& h : r.hits)
        hits.push_back(to_json(h));
    return Json::object({{"hits", std::move(hits)}, {"vector_used", r.vector_used}, {"took_ms", r.took_ms}});
}

RetrievalEngine::Impl::Impl(std::shared_ptr<detail::Store> s, std::shared_ptr<const Embedder> e,
                            std::filesystem::path index_dir, RetrievalConfig c, Logger l, JobEngine::Impl& j,
                            MetricsRegistry& metrics)
    : store(std::move(s)), embedder(std::move(e)), index(std::move(index_dir), c, l), config(c),
      logger(std::move(l)), jobs(j),
      search_seconds(metrics.histogram("shiksha_search_duration_seconds", "Hybrid search latency")) {}

void RetrievalEngine::Impl::open() {
    const std::string current = model();
    struct State {
        std::optional<std::string> previous;
        detail::IndexFacts facts;
        std::int64_t missing = 0;
        std::optional<std::string> stored_dimension;
    };
    auto state = store->write([&](SQLite::Database& db) -> Result<State> {
        State s;
        s.previous = detail::settings_repo::get(db, "vectors.model");
        if (s.previous && *s.previous != current) {
            // Vectors of two models live in different spaces: never mix, re-embed instead.
            detail::chunk_repo::drop_other_models(db, current);
            detail::settings_repo::put(db, "vectors.dimension", "");
        }
        detail::settings_repo::put(db, "vectors.model", current);
        s.stored_dimension = detail::settings_repo::get(db, "vectors.dimension");
        s.facts.model = current;
        s.facts.count = detail::chunk_repo::vector_count(db, current);
        s.facts.max_id = detail::chunk_repo::max_vector_id(db, current);
        s.missing = detail::chunk_repo::missing_vector_count(db, current);
        return s;
    });
    if (!state) {
        logger.error("cannot read the vector index state; vector search is off",
                     {{"error", state.error().message}});
        return;
    }
    if (state->previous && *state->previous != current) {
        logger.warn("the embedder changed; re-embedding every chunk",
                    {{"from", *state->previous}, {"to", current}, {"chunks", state->missing}});
    }
    std::size_t dim = embedder->dimension();
    if (dim == 0 && state->stored_dimension && !state->stored_dimension->empty()) {
        dim = static_cast<std::size_t>(std::stoll(*state->stored_dimension));
    }
    state->facts.dimension = dim;
    const bool loaded = state->facts.count > 0 && dim > 0 && index.load(state->facts);
    if ((state->facts.count > 0 && !loaded) || state->missing > 0) {
        rebuilding = true;
        auto job =
            jobs.start("retrieval.rebuild", std::nullopt, [this](JobContext& ctx) { return rebuild(ctx); });
        if (!job) {
            rebuilding = false;
            logger.error("could not start the vector index rebuild", {{"error", job.error().message}});
        }
    }
}

Result<std::vector<std::vector<float>>>
RetrievalEngine::Impl::embed_all(std::span<const std::string> texts, const CancelToken* cancel,
                                 const std::function<void(std::size_t, std::size_t)>& progress) {
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (std::size_t i = 0; i < texts.size(); i += embed_batch) {
        const auto batch = texts.subspan(i, std::min(embed_batch, texts.size() - i));
        auto vectors = embedder->embed(batch, cancel);
        if (!vectors) return std::unexpected(vectors.error());
        if (vectors->size() != batch.size()) {
            return fail(ErrorCode::internal, fmt::format("the embedder returned {} vectors for {} texts",
                                                         vectors->size(), batch.size()));
        }
        for (auto& v : *vectors)
            out.push_back(std::move(v));
        if (progress) progress(out.size(), texts.size());
    }
    return out;
}

void RetrievalEngine::Impl::persist() {
    if (auto ok = index.save(); !ok) {
        logger.warn("could not save the vector index (it will be rebuilt at the next start)",
                    {{"error", ok.error().message}});
    }
}

void RetrievalEngine::Impl::chunks_replaced(std::span<const std::int64_t> removed,
                                            std::span<const std::int64_t> added,
                                            std::span<const std::vector<float>> vectors) {
    index.remove(removed);
    if (rebuilding) {
        const std::lock_guard lock(rebuild_mu);
        removed_while_rebuilding.insert(removed_while_rebuilding.end(), removed.begin(), removed.end());
    }
    if (!vectors.empty()) {
        (void)store->write([&](SQLite::Database& db) -> Result<void> {
            detail::settings_repo::put(db, "vectors.dimension", std::to_string(vectors.front().size()));
            return {};
        });
    }
    if (auto ok = index.add(model(), added, vectors); !ok) {
        logger.error("could not add vectors to the index; rebuilding at the next start",
                     {{"error", ok.error().message}});
        return;
    }
    persist();
}

void RetrievalEngine::Impl::chunks_removed(std::span<const std::int64_t> removed) {
    if (removed.empty()) return;
    index.remove(removed);
    if (rebuilding) {
        const std::lock_guard lock(rebuild_mu);
        removed_while_rebuilding.insert(removed_while_rebuilding.end(), removed.begin(), removed.end());
    }
    persist();
}

Result<Json> RetrievalEngine::Impl::rebuild(JobContext& ctx) {
    struct Done {
        ~Done() { flag = false; }
        std::atomic<bool>& flag;
    } done{rebuilding};
    const std::string current = model();
    const auto started = std::chrono::steady_clock::now();

    // 1. Chunks without a vector for the current embedder get one (after an embedder change).
    auto missing_total = store->read([&](SQLite::Database& db) -> Result<std::int64_t> {
        return detail::chunk_repo::missing_vector_count(db, current);
    });
    if (!missing_total) return std::unexpected(missing_total.error());
    std::int64_t embedded = 0;
    for (;;) {
        auto batch = store->read(
            [&](SQLite::Database& db) -> Result<std::vector<std::pair<std::int64_t, std::string>>> {
                return detail::chunk_repo::missing_vectors(db, current, embed_batch);
            });
        if (!batch) return std::unexpected(batch.error());
        if (batch->empty()) break;
        std::vector<std::string> texts;
        for (const auto& [id, text] : *batch)
            texts.push_back(text);
        auto vectors = embedder->embed(texts, &ctx.cancel_token());
        if (!vectors) return std::unexpected(vectors.error());
        if (auto ok = store->write([&](SQLite::Database& db) -> Result<void> {
                for (std::size_t i = 0; i < batch->size() && i < vectors->size(); ++i) {
                    detail::chunk_repo::put_vector(db, (*batch)[i].first, current, (*vectors)[i]);
                }
                if (!vectors->empty()) {
                    detail::settings_repo::put(db, "vectors.dimension",
                                               std::to_string(vectors->front().size()));
                }
                return {};
            });
            !ok) {
            return std::unexpected(ok.error());
        }
        embedded += static_cast<std::int64_t>(batch->size());
        if (!ctx.progress(embedded, *missing_total,
                          fmt::format("embedding {} of {} chunks", embedded, *missing_total))) {
            return fail(ErrorCode::deadline_exceeded, "cancelled");
        }
    }

    // 2. A fresh graph from every stored vector, built off-lock while searches continue.
    auto facts = store->read([&](SQLite::Database& db) -> Result<detail::IndexFacts> {
        detail::IndexFacts f;
        f.model = current;
        f.count = detail::chunk_repo::vector_count(db, current);
        f.max_id = detail::chunk_repo::max_vector_id(db, current);
        return f;
    });
    if (!facts) return std::unexpected(facts.error());
    std::unique_ptr<detail::HnswGraph> graph;
    std::int64_t added = 0;
    auto built = store->read([&](SQLite::Database& db) -> Result<void> {
        detail::chunk_repo::for_each_vector(db, current, [&](std::int64_t id, std::span<const float> v) {
            if (id > facts->max_id) return; // arrived after the snapshot: caught up below
            if (!graph) {
                graph = std::make_unique<detail::HnswGraph>(
                    current, v.size(), static_cast<std::size_t>(facts->count * 5 / 4 + 64), config);
            }
            graph->add(id, v);
            if (++added % 1000 == 0) {
                (void)ctx.progress(added, facts->count,
                                   fmt::format("indexing {} of {} vectors", added, facts->count));
            }
        });
        return {};
    });
    if (!built) return std::unexpected(built.error());
    if (ctx.cancel_token().cancelled()) return fail(ErrorCode::deadline_exceeded, "cancelled");

    // 3. Catch up with what changed while building, then swap it in.
    if (graph) {
        auto newer = store->read([&](SQLite::Database& db) -> Result<void> {
            detail::chunk_repo::for_each_vector(db, current, [&](std::int64_t id, std::span<const float> v) {
                if (id > facts->max_id) graph->add(id, v);
            });
            return {};
        });
        if (!newer) return std::unexpected(newer.error());
        {
            const std::lock_guard lock(rebuild_mu);
            for (auto id : removed_while_rebuilding)
                graph->remove(id);
            removed_while_rebuilding.clear();
        }
        index.install(std::move(graph));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    logger.info("vector index rebuilt", {{"vectors", added}, {"embedded", embedded}, {"seconds", seconds}});
    return Json::object({{"vectors", added}, {"embedded", embedded}, {"seconds", seconds}});
}

RetrievalEngine::RetrievalEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RetrievalEngine::~RetrievalEngine() = default;

std::shared_ptr<const Embedder> RetrievalEngine::embedder() const {
    return impl_->embedder;
}

Result<RetrievalStats> RetrievalEngine::stats() {
    auto chunks = impl_->store->read(
        [](SQLite::Database& db) -> Result<std::int64_t> { return detail::chunk_repo::count(db); });
    if (!chunks) return std::unexpected(chunks.error());
    RetrievalStats s;
    s.chunks = *chunks;
    s.vectors = static_cast<std::int64_t>(impl_->index.live());
    s.embedder = impl_->model();
    s.dimension = impl_->embedder->dimension();
    s.rebuilding = impl_->rebuilding;
    return s;
}

Result<SearchResult> RetrievalEngine::search(const SearchRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    auto& d = *impl_;
    auto query = detail::check_text("query", request.query, 1, 1000);
    if (!query) return std::unexpected(query.error());
    if (request.k < 1 || request.k > 50) return fail_field("k", "k: must be between 1 and 50");
    if (request.manual_ids.size() > 100) return fail_field("manual_ids", "manual_ids: at most 100 manuals");
    const std::string text = detail::to_nfc(*query);
    const std::size_t pool = std::clamp<std::size_t>(request.k * 4, 20, 200);

    std::unordered_map<std::int64_t, Candidate> candidates;
    const double vector_weight =
        d.config.vector_weight > 0 ? d.config.vector_weight : std::max(0.0, d.embedder->fusion_weight());
    auto fuse = [&](std::int64_t id, std::size_t rank, double weight) {
        candidates[id].fused += weight / (d.config.rrf_k + static_cast<double>(rank + 1));
    };

    // The query vector first: the embedder may be a remote call, never made inside a read.
    SearchResult result;
    std::optional<std::vector<float>> query_vector;
    if (request.mode != SearchMode::lexical && d.index.ready() && !d.rebuilding) {
        const std::vector<std::string> one{text};
        auto qv = d.embedder->embed(one);
        if (!qv || qv->empty()) {
            if (request.mode == SearchMode::vector) {
                return std::unexpected(qv ? Error{ErrorCode::internal, "the embedder returned no vector", {}}
                                          : qv.error());
            }
            d.logger.warn("query embedding failed; answering with lexical search only",
                          {{"error", qv ? std::string("no vector") : qv.error().message}});
        } else {
            query_vector = std::move(qv->front());
        }
    } else if (request.mode == SearchMode::vector) {
        return fail(ErrorCode::unavailable,
                    "the vector index is being rebuilt; try lexical or hybrid search");
    }

    // Ranking and loading read one snapshot of the database: a manual re-indexed meanwhile
    // (its chunks replaced in one transaction) is seen wholly old or wholly new, so no hit
    // ranked here is missing when its text is loaded.
    const std::string match = request.mode != SearchMode::vector ? detail::fts_match_expression(text) : "";
    auto rows = d.store->read([&](SQLite::Database& db) -> Result<std::vector<detail::ChunkRow>> {
        db.exec("BEGIN");
        struct EndRead {
            SQLite::Database& db;
            ~EndRead() {
                try {
                    db.exec("COMMIT");
                } catch (...) { // NOLINT(bugprone-empty-catch): a read-only transaction has nothing to lose
                }
            }
        } end_read{db};
        if (!match.empty()) {
            const auto lexical =
                detail::chunk_repo::bm25(db, match, request.manual_ids, request.section, pool);
            for (std::size_t r = 0; r < lexical.size(); ++r) {
                candidates[lexical[r].first].bm25 = lexical[r].second;
                fuse(lexical[r].first, r, 1.0);
            }
        }
        if (query_vector) {
            // Inside a few manuals an exact scan is exact and cheap (NOTES.md); across the whole
            // library the HNSW graph answers, oversampled when a section filter will drop some.
            const std::size_t want = request.section ? pool * 4 : pool;
            const auto neighbours =
                request.manual_ids.empty()
                    ? d.index.search(*query_vector, want)
                    : d.index.exact(*query_vector, detail::chunk_repo::ids_of_manuals(db, request.manual_ids),
                                    want);
            result.vector_used = true;
            for (const auto& [id, score] : neighbours)
                candidates[id].vector = score;
        }
        std::vector<std::int64_t> ids;
        ids.reserve(candidates.size());
        for (const auto& [id, c] : candidates)
            ids.push_back(id);
        return detail::chunk_repo::load(db, ids);
    });
    if (!rows) return std::unexpected(rows.error());
    std::unordered_map<std::int64_t, const detail::ChunkRow*> by_id;
    for (const auto& row : *rows) {
        // A chunk that took in a short section's text names both, joined by "; " (chunker.cpp).
        if (request.section &&
            ("; " + row.section + "; ").find("; " + *request.section + "; ") == std::string::npos)
            continue;
        by_id.emplace(row.id, &row);
    }
    // Vector ranks count only hits that survive the filters, then fuse.
    std::vector<std::pair<std::int64_t, double>> vector_hits;
    for (const auto& [id, c] : candidates) {
        if (c.vector && by_id.contains(id)) vector_hits.emplace_back(id, *c.vector);
    }
    std::sort(vector_hits.begin(), vector_hits.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    if (vector_hits.size() > pool) vector_hits.resize(pool);
    for (std::size_t r = 0; r < vector_hits.size(); ++r)
        fuse(vector_hits[r].first, r, vector_weight);

    std::vector<std::pair<std::int64_t, Candidate>> ranked;
    for (const auto& [id, c] : candidates) {
        if (!by_id.contains(id)) continue;
        if (!c.bm25 && c.fused == 0) continue; // a vector hit beyond the pool
        ranked.emplace_back(id, c);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        if (a.second.fused != b.second.fused) return a.second.fused > b.second.fused;
        return a.first < b.first;
    });
    if (ranked.size() > request.k) ranked.resize(request.k);
    for (const auto& [id, c] : ranked) {
        const auto& row = *by_id.at(id);
        result.hits.push_back(SearchHit{row.id, row.manual_id, row.manual_title, row.page_start, row.page_end,
                                        row.section, row.text, c.bm25, c.vector, c.fused});
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    d.search_seconds.observe(seconds);
    result.took_ms = seconds * 1000.0;
    return result;
}

} // namespace shiksha
