// Layout of a Document into pages: blocks become lines (shaping.hpp), lines flow down the
// page with headings kept with what follows, two-column rows flow both columns at once, and
// every page gets its running header and "Page X of Y" footer once the page count is known.
// The pages are then serialised by pdf_writer.hpp.
#include "export/document.hpp"
#include "export/pdf_writer.hpp"
#include "export/shaping.hpp"

#include "core/text.hpp"
#include "shiksha/languages.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace shiksha::detail::pdf {

namespace {

constexpr Rgb text_color{0.1, 0.1, 0.1};
constexpr Rgb muted_color{0.4, 0.4, 0.4};
constexpr Rgb link_color{0.05, 0.3, 0.75};
constexpr double line_spacing = 1.45; // line height over font size
constexpr double column_gap = 18;
constexpr double header_size = 8;

struct BlockStyle {
    double size = 11;
    bool bold = false;
    Rgb color = text_color;
    double space_before = 6;
    double indent = 0; ///< hanging indent for list markers
};

BlockStyle block_style(BlockKind kind) {
    switch (kind) {
    case BlockKind::heading1: return {20, true, text_color, 12, 0};
    case BlockKind::heading2: return {15, true, text_color, 14, 0};
    case BlockKind::heading3: return {12.5, true, text_color, 10, 0};
    case BlockKind::paragraph: return {11, false, text_color, 6, 0};
    case BlockKind::bullet: return {11, false, text_color, 3, 16};
    case BlockKind::numbered: return {11, false, text_color, 3, 22};
    case BlockKind::note: return {9, false, muted_color, 4, 0};
    }
    return {};
}

bool is_heading(BlockKind kind) {
    return kind == BlockKind::heading1 || kind == BlockKind::heading2 || kind == BlockKind::heading3;
}

/// One line's worth of vertical flow. Coordinates are relative to the item's top-left corner
/// with y pointing up (so baselines are negative) until the item is placed on a page.
struct Item {
    double height = 0;
    double gap_before = 0; ///< dropped at the top of a page
    bool keep_with_next = false;
    std::vector<TextOp> texts;
    std::vector<LinkOp> links;
};

/// Where the flow continues: a page and the distance below the content area's top.
struct Cursor {
    std::size_t page = 0;
    double y = 0;
};

bool after(const Cursor& a, const Cursor& b) {
    return a.page != b.page ? a.page > b.page : a.y > b.y;
}

/// Appends the fragments of `line` with its left end at `x` on `baseline`.
void append_line(std::vector<TextOp>& texts, std::vector<LinkOp>& links, const Paragraph& p, const Line& line,
                 double x, double baseline) {
    for (const auto& f : line.fragments) {
        const TextStyle& style = p.styles[f.style];
        if (!style.link.empty()) {
            const double descent = f.font->descender() * style.size;
            links.push_back(
                {x, baseline - descent, f.width, descent + f.font->ascender() * style.size, style.link});
        }
        texts.push_back({f.font, style.size, style.color, f.right_to_left, x, baseline, f.glyphs,
                         p.text.substr(f.start, f.end - f.start), f.start});
        x += f.width;
    }
}

class Layout {
public:
    Layout(const Document& document, Shaper& shaper) : document_(document), shaper_(shaper) {
        const bool letter = document.page_size == PageSize::letter;
        width_ = letter ? 612 : 595.28;
        height_ = letter ? 792 : 841.89;
        margin_ = std::clamp(document.margin, 0.0, std::min(width_, height_) / 3);
    }

    Result<std::vector<PageOps>> run() {
        const double content_width = width_ - 2 * margin_;
        Cursor cursor;
        // Consecutive blocks flow as one list so a heading's keep-with-next sees the next block.
        std::vector<Item> pending;
        for (const auto& element : document_.body) {
            if (const auto* block = std::get_if<Block>(&element)) {
                auto items = block_items(*block, content_width);
                if (!items) return std::unexpected(items.error());
                std::move(items->begin(), items->end(), std::back_inserter(pending));
                continue;
            }
            place(std::exchange(pending, {}), margin_, cursor);
            if (const auto* row = std::get_if<TwoColumns>(&element)) {
                if (auto r = place_columns(*row, content_width, cursor); !r)
                    return std::unexpected(r.error());
            } else if (cursor.y > 0) { // PageBreak; a break at the top of a page adds no blank page
                ++cursor.page;
                cursor.y = 0;
            }
        }
        place(std::move(pending), margin_, cursor);
        pages_.resize(std::max<std::size_t>(pages_.size(), 1));
        if (auto r = decorate(); !r) return std::unexpected(r.error());
        return std::move(pages_);
    }

