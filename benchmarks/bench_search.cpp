// Headline figures: search latency of the retrieval engine (hybrid, lexical-only, vector-only;
// p50/p95 over 200 queries) on a synthetic library of 10k and 100k chunks, and the HNSW graph's
// recall@10 and queries/s against an exact scan over the same vectors (the peer), in the same
// run. Loopback only: nothing leaves the process.
//
//   bench_search [--quick] [--sizes 10000,100000] [--queries 200]
//
// The library is generated, not ingested: chunk texts of ~230 words drawn from a Zipf
// vocabulary (the FLORES English and Hindi sentences of shared/corpus when present, padded with
// made-up words to 20,000) around 400 topics, so that near neighbours exist (random vectors
// have none and make any ANN index look bad, NOTES.md). The chunks, their FTS rows and vectors
// are written with the store's own repositories, the HNSW graph is built with the library's
// HnswGraph and saved where the platform loads it; then a Platform is opened on that directory
// and searched through the public API. Queries come from 200 held-out chunks that are not in
// the library: their full text for the recall figures, a 5-word window for the latency ones.
#include "retrieval/vector_index.hpp"
#include "shiksha/platform.hpp"
#include "store/manual_repo.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace shiksha;

namespace {

constexpr std::size_t vocabulary_size = 20000;
constexpr std::size_t topics = 400;
constexpr std::size_t topic_words = 150;
constexpr std::size_t chunks_per_manual = 1000;
constexpr std::size_t recall_k = 10;

/// A unique stand-in for a manual's SHA-256 (64 hex digits).
std::string fake_sha(std::size_t n) {
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064zx", n);
    return buf;
}

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& what) {
    std::cerr << "bench_search: " << what << '\n';
    std::exit(1);
}

// ---- Synthetic text -------------------------------------------------------------------------------

std::optional<fs::path> corpus_dir() {
    std::vector<fs::path> c;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) c.emplace_back(env);
    c.emplace_back(fs::path(SHIKSHA_SOURCE_DIR) / "../shared/corpus");
    c.emplace_back("/work/shared/corpus");
    for (const auto& d : c) {
        if (fs::exists(d / "parallel/flores200_dev_first100/eng_Latn.txt")) return d;
    }
    return std::nullopt;
}

/// Words of a FLORES file, most frequent first (whitespace-separated, punctuation stripped,
/// ASCII lower-cased).
std::vector<std::string> words_by_frequency(const fs::path& file) {
    std::ifstream in(file);
    std::unordered_map<std::string, std::size_t> count;
    std::string w;
    while (in >> w) {
        auto is_punct = [](unsigned char c) { return c < 0x80 && !std::isalnum(c); };
        while (!w.empty() && is_punct(static_cast<unsigned char>(w.back())))
            w.pop_back();
        while (!w.empty() && is_punct(static_cast<unsigned char>(w.front())))
            w.erase(0, 1);
        if (w.ends_with("।")) w.resize(w.size() - std::string_view("।").size());
        if (w.empty()) continue;
        for (auto& c : w)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        ++count[w];
    }
    std::vector<std::pair<std::string, std::size_t>> v(count.begin(), count.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> out;
    for (auto& [word, n] : v)
        out.push_back(word);
    return out;
}

/// A vocabulary in Zipf rank order: real words first, then pronounceable made-up ones.
std::vector<std::string> make_vocabulary(const std::vector<std::string>& real, std::mt19937_64& rng) {
    static constexpr std::array<std::string_view, 32> syllables{
        "ka",  "ri",  "to", "men", "sal", "por", "ve",  "dun", "lis", "tra", "ble",
        "con", "fer", "gi", "mo",  "nas", "pel", "qui", "ros", "sen", "tur", "vi",
        "wan", "xe",  "yo", "zor", "an",  "el",  "is",  "on",  "ul",  "ta"};
    std::vector<std::string> out = real;
    std::unordered_map<std::string, bool> seen;
    for (const auto& w : out)
        seen[w] = true;
    std::uniform_int_distribution<std::size_t> syl(0, syllables.size() - 1), len(2, 4);
    while (out.size() < vocabulary_size) {
        std::string w;
        for (std::size_t i = len(rng); i > 0; --i)
            w += syllables[syl(rng)];
        if (!seen[w]) {
            seen[w] = true;
            out.push_back(std::move(w));
        }
    }
    return out;
}

class Zipf {
public:
    Zipf(std::size_t n, double s) : cdf_(n) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i)
            cdf_[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), s));
        for (auto& c : cdf_)
            c /= sum;
    }
    std::size_t operator()(std::mt19937_64& rng) const {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return std::min<std::size_t>(
            static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()),
            cdf_.size() - 1);
    }

