#include "shiksha/exports.hpp"

#include "auth/crypto.hpp"
#include "core/files.hpp"
#include "core/random.hpp"
#include "export/compose.hpp"
#include "export/export_engine_impl.hpp"
#include "shiksha/translation.hpp"
#include "store/auth_repo.hpp"
#include "store/export_repo.hpp"
#include "store/video_repo.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <set>

namespace shiksha {

namespace {

constexpr std::size_t max_title_part = 60;
constexpr std::size_t max_cluster_part = 40;
/// A temporary file this old was left by a crash mid-write; younger ones may be in flight.
constexpr auto stale_temporary = std::chrono::hours(1);

Error pdf_not_found() {
    return Error{ErrorCode::not_found, "PDF not found", {}};
}

/// ASCII letters and digits kept, every other run of characters one '_', at most `limit` long.
std::string safe_part(std::string_view text, std::size_t limit) {
    std::string out;
    for (unsigned char c : text) {
        const bool keep =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (keep) {
            out.push_back(static_cast<char>(c));
        } else if (!out.empty() && out.back() != '_') {
            out.push_back('_');
        }
        if (out.size() >= limit) break;
    }
    while (!out.empty() && (out.back() == '_' || out.back() == '-'))
        out.pop_back();
    return out;
}

/// `Module_<Title>_<Cluster>_<Language>`, without extension; parts that are empty once made
/// safe (a title in Devanagari) are left out, the title falls back to the module id.
std::string base_filename(const Module& module, std::string_view cluster, const Language& language) {
    std::string name = "Module_";
    const auto title = safe_part(module.title, max_title_part);
    name += title.empty() ? fmt::format("{}", module.id) : title;
    if (const auto c = safe_part(cluster, max_cluster_part); !c.empty()) name += "_" + c;
    name += "_" + std::string(language.english_name);
    return name;
}

std::optional<detail::pdf::PageSize> page_size(std::string_view name) {
    std::string lower;
    for (char c : name)
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower == "a4") return detail::pdf::PageSize::a4;
    if (lower == "letter") return detail::pdf::PageSize::letter;
    return std::nullopt;
}

void audit(SQLite::Database& db, const Actor& actor, std::string_view action, std::int64_t id, Json detail) {
    detail::audit_repo::append(db,
                               {0, now_utc(), actor.user_id, std::string(action),
                                fmt::format("export:{}", id), detail.dump(), actor.request_id, actor.client});
}

bool expired(const ExportedFile& f, Timestamp now) {
    return f.expires_at <= now;
}

} // namespace

ExportEngine::ExportEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExportEngine::~ExportEngine() = default;

