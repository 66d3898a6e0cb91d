// ClusterEngine through the public API, and the wire (JSON) form of clusters.
#include "shiksha/clusters.hpp"
#include "shiksha/platform.hpp"

#include "platform_fixture.hpp"
#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;

namespace {

struct Fixture : test::PlatformFixture {
    ClusterEngine& clusters() { return platform->clusters(); }
    AuthEngine& auth() { return platform->auth(); }

    User user(const std::string& username, Role role) {
        auto u = auth().create_user({.username = username,
                                     .email = username + "@school.edu",
                                     .name = username,
                                     .role = role,
                                     .password = "a long passphrase"});
        REQUIRE(u);
        return *u;
    }
};

NewCluster sample(std::string name) {
    return NewCluster{.name = std::move(name),
                      .region_type = "Tribal Belt",
                      .language = "Hindi",
                      .infrastructure_constraints = "Low",
                      .key_issues = "No science lab; multigrade classrooms",
                      .total_teachers = 42,
                      .additional_notes = std::nullopt};
}

std::vector<std::string> names(const std::vector<Cluster>& list) {
    std::vector<std::string> out;
    for (const auto& c : list)
        out.push_back(c.name);
    return out;
}

/// The field named by a validation failure; fails the test when `r` succeeded.
/// The error code of a failed call; fails the test when `r` succeeded.
template <class T>
ErrorCode code_of(const Result<T>& r) {
    REQUIRE_FALSE(r.has_value());
    return r.error().code;
}

template <class T>
std::string invalid_field(const Result<T>& r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    return r.error().field;
}

Json parse(std::string_view text) {
    auto j = Json::parse(text);
    REQUIRE(j);
    return *j;
}

} // namespace

TEST_CASE("create then get returns the stored cluster") {
    Fixture f;
    const auto created = f.clusters().create(sample("Dantewada tribal block"));
    REQUIRE(created);
    CHECK(created->id > 0);
    CHECK(created->name == "Dantewada tribal block");
    CHECK(created->total_teachers == 42);
    CHECK_FALSE(created->pinned);
    CHECK(created->created_at == created->updated_at);

    const auto fetched = f.clusters().get(created->id);
    REQUIRE(fetched);
    CHECK(fetched->name == created->name);
    CHECK(fetched->region_type == "Tribal Belt");
    CHECK(fetched->language == "Hindi");
    CHECK(fetched->infrastructure_constraints == "Low");
    CHECK(fetched->key_issues == created->key_issues);
    CHECK_FALSE(fetched->additional_notes.has_value());
    CHECK(fetched->created_at == created->created_at);
    CHECK(f.clusters().count().value_or(-1) == 1);
}

TEST_CASE("create trims text and stores Devanagari names") {
    Fixture f;
    auto input = sample("  बस्तर आदिवासी क्लस्टर  ");
    input.additional_notes = "   "; // a blank note means no note
    const auto created = f.clusters().create(input);
    REQUIRE(created);
    CHECK(created->name == "बस्तर आदिवासी क्लस्टर");
    CHECK_FALSE(created->additional_notes.has_value());
}

TEST_CASE("invalid cluster input is refused naming the field") {
    Fixture f;
    auto input = sample("Valid name");
    std::string expected;
    SUBCASE("name of one character") {
        input.name = "a";
        expected = "name";
    }
    SUBCASE("name of 101 characters") {
        input.name = std::string(101, 'n');
        expected = "name";
    }
    SUBCASE("name of only spaces") {
        input.name = "     ";
        expected = "name";
    }
    SUBCASE("empty region_type") {
        input.region_type = "";
        expected = "region_type";
    }
    SUBCASE("empty language") {
        input.language = " ";
        expected = "language";
    }
    SUBCASE("empty infrastructure_constraints") {
        input.infrastructure_constraints = "";
        expected = "infrastructure_constraints";
    }
    SUBCASE("negative total_teachers") {
        input.total_teachers = -1;
        expected = "total_teachers";
    }
    SUBCASE("absurd total_teachers") {
        input.total_teachers = ClusterLimits::total_teachers_max + 1;
        expected = "total_teachers";
    }
    SUBCASE("invalid UTF-8 in the name") {
        input.name = "Cluster \xC3\x28 bad";
        expected = "name";
    }
    SUBCASE("overlong UTF-8 encoding") {
        input.language = "\xC0\xAF";
        expected = "language";
    }
    SUBCASE("control character in the name") {
        input.name = std::string("Bell\x07 cluster");
        expected = "name";
    }
    SUBCASE("control character in key_issues") {
        input.key_issues = std::string("line\x1b[31m");
        expected = "key_issues";
    }
    SUBCASE("oversized additional_notes") {
        input.additional_notes = std::string(ClusterLimits::free_text_max + 1, 'x');
        expected = "additional_notes";
    }
    CHECK(invalid_field(f.clusters().create(input)) == expected);
    CHECK(f.clusters().count().value_or(-1) == 0);
}

