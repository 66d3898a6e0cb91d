#include "pdf_tools.hpp"

#include "temp_dir.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

namespace shiksha::test {

namespace {

std::u32string code_points(std::string_view utf8) {
    std::u32string out;
    const auto u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1))
        out.push_back(static_cast<char32_t>(u.char32At(i)));
    return out;
}

std::size_t edit_distance(const std::u32string& a, const std::u32string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

} // namespace

bool have_tool(std::string_view name) {
    return std::system(("command -v " + shell_quote(name) + " >/dev/null 2>&1").c_str()) == 0;
}

std::optional<std::string> run_command(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return std::nullopt;
    std::string out;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        out.append(buffer.data(), n);
    if (::pclose(pipe.release()) != 0) return std::nullopt;
    return out;
}

std::string shell_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string pdf_text(const std::filesystem::path& pdf, int page) {
    std::string range = page > 0 ? " -f " + std::to_string(page) + " -l " + std::to_string(page) : "";
    return run_command("pdftotext -enc UTF-8" + range + " " + shell_quote(pdf.string()) + " - 2>/dev/null")
        .value_or("");
}

std::string pdf_text_between(const std::filesystem::path& pdf, double top, double bottom) {
    const auto crop = " -x 0 -y " + std::to_string(static_cast<int>(top)) + " -W 10000 -H " +
                      std::to_string(static_cast<int>(bottom - top));
    return run_command("pdftotext -r 72 -enc UTF-8" + crop + " " + shell_quote(pdf.string()) +
                       " - 2>/dev/null")
        .value_or("");
}

std::string pdf_info(const std::filesystem::path& pdf, std::string_view field) {
    const auto info = run_command("pdfinfo " + shell_quote(pdf.string()) + " 2>/dev/null").value_or("");
    const std::string key = std::string(field) + ":";
    for (std::size_t at = 0; at < info.size();) {
        const auto end = std::min(info.find('\n', at), info.size());
        std::string_view line(info.data() + at, end - at);
        if (line.starts_with(key)) {
            line.remove_prefix(key.size());
            while (!line.empty() && line.front() == ' ')
                line.remove_prefix(1);
            return std::string(line);
        }
        at = end + 1;
    }
    return {};
}

std::string ocr_page(const std::filesystem::path& pdf, int page, std::string_view languages) {
    TempDir dir;
    const auto prefix = (dir.path() / "page").string();
    const std::string p = std::to_string(page);
    if (!run_command("pdftoppm -r 200 -gray -png -singlefile -f " + p + " -l " + p + " " +
                     shell_quote(pdf.string()) + " " + shell_quote(prefix)))
        return {};
    return run_command("tesseract " + shell_quote(prefix + ".png") + " - -l " + shell_quote(languages) +
                       " 2>/dev/null")
        .value_or("");
}

void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string normalized(std::string_view utf8) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    if (U_SUCCESS(status)) u = nfc->normalize(u, status);
    // Bidi controls are invisible; pdftotext wraps right-to-left lines in them.
    for (const char16_t control : {u'\u200E', u'\u200F', u'\u202A', u'\u202B', u'\u202C', u'\u202D',
                                   u'\u202E', u'\u2066', u'\u2067', u'\u2068', u'\u2069'})
        u.findAndReplace(icu::UnicodeString(control), icu::UnicodeString());
    std::string nfc_text;
    u.toUTF8String(nfc_text);
    std::string out;
    bool space = false;
    for (char c : nfc_text) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

double char_similarity(std::string_view a, std::string_view b) {
    const auto ca = code_points(a), cb = code_points(b);
    const auto longest = std::max(ca.size(), cb.size());
    if (longest == 0) return 1.0;
    return 1.0 - static_cast<double>(edit_distance(ca, cb)) / static_cast<double>(longest);
}

double char_error_rate(std::string_view expected, std::string_view recognised) {
    const auto ce = code_points(expected), cr = code_points(recognised);
    if (ce.empty()) return cr.empty() ? 0.0 : 1.0;
    return static_cast<double>(edit_distance(ce, cr)) / static_cast<double>(ce.size());
}

} // namespace shiksha::test
