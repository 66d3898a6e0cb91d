// PDF exports over real HTTP: the requirement's route (options body, pdf_url), the original
// frontend's module-pdf / download / delete, download by file name with authentication and
// without path tricks, expiry, and the manual file that citations link to.
#include "server_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <functional>

using namespace shiksha;
using namespace shiksha::test;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct ExportServer : TestServer {
    std::int64_t manual = 0;
    std::int64_t module = 0;

    explicit ExportServer(const std::function<void(Config&)>& tweak = {}) : TestServer(tweak) {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        manual = up->manual.id;
        std::int64_t cluster = 0;
        const auto clusters = platform->clusters().list();
        REQUIRE(clusters);
        for (const auto& c : *clusters) {
            if (c.name == "Mumbai Urban Cluster") cluster = c.id;
        }
        auto m =
            platform->modules().generate({manual, cluster, "Series and parallel circuits", "english", {}});
        REQUIRE(m);
        module = m->id;
    }

    std::string module_path() const { return "/api/modules/" + std::to_string(module); }
};

Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

} // namespace

TEST_CASE("POST /api/modules/{id}/export/pdf takes the requirement's options and returns a download URL") {
    ExportServer s;
    const auto teacher = s.teacher();
    HttpClient c(s.port);

    auto r = c.post_json(s.module_path() + "/export/pdf",
                         Json::object({{"include_original", true}, {"page_size", "Letter"}}), teacher);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const Json body = r.json();
    CHECK(body.find("success")->as_bool());
    const auto filename = body.find("filename")->as_string();
    CHECK(filename == "Module_Series_and_parallel_circuits_Mumbai_Urban_Cluster_English.pdf");
    // The requirement shows a path; the absolute link (from the Host the request came to) beside it.
    const auto path = body.find("pdf_url")->as_string();
    CHECK(path == "/api/files/download/" + filename);
    CHECK(body.find("download_url")->as_string() ==
          "http://127.0.0.1:" + std::to_string(s.port) + "/api/files/download/" + filename);
    CHECK(body.find("file_size")->as_int() > 1000);
    CHECK(body.find("generated_at")->is_string());

    // The URL downloads with a token, as an attachment named like the file.
    CHECK(c.get(path).status == 401);
    auto pdf = c.get(path, teacher);
    REQUIRE(pdf.status == 200);
    CHECK(pdf.header("content-type") == "application/pdf");
    CHECK(pdf.header("content-disposition") == "attachment; filename=\"" + filename + "\"");
    CHECK(pdf.body.starts_with("%PDF-"));
    CHECK(static_cast<std::int64_t>(pdf.body.size()) == body.find("file_size")->as_int());
    CHECK(c.get("/exports/" + filename, teacher).status == 200); // the original's static path

    // No body at all: defaults (A4, English).
    auto plain = c.request("POST", s.module_path() + "/export/pdf", {}, bearer(teacher));
    CHECK(plain.status == 200);

    SUBCASE("bad input") {
        auto size =
            c.post_json(s.module_path() + "/export/pdf", Json::object({{"page_size", "A0"}}), teacher);
        CHECK(size.status == 422);
        CHECK(size.json().find("errors")->as_array().front().find("loc")->as_array().back().as_string() ==
              "page_size");
        CHECK(
            c.post_json(s.module_path() + "/export/pdf", Json::object({{"include_original", "yes"}}), teacher)
                .status == 422);
        CHECK(c.post_json(s.module_path() + "/export/pdf", Json::object({{"language", "klingon"}}), teacher)
                  .status == 422);
        CHECK(c.request("POST", s.module_path() + "/export/pdf", "{not json",
                        {{"Authorization", "Bearer " + teacher}, {"Content-Type", "application/json"}})
                  .status == 400);
        auto missing = c.post_json("/api/modules/9999/export/pdf", Json::object(), teacher);
        CHECK(missing.status == 404);
        CHECK(missing.json().find("detail")->as_string() == "Module not found");
        CHECK(c.post_json(s.module_path() + "/export/pdf", Json::object(), "").status == 401);
    }
}

