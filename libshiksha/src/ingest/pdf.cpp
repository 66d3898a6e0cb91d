#include "ingest/pdf.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-font.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>

namespace shiksha::detail {

namespace {

// poppler reports syntax problems on stderr by default; the library never prints. Collect
// them per thread instead, so a refusal can quote what poppler saw.
thread_local std::vector<std::string>* poppler_messages = nullptr;

void on_poppler_message(const std::string& message, void*) {
    if (poppler_messages && poppler_messages->size() < 8) poppler_messages->push_back(message);
}

void route_poppler_messages() {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(&on_poppler_message, nullptr); });
}

std::string to_utf8(const poppler::ustring& s) {
    const poppler::byte_array bytes = s.to_utf8();
    return std::string(bytes.begin(), bytes.end());
}

bool bold_font(std::string_view name) {
    const std::string lower = ascii_lower(name);
    for (std::string_view w : {"bold", "black", "heavy", "semibold", "demi"}) {
        if (lower.find(w) != std::string::npos) return true;
    }
    return false;
}

double overlap(double a0, double a1, double b0, double b1) {
    return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

/// The font size a gap between two words is judged against: the larger of theirs, else the
/// height of the line.
double em_of(const PlacedWord& a, const PlacedWord& b, double line_height) {
    const double s = std::max(a.size, b.size);
    return s > 0 ? s : std::max(1.0, line_height);
}

// Gaps, as shares of the font size. Display headings are often set letter-spaced or with a
// drop cap ("U NDERSTANDING", "Po w e r - sh a r i n g"): poppler reports a word per letter
// group, each with a space after it, although the glyph boxes all but touch. A word space is
// about a quarter of an em and rarely below a fifth even in tight justified lines; a gap below
// an eighth is letter spacing, so the pieces are closed up.
constexpr double letter_gap = 0.12;
constexpr double word_gap = 0.25;

/// Sideways text: poppler gives each glyph group its own box, stacked along the margin with the
/// same left and right edge. A run of three or more such boxes, or of two whose boxes are taller
/// than wide, is one rotated line.
std::size_t vertical_run_end(const std::vector<PlacedWord>& words, std::size_t from) {
    auto stacked = [&](const PlacedWord& a, const PlacedWord& b) {
        const double thickness = a.right - a.left;
        return std::abs(a.left - b.left) < 0.6 && std::abs(a.right - b.right) < 0.6 && thickness > 0 &&
               overlap(a.top, a.bottom, b.top, b.bottom) < 0.5 &&
               std::min(std::abs(b.bottom - a.top), std::abs(a.bottom - b.top)) < 1.5 * thickness;
    };
    std::size_t end = from + 1;
    while (end < words.size() && stacked(words[end - 1], words[end]))
        ++end;
    const std::size_t n = end - from;
    if (n >= 3) return end;
    if (n == 2) {
        const auto tall = [](const PlacedWord& w) { return (w.bottom - w.top) > 1.5 * (w.right - w.left); };
        if (tall(words[from]) || tall(words[from + 1])) return end;
    }
    return from + 1;
}

TextLine rotated_line(std::span<const PlacedWord> run) {
    TextLine line;
    line.rotated = true;
    line.left = run.front().left;
    line.right = run.front().right;
    line.top = run.front().top;
    line.bottom = run.front().bottom;
    line.bold = run.front().bold;
    line.font_size = run.front().size;
    for (std::size_t i = 0; i < run.size(); ++i) {
        const auto& w = run[i];
        if (i > 0) {
            const auto& p = run[i - 1];
            const double gap = std::min(std::abs(w.bottom - p.top), std::abs(p.bottom - w.top));
            if (gap >= word_gap * em_of(p, w, w.right - w.left)) line.text.push_back(' ');
        }
        line.text += w.text;
        line.top = std::min(line.top, w.top);
        line.bottom = std::max(line.bottom, w.bottom);
    }
    return line;
}

/// The words of one line, left to right: duplicates dropped (some display type is drawn twice,
/// once whole and once in pieces, for a shadow or fake bold: the wider of two boxes that mostly
/// cover each other stays), then joined with a space where the gap is a word space.
TextLine horizontal_line(std::vector<PlacedWord> words) {
    std::ranges::stable_sort(words, [](const PlacedWord& a, const PlacedWord& b) { return a.left < b.left; });
    std::vector<PlacedWord> kept;
    for (auto& w : words) {
        if (!kept.empty()) {
            auto& last = kept.back();
            const double narrower = std::min(last.right - last.left, w.right - w.left);
            if (narrower > 0 && overlap(last.left, last.right, w.left, w.right) > 0.6 * narrower) {
                if (w.right - w.left > last.right - last.left) last = std::move(w);
                continue;
            }
        }
        kept.push_back(std::move(w));
    }
    TextLine line;
    if (kept.empty()) return line;
    line.left = kept.front().left;
    line.right = kept.back().right;
    line.top = kept.front().top;
    line.bottom = kept.front().bottom;
    for (const auto& w : kept) {
        line.top = std::min(line.top, w.top);
        line.bottom = std::max(line.bottom, w.bottom);
    }
    std::map<double, std::size_t> size_chars; // font size -> characters, for the line's size
    std::size_t bold_chars = 0, chars = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
        const auto& w = kept[i];
        if (i > 0) {
            const auto& p = kept[i - 1];
            const double gap = w.left - p.right;
            const double em = em_of(p, w, line.bottom - line.top);
            // Poppler sets no space after the last word of a table cell or a column: a visible
            // gap on the same line still separates words ("Lemon juice stays yellow").
            if (gap >= letter_gap * em && (p.space_after || gap > word_gap * em)) line.text.push_back(' ');
        }
        line.text += w.text;
        const std::size_t n = utf8_length(w.text);
        chars += n;
        if (w.size > 0) size_chars[w.size] += n;
        if (w.bold) bold_chars += n;
    }
    std::size_t best_n = 0;
    for (auto [size, n] : size_chars) {
        if (n > best_n) line.font_size = size, best_n = n;
    }
    line.bold = chars > 0 && bold_chars * 2 > chars;
    return line;
}

} // namespace

