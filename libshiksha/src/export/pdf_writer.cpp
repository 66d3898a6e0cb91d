#include "export/pdf_writer.hpp"

#include <hb-ot.h>
#include <hb-subset.h>
#include <podofo/podofo.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>

namespace shiksha::detail::pdf {

namespace {

using namespace PoDoFo;

// ---- content stream ---------------------------------------------------------------------------

void put_number(std::string& out, double value) {
    if (std::abs(value) < 0.0005) value = 0; // never "-0"
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
    std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    while (text.ends_with('0'))
        text.remove_suffix(1);
    if (text.ends_with('.')) text.remove_suffix(1);
    out += text;
}

void put_hex16(std::string& out, std::uint32_t value) {
    static constexpr char digits[] = "0123456789ABCDEF";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += digits[(value >> shift) & 0xF];
}

void put_color(std::string& out, const Rgb& c, std::string_view op) {
    put_number(out, c.r);
    out += ' ';
    put_number(out, c.g);
    out += ' ';
    put_number(out, c.b);
    out += ' ';
    out += op;
    out += '\n';
}

/// Builds one page's content stream. Glyph ids are written as two-byte codes (Identity-H).
class ContentWriter {
public:
    void rule(const RuleOp& r) {
        out_ += "q\n";
        put_number(out_, r.width);
        out_ += " w\n";
        put_color(out_, r.color, "RG");
        put_point(r.x1, r.y1);
        out_ += "m\n";
        put_point(r.x2, r.y2);
        out_ += "l\nS\nQ\n";
    }

    /// Glyphs are placed where HarfBuzz put them: a TJ adjustment when only the advance
    /// differs from the font's width, a new text matrix when a glyph sits above or below the
    /// baseline. A cluster is wrapped in /ActualText when its glyphs do not map one to one to
    /// its characters (conjuncts, reordered vowel signs, ligatures) or when a glyph is off the
    /// baseline (Nastaliq's cascading letters), so extraction returns the original text in order.
    void text(const TextOp& op, std::string_view font_name) {
        out_ += "BT\n/";
        out_ += font_name;
        out_ += ' ';
        put_number(out_, op.size);
        out_ += " Tf\n";
        put_color(out_, op.color, "rg");
        pen_placed_ = false;
        double x = op.x;
        for (const auto& cluster : clusters(op)) {
            const auto text = std::u16string_view(op.text).substr(cluster.text_begin,
                                                                  cluster.text_end - cluster.text_begin);
            const auto first = op.glyphs.begin() + static_cast<std::ptrdiff_t>(cluster.begin);
            const auto last = op.glyphs.begin() + static_cast<std::ptrdiff_t>(cluster.end);
            const bool off_baseline =
                std::any_of(first, last, [](const Glyph& g) { return std::abs(g.dy) > 1e-3; });
            const bool actual_text = off_baseline || last - first != 1 || text.empty() ||
                                     !op.font->map_to_unicode(first->id, text);
            double right = x;
            for (auto g = first; g != last; ++g)
                right += g->advance;
            if (actual_text) {
                end_array();
                out_ += "/Span<</ActualText<FEFF";
                for (char16_t c : text)
                    put_hex16(out_, c);
                out_ += ">>>BDC\n";
                boundary_marker(op, x);
            }
            for (auto g = first; g != last; ++g) {
                glyph(op, g->id, x + g->dx, op.y + g->dy);
                x += g->advance;
            }
            if (actual_text) {
                boundary_marker(op, right - op.font->pdf_width(op.font->space_glyph()) * op.size / 1000);
                out_ += "EMC\n";
            }
        }
        end_array();
        out_ += "ET\n";
    }

    [[nodiscard]] const std::string& str() const noexcept { return out_; }

private:
    /// A HarfBuzz cluster: consecutive glyphs (visual order) and the characters they stand for.
    struct Cluster {
        std::size_t begin = 0, end = 0;           ///< glyph indices
        std::size_t text_begin = 0, text_end = 0; ///< indices into TextOp::text
    };
    static std::vector<Cluster> clusters(const TextOp& op) {
        // A cluster's text runs up to the next cluster value in logical order.
        std::vector<std::uint32_t> starts;
        for (const auto& g : op.glyphs)
            starts.push_back(g.cluster);
        std::sort(starts.begin(), starts.end());
        starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
        std::vector<Cluster> out;
        for (std::size_t i = 0; i < op.glyphs.size();) {
            const std::uint32_t start = op.glyphs[i].cluster;
            std::size_t j = i;
            while (j < op.glyphs.size() && op.glyphs[j].cluster == start)
                ++j;
            const auto next = std::upper_bound(starts.begin(), starts.end(), start);
            const std::size_t end = next == starts.end() ? op.text_start + op.text.size() : *next;
            out.push_back({i, j, start - op.text_start, end - op.text_start});
            i = j;
        }
        return out;
    }

