#include "export/shaping.hpp"

#include "shiksha/languages.hpp"

#include <hb-ot.h>
#include <unicode/ubidi.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <utility>

namespace shiksha::detail::pdf {

namespace {

/// Font files are immutable system files; every render reads the same few, so their bytes are
/// kept for the life of the process (a handful of files, a few MB in all).
std::shared_ptr<const std::string> read_font_bytes(const std::filesystem::path& file) {
    static std::mutex mutex;
    static std::map<std::filesystem::path, std::shared_ptr<const std::string>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(file); it != cache.end()) return it->second;
    std::ifstream in(file, std::ios::binary);
    if (!in) return nullptr;
    auto bytes = std::make_shared<const std::string>(std::istreambuf_iterator<char>(in),
                                                     std::istreambuf_iterator<char>());
    if (bytes->empty()) return nullptr;
    cache.emplace(file, bytes);
    return bytes;
}

std::string normalized_script(std::string_view script) {
    std::string out;
    for (char c : script) {
        if (c == '_' || c == ' ' || c == '-') continue;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return out;
}

std::optional<std::u16string> to_utf16(std::string_view utf8) {
    std::u16string out(utf8.size(), u'\0');
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strFromUTF8(reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()), &length,
                  utf8.data(), static_cast<int32_t>(utf8.size()), &status);
    if (U_FAILURE(status)) return std::nullopt;
    out.resize(static_cast<std::size_t>(length));
    return out;
}

bool is_space(char16_t c) {
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\u3000';
}

/// The script every character belongs to for font choice: Common and Inherited characters
/// (spaces, punctuation, digits, combining marks) take the script of the text around them.
std::vector<UScriptCode> resolve_scripts(const std::u16string& text, UScriptCode fallback) {
    std::vector<UScriptCode> scripts(text.size(), USCRIPT_INVALID_CODE);
    UScriptCode current = USCRIPT_INVALID_CODE;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        UChar32 c;
        U16_NEXT(text.data(), i, text.size(), c);
        UErrorCode status = U_ZERO_ERROR;
        const UScriptCode script = uscript_getScript(c, &status);
        if (script != USCRIPT_COMMON && script != USCRIPT_INHERITED && script != USCRIPT_UNKNOWN)
            current = script;
        std::fill(scripts.begin() + start, scripts.begin() + i,
                  script == USCRIPT_COMMON || script == USCRIPT_INHERITED || script == USCRIPT_UNKNOWN
                      ? current
                      : script);
    }
    // Leading neutral text takes the first real script after it, or the language's.
    UScriptCode next = fallback;
    for (std::size_t i = text.size(); i-- > 0;) {
        if (scripts[i] == USCRIPT_INVALID_CODE)
            scripts[i] = next;
        else
            next = scripts[i];
    }
    return scripts;
}

std::vector<UBiDiLevel> bidi_levels(const std::u16string& text, bool right_to_left) {
    std::vector<UBiDiLevel> levels(text.size(), right_to_left ? 1 : 0);
    if (text.empty()) return levels;
    UErrorCode status = U_ZERO_ERROR;
    UBiDi* bidi = ubidi_openSized(static_cast<int32_t>(text.size()), 0, &status);
    ubidi_setPara(bidi, reinterpret_cast<const UChar*>(text.data()), static_cast<int32_t>(text.size()),
                  right_to_left ? UBIDI_RTL : UBIDI_LTR, nullptr, &status);
    if (U_SUCCESS(status)) {
        const UBiDiLevel* computed = ubidi_getLevels(bidi, &status);
        if (U_SUCCESS(status) && computed) std::copy(computed, computed + text.size(), levels.begin());
    }
    ubidi_close(bidi);
    return levels;
}

} // namespace

