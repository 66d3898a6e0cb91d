// Ingestion and retrieval on real third-party PDFs (shared/corpus, see its SOURCES.md), through
// the public API only: page counts, text coverage against poppler's own pdftotext, running
// footers, page attribution of chunks, OCR of image-only and legacy-font Hindi papers, the UDHR's
// broken Devanagari text layer, refusals of bad uploads, and retrieval quality (recall@5) on
// questions about the four NCERT chapters.
//
// The corpus is read at run time from $SHIKSHA_CORPUS_DIR (CTest sets it), else
// /work/shared/corpus; without it every case prints "corpus not found … skipping" and passes.
// No corpus text is copied here: the questions are our own words, and the phrases that check
// page attribution are drawn from pdftotext's output at run time.
//
// Thresholds are floors a little below what was measured (the measured value and the date are
// in the comment beside each); every case prints its measurements with MESSAGE so the log shows
// them. Indexing happens once per program: two lazily built libraries (the NCERT chapters; the
// Hindi papers) are shared by the cases.
#include "platform_fixture.hpp"
#include "result_printing.hpp"
#include "shiksha/platform.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using namespace shiksha;
using namespace shiksha::test;

namespace {

// ---- Corpus location and poppler-utils ---------------------------------------------------------

constexpr std::string_view economics = "ncert_c10_economics_ch2_sectors_of_the_indian_economy.pdf";
constexpr std::string_view electricity = "ncert_c10_science_ch11_electricity.pdf";
constexpr std::string_view acids = "ncert_c10_science_ch2_acids_bases_and_salts.pdf";
constexpr std::string_view power_sharing = "ncert_c10_polsci_ch1_power_sharing.pdf";
constexpr std::string_view scanned = "cbse2024_hindi_a_3-2-1_scanned_image_only.pdf";
constexpr std::string_view legacy = "cbse2024_hindi_a_3-1-1_legacy_font_nonunicode.pdf";
constexpr std::string_view udhr = "udhr_hindi_devanagari_textlayer.pdf";

constexpr std::array<std::string_view, 4> ncert_files{economics, electricity, acids, power_sharing};
constexpr std::array<std::string_view, 7> all_files{economics, electricity, acids, power_sharing,
                                                    scanned,   legacy,      udhr};

std::vector<fs::path> corpus_candidates() {
    std::vector<fs::path> out;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) out.emplace_back(env);
    out.emplace_back("/work/shared/corpus");
    return out;
}

/// The corpus directory holding every PDF these tests read, or nothing.
std::optional<fs::path> corpus_dir() {
    for (const auto& dir : corpus_candidates()) {
        std::error_code ec;
        const bool complete = std::ranges::all_of(
            all_files, [&](std::string_view f) { return fs::is_regular_file(dir / "pdf" / f, ec); });
        if (complete) return dir;
    }
    return std::nullopt;
}

std::string skip_message() {
    std::string tried;
    for (const auto& d : corpus_candidates())
        tried += (tried.empty() ? "" : ", ") + d.string();
    return "corpus not found: no complete shared/corpus/pdf at " + tried +
           " (set SHIKSHA_CORPUS_DIR); skipping";
}

#define CORPUS_OR_SKIP(var)                                                                                  \
    const auto var##_found = corpus_dir();                                                                   \
    if (!var##_found) {                                                                                      \
        MESSAGE(skip_message());                                                                             \
        return;                                                                                              \
    }                                                                                                        \
    const fs::path var = *var##_found / "pdf"

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

/// Runs a shell command and returns its stdout; nothing when it cannot run or exits non-zero.
std::optional<std::string> capture(const std::string& command) {
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe) return std::nullopt;
    std::string out;
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return out;
}

int pdfinfo_pages(const fs::path& pdf) {
    const auto info = capture("pdfinfo " + shell_quote(pdf.string()));
    REQUIRE_MESSAGE(info, "pdfinfo failed on " << pdf << " (poppler-utils: scripts/bootstrap.sh)");
    std::istringstream in(*info);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("Pages:")) return std::stoi(line.substr(6));
    }
    FAIL("pdfinfo printed no page count for " << pdf);
    return 0;
}

/// pdftotext in reading order (not -layout), one page or the whole file.
std::string pdftotext(const fs::path& pdf, int page = 0) {
    std::string cmd = "pdftotext -enc UTF-8";
    if (page > 0) cmd += " -f " + std::to_string(page) + " -l " + std::to_string(page);
    const auto text = capture(cmd + " " + shell_quote(pdf.string()) + " -");
    REQUIRE_MESSAGE(text, "pdftotext failed on " << pdf << " (poppler-utils: scripts/bootstrap.sh)");
    return *text;
}

// ---- Text helpers -------------------------------------------------------------------------------

/// Lower-cased ASCII letter/digit runs, in order. The NCERT chapters are English; what we
/// compare is whether words survive, so symbols (Ω, ×, –) and punctuation are left out.
std::vector<std::string> word_tokens(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) {
            word += c;
        } else if (u >= 'A' && u <= 'Z') {
            word += static_cast<char>(u + 32);
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

std::string join_tokens(const std::vector<std::string>& tokens, std::size_t from, std::size_t n) {
    std::string out = " ";
    for (std::size_t i = from; i < from + n; ++i)
        out += tokens[i] + " ";
    return out;
}

/// Code points in the Devanagari block (U+0900–U+097F) of a UTF-8 string.
std::size_t devanagari_count(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        // U+0900..U+097F is E0 A4 80..E0 A5 BF in UTF-8.
        if (static_cast<unsigned char>(s[i]) == 0xE0 &&
            (static_cast<unsigned char>(s[i + 1]) == 0xA4 || static_cast<unsigned char>(s[i + 1]) == 0xA5)) {
            ++n;
        }
    }
    return n;
}

