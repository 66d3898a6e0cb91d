// `shiksha ingest`, `shiksha search`, `shiksha manual …`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace shiksha::cli {

namespace {

constexpr std::string_view ingest_help = R"(Usage: shiksha ingest FILE.pdf --title TITLE [--index]

Uploads a PDF manual into the data directory (the same bytes again give the existing manual)
and, with --index, extracts its text (OCR where the text layer is missing or unreadable),
chunks it and indexes it for search. A progress bar is drawn on a terminal.
)";

constexpr std::string_view search_help =
    R"(Usage: shiksha search "QUERY" [--manual ID]... [-k N] [--section TITLE] [--mode hybrid|lexical|vector]

Hybrid search (BM25 + vectors, fused) over indexed manuals; hits show their pages.
)";

constexpr std::string_view manual_help = R"(Usage:
  shiksha manual list
  shiksha manual get ID
  shiksha manual index ID
  shiksha manual pages ID
  shiksha manual delete ID
)";

std::optional<std::int64_t> parse_positive(std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < 1) return std::nullopt;
    return v;
}

/// Draws "[########------------]  12/40 pages" on stderr when it is a terminal.
class ProgressBar {
public:
    explicit ProgressBar(std::string label) : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0) {}
    ~ProgressBar() { finish(); }

    bool update(std::int64_t done, std::int64_t total) {
        if (!tty_ || total <= 0) return true;
        const auto now = std::chrono::steady_clock::now();
        if (done < total && now - last_ < std::chrono::milliseconds(100)) return true;
        last_ = now;
        constexpr int width = 30;
        const int filled = static_cast<int>(width * std::min(done, total) / total);
        std::fprintf(stderr, "\r%s [%s%s] %lld/%lld", label_.c_str(),
                     std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), '-').c_str(),
                     static_cast<long long>(done), static_cast<long long>(total));
        std::fflush(stderr);
        drawn_ = true;
        return true;
    }

    void finish() {
        if (drawn_) std::fputc('\n', stderr);
        drawn_ = false;
    }

private:
    std::string label_;
    bool tty_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_{};
};

std::string describe(const Manual& m) {
    return fmt::format("#{} {}{} — {} pages, {}{}\n", m.id, m.title, m.pinned ? " (pinned)" : "",
                       m.total_pages,
                       m.indexed ? fmt::format("indexed: {} chunks", m.chunk_count) : "not indexed",
                       m.detected_language ? ", " + *m.detected_language : "");
}

std::string report_text(const IndexReport& r) {
    std::string text =
        fmt::format("indexed #{} {}: {} pages ({} by OCR), {} chunks in {:.1f} s\n", r.manual.id,
                    r.manual.title, r.pages.size(), r.ocr_pages, r.chunks, r.seconds);
    for (const auto& p : r.pages) {
        if (p.method != "text" || p.verdict != "readable") {
            text += fmt::format("  page {}: {} ({}){}\n", p.page, p.method, p.verdict,
                                p.reason.empty() ? "" : " — " + p.reason);
        }
    }
    return text;
}

} // namespace

Result<IndexReport> index_with_progress(Platform& platform, std::int64_t id, std::string_view client) {
    ProgressBar bar("indexing");
    IndexOptions options;
    options.progress = [&bar](std::int64_t done, std::int64_t total) { return bar.update(done, total); };
    auto report = platform.manuals().index(id, options, Actor{std::nullopt, "", std::string(client)});
    bar.finish();
    return report;
}

int run_ingest(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << ingest_help, exit_ok);
    auto file = args.positional();
    auto title = args.option("--title");
    const bool index = args.flag("--index");
    if (!file || !title) return usage_error("a FILE and --title are required", ingest_help);
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, ingest_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto up = (*platform)->manuals().upload_file(*file, {*title, ""}, Actor{std::nullopt, "", "cli"});
    if (!up) return report(ctx, up.error());
    std::string text =
        fmt::format("{} #{} {} ({} pages)\n", up->duplicate ? "already uploaded as" : "uploaded",
                    up->manual.id, up->manual.title, up->manual.total_pages);
    Json out = Json::object({{"manual", to_json(up->manual)}, {"duplicate", up->duplicate}});
    if (index) {
        if (!ctx.json) std::cout << text << std::flush;
        auto r = index_with_progress(**platform, up->manual.id, "cli");
        if (!r) return report(ctx, r.error());
        out = to_json(*r);
        out["duplicate"] = up->duplicate;
        text = report_text(*r);
    }
    return print(ctx, out, text);
}

