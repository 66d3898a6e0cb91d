// Retrieval internals and guarantees: the FTS5 tokenizer keeps Indic words whole, queries are
// built safely, the built-in embedder behaves, the vector index is rebuilt from SQLite when its
// file is missing, damaged or from another embedder, and searches run while indexing.
#include "ingest/text.hpp"
#include "platform_fixture.hpp"
#include "retrieval/query.hpp"
#include "shiksha/platform.hpp"
#include "shiksha/providers.hpp"
#include "store/manual_repo.hpp"
#include "store/store.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <thread>

using namespace shiksha;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct Fixture : test::PlatformFixture {
    using PlatformFixture::PlatformFixture;

    std::int64_t ingest() {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        return up->manual.id;
    }

    /// Closes and reopens the platform on the same data directory (after `tweak`).
    void reopen(const std::function<void(Config&)>& tweak = {}) {
        platform.reset();
        Config cfg = test::test_config(dir.path());
        if (tweak) tweak(cfg);
        auto opened = Platform::open(cfg);
        REQUIRE(opened);
        platform = std::move(*opened);
    }

    /// Waits for a rebuild job started at open, if any, and returns it.
    std::optional<Job> wait_for_rebuild() {
        auto jobs = platform->jobs().list({0, 10}, "retrieval.rebuild");
        REQUIRE(jobs);
        if (jobs->empty()) return std::nullopt;
        auto done = platform->jobs().wait(jobs->front().id);
        REQUIRE(done);
        return *done;
    }

    SearchResult search(std::string query, SearchMode mode = SearchMode::hybrid) {
        auto r = platform->retrieval().search({.query = std::move(query), .k = 3, .mode = mode});
        REQUIRE(r);
        return *r;
    }
};

float dot(const std::vector<float>& a, const std::vector<float>& b) {
    float s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

/// A manual row with chunks written straight through the repositories (no PDF needed).
std::int64_t insert_manual_with_chunks(detail::Store& store, const std::vector<std::string>& texts) {
    auto id = store.write([&](SQLite::Database& db) -> Result<std::int64_t> {
        auto m = detail::manual_repo::insert(
            db, {"Scripts", "s.pdf", "manuals/x.pdf", "sha-scripts", 1, 1, {}}, now_utc());
        std::vector<detail::NewChunk> chunks;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            chunks.push_back({static_cast<int>(i), 1, 1, "", texts[i], 10});
        }
        (void)detail::manual_repo::replace_index(db, m.id, {}, chunks, "none", {}, std::nullopt, 0, now_utc(),
                                                 1);
        return m.id;
    });
    REQUIRE(id);
    return *id;
}

std::vector<std::int64_t> lexical_hits(detail::Store& store, std::string_view query) {
    const auto match = detail::fts_match_expression(query);
    auto hits = store.read([&](SQLite::Database& db) {
        return Result<std::vector<std::pair<std::int64_t, double>>>(
            detail::chunk_repo::bm25(db, match, {}, std::nullopt, 10));
    });
    REQUIRE(hits);
    std::vector<std::int64_t> ids;
    for (const auto& [id, score] : *hits)
        ids.push_back(id);
    return ids;
}

} // namespace

TEST_CASE("the FTS5 tokenizer keeps Indic words whole: vowel signs and viramas are not separators") {
    test::TempDir dir;
    auto store = detail::Store::open(dir.path() / "t.db", Logger());
    REQUIRE(store);
    insert_manual_with_chunks(**store, {
                                           "पौधे प्रकाश संश्लेषण से भोजन बनाते हैं",             // 1 Hindi
                                           "மாணவர்கள் தமிழ் மொழியில் கற்கிறார்கள்",            // 2 Tamil
                                           "ছাত্ররা বাংলায় বিজ্ঞান পড়ে",                  // 3 Bengali
                                           "Students learn about series circuits here", // 4 English
                                       });
    CHECK(lexical_hits(**store, "संश्लेषण") == std::vector<std::int64_t>{1});
    CHECK(lexical_hits(**store, "தமிழ்") == std::vector<std::int64_t>{2});
    CHECK(lexical_hits(**store, "বিজ্ঞান") == std::vector<std::int64_t>{3});
    // Fragments that unicode61's default rules would have produced must not match whole words.
    CHECK(lexical_hits(**store, "षण").empty());
    CHECK(lexical_hits(**store, "தம").empty());
    // English: case-insensitive, no stemming ("circuit" does not match "circuits").
    CHECK(lexical_hits(**store, "SERIES") == std::vector<std::int64_t>{4});
    CHECK(lexical_hits(**store, "circuit").empty());
}

TEST_CASE("query terms drop stop words and are quoted so user text cannot break the MATCH syntax") {
    CHECK(detail::fts_match_expression("What is the series circuit?") == R"("series" OR "circuit")");
    CHECK(detail::fts_match_expression("the") == R"("the")"); // nothing else to search for
    CHECK(detail::fts_match_expression("पौधे में भोजन") == R"("पौधे" OR "भोजन")");
    CHECK(detail::fts_match_expression("NEAR( \"x\" AND y* ) -z").find("AND") == std::string::npos);
    CHECK(detail::fts_match_expression("!!! ...").empty());
    CHECK(detail::query_terms("Ohm's law, OHM") == std::vector<std::string>{"ohm", "s", "law"});
}

