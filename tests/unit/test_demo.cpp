// Demo data: the contract's seven accounts and three clusters, seeded idempotently, and the
// check `shiksha serve` uses to refuse published passwords.
#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include "platform_fixture.hpp"
#include "result_printing.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace shiksha;

namespace {

using Fixture = test::PlatformFixture;

std::vector<std::string> demo_usernames() {
    std::vector<std::string> out;
    for (const auto& a : demo_accounts())
        out.push_back(a.username);
    return out;
}

} // namespace

TEST_CASE("the demo accounts are the contract's seven, admin first") {
    const auto& accounts = demo_accounts();
    REQUIRE(accounts.size() == 7);
    CHECK(accounts.front().username == "admin");
    CHECK(accounts.front().role == "admin");
    std::set<std::string> names, emails;
    for (const auto& a : accounts) {
        CAPTURE(a.username);
        names.insert(a.username);
        emails.insert(a.email);
        CHECK(parse_role(a.role).has_value());
        CHECK(a.password.size() >= 8);
    }
    CHECK(names.size() == 7);
    CHECK(emails.size() == 7);
}

TEST_CASE("seed_demo creates seven users and three clusters") {
    Fixture f;
    const auto report = seed_demo(*f.platform);
    REQUIRE(report);
    CHECK(report->users_created == 7);
    CHECK(report->clusters_created == 3);
    CHECK_FALSE(report->actions.empty());

    const auto users = f.platform->auth().list_users();
    REQUIRE(users);
    CHECK(users->size() == 7);
    const auto clusters = f.platform->clusters().list();
    REQUIRE(clusters);
    CHECK(clusters->size() == 3);

    // Each account logs in with its published password and gets its role and school.
    for (const auto& a : demo_accounts()) {
        CAPTURE(a.username);
        const auto pair = f.platform->auth().login(a.email, a.password);
        REQUIRE(pair);
        CHECK(pair->user.username == a.username);
        CHECK(to_string(pair->user.role) == a.role);
        if (a.school.empty()) {
            CHECK_FALSE(pair->user.school_name.has_value());
        } else {
            CHECK(pair->user.school_name == a.school);
        }
    }
}

TEST_CASE("seed_demo is idempotent") {
    Fixture f;
    REQUIRE(seed_demo(*f.platform));
    const auto second = seed_demo(*f.platform);
    REQUIRE(second);
    CHECK(second->users_created == 0);
    CHECK(second->clusters_created == 0);
    CHECK(f.platform->auth().list_users().value().size() == 7);
    CHECK(f.platform->clusters().count().value_or(-1) == 3);
}

TEST_CASE("seed_demo leaves existing data alone") {
    Fixture f;
    // A real admin already chose a password; the seed must not reset it.
    REQUIRE(f.platform->auth().create_user({.username = "admin",
                                            .email = "root@diet.gov.in",
                                            .name = "Real Admin",
                                            .role = Role::admin,
                                            .password = "a private passphrase"}));
    const auto report = seed_demo(*f.platform);
    REQUIRE(report);
    CHECK(report->users_created == 6);
    CHECK(f.platform->auth().check_password("admin", "a private passphrase").value());
    CHECK(f.platform->auth().list_users().value().size() == 7);
}

TEST_CASE("demo accounts with the default password are listed until changed") {
    Fixture f;
    // Before seeding nothing exists, so nothing is at risk.
    const auto none = demo_accounts_with_default_password(*f.platform);
    REQUIRE(none);
    CHECK(none->empty());

    REQUIRE(seed_demo(*f.platform));
    const auto all = demo_accounts_with_default_password(*f.platform);
    REQUIRE(all);
    CHECK(*all == demo_usernames());

    const auto teacher = f.platform->auth().find_user("amit.patel");
    REQUIRE(teacher);
    REQUIRE(f.platform->auth().set_password(teacher->id, "no longer the demo one"));
    const auto rest = demo_accounts_with_default_password(*f.platform);
    REQUIRE(rest);
    CHECK(rest->size() == 6);
    CHECK(std::find(rest->begin(), rest->end(), "amit.patel") == rest->end());
    CHECK(std::find(rest->begin(), rest->end(), "admin") != rest->end());
}