int run_search(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << search_help, exit_ok);
    SearchRequest req;
    while (auto m = args.option("--manual")) {
        auto id = parse_positive(*m);
        if (!id) return usage_error("--manual takes a manual ID", search_help);
        req.manual_ids.push_back(*id);
    }
    if (auto k = args.option("-k")) {
        auto n = parse_positive(*k);
        if (!n || *n > 50) return usage_error("-k must be 1..50", search_help);
        req.k = static_cast<std::size_t>(*n);
    }
    if (auto s = args.option("--section")) req.section = *s;
    if (auto mode = args.option("--mode")) {
        auto parsed = parse_search_mode(*mode);
        if (!parsed) return usage_error("--mode must be hybrid, lexical or vector", search_help);
        req.mode = *parsed;
    }
    auto query = args.positional();
    if (!query) return usage_error("a QUERY is required", search_help);
    req.query = *query;
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, search_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto result = (*platform)->retrieval().search(req);
    if (!result) return report(ctx, result.error());
    std::string text = result->hits.empty() ? "no hits\n" : "";
    int rank = 0;
    for (const auto& h : result->hits) {
        const std::string pages = h.page_start == h.page_end
                                      ? fmt::format("p. {}", h.page_start)
                                      : fmt::format("pp. {}–{}", h.page_start, h.page_end);
        std::string excerpt = h.text.substr(0, 240);
        while (!excerpt.empty() && (static_cast<unsigned char>(excerpt.back()) & 0xC0) == 0x80)
            excerpt.pop_back();
        if (!excerpt.empty() && static_cast<unsigned char>(excerpt.back()) >= 0xC0) excerpt.pop_back();
        text += fmt::format("{}. {} — {}{}  [fused {:.4f}{}{}]\n   {}…\n", ++rank, h.manual_title, pages,
                            h.section.empty() ? "" : ", " + h.section, h.fused,
                            h.bm25 ? fmt::format(", bm25 {:.2f}", *h.bm25) : "",
                            h.vector ? fmt::format(", cosine {:.3f}", *h.vector) : "", excerpt);
    }
    return print(ctx, to_json(*result), text);
}

int run_manual(Context& ctx, Args& args) {
    const auto sub = args.positional();
    if (!sub) return usage_error("missing subcommand", manual_help);
    if (args.flag("--help")) return (std::cout << manual_help, exit_ok);
    if (*sub == "list") {
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, manual_help);
        auto platform = Platform::open(ctx.config);
        if (!platform) return report(ctx, platform.error());
        auto manuals = (*platform)->manuals().list({0, 1000});
        if (!manuals) return report(ctx, manuals.error());
        Json out = Json::array();
        std::string text = manuals->empty() ? "no manuals\n" : "";
        for (const auto& m : *manuals) {
            out.push_back(to_json(m));
            text += describe(m);
        }
        return print(ctx, out, text);
    }
    auto id_text = args.positional();
    auto id = id_text ? parse_positive(*id_text) : std::nullopt;
    if (!id) return usage_error("expected a manual ID (a positive number)", manual_help);
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, manual_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto& manuals = (*platform)->manuals();
    if (*sub == "get") {
        auto m = manuals.get(*id);
        if (!m) return report(ctx, m.error());
        return print(ctx, to_json(*m), describe(*m));
    }
    if (*sub == "index") {
        auto r = index_with_progress(**platform, *id, "cli");
        if (!r) return report(ctx, r.error());
        return print(ctx, to_json(*r), report_text(*r));
    }
    if (*sub == "pages") {
        auto pages = manuals.pages(*id);
        if (!pages) return report(ctx, pages.error());
        Json out = Json::array();
        std::string text;
        for (const auto& p : *pages) {
            out.push_back(to_json(p));
            text += fmt::format("page {:>3}: {:<4} {:<14} {:>6} chars{}\n", p.page, p.method, p.verdict,
                                p.chars, p.reason.empty() ? "" : "  " + p.reason);
        }
        return print(ctx, out, text);
    }
    if (*sub == "delete") {
        if (auto ok = manuals.remove(*id, Actor{std::nullopt, "", "cli"}); !ok)
            return report(ctx, ok.error());
        return print(ctx, Json::object({{"deleted", *id}}), fmt::format("deleted manual #{}", *id));
    }
    return usage_error(fmt::format("unknown manual subcommand '{}'", *sub), manual_help);
}

} // namespace shiksha::cli
