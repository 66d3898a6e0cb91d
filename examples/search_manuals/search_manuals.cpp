// Search-only embedding: index a folder of PDF manuals and answer queries with the pages the
// answers come from. No LLM, no server — just ingestion and hybrid (BM25 + vector) search.
//
//   search_manuals DATA_DIR PDF_FOLDER "how do I make a torch circuit?" ["another query"...]
//   search_manuals DATA_DIR PDF_FOLDER < queries.txt          # one query per line
//
// Indexing happens once: a PDF already in DATA_DIR (same bytes) is not read again.
// Uses only the public API (#include "shiksha/shiksha.hpp").
#include "shiksha/shiksha.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> pdfs_in(const fs::path& folder) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".pdf") out.push_back(entry.path());
    }
    std::ranges::sort(out);
    return out;
}

/// Uploads and indexes one PDF unless it already is; prints what happened.
bool ensure_indexed(shiksha::ManualEngine& manuals, const fs::path& pdf) {
    auto up = manuals.upload_file(pdf, {.title = pdf.stem().string(), .filename = ""});
    if (!up) {
        std::cerr << pdf.filename().string() << ": " << up.error().message << '\n';
        return false;
    }
    if (up->manual.indexed) {
        std::cout << "indexed before: " << up->manual.title << " (" << up->manual.chunk_count << " chunks)\n";
        return true;
    }
    auto report = manuals.index(up->manual.id, {.progress = [&](std::int64_t done, std::int64_t total) {
                                    std::cerr << "\r" << pdf.filename().string() << ": page " << done << "/"
                                              << total << std::flush;
                                    return true;
                                }});
    std::cerr << '\n';
    if (!report) {
        std::cerr << pdf.filename().string() << ": " << report.error().message << '\n';
        return false;
    }
    std::cout << "indexed: " << report->manual.title << " (" << report->manual.total_pages << " pages, "
              << report->ocr_pages << " by OCR, " << report->chunks << " chunks)\n";
    return true;
}

void answer(shiksha::RetrievalEngine& retrieval, const std::string& query) {
    auto result = retrieval.search({.query = query, .k = 3});
    std::cout << "\n? " << query << '\n';
    if (!result) {
        std::cout << "  error: " << result.error().message << '\n';
        return;
    }
    if (result->hits.empty()) std::cout << "  (nothing found)\n";
    for (const auto& hit : result->hits) {
        std::size_t cut = std::min<std::size_t>(hit.text.size(), 160);
        while (cut < hit.text.size() && (static_cast<unsigned char>(hit.text[cut]) & 0xC0) == 0x80)
            ++cut; // never inside a UTF-8 sequence
        std::string snippet = hit.text.substr(0, cut);
        std::ranges::replace(snippet, '\n', ' ');
        std::cout << "  " << hit.manual_title << ", page " << hit.page_start
                  << (hit.page_end != hit.page_start ? "-" + std::to_string(hit.page_end) : "") << " ["
                  << hit.section << "]: " << snippet << "...\n";
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: search_manuals DATA_DIR PDF_FOLDER [QUERY...]\n";
        return 2;
    }
    shiksha::Config config;
    config.data_dir = argv[1];
    config.log_sink = shiksha::json_lines_sink(stderr, shiksha::LogLevel::warn);
    auto platform = shiksha::Platform::open(config);
    if (!platform) {
        std::cerr << "cannot open " << argv[1] << ": " << platform.error().message << '\n';
        return 1;
    }

    const auto pdfs = pdfs_in(argv[2]);
    if (pdfs.empty()) {
        std::cerr << "no .pdf files in " << argv[2] << '\n';
        return 1;
    }
    int indexed = 0;
    for (const auto& pdf : pdfs)
        indexed += ensure_indexed((*platform)->manuals(), pdf) ? 1 : 0;
    if (indexed == 0) return 1;

    auto& retrieval = (*platform)->retrieval();
    if (argc > 3) {
        for (int i = 3; i < argc; ++i)
            answer(retrieval, argv[i]);
    } else {
        for (std::string line; std::getline(std::cin, line);)
            if (!line.empty()) answer(retrieval, line);
    }
    return 0;
}