    /// An invisible space on the baseline at a cluster's edge. Extractors (poppler) take an
    /// /ActualText's box from the first and last glyph drawn inside it; a mark drawn last or a
    /// raised glyph would otherwise give a box that is too short or slanted, and words would
    /// split or run together.
    void boundary_marker(const TextOp& op, double x) {
        if (op.font->space_glyph() == 0) return;
        end_array();
        out_ += "3 Tr\n";
        glyph(op, op.font->space_glyph(), x, op.y);
        end_array();
        out_ += "0 Tr\n";
    }

    void glyph(const TextOp& op, std::uint32_t id, double x, double y) {
        if (!pen_placed_ || std::abs(y - pen_y_) > 1e-3) {
            end_array();
            out_ += "1 0 0 1 ";
            put_point(x, y);
            out_ += "Tm\n";
            pen_x_ = x;
            pen_y_ = y;
            pen_placed_ = true;
        } else if (std::abs(x - pen_x_) > 1e-3) {
            begin_array();
            put_number(out_, -(x - pen_x_) * 1000 / op.size);
        }
        begin_array();
        out_ += '<';
        put_hex16(out_, id);
        out_ += '>';
        pen_x_ = x + op.font->pdf_width(id) * op.size / 1000;
        op.font->mark_used(id);
    }
    void put_point(double x, double y) {
        put_number(out_, x);
        out_ += ' ';
        put_number(out_, y);
        out_ += ' ';
    }
    void begin_array() {
        if (in_array_) return;
        out_ += '[';
        in_array_ = true;
    }
    void end_array() {
        if (!in_array_) return;
        out_ += "]TJ\n";
        in_array_ = false;
    }

