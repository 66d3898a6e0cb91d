#include "shiksha/demo.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shiksha {

namespace {

const std::vector<School>& demo_schools() {
    static const std::vector<School> schools = {
        {0, "Mumbai Government School", "Mumbai", "Maharashtra", "Primary School", 50},
        {0, "Delhi Public University", "New Delhi", "Delhi", "University", 200},
        {0, "Bangalore International School", "Bangalore", "Karnataka", "Secondary School", 100},
    };
    return schools;
}

const std::vector<NewCluster>& demo_clusters() {
    static const std::vector<NewCluster> clusters = {
        {"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low",
         "No science laboratory and unreliable electricity; many first-generation learners who speak Gondi "
         "at "
         "home; multigrade classrooms with one or two teachers",
         42, "Forest villages of Bastar district, Chhattisgarh"},
        {"Mumbai Urban Cluster", "Urban", "Hindi", "Medium",
         "Classes of 60 to 80 students in two shifts; little floor space; mixed Hindi, Marathi and Urdu home "
         "languages",
         120, "Municipal schools in the eastern suburbs"},
        {"Satara Rural Marathi Cluster", "Rural", "Marathi", "Low",
         "Marathi-medium schools with few English materials; seasonal migration reduces attendance; shared "
         "smartphone is the only device",
         65, "Zilla Parishad primary schools, Satara district, Maharashtra"},
    };
    return clusters;
}

} // namespace

std::vector<std::string> demo_cluster_names() {
    std::vector<std::string> names;
    for (const auto& c : demo_clusters())
        names.push_back(c.name);
    return names;
}

const std::vector<DemoAccount>& demo_accounts() {
    static const std::vector<DemoAccount> accounts = {
        {"admin", "admin@shiksha-setu.gov.in", "admin123", "Dr. Rajesh Kumar", "admin", ""},
        {"meera.gupta", "meera.gupta@principal.bangalore.edu", "principal123", "Meera Gupta", "principal",
         "Bangalore International School"},
        {"principal.mumbai", "principal.mumbai@school.edu", "principal123", "Mrs. Anita Sharma", "principal",
         "Mumbai Government School"},
        {"principal.delhi", "principal.delhi@university.edu", "principal123", "Prof. Vikram Singh",
         "principal", "Delhi Public University"},
        {"priya.deshmukh", "priya.deshmukh@school.edu", "teacher123", "Priya Deshmukh", "teacher",
         "Mumbai Government School"},
        {"amit.patel", "amit.patel@school.edu", "teacher123", "Amit Patel", "teacher",
         "Delhi Public University"},
        {"lakshmi.reddy", "lakshmi.reddy@school.edu", "teacher123", "Lakshmi Reddy", "teacher",
         "Bangalore International School"},
    };
    return accounts;
}

Result<DemoReport> seed_demo(Platform& platform) {
    DemoReport report;
    auto& auth = platform.auth();
    const Actor actor{std::nullopt, "", "demo"};

    for (const auto& s : demo_schools()) {
        auto existing = auth.find_school(s.name);
        if (!existing) return std::unexpected(existing.error());
        if (*existing) continue;
        auto created = auth.create_school(s);
        if (!created) return std::unexpected(created.error());
        report.actions.push_back(fmt::format("school '{}' created", s.name));
    }

    for (const auto& a : demo_accounts()) {
        if (auth.find_user(a.username)) {
            report.actions.push_back(fmt::format("user {} ({}) already exists", a.username, a.role));
            continue;
        }
        NewUser u{a.username, a.email, a.name, *parse_role(a.role), a.password, std::nullopt};
        if (!a.school.empty()) {
            auto school = auth.find_school(a.school);
            if (!school) return std::unexpected(school.error());
            if (*school) u.school_id = (*school)->id;
        }
        auto created = auth.create_user(u, actor);
        if (!created) return std::unexpected(created.error());
        ++report.users_created;
        report.actions.push_back(fmt::format("user {} <{}> created, role {}, password {}", a.username,
                                             a.email, a.role, a.password));
    }

    auto existing = platform.clusters().list({.page = {0, 1000}});
    if (!existing) return std::unexpected(existing.error());
    for (const auto& c : demo_clusters()) {
        const bool present = std::any_of(existing->begin(), existing->end(),
                                         [&](const Cluster& e) { return e.name == c.name; });
        if (present) {
            report.actions.push_back(fmt::format("cluster '{}' already exists", c.name));
            continue;
        }
        auto created = platform.clusters().create(c, actor);
        if (!created) return std::unexpected(created.error());
        ++report.clusters_created;
        report.actions.push_back(fmt::format("cluster '{}' created (id {}, {}, {}, infrastructure {})",
                                             c.name, created->id, c.region_type, c.language,
                                             c.infrastructure_constraints));
    }

    if (report.users_created > 0) {
        platform.logger().warn("demo accounts with published passwords exist; change them before real use",
                               {{"accounts", static_cast<std::int64_t>(demo_accounts().size())}});
    }
    return report;
}

Result<std::vector<std::string>> demo_accounts_with_default_password(Platform& platform) {
    std::vector<std::string> out;
    for (const auto& a : demo_accounts()) {
        auto matches = platform.auth().check_password(a.username, a.password);
        if (!matches) {
            if (matches.error().code == ErrorCode::not_found) continue;
            return std::unexpected(matches.error());
        }
        if (*matches) out.push_back(a.username);
    }
    return out;
}

} // namespace shiksha