Result<ExportedFile> ExportEngine::module_pdf(std::int64_t module_id, const PdfOptions& options,
                                              const Actor& actor) {
    auto& d = *impl_;
    const auto size = page_size(options.page_size);
    if (!size)
        return fail_field("page_size",
                          fmt::format("page_size: expected A4 or Letter, got '{}'", options.page_size));
    if (!options.public_url.empty() && !options.public_url.starts_with("http://") &&
        !options.public_url.starts_with("https://"))
        return fail_field("public_url", "public_url: must start with http:// or https://");
    const Language* requested = nullptr;
    if (options.language) {
        auto lang = resolve_language(*options.language);
        if (!lang) return std::unexpected(lang.error());
        requested = *lang;
    }
    auto module = d.modules.get(module_id);
    if (!module) return std::unexpected(module.error());

    // The language printed: the one asked for, else the module's own when it has one we print.
    const Language* english = find_language("english");
    const Language* language = requested;
    if (!language && module->language) {
        const Language* own = find_language(*module->language);
        language = own ? own : english;
    }
    if (!language) language = english;
    const ModuleTranslation* translation = nullptr;
    auto find_translation = [&] {
        for (const auto& t : module->translations) {
            if (t.language == language->key) translation = &t;
        }
    };
    if (language != english) {
        find_translation();
        if (!translation) {
            // Not translated yet (or the translation failed at generation): translate now.
            auto translated = d.modules.translate(module_id, language->key, actor);
            if (translated) {
                module = std::move(translated);
                find_translation();
            } else if (requested) {
                return std::unexpected(translated.error());
            } else {
                d.logger.warn("module has no translation into its language; exporting English",
                              {{"module_id", module_id},
                               {"language", language->key},
                               {"error", translated.error().message}});
                language = english;
            }
        }
    }

    std::string cluster_name;
    if (auto c = d.clusters.get(module->cluster_id)) cluster_name = c->name;
    std::string manual_title;
    if (auto m = d.manuals.get(module->manual_id)) manual_title = m->title;

    const MarkdownLabels english_labels;
    detail::ComposeInput in;
    in.module = &*module;
    in.primary = translation ? detail::ModuleText{language, &translation->content, &translation->labels}
                             : detail::ModuleText{english, &module->content, &english_labels};
    if (translation && options.bilingual)
        in.english = detail::ModuleText{english, &module->content, &english_labels};
    in.side_by_side = options.side_by_side;
    in.include_original = options.include_original;
    in.cluster_name = cluster_name;
    in.manual_title = manual_title;
    in.public_url = options.public_url.empty() ? d.config.public_url : options.public_url;
    in.generated_at = now_utc();
    in.page_size = *size;
    // The stored suggestions only: an export never calls YouTube.
    auto videos = d.store->read(
        [&](SQLite::Database& db) -> Result<std::optional<detail::video_repo::StoredSuggestions>> {
            return detail::video_repo::suggestions(db, module_id);
        });
    if (videos && *videos) {
        for (std::size_t i = 0; i < (*videos)->videos.size() && i < 3; ++i) {
            const auto& v = (*videos)->videos[i];
            in.videos.push_back({v.title, v.url, v.duration_seconds > 0 ? v.duration : std::string()});
        }
    }

    const auto started = std::chrono::steady_clock::now();
    auto rendered = detail::pdf::render_pdf(detail::compose_module(in), {d.config.font_dir});
    if (!rendered) return std::unexpected(rendered.error());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    d.metrics.histogram("shiksha_export_render_seconds", "Time to lay out and write one PDF")
        .observe(seconds);

    ExportedFile file;
    file.module_id = module->id;
    file.size_bytes = static_cast<std::int64_t>(rendered->bytes.size());
    file.sha256 = detail::hex_encode(detail::sha256(rendered->bytes));
    file.language = std::string(language->key);
    file.pages = rendered->pages;
    file.created_at = in.generated_at;
    file.expires_at = in.generated_at + std::chrono::duration_cast<std::chrono::microseconds>(d.config.ttl);

    std::lock_guard lock(d.files);
    const auto base = base_filename(*module, cluster_name, *language);
    auto stored = d.store->write([&](SQLite::Database& db) -> Result<ExportedFile> {
        // A unique name: the first of Name.pdf, Name_2.pdf, … neither recorded nor on disk.
        for (int n = 1;; ++n) {
            file.filename = n == 1 ? base + ".pdf" : fmt::format("{}_{}.pdf", base, n);
            file.path = d.directory / file.filename;
            if (!detail::export_repo::filename_taken(db, file.filename) &&
                !std::filesystem::exists(file.path))
                break;
        }
        if (auto ok = detail::write_file_atomically(file.path, rendered->bytes, d.directory.parent_path());
            !ok)
            return std::unexpected(ok.error());
        ExportedFile f = detail::export_repo::insert(db, file, actor.user_id);
        audit(db, actor, "export.pdf", f.id,
              Json::object({{"module_id", f.module_id}, {"language", f.language}, {"bytes", f.size_bytes}}));
        return f;
    });
    if (!stored) {
        // The record was rolled back: the file must not outlive it.
        std::error_code ec;
        std::filesystem::remove(file.path, ec);
        return stored;
    }
    d.metrics.counter("shiksha_exports_total", "PDFs exported").inc();
    d.logger.info("module exported", {{"module_id", module_id},
                                      {"export_id", stored->id},
                                      {"language", stored->language},
                                      {"pages", stored->pages},
                                      {"bytes", stored->size_bytes},
                                      {"render_ms", seconds * 1000},
                                      {"request_id", actor.request_id}});
    return stored;
}

Result<ExportedFile> ExportEngine::get(std::int64_t id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<ExportedFile> {
        auto f = detail::export_repo::get(db, id);
        if (!f || expired(*f, now_utc())) return std::unexpected(pdf_not_found());
        return *f;
    });
}

Result<ExportedFile> ExportEngine::by_filename(std::string_view filename) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<ExportedFile> {
        auto f = detail::export_repo::by_filename(db, filename);
        if (!f || expired(*f, now_utc())) return fail(ErrorCode::not_found, "File not found");
        return *f;
    });
}

Result<std::vector<ExportedFile>> ExportEngine::list(std::optional<std::int64_t> module_id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<ExportedFile>> {
        auto files = detail::export_repo::list(db, module_id);
        const auto now = now_utc();
        std::erase_if(files, [&](const ExportedFile& f) { return expired(f, now); });
        return files;
    });
}

Result<std::pair<ExportedFile, std::string>> ExportEngine::download(std::int64_t id) {
    auto file = get(id);
    if (!file) return std::unexpected(file.error());
    auto bytes = detail::read_file(file->path, impl_->directory.parent_path());
    if (!bytes) return std::unexpected(bytes.error()); // not_found "File missing"
    file->downloaded_at = now_utc();
    auto marked = impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        detail::export_repo::mark_downloaded(db, id, *file->downloaded_at);
        return {};
    });
    if (!marked) return std::unexpected(marked.error());
    impl_->metrics.counter("shiksha_export_downloads_total", "Exported PDFs downloaded").inc();
    return std::pair{std::move(*file), std::move(*bytes)};
}

