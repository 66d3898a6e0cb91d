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

    // Words in reading order; a new line starts when a word does not continue the current
    // baseline to the right.
    const auto words = page->text_list(poppler::page::text_list_include_font);
    std::map<double, std::size_t> size_chars; // font size -> characters, for the line's size
    TextLine line;
    double line_top = 0, line_bottom = 0, last_right = 0;
    std::size_t bold_chars = 0, line_chars = 0;
    auto flush = [&] {
        if (!line.text.empty()) {
            double best = 0;
            std::size_t best_n = 0;
            for (auto [size, n] : size_chars) {
                if (n > best_n) best = size, best_n = n;
            }
            line.font_size = best;
            line.bold = line_chars > 0 && bold_chars * 2 > line_chars;
            content.lines.push_back(std::move(line));
        }
        line = TextLine{};
        size_chars.clear();
        bold_chars = line_chars = 0;
    };
    bool space_pending = false;
    for (const auto& word : words) {
        const auto box = word.bbox();
        const double top = box.top(), bottom = box.bottom();
        const double mid = (top + bottom) / 2;
        const bool same_line =
            !line.text.empty() && mid > line_top && mid < line_bottom && box.left() >= last_right - 2;
        if (!same_line) {
            flush();
            line_top = top;
            line_bottom = bottom;
        } else if (space_pending || box.left() - last_right > 0.3 * (line_bottom - line_top)) {
            // Poppler sets no space after the last word of a table cell or a column: a visible
            // gap on the same line still separates words ("Lemon juice stays yellow", not
            // "Lemon juicestays yellow").
            line.text.push_back(' ');
        }
        const std::string text = to_utf8(word.text());
        line.text += text;
        const std::size_t n = utf8_length(text);
        line_chars += n;
        if (word.has_font_info()) {
            size_chars[std::round(word.get_font_size() * 2) / 2] += n;
            if (bold_font(word.get_font_name())) bold_chars += n;
        }
        line_top = std::min(line_top, top);
        line_bottom = std::max(line_bottom, bottom);
        last_right = box.right();
        space_pending = word.has_space_after();
    }
    flush();

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
        const unsigned char* row = raster.pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(raster.stride);
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