    [[nodiscard]] PdfMetadata metadata() const {
        const Language* lang = find_language(document_.language);
        return {width_, height_, document_.title, lang ? std::string(lang->code) : std::string()};
    }

private:
    [[nodiscard]] double content_height() const { return height_ - 2 * margin_; }

    Result<Paragraph> shape_text(std::string_view text, double size, Rgb color, std::string_view language) {
        const StyledText piece{text, 0};
        return shaper_.shape({&piece, 1}, {TextStyle{size, false, color, {}}}, language);
    }

    /// The lines of a block as flow items, its list marker hanging in the indent (on the right
    /// for right-to-left text).
    Result<std::vector<Item>> block_items(const Block& block, double width) {
        const BlockStyle bs = block_style(block.kind);
        std::vector<TextStyle> styles;
        std::vector<StyledText> pieces;
        for (const auto& span : block.spans) {
            pieces.push_back({span.text, styles.size()});
            styles.push_back(
                {bs.size, bs.bold || span.bold, span.link ? link_color : bs.color, span.link.value_or("")});
        }
        auto paragraph = shaper_.shape(pieces, std::move(styles), block.language);
        if (!paragraph) return std::unexpected(paragraph.error());

        std::optional<Paragraph> marker;
        if (block.kind == BlockKind::bullet || block.kind == BlockKind::numbered) {
            auto shaped =
                shape_text(block.kind == BlockKind::bullet ? "•" : std::to_string(block.number) + ".",
                           bs.size, bs.color, "english");
            if (!shaped) return std::unexpected(shaped.error());
            marker = std::move(*shaped);
        }

        const Paragraph& p = *paragraph;
        const double line_height = std::max(line_spacing * bs.size, p.ascent + p.descent);
        const double baseline = (line_height - p.ascent - p.descent) / 2 + p.ascent;
        const auto lines = shaper_.break_lines(p, width - bs.indent);
        std::vector<Item> items;
        for (std::size_t k = 0; k < lines.size(); ++k) {
            Item item{line_height, k == 0 ? bs.space_before : 0, is_heading(block.kind), {}, {}};
            const double x = p.right_to_left ? width - bs.indent - lines[k].width : bs.indent;
            append_line(item.texts, item.links, p, lines[k], x, -baseline);
            if (k == 0 && marker) {
                const auto marker_lines = shaper_.break_lines(*marker, width);
                if (!marker_lines.empty()) {
                    const double marker_x = p.right_to_left ? width - marker_lines[0].width : 2;
                    append_line(item.texts, item.links, *marker, marker_lines[0], marker_x, -baseline);
                }
            }
            items.push_back(std::move(item));
        }
        return items;
    }

    Result<std::vector<Item>> column_items(const std::vector<Block>& blocks, double width) {
        std::vector<Item> items;
        for (const auto& block : blocks) {
            auto more = block_items(block, width);
            if (!more) return std::unexpected(more.error());
            std::move(more->begin(), more->end(), std::back_inserter(items));
        }
        return items;
    }

    /// Both columns start where the row starts and flow independently (each may continue on
    /// the next pages); the flow resumes below the longer one.
    Result<void> place_columns(const TwoColumns& row, double width, Cursor& cursor) {
        const double column_width = (width - column_gap) / 2;
        auto left = column_items(row.left, column_width);
        if (!left) return std::unexpected(left.error());
        auto right = column_items(row.right, column_width);
        if (!right) return std::unexpected(right.error());
        Cursor left_end = cursor, right_end = cursor;
        place(std::move(*left), margin_, left_end);
        place(std::move(*right), margin_ + column_width + column_gap, right_end);
        cursor = after(left_end, right_end) ? left_end : right_end;
        return {};
    }

    /// Flows items down the pages from `cursor`. An item that starts a keep-with-next chain
    /// (a heading's lines and the first line after them) moves to a new page when the chain
    /// would not fit, unless the chain is taller than a page anyway.
    void place(std::vector<Item> items, double x, Cursor& cursor) {
        constexpr double epsilon = 0.01;
        for (std::size_t i = 0; i < items.size(); ++i) {
            Item& item = items[i];
            double gap = cursor.y > 0 ? item.gap_before : 0;
            double chain = item.height;
            for (std::size_t j = i; items[j].keep_with_next && j + 1 < items.size(); ++j)
                chain += items[j + 1].gap_before + items[j + 1].height;
            const bool item_fits = cursor.y + gap + item.height <= content_height() + epsilon;
            const bool chain_fits = cursor.y + gap + chain <= content_height() + epsilon;
            if (cursor.y > 0 && (!item_fits || (!chain_fits && chain <= content_height()))) {
                ++cursor.page;
                cursor.y = 0;
                gap = 0;
            }
            if (pages_.size() <= cursor.page) pages_.resize(cursor.page + 1);
            const double top = height_ - margin_ - cursor.y - gap;
            PageOps& page = pages_[cursor.page];
            for (auto& text : item.texts) {
                text.x += x;
                text.y += top;
                page.texts.push_back(std::move(text));
            }
            for (auto& link : item.links) {
                link.x += x;
                link.y += top;
                page.links.push_back(std::move(link));
            }
            cursor.y += gap + item.height;
        }
    }

