#include "shiksha/manuals.hpp"

#include "auth/crypto.hpp"
#include "core/files.hpp"
#include "core/random.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "ingest/pdf.hpp"
#include "ingest/text.hpp"
#include "manuals/manual_engine_impl.hpp"
#include "store/auth_repo.hpp"
#include "store/export_repo.hpp"
#include "store/manual_repo.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace shiksha {

namespace {

constexpr std::size_t min_indexable_chars = 100;
/// Resolution of the look that decides whether a page without text has anything to OCR: a
/// sixteenth of the pixels of an OCR rendering at 200 dpi, still showing a line of 8 pt text.
constexpr int ink_probe_dpi = 50;

Result<void> check_page_count(const detail::PdfDocument& doc, int max_pages) {
    if (doc.page_count() > max_pages) {
        return fail_field("file", fmt::format("the PDF has {} pages; at most {} are accepted "
                                              "(SHIKSHA_MAX_PDF_PAGES)",
                                              doc.page_count(), max_pages));
    }
    return {};
}

Error not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Manual with ID {} not found", id), {}};
}

/// The upload's name for display: last path component, no control characters, bounded.
std::string display_filename(std::string_view name) {
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string out;
    for (char c : name) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out.push_back(c);
    }
    out = std::string(detail::trim(out));
    if (out.empty() || out == "." || out == ".." || !detail::valid_utf8(out)) out = "manual.pdf";
    if (out.size() > 200) out = out.substr(out.size() - 200); // keep the extension
    while (!out.empty() && (static_cast<unsigned char>(out.front()) & 0xC0) == 0x80)
        out.erase(0, 1);
    return out;
}

Result<std::string> read_whole_file(const std::filesystem::path& path, std::size_t limit) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return fail_field("file", fmt::format("cannot read {}: {}", path.string(), ec.message()));
    if (size > limit) {
        return fail_field("file", fmt::format("The PDF is {:.1f} MB; the limit is {:.0f} MB.",
                                              static_cast<double>(size) / (1 << 20),
                                              static_cast<double>(limit) / (1 << 20)));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail_field("file", fmt::format("cannot open {}", path.string()));
    std::string bytes(size, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in) return fail_field("file", fmt::format("cannot read {}", path.string()));
    return bytes;
}

void audit(SQLite::Database& db, const Actor& actor, std::string_view action, std::int64_t id,
           Json detail = {}) {
    detail::audit_repo::append(db, {0, now_utc(), actor.user_id, std::string(action),
                                    fmt::format("manual:{}", id), detail.is_null() ? "{}" : detail.dump(),
                                    actor.request_id, actor.client});
}

/// Lines of one page grouped into blocks for the chunker. A heading is no text of its own: it
/// becomes the section of the text under it (the full-text index matches section words too).
/// Headings with no text between them (a chapter label, a title set on two lines, a title and
/// its first sub-heading) make one section, up to the last three of them.
struct SectionState {
    std::string title;
    std::vector<std::string> headings; ///< the headings `title` joins
    bool has_text = false;             ///< text followed the last heading
};

void collect_blocks(const detail::PageContent& page, double body_size, SectionState& section,
                    std::vector<detail::TextBlock>& blocks) {
    constexpr std::size_t max_joined_headings = 3;
    detail::TextBlock block{page.number, section.title, {}};
    auto flush = [&] {
        if (!detail::trim(block.text).empty()) {
            blocks.push_back(block);
            section.has_text = true;
        }
        block.text.clear();
    };
    for (const auto& line : page.lines) {
        if (detail::heading_level(line, body_size) > 0) {
            flush();
            if (section.has_text) section.headings.clear();
            if (section.headings.size() >= max_joined_headings)
                section.headings.erase(section.headings.begin());
            section.headings.push_back(line.text);
            section.title.clear();
            for (const auto& h : section.headings)
                section.title += (section.title.empty() ? "" : " \u203A ") + h; // " › "
            section.has_text = false;
            block.section = section.title;
            continue;
        }
        if (!block.text.empty() && block.text.back() != '\n') block.text.push_back(' ');
        block.text += line.text;
    }
    flush();
}

} // namespace

