// Modules and questions over real HTTP with the offline adapter: generate (sync and as a job),
// list with filters, get, approve (PATCH and the frontend's GET), delete, languages, ask.
#include "server_fixture.hpp"

#include <fstream>
#include <sstream>

using namespace shiksha;
using namespace shiksha::test;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct ModuleServer : TestServer {
    std::int64_t manual = 0;
    std::vector<Cluster> clusters;

    ModuleServer() {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        manual = up->manual.id;
        clusters = *platform->clusters().list();
    }

    std::int64_t cluster(std::string_view name) const {
        for (const auto& c : clusters) {
            if (c.name == name) return c.id;
        }
        FAIL("no cluster " << name);
        return 0;
    }

    Json request(std::int64_t cluster_id, const std::string& topic) const {
        return Json::object({{"manual_id", manual},
                             {"cluster_id", cluster_id},
                             {"topic", topic},
                             {"target_language", "english"}});
    }
};

} // namespace

TEST_CASE("generate, list, get, approve and delete modules over HTTP") {
    ModuleServer s;
    const auto teacher = s.teacher();
    const auto principal = s.principal();
    HttpClient c(s.port);

    auto made =
        c.post_json("/api/modules/generate",
                    s.request(s.cluster("Bastar Tribal Cluster"), "Series and parallel circuits"), teacher);
    REQUIRE_MESSAGE(made.status == 201, made.body);
    const Json module = made.json();
    const auto id = std::to_string(module.find("id")->as_int());
    CHECK(module.find("title")->as_string() == "Series and parallel circuits");
    CHECK(module.find("approved")->as_bool() == false);
    CHECK(module.find("language")->as_string() == "english");
    CHECK(module.find("adapted_content")->as_string().find("Series and parallel circuits") !=
          std::string::npos);
    CHECK(module.find("generation")->find("adapter")->as_string() == "offline-rules");
    CHECK_FALSE(module.find("content")->find("citations")->as_array().empty());

    auto other =
        c.post_json("/api/v1/modules/generate",
                    s.request(s.cluster("Mumbai Urban Cluster"), "Series and parallel circuits"), teacher);
    REQUIRE(other.status == 201);
    CHECK(other.json().find("adapted_content")->as_string() != module.find("adapted_content")->as_string());

    CHECK(c.get("/api/modules/", teacher).json().as_array().size() == 2);
    auto filtered =
        c.get("/api/modules/?cluster_id=" + std::to_string(s.cluster("Mumbai Urban Cluster")), teacher);
    REQUIRE(filtered.json().as_array().size() == 1);
    CHECK(c.get("/api/modules/?cluster_id=0&manual_id=0", teacher).json().as_array().size() ==
          2); // 0 = no filter
    CHECK(c.get("/api/modules/?cluster_id=abc", teacher).status == 422);
    CHECK(c.get("/api/modules/" + id, teacher).json().find("id")->as_int() == module.find("id")->as_int());

    CHECK(c.request("PATCH", "/api/modules/" + id + "/approve", {}, {{"Authorization", "Bearer " + teacher}})
              .status == 403); // approving is for principals and above
    auto approved =
        c.request("PATCH", "/api/modules/" + id + "/approve", {}, {{"Authorization", "Bearer " + principal}});
    REQUIRE(approved.status == 200);
    CHECK(approved.json().find("status")->as_string() == "success");
    CHECK(approved.json().find("module_id")->as_int() == module.find("id")->as_int());
    CHECK(approved.json().find("message")->as_string() == "Module approved and PDF generated successfully");
    // Approval renders a PDF, as the original does; it downloads like any export.
    const auto pdf_id = approved.json().find("pdf_id")->as_int();
    auto pdf = c.get("/api/exports/download/" + std::to_string(pdf_id), principal);
    CHECK(pdf.status == 200);
    CHECK(pdf.body.starts_with("%PDF-"));
    CHECK(c.get("/api/modules/" + id + "/approve", principal).status == 200); // the frontend's GET alias
    CHECK(c.get("/api/modules/" + id, teacher).json().find("approved")->as_bool());

    CHECK(c.request("DELETE", "/api/modules/" + id, {}, {{"Authorization", "Bearer " + principal}}).status ==
          204);
    auto gone = c.get("/api/modules/" + id, teacher);
    CHECK(gone.status == 404);
    CHECK(gone.json().find("detail")->as_string() == "Module with ID " + id + " not found");
}

