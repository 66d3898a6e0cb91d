// `shiksha export`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view export_help =
    R"(Usage: shiksha export MODULE_ID [--language LANGUAGE] [--out FILE] [--bilingual | --side-by-side]
                      [--original] [--page-size A4|Letter]

Renders the module as a printable PDF (every Indian script shaped, text searchable) and records
it under <data-dir>/exports/ (kept SHIKSHA_EXPORT_TTL seconds, default 24 h). With --out the PDF
is also copied to FILE ("-" writes it to standard output).
  --language     print this language (name or code); the module is translated first when it has
                 no translation yet (needs a translation provider)
  --bilingual    the English original after the translation
  --side-by-side English and the translation in two columns, section by section
  --original     add the manual excerpts the module cites, with page numbers
)";

Result<void> copy_out(const std::string& bytes, const std::string& out) {
    if (out == "-") {
        std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        std::cout.flush();
        return {};
    }
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) return fail(ErrorCode::unavailable, fmt::format("cannot write {}", out));
    return {};
}

} // namespace

int run_export(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << export_help, exit_ok);
    PdfOptions options;
    options.language = args.option("--language");
    const auto out = args.option("--out");
    options.side_by_side = args.flag("--side-by-side");
    options.bilingual = args.flag("--bilingual") || options.side_by_side;
    options.include_original = args.flag("--original");
    if (auto size = args.option("--page-size")) options.page_size = *size;
    const auto id_text = args.positional();
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, export_help);
    if (!id_text) return usage_error("MODULE_ID is required", export_help);
    std::int64_t id = 0;
    const auto* end = id_text->data() + id_text->size();
    if (auto [ptr, ec] = std::from_chars(id_text->data(), end, id);
        ec != std::errc{} || ptr != end || id <= 0)
        return usage_error(fmt::format("MODULE_ID must be a positive integer, got '{}'", *id_text),
                           export_help);

    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto file = (*platform)->exports().module_pdf(id, options, Actor{std::nullopt, "", "cli"});
    if (!file) return report(ctx, file.error());
    if (out) {
        auto got = (*platform)->exports().download(file->id);
        if (!got) return report(ctx, got.error());
        if (auto ok = copy_out(got->second, *out); !ok) return report(ctx, ok.error());
        if (*out == "-") return exit_ok;
    }
    return print(ctx, to_json(*file),
                 fmt::format("{} ({} pages, {} bytes, {}){}", file->path.string(), file->pages,
                             file->size_bytes, file->language,
                             out ? fmt::format("\ncopied to {}", *out) : std::string()));
}

} // namespace shiksha::cli