Json to_json(const Manual& m) {
    Json points = Json::array();
    for (const auto& p : m.key_points)
        points.push_back(p);
    return Json::object({
        {"id", m.id},
        {"title", m.title},
        {"filename", m.filename},
        {"file_path", m.file_path},
        {"total_pages", m.total_pages},
        {"upload_date", format_timestamp(m.upload_date)},
        {"indexed", m.indexed},
        {"pinned", m.pinned},
        {"processed", m.indexed ? Json("completed") : Json()},
        {"detected_language", m.detected_language ? Json(*m.detected_language) : Json()},
        {"adapted_summary", m.adapted_summary ? Json(*m.adapted_summary) : Json()},
        {"key_points", m.key_points.empty() ? Json() : std::move(points)},
        {"sha256", m.sha256},
        {"size_bytes", m.size_bytes},
        {"ocr_pages", m.ocr_pages},
        {"chunk_count", m.chunk_count},
        {"chunker_version", m.chunker_version},
        {"indexed_at", m.indexed_at ? Json(format_timestamp(*m.indexed_at)) : Json()},
    });
}

Json to_json(const PageReport& p) {
    return Json::object({{"page", p.page},
                         {"method", p.method},
                         {"verdict", p.verdict},
                         {"reason", p.reason},
                         {"chars", p.chars}});
}

Json to_json(const Chunk& c) {
    return Json::object({{"id", c.id},
                         {"manual_id", c.manual_id},
                         {"ordinal", c.ordinal},
                         {"page_start", c.page_start},
                         {"page_end", c.page_end},
                         {"section", c.section},
                         {"text", c.text},
                         {"tokens", c.tokens}});
}

Json to_json(const IndexReport& r) {
    Json pages = Json::array();
    for (const auto& p : r.pages)
        pages.push_back(to_json(p));
    Json titles = Json::array();
    for (const auto& t : r.running_titles)
        titles.push_back(t);
    return Json::object({{"manual", to_json(r.manual)},
                         {"chunks", r.chunks},
                         {"ocr_pages", r.ocr_pages},
                         {"headers_removed", r.headers_removed},
                         {"seconds", r.seconds},
                         {"running_titles", std::move(titles)},
                         {"pages", std::move(pages)}});
}

ManualEngine::ManualEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ManualEngine::~ManualEngine() = default;

Result<UploadResult> ManualEngine::upload(std::string bytes, const ManualUpload& input, const Actor& actor) {
    auto& d = *impl_;
    auto title = detail::check_text("title", input.title, 2, 200);
    if (!title) return std::unexpected(title.error());
    const std::string filename = display_filename(input.filename);
    const std::string sha = detail::hex_encode(detail::sha256(bytes));

    auto existing = d.store->read([&](SQLite::Database& db) -> Result<std::optional<Manual>> {
        return detail::manual_repo::find_sha256(db, sha);
    });
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return UploadResult{**existing, true};

    const auto size = static_cast<std::int64_t>(bytes.size());
    auto doc = detail::PdfDocument::open(std::move(bytes), d.config.max_pdf_bytes);
    if (!doc) return std::unexpected(doc.error());
    if (auto ok = check_page_count(**doc, d.config.max_pages); !ok) return std::unexpected(ok.error());

    const std::string relative = "manuals/" + sha + ".pdf";
    if (auto ok = detail::write_file_atomically(d.data_dir / relative, (*doc)->bytes(), d.data_dir); !ok)
        return std::unexpected(ok.error());

    auto stored = d.store->write([&](SQLite::Database& db) -> Result<UploadResult> {
        // Another upload of the same bytes may have won the race since the check above.
        if (auto twin = detail::manual_repo::find_sha256(db, sha)) return UploadResult{*twin, true};
        Manual m = detail::manual_repo::insert(
            db, {*title, filename, relative, sha, size, (*doc)->page_count(), actor.user_id}, now_utc());
        audit(db, actor, "manual.upload", m.id,
              Json::object({{"title", m.title},
                            {"sha256", sha},
                            {"pages", m.total_pages},
                            {"anonymous", !actor.user_id.has_value() && actor.client != "cli" &&
                                              actor.client != "python" && actor.client != "library"}}));
        return UploadResult{m, false};
    });
    if (!stored) {
        // Nothing refers to the file; never leave an orphan behind.
        std::error_code ec;
        std::filesystem::remove(d.data_dir / relative, ec);
        return stored;
    }
    d.logger.info("manual uploaded", {{"manual_id", stored->manual.id},
                                      {"pages", stored->manual.total_pages},
                                      {"bytes", size},
                                      {"request_id", actor.request_id}});
    return stored;
}

Result<UploadResult> ManualEngine::upload_file(const std::filesystem::path& path, ManualUpload upload,
                                               const Actor& actor) {
    auto bytes = read_whole_file(path, impl_->config.max_pdf_bytes);
    if (!bytes) return std::unexpected(bytes.error());
    if (upload.filename.empty()) upload.filename = path.filename().string();
    return this->upload(std::move(*bytes), upload, actor);
}