private:
    std::vector<double> cdf_;
};

struct SyntheticLanguage {
    std::vector<std::string> words;               ///< Zipf rank order
    std::vector<std::vector<std::size_t>> topics; ///< per topic, word indices
};

SyntheticLanguage make_language(std::vector<std::string> words, std::mt19937_64& rng) {
    SyntheticLanguage lang;
    lang.words = std::move(words);
    // Topic words come from below the most common ranks (function words are everywhere).
    const std::size_t lo = std::min<std::size_t>(100, lang.words.size() / 4);
    std::uniform_int_distribution<std::size_t> pick(lo, lang.words.size() - 1);
    for (std::size_t t = 0; t < topics; ++t) {
        std::vector<std::size_t> ids(topic_words);
        for (auto& id : ids)
            id = pick(rng);
        lang.topics.push_back(std::move(ids));
    }
    return lang;
}

/// ~230 words in sentences of 10–20: 55 % from the language's overall Zipf law, 45 % from the
/// chunk's topic (its own Zipf law over 150 words).
std::string make_chunk(const SyntheticLanguage& lang, std::size_t topic, const Zipf& global,
                       const Zipf& local, std::mt19937_64& rng) {
    std::uniform_int_distribution<int> length(170, 290), sentence(10, 20);
    std::bernoulli_distribution from_topic(0.45);
    std::string out;
    const int n = length(rng);
    int left_in_sentence = sentence(rng);
    bool capital = true;
    for (int i = 0; i < n; ++i) {
        const auto& word = from_topic(rng) ? lang.words[lang.topics[topic][local(rng)]]
                                           : lang.words[std::min(global(rng), lang.words.size() - 1)];
        if (!out.empty()) out += ' ';
        const std::size_t at = out.size();
        out += word;
        if (capital && static_cast<unsigned char>(out[at]) < 0x80)
            out[at] = static_cast<char>(std::toupper(out[at]));
        capital = false;
        if (--left_in_sentence == 0) {
            out += '.';
            capital = true;
            left_in_sentence = sentence(rng);
        }
    }
    return out + '.';
}

/// Five consecutive words of a chunk, as a user might type them.
std::string window_query(const std::string& text, std::mt19937_64& rng) {
    std::vector<std::string> words;
    std::istringstream in(text);
    std::string w;
    while (in >> w) {
        while (!w.empty() && (w.back() == '.' || w.back() == ','))
            w.pop_back();
        words.push_back(w);
    }
    const std::size_t from = std::uniform_int_distribution<std::size_t>(0, words.size() - 5)(rng);
    std::string q;
    for (std::size_t i = from; i < from + 5; ++i)
        q += (q.empty() ? "" : " ") + words[i];
    return q;
}

// ---- Measurement helpers -----------------------------------------------------------------------------

struct Latency {
    double p50 = 0, p95 = 0, mean = 0;
};

Latency summarise(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1;
        return ms[std::min(i, ms.size() - 1)];
    };
    return {at(0.50), at(0.95), std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size())};
}

