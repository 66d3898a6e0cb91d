// shiksha.RetrievalEngine: hybrid (BM25 + vector) search over indexed manuals, and embeddings as
// numpy arrays.
#include "bindings.hpp"

#include "shiksha/providers.hpp"
#include "shiksha/retrieval.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

namespace shiksha::python {

namespace {

/// A SearchMode, or its name ("lexical"), as the HTTP API accepts it.
SearchMode mode_from_py(py::handle value) {
    if (py::isinstance<SearchMode>(value)) return value.cast<SearchMode>();
    if (!py::isinstance<py::str>(value)) throw py::type_error("mode must be a shiksha.SearchMode or a str");
    return unwrap(parse_search_mode(value.cast<std::string>()));
}

/// One row per text, float32, shape (len(texts), dimension). The embedding runs without the GIL.
py::array_t<float> embed_to_array(const Embedder& embedder, const std::vector<std::string>& texts) {
    auto rows = unwrap(without_gil([&] { return embedder.embed(texts); }));
    const std::size_t dimension = rows.empty() ? embedder.dimension() : rows.front().size();
    if (rows.size() != texts.size() ||
        std::ranges::any_of(rows, [&](const auto& row) { return row.size() != dimension; })) {
        raise_error(Error{ErrorCode::internal, "the embedder returned vectors of inconsistent shape", ""});
    }
    py::array_t<float> out(
        std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(dimension)});
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (dimension > 0) {
            std::memcpy(out.mutable_data(static_cast<py::ssize_t>(i)), rows[i].data(),
                        dimension * sizeof(float));
        }
    }
    return out;
}

void bind_values(py::module_& m) {
    py::enum_<SearchMode>(m, "SearchMode", "hybrid fuses BM25 and vector ranks; the others use one of them.")
        .value("hybrid", SearchMode::hybrid)
        .value("lexical", SearchMode::lexical)
        .value("vector", SearchMode::vector);

    py::class_<SearchHit>(m, "SearchHit", "One chunk that matched, with the pages it came from.")
        .def_readonly("chunk_id", &SearchHit::chunk_id)
        .def_readonly("manual_id", &SearchHit::manual_id)
        .def_readonly("manual_title", &SearchHit::manual_title)
        .def_readonly("page_start", &SearchHit::page_start)
        .def_readonly("page_end", &SearchHit::page_end)
        .def_readonly("section", &SearchHit::section)
        .def_readonly("text", &SearchHit::text)
        .def_readonly("bm25", &SearchHit::bm25, "higher is better; None when not a lexical hit")
        .def_readonly("vector", &SearchHit::vector, "cosine similarity; None when not a vector hit")
        .def_readonly("fused", &SearchHit::fused, "reciprocal-rank-fusion score the order uses")
        .def(
            "to_dict", [](const SearchHit& h) { return py_from_json(to_json(h)); },
            "The wire form; the scores are under \"scores\".")
        .def("__repr__", [](const SearchHit& h) {
            return "SearchHit(manual_id=" + std::to_string(h.manual_id) +
                   ", pages=" + std::to_string(h.page_start) + "-" + std::to_string(h.page_end) +
                   ", section='" + h.section + "')";
        });

    py::class_<SearchResult>(m, "SearchResult")
        .def_readonly("hits", &SearchResult::hits, "best first")
        .def_readonly("vector_used", &SearchResult::vector_used, "False while the vector index is rebuilding")
        .def_readonly("took_ms", &SearchResult::took_ms)
        .def(
            "to_dict", [](const SearchResult& r) { return py_from_json(to_json(r)); }, "The wire form.")
        .def("__repr__", [](const SearchResult& r) {
            return "SearchResult(hits=" + std::to_string(r.hits.size()) +
                   ", vector_used=" + (r.vector_used ? "True" : "False") + ")";
        });

    py::class_<RetrievalStats>(m, "RetrievalStats")
        .def_readonly("chunks", &RetrievalStats::chunks)
        .def_readonly("vectors", &RetrievalStats::vectors, "in the vector index")
        .def_readonly("embedder", &RetrievalStats::embedder, "model id of the vectors")
        .def_readonly("dimension", &RetrievalStats::dimension)
        .def_readonly("rebuilding", &RetrievalStats::rebuilding)
        .def("__repr__", [](const RetrievalStats& s) {
            return "RetrievalStats(chunks=" + std::to_string(s.chunks) +
                   ", vectors=" + std::to_string(s.vectors) + ", embedder='" + s.embedder + "')";
        });
}

void bind_engine(py::module_& m) {
    const SearchRequest defaults;
    py::class_<RetrievalEngine>(m, "RetrievalEngine", "Obtained from Platform.retrieval. Thread-safe.")
        .def(
            "search",
            [](RetrievalEngine& e, const std::string& query,
               const std::optional<std::vector<std::int64_t>>& manual_ids, std::int64_t k,
               std::optional<std::string> section, py::handle mode) {
                SearchRequest request{.query = query,
                                      .manual_ids = manual_ids.value_or(std::vector<std::int64_t>{}),
                                      .section = std::move(section),
                                      // A negative k is out of range like 0, not a TypeError.
                                      .k = static_cast<std::size_t>(std::max<std::int64_t>(k, 0)),
                                      .mode = mode_from_py(mode)};
                return unwrap(without_gil([&] { return e.search(request); }));
            },
            py::arg("query"), py::arg("manual_ids") = py::none(), py::arg("k") = defaults.k,
            py::arg("section") = py::none(), py::arg("mode") = to_string(defaults.mode),
            "Hybrid search (BM25 and vectors fused by reciprocal rank) over indexed manuals.\n"
            "\n"
            "Args:\n"
            "    query: 1-1000 characters, any script.\n"
            "    manual_ids: restrict to these manuals; None = all.\n"
            "    k: hits, 1-50.\n"
            "    section: only chunks of this exact section title.\n"
            "    mode: a SearchMode or \"hybrid\", \"lexical\", \"vector\".\n"
            "\n"
            "Returns:\n"
            "    SearchResult: hits best first, each with pages and scores; vector_used is False while the "
            "vector index rebuilds.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: query, k or mode out of range (field names it).\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "stats", [](RetrievalEngine& e) { return unwrap(without_gil([&] { return e.stats(); })); },
            "What the index holds.\n"
            "\n"
            "Returns:\n"
            "    RetrievalStats: chunks, vectors, embedder model, dimension, rebuilding.\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "embed",
            [](RetrievalEngine& e, const std::vector<std::string>& texts) {
                return embed_to_array(*e.embedder(), texts);
            },
            py::arg("texts"),
            "Vectors from the configured embedder (the GIL is released meanwhile).\n"
            "\n"
            "Args:\n"
            "    texts: list of str.\n"
            "\n"
            "Returns:\n"
            "    numpy.ndarray: float32, shape (len(texts), dimension), rows L2-normalised.\n"
            "\n"
            "Raises:\n"
            "    UnavailableError, RateLimitedError, DeadlineExceededError, UnauthenticatedError: a remote "
            "embedder failed.\n"
            "    InvalidArgumentError: the embedder refused the input.");

    m.def(
        "hash_embed",
        [](const std::vector<std::string>& texts, std::size_t dimension) {
            return embed_to_array(*make_hash_embedder(dimension), texts);
        },
        py::arg("texts"), py::arg("dimension") = 384,
        "The built-in offline embedder (hashed character n-grams): float32 ndarray of shape\n"
        "(len(texts), dimension). The library clamps dimension to 64..4096.");
}

} // namespace

void bind_retrieval(py::module_& m) {
    bind_values(m);
    bind_engine(m);
}

} // namespace shiksha::python