Result<Manual> ManualEngine::get(std::int64_t id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<Manual> {
        auto m = detail::manual_repo::get(db, id);
        if (!m) return std::unexpected(not_found(id));
        return *m;
    });
}

Result<std::vector<Manual>> ManualEngine::list(Page page) {
    if (auto ok = detail::check_page(page.skip, page.limit); !ok) return std::unexpected(ok.error());
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Manual>> {
        return detail::manual_repo::list(db, page);
    });
}

Result<std::int64_t> ManualEngine::count() {
    return impl_->store->read(
        [](SQLite::Database& db) -> Result<std::int64_t> { return detail::manual_repo::count(db); });
}

Result<std::filesystem::path> ManualEngine::file_path(std::int64_t id) {
    auto m = get(id);
    if (!m) return std::unexpected(m.error());
    return impl_->data_dir / m->file_path;
}

Result<std::string> ManualEngine::file(std::int64_t id) {
    auto path = file_path(id);
    if (!path) return std::unexpected(path.error());
    return detail::read_file(*path, impl_->data_dir);
}

Result<void> ManualEngine::remove(std::int64_t id, const Actor& actor) {
    auto& d = *impl_;
    std::string relative;
    std::vector<std::filesystem::path> exported;
    auto removed = d.store->write([&](SQLite::Database& db) -> Result<std::vector<std::int64_t>> {
        auto m = detail::manual_repo::get(db, id);
        if (!m) return std::unexpected(not_found(id));
        relative = m->file_path;
        exported = detail::export_repo::files_of(db, detail::export_repo::Owner::manual, id);
        auto ids = detail::manual_repo::remove(db, id);
        audit(db, actor, "manual.delete", id, Json::object({{"title", m->title}}));
        return ids.value_or(std::vector<std::int64_t>{});
    });
    if (!removed) return std::unexpected(removed.error());
    std::error_code ec;
    std::filesystem::remove(d.data_dir / relative, ec);
    if (ec) d.logger.warn("could not delete a manual's file", {{"file", relative}, {"error", ec.message()}});
    detail::remove_files(exported, d.logger);
    d.retrieval.chunks_removed(*removed);
    d.logger.info("manual deleted",
                  {{"manual_id", id}, {"chunks", static_cast<std::int64_t>(removed->size())}});
    return {};
}

Result<Manual> ManualEngine::toggle_pin(std::int64_t id, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<Manual> {
        auto m = detail::manual_repo::get(db, id);
        if (!m) return std::unexpected(not_found(id));
        m->pinned = !m->pinned;
        detail::manual_repo::set_pinned(db, id, m->pinned);
        audit(db, actor, m->pinned ? "manual.pin" : "manual.unpin", id);
        return *m;
    });
}

Result<std::vector<Chunk>> ManualEngine::chunks(std::int64_t id, std::int64_t offset, std::int64_t limit) {
    if (auto ok = detail::check_page(offset, limit); !ok) return std::unexpected(ok.error());
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Chunk>> {
        if (!detail::manual_repo::get(db, id)) return std::unexpected(not_found(id));
        return detail::manual_repo::chunks(db, id, offset, limit);
    });
}

Result<std::vector<PageReport>> ManualEngine::pages(std::int64_t id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<PageReport>> {
        if (!detail::manual_repo::get(db, id)) return std::unexpected(not_found(id));
        return detail::manual_repo::pages(db, id);
    });
}

