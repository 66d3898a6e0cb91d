#pragma once
// What a module looks like on paper (internal): turns a module, in one or two languages, into
// the renderer's Document. Pure: no I/O, so it is unit-tested without fonts.

#include "export/document.hpp"
#include "shiksha/languages.hpp"
#include "shiksha/modules.hpp"

#include <string>

namespace shiksha::detail {

/// One language's version of the module.
struct ModuleText {
    const Language* language = nullptr;
    const ModuleContent* content = nullptr;
    const MarkdownLabels* labels = nullptr;
};

/// A teaching video suggested for the module, printed as a link.
struct VideoLink {
    std::string title;
    std::string url;
    std::string duration; ///< "m:ss", may be empty
};

struct ComposeInput {
    const Module* module = nullptr;
    ModuleText primary;                ///< the language printed (English or a translation)
    std::optional<ModuleText> english; ///< set for bilingual output
    bool side_by_side = false;         ///< bilingual: per section in two columns, else one after the other
    bool include_original = false;     ///< the manual excerpts under each citation
    std::string cluster_name;
    std::string manual_title;
    std::string public_url; ///< links to manual pages start here; "" = no such links
    Timestamp generated_at;
    pdf::PageSize page_size = pdf::PageSize::a4;
    std::vector<VideoLink> videos; ///< the module's stored video suggestions; none = no section
};

[[nodiscard]] pdf::Document compose_module(const ComposeInput& in);

/// `**bold**` markers become bold spans; an unmatched marker stays as text.
[[nodiscard]] std::vector<pdf::Span> inline_spans(std::string_view text);

} // namespace shiksha::detail
