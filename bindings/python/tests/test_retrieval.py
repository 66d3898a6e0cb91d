import numpy as np
import pytest
import shiksha

from conftest import SAMPLE_PDF, SAMPLE_TITLE, make_config


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A platform with the sample handbook indexed, and the manual's id."""
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("retrieval") / "data"))
    report = platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE)
    # open() may have queued a rebuild of the (empty) vector index; let it finish.
    for job in platform.jobs.list():
        platform.jobs.wait(job.id)
    return platform, report.manual.id


def test_english_query_finds_the_circuits_page(library):
    platform, manual_id = library
    result = platform.retrieval.search("series circuit bulb")
    assert isinstance(result, shiksha.SearchResult)
    assert result.hits
    top = result.hits[0]
    assert top.page_start == 2
    assert top.manual_id == manual_id
    assert top.manual_title == SAMPLE_TITLE
    assert "series" in top.text
    assert result.vector_used is True
    assert result.took_ms >= 0
    assert [h.fused for h in result.hits] == sorted((h.fused for h in result.hits), reverse=True)


def test_hindi_query_finds_the_hindi_page(library):
    platform, _ = library
    result = platform.retrieval.search("प्रकाश संश्लेषण")
    assert result.hits
    assert result.hits[0].page_start <= 7 <= result.hits[0].page_end
    assert "प्रकाश" in result.hits[0].text


def test_modes(library):
    platform, _ = library
    lexical = platform.retrieval.search("series circuit bulb", mode="lexical")
    assert lexical.hits
    assert all(h.bm25 is not None and h.vector is None for h in lexical.hits)
    vector = platform.retrieval.search("series circuit bulb", mode=shiksha.SearchMode.vector)
    assert vector.hits
    assert all(h.vector is not None and h.bm25 is None for h in vector.hits)
    assert all(-1.0 <= h.vector <= 1.0 for h in vector.hits)
    hybrid = platform.retrieval.search("series circuit bulb", mode="hybrid")
    assert any(h.bm25 is not None and h.vector is not None for h in hybrid.hits)


def test_unknown_mode_is_invalid(library):
    platform, _ = library
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.retrieval.search("bulb", mode="fuzzy")
    assert err.value.field == "mode"
    with pytest.raises(TypeError):
        platform.retrieval.search("bulb", mode=1)


@pytest.mark.parametrize("k", [0, 51, -1])
def test_k_out_of_bounds_is_invalid(library, k):
    platform, _ = library
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.retrieval.search("bulb", k=k)
    assert err.value.field == "k"


def test_k_bounds_the_hits(library):
    platform, _ = library
    assert len(platform.retrieval.search("bulb", k=1).hits) == 1
    assert len(platform.retrieval.search("the", k=50).hits) <= 50


def test_empty_query_is_invalid(library):
    platform, _ = library
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.retrieval.search("")
    assert err.value.field == "query"


def test_manual_ids_and_section_filter(library):
    platform, manual_id = library
    assert platform.retrieval.search("bulb", manual_ids=[manual_id]).hits
    assert platform.retrieval.search("bulb", manual_ids=[manual_id + 1000]).hits == []
    section = platform.retrieval.search("series circuit bulb").hits[0].section
    in_section = platform.retrieval.search("bulb", section=section).hits
    assert in_section
    assert all(h.section == section for h in in_section)


def test_hit_and_result_to_dict(library):
    platform, _ = library
    result = platform.retrieval.search("lemon battery", k=3)
    hit = result.hits[0]
    wire = hit.to_dict()
    assert set(wire) == {
        "chunk_id", "manual_id", "manual_title", "page_start", "page_end", "section", "text", "scores",
    }
    assert set(wire["scores"]) == {"bm25", "vector", "fused"}
    assert wire["chunk_id"] == hit.chunk_id
    assert wire["scores"]["bm25"] == hit.bm25
    whole = result.to_dict()
    assert set(whole) == {"hits", "vector_used", "took_ms"}
    assert whole["hits"][0] == wire


def test_stats(library):
    platform, manual_id = library
    stats = platform.retrieval.stats()
    assert stats.chunks == platform.manuals.get(manual_id).chunk_count
    assert stats.vectors == stats.chunks
    assert stats.embedder == "hash-ngram-v1/384"
    assert stats.dimension == 384
    assert stats.rebuilding is False


def test_embed_returns_unit_float32_rows(library):
    platform, _ = library
    vectors = platform.retrieval.embed(["प्रकाश संश्लेषण", "प्रकाश संश्लेषण"])
    assert isinstance(vectors, np.ndarray)
    assert vectors.dtype == np.float32
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert np.array_equal(vectors[0], vectors[1])
    different = platform.retrieval.embed(["photosynthesis", "electric circuit"])
    assert not np.array_equal(different[0], different[1])


def test_embed_edge_cases(library):
    platform, _ = library
    assert platform.retrieval.embed([]).shape == (0, 384)
    with pytest.raises(TypeError):
        platform.retrieval.embed("a str is not a list of texts")


def test_hash_embed_matches_the_default_embedder(library):
    platform, _ = library
    texts = ["series circuit", "श्रेणी परिपथ"]
    assert np.array_equal(shiksha.hash_embed(texts), platform.retrieval.embed(texts))


def test_hash_embed_dimension():
    vectors = shiksha.hash_embed(["a lemon battery", "torch bulb"], dimension=128)
    assert vectors.shape == (2, 128)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert shiksha.hash_embed(["x"], dimension=10).shape == (1, 64)  # the library clamps