Result<IndexReport> ManualEngine::index(std::int64_t id, const IndexOptions& options, const Actor& actor) {
    auto& d = *impl_;
    const auto started = std::chrono::steady_clock::now();
    auto manual = get(id);
    if (!manual) return std::unexpected(manual.error());
    auto bytes = read_whole_file(d.data_dir / manual->file_path, std::numeric_limits<std::size_t>::max());
    if (!bytes)
        return fail(ErrorCode::unavailable, fmt::format("the stored file of manual {} is missing", id));
    auto doc = detail::PdfDocument::open(std::move(*bytes), std::numeric_limits<std::size_t>::max());
    if (!doc) return std::unexpected(doc.error());
    // A manual stored before the cap existed (or under a larger one) is held to it as well.
    if (auto ok = check_page_count(**doc, d.config.max_pages); !ok) return std::unexpected(ok.error());

    const int total = (*doc)->page_count();
    const std::int64_t steps = total + 1; // pages, then embedding
    auto cancelled = [&] { return options.cancel && options.cancel->cancelled(); };
    auto report_progress = [&](std::int64_t done) {
        return !options.progress || options.progress(done, steps);
    };
    const detail::OcrSettings ocr{d.config.ocr_languages, d.config.tessdata_dir, d.config.ocr_dpi};
    const auto missing_packs = d.config.ocr ? detail::missing_ocr_languages(ocr) : std::vector<std::string>{};
    std::string ocr_blocked; // why pages that needed OCR did not get it

    IndexReport report;
    std::vector<detail::PageContent> contents;
    contents.reserve(static_cast<std::size_t>(total));
    for (int n = 1; n <= total; ++n) {
        if (cancelled() || !report_progress(n - 1)) return fail(ErrorCode::deadline_exceeded, "cancelled");
        auto page = (*doc)->read_page(n);
        detail::PageContent content = page ? std::move(*page) : detail::PageContent{n, {}, {}};
        detail::clean_page(content);
        const auto quality = detail::assess_text_quality(detail::page_text(content), content.fonts);
        PageReport rep{n, "text", detail::to_string(quality.verdict), quality.reason, 0};
        if (quality.verdict != detail::TextVerdict::readable) {
            content.lines.clear();
            bool blank = false;
            if (!d.config.ocr) {
                rep.method = "none";
                ocr_blocked = "OCR is disabled (SHIKSHA_OCR=false)";
            } else if (!missing_packs.empty()) {
                rep.method = "none";
                ocr_blocked = fmt::format("the OCR language pack '{}' is not installed (apt-get install "
                                          "tesseract-ocr-{})",
                                          missing_packs.front(), missing_packs.front());
            } else if (auto probe = (*doc)->render_page(n, ink_probe_dpi);
                       probe && !detail::has_ink(*probe)) {
                // Nothing on the page to read: Tesseract would spend seconds finding that out.
                rep.method = "none";
                rep.reason = "The page is blank (no ink); nothing to OCR.";
                blank = true;
            } else {
                auto raster = (*doc)->render_page(n, ocr.dpi);
                auto lines = raster ? detail::ocr_raster(*raster, ocr)
                                    : Result<std::vector<detail::TextLine>>(std::unexpected(raster.error()));
                if (!lines) {
                    rep.method = "none";
                    ocr_blocked = lines.error().message;
                } else {
                    rep.method = "ocr";
                    content.lines = std::move(*lines);
                    detail::clean_page(content);
                    ++report.ocr_pages;
                }
            }
            if (rep.method == "none" && !blank) {
                rep.reason +=
                    (rep.reason.empty() ? "" : " ") + std::string("Not indexed: ") + ocr_blocked + ".";
            }
        }
        report.pages.push_back(std::move(rep));
        contents.push_back(std::move(content));
    }
    report.headers_removed =
        static_cast<int>(detail::remove_running_headers(contents, 0.5, 3, &report.running_titles));

    const double body = detail::body_font_size(contents);
    std::vector<detail::TextBlock> blocks;
    std::vector<detail::StoredPage> stored;
    SectionState section;
    std::string all_text;
    std::size_t total_chars = 0;
    for (std::size_t i = 0; i < contents.size(); ++i) {
        const std::string text = detail::page_text(contents[i]);
        report.pages[i].chars = static_cast<int>(detail::utf8_length(text));
        total_chars += static_cast<std::size_t>(report.pages[i].chars);
        stored.push_back({report.pages[i], text});
        // OCR line sizes are estimates comparable only within their page.
        const double page_body =
            report.pages[i].method == "ocr"
                ? detail::body_font_size(std::span<const detail::PageContent>(&contents[i], 1))
                : body;
        collect_blocks(contents[i], page_body, section, blocks);
        if (all_text.size() < 200'000) all_text += text + "\n";
        (report.pages[i].method == "ocr"    ? d.pages_ocr
         : report.pages[i].method == "text" ? d.pages_text
                                            : d.pages_none)
            .inc();
    }
    if (total_chars < min_indexable_chars) {
        if (!ocr_blocked.empty()) {
            return fail(
                ErrorCode::unavailable,
                fmt::format("Could not extract text from the PDF: its pages need OCR, but {}.", ocr_blocked));
        }
        return fail_field("file",
                          "Could not extract sufficient text from the PDF. The file may be scanned images "
                          "or corrupt.");
    }

    auto drafts = detail::chunk_blocks(blocks, {d.config.chunk_tokens, d.config.chunk_overlap});
    std::vector<detail::NewChunk> chunks;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        auto& c = drafts[i];
        texts.push_back(c.text);
        chunks.push_back({static_cast<int>(i), c.page_start, c.page_end, std::move(c.section),
                          std::move(c.text), static_cast<int>(c.tokens)});
    }
    if (cancelled() || !report_progress(total)) return fail(ErrorCode::deadline_exceeded, "cancelled");
    auto vectors = d.retrieval.embed_all(texts, options.cancel, {});
    if (!vectors) return std::unexpected(vectors.error());
    if (cancelled()) return fail(ErrorCode::deadline_exceeded, "cancelled");

    const std::string language = detail::detect_language(all_text);
    const std::optional<std::string> lang = language.empty() ? std::nullopt : std::optional(language);
    auto replaced = d.store->write([&](SQLite::Database& db) -> Result<detail::manual_repo::Replaced> {
        if (!detail::manual_repo::get(db, id)) return std::unexpected(not_found(id)); // deleted meanwhile
        auto r =
            detail::manual_repo::replace_index(db, id, stored, chunks, d.retrieval.model(), *vectors, lang,
                                               report.ocr_pages, now_utc(), detail::chunker_version);
        audit(db, actor, "manual.index", id,
              Json::object(
                  {{"chunks", static_cast<std::int64_t>(chunks.size())}, {"ocr_pages", report.ocr_pages}}));
        return r;
    });
    if (!replaced) return std::unexpected(replaced.error());
    d.retrieval.chunks_replaced(replaced->old_chunk_ids, replaced->new_chunk_ids, *vectors);
    (void)report_progress(steps);

    auto fresh = get(id);
    if (!fresh) return std::unexpected(fresh.error());
    report.manual = std::move(*fresh);
    report.chunks = static_cast<int>(chunks.size());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    d.index_seconds.observe(report.seconds);
    d.logger.info("manual indexed", {{"manual_id", id},
                                     {"pages", total},
                                     {"ocr_pages", report.ocr_pages},
                                     {"chunks", report.chunks},
                                     {"seconds", report.seconds},
                                     {"request_id", actor.request_id}});
    return report;
}