TEST_CASE("name limits count characters, not bytes") {
    Fixture f;
    // 100 Devanagari letters are 300 bytes but 100 characters: allowed.
    std::string hundred;
    for (int i = 0; i < 100; ++i)
        hundred += "क";
    CHECK(f.clusters().create(sample(hundred)).has_value());
    CHECK(f.clusters().create(sample("कख")).has_value());
    CHECK(invalid_field(f.clusters().create(sample(hundred + "क"))) == "name");
}

TEST_CASE("duplicate cluster name is a conflict, case-insensitively") {
    Fixture f;
    REQUIRE(f.clusters().create(sample("Mumbai Urban Cluster")));
    const auto dup = f.clusters().create(sample("mumbai URBAN cluster"));
    REQUIRE_FALSE(dup.has_value());
    CHECK(dup.error().code == ErrorCode::conflict);
    CHECK(dup.error().field == "name");
    CHECK(f.clusters().count().value_or(-1) == 1);
}

TEST_CASE("concurrent creates of one name give one cluster and conflicts") {
    Fixture f;
    std::atomic<int> created{0}, conflicts{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto r = f.clusters().create(sample(t % 2 ? "Race Cluster" : "race cluster"));
            if (r)
                ++created;
            else if (r.error().code == ErrorCode::conflict)
                ++conflicts;
            else
                ++other;
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(created.load() == 1);
    CHECK(conflicts.load() == 3);
    CHECK(other.load() == 0);
    CHECK(f.clusters().count().value_or(-1) == 1);
}

TEST_CASE("update applies only the given fields") {
    Fixture f;
    const auto c = f.clusters().create(sample("Satara Rural"));
    REQUIRE(c);
    ClusterPatch patch;
    patch.language = "Marathi";
    patch.total_teachers = 65;
    patch.additional_notes = std::optional<std::string>("Zilla Parishad schools");
    const auto updated = f.clusters().update(c->id, patch);
    REQUIRE(updated);
    CHECK(updated->name == "Satara Rural");
    CHECK(updated->region_type == "Tribal Belt");
    CHECK(updated->language == "Marathi");
    CHECK(updated->total_teachers == 65);
    CHECK(updated->additional_notes == "Zilla Parishad schools");
    CHECK(updated->key_issues == c->key_issues);
    CHECK(updated->updated_at >= c->updated_at);
    CHECK(updated->created_at == c->created_at);

    const auto fetched = f.clusters().get(c->id);
    REQUIRE(fetched);
    CHECK(fetched->language == "Marathi");
    CHECK(fetched->additional_notes == "Zilla Parishad schools");
}

TEST_CASE("update with key_issues set to null clears it") {
    Fixture f;
    const auto c = f.clusters().create(sample("Clearable"));
    REQUIRE(c);
    REQUIRE(c->key_issues.has_value());
    ClusterPatch patch;
    patch.key_issues = std::optional<std::string>();
    const auto updated = f.clusters().update(c->id, patch);
    REQUIRE(updated);
    CHECK_FALSE(updated->key_issues.has_value());
    CHECK_FALSE(f.clusters().get(c->id).value().key_issues.has_value());
}

TEST_CASE("update validates the merged record") {
    Fixture f;
    const auto c = f.clusters().create(sample("Valid"));
    REQUIRE(c);
    ClusterPatch patch;
    patch.name = "x";
    CHECK(invalid_field(f.clusters().update(c->id, patch)) == "name");
    ClusterPatch negative;
    negative.total_teachers = -5;
    CHECK(invalid_field(f.clusters().update(c->id, negative)) == "total_teachers");
    CHECK(f.clusters().get(c->id).value().name == "Valid");
}

TEST_CASE("update onto an existing name is a conflict") {
    Fixture f;
    REQUIRE(f.clusters().create(sample("First")));
    const auto second = f.clusters().create(sample("Second"));
    REQUIRE(second);
    ClusterPatch patch;
    patch.name = "FIRST";
    const auto r = f.clusters().update(second->id, patch);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK(f.clusters().get(second->id).value().name == "Second");

    // Renaming a cluster to (a different case of) its own name is not a clash.
    patch.name = "SECOND";
    const auto own = f.clusters().update(second->id, patch);
    REQUIRE(own);
    CHECK(own->name == "SECOND");
}

TEST_CASE("missing clusters are not_found with the contract's message") {
    Fixture f;
    const auto got = f.clusters().get(999);
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().code == ErrorCode::not_found);
    CHECK(got.error().message == "Cluster with ID 999 not found");

    const auto upd = f.clusters().update(998, ClusterPatch{.name = std::string("Whatever")});
    REQUIRE_FALSE(upd.has_value());
    CHECK(upd.error().message == "Cluster with ID 998 not found");

    const auto del = f.clusters().remove(997);
    REQUIRE_FALSE(del.has_value());
    CHECK(del.error().code == ErrorCode::not_found);
    CHECK(del.error().message == "Cluster with ID 997 not found");

    const auto pin = f.clusters().toggle_pin(996);
    REQUIRE_FALSE(pin.has_value());
    CHECK(pin.error().message == "Cluster with ID 996 not found");

    const auto admin = f.user("boss", Role::admin);
    const auto as = f.clusters().remove_as(995, admin);
    REQUIRE_FALSE(as.has_value());
    CHECK(as.error().message == "Cluster with ID 995 not found");
    const auto teacher = f.user("teach", Role::teacher);
    const auto hide = f.clusters().remove_as(994, teacher);
    REQUIRE_FALSE(hide.has_value());
    CHECK(hide.error().code == ErrorCode::not_found);
}

