#pragma once
// Test helpers around poppler-utils, qpdf and Tesseract: the PDF tests check our output with
// the same tools a user would reach for. Each tool may be absent; `have_tool` lets a test skip
// visibly instead of failing for the wrong reason.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shiksha::test {

/// True when `name` is an executable on PATH.
[[nodiscard]] bool have_tool(std::string_view name);

/// Runs a shell command; its standard output, or nothing when it exits non-zero.
[[nodiscard]] std::optional<std::string> run_command(const std::string& command);

[[nodiscard]] std::string shell_quote(std::string_view s);

/// `pdftotext -enc UTF-8` of the whole file, or of one page (1-based) when `page` > 0.
[[nodiscard]] std::string pdf_text(const std::filesystem::path& pdf, int page = 0);

/// `pdftotext` of every page cropped to the area `top` to `bottom` points from the top edge
/// (the body between a running header and footer).
[[nodiscard]] std::string pdf_text_between(const std::filesystem::path& pdf, double top, double bottom);

/// `pdfinfo` field ("Pages", "Page size", "Title"…), trimmed; empty when absent.
[[nodiscard]] std::string pdf_info(const std::filesystem::path& pdf, std::string_view field);

/// OCR of one page: rendered with `pdftoppm -r 200 -gray`, read by `tesseract -l <languages>`.
[[nodiscard]] std::string ocr_page(const std::filesystem::path& pdf, int page, std::string_view languages);

/// Writes `bytes` to `path` (binary).
void write_bytes(const std::filesystem::path& path, std::string_view bytes);

/// NFC without bidi controls, every run of white space collapsed to one space and the ends
/// trimmed: text as a reader compares it, whatever line breaks pdftotext or Tesseract put in.
[[nodiscard]] std::string normalized(std::string_view utf8);

/// 1 − (Levenshtein distance over code points) / max(length): 1.0 means identical.
[[nodiscard]] double char_similarity(std::string_view a, std::string_view b);

/// Character error rate of `recognised` against `expected`: edit distance / expected length.
[[nodiscard]] double char_error_rate(std::string_view expected, std::string_view recognised);

} // namespace shiksha::test