/// Code points in U+00A1–U+00FF ("¡", "§", "Ø"…): rare in English or Hindi, but what a legacy
/// Hindi font's text layer extracts as (SOURCES.md shows a sample).
std::size_t latin1_symbol_count(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        n += (a == 0xC2 && b >= 0xA1) || a == 0xC3 ? 1 : 0; // U+00A1..U+00BF, U+00C0..U+00FF
    }
    return n;
}

std::string fixed(double v, int digits = 3) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(digits);
    out << v;
    return out.str();
}

// ---- The shared, lazily indexed libraries ----------------------------------------------------------

struct IndexedManual {
    std::int64_t id = 0;
    IndexReport report;
    std::vector<Chunk> chunks;
};

/// One platform whose manuals are uploaded and indexed on first use and then kept for the
/// rest of the program, so each PDF is indexed once however many cases read it.
class Library {
public:
    explicit Library(fs::path pdf_dir) : pdf_dir_(std::move(pdf_dir)) {
        auto opened = Platform::open(test_config(dir_.path()));
        REQUIRE(opened);
        platform_ = std::move(*opened);
    }

    const IndexedManual& manual(std::string_view file) {
        const std::lock_guard lock(mu_);
        const std::string key(file);
        if (auto it = manuals_.find(key); it != manuals_.end()) return it->second;
        auto up = platform_->manuals().upload_file(pdf_dir_ / key, {.title = key, .filename = key});
        REQUIRE(up);
        auto report = platform_->manuals().index(up->manual.id);
        REQUIRE(report);
        IndexedManual m{up->manual.id, *report, {}};
        for (std::int64_t offset = 0;; offset += 1000) {
            auto page = platform_->manuals().chunks(m.id, offset, 1000);
            REQUIRE(page);
            m.chunks.insert(m.chunks.end(), page->begin(), page->end());
            if (page->size() < 1000) break;
        }
        // What index() reported is what the store kept.
        REQUIRE(m.chunks.size() == static_cast<std::size_t>(report->chunks));
        auto stored_pages = platform_->manuals().pages(m.id);
        REQUIRE(stored_pages);
        REQUIRE(stored_pages->size() == report->pages.size());
        MESSAGE(key << ": indexed " << report->pages.size() << " pages (" << report->ocr_pages << " by OCR), "
                    << report->chunks << " chunks, " << report->headers_removed
                    << " header/footer lines removed, in " << fixed(report->seconds, 1) << " s");
        return manuals_.emplace(key, std::move(m)).first->second;
    }

    Platform& platform() { return *platform_; }

private:
    TempDir dir_; // outlives platform_ (declared first, destroyed last)
    std::unique_ptr<Platform> platform_;
    fs::path pdf_dir_;
    std::mutex mu_;
    std::map<std::string, IndexedManual> manuals_;
};

/// The four NCERT chapters, alone on their platform (retrieval searches all of it).
Library& ncert_library(const fs::path& pdf_dir) {
    static Library library(pdf_dir);
    return library;
}

/// The CBSE papers and the UDHR (OCR-heavy; only the cases that need them pay for it).
Library& hindi_library(const fs::path& pdf_dir) {
    static Library library(pdf_dir);
    return library;
}

std::string all_text(const IndexedManual& m) {
    std::string out;
    for (const auto& c : m.chunks)
        out += c.text + "\n";
    return out;
}

} // namespace

// ---- 1. Page counts ---------------------------------------------------------------------------------

TEST_CASE("upload counts the same pages as pdfinfo for every corpus PDF") {
    CORPUS_OR_SKIP(pdfs);
    PlatformFixture fx;
    for (auto file : all_files) {
        CAPTURE(file);
        const int expected = pdfinfo_pages(pdfs / file);
        auto up = fx.platform->manuals().upload_file(pdfs / file, {.title = std::string(file)});
        REQUIRE(up);
        MESSAGE(file << ": pdfinfo " << expected << " pages, upload " << up->manual.total_pages);
        CHECK(up->manual.total_pages == expected);
    }
}

// ---- 2. Text coverage ----------------------------------------------------------------------------