TEST_CASE("the built-in embedder is deterministic, normalised and puts related texts closer") {
    auto e = make_hash_embedder(384);
    CHECK(e->dimension() == 384);
    CHECK(e->model() == "hash-ngram-v1/384");
    const std::vector<std::string> texts{
        "series and parallel circuits with torch bulbs", "a series circuit with two bulbs",
        "turmeric turns red in soap water", "series and parallel circuits with torch bulbs"};
    auto v = e->embed(texts);
    REQUIRE(v);
    REQUIRE(v->size() == 4);
    for (const auto& x : *v)
        CHECK(std::sqrt(dot(x, x)) == doctest::Approx(1.0).epsilon(1e-5));
    CHECK((*v)[0] == (*v)[3]);
    CHECK(dot((*v)[0], (*v)[1]) > dot((*v)[0], (*v)[2]) + 0.1f);
    CHECK(make_hash_embedder(256)->embed(texts)->front().size() == 256);
}

TEST_CASE("search validates its request") {
    Fixture f;
    CHECK(f.platform->retrieval().search({.query = ""}).error().field == "query");
    CHECK(f.platform->retrieval().search({.query = "x", .k = 0}).error().field == "k");
    CHECK(f.platform->retrieval().search({.query = "x", .k = 51}).error().field == "k");
    CHECK(f.platform->retrieval().search({.query = std::string(1001, 'a')}).error().field == "query");
}

TEST_CASE("hits carry the page, section and the three scores, and filters apply") {
    Fixture f;
    const auto id = f.ingest();
    auto r = f.platform->retrieval().search(
        {.query = "why does the other bulb go out in a series circuit", .k = 3});
    REQUIRE(r);
    REQUIRE_FALSE(r->hits.empty());
    CHECK(r->vector_used);
    const auto& top = r->hits.front();
    CHECK(top.manual_id == id);
    CHECK(top.manual_title == "Low-Cost Science Handbook");
    CHECK(top.page_start == 2);
    CHECK(top.bm25.has_value());
    CHECK(top.vector.has_value());
    CHECK(top.fused > 0);
    for (std::size_t i = 1; i < r->hits.size(); ++i)
        CHECK(r->hits[i - 1].fused >= r->hits[i].fused);

    auto hindi = f.search("प्रकाश संश्लेषण से भोजन");
    REQUIRE_FALSE(hindi.hits.empty());
    CHECK(hindi.hits.front().page_start == 7);

    auto section = f.platform->retrieval().search(
        {.query = "bulb",
         .section = std::string("2.1 Activity: series and parallel circuits with torch bulbs")});
    REQUIRE(section);
    REQUIRE_FALSE(section->hits.empty());
    // A chunk that took in a short section's text names both ("a; b"); the filter matches either.
    for (const auto& h : section->hits)
        CHECK(("; " + h.section + "; ")
                  .find("; 2.1 Activity: series and parallel circuits with torch bulbs; ") !=
              std::string::npos);

    auto other_manual = f.platform->retrieval().search({.query = "bulb", .manual_ids = {id + 100}});
    REQUIRE(other_manual);
    CHECK(other_manual->hits.empty());

    auto lexical = f.search("turmeric", SearchMode::lexical);
    REQUIRE_FALSE(lexical.hits.empty());
    CHECK_FALSE(lexical.vector_used);
    CHECK_FALSE(lexical.hits.front().vector.has_value());
    auto vector = f.search("turmeric paper colour", SearchMode::vector);
    REQUIRE_FALSE(vector.hits.empty());
    CHECK(vector.hits.front().page_start <= 3);
    CHECK(vector.hits.front().page_end >= 3);
    CHECK_FALSE(vector.hits.front().bm25.has_value());
}

TEST_CASE("a deleted vector index file is rebuilt from the database at open") {
    Fixture f;
    f.ingest();
    const auto chunks = f.platform->retrieval().stats()->chunks;
    f.platform.reset();
    std::filesystem::remove(f.dir.path() / "index" / "vectors.hnsw");
    f.reopen();
    auto job = f.wait_for_rebuild();
    REQUIRE(job);
    CHECK(job->state == JobState::succeeded);
    CHECK(job->result.find("vectors")->as_int() == chunks);
    auto stats = f.platform->retrieval().stats();
    CHECK(stats->vectors == chunks);
    CHECK_FALSE(stats->rebuilding);
    CHECK(f.search("turmeric paper colour", SearchMode::vector).hits.front().page_end >= 3);
    CHECK(std::filesystem::exists(f.dir.path() / "index" / "vectors.hnsw")); // saved again
}

