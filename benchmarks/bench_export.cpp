// Headline figure: PDF export of a 6-page bilingual (English + Hindi) module — render time,
// file size and how well the printed Hindi reads — against ReportLab (Debian
// python3-reportlab, the library the original requirements name) laying out the same blocks
// with the same Noto fonts, page size, margins and type sizes, in the same run.
//
//   bench_export [--runs N]        (default 20)
//
// Text: FLORES-200 sentences from shared/corpus/parallel (English and Hindi, line-aligned);
// the benchmark needs the corpus. Times are in-process medians (our render_pdf; ReportLab's
// SimpleDocTemplate.build), interpreter start-up excluded. Reading quality: every page of both
// PDFs is rendered with `pdftoppm -r 200 -gray` and read by Tesseract (`-l hin+eng`); the
// figure is the share of the distinct Hindi words of the text that the OCR finds (word recall;
// its complement is printed as the OCR word error), the check NOTES.md describes.
#include "export/compose.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace shiksha;
using Clock = std::chrono::steady_clock;

namespace {

std::optional<fs::path> parallel_dir() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) candidates.emplace_back(env);
    candidates.emplace_back(fs::path(SHIKSHA_SOURCE_DIR) / "../shared/corpus");
    candidates.emplace_back("/work/shared/corpus");
    for (const auto& c : candidates) {
        const auto dir = c / "parallel/flores200_dev_first100";
        if (fs::exists(dir / "hin_Deva.txt")) return dir;
    }
    return std::nullopt;
}

std::string nfc(const std::string& s) {
    UErrorCode status = U_ZERO_ERROR;
    const auto* n = icu::Normalizer2::getNFCInstance(status);
    auto u = icu::UnicodeString::fromUTF8(s);
    if (U_SUCCESS(status)) u = n->normalize(u, status);
    std::string out;
    u.toUTF8String(out);
    return out;
}

std::vector<std::string> read_lines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        out.push_back(nfc(line));
    return out;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string run(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return {};
    std::string out;
    std::array<char, 4096> buf{};
    while (const auto n = std::fread(buf.data(), 1, buf.size(), pipe))
        out.append(buf.data(), n);
    ::pclose(pipe);
    return out;
}

/// The first `n` words: a heading-length piece of a sentence, cut at a space (never inside a
/// UTF-8 sequence).
std::string first_words(const std::string& sentence, int n) {
    std::size_t at = 0;
    for (int i = 0; i < n && at != std::string::npos; ++i)
        at = sentence.find(' ', at + 1);
    return at == std::string::npos ? sentence : sentence.substr(0, at);
}

/// `sections` sections of four sentences each, with tips, an activity and questions: the shape
/// of a generated module.
ModuleContent content(const std::vector<std::string>& l, int sections) {
    ModuleContent c;
    c.title = l[0];
    c.summary = l[1];
    int at = 2;
    auto next = [&] { return l[static_cast<std::size_t>(at++) % l.size()]; };
    for (int s = 0; s < sections; ++s) {
        std::string heading = first_words(next(), 6);
        c.sections.push_back({heading, next() + " " + next() + " " + next() + " " + next()});
    }
    c.teaching_tips = {next(), next(), next()};
    c.activities = {{first_words(next(), 6), {next()}, {next(), next(), next()}, "20 minutes"}};
    c.assessment = {{next(), next()}, {next(), next()}};
    return c;
}