Result<Job> ManualEngine::index_async(std::int64_t id, const Actor& actor) {
    if (auto m = get(id); !m) return std::unexpected(m.error());
    return impl_->jobs.start(
        "manual.index", actor.user_id, [this, id, actor](JobContext& ctx) -> Result<Json> {
            IndexOptions options;
            options.cancel = &ctx.cancel_token();
            options.progress = [&ctx](std::int64_t done, std::int64_t total) {
                return ctx.progress(done, total,
                                    done < total - 1
                                        ? fmt::format("reading page {} of {}", done + 1, total - 1)
                                        : std::string("embedding and indexing chunks"));
            };
            auto report = index(id, options, actor);
            if (!report) return std::unexpected(report.error());
            return to_json(*report);
        });
}

Result<std::optional<Job>> ManualEngine::rechunk_outdated(const Actor& actor) {
    auto ids = impl_->store->read([](SQLite::Database& db) -> Result<std::vector<std::int64_t>> {
        return detail::manual_repo::outdated_chunks(db, detail::chunker_version);
    });
    if (!ids) return std::unexpected(ids.error());
    if (ids->empty()) return std::optional<Job>();
    impl_->logger.info(
        "re-chunking manuals indexed by an older chunker",
        {{"manuals", static_cast<std::int64_t>(ids->size())}, {"chunker_version", detail::chunker_version}});
    auto job = impl_->jobs.start(
        "manual.rechunk", actor.user_id, [this, ids = *ids, actor](JobContext& ctx) -> Result<Json> {
            std::int64_t done = 0, failed = 0;
            const auto total = static_cast<std::int64_t>(ids.size());
            for (const auto id : ids) {
                if (!ctx.progress(done + failed, total, fmt::format("re-chunking manual {}", id)))
                    return fail(ErrorCode::deadline_exceeded, "cancelled");
                IndexOptions options;
                options.cancel = &ctx.cancel_token();
                auto report = index(id, options, actor);
                if (report) {
                    ++done;
                } else if (report.error().code == ErrorCode::deadline_exceeded) {
                    return std::unexpected(report.error());
                } else {
                    ++failed;
                    impl_->logger.warn("could not re-chunk a manual",
                                       {{"manual_id", id}, {"error", report.error().message}});
                }
            }
            return Json::object(
                {{"rechunked", done}, {"failed", failed}, {"chunker_version", detail::chunker_version}});
        });
    if (!job) return std::unexpected(job.error());
    return std::optional<Job>(std::move(*job));
}

} // namespace shiksha