    std::string out_;
    bool in_array_ = false, pen_placed_ = false;
    double pen_x_ = 0, pen_y_ = 0;
};

// ---- fonts ------------------------------------------------------------------------------------

/// The font reduced to the drawn glyphs. Glyph ids are kept (unused slots become empty) so
/// the content stream's ids stay valid; layout tables are dropped since shaping is done.
Result<std::string> subset_font(const Font& font) {
    hb_subset_input_t* input = hb_subset_input_create_or_fail();
    if (!input) return fail(ErrorCode::internal, "hb-subset could not allocate its input.");
    hb_set_t* glyphs = hb_subset_input_glyph_set(input);
    hb_set_add(glyphs, 0);
    for (auto g : font.used_glyphs())
        hb_set_add(glyphs, g);
    hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS);
    hb_set_t* dropped = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (hb_tag_t tag : {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
                         HB_TAG('B', 'A', 'S', 'E'), HB_TAG('J', 'S', 'T', 'F'), HB_TAG('m', 'o', 'r', 'x'),
                         HB_TAG('k', 'e', 'r', 'x'), HB_TAG('k', 'e', 'r', 'n')})
        hb_set_add(dropped, tag);
    hb_face_t* subset = hb_subset_or_fail(font.hb_face(), input);
    hb_subset_input_destroy(input);
    if (!subset)
        return fail(ErrorCode::internal, "hb-subset could not subset " + font.file().filename().string());
    hb_blob_t* blob = hb_face_reference_blob(subset);
    unsigned length = 0;
    const char* data = hb_blob_get_data(blob, &length);
    std::string bytes(data, length);
    hb_blob_destroy(blob);
    hb_face_destroy(subset);
    if (bytes.empty()) return fail(ErrorCode::internal, "hb-subset returned an empty font.");
    return bytes;
}

/// Six capital letters derived from the font and its glyph set, as PDF subset names need.
std::string subset_tag(const Font& font) {
    std::uint64_t hash = 1469598103934665603ULL; // FNV-1a
    auto mix = [&](std::uint64_t v) {
        hash ^= v;
        hash *= 1099511628211ULL;
    };
    for (char c : font.file().string())
        mix(static_cast<unsigned char>(c));
    for (auto g : font.used_glyphs())
        mix(g);
    std::string tag;
    for (int i = 0; i < 6; ++i, hash /= 26)
        tag += static_cast<char>('A' + hash % 26);
    return tag;
}

std::string postscript_name(const Font& font) {
    char name[128] = {};
    unsigned size = sizeof name;
    hb_ot_name_get_utf8(font.hb_face(), HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &size, name);
    std::string out;
    for (char c : std::string_view(name, size))
        if (c > ' ' && c < 127 && c != '/' && c != '[' && c != ']' && c != '(' && c != ')') out += c;
    return out.empty() ? font.file().stem().string() : out;
}

std::string to_unicode_cmap(const Font& font) {
    std::string out = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    const auto& map = font.to_unicode();
    auto it = map.begin();
    while (it != map.end()) {
        const std::size_t block =
            std::min<std::size_t>(100, static_cast<std::size_t>(std::distance(it, map.end())));
        out += std::to_string(block) + " beginbfchar\n";
        for (std::size_t i = 0; i < block; ++i, ++it) {
            out += '<';
            put_hex16(out, it->first);
            out += "> <";
            for (char16_t c : it->second)
                put_hex16(out, c);
            out += ">\n";
        }
        out += "endbfchar\n";
    }
    out += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    return out;
}

PdfObject number(double v) {
    return PdfObject(PdfVariant(v));
}
PdfObject integer(std::int64_t v) {
    return PdfObject(PdfVariant(static_cast<pdf_int64>(v)));
}

PdfArray widths(const Font& font) {
    // Runs of consecutive glyph ids share one "first [w1 w2 …]" entry.
    PdfArray w;
    const auto& used = font.used_glyphs();
    for (auto it = used.begin(); it != used.end();) {
        const std::uint32_t first = *it;
        PdfArray run;
        std::uint32_t expected = first;
        while (it != used.end() && *it == expected) {
            run.push_back(number(font.pdf_width(*it)));
            ++it;
            ++expected;
        }
        w.push_back(integer(first));
        w.push_back(run);
    }
    return w;
}

std::array<double, 4> font_bbox(const Font& font) {
    // head.xMin … yMax at byte 36, int16 big-endian, in font units.
    std::array<double, 4> box{0, -0.3 * font.units_per_em(), font.units_per_em(), font.units_per_em()};
    hb_blob_t* head = hb_face_reference_table(font.hb_face(), HB_TAG('h', 'e', 'a', 'd'));
    unsigned length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(hb_blob_get_data(head, &length));
    if (length >= 44) {
        for (int i = 0; i < 4; ++i)
            box[static_cast<std::size_t>(i)] =
                static_cast<std::int16_t>((data[36 + 2 * i] << 8) | data[37 + 2 * i]);
    }
    hb_blob_destroy(head);
    for (double& v : box)
        v = std::round(v * 1000 / font.units_per_em());
    return box;
}

/// Type0 font → CIDFontType2 → FontDescriptor → FontFile2, plus the ToUnicode stream.
Result<PdfObject*> embed_font(PdfVecObjects& objects, const Font& font, std::string& base_font) {
    auto bytes = subset_font(font);
    if (!bytes) return std::unexpected(bytes.error());
    base_font = subset_tag(font) + "+" + postscript_name(font);

    PdfObject* file = objects.CreateObject();
    file->GetStream()->Set(bytes->data(), static_cast<pdf_long>(bytes->size()));
    file->GetDictionary().AddKey("Length1", integer(static_cast<std::int64_t>(bytes->size())));

    const double em = 1000;
    hb_position_t cap_height = 0;
    if (!hb_ot_metrics_get_position(font.hb_font(), HB_OT_METRICS_TAG_CAP_HEIGHT, &cap_height))
        cap_height = static_cast<hb_position_t>(0.7 * font.units_per_em());
    const auto box = font_bbox(font);
    PdfObject* descriptor = objects.CreateObject("FontDescriptor");
    auto& d = descriptor->GetDictionary();
    d.AddKey("FontName", PdfName(base_font));
    d.AddKey("Flags", integer(4)); // symbolic: glyphs are addressed by id, not by a standard encoding
    PdfArray bbox;
    for (double v : box)
        bbox.push_back(number(v));
    d.AddKey("FontBBox", bbox);
    d.AddKey("ItalicAngle", integer(0));
    d.AddKey("Ascent", number(std::round(font.ascender() * em)));
    d.AddKey("Descent", number(-std::round(font.descender() * em)));
    d.AddKey("CapHeight", number(std::round(cap_height * em / font.units_per_em())));
    d.AddKey("StemV", integer(80));
    d.AddKey("FontFile2", file->Reference());

    PdfObject* cid_font = objects.CreateObject("Font");
    auto& c = cid_font->GetDictionary();
    c.AddKey("Subtype", PdfName("CIDFontType2"));
    c.AddKey("BaseFont", PdfName(base_font));
    PdfDictionary system_info;
    system_info.AddKey("Registry", PdfString("Adobe"));
    system_info.AddKey("Ordering", PdfString("Identity"));
    system_info.AddKey("Supplement", integer(0));
    c.AddKey("CIDSystemInfo", system_info);
    c.AddKey("FontDescriptor", descriptor->Reference());
    c.AddKey("DW", integer(0));
    c.AddKey("W", widths(font));
    c.AddKey("CIDToGIDMap", PdfName("Identity"));

    PdfObject* to_unicode = objects.CreateObject();
    const auto cmap = to_unicode_cmap(font);
    to_unicode->GetStream()->Set(cmap.data(), static_cast<pdf_long>(cmap.size()));

    PdfObject* type0 = objects.CreateObject("Font");
    auto& t = type0->GetDictionary();
    t.AddKey("Subtype", PdfName("Type0"));
    t.AddKey("BaseFont", PdfName(base_font));
    t.AddKey("Encoding", PdfName("Identity-H"));
    PdfArray descendants;
    descendants.push_back(cid_font->Reference());
    t.AddKey("DescendantFonts", descendants);
    t.AddKey("ToUnicode", to_unicode->Reference());
    return type0;
}

/// URIs in PDF are 7-bit ASCII: other bytes are percent-encoded.
std::string ascii_uri(std::string_view uri) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : uri) {
        if (c > 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xF];
        }
    }
    return out;
}

