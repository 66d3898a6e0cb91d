// Manual upload and indexing through the public API, on the project's sample handbook
// (examples/data: 8 pages, running header and footer, a two-column page, a Hindi page and an
// image-only page) and hand-made broken inputs.
#include "pdf_tools.hpp"
#include "platform_fixture.hpp"
#include "shiksha/platform.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace shiksha;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
const std::filesystem::path fixtures = std::filesystem::path(SHIKSHA_SOURCE_DIR) / "tests/data";

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t files_in(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

struct Fixture : test::PlatformFixture {
    using PlatformFixture::PlatformFixture;
    ManualEngine& manuals() { return platform->manuals(); }

    Manual upload_sample() {
        auto up = manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        return up->manual;
    }

    std::vector<Chunk> all_chunks(std::int64_t id) {
        auto chunks = manuals().chunks(id, 0, 1000);
        REQUIRE(chunks);
        return *chunks;
    }
};

const Chunk* chunk_containing(const std::vector<Chunk>& chunks, std::string_view phrase) {
    for (const auto& c : chunks) {
        if (c.text.find(phrase) != std::string::npos) return &c;
    }
    return nullptr;
}

} // namespace

TEST_CASE("uploading a manual counts its pages and stores the file under its SHA-256") {
    Fixture f;
    auto up = f.manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
    REQUIRE(up);
    CHECK_FALSE(up->duplicate);
    CHECK(up->manual.total_pages == 8);
    CHECK_FALSE(up->manual.indexed);
    CHECK(up->manual.filename == "low_cost_science_handbook.pdf");
    CHECK(up->manual.sha256.size() == 64);
    CHECK(up->manual.file_path == "manuals/" + up->manual.sha256 + ".pdf");
    CHECK(read(f.dir.path() / up->manual.file_path) == read(sample));
}

TEST_CASE("the same bytes uploaded again return the existing manual as a duplicate") {
    Fixture f;
    const auto first = f.upload_sample();
    auto again = f.manuals().upload(read(sample), {"Another title", "copy.pdf"});
    REQUIRE(again);
    CHECK(again->duplicate);
    CHECK(again->manual.id == first.id);
    CHECK(again->manual.title == first.title);
    CHECK(*f.manuals().count() == 1);
}