// Lines in poppler's reading order (it follows columns): a word joins the current line when
/// its box shares most of the line's height (a drop cap, a superscript, pieces poppler lists out
/// of order), unless it lies left of the line's start (the next line of a column); rotated runs
/// are lines of their own.
std::vector<TextLine> lines_from_words(const std::vector<PlacedWord>& words) {
    std::vector<TextLine> lines;
    std::vector<PlacedWord> current;
    double top = 0, bottom = 0, start = 0, end = 0;
    auto flush = [&] {
        if (!current.empty()) {
            TextLine line = horizontal_line(std::move(current));
            if (!line.text.empty()) lines.push_back(std::move(line));
        }
        current.clear();
    };
    for (std::size_t i = 0; i < words.size();) {
        const std::size_t run_end = vertical_run_end(words, i);
        if (run_end > i + 1) {
            flush();
            lines.push_back(rotated_line(std::span(words).subspan(i, run_end - i)));
            i = run_end;
            continue;
        }
        const auto& w = words[i++];
        const double height = std::max(0.1, std::min(bottom - top, w.bottom - w.top));
        const bool same_line = !current.empty() && overlap(top, bottom, w.top, w.bottom) >= 0.5 * height &&
                               (w.left >= end - 2 || (w.left >= start - 2 && w.right <= end + 2) ||
                                w.left >= start + 0.5 * (end - start));
        if (!same_line) {
            flush();
            top = w.top, bottom = w.bottom, start = w.left, end = w.right;
        }
        top = std::min(top, w.top);
        bottom = std::max(bottom, w.bottom);
        start = std::min(start, w.left);
        end = std::max(end, w.right);
        current.push_back(w);
    }
    flush();
    return lines;
}

namespace {

Error invalid(std::string message) {
    return Error{ErrorCode::invalid_argument, std::move(message), "file"};
}

} // namespace

struct PdfDocument::Impl {
    std::string bytes;
    std::unique_ptr<poppler::document> doc;
    int pages = 0;
};

PdfDocument::PdfDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfDocument::~PdfDocument() = default;