TEST_CASE("a damaged vector index file is detected by its checksum and rebuilt") {
    Fixture f;
    f.ingest();
    f.platform.reset();
    {
        std::fstream file(f.dir.path() / "index" / "vectors.hnsw",
                          std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(200);
        file.write("garbage!", 8);
    }
    f.reopen();
    auto job = f.wait_for_rebuild();
    REQUIRE(job);
    CHECK(job->state == JobState::succeeded);
    CHECK(f.search("lemon battery copper coin", SearchMode::vector).hits.front().page_start == 2);
}

TEST_CASE("an intact index is loaded without a rebuild") {
    Fixture f;
    f.ingest();
    f.reopen();
    CHECK_FALSE(f.wait_for_rebuild().has_value());
    CHECK(f.platform->retrieval().stats()->vectors > 0);
}

TEST_CASE("changing the embedder re-embeds every chunk instead of mixing vector spaces") {
    Fixture f;
    f.ingest();
    const auto chunks = f.platform->retrieval().stats()->chunks;
    f.reopen([](Config& c) { c.embeddings.dimension = 256; });
    auto job = f.wait_for_rebuild();
    REQUIRE(job);
    CHECK(job->state == JobState::succeeded);
    CHECK(job->result.find("embedded")->as_int() == chunks);
    auto stats = f.platform->retrieval().stats();
    CHECK(stats->embedder == "hash-ngram-v1/256");
    CHECK(stats->vectors == chunks);
    CHECK(f.search("turmeric paper colour", SearchMode::vector).hits.front().page_end >= 3);
}

TEST_CASE("searches keep working while a manual is being indexed") {
    Fixture f;
    const auto id = f.ingest();
    std::atomic<bool> indexing{true};
    std::atomic<int> during{0}, failures{0};
    std::thread searcher([&] {
        while (indexing) {
            auto r = f.platform->retrieval().search({.query = "series circuit bulb", .k = 5});
            if (!r)
                ++failures;
            else
                ++during;
        }
    });
    for (int i = 0; i < 3; ++i)
        REQUIRE(f.platform->manuals().index(id));
    indexing = false;
    searcher.join();
    CHECK(failures == 0);
    CHECK(during > 0);
    CHECK(f.search("series circuit bulb").hits.front().page_start == 2);
}

TEST_CASE("jobs interrupted by a stop are marked failed when the platform opens again") {
    Fixture f;
    auto store = detail::Store::open(f.dir.path() / "shiksha.db", Logger());
    REQUIRE(store);
    Job job;
    job.id = "interrupted-job";
    job.kind = "manual.index";
    job.state = JobState::running;
    job.created_at = job.updated_at = now_utc();
    REQUIRE((*store)->write([&](SQLite::Database& db) -> Result<void> {
        detail::job_repo::insert(db, job);
        return {};
    }));
    f.reopen();
    auto after = f.platform->jobs().get("interrupted-job");
    REQUIRE(after);
    CHECK(after->state == JobState::failed);
    REQUIRE(after->error);
    CHECK(after->error->message.find("interrupted") != std::string::npos);
}

TEST_CASE("a manual indexed by an older chunker is re-chunked by a job at open while search answers") {
    Fixture f;
    const auto id = f.ingest();
    auto fresh = f.platform->manuals().get(id);
    REQUIRE(fresh);
    CHECK(fresh->chunker_version == detail::chunker_version);
    const auto chunk_count = fresh->chunk_count;
    // Reopening with chunks of the current chunker starts no job.
    f.reopen();
    auto none = f.platform->jobs().list({0, 10}, "manual.rechunk");
    REQUIRE(none);
    CHECK(none->empty());

    // Make it look like a manual the first chunker indexed: version 1, fragments for chunks.
    f.platform.reset();
    {
        auto store = detail::Store::open(f.dir.path() / "shiksha.db", Logger());
        REQUIRE(store);
        REQUIRE((*store)->write([&](SQLite::Database& db) -> Result<void> {
            db.exec("UPDATE manuals SET chunker_version = 1");
            db.exec("UPDATE chunks SET text = 'stale fragment', section = 'Po'");
            return {};
        }));
    }
    f.reopen();
    // Search answers at once, from whichever chunks are committed (old or new, never none).
    auto during =
        f.platform->retrieval().search({.query = "series circuit bulb", .k = 3, .mode = SearchMode::lexical});
    REQUIRE(during);
    auto jobs = f.platform->jobs().list({0, 10}, "manual.rechunk");
    REQUIRE(jobs);
    REQUIRE(jobs->size() == 1);
    auto done = f.platform->jobs().wait(jobs->front().id);
    REQUIRE(done);
    REQUIRE(done->state == JobState::succeeded);
    CHECK(done->result.find("rechunked")->as_int() == 1);
    CHECK(done->result.find("failed")->as_int() == 0);
    auto after = f.platform->manuals().get(id);
    REQUIRE(after);
    CHECK(after->chunker_version == detail::chunker_version);
    CHECK(after->chunk_count == chunk_count);
    auto chunks = f.platform->manuals().chunks(id, 0, 1000);
    REQUIRE(chunks);
    for (const auto& c : *chunks) {
        CHECK(c.text != "stale fragment");
        CHECK(c.section != "Po");
    }
    CHECK(f.search("series circuit bulb").hits.front().page_start == 2);
}
