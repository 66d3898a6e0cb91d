#pragma once
// PDF access for ingestion (internal): validation of untrusted bytes, per-page text lines with
// font facts in reading order (poppler-cpp), and OCR of a rasterised page (Tesseract).
// A PdfDocument is used by one thread at a time; different documents may be read in parallel.

#include "ingest/text.hpp"
#include "shiksha/error.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// One word of a text layer where the PDF placed it (points, origin top-left).
struct PlacedWord {
    std::string text;
    double left = 0, top = 0, right = 0, bottom = 0;
    double size = 0; ///< font size, 0 when unknown
    bool bold = false;
    bool space_after = false; ///< the reader saw a space after it
};

/// Words in the reader's order made into lines: words sharing a baseline band join one line,
/// sorted left to right, with duplicate boxes dropped (type drawn twice for a shadow); pieces
/// of letter-spaced or drop-cap type closed up ("U NDERST ANDING" → "UNDERSTANDING") while a
/// word-sized gap keeps its space; a stack of glyph boxes up or down the margin becomes one
/// rotated line ("Po w e r - sh a r i n g" → "Power-sharing"). Each line carries its box.
[[nodiscard]] std::vector<TextLine> lines_from_words(const std::vector<PlacedWord>& words);

class PdfDocument {
public:
    /// Checks, in this order: not empty, at most `max_bytes`, starts with "%PDF-", ends with an
    /// "%%EOF" marker (a missing one means the upload was cut off), poppler can parse it, it
    /// does not need a password, it has at least one page. Each failure is `invalid_argument`
    /// with a sentence naming the problem. The bytes are kept (poppler reads them lazily).
    [[nodiscard]] static Result<std::unique_ptr<PdfDocument>> open(std::string bytes, std::size_t max_bytes);
    ~PdfDocument();
    PdfDocument(const PdfDocument&) = delete;
    PdfDocument& operator=(const PdfDocument&) = delete;

    [[nodiscard]] int page_count() const noexcept;
    /// The document's bytes, as given to open().
    [[nodiscard]] std::string_view bytes() const noexcept;
    /// The text layer of page `number` (1-based) as lines in reading order, with font size and
    /// weight per line, and the page's font names. Not cleaned (see clean_page).
    [[nodiscard]] Result<PageContent> read_page(int number) const;
    /// Renders page `number` in 8-bit grey at `dpi` for OCR.
    struct Raster {
        int width = 0, height = 0, stride = 0;
        std::vector<unsigned char> pixels;
    };
    [[nodiscard]] Result<Raster> render_page(int number, int dpi) const;

private:
    struct Impl;
    explicit PdfDocument(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct OcrSettings {
    std::string languages = "eng+hin"; ///< Tesseract codes joined by '+'
    std::string tessdata_dir;          ///< empty = Tesseract's default location
    int dpi = 200;
};

/// Which of `settings.languages` have no .traineddata file (empty = all present). Looks in
/// tessdata_dir, else $TESSDATA_PREFIX, else the Debian location.
[[nodiscard]] std::vector<std::string> missing_ocr_languages(const OcrSettings& settings);

/// OCR of a rendered page: lines of text in reading order. A line's font_size is estimated
/// from its bounding box (points), which is comparable within one page, not across pages.
/// Tesseract engines are cached per thread and language set. `unavailable` naming the missing
/// pack or the init failure.
/// True when a grey rendering has marks on it: a few pixels clearly darker than paper. A page
/// without any is blank (scanners' blank sides, padding pages) and not worth OCR.
[[nodiscard]] bool has_ink(const PdfDocument::Raster& raster);

[[nodiscard]] Result<std::vector<TextLine>> ocr_raster(const PdfDocument::Raster& raster,
                                                       const OcrSettings& settings);

} // namespace shiksha::detail