Result<std::unique_ptr<PdfDocument>> PdfDocument::open(std::string bytes, std::size_t max_bytes) {
    route_poppler_messages();
    if (bytes.empty()) return std::unexpected(invalid("The file is empty."));
    if (bytes.size() > max_bytes) {
        return std::unexpected(invalid(fmt::format("The PDF is {:.1f} MB; the limit is {:.0f} MB.",
                                                   static_cast<double>(bytes.size()) / (1 << 20),
                                                   static_cast<double>(max_bytes) / (1 << 20))));
    }
    if (!bytes.starts_with("%PDF-")) {
        return std::unexpected(invalid("The file is not a PDF (it does not start with %PDF-)."));
    }
    // %%EOF must be near the end; writers may append a little whitespace or junk after it.
    const std::string_view tail =
        std::string_view(bytes).substr(bytes.size() > 2048 ? bytes.size() - 2048 : 0);
    if (tail.find("%%EOF") == std::string_view::npos) {
        return std::unexpected(
            invalid("The PDF is truncated: its end-of-file marker is missing, so the upload "
                    "was probably cut off. Please upload the complete file."));
    }
    auto impl = std::make_unique<Impl>();
    impl->bytes = std::move(bytes);
    std::vector<std::string> messages;
    poppler_messages = &messages;
    impl->doc.reset(
        poppler::document::load_from_raw_data(impl->bytes.data(), static_cast<int>(impl->bytes.size())));
    poppler_messages = nullptr;
    if (!impl->doc) {
        std::string detail = messages.empty() ? "" : " (" + messages.front() + ")";
        return std::unexpected(invalid("The PDF is damaged and cannot be read" + detail + "."));
    }
    if (impl->doc->is_locked()) {
        return std::unexpected(
            invalid("The PDF is encrypted with a password. Please upload an unprotected copy."));
    }
    impl->pages = impl->doc->pages();
    if (impl->pages <= 0) return std::unexpected(invalid("The PDF has no pages."));
    return std::unique_ptr<PdfDocument>(new PdfDocument(std::move(impl)));
}

int PdfDocument::page_count() const noexcept {
    return impl_->pages;
}

std::string_view PdfDocument::bytes() const noexcept {
    return impl_->bytes;
}

Result<PageContent> PdfDocument::read_page(int number) const {
    if (number < 1 || number > impl_->pages) {
        return fail(ErrorCode::invalid_argument,
                    fmt::format("page {} is outside 1..{}", number, impl_->pages));
    }
    std::unique_ptr<poppler::page> page(impl_->doc->create_page(number - 1));
    PageContent content;
    content.number = number;
    if (!page) return content; // an unreadable page object: treat as empty (OCR may still help)

    std::vector<PlacedWord> words;
    for (const auto& w : page->text_list(poppler::page::text_list_include_font)) {
        const auto box = w.bbox();
        PlacedWord pw{to_utf8(w.text()), box.left(), box.top(), box.right(),
                      box.bottom(),      0,          false,     w.has_space_after()};
        if (w.has_font_info()) {
            pw.size = std::round(w.get_font_size() * 2) / 2;
            pw.bold = bold_font(w.get_font_name());
        }
        if (!pw.text.empty()) words.push_back(std::move(pw));
    }
    content.lines = lines_from_words(words);
    std::unique_ptr<poppler::font_iterator> fonts(impl_->doc->create_font_iterator(number - 1));
    if (fonts && fonts->has_next()) {
        for (const auto& f : fonts->next())
            content.fonts.push_back(f.name());
    }
    return content;
}

bool has_ink(const PdfDocument::Raster& raster) {
    // Darker than 200 of 255: anti-aliased strokes of small text at a low resolution still
    // reach it; scanner noise on a blank page is one or two isolated specks at most.
    constexpr unsigned char ink = 200;
    constexpr int enough = 3;
    int dark = 0;
    for (int y = 0; y < raster.height; ++y) {
        const unsigned char* row =
            raster.pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(raster.stride);
        for (int x = 0; x < raster.width; ++x) {
            if (row[x] < ink && ++dark >= enough) return true;
        }
    }
    return false;
}

Result<PdfDocument::Raster> PdfDocument::render_page(int number, int dpi) const {
    std::unique_ptr<poppler::page> page(impl_->doc->create_page(number - 1));
    if (!page) return fail(ErrorCode::invalid_argument, fmt::format("page {} cannot be read", number));
    poppler::page_renderer renderer;
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    renderer.set_image_format(poppler::image::format_gray8);
    poppler::image img = renderer.render_page(page.get(), dpi, dpi);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0) {
        return fail(ErrorCode::internal, fmt::format("page {} could not be rendered for OCR", number));
    }
    Raster r;
    r.width = img.width();
    r.height = img.height();
    r.stride = img.bytes_per_row();
    const auto* data = reinterpret_cast<const unsigned char*>(img.const_data());
    r.pixels.assign(data, data + static_cast<std::size_t>(r.stride) * static_cast<std::size_t>(r.height));
    return r;
}