std::filesystem::path font_file(const FontSettings& fonts, std::string_view script, bool bold,
                                std::string_view language) {
    static const std::map<std::string, std::string, std::less<>> families = {
        {"latin", "NotoSans"},
        {"greek", "NotoSans"},
        {"cyrillic", "NotoSans"},
        {"common", "NotoSans"},
        {"devanagari", "NotoSansDevanagari"},
        {"bengali", "NotoSansBengali"},
        {"tamil", "NotoSansTamil"},
        {"telugu", "NotoSansTelugu"},
        {"kannada", "NotoSansKannada"},
        {"malayalam", "NotoSansMalayalam"},
        {"gujarati", "NotoSansGujarati"},
        {"gurmukhi", "NotoSansGurmukhi"},
        {"oriya", "NotoSansOriya"},
        {"odia", "NotoSansOriya"},
        {"arabic", "NotoNaskhArabic"},
        {"olchiki", "NotoSansOlChiki"},
        {"meeteimayek", "NotoSansMeeteiMayek"},
    };
    const auto key = normalized_script(script);
    auto it = families.find(key);
    if (it == families.end()) return {};
    std::string family = it->second;
    const Language* lang = language.empty() ? nullptr : find_language(language);
    if (key == "arabic" && lang && lang->code == "ur") family = "NotoNastaliqUrdu";
    return fonts.directory / (family + (bold ? "-Bold.ttf" : "-Regular.ttf"));
}

// ---- Font -------------------------------------------------------------------------------------

namespace {

/// One font file's HarfBuzz objects, made immutable and shared by every render.
struct SharedFace {
    std::shared_ptr<const std::string> bytes; // the blob's memory
    hb_face_t* face = nullptr;
    hb_font_t* font = nullptr;
    double upem = 1000, ascender = 0.8, descender = 0.2;
    std::uint32_t space_glyph = 0;

    SharedFace() = default;
    SharedFace(const SharedFace&) = delete;
    SharedFace& operator=(const SharedFace&) = delete;
    ~SharedFace() {
        hb_font_destroy(font);
        hb_face_destroy(face);
    }
};

Result<std::shared_ptr<const SharedFace>> shared_face(const std::filesystem::path& file) {
    static std::mutex mutex;
    static std::map<std::filesystem::path, std::shared_ptr<const SharedFace>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(file); it != cache.end()) return it->second;
    auto bytes = read_font_bytes(file);
    if (!bytes) {
        return fail(ErrorCode::unavailable,
                    "The font file " + file.string() +
                        " is missing or unreadable; install the Debian package "
                        "fonts-noto-core (or point the font directory at the Noto fonts).");
    }
    auto shared = std::make_shared<SharedFace>();
    shared->bytes = std::move(bytes);
    hb_blob_t* blob = hb_blob_create(shared->bytes->data(), static_cast<unsigned>(shared->bytes->size()),
                                     HB_MEMORY_MODE_READONLY, nullptr, nullptr);
    shared->face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    if (hb_face_get_glyph_count(shared->face) == 0) {
        return fail(ErrorCode::unavailable,
                    "The font file " + file.string() +
                        " is not a usable TrueType font; reinstall the Debian package "
                        "fonts-noto-core.");
    }
    hb_face_make_immutable(shared->face);
    shared->font = hb_font_create(shared->face); // scale = units per em: positions in font units
    hb_font_make_immutable(shared->font);        // safe to shape with from many threads
    shared->upem = hb_face_get_upem(shared->face);
    hb_font_extents_t extents{};
    if (hb_font_get_h_extents(shared->font, &extents)) {
        shared->ascender = extents.ascender / shared->upem;
        shared->descender = -extents.descender / shared->upem;
    }
    hb_codepoint_t space = 0;
    if (hb_font_get_nominal_glyph(shared->font, U' ', &space)) shared->space_glyph = space;
    cache.emplace(file, shared);
    return shared;
}

} // namespace

Result<std::unique_ptr<Font>> Font::open(const std::filesystem::path& file) {
    auto shared = shared_face(file);
    if (!shared) return std::unexpected(shared.error());
    std::unique_ptr<Font> font(new Font());
    font->file_ = file;
    font->face_ = (*shared)->face;
    font->font_ = (*shared)->font;
    font->upem_ = (*shared)->upem;
    font->ascender_ = (*shared)->ascender;
    font->descender_ = (*shared)->descender;
    font->space_glyph_ = (*shared)->space_glyph;
    font->shared_ = std::move(*shared);
    return font;
}

