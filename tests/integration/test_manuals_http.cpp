// Manuals over real HTTP: multipart and raw uploads, auth and anonymous uploads, indexing as a
// job with progress, chunks, pages and search.
#include "server_fixture.hpp"

#include <fstream>
#include <sstream>

using namespace shiksha;
using namespace shiksha::test;

namespace {

/// A multipart/form-data body as browsers and axios send it.
std::string multipart(const std::string& boundary, const std::string& filename, const std::string& data) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
           "\"\r\nContent-Type: application/pdf\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
}

HttpResult upload(HttpClient& c, const std::string& token, const std::string& title = "Handbook",
                  const std::string& filename = "handbook.pdf",
                  const std::string& data = read_file(sample_manual)) {
    const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    Headers h{{"Content-Type", "multipart/form-data; boundary=" + boundary}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return c.request("POST", "/api/manuals/upload?title=" + title, multipart(boundary, filename, data), h);
}

/// Waits through the library (the server runs in-process), then reads the job over HTTP once.
Json finished_job(TestServer& s, HttpClient& c, const std::string& token, const std::string& id) {
    REQUIRE(s.platform->jobs().wait(id));
    auto r = c.get("/api/jobs/" + id, token);
    REQUIRE(r.status == 200);
    return r.json();
}

} // namespace

TEST_CASE("upload, index as a job, then list chunks, pages and search over HTTP") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);
    auto up = upload(c, token);
    REQUIRE_MESSAGE(up.status == 201, up.body);
    const Json manual = up.json();
    CHECK(manual.find("total_pages")->as_int() == 8);
    CHECK(manual.find("processed")->as_string() == "pending");
    CHECK_FALSE(manual.find("duplicate")->as_bool());
    const std::string id = std::to_string(manual.find("id")->as_int());

    auto again = upload(c, token, "Same%20bytes");
    CHECK(again.status == 200);
    CHECK(again.json().find("duplicate")->as_bool());

    auto started = c.request("POST", "/api/manuals/" + id + "/index?async=true", {},
                             {{"Authorization", "Bearer " + token}});
    REQUIRE_MESSAGE(started.status == 202, started.body);
    const auto job_id = started.json().find("job_id")->as_string();
    CHECK(started.header("location") == "/api/jobs/" + job_id);
    const Json job = finished_job(s, c, token, job_id);
    CHECK(job.find("state")->as_string() == "succeeded");
    CHECK(job.find("percent")->as_double() == 100.0);
    CHECK(job.find("result")->find("ocr_pages")->as_int() == 1);

    auto got = c.get("/api/manuals/" + id, token);
    CHECK(got.json().find("indexed")->as_bool());
    CHECK(got.json().find("processed")->as_string() == "completed");

    auto chunks = c.get("/api/manuals/" + id + "/chunks?offset=0&limit=5", token);
    REQUIRE(chunks.status == 200);
    CHECK(chunks.json().as_array().size() == 5);
    CHECK(chunks.json().as_array().front().find("page_start")->as_int() == 1);

    auto pages = c.get("/api/v1/manuals/" + id + "/pages", token);
    REQUIRE(pages.status == 200);
    CHECK(pages.json().as_array().at(7).find("method")->as_string() == "ocr");

    auto hits =
        c.post_json("/api/search", Json::object({{"query", "lemon battery copper coin"}, {"k", 3}}), token);
    REQUIRE_MESSAGE(hits.status == 200, hits.body);
    const Json top = hits.json().find("hits")->as_array().front();
    CHECK(top.find("page_start")->as_int() == 2);
    CHECK(top.find("manual_title")->as_string() == "Handbook");
    CHECK(top.find("scores")->find("fused")->as_double() > 0);

    auto listed = c.get("/api/manuals/", token);
    CHECK(listed.json().as_array().size() == 1);
    CHECK(c.request("DELETE", "/api/manuals/" + id, {}, {{"Authorization", "Bearer " + token}}).status ==
          204);
    CHECK(c.get("/api/manuals/" + id, token).status == 404);
}

TEST_CASE("index is synchronous by default: 200 with the indexed Manual, as the original frontend expects") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);
    auto up = upload(c, token);
    REQUIRE(up.status == 201);
    const std::string id = std::to_string(up.json().find("id")->as_int());
    auto r = c.request("POST", "/api/manuals/" + id + "/index", {}, {{"Authorization", "Bearer " + token}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.json().find("indexed")->as_bool());
    CHECK(r.json().find("processed")->as_string() == "completed");
    CHECK(r.json().find("id")->as_int() == up.json().find("id")->as_int());
    CHECK(r.json().find("job_id") == nullptr);
    // The former spelling still answers synchronously.
    auto again = c.request("POST", "/api/manuals/" + id + "/index?wait=true", {},
                           {{"Authorization", "Bearer " + token}});
    CHECK(again.status == 200);
    CHECK(c.request("POST", "/api/manuals/" + id + "/index?async=maybe", {},
                    {{"Authorization", "Bearer " + token}})
              .status == 422);
}