    /// Header (left, centre, right, a rule below) and footer (left text, "Page X of Y").
    Result<void> decorate() {
        const double header_baseline = height_ - margin_ * 0.55;
        const double footer_baseline = margin_ * 0.45;
        const double width = width_ - 2 * margin_;
        auto center = fit_line(document_.header_center, width / 3);
        if (!center) return std::unexpected(center.error());
        const double center_width = center->lines.empty() ? 0 : center->lines.front().width;
        const double side = center->lines.empty() ? width : (width - center_width) / 2 - 12;
        auto right = fit_line(document_.header_right, center->lines.empty() ? width / 2 : side);
        if (!right) return std::unexpected(right.error());
        const double right_width = right->lines.empty() ? 0 : right->lines.front().width;
        auto left = fit_line(document_.header_left, center->lines.empty() ? width - right_width - 12 : side);
        if (!left) return std::unexpected(left.error());
        auto footer = fit_line(document_.footer_left, width * 0.7);
        if (!footer) return std::unexpected(footer.error());

        const std::string total = std::to_string(pages_.size());
        for (std::size_t i = 0; i < pages_.size(); ++i) {
            PageOps& page = pages_[i];
            draw(page, *left, margin_, header_baseline, 0);
            draw(page, *center, width_ / 2, header_baseline, 0.5);
            draw(page, *right, width_ - margin_, header_baseline, 1);
            page.rules.push_back(
                {margin_, header_baseline - 5, width_ - margin_, header_baseline - 5, 0.5, muted_color});
            draw(page, *footer, margin_, footer_baseline, 0);
            auto number = fit_line("Page " + std::to_string(i + 1) + " of " + total, width * 0.3);
            if (!number) return std::unexpected(number.error());
            draw(page, *number, width_ - margin_, footer_baseline, 1);
        }
        return {};
    }

    struct ShortLine {
        Paragraph paragraph;
        std::vector<Line> lines; ///< only the first is drawn
    };

    /// A header or footer text in at most `slot` points: set smaller (down to 6 pt) when it is
    /// too long, and cut at a line break if even that does not fit.
    Result<ShortLine> fit_line(std::string_view text, double slot) {
        auto p = shape_text(text, header_size, muted_color, document_.language);
        if (!p) return std::unexpected(p.error());
        const double natural = p->advance_before.back();
        if (natural > slot && slot > 0) {
            p = shape_text(text, std::max(6.0, header_size * slot / natural), muted_color,
                           document_.language);
            if (!p) return std::unexpected(p.error());
        }
        auto lines = shaper_.break_lines(*p, std::max(slot, 1.0));
        return ShortLine{std::move(*p), std::move(lines)};
    }

    /// Draws the first line of `text` with its anchor (0 left, 0.5 centre, 1 right) at `x`.
    static void draw(PageOps& page, const ShortLine& text, double x, double baseline, double anchor) {
        if (text.lines.empty()) return;
        const Line& line = text.lines.front();
        append_line(page.texts, page.links, text.paragraph, line, x - anchor * line.width, baseline);
    }

    const Document& document_;
    Shaper& shaper_;
    double width_ = 0, height_ = 0, margin_ = 0;
    std::vector<PageOps> pages_;
};

Result<Rendered> render(const Document& document, const FontSettings& fonts) {
    for (const std::string* text : {&document.title, &document.header_left, &document.header_center,
                                    &document.header_right, &document.footer_left})
        if (!valid_utf8(*text))
            return fail(ErrorCode::invalid_argument, "The document text is not valid UTF-8.");
    Shaper shaper(fonts);
    Layout layout(document, shaper);
    auto pages = layout.run();
    if (!pages) return std::unexpected(pages.error());
    return write_pdf(*pages, layout.metadata(), shaper.fonts());
}

} // namespace

Result<Rendered> render_pdf(const Document& document, const FontSettings& fonts) {
    try {
        return render(document, fonts);
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, std::string("The PDF could not be rendered: ") + e.what());
    } catch (...) {
        return fail(ErrorCode::internal, "The PDF could not be rendered.");
    }
}

} // namespace shiksha::detail::pdf