std::string script_of(const detail::pdf::Block& b) {
    return b.language == "hindi" ? "Devanagari" : "Latin";
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

/// The document's blocks as the ReportLab peer reads them.
std::string peer_json(const detail::pdf::Document& doc) {
    static constexpr std::array<const char*, 7> kinds{"heading1", "heading2", "heading3", "paragraph",
                                                      "bullet",   "numbered", "note"};
    std::string blocks;
    auto add = [&](const detail::pdf::Block& b) {
        std::string text;
        for (const auto& s : b.spans)
            text += s.text;
        if (!blocks.empty()) blocks += ",";
        blocks += "{\"kind\":\"" + std::string(kinds[static_cast<std::size_t>(b.kind)]) + "\",\"text\":\"" +
                  json_escape(text) + "\",\"number\":" + std::to_string(b.number) + ",\"script\":\"" +
                  script_of(b) + "\"}";
    };
    for (const auto& e : doc.body) {
        if (const auto* b = std::get_if<detail::pdf::Block>(&e)) add(*b);
    }
    return "{\"page_size\":\"A4\",\"margin\":" + std::to_string(doc.margin) + ",\"title\":\"" +
           json_escape(doc.title) + "\",\"header\":\"" + json_escape(doc.header_left) + "\",\"footer\":\"" +
           json_escape(doc.footer_left) + "\",\"blocks\":[" + blocks + "]}";
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int page_count(const fs::path& pdf) {
    const auto info = run("pdfinfo " + shell_quote(pdf.string()) + " 2>/dev/null");
    const auto at = info.find("Pages:");
    return at == std::string::npos ? 0 : std::atoi(info.c_str() + at + 6);
}

/// Tesseract's reading of every page.
std::string ocr(const fs::path& pdf, const fs::path& work) {
    std::string text;
    const int pages = page_count(pdf);
    for (int p = 1; p <= pages; ++p) {
        const auto png = (work / ("page" + std::to_string(p))).string();
        run("pdftoppm -r 200 -gray -png -singlefile -f " + std::to_string(p) + " -l " + std::to_string(p) +
            " " + shell_quote(pdf.string()) + " " + shell_quote(png));
        text +=
            run("OMP_THREAD_LIMIT=1 tesseract " + shell_quote(png + ".png") + " - -l hin+eng 2>/dev/null") +
            "\n";
    }
    return nfc(text);
}

/// Words of the text: split at white space, with the punctuation around them removed.
std::set<std::string> words(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) {
        auto trim = [](unsigned char c) { return c < 0x80 && !std::isalnum(c); };
        while (!w.empty() && trim(static_cast<unsigned char>(w.back())))
            w.pop_back();
        if (w.ends_with("।")) w.erase(w.size() - 3);
        std::size_t start = 0;
        while (start < w.size() && trim(static_cast<unsigned char>(w[start])))
            ++start;
        w = w.substr(start);
        if (w.size() >= 2) out.insert(w);
    }
    return out;
}

double recall(const std::set<std::string>& expected, const std::set<std::string>& found) {
    std::size_t hits = 0;
    for (const auto& w : expected)
        hits += found.contains(w) ? 1 : 0;
    return expected.empty() ? 0 : static_cast<double>(hits) / static_cast<double>(expected.size());
}

bool is_devanagari_word(const std::string& w) {
    // U+0900–U+097F are E0 A4 80 – E0 A5 BF in UTF-8.
    return w.size() >= 3 && static_cast<unsigned char>(w[0]) == 0xE0 &&
           (static_cast<unsigned char>(w[1]) == 0xA4 || static_cast<unsigned char>(w[1]) == 0xA5);
}

} // namespace

