#pragma once
// Writes laid-out pages as a PDF with PoDoFo's object model (internal). Glyphs are drawn by
// glyph id through Type0/CIDFontType2 fonts (Identity-H), subsetted with hb-subset keeping the
// original glyph ids, so the content stream can use HarfBuzz's output as is. PoDoFo 0.9.8's
// own text API encodes Unicode through the font's cmap, which cannot express shaped glyphs, so
// the font dictionaries and content streams are written here and PoDoFo only serialises them.

#include "export/shaping.hpp"

#include <string>
#include <vector>

namespace shiksha::detail::pdf {

/// Glyphs of one fragment at a baseline origin (points, PDF coordinates).
struct TextOp {
    Font* font = nullptr;
    double size = 11;
    Rgb color;
    bool right_to_left = false;
    double x = 0, y = 0;
    std::vector<Glyph> glyphs;  ///< visual order; clusters index `text` after subtracting `text_start`
    std::u16string text;        ///< the text the glyphs stand for
    std::size_t text_start = 0; ///< the paragraph index of text[0]
};

struct RuleOp {
    double x1 = 0, y1 = 0, x2 = 0, y2 = 0, width = 0.5;
    Rgb color;
};

struct LinkOp {
    double x = 0, y = 0, width = 0, height = 0;
    std::string uri;
};

struct PageOps {
    std::vector<TextOp> texts;
    std::vector<RuleOp> rules;
    std::vector<LinkOp> links;
};

struct PdfMetadata {
    double width = 595.28, height = 841.89;
    std::string title;         ///< UTF-8
    std::string language_code; ///< BCP 47 for /Lang; empty to omit
};

/// Serialises the pages. Records glyph use in the fonts (for subsetting and ToUnicode).
/// `internal` when PoDoFo or hb-subset fail.
[[nodiscard]] Result<Rendered> write_pdf(const std::vector<PageOps>& pages, const PdfMetadata& metadata,
                                         const std::vector<Font*>& fonts);

} // namespace shiksha::detail::pdf