bool Font::covers(char32_t code_point) const {
    hb_codepoint_t glyph = 0;
    return hb_font_get_nominal_glyph(font_, code_point, &glyph) && glyph != 0;
}

double Font::pdf_width(std::uint32_t glyph) const {
    const double width = hb_font_get_glyph_h_advance(font_, glyph) * 1000.0 / upem_;
    return std::round(width * 100) / 100;
}

bool Font::map_to_unicode(std::uint32_t glyph, std::u16string_view text) {
    auto [it, inserted] = to_unicode_.try_emplace(glyph, text);
    return inserted || it->second == text;
}

// ---- Shaper -----------------------------------------------------------------------------------

Shaper::Shaper(FontSettings settings) : settings_(std::move(settings)), buffer_(hb_buffer_create()) {
    UErrorCode status = U_ZERO_ERROR;
    line_breaks_ = ubrk_open(UBRK_LINE, "", nullptr, 0, &status);
    status = U_ZERO_ERROR;
    characters_ = ubrk_open(UBRK_CHARACTER, "", nullptr, 0, &status);
}

Shaper::~Shaper() {
    hb_buffer_destroy(buffer_);
    if (line_breaks_) ubrk_close(line_breaks_);
    if (characters_) ubrk_close(characters_);
}

Result<Font*> Shaper::font_for(std::string_view script, bool bold, std::string_view language) {
    const auto file = font_file(settings_, script, bold, language);
    if (file.empty()) {
        return fail(ErrorCode::unavailable,
                    "The PDF exporter has no font for " + std::string(script) + " text.");
    }
    if (auto it = fonts_.find(file); it != fonts_.end()) return it->second.get();
    auto font = Font::open(file);
    if (!font) return std::unexpected(font.error());
    Font* raw = font->get();
    fonts_.emplace(file, std::move(*font));
    font_order_.push_back(raw);
    return raw;
}