TEST_CASE("delete removes the cluster") {
    Fixture f;
    const auto c = f.clusters().create(sample("Short lived"));
    REQUIRE(c);
    REQUIRE(f.clusters().remove(c->id));
    CHECK(code_of(f.clusters().get(c->id)) == ErrorCode::not_found);
    CHECK(f.clusters().count().value_or(-1) == 0);
    // The name is free again.
    CHECK(f.clusters().create(sample("Short lived")).has_value());
}

TEST_CASE("toggle_pin flips the pinned flag and persists it") {
    Fixture f;
    const auto c = f.clusters().create(sample("Pinnable"));
    REQUIRE(c);
    const auto pinned = f.clusters().toggle_pin(c->id);
    REQUIRE(pinned);
    CHECK(pinned->pinned);
    CHECK(f.clusters().get(c->id).value().pinned);
    const auto unpinned = f.clusters().toggle_pin(c->id);
    REQUIRE(unpinned);
    CHECK_FALSE(unpinned->pinned);
    CHECK_FALSE(f.clusters().get(c->id).value().pinned);
}

TEST_CASE("list puts pinned clusters first, then newest first") {
    Fixture f;
    std::vector<std::int64_t> ids;
    for (const char* n : {"Oldest", "Middle", "Newer", "Newest"}) {
        auto c = f.clusters().create(sample(n));
        REQUIRE(c);
        ids.push_back(c->id);
    }
    auto all = f.clusters().list();
    REQUIRE(all);
    CHECK(names(*all) == std::vector<std::string>{"Newest", "Newer", "Middle", "Oldest"});

    REQUIRE(f.clusters().toggle_pin(ids[0]));
    REQUIRE(f.clusters().toggle_pin(ids[1]));
    all = f.clusters().list();
    REQUIRE(all);
    CHECK(names(*all) == std::vector<std::string>{"Middle", "Oldest", "Newest", "Newer"});
}