namespace {

std::filesystem::path tessdata_dir(const OcrSettings& s) {
    if (!s.tessdata_dir.empty()) return s.tessdata_dir;
    if (const char* prefix = std::getenv("TESSDATA_PREFIX"); prefix && *prefix) return prefix;
    return "/usr/share/tesseract-ocr/5/tessdata";
}

/// One Tesseract engine per thread and language set: Init() costs hundreds of milliseconds.
struct EngineCache {
    std::map<std::string, std::unique_ptr<tesseract::TessBaseAPI>> engines;
    ~EngineCache() {
        for (auto& [key, api] : engines)
            api->End();
    }
};

} // namespace

std::vector<std::string> missing_ocr_languages(const OcrSettings& settings) {
    std::vector<std::string> missing;
    const auto dir = tessdata_dir(settings);
    for (auto lang : split(settings.languages, '+')) {
        if (lang.empty()) continue;
        if (!std::filesystem::exists(dir / (std::string(lang) + ".traineddata"))) missing.emplace_back(lang);
    }
    return missing;
}

Result<std::vector<TextLine>> ocr_raster(const PdfDocument::Raster& raster, const OcrSettings& settings) {
    if (auto missing = missing_ocr_languages(settings); !missing.empty()) {
        std::string names;
        for (const auto& m : missing)
            names += (names.empty() ? "" : ", ") + m;
        return fail(ErrorCode::unavailable,
                    fmt::format("OCR language pack(s) {} not installed in {} (Debian: apt-get install "
                                "tesseract-ocr-{})",
                                names, tessdata_dir(settings).string(), missing.front()));
    }
    thread_local EngineCache cache;
    const std::string key = tessdata_dir(settings).string() + "|" + settings.languages;
    auto& api = cache.engines[key];
    if (!api) {
        auto fresh = std::make_unique<tesseract::TessBaseAPI>();
        // debug_file silences Tesseract's own stderr chatter; it is an init-time variable.
        std::vector<std::string> names{"debug_file"}, values{"/dev/null"};
        if (fresh->Init(tessdata_dir(settings).c_str(), settings.languages.c_str(), tesseract::OEM_LSTM_ONLY,
                        nullptr, 0, &names, &values, false) != 0) {
            cache.engines.erase(key);
            return fail(ErrorCode::unavailable,
                        fmt::format("Tesseract could not start with languages {}", settings.languages));
        }
        fresh->SetPageSegMode(tesseract::PSM_AUTO);
        api = std::move(fresh);
    }
    // Tesseract's LSTM opens OpenMP parallel regions with an explicit num_threads clause. On a
    // 2-core machine those threads spin against each other and our own workers: OCR was ~3.6×
    // slower (6-page UDHR: 38 s wall, 13 s of it system time, vs 10 s on one thread). No active
    // levels makes every parallel region run on the calling thread, whatever the clause says;
    // parallelism comes from OCRing pages on several workers instead.
    omp_set_max_active_levels(0);
    api->SetImage(raster.pixels.data(), raster.width, raster.height, 1, raster.stride);
    api->SetSourceResolution(settings.dpi);
    std::vector<TextLine> lines;
    if (api->Recognize(nullptr) != 0) {
        api->Clear();
        return fail(ErrorCode::internal, "Tesseract could not recognise the page");
    }
    std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
    constexpr auto level = tesseract::RIL_TEXTLINE;
    // A text line's box spans ascenders and descenders: about 1.3 × the font size.
    const double points_per_pixel = 72.0 / settings.dpi / 1.3;
    if (it) {
        do {
            std::unique_ptr<char[]> text(it->GetUTF8Text(level));
            if (!text) continue;
            auto t = trim(text.get());
            if (t.empty()) continue;
            int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
            it->BoundingBox(level, &x1, &y1, &x2, &y2);
            lines.push_back(
                TextLine{std::string(t), std::round((y2 - y1) * points_per_pixel * 2) / 2, false});
        } while (it->Next(level));
    }
    api->Clear();
    return lines;
}

} // namespace shiksha::detail