/// Top-k by inner product over a contiguous matrix: the ground truth.
std::vector<std::int64_t> flat_top_k(const std::vector<float>& matrix, const std::vector<std::int64_t>& ids,
                                     std::size_t dim, std::span<const float> q, std::size_t k) {
    std::vector<std::pair<float, std::int64_t>> scored(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const float* v = matrix.data() + i * dim;
        float s = 0;
        for (std::size_t j = 0; j < dim; ++j)
            s += v[j] * q[j];
        scored[i] = {s, ids[i]};
    }
    const auto n = std::min(k, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(scored[i].second);
    return out;
}

double overlap(const std::vector<std::int64_t>& truth, const std::vector<detail::Neighbour>& got) {
    std::size_t n = 0;
    for (const auto& [id, score] : got)
        n += std::find(truth.begin(), truth.end(), id) != truth.end() ? 1 : 0;
    return static_cast<double>(n) / static_cast<double>(truth.size());
}

// ---- One library size ---------------------------------------------------------------------------------

void run_size(std::size_t size, std::size_t query_count, const SyntheticLanguage& english,
              const SyntheticLanguage* hindi) {
    std::printf("\n=== %zu chunks ===\n", size);
    std::fflush(stdout);
    std::mt19937_64 rng(42 + size);
    const Zipf en_global(english.words.size(), 1.07), local(topic_words, 1.0);
    std::optional<Zipf> hi_global;
    if (hindi) hi_global.emplace(hindi->words.size(), 1.07);

    // 1. Texts: `size` for the library plus held-out ones for queries. 15 % Hindi when available.
    auto started = Clock::now();
    std::vector<std::string> texts;
    texts.reserve(size + query_count);
    std::uniform_int_distribution<std::size_t> topic(0, topics - 1);
    std::bernoulli_distribution is_hindi(hindi ? 0.15 : 0.0);
    std::size_t text_bytes = 0;
    for (std::size_t i = 0; i < size + query_count; ++i) {
        const bool hi = is_hindi(rng);
        texts.push_back(hi ? make_chunk(*hindi, topic(rng), *hi_global, local, rng)
                           : make_chunk(english, topic(rng), en_global, local, rng));
        text_bytes += texts.back().size();
    }
    const double gen_s = since(started);

    // 2. Embeddings with the platform's own embedder.
    const auto embedder = make_hash_embedder(384);
    const std::size_t dim = embedder->dimension();
    started = Clock::now();
    auto vectors = embedder->embed(texts);
    if (!vectors) die("embedding failed: " + vectors.error().message);
    const double embed_s = since(started);
    std::printf(
        "generated %zu chunk texts (+%zu held out, %.0f MB) in %.1f s; embedded in %.1f s (%.0f chunks/s)\n",
        size, query_count, static_cast<double>(text_bytes) / 1e6, gen_s, embed_s,
        static_cast<double>(texts.size()) / embed_s);

    // 3. A data directory with the schema, then chunks, FTS rows and vectors through the repos.
    std::random_device rd;
    const fs::path dir = fs::temp_directory_path() / ("shiksha-bench-search-" + std::to_string(rd()));
    Config cfg;
    cfg.data_dir = dir;
    cfg.workers = 2;
    {
        auto platform = Platform::open(cfg);
        if (!platform) die("cannot open a platform: " + platform.error().message);
    }
    std::vector<std::int64_t> ids;
    ids.reserve(size);
    started = Clock::now();
    {
        auto store = detail::Store::open(dir / "shiksha.db", Logger{});
        if (!store) die("cannot open the store: " + store.error().message);
        for (std::size_t first = 0; first < size; first += chunks_per_manual) {
            const std::size_t n = std::min(chunks_per_manual, size - first);
            std::vector<detail::NewChunk> chunks;
            for (std::size_t i = 0; i < n; ++i) {
                const auto& t = texts[first + i];
                chunks.push_back({static_cast<int>(i), static_cast<int>(i / 3 + 1),
                                  static_cast<int>(i / 3 + 1), "Section " + std::to_string(i / 40 + 1), t,
                                  static_cast<int>(t.size() / 5)});
            }
            const std::span<const std::vector<float>> vs(vectors->data() + first, n);
            auto done = (*store)->write([&](SQLite::Database& db) -> Result<std::vector<std::int64_t>> {
                const auto m = detail::manual_repo::insert(
                    db,
                    {"Synthetic manual " + std::to_string(first / chunks_per_manual + 1), "synthetic.pdf",
                     "manuals/synthetic.pdf", fake_sha(first), 1, static_cast<int>(n / 3 + 1), std::nullopt},
                    now_utc());
                auto r = detail::manual_repo::replace_index(db, m.id, {}, chunks, embedder->model(), vs,
                                                            std::string("english"), 0, now_utc(), 2);
                return r.new_chunk_ids;
            });
            if (!done) die("insert failed: " + done.error().message);
            ids.insert(ids.end(), done->begin(), done->end());
            std::fprintf(stderr, "\rstored %zu/%zu chunks", ids.size(), size);
        }
        std::fprintf(stderr, "\n");
    }
    const double store_s = since(started);
    std::printf("stored chunks, FTS rows and vectors in %.1f s (%.0f chunks/s)\n", store_s,
                static_cast<double>(size) / store_s);

    // 4. The HNSW graph, built as the platform's rebuild does (one thread, M=16, efConstruction=200).
    const RetrievalConfig rc = cfg.retrieval;
    auto graph = std::make_unique<detail::HnswGraph>(embedder->model(), dim, size, rc);
    started = Clock::now();
    for (std::size_t i = 0; i < size; ++i) {
        graph->add(ids[i], (*vectors)[i]);
        if ((i + 1) % 5000 == 0 || i + 1 == size) {
            std::fprintf(stderr, "\rHNSW: %zu/%zu vectors, %.0f s", i + 1, size, since(started));
        }
    }
    std::fprintf(stderr, "\n");
    const double build_s = since(started);
    std::printf("HNSW build: %zu vectors in %.1f s (%.0f vectors/s, M=%zu, efConstruction=%zu, 1 thread)\n",
                size, build_s, static_cast<double>(size) / build_s, rc.hnsw_m, rc.hnsw_ef_construction);

    // 5. Recall@10 and QPS: HNSW (ef = the default ef_search) against the exact scan.
    std::vector<float> matrix(size * dim);
    for (std::size_t i = 0; i < size; ++i)
        std::copy((*vectors)[i].begin(), (*vectors)[i].end(),
                  matrix.begin() + static_cast<std::ptrdiff_t>(i * dim));
    std::vector<std::string> short_queries;
    for (std::size_t q = 0; q < query_count; ++q)
        short_queries.push_back(window_query(texts[size + q], rng));
    auto short_vectors = embedder->embed(short_queries);
    if (!short_vectors) die("embedding failed");
    struct QuerySet {
        const char* name;
        std::vector<std::span<const float>> queries;
    };
    std::vector<QuerySet> sets(2);
    sets[0].name = "held-out chunk texts";
    sets[1].name = "5-word windows";
    for (std::size_t q = 0; q < query_count; ++q) {
        sets[0].queries.emplace_back((*vectors)[size + q]);
        sets[1].queries.emplace_back((*short_vectors)[q]);
    }
    std::printf("vector search, k=%zu, ef=%zu, %zu queries, single thread:\n", recall_k, rc.hnsw_ef_search,
                query_count);
    std::printf("  %-22s %-8s %10s %12s\n", "queries", "method", "recall@10", "queries/s");
    for (const auto& set : sets) {
        std::vector<std::vector<std::int64_t>> truth;
        started = Clock::now();
        for (auto q : set.queries)
            truth.push_back(flat_top_k(matrix, ids, dim, q, recall_k));
        const double flat_s = since(started);
        double recall_hnsw = 0, recall_exact = 0;
        started = Clock::now();
        for (std::size_t q = 0; q < set.queries.size(); ++q)
            recall_hnsw += overlap(truth[q], graph->search(set.queries[q], recall_k));
        const double hnsw_s = since(started);
        started = Clock::now();
        for (std::size_t q = 0; q < set.queries.size(); ++q)
            recall_exact += overlap(truth[q], graph->exact(set.queries[q], ids, recall_k));
        const double exact_s = since(started);
        const auto nq = static_cast<double>(set.queries.size());
        std::printf("  %-22s %-8s %10.3f %12.0f\n", set.name, "hnsw", recall_hnsw / nq, nq / hnsw_s);
        std::printf("  %-22s %-8s %10.3f %12.0f\n", set.name, "exact", recall_exact / nq, nq / exact_s);
        std::printf("  %-22s %-8s %10s %12.0f\n", set.name, "flat", "1.000", nq / flat_s);
        std::printf("  %-22s ratio (hnsw/exact queries/s) %.1fx, (hnsw/flat) %.1fx\n", set.name,
                    exact_s / hnsw_s, flat_s / hnsw_s);
    }

    // 6. Save the graph where the platform looks, open the platform on the directory and search
    // through the public API.
    {
        detail::VectorIndex index(dir / "index", rc, Logger{});
        index.install(std::move(graph));
    }
    {
        started = Clock::now();
        auto platform = Platform::open(cfg);
        if (!platform) die("cannot open the platform: " + platform.error().message);
        auto stats = (*platform)->retrieval().stats();
        if (!stats || stats->rebuilding || stats->vectors != static_cast<std::int64_t>(size))
            die("the platform did not load the saved vector index");
        std::printf("platform opened with %lld chunks and the saved index in %.2f s\n",
                    static_cast<long long>(stats->chunks), since(started));
        auto& retrieval = (*platform)->retrieval();
        for (std::size_t q = 0; q < std::min<std::size_t>(20, query_count); ++q) // warm the page cache
            (void)retrieval.search({.query = short_queries[q], .k = 5});
        std::printf("search API, k=5, %zu queries (5-word windows of held-out chunks):\n", query_count);
        std::printf("  %-8s %10s %10s %10s %10s\n", "mode", "p50 ms", "p95 ms", "mean ms", "queries/s");
        std::map<SearchMode, Latency> by_mode;
        std::vector<std::pair<double, std::string>> slowest_lexical;
        for (auto mode : {SearchMode::hybrid, SearchMode::lexical, SearchMode::vector}) {
            std::vector<double> ms;
            for (const auto& q : short_queries) {
                const auto t0 = Clock::now();
                auto r = retrieval.search({.query = q, .k = 5, .mode = mode});
                ms.push_back(since(t0) * 1000);
                if (!r) die("search failed: " + r.error().message);
                if (mode != SearchMode::lexical && !r->vector_used) die("vector search was not used");
            }
            if (mode == SearchMode::lexical) {
                for (std::size_t q = 0; q < ms.size(); ++q)
                    slowest_lexical.emplace_back(ms[q], short_queries[q]);
            }
            const auto l = summarise(ms);
            by_mode[mode] = l;
            std::printf("  %-8s %10.2f %10.2f %10.2f %10.0f\n", std::string(to_string(mode)).c_str(), l.p50,
                        l.p95, l.mean, 1000.0 / l.mean);
        }
        std::printf("  ratio (hybrid/lexical p50) %.2fx, (hybrid/vector p50) %.2fx\n",
                    by_mode[SearchMode::hybrid].p50 / by_mode[SearchMode::lexical].p50,
                    by_mode[SearchMode::hybrid].p50 / by_mode[SearchMode::vector].p50);
        // The tail is BM25 over terms that are in most chunks (words not in the stop list).
        std::sort(slowest_lexical.begin(), slowest_lexical.end(), std::greater<>());
        std::printf("  slowest lexical queries:");
        for (std::size_t i = 0; i < std::min<std::size_t>(3, slowest_lexical.size()); ++i)
            std::printf(" \"%s\" %.1f ms;", slowest_lexical[i].second.c_str(), slowest_lexical[i].first);
        std::printf("\n");
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::size_t> sizes{10000, 100000};
    std::size_t query_count = 200;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            sizes = {10000};
        } else if (arg == "--sizes" && i + 1 < argc) {
            sizes.clear();
            std::stringstream in(argv[++i]);
            std::string s;
            while (std::getline(in, s, ','))
                sizes.push_back(static_cast<std::size_t>(std::stoull(s)));
        } else if (arg == "--queries" && i + 1 < argc) {
            query_count = static_cast<std::size_t>(std::stoull(argv[++i]));
        } else {
            std::cout << "usage: bench_search [--quick] [--sizes 10000,100000] [--queries 200]\n";
            return arg == "-h" || arg == "--help" ? 0 : 2;
        }
    }
    std::mt19937_64 rng(7);
    std::vector<std::string> en_words, hi_words;
    if (const auto corpus = corpus_dir()) {
        en_words = words_by_frequency(*corpus / "parallel/flores200_dev_first100/eng_Latn.txt");
        hi_words = words_by_frequency(*corpus / "parallel/flores200_dev_first100/hin_Deva.txt");
        std::printf("vocabulary: %zu English and %zu Hindi words from FLORES-200 dev (shared/corpus), padded "
                    "to %zu\n",
                    en_words.size(), hi_words.size(), vocabulary_size);
    } else {
        std::printf("vocabulary: made-up words only (shared/corpus not found), %zu\n", vocabulary_size);
    }
    const SyntheticLanguage english = make_language(make_vocabulary(en_words, rng), rng);
    std::optional<SyntheticLanguage> hindi;
    if (hi_words.size() >= 200) hindi = make_language(hi_words, rng);
    for (auto size : sizes)
        run_size(size, query_count, english, hindi ? &*hindi : nullptr);
    return 0;
}