TEST_CASE("broken uploads are refused with a reason and leave nothing behind") {
    Fixture f;
    const std::string pdf = read(sample);
    struct Case {
        const char* what;
        std::string bytes;
        const char* says;
    };
    const std::vector<Case> cases = {
        {"empty", "", "empty"},
        {"not a PDF", "Hello, this is a text file\n", "not a PDF"},
        {"truncated", pdf.substr(0, pdf.size() / 2), "truncated"},
        {"damaged", "%PDF-1.7\n" + std::string(4096, 'x') + "\n%%EOF\n", "damaged"},
        {"needs a password", read(fixtures / "encrypted_user_password.pdf"), "password"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto up = f.manuals().upload(c.bytes, {"Broken manual", "broken.pdf"});
        REQUIRE_FALSE(up);
        CHECK(up.error().code == ErrorCode::invalid_argument);
        CHECK(up.error().field == "file");
        CHECK(up.error().message.find(c.says) != std::string::npos);
    }
    CHECK(*f.manuals().count() == 0);
    CHECK(files_in(f.dir.path() / "manuals") == 0);
}

TEST_CASE("a PDF over the configured size limit is refused") {
    Fixture f([](Config& c) { c.ingest.max_pdf_bytes = 10 * 1024; });
    auto up = f.manuals().upload_file(sample, {"Too big", ""});
    REQUIRE_FALSE(up);
    CHECK(up.error().code == ErrorCode::invalid_argument);
    CHECK(up.error().message.find("limit") != std::string::npos);
}

TEST_CASE("an encrypted PDF that opens without a password is accepted and indexed") {
    Fixture f;
    auto up = f.manuals().upload_file(fixtures / "encrypted_owner_only.pdf", {"Protected copy", ""});
    REQUIRE(up);
    auto report = f.manuals().index(up->manual.id);
    REQUIRE(report);
    CHECK(report->chunks > 5);
}

TEST_CASE("titles are validated") {
    Fixture f;
    auto up = f.manuals().upload(read(sample), {"x", "a.pdf"});
    REQUIRE_FALSE(up);
    CHECK(up.error().field == "title");
}

TEST_CASE("indexing reports each page: the text layer where it is readable, OCR where there is none") {
    Fixture f;
    const auto m = f.upload_sample();
    auto report = f.manuals().index(m.id);
    REQUIRE(report);
    REQUIRE(report->pages.size() == 8);
    for (int p = 0; p < 7; ++p) {
        CAPTURE(p + 1);
        CHECK(report->pages[p].method == "text");
        CHECK(report->pages[p].verdict == "readable");
        CHECK(report->pages[p].chars > 200);
    }
    CHECK(report->pages[7].method == "ocr");
    CHECK(report->pages[7].verdict == "empty");
    CHECK(report->ocr_pages == 1);
    CHECK(report->manual.indexed);
    CHECK(report->manual.ocr_pages == 1);
    CHECK(report->manual.detected_language == "english");
    CHECK(report->manual.chunk_count == report->chunks);

    const auto chunks = f.all_chunks(m.id);
    const Chunk* ocr = chunk_containing(chunks, "weekly timetable");
    REQUIRE(ocr != nullptr); // only the OCR of the scanned page can have produced this
    CHECK(ocr->page_start == 8);
    CHECK(ocr->section == "8 Multigrade classrooms");
}

TEST_CASE("running headers and footers are dropped and chunks keep their pages and sections") {
    Fixture f;
    const auto m = f.upload_sample();
    REQUIRE(f.manuals().index(m.id));
    const auto chunks = f.all_chunks(m.id);
    REQUIRE(chunks.size() >= 8);
    for (const auto& c : chunks) {
        CAPTURE(c.ordinal);
        CHECK(c.text.find("DIET Teacher Training Series") == std::string::npos);
        CHECK(c.text.find("Page 3 of 8") == std::string::npos);
        CHECK(c.page_start <= c.page_end);
        CHECK(c.tokens > 0);
        CHECK(c.tokens <= 300);
    }
    const Chunk* lemon = chunk_containing(chunks, "galvanised nail");
    REQUIRE(lemon != nullptr);
    CHECK(lemon->page_start == 2);
    CHECK(lemon->section.starts_with("2.2 Activity: a lemon battery")); // "; 3 Acids…" when merged
    const Chunk* hindi = chunk_containing(chunks, "प्रकाश संश्लेषण");
    REQUIRE(hindi != nullptr);
    CHECK(hindi->page_start == 7);
    const Chunk* two_column = chunk_containing(chunks, "electrician");
    REQUIRE(two_column != nullptr);
    CHECK(two_column->page_start <= 6);
    CHECK(two_column->page_end >= 6);
    for (std::size_t i = 0; i < chunks.size(); ++i)
        CHECK(chunks[i].ordinal == static_cast<int>(i));
}

TEST_CASE("progress is reported page by page and ends at the total") {
    Fixture f;
    const auto m = f.upload_sample();
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    IndexOptions options;
    options.progress = [&](std::int64_t done, std::int64_t total) {
        calls.emplace_back(done, total);
        return true;
    };
    REQUIRE(f.manuals().index(m.id, options));
    REQUIRE(calls.size() >= 9);
    for (std::size_t i = 1; i < calls.size(); ++i)
        CHECK(calls[i].first >= calls[i - 1].first);
    CHECK(calls.back().first == calls.back().second);
    CHECK(calls.front().second == 9); // 8 pages + the indexing step
}

TEST_CASE("cancelling an index leaves the manual as it was") {
    Fixture f;
    const auto m = f.upload_sample();
    REQUIRE(f.manuals().index(m.id));
    const auto before = f.all_chunks(m.id);
    IndexOptions options;
    options.progress = [](std::int64_t done, std::int64_t) { return done < 3; };
    auto cancelled = f.manuals().index(m.id, options);
    REQUIRE_FALSE(cancelled);
    CHECK(cancelled.error().code == ErrorCode::deadline_exceeded);
    const auto after = f.all_chunks(m.id);
    REQUIRE(after.size() == before.size());
    CHECK(after.front().id == before.front().id); // the old chunks are untouched
    CHECK(f.manuals().get(m.id)->indexed);
}

TEST_CASE("re-indexing replaces the chunks instead of adding to them") {
    Fixture f;
    const auto m = f.upload_sample();
    REQUIRE(f.manuals().index(m.id));
    const auto first = f.all_chunks(m.id);
    REQUIRE(f.manuals().index(m.id));
    const auto second = f.all_chunks(m.id);
    CHECK(second.size() == first.size());
    CHECK(second.front().id > first.back().id); // fresh ids: vector labels are never reused
    auto stats = f.platform->retrieval().stats();
    REQUIRE(stats);
    CHECK(stats->chunks == static_cast<std::int64_t>(second.size()));
    CHECK(stats->vectors == static_cast<std::int64_t>(second.size()));
}

TEST_CASE("with OCR disabled the scanned page is reported as not indexed, saying why") {
    Fixture f([](Config& c) { c.ingest.ocr = false; });
    const auto m = f.upload_sample();
    auto report = f.manuals().index(m.id);
    REQUIRE(report);
    CHECK(report->pages[7].method == "none");
    CHECK(report->pages[7].reason.find("OCR is disabled") != std::string::npos);
    CHECK(report->ocr_pages == 0);
    CHECK(chunk_containing(f.all_chunks(m.id), "weekly timetable") == nullptr);
}

TEST_CASE("a missing OCR language pack is named") {
    Fixture f([](Config& c) { c.ingest.ocr_languages = "eng+xyz"; });
    const auto m = f.upload_sample();
    auto report = f.manuals().index(m.id);
    REQUIRE(report);
    CHECK(report->pages[7].method == "none");
    CHECK(report->pages[7].reason.find("'xyz'") != std::string::npos);
    CHECK(report->pages[7].reason.find("tesseract-ocr-xyz") != std::string::npos);
}

TEST_CASE("deleting a manual removes its file, chunks and vectors") {
    Fixture f;
    const auto m = f.upload_sample();
    REQUIRE(f.manuals().index(m.id));
    REQUIRE(f.manuals().remove(m.id));
    CHECK(f.manuals().get(m.id).error().code == ErrorCode::not_found);
    CHECK_FALSE(std::filesystem::exists(f.dir.path() / m.file_path));
    auto stats = f.platform->retrieval().stats();
    CHECK(stats->chunks == 0);
    CHECK(stats->vectors == 0);
    auto hits = f.platform->retrieval().search({.query = "lemon battery"});
    REQUIRE(hits);
    CHECK(hits->hits.empty());
    CHECK(f.manuals().remove(m.id).error().message ==
          "Manual with ID " + std::to_string(m.id) + " not found");
}

TEST_CASE("index_async runs as a job that reaches 100 percent") {
    Fixture f;
    const auto m = f.upload_sample();
    auto job = f.manuals().index_async(m.id);
    REQUIRE(job);
    CHECK(job->kind == "manual.index");
    auto done = f.platform->jobs().wait(job->id);
    REQUIRE(done);
    CHECK(done->state == JobState::succeeded);
    CHECK(done->percent() == 100.0);
    CHECK(done->result.find("chunks")->as_int() > 5);
    CHECK(f.platform->jobs().cancel(job->id).error().code == ErrorCode::conflict);
    CHECK(f.manuals().index_async(999).error().code == ErrorCode::not_found);
}

TEST_CASE("pinning toggles and pinned manuals list first") {
    Fixture f;
    const auto m = f.upload_sample();
    auto other = f.manuals().upload_file(fixtures / "encrypted_owner_only.pdf", {"Second manual", ""});
    REQUIRE(other);
    auto listed = f.manuals().list();
    REQUIRE(listed);
    CHECK(listed->front().id == other->manual.id); // newest first
    REQUIRE(f.manuals().toggle_pin(m.id)->pinned);
    CHECK(f.manuals().list()->front().id == m.id);
    CHECK_FALSE(f.manuals().toggle_pin(m.id)->pinned);
}

namespace {

/// A well-formed PDF of `pages` blank A4 pages (no content streams at all).
std::string blank_pdf(int pages) {
    std::vector<std::string> objects;
    std::string kids;
    for (int i = 0; i < pages; ++i)
        kids += std::to_string(3 + i) + " 0 R ";
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
    for (int i = 0; i < pages; ++i)
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>");
    std::string out = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const auto xref = out.size();
    out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (auto off : offsets) {
        char line[21];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

} // namespace

// Regression (issue 16, defect 9): a 5,000-page blank PDF was accepted and OCRed page by page
// for 8 minutes.
TEST_CASE("a PDF with more pages than the configured cap is refused at upload, naming the cap") {
    Fixture f([](Config& cfg) { cfg.ingest.max_pages = 5; });
    CHECK(f.manuals().upload(blank_pdf(5), {"Five blank pages", "five.pdf"}).has_value());
    auto r = f.manuals().upload(blank_pdf(6), {"Six blank pages", "six.pdf"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK(r.error().field == "file");
    CHECK(r.error().message == "the PDF has 6 pages; at most 5 are accepted (SHIKSHA_MAX_PDF_PAGES)");
    CHECK(Config{}.ingest.max_pages == 1000);
}

TEST_CASE("blank pages are not sent to OCR; pages with ink still are") {
    if (!test::have_tool("qpdf")) {
        MESSAGE("qpdf not installed: skipping");
        return;
    }
    Fixture f;
    const auto blank = f.dir.path() / "blank.pdf";
    test::write_bytes(blank, blank_pdf(3));
    const auto merged = f.dir.path() / "handbook-and-blanks.pdf";
    REQUIRE(test::run_command("qpdf --empty --pages " + test::shell_quote(sample.string()) + " " +
                              test::shell_quote(blank.string()) + " -- " +
                              test::shell_quote(merged.string())));
    auto up = f.manuals().upload_file(merged, {"Handbook with blank pages", ""});
    REQUIRE(up);
    auto report = f.manuals().index(up->manual.id);
    REQUIRE(report);
    REQUIRE(report->pages.size() == 11);
    CHECK(report->pages[7].method == "ocr"); // the scanned page has ink
    for (int p = 8; p < 11; ++p) {
        CAPTURE(p + 1);
        CHECK(report->pages[p].method == "none");
        CHECK(report->pages[p].reason == "The page is blank (no ink); nothing to OCR.");
    }
    CHECK(report->ocr_pages == 1);
}