Result<Paragraph> Shaper::shape(std::span<const StyledText> pieces, std::vector<TextStyle> styles,
                                std::string_view language) {
    if (!line_breaks_ || !characters_)
        return fail(ErrorCode::internal, "ICU break iterators are unavailable.");
    Paragraph p;
    p.styles = std::move(styles);
    const Language* lang = find_language(language);
    if (!lang) lang = find_language("english");
    p.language_code = std::string(lang->code);
    p.right_to_left = lang->right_to_left;

    std::vector<std::size_t> style_of; // per UTF-16 unit
    for (const auto& piece : pieces) {
        auto text = to_utf16(piece.text);
        if (!text) return fail(ErrorCode::invalid_argument, "The document text is not valid UTF-8.");
        p.text += *text;
        style_of.resize(p.text.size(), piece.style);
    }
    const std::size_t n = p.text.size();

    // Break opportunities come from the original text (a newline is a hard break); the glyphs
    // are then shaped from a copy where control characters are spaces, which fonts can draw.
    UErrorCode status = U_ZERO_ERROR;
    ubrk_setText(line_breaks_, reinterpret_cast<const UChar*>(p.text.data()), static_cast<int32_t>(n),
                 &status);
    for (int32_t b = ubrk_following(line_breaks_, 0); b != UBRK_DONE; b = ubrk_next(line_breaks_))
        p.breaks.push_back({static_cast<std::size_t>(b), ubrk_getRuleStatus(line_breaks_) >= UBRK_LINE_HARD &&
                                                             static_cast<std::size_t>(b) < n});
    ubrk_setText(characters_, reinterpret_cast<const UChar*>(p.text.data()), static_cast<int32_t>(n),
                 &status);
    for (int32_t b = ubrk_first(characters_); b != UBRK_DONE; b = ubrk_next(characters_))
        p.graphemes.push_back(static_cast<std::size_t>(b));
    if (U_FAILURE(status))
        return fail(ErrorCode::internal, "ICU could not analyse the text for line breaks.");
    for (auto& c : p.text) {
        if (c < u' ' || c == u'\u007f') c = u' ';
    }

    // Itemise: a run ends where the font, the style or the bidi level changes.
    const int language_script = u_getPropertyValueEnum(UCHAR_SCRIPT, std::string(lang->script).c_str());
    const auto scripts = resolve_scripts(p.text, language_script == UCHAR_INVALID_CODE
                                                     ? USCRIPT_LATIN
                                                     : static_cast<UScriptCode>(language_script));
    const auto levels = bidi_levels(p.text, p.right_to_left);
    // The font of the previous character's script and weight, looked up again only on a change.
    std::optional<std::pair<UScriptCode, bool>> last_key;
    Font* last_font = nullptr;
    for (std::size_t i = 0; i < n;) {
        const std::size_t start = i;
        UChar32 c;
        U16_NEXT(p.text.data(), i, n, c);
        const bool bold = p.styles[style_of[start]].bold;
        if (!last_key || *last_key != std::pair{scripts[start], bold}) {
            auto found = font_for(uscript_getName(scripts[start]), bold, language);
            if (!found) return std::unexpected(found.error());
            last_key = std::pair{scripts[start], bold};
            last_font = *found;
        }
        Result<Font*> font = last_font;
        // Punctuation and symbols the script's font lacks ("“", "•", "—" in some Indic fonts)
        // come from the Latin font rather than showing as empty boxes.
        UErrorCode s = U_ZERO_ERROR;
        if (uscript_getScript(c, &s) == USCRIPT_COMMON && !(*font)->covers(static_cast<char32_t>(c))) {
            if (auto latin = font_for("Latin", bold, language);
                latin && (*latin)->covers(static_cast<char32_t>(c)))
                font = *latin;
        }
        auto& runs = p.runs;
        if (!runs.empty() && runs.back().font == *font && runs.back().style == style_of[start] &&
            runs.back().level == levels[start]) {
            runs.back().end = i;
        } else {
            runs.push_back({start, i, *font, style_of[start], levels[start], {}});
        }
    }

    p.advance_before.assign(n + 1, 0.0);
    for (auto& run : p.runs) {
        run.glyphs = shape_range(p, run, run.start, run.end);
        for (const auto& g : run.glyphs)
            p.advance_before[g.cluster + 1] += g.advance; // summed into a prefix below
        const double size = p.styles[run.style].size;
        p.ascent = std::max(p.ascent, run.font->ascender() * size);
        p.descent = std::max(p.descent, run.font->descender() * size);
    }
    for (std::size_t i = 1; i <= n; ++i)
        p.advance_before[i] += p.advance_before[i - 1];
    if (p.runs.empty()) {
        const double size = p.styles.empty() ? 11 : p.styles.front().size;
        p.ascent = 0.9 * size;
        p.descent = 0.3 * size;
    }
    return p;
}

std::vector<Glyph> Shaper::shape_range(const Paragraph& p, const Paragraph::Run& run, std::size_t start,
                                       std::size_t end) {
    hb_buffer_clear_contents(buffer_);
    // The whole paragraph is passed as context so joining and reordering see the neighbours.
    hb_buffer_add_utf16(buffer_, reinterpret_cast<const uint16_t*>(p.text.data()),
                        static_cast<int>(p.text.size()), static_cast<unsigned>(start),
                        static_cast<int>(end - start));
    const bool rtl = run.level % 2 == 1;
    hb_buffer_set_direction(buffer_, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    hb_buffer_guess_segment_properties(buffer_); // the script, from the run's own characters
    hb_buffer_set_language(buffer_, hb_language_from_string(p.language_code.c_str(), -1));
    unsigned flags = HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES | HB_BUFFER_FLAG_DO_NOT_INSERT_DOTTED_CIRCLE;
    if (start == 0) flags |= HB_BUFFER_FLAG_BOT;
    if (end == p.text.size()) flags |= HB_BUFFER_FLAG_EOT;
    hb_buffer_set_flags(buffer_, static_cast<hb_buffer_flags_t>(flags));
    hb_shape(run.font->hb_font(), buffer_, nullptr, 0);

    unsigned count = 0;
    const hb_glyph_info_t* infos = hb_buffer_get_glyph_infos(buffer_, &count);
    const hb_glyph_position_t* positions = hb_buffer_get_glyph_positions(buffer_, &count);
    const double scale = p.styles[run.style].size / run.font->units_per_em();
    std::vector<Glyph> glyphs;
    glyphs.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
        glyphs.push_back({infos[i].codepoint, infos[i].cluster, positions[i].x_advance * scale,
                          positions[i].x_offset * scale, positions[i].y_offset * scale,
                          (hb_glyph_info_get_glyph_flags(&infos[i]) & HB_GLYPH_FLAG_UNSAFE_TO_BREAK) != 0});
    }
    if (rtl) std::reverse(glyphs.begin(), glyphs.end()); // stored in logical order
    return glyphs;
}