TEST_CASE("a raw application/pdf body is accepted too") {
    TestServer s;
    const auto token = s.admin();
    HttpClient c(s.port);
    auto r =
        c.request("POST", "/api/manuals/upload?title=Raw%20upload&filename=raw.pdf", read_file(sample_manual),
                  {{"Content-Type", "application/pdf"}, {"Authorization", "Bearer " + token}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(r.json().find("title")->as_string() == "Raw upload");
    CHECK(r.json().find("filename")->as_string() == "raw.pdf");
}

TEST_CASE("uploads need a coordinator unless anonymous uploads are allowed") {
    TestServer s;
    HttpClient c(s.port);
    CHECK(upload(c, "").status == 401);
    CHECK(upload(c, s.teacher()).status == 403);
    CHECK(upload(c, s.principal()).status == 201);
}

TEST_CASE("anonymous uploads, when allowed, are throttled and marked in the audit log") {
    TestServer s([](Config& cfg) {
        cfg.server.allow_anonymous_upload = true;
        cfg.server.anonymous_uploads_per_hour = 1;
    });
    HttpClient c(s.port);
    auto first = upload(c, "");
    REQUIRE_MESSAGE(first.status == 201, first.body);
    auto second =
        upload(c, "", "Second", "other.pdf",
               read_file(std::filesystem::path(SHIKSHA_SOURCE_DIR) / "tests/data/encrypted_owner_only.pdf"));
    CHECK(second.status == 429);
    // Regression (issue 16, defect 3): this 429 went out without Retry-After. One upload an
    // hour: the next is about an hour away.
    CHECK(std::stoi(second.header("retry-after")) > 3000);
    const auto admin = s.admin();
    CHECK(upload(c, admin, "By%20admin", "x.pdf",
                 read_file(std::filesystem::path(SHIKSHA_SOURCE_DIR) / "tests/data/encrypted_owner_only.pdf"))
              .status == 201); // signed-in users are not throttled as anonymous
    auto audit = c.get("/api/audit?limit=50", admin);
    REQUIRE(audit.status == 200);
    int anonymous = 0;
    const Json entries = audit.json();
    for (const auto& e : entries.as_array()) {
        const Json* flag = e.find("detail")->find("anonymous");
        if (e.find("action")->as_string() == "manual.upload" && flag && flag->as_bool()) {
            ++anonymous;
            CHECK(e.find("user_id")->is_null());
        }
    }
    CHECK(anonymous == 1);
    CHECK(c.get("/api/audit", s.teacher()).status == 403);
}

TEST_CASE("bad uploads get clear errors") {
    TestServer s([](Config& cfg) { cfg.server.max_body_bytes = 64 * 1024; });
    const auto token = s.admin();
    HttpClient c(s.port);
    auto not_pdf_name = upload(c, token, "Notes", "notes.txt", "hello");
    CHECK(not_pdf_name.status == 422);
    CHECK(not_pdf_name.json().find("detail")->as_string() == "Only PDF files are allowed");

    auto not_pdf = upload(c, token, "Notes", "notes.pdf", "hello, not a pdf");
    CHECK(not_pdf.status == 422);
    CHECK(not_pdf.json().find("detail")->as_string().find("not a PDF") != std::string::npos);

    auto no_title = c.request("POST", "/api/manuals/upload", "x",
                              {{"Content-Type", "application/pdf"}, {"Authorization", "Bearer " + token}});
    CHECK(no_title.status == 422);
    CHECK(no_title.json().find("errors")->as_array().front().find("loc")->as_array().at(0).as_string() ==
          "query");

    auto no_file = c.request(
        "POST", "/api/manuals/upload?title=Empty",
        "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
        {{"Content-Type", "multipart/form-data; boundary=b"}, {"Authorization", "Bearer " + token}});
    CHECK(no_file.status == 422);
    CHECK(no_file.json().find("detail")->as_string() == "file: Field required");

    auto broken = c.request(
        "POST", "/api/manuals/upload?title=Broken", "--b\r\nno end",
        {{"Content-Type", "multipart/form-data; boundary=b"}, {"Authorization", "Bearer " + token}});
    CHECK(broken.status == 422);
    CHECK(broken.json().find("detail")->as_string().starts_with("Malformed multipart body"));

    auto too_big = upload(c, token); // the sample is 93 KB, the limit here 64 KB
    CHECK(too_big.status == 413);

    CHECK(c.request("POST", "/api/manuals/999/index", {}, {{"Authorization", "Bearer " + token}}).status ==
          404);
    CHECK(c.post_json("/api/search", Json::object({{"query", ""}}), token).status == 422);
    CHECK(c.post_json("/api/search", Json::object({{"query", "x"}, {"k", 0}}), token).status == 422);
    CHECK(c.get("/api/jobs/nope", token).status == 404);
}