namespace {

/// Signs the export itself, not only its name: its id, the sha256 of its bytes and its
/// creation time in microseconds. A later export that reuses the file name is another record
/// (SQLite may even give it the same id after the last row was deleted, and the same module
/// renders to the same bytes), but never at the same microsecond, so an old link cannot fetch
/// it. The leading tag keeps signatures of this layout apart from any other.
std::string link_signature(std::string_view secret, const ExportedFile& file, std::string_view expires) {
    const auto created =
        std::chrono::duration_cast<std::chrono::microseconds>(file.created_at.time_since_epoch());
    return detail::hex_encode(
        detail::hmac_sha256(secret, fmt::format("export-link-v2\n{}\n{}\n{}\n{}\n{}", file.id, file.sha256,
                                                created.count(), file.filename, expires)));
}

std::int64_t unix_seconds(Timestamp t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

Result<std::string> ExportEngine::public_link(std::int64_t id, std::string_view base) {
    auto& d = *impl_;
    if (d.link_secret.empty())
        return fail(ErrorCode::unavailable,
                    "public download links need a signing secret: set SHIKSHA_JWT_SECRET");
    auto file = get(id);
    if (!file) return std::unexpected(file.error());
    const auto expires = std::to_string(unix_seconds(file->expires_at));
    return fmt::format("{}/api/files/shared/{}?expires={}&sig={}", base.empty() ? d.config.public_url : base,
                       file->filename, expires, link_signature(d.link_secret, *file, expires));
}

Result<std::pair<ExportedFile, std::string>> ExportEngine::download_shared(std::string_view filename,
                                                                           std::string_view expires,
                                                                           std::string_view signature) {
    auto& d = *impl_;
    const auto not_found = [] { return fail(ErrorCode::not_found, "File not found"); };
    std::int64_t expires_at = 0;
    if (auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), expires_at);
        d.link_secret.empty() || expires.empty() || ec != std::errc{} ||
        end != expires.data() + expires.size())
        return not_found();
    // The link's own expiry, whatever the record says now.
    if (unix_seconds(now_utc()) >= expires_at) return not_found();
    auto file = by_filename(filename);
    if (!file || !detail::constant_time_equal(link_signature(d.link_secret, *file, expires), signature))
        return not_found();
    auto got = download(file->id);
    if (!got) return std::unexpected(got.error());
    return got;
}

Result<void> ExportEngine::remove(std::int64_t id, const Actor& actor) {
    auto& d = *impl_;
    std::lock_guard lock(d.files);
    auto removed = d.store->write([&](SQLite::Database& db) -> Result<std::filesystem::path> {
        auto f = detail::export_repo::get(db, id);
        if (!f || !detail::export_repo::remove(db, id)) return std::unexpected(pdf_not_found());
        audit(db, actor, "export.delete", id, Json::object({{"module_id", f->module_id}}));
        return f->path;
    });
    if (!removed) return std::unexpected(removed.error());
    detail::remove_files({*removed}, d.logger);
    return {};
}

Result<int> ExportEngine::sweep_expired() {
    auto& d = *impl_;
    std::lock_guard lock(d.files);
    auto swept = d.store->write([&](SQLite::Database& db) -> Result<std::vector<ExportedFile>> {
        auto files = detail::export_repo::expired(db, now_utc());
        for (const auto& f : files)
            (void)detail::export_repo::remove(db, f.id);
        return files;
    });
    if (!swept) return std::unexpected(swept.error());
    std::vector<std::filesystem::path> paths;
    for (const auto& f : *swept)
        paths.push_back(f.path);

    // Files no record owns: left by a crash between writing and recording, or by a deletion
    // that could not remove them.
    auto names = d.store->read([](SQLite::Database& db) -> Result<std::vector<std::string>> {
        return detail::export_repo::filenames(db);
    });
    if (!names) return std::unexpected(names.error());
    const std::set<std::string, std::less<>> owned(names->begin(), names->end());
    std::error_code ec;
    const auto stale_before = std::filesystem::file_time_type::clock::now() - stale_temporary;
    int orphans = 0;
    for (const auto& entry : std::filesystem::directory_iterator(d.directory, ec)) {
        if (!entry.is_regular_file(ec) || owned.contains(entry.path().filename().string())) continue;
        if (detail::is_temporary_file(entry.path()) && entry.last_write_time(ec) > stale_before) continue;
        paths.push_back(entry.path());
        ++orphans;
    }
    detail::remove_files(paths, d.logger);
    if (!swept->empty() || orphans > 0) {
        d.logger.info("expired exports removed",
                      {{"expired", static_cast<std::int64_t>(swept->size())}, {"orphaned_files", orphans}});
    }
    return static_cast<int>(swept->size());
}

Json to_json(const ExportedFile& f) {
    return Json::object(
        {{"id", f.id},
         {"module_id", f.module_id},
         {"filename", f.filename},
         {"size_bytes", f.size_bytes},
         {"sha256", f.sha256},
         {"language", f.language},
         {"pages", f.pages},
         {"created_at", format_timestamp(f.created_at)},
         {"downloaded_at", f.downloaded_at ? Json(format_timestamp(*f.downloaded_at)) : Json()},
         {"expires_at", format_timestamp(f.expires_at)}});
}

} // namespace shiksha