TEST_CASE("the indexed text of each NCERT chapter covers pdftotext's words") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = ncert_library(pdfs);
    for (auto file : ncert_files) {
        CAPTURE(file);
        const auto& m = lib.manual(file);
        // Page furniture is dropped on purpose: page numbers, the running titles indexing
        // reports, and the one-letter pieces pdftotext makes of letter-spaced and sideways type
        // ("po w e r sh a r i n g", which indexing rebuilds as the running title "Power-sharing").
        std::set<std::string> furniture;
        for (const auto& t : m.report.running_titles)
            for (auto& w : word_tokens(t))
                furniture.insert(std::move(w));
        std::vector<std::string> reference;
        for (auto& w : word_tokens(pdftotext(pdfs / file))) {
            const bool digits = std::ranges::all_of(w, [](char c) { return c >= '0' && c <= '9'; });
            if (!digits && w.size() > 1 && !furniture.contains(w)) reference.push_back(std::move(w));
        }
        const auto ours = word_tokens(all_text(m));
        const std::set<std::string> ref_set(reference.begin(), reference.end());
        const std::set<std::string> our_set(ours.begin(), ours.end());
        std::size_t kept = 0;
        std::vector<std::string> lost;
        for (const auto& w : ref_set) {
            if (our_set.contains(w))
                ++kept;
            else if (lost.size() < 15)
                lost.push_back(w);
        }
        // Multiset recall: each reference occurrence matched at most once (chunk overlap repeats
        // text, so our counts are inflated; min() clips that).
        std::map<std::string, std::size_t> ref_count, our_count;
        for (const auto& w : reference)
            ++ref_count[w];
        for (const auto& w : ours)
            ++our_count[w];
        std::size_t matched = 0;
        for (const auto& [w, n] : ref_count)
            matched += std::min(n, our_count[w]);
        const double recall = static_cast<double>(kept) / static_cast<double>(ref_set.size());
        const double occurrence_recall = static_cast<double>(matched) / static_cast<double>(reference.size());
        std::string sample;
        for (const auto& w : lost)
            sample += w + " ";
        MESSAGE(file << ": distinct-word recall " << fixed(recall) << " (" << kept << "/" << ref_set.size()
                     << "), occurrence recall " << fixed(occurrence_recall) << "; some lost: " << sample);
        // Measured 2026-11-22 (chunker 1, all of pdftotext's words): distinct 0.983 / 0.967 / 0.964 /
        // 0.982 and occurrence 0.982 / 0.968 / 0.969 / 0.964 (economics, electricity, acids,
        // power-sharing). Chunker 2 drops more furniture (page numbers and running titles found by
        // their place on the page), so the reference leaves those out; see the MESSAGE for today's.
        CHECK(recall >= 0.95);
        CHECK(occurrence_recall >= 0.95);
    }
}

// ---- 3. Running footers ----------------------------------------------------------------------------

TEST_CASE("the running footer printed on every page is in no chunk") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = ncert_library(pdfs);
    constexpr std::string_view footer = "Reprint 2025-26";
    for (auto file : ncert_files) {
        CAPTURE(file);
        const int pages = pdfinfo_pages(pdfs / file);
        int pages_with_footer = 0;
        for (int p = 1; p <= pages; ++p) {
            if (pdftotext(pdfs / file, p).find(footer) != std::string::npos) ++pages_with_footer;
        }
        const auto& m = lib.manual(file);
        const auto with_footer = std::ranges::count_if(
            m.chunks, [&](const Chunk& c) { return c.text.find(footer) != std::string::npos; });
        MESSAGE(file << ": footer on " << pages_with_footer << "/" << pages << " pages (pdftotext), in "
                     << with_footer << "/" << m.chunks.size() << " chunks; " << m.report.headers_removed
                     << " lines removed");
        REQUIRE(pages_with_footer == pages); // the premise: it really is on every page
        // Measured 2026-11-22: 0 chunks in economics, electricity and acids; 1 in power-sharing,
        // whose page 8 puts a cartoon caption after the body text, so in reading order the footer
        // sits mid-page, beyond the edge lines that header removal looks at.
        const std::map<std::string_view, std::ptrdiff_t> allowed{{power_sharing, 1}};
        const auto it = allowed.find(file);
        CHECK(with_footer <= (it == allowed.end() ? 0 : it->second));
        CHECK(m.report.headers_removed >= pages);
    }
}

// ---- 4. Page attribution ---------------------------------------------------------------------------

TEST_CASE("a chunk holding a phrase from page N spans page N") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = ncert_library(pdfs);
    // Phrases: runs of 8 words taken from `pdftotext -f N -l N`, kept only when they occur on no
    // other page of the chapter. Up to three per page (at 1/4, 1/2 and 3/4 of the page's text).
    constexpr std::size_t phrase_words = 8;
    std::size_t tried = 0, found = 0, wrong = 0, pages_total = 0, pages_found = 0;
    for (auto file : ncert_files) {
        CAPTURE(file);
        const auto& m = lib.manual(file);
        std::vector<std::string> chunk_tokens;
        for (const auto& c : m.chunks) {
            const auto t = word_tokens(c.text);
            chunk_tokens.push_back(join_tokens(t, 0, t.size()));
        }
        const int pages = pdfinfo_pages(pdfs / file);
        std::vector<std::vector<std::string>> page_tokens;
        std::vector<std::string> page_joined;
        for (int p = 1; p <= pages; ++p) {
            page_tokens.push_back(word_tokens(pdftotext(pdfs / file, p)));
            page_joined.push_back(join_tokens(page_tokens.back(), 0, page_tokens.back().size()));
        }
        std::string missing_pages;
        for (int p = 1; p <= pages; ++p) {
            const auto& tokens = page_tokens[static_cast<std::size_t>(p - 1)];
            std::vector<std::string> unique;
            for (std::size_t i = 0; i + phrase_words <= tokens.size(); ++i) {
                const std::string phrase = join_tokens(tokens, i, phrase_words);
                bool elsewhere = false;
                for (int q = 1; q <= pages && !elsewhere; ++q) {
                    elsewhere = q != p && page_joined[static_cast<std::size_t>(q - 1)].find(phrase) !=
                                              std::string::npos;
                }
                if (!elsewhere) unique.push_back(phrase);
            }
            if (unique.empty()) continue; // a page with no text of its own (a figure)
            ++pages_total;
            // Interior phrases: the first and last words of a page are its running header and
            // footer, which indexing drops on purpose.
            std::vector<std::string> picked{unique[unique.size() / 4], unique[unique.size() / 2],
                                            unique[unique.size() * 3 / 4]};
            picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
            bool any = false;
            for (const auto& phrase : picked) {
                ++tried;
                bool hit = false;
                for (std::size_t c = 0; c < m.chunks.size(); ++c) {
                    if (chunk_tokens[c].find(phrase) == std::string::npos) continue;
                    hit = true;
                    const bool spans = m.chunks[c].page_start <= p && p <= m.chunks[c].page_end;
                    if (!spans) {
                        ++wrong;
                        MESSAGE(file << ": phrase from page " << p << " is in chunk " << m.chunks[c].ordinal
                                     << " (pages " << m.chunks[c].page_start << "-" << m.chunks[c].page_end
                                     << ")");
                    }
                }
                if (hit) ++found;
                any = any || hit;
            }
            if (any)
                ++pages_found;
            else
                missing_pages += std::to_string(p) + " ";
        }
        if (!missing_pages.empty())
            MESSAGE(file << ": no phrase found in any chunk for pages " << missing_pages);
    }
    const double found_share =
        static_cast<double>(found) / static_cast<double>(std::max<std::size_t>(tried, 1));
    MESSAGE("page attribution: " << found << "/" << tried << " phrases found in chunks ("
                                 << fixed(found_share) << "), " << wrong
                                 << " in a chunk whose pages miss theirs; pages with a phrase found "
                                 << pages_found << "/" << pages_total);
    // Measured 2026-11-22: 210/228 phrases found (0.921), none in a chunk missing its page, a
    // phrase found for 76/76 pages. Phrases not found cross a spot where our reading order or
    // hyphen joining differs from pdftotext's (two-column pages, rotated labels).
    CHECK(wrong == 0);
    CHECK(found_share >= 0.88);
    CHECK(pages_found == pages_total);
}