void add_link(PdfPage& page, const LinkOp& link) {
    PdfAnnotation* annotation =
        page.CreateAnnotation(ePdfAnnotation_Link, PdfRect(link.x, link.y, link.width, link.height));
    annotation->SetBorderStyle(0, 0, 0);
    PdfDictionary action;
    action.AddKey("S", PdfName("URI"));
    action.AddKey("URI", PdfString(ascii_uri(link.uri)));
    annotation->GetObject()->GetDictionary().AddKey("A", action);
}

Result<Rendered> write_document(const std::vector<PageOps>& pages, const PdfMetadata& metadata,
                                const std::vector<Font*>& fonts) {
    // Content streams first: they record which glyphs each font needs.
    std::map<const Font*, std::string> font_names;
    std::vector<std::string> contents;
    std::vector<std::vector<const Font*>> page_fonts(pages.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
        ContentWriter writer;
        for (const auto& rule : pages[i].rules)
            writer.rule(rule);
        for (const auto& text : pages[i].texts) {
            auto [it, added] = font_names.try_emplace(text.font, "F" + std::to_string(font_names.size() + 1));
            if (std::find(page_fonts[i].begin(), page_fonts[i].end(), text.font) == page_fonts[i].end())
                page_fonts[i].push_back(text.font);
            writer.text(text, it->second);
        }
        contents.push_back(writer.str());
    }

    PdfMemDocument document;
    Rendered rendered;
    std::map<const Font*, PdfReference> font_objects;
    for (const Font* font : fonts) {
        if (!font_names.contains(font)) continue;
        std::string base_font;
        auto object = embed_font(document.GetObjects(), *font, base_font);
        if (!object) return std::unexpected(object.error());
        font_objects.emplace(font, (*object)->Reference());
        rendered.fonts.push_back(base_font);
    }

    for (std::size_t i = 0; i < pages.size(); ++i) {
        PdfPage* page = document.CreatePage(PdfRect(0, 0, metadata.width, metadata.height));
        page->GetContentsForAppending()->GetStream()->Set(contents[i].data(),
                                                          static_cast<pdf_long>(contents[i].size()));
        PdfDictionary font_resources;
        for (const Font* font : page_fonts[i])
            font_resources.AddKey(PdfName(font_names.at(font)), font_objects.at(font));
        page->GetResources()->GetDictionary().AddKey("Font", font_resources);
        for (const auto& link : pages[i].links)
            add_link(*page, link);
    }

    PdfInfo* info = document.GetInfo();
    if (!metadata.title.empty())
        info->SetTitle(PdfString(reinterpret_cast<const pdf_utf8*>(metadata.title.c_str())));
    info->SetProducer(PdfString("Shiksha-Setu"));
    info->SetCreator(PdfString("Shiksha-Setu"));
    if (!metadata.language_code.empty())
        document.GetCatalog()->GetDictionary().AddKey("Lang", PdfString(metadata.language_code));

    PdfRefCountedBuffer buffer;
    PdfOutputDevice device(&buffer);
    document.Write(&device);
    rendered.bytes.assign(buffer.GetBuffer(), device.GetLength());
    rendered.pages = static_cast<int>(pages.size());
    return rendered;
}

} // namespace

Result<Rendered> write_pdf(const std::vector<PageOps>& pages, const PdfMetadata& metadata,
                           const std::vector<Font*>& fonts) {
    // PoDoFo logs to stderr by default; the library never prints. Set once, before any use.
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        PdfError::EnableLogging(false);
        PdfError::EnableDebug(false);
    });
    try {
        return write_document(pages, metadata, fonts);
    } catch (const PdfError& e) {
        return fail(ErrorCode::internal,
                    std::string("PoDoFo could not write the PDF: ") + PdfError::ErrorName(e.GetError()));
    }
}

} // namespace shiksha::detail::pdf
