// Headline figure: ingestion throughput (upload + index: text layer per page in reading order,
// text-quality verdicts, header removal, sections, chunks, embeddings, FTS5 and HNSW inserts,
// one SQLite commit) in pages per second, against `pdftotext` — poppler's own extractor, which
// does only the first of those steps — on the same file in the same run. Median of 3 runs each.
//
//   bench_ingest [PDF] [--runs N]
//
// Default PDF: the corpus NCERT science chapter 11 (24 text pages) when shared/corpus is
// present, else examples/data/low_cost_science_handbook.pdf (whose OCR page, if any, is
// reported: OCR dominates the time of any page that needs it).
#include "shiksha/platform.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

fs::path default_pdf() {
    std::vector<fs::path> corpora;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) corpora.emplace_back(env);
    corpora.emplace_back(fs::path(SHIKSHA_SOURCE_DIR) / "../shared/corpus");
    corpora.emplace_back("/work/shared/corpus");
    for (const auto& c : corpora) {
        const auto pdf = c / "pdf/ncert_c10_science_ch11_electricity.pdf";
        if (fs::exists(pdf)) return fs::weakly_canonical(pdf);
    }
    return fs::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Wall-clock seconds for `pdftotext FILE -` with its output read from a pipe; negative when it fails.
double time_pdftotext(const fs::path& pdf) {
    const auto start = Clock::now();
    FILE* pipe =
        ::popen(("pdftotext -enc UTF-8 " + shell_quote(pdf.string()) + " - 2>/dev/null").c_str(), "r");
    if (!pipe) return -1;
    std::array<char, 65536> buf{};
    std::size_t bytes = 0, n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        bytes += n;
    const int status = ::pclose(pipe);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes == 0) return -1;
    return seconds;
}

struct IngestRun {
    double seconds = 0;
    int pages = 0;
    int ocr_pages = 0;
    int chunks = 0;
};

/// Upload + index into a fresh data directory (so no duplicate detection short-cuts it).
IngestRun time_ingest(const fs::path& pdf) {
    std::random_device rd;
    const fs::path dir = fs::temp_directory_path() / ("shiksha-bench-ingest-" + std::to_string(rd()));
    shiksha::Config cfg;
    cfg.data_dir = dir;
    cfg.workers = 2;
    IngestRun run;
    {
        auto platform = shiksha::Platform::open(cfg);
        if (!platform) {
            std::cerr << "cannot open a platform: " << platform.error().message << '\n';
            std::exit(1);
        }
        const auto start = Clock::now();
        auto up = (*platform)->manuals().upload_file(pdf, {.title = "Benchmark manual"});
        if (!up) {
            std::cerr << "upload failed: " << up.error().message << '\n';
            std::exit(1);
        }
        auto report = (*platform)->manuals().index(up->manual.id);
        if (!report) {
            std::cerr << "index failed: " << report.error().message << '\n';
            std::exit(1);
        }
        run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        run.pages = static_cast<int>(report->pages.size());
        run.ocr_pages = report->ocr_pages;
        run.chunks = report->chunks;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return run;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

} // namespace

int main(int argc, char** argv) {
    fs::path pdf;
    int runs = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--runs" && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "-h" || arg == "--help") {
            std::cout << "usage: bench_ingest [PDF] [--runs N]\n";
            return 0;
        } else {
            pdf = arg;
        }
    }
    if (pdf.empty()) pdf = default_pdf();
    if (!fs::exists(pdf)) {
        std::cerr << "no such file: " << pdf << '\n';
        return 1;
    }
    std::cout << "file: " << pdf.string() << "\n";

    std::vector<double> ours, peer;
    IngestRun last;
    for (int r = 0; r < runs; ++r) {
        // Alternate which goes first so neither always gets a warm page cache.
        const double t = time_pdftotext(pdf);
        if (t < 0) {
            std::cerr << "pdftotext failed (apt-get install poppler-utils)\n";
            return 1;
        }
        last = time_ingest(pdf);
        peer.push_back(last.pages / t);
        ours.push_back(last.pages / last.seconds);
        std::printf(
            "run %d: shiksha %d pages (%d by OCR, %d chunks) in %.3f s = %.1f pages/s; pdftotext %.3f s = "
            "%.1f pages/s\n",
            r + 1, last.pages, last.ocr_pages, last.chunks, last.seconds, ours.back(), t, peer.back());
    }
    const double a = median(ours), b = median(peer);
    std::printf("%-34s %10.1f pages/s\n", "shiksha upload+index (median)", a);
    std::printf("%-34s %10.1f pages/s\n", "pdftotext (median)", b);
    std::printf("%-34s %10.2fx\n", "ratio (shiksha/pdftotext)", a / b);
    if (last.ocr_pages > 0)
        std::printf("note: %d of %d pages needed OCR, which dominates the time\n", last.ocr_pages,
                    last.pages);
    return 0;
}