// ---- 5–7. Hindi papers: OCR of image-only pages, legacy fonts, broken Unicode --------------------

TEST_CASE("an image-only Hindi paper is read by OCR and found by a Hindi word") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = hindi_library(pdfs);
    const auto& m = lib.manual(scanned);
    int ocr_pages = 0;
    for (const auto& p : m.report.pages)
        ocr_pages += p.method == "ocr" ? 1 : 0;
    const std::string text = all_text(m);
    MESSAGE(scanned << ": " << ocr_pages << "/" << m.report.pages.size() << " pages by OCR, "
                    << devanagari_count(text) << " Devanagari code points in " << m.chunks.size()
                    << " chunks, " << fixed(m.report.seconds, 1) << " s");
    // Measured 2026-11-22: 16/16 pages OCRed, 15,580 Devanagari code points in 38 chunks;
    // 23 s on this 2-core machine with OMP_THREAD_LIMIT=1 as CTest runs it, 110–166 s with
    // Tesseract's default OpenMP threads (eng+hin at 200 dpi).
    CHECK(m.report.pages.size() == 16);
    for (const auto& p : m.report.pages) {
        CAPTURE(p.page);
        CHECK(p.method == "ocr");
        CHECK(p.verdict == "empty");
    }
    CHECK(devanagari_count(text) >= 12000);

    // "हैसियत" (standing, status) is printed in the first reading passage on page 2 (seen on the
    // page rendered with pdftoppm); the file has no text layer, so only OCR can make it findable.
    auto result = lib.platform().retrieval().search({.query = "हैसियत", .k = 5});
    REQUIRE(result);
    std::string got;
    bool found = false;
    for (const auto& h : result->hits) {
        got += std::to_string(h.page_start) + (h.manual_id == m.id ? " " : "(other) ");
        found = found || (h.manual_id == m.id && h.page_start <= 2 && 2 <= h.page_end);
    }
    MESSAGE("search 'हैसियत' hits pages " << got);
    CHECK(found);
}

TEST_CASE("a Hindi paper set in a legacy font is OCRed instead of indexed as mojibake") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = hindi_library(pdfs);
    const auto& m = lib.manual(legacy);
    std::map<std::string, int> verdicts, methods;
    std::string per_page;
    for (const auto& p : m.report.pages) {
        ++verdicts[p.verdict];
        ++methods[p.method];
        per_page += std::to_string(p.page) + ":" + p.verdict + "/" + p.method + " ";
    }
    const std::string text = all_text(m);
    const std::size_t mojibake_in_layer = latin1_symbol_count(pdftotext(pdfs / legacy));
    MESSAGE(legacy << ": " << per_page);
    MESSAGE(legacy << ": legacy_font " << verdicts["legacy_font"] << ", ocr " << methods["ocr"] << " of "
                   << m.report.pages.size() << " pages; " << devanagari_count(text)
                   << " Devanagari code points; U+00A1-U+00FF symbols: " << mojibake_in_layer
                   << " in the text layer, " << latin1_symbol_count(text) << " in the chunks; "
                   << fixed(m.report.seconds, 1) << " s");
    // Measured 2026-11-22: pages 1–15 legacy_font, page 16 empty (a blank back page); all 16 OCRed;
    // 16,026 Devanagari code points; the text layer has thousands of Latin-1 symbols, the chunks
    // none to speak of.
    CHECK(m.report.pages.size() == 16);
    CHECK(verdicts["legacy_font"] >= 14);
    CHECK(methods["ocr"] >= 15);
    for (const auto& p : m.report.pages) {
        CAPTURE(p.page);
        if (p.verdict == "legacy_font") CHECK(p.method == "ocr"); // never indexed as mojibake
    }
    CHECK(devanagari_count(text) >= 12000);
    CHECK(latin1_symbol_count(text) * 20 < mojibake_in_layer);
}

