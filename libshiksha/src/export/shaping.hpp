#pragma once
// Fonts and text shaping for the PDF renderer (internal): script itemisation, bidi levels,
// HarfBuzz shaping and line breaking at ICU opportunities. Everything here lives for one
// render_pdf call and is used by one thread; only the font bytes are shared between calls
// (a process-wide, read-only cache).

#include "export/document.hpp"

#include <hb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct UBreakIterator;

namespace shiksha::detail::pdf {

struct Rgb {
    double r = 0, g = 0, b = 0;
};

/// One font file opened for one render call. Besides the HarfBuzz objects it records the
/// glyphs drawn with it and the text each stands for: the writer subsets the font to those
/// glyphs and builds its ToUnicode map from them.
class Font {
public:
    /// `unavailable` naming the file and the Debian package when the file cannot be read.
    [[nodiscard]] static Result<std::unique_ptr<Font>> open(const std::filesystem::path& file);
    ~Font() = default;
    Font(const Font&) = delete;
    Font& operator=(const Font&) = delete;

    [[nodiscard]] hb_font_t* hb_font() const noexcept { return font_; }
    [[nodiscard]] hb_face_t* hb_face() const noexcept { return face_; }
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
    [[nodiscard]] double units_per_em() const noexcept { return upem_; }
    /// Above the baseline, in em.
    [[nodiscard]] double ascender() const noexcept { return ascender_; }
    /// Below the baseline, in em (positive).
    [[nodiscard]] double descender() const noexcept { return descender_; }
    [[nodiscard]] bool covers(char32_t code_point) const;
    /// The glyph's advance as the PDF /W array states it (thousandths of an em, rounded to 0.01);
    /// the content stream positions glyphs relative to this same number.
    [[nodiscard]] double pdf_width(std::uint32_t glyph) const;
    /// The glyph of U+0020, 0 when the font has none.
    [[nodiscard]] std::uint32_t space_glyph() const noexcept { return space_glyph_; }

    void mark_used(std::uint32_t glyph) { used_.insert(glyph); }
    /// Records that `glyph` stands for `text` in the ToUnicode map. False when the glyph already
    /// stands for other text (then the caller tags the occurrence with /ActualText instead).
    [[nodiscard]] bool map_to_unicode(std::uint32_t glyph, std::u16string_view text);
    [[nodiscard]] const std::set<std::uint32_t>& used_glyphs() const noexcept { return used_; }
    [[nodiscard]] const std::map<std::uint32_t, std::u16string>& to_unicode() const noexcept {
        return to_unicode_;
    }

private:
    Font() = default;

    std::filesystem::path file_;
    /// The HarfBuzz face and font are shared by every render in the process (immutable; HarfBuzz
    /// keeps its shaping plans on the face, so they are built once, not per PDF). This owns them.
    std::shared_ptr<const void> shared_;
    hb_face_t* face_ = nullptr;
    hb_font_t* font_ = nullptr;
    double upem_ = 1000, ascender_ = 0.8, descender_ = 0.2;
    std::uint32_t space_glyph_ = 0;
    std::set<std::uint32_t> used_;
    std::map<std::uint32_t, std::u16string> to_unicode_;
};

/// Text style of one span: what shaping and drawing need.
struct TextStyle {
    double size = 11;
    bool bold = false;
    Rgb color;
    std::string link; ///< empty when the span is not a link
};

/// A positioned glyph; lengths in points. `cluster` indexes the paragraph's UTF-16 text.
struct Glyph {
    std::uint32_t id = 0;
    std::uint32_t cluster = 0;
    double advance = 0, dx = 0, dy = 0;
    bool unsafe_to_break = false;
};

/// A piece of a line in one font, style and direction; glyphs in visual (left to right) order.
struct Fragment {
    Font* font = nullptr;
    std::size_t style = 0;
    bool right_to_left = false;
    std::size_t start = 0, end = 0; ///< UTF-16 range of the paragraph's text
    std::vector<Glyph> glyphs;
    double width = 0;
};

/// One line, fragments in visual order.
struct Line {
    std::vector<Fragment> fragments;
    double width = 0;
};

/// Input of the shaper: text (UTF-8) in one of the paragraph's styles.
struct StyledText {
    std::string_view text;
    std::size_t style = 0;
};

/// A shaped paragraph, ready to be broken into lines of any width.
struct Paragraph {
    struct Run {
        std::size_t start = 0, end = 0; ///< UTF-16 range
        Font* font = nullptr;
        std::size_t style = 0;
        std::uint8_t level = 0;    ///< bidi embedding level: odd is right to left
        std::vector<Glyph> glyphs; ///< logical order (ascending clusters)
    };
    struct Break {
        std::size_t position = 0;
        bool hard = false; ///< a newline: the line must end here
    };

    std::u16string text; ///< what the glyphs stand for (controls replaced by spaces)
    std::vector<TextStyle> styles;
    std::vector<Run> runs;
    std::vector<Break> breaks;          ///< ICU line-break opportunities, ascending
    std::vector<std::size_t> graphemes; ///< grapheme cluster boundaries, ascending
    std::vector<double> advance_before; ///< advance of text[0, i), size text.size() + 1
    bool right_to_left = false;         ///< the paragraph direction (Urdu)
    double ascent = 0, descent = 0;     ///< points, over every font used
    std::string language_code;          ///< "hi", "ur"… (empty when unknown)
};

/// Shapes paragraphs and breaks them into lines, opening fonts on first use.
class Shaper {
public:
    explicit Shaper(FontSettings settings);
    ~Shaper();
    Shaper(const Shaper&) = delete;
    Shaper& operator=(const Shaper&) = delete;

    /// `invalid_argument` for invalid UTF-8, `unavailable` when a script's font file is missing
    /// or no font covers a script. `language` is a key or code ("hindi", "ur"); unknown keys
    /// shape as English.
    [[nodiscard]] Result<Paragraph> shape(std::span<const StyledText> pieces, std::vector<TextStyle> styles,
                                          std::string_view language);

    /// Lines no wider than `width` (except a single grapheme that does not fit anywhere).
    [[nodiscard]] std::vector<Line> break_lines(const Paragraph& paragraph, double width);

    /// Every font opened so far, in the order they were first used.
    [[nodiscard]] const std::vector<Font*>& fonts() const noexcept { return font_order_; }

private:
    Result<Font*> font_for(std::string_view script, bool bold, std::string_view language);
    std::vector<Glyph> shape_range(const Paragraph& p, const Paragraph::Run& run, std::size_t start,
                                   std::size_t end);
    Fragment fragment(const Paragraph& p, const Paragraph::Run& run, std::size_t start, std::size_t end);
    Line make_line(const Paragraph& p, std::size_t start, std::size_t end);

    FontSettings settings_;
    std::map<std::filesystem::path, std::unique_ptr<Font>> fonts_;
    std::vector<Font*> font_order_;
    hb_buffer_t* buffer_ = nullptr;
    UBreakIterator* line_breaks_ = nullptr;
    UBreakIterator* characters_ = nullptr;
};

} // namespace shiksha::detail::pdf
