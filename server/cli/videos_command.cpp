// `shiksha videos`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view videos_help =
    R"(Usage: shiksha videos MODULE_ID [--limit N] [--refresh]
       shiksha videos import FILE

Suggests teaching videos for a module: from YouTube when SHIKSHA_YOUTUBE_API_KEY is set,
else from the local catalogue. Suggestions are kept per module for SHIKSHA_VIDEO_CACHE_TTL
(7 days); --refresh asks again. When YouTube's daily quota (SHIKSHA_YOUTUBE_DAILY_QUOTA
units, reset at midnight Pacific) is spent, the kept list is shown, marked cached.
`import` fills the catalogue from a CSV (header: video_id or url, title, and optionally
description, channel, thumbnail_url, duration, language, view_count, tags) or a JSON array
of objects with the same names; bad rows are listed, the rest imported.
)";

std::optional<std::int64_t> positive(const std::string& text) {
    std::int64_t n = 0;
    const auto* end = text.data() + text.size();
    if (auto [ptr, ec] = std::from_chars(text.data(), end, n); ec != std::errc{} || ptr != end || n <= 0)
        return std::nullopt;
    return n;
}

} // namespace

int run_videos(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << videos_help, exit_ok);
    const auto limit_text = args.option("--limit");
    const bool refresh = args.flag("--refresh");
    const auto first = args.positional();
    if (!first) return usage_error("MODULE_ID or `import FILE` is required", videos_help);
    if (*first == "import") {
        const auto file = args.positional();
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, videos_help);
        if (!file) return usage_error("FILE is required", videos_help);
        auto platform = Platform::open(ctx.config);
        if (!platform) return report(ctx, platform.error());
        auto imported = (*platform)->videos().import_catalogue_file(*file);
        if (!imported) return report(ctx, imported.error());
        std::string text;
        for (const auto& p : imported->problems)
            text += fmt::format("row {}: {}\n", p.row, p.message);
        text += fmt::format("added {}, updated {}, rejected {}", imported->added, imported->updated,
                            imported->problems.size());
        return print(ctx, to_json(*imported), text);
    }
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, videos_help);
    const auto module_id = positive(*first);
    if (!module_id)
        return usage_error(fmt::format("MODULE_ID must be a positive integer, got '{}'", *first),
                           videos_help);
    SuggestOptions options;
    options.refresh = refresh;
    if (limit_text) {
        auto n = positive(*limit_text);
        if (!n || *n > 10) return usage_error("--limit must be between 1 and 10", videos_help);
        options.limit = static_cast<int>(*n);
    }
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto s = (*platform)->videos().suggest(*module_id, options);
    if (!s) return report(ctx, s.error());
    std::string text =
        fmt::format("query: {}  (source {}{})\n", s->query, s->source, s->cached ? ", cached" : "");
    if (!s->reason.empty()) text += "note: " + s->reason + "\n";
    for (const auto& v : s->videos)
        text += fmt::format("{:>4.2f}  {:>8}  {}\n      {}  ({})\n", v.relevance_score.value_or(0),
                            v.duration, v.title, v.url, v.relevance_reason);
    if (s->videos.empty()) text += "no videos\n";
    text.pop_back();
    return print(ctx, to_json(*s), text);
}

} // namespace shiksha::cli
