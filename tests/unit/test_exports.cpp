// The export engine on a real platform: a module generated offline from the sample handbook is
// exported, recorded, downloaded, translated on demand, swept when it expires and deleted with
// its module. The PDFs are checked with poppler-utils and qpdf as a user would check them.
#include "fake_google_translate.hpp"
#include "pdf_tools.hpp"
#include "platform_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <openssl/hmac.h>

#include <chrono>
#include <fstream>
#include <regex>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct Fixture {
    test::TempDir dir;
    test::FakeGoogleTranslate google;
    std::unique_ptr<Platform> platform;
    std::int64_t module_id = 0;

    explicit Fixture(const std::function<void(Config&)>& tweak = {}) {
        Config cfg = test::test_config(dir.path());
        cfg.translation.providers = "google";
        cfg.translation.google_base_url = google.base_url();
        cfg.translation.google_api_key = "google-test-key";
        cfg.net.max_attempts = 1;
        if (tweak) tweak(cfg);
        auto opened = Platform::open(cfg);
        REQUIRE(opened);
        platform = std::move(*opened);
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        auto cluster = platform->clusters().create({"Bastar Tribal Cluster", "Tribal Belt", "English", "Low",
                                                    "No laboratory; multigrade classes", 40, std::nullopt});
        REQUIRE(cluster);
        auto m = platform->modules().generate(
            {up->manual.id, cluster->id, "Series and parallel circuits", "english", "6-8"});
        REQUIRE(m);
        module_id = m->id;
    }

    ExportEngine& exports() { return platform->exports(); }

    /// Moves an export's expiry (microseconds since the epoch) into the past, as time passing would.
    void expire(std::int64_t id) {
        SQLite::Database db((dir.path() / "shiksha.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement q(db, "UPDATE exports SET expires_at = 1 WHERE id = ?");
        q.bind(1, id);
        REQUIRE(q.exec() == 1);
    }
};

bool tools_or_skip() {
    for (const char* tool : {"pdftotext", "pdfinfo", "pdffonts", "qpdf"}) {
        if (!test::have_tool(tool)) {
            MESSAGE(tool << " not installed (poppler-utils, qpdf): skipping");
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("a module exports to a valid, searchable PDF with header, footer, links and subset fonts") {
    if (!tools_or_skip()) return;
    Fixture f;
    auto file = f.exports().module_pdf(f.module_id,
                                       {.include_original = true, .public_url = "http://127.0.0.1:9000"});
    REQUIRE(file);
    CHECK(file->filename == "Module_Series_and_parallel_circuits_Bastar_Tribal_Cluster_English.pdf");
    CHECK(file->path == f.dir.path() / "exports" / file->filename);
    CHECK(file->language == "english");
    CHECK(file->expires_at - file->created_at == std::chrono::duration_cast<std::chrono::microseconds>(24h));
    REQUIRE(std::filesystem::exists(file->path));
    CHECK(static_cast<std::int64_t>(std::filesystem::file_size(file->path)) == file->size_bytes);
    CHECK(file->sha256.size() == 64);
    CHECK(file->sha256.find_first_not_of("0123456789abcdef") == std::string::npos);

    const auto& pdf = file->path;
    CHECK(test::run_command("qpdf --check " + test::shell_quote(pdf.string()) + " >/dev/null 2>&1"));
    CHECK(test::pdf_info(pdf, "Page size").starts_with("595.28 x 841.89"));
    CHECK(std::to_string(file->pages) == test::pdf_info(pdf, "Pages"));
    auto module = f.platform->modules().get(f.module_id);
    REQUIRE(module);
    CHECK(test::pdf_info(pdf, "Title") == module->content.title);

    // Every embedded font is a subset: pdffonts' "emb sub" columns read "yes yes".
    const auto fonts = test::run_command("pdffonts " + test::shell_quote(pdf.string())).value_or("");
    int font_rows = 0;
    for (std::size_t at = fonts.find('\n', fonts.find("---"));
         at != std::string::npos && at + 1 < fonts.size(); at = fonts.find('\n', at + 1)) {
        const auto line = fonts.substr(at + 1, fonts.find('\n', at + 1) - at - 1);
        if (line.empty()) continue;
        ++font_rows;
        CHECK_MESSAGE(line.find("Identity-H") != std::string::npos, line);
        CHECK_MESSAGE(line.find("yes yes") != std::string::npos, line);
    }
    CHECK(font_rows >= 1);

    // Header and footer on every page.
    for (int page = 1; page <= file->pages; ++page) {
        const auto text = test::normalized(test::pdf_text(pdf, page));
        CHECK_MESSAGE(text.find("Bastar Tribal Cluster") != std::string::npos, "page " << page);
        CHECK_MESSAGE(text.find("Generated by Shiksha-Setu") != std::string::npos, "page " << page);
        CHECK_MESSAGE(text.find("Page " + std::to_string(page) + " of " + std::to_string(file->pages)) !=
                          std::string::npos,
                      "page " << page);
    }
    // The content is there and searchable; citations link to the manual's pages.
    const auto all = test::normalized(test::pdf_text(pdf));
    CHECK(all.find(test::normalized(module->content.sections.front().heading)) != std::string::npos);
    // A tip may run across a page break: read it with the page furniture between pages taken out.
    const std::regex furniture(R"( ?Generated by Shiksha-Setu [^P]*Page \d+ of \d+ .*?\d{4}-\d{2}-\d{2})");
    const auto flowing = std::regex_replace(all, furniture, "");
    CHECK_MESSAGE(flowing.find(test::normalized(module->content.teaching_tips.front())) != std::string::npos,
                  module->content.teaching_tips.front() << "\n--- in ---\n"
                                                        << flowing);
    std::ifstream in(pdf, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("/URI") != std::string::npos);
    CHECK(bytes.find("(http://127.0.0.1:9000/api/manuals/") != std::string::npos);
}

TEST_CASE("without a known public base a PDF has no links to the server (a guessed port is a dead link)") {
    if (!tools_or_skip()) return;
    Fixture f;
    REQUIRE(f.platform->config().exports.public_url.empty());
    auto file = f.exports().module_pdf(f.module_id, {.include_original = true});
    REQUIRE(file);
    std::ifstream in(file->path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("/api/manuals/") == std::string::npos);
    CHECK(bytes.find(":8000") == std::string::npos);
    // The configured base is used when there is one.
    Fixture configured([](Config& c) { c.exports.public_url = "https://shiksha.example"; });
    auto linked = configured.exports().module_pdf(configured.module_id, {});
    REQUIRE(linked);
    std::ifstream in2(linked->path, std::ios::binary);
    const std::string bytes2((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
    CHECK(bytes2.find("(https://shiksha.example/api/manuals/") != std::string::npos);
    CHECK(configured.exports()
              .public_link(linked->id)
              ->starts_with("https://shiksha.example/api/files/shared/"));
    CHECK(f.exports().public_link(file->id)->starts_with("/api/files/shared/"));
    CHECK(f.exports().module_pdf(f.module_id, {.public_url = "ftp://x"}).error().field == "public_url");
}

TEST_CASE("page size, page count and options") {
    if (!tools_or_skip()) return;
    Fixture f;
    auto plain = f.exports().module_pdf(f.module_id);
    REQUIRE(plain);
    auto letter = f.exports().module_pdf(f.module_id, {.page_size = "letter"});
    REQUIRE(letter);
    CHECK(test::pdf_info(letter->path, "Page size").starts_with("612 x 792"));
    CHECK(letter->filename == "Module_Series_and_parallel_circuits_Bastar_Tribal_Cluster_English_2.pdf");

    // More content, more pages: the original excerpts, then a bilingual Hindi print.
    auto original = f.exports().module_pdf(f.module_id, {.include_original = true});
    REQUIRE(original);
    CHECK(original->pages >= plain->pages);
    CHECK(original->size_bytes > plain->size_bytes);
    auto bilingual = f.exports().module_pdf(f.module_id, {.language = "hindi", .bilingual = true});
    REQUIRE(bilingual);
    CHECK(bilingual->language == "hindi");
    CHECK(bilingual->pages > plain->pages);
    auto side = f.exports().module_pdf(f.module_id, {.language = "hi", .side_by_side = true});
    REQUIRE(side);
    CHECK(side->pages >= plain->pages);

    SUBCASE("bad options are clear errors") {
        auto size = f.exports().module_pdf(f.module_id, {.page_size = "A3"});
        REQUIRE_FALSE(size);
        CHECK(size.error().code == ErrorCode::invalid_argument);
        CHECK(size.error().field == "page_size");
        auto lang = f.exports().module_pdf(f.module_id, {.language = "klingon"});
        REQUIRE_FALSE(lang);
        CHECK(lang.error().code == ErrorCode::invalid_argument);
        auto missing = f.exports().module_pdf(9999);
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == ErrorCode::not_found);
    }
}

TEST_CASE("a language the module is not translated into is translated first; provider failure is an error") {
    Fixture f;
    auto hindi = f.exports().module_pdf(f.module_id, {.language = "hindi"});
    REQUIRE(hindi);
    CHECK(hindi->filename.ends_with("_Hindi.pdf"));
    auto module = f.platform->modules().get(f.module_id);
    REQUIRE(module);
    REQUIRE(module->translations.size() == 1);
    CHECK(module->translations.front().language == "hindi");
    const auto requests = f.google.request_count();
    // Exporting again reuses the stored translation.
    REQUIRE(f.exports().module_pdf(f.module_id, {.language = "hindi"}));
    CHECK(f.google.request_count() == requests);

    f.google.push_failure(test::FakeGoogleFailure::forbidden, 5);
    auto tamil = f.exports().module_pdf(f.module_id, {.language = "tamil"});
    REQUIRE_FALSE(tamil);
    CHECK(tamil.error().code != ErrorCode::internal);
}

TEST_CASE("records: get, list, download, delete; a vanished file is 'File missing'") {
    Fixture f;
    auto a = f.exports().module_pdf(f.module_id);
    auto b = f.exports().module_pdf(f.module_id);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->filename != b->filename);
    auto listed = f.exports().list(f.module_id);
    REQUIRE(listed);
    CHECK(listed->size() == 2);

    auto got = f.exports().download(a->id);
    REQUIRE(got);
    CHECK(got->second.starts_with("%PDF-"));
    CHECK(static_cast<std::int64_t>(got->second.size()) == a->size_bytes);
    CHECK(got->first.downloaded_at.has_value());
    CHECK(f.exports().get(a->id)->downloaded_at.has_value());

    CHECK(f.exports().by_filename(a->filename)->id == a->id);
    for (const char* tricky : {"../shiksha.db", "exports/../shiksha.db", "", "/etc/passwd"}) {
        auto r = f.exports().by_filename(tricky);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::not_found);
    }

    REQUIRE(f.exports().remove(a->id));
    CHECK_FALSE(std::filesystem::exists(a->path));
    auto gone = f.exports().get(a->id);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().message == "PDF not found");
    CHECK(f.exports().remove(a->id).error().code == ErrorCode::not_found);

    std::filesystem::remove(b->path);
    auto missing = f.exports().download(b->id);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::not_found);
    CHECK(missing.error().message == "File missing");
}

TEST_CASE("an expired export disappears from disk and from the engine; orphan files are swept") {
    Fixture f;
    auto old = f.exports().module_pdf(f.module_id);
    auto fresh = f.exports().module_pdf(f.module_id);
    REQUIRE(old);
    REQUIRE(fresh);
    const auto orphan = f.dir.path() / "exports" / "left-by-a-crash.pdf";
    test::write_bytes(orphan, "%PDF-1.7 partial");
    f.expire(old->id);

    // Hidden at once, before any sweep.
    CHECK(f.exports().get(old->id).error().message == "PDF not found");
    CHECK_FALSE(f.exports().by_filename(old->filename));
    CHECK(f.exports().list()->size() == 1);

    auto swept = f.exports().sweep_expired();
    REQUIRE(swept);
    CHECK(*swept == 1);
    CHECK_FALSE(std::filesystem::exists(old->path));
    CHECK_FALSE(std::filesystem::exists(orphan));
    CHECK(std::filesystem::exists(fresh->path));
    CHECK(*f.exports().sweep_expired() == 0);
}

TEST_CASE("deleting the module deletes its exports, files included") {
    Fixture f;
    auto file = f.exports().module_pdf(f.module_id);
    REQUIRE(file);
    REQUIRE(f.platform->modules().remove(f.module_id));
    CHECK_FALSE(std::filesystem::exists(file->path));
    CHECK_FALSE(f.exports().get(file->id));
}

TEST_CASE("a missing font directory is an error naming the Debian package, and nothing is recorded") {
    Fixture f([](Config& c) { c.exports.font_dir = "/nonexistent/fonts"; });
    auto r = f.exports().module_pdf(f.module_id);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().message.find("fonts-noto-core") != std::string::npos);
    CHECK(f.exports().list()->empty());
    const auto dir = f.dir.path() / "exports";
    CHECK((!std::filesystem::exists(dir) || std::filesystem::is_empty(dir)));
}