TEST_CASE("list pages with skip and limit") {
    Fixture f;
    for (int i = 0; i < 5; ++i)
        REQUIRE(f.clusters().create(sample("Cluster " + std::to_string(i))));
    const auto first = f.clusters().list({.page = {.skip = 0, .limit = 2}});
    const auto second = f.clusters().list({.page = {.skip = 2, .limit = 2}});
    const auto third = f.clusters().list({.page = {.skip = 4, .limit = 2}});
    const auto beyond = f.clusters().list({.page = {.skip = 10, .limit = 2}});
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE(third);
    REQUIRE(beyond);
    CHECK(names(*first) == std::vector<std::string>{"Cluster 4", "Cluster 3"});
    CHECK(names(*second) == std::vector<std::string>{"Cluster 2", "Cluster 1"});
    CHECK(names(*third) == std::vector<std::string>{"Cluster 0"});
    CHECK(beyond->empty());
}

TEST_CASE("list refuses a limit outside 1..1000 and a negative skip") {
    Fixture f;
    CHECK(invalid_field(f.clusters().list({.page = {.skip = 0, .limit = 0}})) == "limit");
    CHECK(invalid_field(f.clusters().list({.page = {.skip = 0, .limit = 1001}})) == "limit");
    CHECK(invalid_field(f.clusters().list({.page = {.skip = -1, .limit = 10}})) == "skip");
    CHECK(f.clusters().list({.page = {.skip = 0, .limit = 1000}}).has_value());
    CHECK(f.clusters().list({.page = {.skip = 0, .limit = 1}}).has_value());
}

TEST_CASE("a teacher's remove hides the cluster only for that teacher") {
    Fixture f;
    const auto teacher = f.user("priya", Role::teacher);
    const auto other = f.user("amit", Role::teacher);
    const auto shared = f.clusters().create(sample("Shared cluster"));
    const auto kept = f.clusters().create(sample("Kept cluster"));
    REQUIRE(shared);
    REQUIRE(kept);

    const auto removal = f.clusters().remove_as(shared->id, teacher);
    REQUIRE(removal);
    CHECK(*removal == ClusterRemoval::hidden);

    // Still there for everybody else.
    CHECK(f.clusters().get(shared->id).has_value());
    CHECK(f.clusters().count().value_or(-1) == 2);
    const auto for_teacher = f.clusters().list({.hidden_for_user = teacher.id});
    const auto for_other = f.clusters().list({.hidden_for_user = other.id});
    const auto unfiltered = f.clusters().list();
    REQUIRE(for_teacher);
    REQUIRE(for_other);
    REQUIRE(unfiltered);
    CHECK(names(*for_teacher) == std::vector<std::string>{"Kept cluster"});
    CHECK(names(*for_other) == std::vector<std::string>{"Kept cluster", "Shared cluster"});
    CHECK(unfiltered->size() == 2);

    // Hiding twice is harmless.
    const auto again = f.clusters().remove_as(shared->id, teacher);
    REQUIRE(again);
    CHECK(*again == ClusterRemoval::hidden);
}

TEST_CASE("a viewer's remove also only hides") {
    Fixture f;
    const auto viewer = f.user("watcher", Role::viewer);
    const auto c = f.clusters().create(sample("Watched"));
    REQUIRE(c);
    const auto removal = f.clusters().remove_as(c->id, viewer);
    REQUIRE(removal);
    CHECK(*removal == ClusterRemoval::hidden);
    CHECK(f.clusters().get(c->id).has_value());
}

TEST_CASE("a principal's remove deletes the cluster for everyone") {
    Fixture f;
    const auto principal = f.user("anita", Role::principal);
    const auto teacher = f.user("lakshmi", Role::teacher);
    const auto c = f.clusters().create(sample("Doomed"));
    REQUIRE(c);
    REQUIRE(f.clusters().remove_as(c->id, teacher)); // hidden rows cascade with the cluster
    const auto removal = f.clusters().remove_as(c->id, principal);
    REQUIRE(removal);
    CHECK(*removal == ClusterRemoval::deleted);
    CHECK(code_of(f.clusters().get(c->id)) == ErrorCode::not_found);
    CHECK(f.clusters().count().value_or(-1) == 0);
}