int main(int argc, char** argv) {
    int runs = 20;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    }
    const auto corpus = parallel_dir();
    if (!corpus) {
        std::cerr << "bench_export needs shared/corpus/parallel (set SHIKSHA_CORPUS_DIR)\n";
        return 1;
    }
    for (const char* tool : {"pdftoppm", "tesseract", "pdfinfo"}) {
        if (run(std::string("command -v ") + tool).empty()) {
            std::cerr << "bench_export needs " << tool << " (poppler-utils, tesseract-ocr-hin)\n";
            return 1;
        }
    }
    const auto english = read_lines(*corpus / "eng_Latn.txt");
    const auto hindi = read_lines(*corpus / "hin_Deva.txt");
    const auto work = fs::temp_directory_path() / ("bench_export_" + std::to_string(::getpid()));
    fs::create_directories(work);

    Module module;
    module.id = 1;
    const Language* hi = find_language("hindi");
    const Language* en = find_language("english");
    const MarkdownLabels labels;

    // The smallest module that fills six pages.
    detail::pdf::Document doc;
    ModuleContent en_content, hi_content;
    for (int sections = 1; sections < 40; ++sections) {
        en_content = content(english, sections);
        hi_content = content(hindi, sections);
        module.title = first_words(en_content.title, 5);
        detail::ComposeInput in;
        in.module = &module;
        in.primary = {hi, &hi_content, &labels};
        in.english = detail::ModuleText{en, &en_content, &labels};
        in.cluster_name = "Bastar Tribal Cluster";
        in.manual_title = "FLORES-200";
        in.public_url = "http://127.0.0.1:8000";
        in.generated_at = now_utc();
        doc = detail::compose_module(in);
        auto r = detail::pdf::render_pdf(doc);
        if (!r) {
            std::cerr << "render failed: " << r.error().message << "\n";
            return 1;
        }
        if (r->pages >= 6) break;
    }

    std::vector<double> ours_ms;
    std::string bytes;
    int pages = 0;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        auto r = detail::pdf::render_pdf(doc);
        ours_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        bytes = std::move(r->bytes);
        pages = r->pages;
    }
    const auto ours_pdf = work / "shiksha.pdf";
    std::ofstream(ours_pdf, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));

    const auto doc_json = work / "document.json";
    std::ofstream(doc_json) << peer_json(doc);
    const auto peer_pdf = work / "reportlab.pdf";
    const auto peer_script = fs::path(SHIKSHA_SOURCE_DIR) / "benchmarks/peers/reportlab_module.py";
    const auto peer =
        run("/usr/bin/python3 " + shell_quote(peer_script.string()) + " " + shell_quote(doc_json.string()) +
            " " + shell_quote(peer_pdf.string()) + " " + std::to_string(runs));
    const auto ms_at = peer.find("\"median_ms\": ");
    if (ms_at == std::string::npos) {
        std::cerr << "ReportLab peer failed (apt-get install python3-reportlab): " << peer << "\n";
        return 1;
    }
    const double peer_ms = std::atof(peer.c_str() + ms_at + 13);
    const auto peer_bytes = fs::file_size(peer_pdf);
    const int peer_pages = page_count(peer_pdf);

    // What the OCR should find: the Hindi words of the body.
    std::string hindi_text;
    for (const auto& e : doc.body) {
        if (const auto* b = std::get_if<detail::pdf::Block>(&e); b && b->language == "hindi") {
            for (const auto& s : b->spans)
                hindi_text += s.text + " ";
        }
    }
    std::set<std::string> expected;
    for (const auto& w : words(hindi_text)) {
        if (is_devanagari_word(w)) expected.insert(w);
    }
    std::cerr << "OCR of " << pages + peer_pages << " pages (about 5 s each)...\n";
    const double ours_recall = recall(expected, words(ocr(ours_pdf, work)));
    const double peer_recall = recall(expected, words(ocr(peer_pdf, work)));

    const double ours_median = median(ours_ms);
    std::printf("6-page bilingual module (English + Hindi), %d runs, medians\n\n", runs);
    std::printf("| | render ms | pages | bytes | Hindi word recall (OCR) |\n|---|---|---|---|---|\n");
    std::printf("| shiksha (HarfBuzz + PoDoFo) | %.1f | %d | %zu | %.3f |\n", ours_median, pages,
                bytes.size(), ours_recall);
    std::printf("| ReportLab 3.6 (platypus) | %.1f | %d | %ju | %.3f |\n", peer_ms, peer_pages,
                static_cast<std::uintmax_t>(peer_bytes), peer_recall);
    std::printf("\ntime ratio ReportLab/shiksha: %.2fx   size ratio shiksha/ReportLab: %.2fx\n",
                peer_ms / ours_median, static_cast<double>(bytes.size()) / static_cast<double>(peer_bytes));
    std::printf("OCR word error: shiksha %.3f, ReportLab %.3f (%zu distinct Hindi words)\n", 1 - ours_recall,
                1 - peer_recall, expected.size());
    std::printf("PDFs kept in %s\n", work.string().c_str());
    return 0;
}