Fragment Shaper::fragment(const Paragraph& p, const Paragraph::Run& run, std::size_t start, std::size_t end) {
    // A cut inside a run can reuse the paragraph's glyphs only where HarfBuzz says shaping the
    // pieces separately gives the same result; otherwise the piece is shaped again.
    auto safe_cut = [&](std::size_t at) {
        if (at == run.start || at == run.end) return true;
        auto g = std::find_if(run.glyphs.begin(), run.glyphs.end(),
                              [&](const Glyph& x) { return x.cluster >= at; });
        return g == run.glyphs.end() || (g->cluster == at && !g->unsafe_to_break);
    };
    Fragment f{run.font, run.style, run.level % 2 == 1, start, end, {}, 0};
    if (safe_cut(start) && safe_cut(end)) {
        for (const auto& g : run.glyphs)
            if (g.cluster >= start && g.cluster < end) f.glyphs.push_back(g);
    } else {
        f.glyphs = shape_range(p, run, start, end);
    }
    if (run.level % 2 == 1) std::reverse(f.glyphs.begin(), f.glyphs.end());
    for (const auto& g : f.glyphs)
        f.width += g.advance;
    return f;
}

Line Shaper::make_line(const Paragraph& p, std::size_t start, std::size_t end) {
    Line line;
    std::vector<UBiDiLevel> levels;
    for (const auto& run : p.runs) {
        const std::size_t a = std::max(run.start, start), b = std::min(run.end, end);
        if (a >= b) continue;
        line.fragments.push_back(fragment(p, run, a, b));
        levels.push_back(run.level);
        line.width += line.fragments.back().width;
    }
    // Fragments are in logical order; bidi rule L2 puts them in visual order.
    std::vector<int32_t> order(levels.size());
    ubidi_reorderVisual(levels.data(), static_cast<int32_t>(levels.size()), order.data());
    std::vector<Fragment> visual;
    visual.reserve(order.size());
    for (int32_t logical : order)
        visual.push_back(std::move(line.fragments[static_cast<std::size_t>(logical)]));
    line.fragments = std::move(visual);
    return line;
}

std::vector<Line> Shaper::break_lines(const Paragraph& p, double width) {
    std::vector<Line> lines;
    const std::size_t n = p.text.size();
    auto visible_end = [&](std::size_t from, std::size_t to) {
        while (to > from && is_space(p.text[to - 1]))
            --to;
        return to;
    };
    auto width_of = [&](std::size_t from, std::size_t to) {
        return p.advance_before[to] - p.advance_before[from];
    };

    std::size_t start = 0, next_break = 0;
    while (start < n) {
        std::size_t end = start;
        for (std::size_t k = next_break; k < p.breaks.size(); ++k) {
            const auto& b = p.breaks[k];
            if (b.position <= start) continue;
            if (width_of(start, visible_end(start, b.position)) > width) break;
            end = b.position;
            next_break = k + 1;
            if (b.hard) break;
        }
        if (end == start) {
            // A word wider than the line: as many whole graphemes as fit, at least one.
            for (std::size_t g : p.graphemes) {
                if (g <= start) continue;
                if (end > start && width_of(start, g) > width) break;
                end = g;
            }
        }
        const std::size_t shown = visible_end(start, end);
        if (shown > start) lines.push_back(make_line(p, start, shown));
        start = end;
    }
    return lines;
}

} // namespace shiksha::detail::pdf