TEST_CASE("cluster changes are written to the audit log") {
    Fixture f;
    const auto c = f.clusters().create(sample("Audited"), Actor{std::nullopt, "req-1", "cli"});
    REQUIRE(c);
    REQUIRE(f.clusters().toggle_pin(c->id));
    REQUIRE(f.clusters().remove(c->id));
    const auto log = f.auth().audit_log();
    REQUIRE(log);
    std::vector<std::string> actions;
    for (const auto& e : *log) {
        if (e.target == "cluster:" + std::to_string(c->id)) actions.push_back(e.action);
    }
    CHECK(actions == std::vector<std::string>{"cluster.delete", "cluster.pin", "cluster.create"});
    const auto create = std::find_if(log->begin(), log->end(),
                                     [](const AuditEntry& e) { return e.action == "cluster.create"; });
    REQUIRE(create != log->end());
    CHECK(create->request_id == "req-1");
    CHECK(create->client == "cli");
}

// ---- wire form -----------------------------------------------------------------------------

TEST_CASE("new_cluster_from_json accepts the alias keys") {
    const auto c = new_cluster_from_json(parse(R"({"name":"Bastar","region_type":"Tribal Belt",
        "language":"Gondi","infrastructure_constraints":"Low","key_issues":"No lab","total_teachers":12,
        "additional_notes":"Forest"})"));
    REQUIRE(c);
    CHECK(c->name == "Bastar");
    CHECK(c->region_type == "Tribal Belt");
    CHECK(c->language == "Gondi");
    CHECK(c->infrastructure_constraints == "Low");
    CHECK(c->key_issues == "No lab");
    CHECK(c->total_teachers == 12);
    CHECK(c->additional_notes == "Forest");
}

TEST_CASE("new_cluster_from_json accepts the DB names and ignores unknown keys") {
    const auto c = new_cluster_from_json(parse(R"({"name":"Satara","geographic_type":"Rural",
        "primary_language":"Marathi","infrastructure_level":"Medium","specific_challenges":"Migration",
        "grade_range":"1-5","anything_else":{"nested":true}})"));
    REQUIRE(c);
    CHECK(c->region_type == "Rural");
    CHECK(c->language == "Marathi");
    CHECK(c->infrastructure_constraints == "Medium");
    CHECK(c->key_issues == "Migration");
    CHECK(c->total_teachers == 1); // the default when absent
    CHECK_FALSE(c->additional_notes.has_value());
}

TEST_CASE("new_cluster_from_json refuses wrong types and missing fields naming the field") {
    const std::string base =
        R"("region_type":"Urban","language":"Hindi","infrastructure_constraints":"High")";
    CHECK(invalid_field(new_cluster_from_json(parse(R"({"name":5,)" + base + "}"))) == "name");
    CHECK(invalid_field(new_cluster_from_json(parse(R"({"name":null,)" + base + "}"))) == "name");
    CHECK(invalid_field(new_cluster_from_json(parse("{" + base + "}"))) == "name");
    CHECK(invalid_field(new_cluster_from_json(
              parse(R"({"name":"Ok",)" + base + R"(,"total_teachers":"12"})"))) == "total_teachers");
    CHECK(invalid_field(new_cluster_from_json(
              parse(R"({"name":"Ok",)" + base + R"(,"total_teachers":12.5})"))) == "total_teachers");
    CHECK(invalid_field(new_cluster_from_json(
              parse(R"({"name":"Ok",)" + base + R"(,"key_issues":["a"]})"))) == "key_issues");
    const std::string db_name_wrong_type =
        R"({"name":"Ok","geographic_type":7,"language":"Hindi","infrastructure_constraints":"High"})";
    CHECK(invalid_field(new_cluster_from_json(parse(db_name_wrong_type))) == "region_type");
    CHECK(invalid_field(new_cluster_from_json(parse("[1,2]"))) == "body");

    // 12.0 is an integer (pydantic is lax the same way).
    const auto whole = new_cluster_from_json(parse(R"({"name":"Ok",)" + base + R"(,"total_teachers":12.0})"));
    REQUIRE(whole);
    CHECK(whole->total_teachers == 12);
}

TEST_CASE("cluster_patch_from_json applies only present keys") {
    const auto p = cluster_patch_from_json(
        parse(R"({"primary_language":"Telugu","total_teachers":7,"grade_range":"6-8"})"));
    REQUIRE(p);
    CHECK(p->language == "Telugu");
    CHECK(p->total_teachers == 7);
    CHECK_FALSE(p->name.has_value());
    CHECK_FALSE(p->region_type.has_value());
    CHECK_FALSE(p->key_issues.has_value());
    CHECK_FALSE(p->additional_notes.has_value());
}