TEST_CASE("the module's video suggestions are printed as links") {
    if (!tools_or_skip()) return;
    Fixture f;
    REQUIRE(f.platform->videos().import_catalogue(
        "video_id,title,duration\nlocal000001,Torch bulbs in series and parallel,6:30\n", "csv"));
    auto suggested = f.platform->videos().suggest(f.module_id);
    REQUIRE(suggested);
    REQUIRE(suggested->videos.size() == 1);
    auto file = f.exports().module_pdf(f.module_id);
    REQUIRE(file);
    const auto text = test::normalized(test::pdf_text(file->path));
    CHECK(text.find("Torch bulbs in series and parallel") != std::string::npos);
    std::ifstream in(file->path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(suggested->videos[0].url) != std::string::npos);
}

namespace {

struct SharedLink {
    std::string filename, expires, sig;
};

/// Splits `{public_url}/api/files/shared/{filename}?expires=…&sig=…`.
SharedLink parse_link(const std::string& url) {
    const auto name_at = url.find("/api/files/shared/") + std::string("/api/files/shared/").size();
    const auto query = url.find('?', name_at);
    const auto expires_at = url.find("expires=", query) + 8;
    const auto amp = url.find('&', expires_at);
    const auto sig_at = url.find("sig=", amp) + 4;
    return {url.substr(name_at, query - name_at), url.substr(expires_at, amp - expires_at),
            url.substr(sig_at)};
}

/// HMAC-SHA256 hex, as the link layout documents it (a test of that layout, made independently).
std::string hmac_hex(const std::string& key, const std::string& message) {
    unsigned char mac[32];
    unsigned int len = sizeof mac;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[mac[i] >> 4]);
        out.push_back(hex[mac[i] & 15]);
    }
    return out;
}

} // namespace