TEST_CASE("the UDHR's Devanagari text layer: per-page verdicts and a word its text layer loses") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = hindi_library(pdfs);
    const auto& m = lib.manual(udhr);
    std::string per_page;
    for (const auto& p : m.report.pages)
        per_page += std::to_string(p.page) + ":" + p.verdict + "/" + p.method + " ";
    MESSAGE(udhr << ": " << per_page);
    const std::string word = "सार्वभौम";
    const bool in_text_layer = pdftotext(pdfs / udhr).find(word) != std::string::npos;
    const bool in_chunks = all_text(m).find(word) != std::string::npos;
    auto hits = lib.platform().retrieval().search({.query = word, .k = 5});
    REQUIRE(hits);
    bool found = false;
    for (const auto& h : hits->hits)
        found = found || h.manual_id == m.id;
    MESSAGE("'" << word << "': in pdftotext " << in_text_layer << ", in chunks " << in_chunks
                << ", search finds the UDHR " << found << "; " << fixed(m.report.seconds, 1) << " s");
    // Measured 2026-11-22: every page is broken_unicode (conjuncts vanish from the text layer), so
    // every page is OCRed; pdftotext lacks the word (its layer has "सावभौम"), OCR restores it, and
    // search finds the UDHR by it. Were the pages indexed from their text layer, the word would
    // be in no chunk and the search would find nothing.
    CHECK(m.report.pages.size() == 6);
    for (const auto& p : m.report.pages) {
        CAPTURE(p.page);
        CHECK(p.verdict == "broken_unicode");
        CHECK(p.method == "ocr");
    }
    CHECK_FALSE(in_text_layer);
    CHECK(in_chunks);
    CHECK(found);
}

// ---- 8. Refusals -------------------------------------------------------------------------------------

namespace {

/// Uploads `file` to a fresh platform and expects invalid_argument whose message contains
/// `problem`, with no manual recorded and no file left in the data directory.
void expect_refused(const fs::path& file, std::string_view problem) {
    PlatformFixture fx;
    auto up = fx.platform->manuals().upload_file(file, {.title = "Refused upload"});
    REQUIRE_FALSE(up);
    MESSAGE(file.filename() << ": " << to_string(up.error().code) << ": " << up.error().message);
    CHECK(up.error().code == ErrorCode::invalid_argument);
    CHECK(up.error().message.find(problem) != std::string::npos);
    auto count = fx.platform->manuals().count();
    REQUIRE(count);
    CHECK(*count == 0);
    std::size_t files = 0;
    std::error_code ec;
    if (fs::exists(fx.dir.path() / "manuals", ec)) {
        for (const auto& e : fs::recursive_directory_iterator(fx.dir.path() / "manuals"))
            files += e.is_regular_file() ? 1 : 0;
    }
    CHECK(files == 0);
}

void write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out);
}

} // namespace