TEST_CASE("generation errors follow the contract's messages") {
    ModuleServer s;
    const auto token = s.teacher();
    HttpClient c(s.port);
    const auto tribal = s.cluster("Bastar Tribal Cluster");
    auto no_manual =
        c.post_json("/api/modules/generate",
                    Json::object({{"manual_id", 999}, {"cluster_id", tribal}, {"topic", "Circuits"}}), token);
    CHECK(no_manual.status == 404);
    CHECK(no_manual.json().find("detail")->as_string() == "Manual with ID 999 not found");
    auto no_cluster = c.post_json(
        "/api/modules/generate",
        Json::object({{"manual_id", s.manual}, {"cluster_id", 999}, {"topic", "Circuits"}}), token);
    CHECK(no_cluster.json().find("detail")->as_string() == "Cluster with ID 999 not found");
    auto short_topic = c.post_json("/api/modules/generate", s.request(tribal, "x"), token);
    CHECK(short_topic.status == 422);
    auto wrong_type = c.post_json(
        "/api/modules/generate",
        Json::object({{"manual_id", "one"}, {"cluster_id", tribal}, {"topic", "Circuits"}}), token);
    CHECK(wrong_type.status == 422);
    CHECK(wrong_type.json().find("errors")->as_array().front().find("loc")->as_array().at(1).as_string() ==
          "manual_id");
    auto unrelated =
        c.post_json("/api/modules/generate", s.request(tribal, "Quantum chromodynamics of gluons"), token);
    CHECK(unrelated.status == 404);
    CHECK(unrelated.json().find("detail")->as_string() ==
          "No relevant content found for topic 'Quantum chromodynamics of gluons' in manual");

    auto up = s.platform->manuals().upload_file(std::filesystem::path(SHIKSHA_SOURCE_DIR) /
                                                    "tests/data/encrypted_owner_only.pdf",
                                                {"Not indexed yet", ""});
    REQUIRE(up);
    auto not_indexed = c.post_json(
        "/api/modules/generate",
        Json::object({{"manual_id", up->manual.id}, {"cluster_id", tribal}, {"topic", "Circuits"}}), token);
    CHECK(not_indexed.status == 409);
    CHECK(not_indexed.json().find("detail")->as_string() ==
          "Manual must be indexed before generating modules");
    CHECK(c.post_json("/api/modules/generate", s.request(tribal, "Circuits"), "").status == 401);
}

TEST_CASE("?async=true returns a job whose result is the module") {
    ModuleServer s;
    const auto token = s.teacher();
    HttpClient c(s.port);
    auto started =
        c.post_json("/api/modules/generate?async=true",
                    s.request(s.cluster("Satara Rural Marathi Cluster"), "Turmeric indicator"), token);
    REQUIRE_MESSAGE(started.status == 202, started.body);
    const auto job_id = started.json().find("job_id")->as_string();
    REQUIRE(s.platform->jobs().wait(job_id));
    auto job = c.get("/api/jobs/" + job_id, token);
    REQUIRE(job.status == 200);
    CHECK(job.json().find("state")->as_string() == "succeeded");
    CHECK(job.json().find("result")->find("title")->as_string() == "Turmeric indicator");
    CHECK(c.get("/api/modules/", token).json().as_array().size() == 1);
}

TEST_CASE("languages are listed exactly as the contract orders them, without a token") {
    ModuleServer s;
    HttpClient c(s.port);
    auto r = c.get("/api/modules/languages");
    REQUIRE(r.status == 200);
    const Json langs = r.json();
    const auto& members = langs.as_object();
    REQUIRE(members.size() == 12);
    const std::vector<std::string> order{"english",  "hindi",   "marathi",   "bengali", "tamil", "telugu",
                                         "gujarati", "kannada", "malayalam", "punjabi", "odia",  "urdu"};
    for (std::size_t i = 0; i < order.size(); ++i)
        CHECK(members[i].first == order[i]);
    CHECK(langs.find("hindi")->as_string() == "हिंदी (Hindi)");
}

TEST_CASE("ask answers from the manuals with pages, and declines when they do not cover it") {
    ModuleServer s;
    const auto token = s.teacher();
    HttpClient c(s.port);
    auto r = c.post_json("/api/ask", Json::object({{"question", "How do I make a lemon battery?"}}), token);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const Json answer = r.json();
    CHECK(answer.find("grounded")->as_bool());
    CHECK(answer.find("answer")->as_string().find("p. 2") != std::string::npos);
    CHECK(answer.find("sources")->as_array().front().find("page_start")->as_int() == 2);
    auto none = c.post_json("/api/ask",
                            Json::object({{"question", "Who won the cricket world cup in 1983?"}}), token);
    REQUIRE(none.status == 200);
    CHECK_FALSE(none.json().find("grounded")->as_bool());
    CHECK(none.json().find("sources")->as_array().empty());
    CHECK(c.post_json("/api/ask", Json::object({{"question", "x"}}), token).status == 422);
}
