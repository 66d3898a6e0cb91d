// `shiksha translate`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <iostream>
#include <iterator>

namespace shiksha::cli {

namespace {

constexpr std::string_view translate_help =
    R"(Usage: shiksha translate --to LANGUAGE [--from LANGUAGE] [TEXT | -]

Translates TEXT (or standard input, with - or no TEXT) keeping newlines, list markers and
Markdown; glossary terms are protected and the translation memory is used first. LANGUAGE is a
name or code (hindi, hi, Hindi). Providers: SHIKSHA_TRANSLATE_PROVIDER (google, llm, bhashini);
without one, only what the translation memory holds can be translated.
)";

} // namespace

int run_translate(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << translate_help, exit_ok);
    auto to = args.option("--to");
    if (!to) return usage_error("--to LANGUAGE is required", translate_help);
    const std::string from = args.option("--from").value_or("english");
    std::string text;
    if (auto positional = args.positional(); positional && *positional != "-") {
        text = *positional;
    } else {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, translate_help);
    if (text.empty()) return usage_error("nothing to translate", translate_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto r = (*platform)->translation().translate(text, *to, from);
    if (!r) return report(ctx, r.error());
    Json providers = Json::array();
    for (const auto& p : r->stats.providers)
        providers.push_back(p);
    return print(ctx,
                 Json::object({{"translated_text", r->text},
                               {"source_language", r->source->key},
                               {"target_language", r->target->key},
                               {"memory_hits", r->stats.memory_hits},
                               {"memory_misses", r->stats.memory_misses},
                               {"providers", std::move(providers)}}),
                 r->text);
}

} // namespace shiksha::cli