TEST_CASE("truncated, damaged, encrypted and non-PDF uploads are refused and leave nothing behind") {
    CORPUS_OR_SKIP(pdfs);
    TempDir scratch;
    SUBCASE("a corpus PDF cut in half") {
        std::ifstream in(pdfs / electricity, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        REQUIRE(bytes.size() > 1000);
        write_file(scratch.path() / "half.pdf", std::string_view(bytes).substr(0, bytes.size() / 2));
        expect_refused(scratch.path() / "half.pdf", "truncated");
    }
    SUBCASE("a PDF header and trailer around bytes that are no PDF") {
        std::string bytes = "%PDF-1.7\n";
        for (int i = 0; i < 4096; ++i)
            bytes += static_cast<char>((i * 7919) % 251);
        bytes += "\n%%EOF\n";
        write_file(scratch.path() / "damaged.pdf", bytes);
        expect_refused(scratch.path() / "damaged.pdf", "damaged");
    }
    SUBCASE("a PDF that needs a password") {
        expect_refused(fs::path(SHIKSHA_SOURCE_DIR) / "tests/data/encrypted_user_password.pdf", "password");
    }
    SUBCASE("a text file and a ZIP (DOCX) file named .pdf") {
        write_file(scratch.path() / "notes.pdf", "Chapter 1: Light\nReflection and refraction.\n");
        expect_refused(scratch.path() / "notes.pdf", "not a PDF");
        write_file(scratch.path() / "lesson.pdf", std::string("PK\x03\x04", 4) + std::string(512, '\0'));
        expect_refused(scratch.path() / "lesson.pdf", "not a PDF");
    }
}

// ---- 8b. Chunk quality -----------------------------------------------------------------------------

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct ChunkStats {
    std::size_t chunks = 0, median = 0, under_100 = 0, with_section = 0, heading_only = 0;
    std::string shortest; ///< a few of the shortest chunks, quoted
};

/// Lengths in code points; a chunk whose text is its section (a heading standing alone) counts
/// as heading_only.
ChunkStats chunk_stats(const std::vector<Chunk>& chunks) {
    ChunkStats st;
    st.chunks = chunks.size();
    std::vector<std::pair<std::size_t, const Chunk*>> lengths;
    for (const auto& c : chunks) {
        std::size_t n = 0;
        for (char ch : c.text)
            n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
        lengths.emplace_back(n, &c);
        st.under_100 += n < 100 ? 1 : 0;
        st.with_section += c.section.empty() ? 0 : 1;
        st.heading_only += !c.section.empty() && lower(c.text) == lower(c.section) ? 1 : 0;
    }
    std::ranges::sort(lengths, [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!lengths.empty()) st.median = lengths[lengths.size() / 2].first;
    for (std::size_t i = 0; i < lengths.size() && i < 4; ++i)
        st.shortest += "\"" + lengths[i].second->text.substr(0, 60) + "\" ";
    return st;
}

bool any_section_has(const std::vector<Chunk>& chunks, std::string_view heading) {
    const std::string want = lower(heading);
    return std::ranges::any_of(
        chunks, [&](const Chunk& c) { return lower(c.section).find(want) != std::string::npos; });
}

void check_chunk_quality(std::string_view name, const std::vector<Chunk>& chunks) {
    const auto st = chunk_stats(chunks);
    MESSAGE(name << ": " << st.chunks << " chunks, median " << st.median << " chars, " << st.under_100
                 << " under 100 chars, " << st.with_section << " with a section, " << st.heading_only
                 << " only a heading; shortest: " << st.shortest);
    REQUIRE(st.chunks > 0);
    CHECK(st.median >= 200);
    CHECK(st.under_100 * 20 <= st.chunks); // at most 5 %
    CHECK(st.heading_only == 0);           // a heading is a section, never a chunk of its own
}

} // namespace

TEST_CASE("chunks of every corpus PDF are passages, not fragments, and headings are their sections") {
    CORPUS_OR_SKIP(pdfs);
    // Measured 2026-12-07 with chunker 2 (the table in README "Layout-aware chunking"); before it
    // power-sharing had a median of 1 character and 154 of 186 chunks under 100.
    for (auto file : all_files) {
        CAPTURE(file);
        auto& lib = std::ranges::find(ncert_files, file) != ncert_files.end() ? ncert_library(pdfs)
                                                                              : hindi_library(pdfs);
        const auto& m = lib.manual(file);
        check_chunk_quality(file, m.chunks);
        CHECK(m.report.manual.chunker_version >= 2);
    }
    // The display type the first chunker broke into fragments, rebuilt.
    const auto& power = ncert_library(pdfs).manual(power_sharing);
    CHECK(any_section_has(power.chunks, "Power-sharing"));
    CHECK(any_section_has(power.chunks, "Belgium and Sri Lanka"));
    const auto& econ = ncert_library(pdfs).manual(economics);
    CHECK(any_section_has(econ.chunks, "Notes for the teacher"));
    // "Understanding Economic Development" is the book's title at the foot of every other page:
    // rebuilt from its drop caps and recognised as a running title, not chunk text.
    std::string titles;
    for (const auto& t : econ.report.running_titles)
        titles += t + " | ";
    MESSAGE("economics running titles: " << titles);
    CHECK(std::ranges::any_of(econ.report.running_titles, [](const std::string& t) {
        return lower(t) == "understanding economic development";
    }));
    CHECK(std::ranges::none_of(econ.chunks, [](const Chunk& c) {
        return c.text.find("NDERST") != std::string::npos ||
               c.text.find("U NDERSTANDING") != std::string::npos;
    }));
    const auto& ohm = ncert_library(pdfs).manual(electricity);
    CHECK(any_section_has(ohm.chunks, "Ohm"));
}

TEST_CASE("chunks of the bundled sample manual are passages with their headings as sections") {
    Library lib(fs::path(SHIKSHA_SOURCE_DIR) / "examples/data");
    const auto& m = lib.manual("low_cost_science_handbook.pdf");
    check_chunk_quality("low_cost_science_handbook.pdf", m.chunks);
    std::set<std::string> sections;
    for (const auto& c : m.chunks)
        sections.insert(c.section);
    std::string list;
    for (const auto& s : sections)
        list += "\"" + s + "\" ";
    MESSAGE("sample manual sections: " << list);
    CHECK(sections.size() >= 2);
}

// ---- 9. Retrieval quality ----------------------------------------------------------------------------

namespace {

struct Question {
    std::string_view manual;
    std::string_view question;
    std::vector<int> pages; ///< PDF pages (1-based) whose text answers it
};

// Our own questions; the pages were found by reading `pdftotext -layout -f N -l N`. Most use some
// of the chapter's words, as a teacher's question would; the last few of each chapter are
// paraphrases that share almost none (the hard part for lexical and hash-n-gram search alike).
const std::vector<Question>& questions() {
    static const std::vector<Question> table{
        // Economics: Sectors of the Indian Economy
        {economics, "Why is agriculture and related work called the primary sector?", {3}},
        {economics,
         "Which activities like transport, storage, banking and communication belong to the service sector?",
         {3}},
        {economics,
         "Why are only final goods counted and not intermediate goods like flour when adding up production?",
         {5}},
        {economics, "What does GDP measure and who estimates it in India?", {6}},
        {economics, "How did the most important sector change over history in developed countries?", {6}},
        {economics, "Reasons why services became the biggest producing sector in India", {7, 8}},
        {economics, "What is disguised unemployment where the whole family works on a small farm?", {9}},
        {economics, "How could a well, a dam or irrigation canals create more jobs in farming?", {10, 11}},
        {economics, "How many days of work per year does the rural employment guarantee act promise?", {12}},
        {economics,
         "Job security, paid leave, provident fund and pension for workers with regular jobs",
         {13, 14}},
        {economics, "Why do workers in the unorganised sector need protection and support?", {15}},
        {economics, "How do public and private sectors differ in who owns the assets?", {16}},
        {economics,
         "Why does the government buy wheat and rice from farmers and sell it cheaply in ration shops?",
         {17}},
        {economics,
         "Everyone in the family is busy on the tiny plot all day, so why are they not really fully "
         "employed?",
         {9}},
        {economics, "Where can a farmer keep potatoes and onions until prices are better?", {11}},
        {economics, "Which workers can be sent away whenever the boss wishes, with no paid holidays?", {14}},
        // Science: Electricity
        {electricity, "What is the unit of electric charge and how many electrons make it up?", {2}},
        {electricity, "How should an ammeter be placed in a circuit to measure current?", {2}},
        {electricity, "When is the potential difference between two points one volt?", {3}},
        {electricity,
         "How does the current in a metal wire change with the voltage across it at constant temperature?",
         {6}},
        {electricity, "Which factors decide the resistance of a conducting wire?", {8}},
        {electricity, "Why are the coils of toasters and electric irons made of an alloy?", {9}},
        {electricity, "How do you find the total resistance of resistors joined in parallel?", {16}},
        {electricity, "Why is it a bad idea to connect fairy lights or home appliances in series?", {17}},
        {electricity,
         "Heat produced in a resistor grows with the square of the current: which law is this?",
         {19}},
        {electricity, "How does a fuse protect appliances from too much current?", {20}},
        {electricity, "How many joules are there in one kilowatt hour, the unit on electricity bills?", {21}},
        {electricity, "What keeps the glowing wire inside a lamp from melting?", {20}},
        {electricity, "Do we pay the electricity company for the electrons we use up?", {21}},
        // Science: Acids, Bases and Salts
        {acids, "Which substances change their smell in acids or bases, like onion or vanilla?", {2, 3}},
        {acids, "What gas bubbles out when zinc pieces are dropped into dilute sulphuric acid?", {3, 4}},
        {acids, "What do you get when an acid reacts with a base?", {5, 8}},
        {acids, "Why must acid be poured into water and never water into acid?", {8}},
        {acids, "Below what pH is rain called acid rain?", {10}},
        {acids, "How do antacids such as milk of magnesia relieve indigestion?", {11}},
        {acids, "What causes tooth decay and how does toothpaste prevent it?", {11}},
        {acids, "Making sodium hydroxide and chlorine by passing electricity through brine", {14}},
        {acids, "Chemical name of baking soda and why it is used in cooking", {15}},
        {acids, "Why do blue copper sulphate crystals turn white when heated?", {16}},
        {acids, "What happens when plaster of Paris is mixed with water?", {17}},
        {acids, "Why does a honey bee sting hurt and what soothes it?", {11}},
        {acids, "Which acid makes tamarind sour, and which one is in curd?", {12}},
        {acids, "What can be added to drinking water to kill germs?", {15}},
        // Political science: Power-sharing
        {power_sharing, "Which languages are spoken in Belgium and by what share of people?", {2}},
        {power_sharing, "Which law made Sinhala the only official language of Sri Lanka?", {3}},
        {power_sharing,
         "Why did Sri Lankan Tamils demand a separate state and how did the civil war start?",
         {4}},
        {power_sharing,
         "How did Belgium's constitution share power between Dutch and French speakers?",
         {4, 5}},
        {power_sharing, "What are the prudential and the moral reasons for sharing power?", {6}},
        {power_sharing,
         "Lebanon reserves the posts of president and prime minister for particular communities",
         {7}},
        {power_sharing,
         "Separation of powers among legislature, executive and judiciary with checks and balances",
         {8}},
        {power_sharing, "Power divided between central, state and local governments", {8, 9}},
        {power_sharing, "What goes wrong when the biggest group in a country refuses to share power?", {5}},
        {power_sharing, "Two rival parties running a government together in Germany", {6}},
    };
    return table;
}

/// Hits within the first 1, 3 and 5 results.
struct Recall {
    std::array<std::size_t, 3> hits{}; ///< at 1, 3, 5
    std::size_t total = 0;
    std::vector<std::string> misses;
    [[nodiscard]] double at(std::size_t k) const {
        const std::size_t i = k <= 1 ? 0 : k <= 3 ? 1 : 2;
        return total ? static_cast<double>(hits[i]) / static_cast<double>(total) : 0;
    }
};

constexpr std::array<std::size_t, 3> recall_ranks{1, 3, 5};

/// Counts a question as found at k when one of the first k (manual, pages) answers it.
void score(Recall& r, const Question& q, std::int64_t want,
           const std::vector<std::tuple<std::int64_t, int, int>>& results, std::string_view label) {
    std::size_t first = results.size();
    std::string got;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& [manual, from, to] = results[i];
        const bool right_manual = manual == want;
        const bool right_page = std::ranges::any_of(q.pages, [&](int p) { return from <= p && p <= to; });
        if (right_manual && right_page && first == results.size()) first = i;
        // Appends, not `"-" + std::to_string(…)`: GCC 12 at -O3 raises a false -Wrestrict on that.
        if (!right_manual) got += "other:";
        got += std::to_string(from);
        if (to != from) got.append("-").append(std::to_string(to));
        got += ' ';
    }
    ++r.total;
    for (std::size_t i = 0; i < recall_ranks.size(); ++i)
        r.hits[i] += first < recall_ranks[i] ? 1 : 0;
    if (first >= 5) {
        std::string want_pages;
        for (int p : q.pages)
            want_pages += std::to_string(p) + " ";
        r.misses.push_back(std::string(label) + " miss: \"" + std::string(q.question) + "\" wants p. " +
                           want_pages + "got " + got);
    }
}

Recall recall_of(Library& lib, const std::map<std::string, std::int64_t, std::less<>>& ids, SearchMode mode) {
    Recall r;
    for (const auto& q : questions()) {
        auto result =
            lib.platform().retrieval().search({.query = std::string(q.question), .k = 5, .mode = mode});
        REQUIRE(result);
        std::vector<std::tuple<std::int64_t, int, int>> got;
        for (const auto& h : result->hits)
            got.emplace_back(h.manual_id, h.page_start, h.page_end);
        score(r, q, ids.find(q.manual)->second, got, to_string(mode));
    }
    return r;
}

/// The naive baseline the issue measured: BM25 (k1 1.2, b 0.75) over windows of 300 words
/// (stride 150) of each page's pdftotext text, every word a term.
class PageWindowBm25 {
public:
    PageWindowBm25(const fs::path& pdfs, const std::map<std::string, std::int64_t, std::less<>>& ids) {
        for (auto file : ncert_files) {
            const std::int64_t id = ids.find(file)->second;
            const int pages = pdfinfo_pages(pdfs / file);
            for (int p = 1; p <= pages; ++p) {
                const auto words = word_tokens(pdftotext(pdfs / file, p));
                for (std::size_t from = 0; from == 0 || from + 150 < words.size(); from += 150) {
                    Window w{id, p, {}, 0};
                    for (std::size_t i = from; i < std::min(words.size(), from + 300); ++i) {
                        ++w.tf[words[i]];
                        ++w.length;
                    }
                    for (const auto& [term, n] : w.tf)
                        ++df_[term];
                    total_length_ += static_cast<double>(w.length);
                    windows_.push_back(std::move(w));
                }
            }
        }
    }

    [[nodiscard]] std::vector<std::tuple<std::int64_t, int, int>> search(std::string_view query,
                                                                         std::size_t k) const {
        constexpr double k1 = 1.2, b = 0.75;
        const double n = static_cast<double>(windows_.size());
        const double average = total_length_ / n;
        const auto terms = word_tokens(query);
        std::vector<std::pair<double, std::size_t>> scored;
        for (std::size_t i = 0; i < windows_.size(); ++i) {
            const auto& w = windows_[i];
            double s = 0;
            for (const auto& t : terms) {
                const auto tf = w.tf.find(t);
                if (tf == w.tf.end()) continue;
                const double df = static_cast<double>(df_.at(t));
                const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
                const double f = static_cast<double>(tf->second);
                s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * static_cast<double>(w.length) / average));
            }
            if (s > 0) scored.emplace_back(s, i);
        }
        std::ranges::sort(scored, [](const auto& x, const auto& y) { return x.first > y.first; });
        std::vector<std::tuple<std::int64_t, int, int>> out;
        for (std::size_t i = 0; i < scored.size() && out.size() < k; ++i) {
            const auto& w = windows_[scored[i].second];
            out.emplace_back(w.manual, w.page, w.page);
        }
        return out;
    }