TEST_CASE("links in the answer and inside the PDF use the base the request reached, never a guessed port") {
    SUBCASE("derived from Host") {
        ExportServer s;
        const auto teacher = s.teacher();
        HttpClient c(s.port);
        auto r = c.request("POST", s.module_path() + "/export/pdf", {}, bearer(teacher));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        const std::string base = "http://127.0.0.1:" + std::to_string(s.port);
        CHECK(r.json().find("download_url")->as_string().starts_with(base + "/api/files/download/"));
        auto pdf = c.get(r.json().find("pdf_url")->as_string(), teacher);
        REQUIRE(pdf.status == 200);
        CHECK(pdf.body.find("(" + base + "/api/manuals/") != std::string::npos);
        CHECK(pdf.body.find(":8000/") == std::string::npos);

        // X-Forwarded-* are ignored unless the deployment trusts its proxy.
        auto forwarded = c.request("POST", s.module_path() + "/export/pdf", {},
                                   {{"Authorization", "Bearer " + teacher},
                                    {"X-Forwarded-Host", "evil.example"},
                                    {"X-Forwarded-Proto", "https"}});
        CHECK(forwarded.json().find("download_url")->as_string().starts_with(base + "/"));

        // A Host that is not a host name gives no absolute link at all.
        auto odd = c.request("POST", s.module_path() + "/export/pdf", {},
                             {{"Authorization", "Bearer " + teacher}, {"Host", "a b\"<x>"}});
        REQUIRE(odd.status == 200);
        CHECK(odd.json().find("download_url")->is_null());
        CHECK(odd.json().find("pdf_url")->as_string().starts_with("/api/files/download/"));
    }
    SUBCASE("from a trusted proxy") {
        ExportServer s([](Config& c) { c.server.trust_forwarded_headers = true; });
        const auto teacher = s.teacher();
        HttpClient c(s.port);
        auto r = c.request("POST", s.module_path() + "/export/pdf", {},
                           {{"Authorization", "Bearer " + teacher},
                            {"X-Forwarded-Host", "shiksha.diet.example, inner.proxy"},
                            {"X-Forwarded-Proto", "https"}});
        REQUIRE_MESSAGE(r.status == 200, r.body);
        CHECK(r.json()
                  .find("download_url")
                  ->as_string()
                  .starts_with("https://shiksha.diet.example/api/files/download/"));
        auto pdf = c.get(r.json().find("pdf_url")->as_string(), teacher);
        CHECK(pdf.body.find("(https://shiksha.diet.example/api/manuals/") != std::string::npos);
    }
    SUBCASE("a configured SHIKSHA_PUBLIC_URL wins over Host") {
        ExportServer s([](Config& c) { c.exports.public_url = "https://shiksha.gov.example/"; });
        const auto teacher = s.teacher();
        HttpClient c(s.port);
        auto r = c.request("POST", s.module_path() + "/export/pdf", {}, bearer(teacher));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        CHECK(r.json()
                  .find("download_url")
                  ->as_string()
                  .starts_with("https://shiksha.gov.example/api/files/download/"));
        auto pdf = c.get(r.json().find("pdf_url")->as_string(), teacher);
        CHECK(pdf.body.find("(https://shiksha.gov.example/api/manuals/") != std::string::npos);
    }
}

