#pragma once
/// Printable PDFs of modules, in any of the languages, with every Indian script shaped
/// correctly and the text still searchable and copyable.
///
///     auto pdf = platform.exports().module_pdf(module_id, {.language = "hindi", .bilingual = true});
///     pdf->path;        // <data_dir>/exports/Module_Series_and_Parallel_Circuits_Bastar_Hindi.pdf
///     pdf->expires_at;  // deleted by the sweeper after Config::exports.ttl (24 h)
///
/// Files live in `<data_dir>/exports/`, named `Module_<Title>_<Cluster>_<Language>.pdf` made safe
/// (letters, digits, '-' and '_' only, bounded length, unique). Each export is recorded with its
/// size, SHA-256 and expiry; expired files are removed from disk and from the records.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

struct PdfOptions {
    /// The language to print; default the module's own (its translation when it has one).
    std::optional<std::string> language;
    /// Print the English original too: after the translation, or side by side per section
    /// with `side_by_side`.
    bool bilingual = false;
    bool side_by_side = false;
    /// Add the manual excerpts the module was built from, with their page citations.
    bool include_original = false;
    std::string page_size = "A4"; ///< "A4" or "Letter"
    /// Base of the links printed in the PDF ("http://host:port"); "" = Config::exports.public_url;
    /// when both are empty the PDF has no links to this server.
    std::string public_url;
};

struct ExportedFile {
    std::int64_t id = 0;
    std::int64_t module_id = 0;
    std::string filename;
    std::filesystem::path path; ///< absolute
    std::int64_t size_bytes = 0;
    std::string sha256;
    std::string language;
    int pages = 0;
    Timestamp created_at;
    std::optional<Timestamp> downloaded_at;
    Timestamp expires_at;
};

/// Obtained from `Platform::exports()`; not constructible by hosts.
class ExportEngine {
public:
    struct Impl;
    explicit ExportEngine(std::unique_ptr<Impl> impl);
    ~ExportEngine();
    ExportEngine(const ExportEngine&) = delete;
    ExportEngine& operator=(const ExportEngine&) = delete;

    /// Renders and records a new PDF of the module. Errors: `not_found` (module), `invalid_argument`
    /// (language, page size; a language the module has no translation into: translate it first),
    /// `unavailable` (a font is missing: names the Debian package).
    [[nodiscard]] Result<ExportedFile> module_pdf(std::int64_t module_id, const PdfOptions& options = {},
                                                  const Actor& actor = {});
    [[nodiscard]] Result<ExportedFile> get(std::int64_t id);
    /// An unexpired export by its file name (exact match; never a path); `not_found` otherwise.
    [[nodiscard]] Result<ExportedFile> by_filename(std::string_view filename);
    [[nodiscard]] Result<std::vector<ExportedFile>> list(std::optional<std::int64_t> module_id = {});
    /// Marks the export downloaded and returns it with its bytes. `not_found` "PDF not found"
    /// when unknown or expired, "File missing" when the file is gone from disk.
    [[nodiscard]] Result<std::pair<ExportedFile, std::string>> download(std::int64_t id);
    [[nodiscard]] Result<void> remove(std::int64_t id, const Actor& actor = {});
    /// A download link that needs no login, valid until the export expires: for gateways that
    /// fetch the PDF themselves (Twilio's MediaUrl) and for links sent to teachers.
    /// `{base}/api/files/shared/{filename}?expires=<unix seconds>&sig=<HMAC-SHA256 hex>`,
    /// signed with the platform's secret (SHIKSHA_JWT_SECRET). `base` "" = Config::exports.public_url;
    /// when both are empty the link is the path alone (starting with "/api/").
    [[nodiscard]] Result<std::string> public_link(std::int64_t id, std::string_view base = {});
    /// The export a public link names, with its bytes, when `expires` and `signature` are what
    /// public_link() made and it has not expired; `not_found` otherwise (never says which).
    [[nodiscard]] Result<std::pair<ExportedFile, std::string>>
    download_shared(std::string_view filename, std::string_view expires, std::string_view signature);
    /// Deletes expired exports (files and records); returns how many.
    [[nodiscard]] Result<int> sweep_expired();

private:
    std::unique_ptr<Impl> impl_;
};

[[nodiscard]] Json to_json(const ExportedFile& file);

} // namespace shiksha