private:
    struct Window {
        std::int64_t manual = 0;
        int page = 0;
        std::map<std::string, std::size_t> tf;
        std::size_t length = 0;
    };
    std::vector<Window> windows_;
    std::map<std::string, std::size_t> df_;
    double total_length_ = 0;
};

} // namespace

TEST_CASE(
    "hybrid search finds an answering page as well as BM25 over page windows, and better than lexical") {
    CORPUS_OR_SKIP(pdfs);
    auto& lib = ncert_library(pdfs);
    std::map<std::string, std::int64_t, std::less<>> ids;
    for (auto file : ncert_files)
        ids.emplace(std::string(file), lib.manual(file).id);
    REQUIRE(questions().size() >= 20);

    const auto hybrid = recall_of(lib, ids, SearchMode::hybrid);
    const auto lexical = recall_of(lib, ids, SearchMode::lexical);
    const auto vector = recall_of(lib, ids, SearchMode::vector);
    const PageWindowBm25 windows(pdfs, ids);
    Recall baseline;
    for (const auto& q : questions())
        score(baseline, q, ids.find(q.manual)->second, windows.search(q.question, 5), "page-window BM25");
    for (const Recall* r : {&hybrid, &lexical, &vector, static_cast<const Recall*>(&baseline)}) {
        for (const auto& miss : r->misses)
            MESSAGE(miss);
    }
    auto row = [](const Recall& r) {
        return fixed(r.at(1)) + " / " + fixed(r.at(3)) + " / " + fixed(r.at(5));
    };
    MESSAGE("recall@1/@3/@5 over " << hybrid.total << " questions: hybrid " << row(hybrid) << "; lexical "
                                   << row(lexical) << "; vector " << row(vector) << "; page-window BM25 "
                                   << row(baseline));
    // Measured 2026-12-07 over 53 questions (chunker 2, hash embedder at fusion weight 0.3):
    // see the note beside the figures in README "Retrieval quality".
    CHECK(hybrid.at(1) >= baseline.at(1));
    CHECK(hybrid.at(3) >= baseline.at(3));
    for (std::size_t k : recall_ranks) {
        CAPTURE(k);
        CHECK(hybrid.at(k) >= lexical.at(k));
    }
    CHECK(hybrid.at(5) >= 0.94);
    CHECK(vector.at(5) >= 0.80);
}