// Regression (issue 16, defect 6): the signature covered only the file name and the expiry,
// so once an export was deleted or swept, the next export given the same name was served to
// anyone holding the old link.
TEST_CASE("a signed link never serves a later export that reuses the file name") {
    Fixture f;
    auto first = f.exports().module_pdf(f.module_id);
    REQUIRE(first);
    auto url = f.exports().public_link(first->id);
    REQUIRE(url);
    const auto link = parse_link(*url);
    REQUIRE(link.filename == first->filename);
    auto served = f.exports().download_shared(link.filename, link.expires, link.sig);
    REQUIRE(served);
    CHECK(served->first.id == first->id);

    REQUIRE(f.exports().remove(first->id));
    auto second = f.exports().module_pdf(f.module_id);
    REQUIRE(second);
    REQUIRE(second->filename == first->filename); // the name is free again and reused
    auto stale = f.exports().download_shared(link.filename, link.expires, link.sig);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == ErrorCode::not_found);
    // The new export's own link works.
    const auto fresh = parse_link(*f.exports().public_link(second->id));
    CHECK(f.exports().download_shared(fresh.filename, fresh.expires, fresh.sig));
}

// Regression (issue 16, defect 6): the signed `expires` was never compared with the clock.
TEST_CASE("a link past its signed expiry is refused although the export is still live") {
    Fixture f;
    auto file = f.exports().module_pdf(f.module_id);
    REQUIRE(file);
    const std::string secret = "test-secret-test-secret-test-secret-0123"; // test_config's
    const auto sign = [&](const std::string& expires) {
        const auto created =
            std::chrono::duration_cast<std::chrono::microseconds>(file->created_at.time_since_epoch())
                .count();
        return hmac_hex(secret, "export-link-v2\n" + std::to_string(file->id) + "\n" + file->sha256 + "\n" +
                                    std::to_string(created) + "\n" + file->filename + "\n" + expires);
    };
    const auto link = parse_link(*f.exports().public_link(file->id));
    REQUIRE(link.sig == sign(link.expires)); // the layout this test signs with is the engine's

    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const auto past = std::to_string(now - 60);
    auto expired = f.exports().download_shared(file->filename, past, sign(past));
    REQUIRE_FALSE(expired);
    CHECK(expired.error().code == ErrorCode::not_found);
    const auto later = std::to_string(now + 600);
    CHECK(f.exports().download_shared(file->filename, later, sign(later)));
    for (const char* junk : {"", "abc", "12x", "-5"}) {
        CHECK_FALSE(f.exports().download_shared(file->filename, junk, sign(junk)));
    }
}