TEST_CASE("the original frontend's export, download and delete") {
    ExportServer s;
    const auto teacher = s.teacher();
    const auto admin = s.admin();
    HttpClient c(s.port);

    auto made = c.request("POST", "/api/exports/module-pdf?module_id=" + std::to_string(s.module), {},
                          bearer(teacher));
    REQUIRE_MESSAGE(made.status == 200, made.body);
    CHECK(made.json().find("status")->as_string() == "success");
    CHECK(made.json().find("message")->as_string() == "PDF exported successfully");
    const auto id = std::to_string(made.json().find("pdf_id")->as_int());

    auto missing = c.request("POST", "/api/exports/module-pdf?module_id=9999", {}, bearer(teacher));
    CHECK(missing.status == 404);
    CHECK(missing.json().find("detail")->as_string() == "Module not found");
    CHECK(c.request("POST", "/api/exports/module-pdf", {}, bearer(teacher)).status == 422);
    CHECK(c.request("POST", "/api/exports/module-pdf?module_id=abc", {}, bearer(teacher)).status == 422);

    auto pdf = c.get("/api/exports/download/" + id, teacher);
    REQUIRE(pdf.status == 200);
    CHECK(pdf.header("content-type") == "application/pdf");
    CHECK(pdf.header("content-disposition").starts_with("attachment; filename=\"Module_"));
    auto listed = c.get("/api/exports?module_id=" + std::to_string(s.module), teacher);
    REQUIRE(listed.status == 200);
    REQUIRE(listed.json().as_array().size() == 1);
    CHECK(listed.json().as_array().front().find("downloaded_at")->is_string());

    CHECK(c.request("DELETE", "/api/exports/" + id, {}, bearer(teacher)).status == 403);
    auto deleted = c.request("DELETE", "/api/exports/" + id, {}, bearer(admin));
    REQUIRE(deleted.status == 200);
    CHECK(deleted.json().find("message")->as_string() == "PDF deleted by admin");
    auto gone = c.get("/api/exports/download/" + id, teacher);
    CHECK(gone.status == 404);
    CHECK(gone.json().find("detail")->as_string() == "PDF not found");
    CHECK(c.request("DELETE", "/api/exports/" + id, {}, bearer(admin)).status == 404);
}

TEST_CASE("download by file name: no path tricks, 404 once expired, 'File missing' when the file is gone") {
    ExportServer s;
    const auto teacher = s.teacher();
    HttpClient c(s.port);
    auto file = s.platform->exports().module_pdf(s.module);
    REQUIRE(file);

    for (const char* tricky : {"..%2Fshiksha.db", "%2E%2E%2Fshiksha.db", "..%5Cshiksha.db", "shiksha.db",
                               "%2Fetc%2Fpasswd", "..", "."}) {
        auto r = c.get(std::string("/api/files/download/") + tricky, teacher);
        CHECK_MESSAGE(r.status == 404, tricky);
        CHECK(r.body.find("SQLite") == std::string::npos);
    }

    CHECK(c.get("/api/files/download/" + file->filename, teacher).status == 200);
    std::filesystem::remove(file->path);
    auto missing = c.get("/api/exports/download/" + std::to_string(file->id), teacher);
    CHECK(missing.status == 404);
    CHECK(missing.json().find("detail")->as_string() == "File missing");

    auto other = s.platform->exports().module_pdf(s.module);
    REQUIRE(other);
    {
        SQLite::Database db((s.dir.path() / "shiksha.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement q(db, "UPDATE exports SET expires_at = 1 WHERE id = ?");
        q.bind(1, other->id);
        REQUIRE(q.exec() == 1);
    }
    CHECK(c.get("/api/files/download/" + other->filename, teacher).status == 404);
    CHECK(c.get("/api/exports/download/" + std::to_string(other->id), teacher).status == 404);
}

TEST_CASE("the manual PDF that citations link to") {
    ExportServer s;
    const auto teacher = s.teacher();
    HttpClient c(s.port);
    auto r = c.get("/api/manuals/" + std::to_string(s.manual) + "/file", teacher);
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/pdf");
    CHECK(r.header("content-disposition").starts_with("inline; filename="));
    CHECK(static_cast<std::uintmax_t>(r.body.size()) == std::filesystem::file_size(sample));
    CHECK(c.get("/api/manuals/9999/file", teacher).status == 404);
    CHECK(c.get("/api/manuals/" + std::to_string(s.manual) + "/file").status == 401);
}