TEST_CASE("cluster_patch_from_json: null clears key_issues but is refused for a required field") {
    const auto clear = cluster_patch_from_json(parse(R"({"key_issues":null})"));
    REQUIRE(clear);
    REQUIRE(clear->key_issues.has_value());
    CHECK_FALSE(clear->key_issues->has_value());

    const auto clear_db_name = cluster_patch_from_json(parse(R"({"specific_challenges":null})"));
    REQUIRE(clear_db_name);
    REQUIRE(clear_db_name->key_issues.has_value());
    CHECK_FALSE(clear_db_name->key_issues->has_value());

    CHECK(invalid_field(cluster_patch_from_json(parse(R"({"name":null})"))) == "name");
    CHECK(invalid_field(cluster_patch_from_json(parse(R"({"infrastructure_level":null})"))) ==
          "infrastructure_constraints");
    CHECK(invalid_field(cluster_patch_from_json(parse(R"({"language":true})"))) == "language");
    CHECK(invalid_field(cluster_patch_from_json(parse(R"("text")"))) == "body");
}

TEST_CASE("a JSON patch that clears key_issues clears it in the store") {
    Fixture f;
    const auto c = f.clusters().create(sample("Patched"));
    REQUIRE(c);
    const auto patch = cluster_patch_from_json(parse(R"({"key_issues":null,"language":"Odia"})"));
    REQUIRE(patch);
    const auto updated = f.clusters().update(c->id, *patch);
    REQUIRE(updated);
    CHECK_FALSE(updated->key_issues.has_value());
    CHECK(updated->language == "Odia");
}

TEST_CASE("to_json emits alias and DB-name keys and datetimes without a zone") {
    Fixture f;
    auto input = sample("Wire cluster");
    input.additional_notes = "Notes";
    const auto c = f.clusters().create(input);
    REQUIRE(c);
    const Json j = to_json(*c);
    REQUIRE(j.is_object());
    CHECK(j.find("id")->as_int() == c->id);
    CHECK(j.find("name")->as_string() == "Wire cluster");
    CHECK(j.find("region_type")->as_string() == "Tribal Belt");
    CHECK(j.find("geographic_type")->as_string() == "Tribal Belt");
    CHECK(j.find("language")->as_string() == "Hindi");
    CHECK(j.find("primary_language")->as_string() == "Hindi");
    CHECK(j.find("infrastructure_constraints")->as_string() == "Low");
    CHECK(j.find("infrastructure_level")->as_string() == "Low");
    CHECK(j.find("key_issues")->as_string() == *c->key_issues);
    CHECK(j.find("specific_challenges")->as_string() == *c->key_issues);
    CHECK(j.find("total_teachers")->as_int() == 42);
    CHECK(j.find("additional_notes")->as_string() == "Notes");
    CHECK(j.find("pinned")->as_bool() == false);

    for (const char* key : {"created_at", "updated_at"}) {
        CAPTURE(key);
        const std::string t = j.find(key)->as_string();
        CHECK(t == format_timestamp(c->created_at));
        REQUIRE(t.size() >= 19);
        CHECK(t[4] == '-');
        CHECK(t[10] == 'T');
        CHECK(t.find('Z') == std::string::npos);
        CHECK(t.find('+') == std::string::npos);
        CHECK(t.substr(19).find('-') == std::string::npos);
    }

    // What to_json emits is accepted back as a create body.
    const auto back = new_cluster_from_json(j);
    REQUIRE(back);
    CHECK(back->name == c->name);
    CHECK(back->key_issues == c->key_issues);
}

TEST_CASE("to_json writes null for absent optional fields") {
    Cluster c;
    c.name = "Bare";
    const Json j = to_json(c);
    CHECK(j.find("key_issues")->is_null());
    CHECK(j.find("specific_challenges")->is_null());
    CHECK(j.find("additional_notes")->is_null());
}

TEST_CASE("format_timestamp omits zero microseconds") {
    using namespace std::chrono;
    const Timestamp t = sys_days{year{2026} / 1 / 15} + hours(10);
    CHECK(format_timestamp(t) == "2026-01-15T10:00:00");
    CHECK(format_timestamp(t + microseconds(123456)) == "2026-01-15T10:00:00.123456");
    CHECK(format_timestamp(t + microseconds(5)) == "2026-01-15T10:00:00.000005");
}
