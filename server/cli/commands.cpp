// `shiksha demo`, `shiksha cluster …`, `shiksha user …`.
#include "cli/cli.hpp"

#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace shiksha::cli {

namespace {

constexpr std::string_view demo_help = R"(Usage: shiksha demo [--manual FILE.pdf]

Creates the data directory, the demo accounts of the API contract (admin@shiksha-setu.gov.in /
admin123 and others) and three example clusters, then ingests and indexes a sample manual
(default: the sample manual installed with shiksha, share/shiksha/low_cost_science_handbook.pdf
beside the binary's bin/) and runs a search on it.
Safe to run again: existing data is kept.
)";

constexpr std::string_view cluster_help = R"(Usage:
  shiksha cluster create --name NAME --region-type TYPE --language LANG --infrastructure LEVEL
                         [--key-issues TEXT] [--notes TEXT] [--teachers N]
  shiksha cluster list [--skip N] [--limit N]
  shiksha cluster get ID
  shiksha cluster delete ID
)";

constexpr std::string_view user_help = R"(Usage:
  shiksha user create --username NAME --role ROLE [--email EMAIL] [--name "Full Name"]
  shiksha user passwd --username NAME
  shiksha user list

The password is read from standard input (one line; not echoed on a terminal).
Roles: viewer, teacher, principal, coordinator, admin.
)";

Result<std::unique_ptr<Platform>> open_platform(const Context& ctx) {
    return Platform::open(ctx.config);
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < 1) return std::nullopt;
    return v;
}

std::string describe(const Cluster& c) {
    return fmt::format("#{} {}{}\n    {} · {} · infrastructure {} · {} teachers{}\n", c.id, c.name,
                       c.pinned ? " (pinned)" : "", c.region_type, c.language, c.infrastructure_constraints,
                       c.total_teachers, c.key_issues ? "\n    key issues: " + *c.key_issues : "");
}

/// One line from stdin; on a terminal the prompt goes to stderr and echo is off.
std::optional<std::string> read_password(std::string_view prompt) {
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios old{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool ok = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << '\n';
    }
    if (!ok) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

} // namespace

namespace {

/// The sample manual, found relative to this executable so an installed copy works anywhere:
/// `<prefix>/bin/shiksha` reads `<prefix>/share/shiksha/…`, and the build tree mirrors that
/// layout (`build/<preset>/server/shiksha` and `build/<preset>/share/shiksha/…`).
std::filesystem::path sample_manual_path() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path relative = SHIKSHA_SAMPLE_MANUAL_FROM_BIN;
    if (ec) return relative.filename(); // no /proc: look in the working directory
    return (exe.parent_path() / relative).lexically_normal();
}

} // namespace

int run_demo(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << demo_help, exit_ok);
    const std::filesystem::path manual_file =
        args.option("--manual")
            .transform([](std::string s) { return std::filesystem::path(std::move(s)); })
            .value_or(sample_manual_path());
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, demo_help);
    auto platform = open_platform(ctx);
    if (!platform) return report(ctx, platform.error());
    auto report_ = seed_demo(**platform);
    if (!report_) return report(ctx, report_.error());
    Json actions = Json::array();
    std::string text = fmt::format("Demo data in {}\n", ctx.config.data_dir.string());
    for (const auto& line : report_->actions) {
        actions.push_back(line);
        text += "  " + line + "\n";
    }
    Json out = Json::object({{"data_dir", ctx.config.data_dir.string()},
                             {"users_created", report_->users_created},
                             {"clusters_created", report_->clusters_created}});

    // The manual step of the pipeline: upload, index (OCR where needed), search.
    if (!std::filesystem::exists(manual_file)) {
        text += fmt::format("  sample manual {} not found; skipping ingestion\n", manual_file.string());
    } else {
        auto& manuals = (*platform)->manuals();
        auto up = manuals.upload_file(manual_file, {"Low-Cost Science Handbook", ""},
                                      Actor{std::nullopt, "", "demo"});
        if (!up) return report(ctx, up.error());
        Manual manual = up->manual;
        if (!manual.indexed) {
            if (!ctx.json) std::cout << text << std::flush, text.clear();
            auto indexed = index_with_progress(**platform, manual.id, "demo");
            if (!indexed) return report(ctx, indexed.error());
            manual = indexed->manual;
            text += fmt::format("  manual #{} '{}' indexed: {} pages ({} by OCR), {} chunks, language {}\n",
                                manual.id, manual.title, manual.total_pages, indexed->ocr_pages,
                                indexed->chunks, manual.detected_language.value_or("unknown"));
        } else {
            text += fmt::format("  manual #{} '{}' already indexed ({} chunks)\n", manual.id, manual.title,
                                manual.chunk_count);
        }
        const std::string question = "how do I show a series circuit without a lab";
        auto hits = (*platform)->retrieval().search({.query = question, .manual_ids = {manual.id}, .k = 3});
        if (!hits) return report(ctx, hits.error());
        text += fmt::format("  search \"{}\":\n", question);
        for (const auto& h : hits->hits) {
            text +=
                fmt::format("    p. {} — {}\n", h.page_start, h.section.empty() ? "(no section)" : h.section);
        }
        actions.push_back(fmt::format("manual #{} indexed", manual.id));
        out["manual"] = to_json(manual);
        out["search"] = to_json(*hits);

        // One module per demo cluster, so their differences can be compared side by side.
        auto clusters = (*platform)->clusters().list({.page = {0, 1000}});
        if (!clusters) return report(ctx, clusters.error());
        auto existing = (*platform)->modules().list({.page = {0, 1000}, .manual_id = manual.id});
        if (!existing) return report(ctx, existing.error());
        Json modules = Json::array();
        const std::string topic = "Series and parallel circuits";
        for (const auto& demo : demo_cluster_names()) {
            auto cluster = std::find_if(clusters->begin(), clusters->end(),
                                        [&](const Cluster& c) { return c.name == demo; });
            if (cluster == clusters->end()) continue;
            const bool have = std::any_of(existing->begin(), existing->end(), [&](const Module& m) {
                return m.cluster_id == cluster->id && m.topic == topic;
            });
            if (have) {
                text += fmt::format("  module '{}' for {} already exists\n", topic, cluster->name);
                continue;
            }
            auto m = (*platform)->modules().generate(
                {manual.id, cluster->id, topic, std::nullopt, std::nullopt}, Actor{std::nullopt, "", "demo"});
            if (!m) return report(ctx, m.error());
            text +=
                fmt::format("  module #{} '{}' for {} ({}, {} tips, {} activities, {} citations)\n", m->id,
                            m->title, cluster->name, m->generation.adapter, m->content.teaching_tips.size(),
                            m->content.activities.size(), m->content.citations.size());
            if (!m->translation_status.empty()) {
                text += fmt::format("    kept in English: {}\n", m->translation_status);
            } else if (!m->translations.empty()) {
                text += fmt::format("    translated into {} ({} of {} segments from memory)\n", *m->language,
                                    m->translations.back().memory_hits, m->translations.back().segments);
            }
            modules.push_back(to_json(*m));
        }
        out["modules"] = std::move(modules);
    }
    out["actions"] = std::move(actions);
    text += "Demo passwords are public: change them (shiksha user passwd) before real use.\n";
    return print(ctx, out, text);
}

int run_cluster(Context& ctx, Args& args) {
    const auto sub = args.positional();
    if (!sub || args.flag("--help"))
        return sub ? (std::cout << cluster_help, exit_ok) : usage_error("missing subcommand", cluster_help);

    if (*sub == "create") {
        NewCluster c;
        auto name = args.option("--name");
        auto region = args.option("--region-type");
        auto language = args.option("--language");
        auto infra = args.option("--infrastructure");
        if (!name || !region || !language || !infra) {
            return usage_error("--name, --region-type, --language and --infrastructure are required",
                               cluster_help);
        }
        c.name = *name;
        c.region_type = *region;
        c.language = *language;
        c.infrastructure_constraints = *infra;
        c.key_issues = args.option("--key-issues");
        c.additional_notes = args.option("--notes");
        if (auto teachers = args.option("--teachers")) {
            auto n = parse_id(*teachers);
            if (!n && *teachers != "0") return usage_error("--teachers must be a whole number", cluster_help);
            c.total_teachers = n.value_or(0);
        }
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, cluster_help);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        auto created = (*platform)->clusters().create(c, Actor{std::nullopt, "", "cli"});
        if (!created) return report(ctx, created.error());
        return print(ctx, to_json(*created), "created " + describe(*created));
    }
    if (*sub == "list") {
        Page page;
        for (auto [flag, target] : {std::pair{"--skip", &page.skip}, std::pair{"--limit", &page.limit}}) {
            if (auto v = args.option(flag)) {
                auto n = parse_id(*v);
                if (!n && *v != "0")
                    return usage_error(fmt::format("{} must be a whole number", flag), cluster_help);
                *target = n.value_or(0);
            }
        }
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, cluster_help);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        auto clusters = (*platform)->clusters().list({.page = page});
        if (!clusters) return report(ctx, clusters.error());
        Json out = Json::array();
        std::string text = clusters->empty() ? "no clusters\n" : "";
        for (const auto& c : *clusters) {
            out.push_back(to_json(c));
            text += describe(c);
        }
        return print(ctx, out, text);
    }
    if (*sub == "get" || *sub == "delete") {
        auto id_text = args.positional();
        auto id = id_text ? parse_id(*id_text) : std::nullopt;
        if (!id) return usage_error("expected a cluster ID (a positive number)", cluster_help);
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, cluster_help);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        if (*sub == "get") {
            auto c = (*platform)->clusters().get(*id);
            if (!c) return report(ctx, c.error());
            return print(ctx, to_json(*c), describe(*c));
        }
        if (auto removed = (*platform)->clusters().remove(*id, Actor{std::nullopt, "", "cli"}); !removed) {
            return report(ctx, removed.error());
        }
        return print(ctx, Json::object({{"deleted", *id}}), fmt::format("deleted cluster #{}", *id));
    }
    return usage_error(fmt::format("unknown cluster subcommand '{}'", *sub), cluster_help);
}

int run_user(Context& ctx, Args& args) {
    const auto sub = args.positional();
    if (!sub || args.flag("--help"))
        return sub ? (std::cout << user_help, exit_ok) : usage_error("missing subcommand", user_help);
    const Actor cli_actor{std::nullopt, "", "cli"};

    if (*sub == "create") {
        auto username = args.option("--username");
        auto role_text = args.option("--role");
        if (!username || !role_text) return usage_error("--username and --role are required", user_help);
        auto role = parse_role(*role_text);
        if (!role) return usage_error(role.error().message, user_help);
        NewUser u{
            *username, args.option("--email").value_or(""), args.option("--name").value_or(""), *role, "",
            {}};
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, user_help);
        auto password = read_password("Password: ");
        if (!password) return usage_error("no password on standard input", user_help);
        u.password = std::move(*password);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        auto created = (*platform)->auth().create_user(u, cli_actor);
        if (!created) return report(ctx, created.error());
        return print(ctx, to_json(*created),
                     fmt::format("created user {} (#{}, {})", created->username, created->id,
                                 to_string(created->role)));
    }
    if (*sub == "passwd") {
        auto username = args.option("--username");
        if (!username) return usage_error("--username is required", user_help);
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, user_help);
        auto password = read_password("New password: ");
        if (!password) return usage_error("no password on standard input", user_help);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        auto user = (*platform)->auth().find_user(*username);
        if (!user) return report(ctx, user.error());
        if (auto ok = (*platform)->auth().set_password(user->id, *password, cli_actor); !ok) {
            return report(ctx, ok.error());
        }
        return print(ctx, Json::object({{"user", user->username}, {"password_changed", true}}),
                     fmt::format("password changed for {}; their sessions were ended", user->username));
    }
    if (*sub == "list") {
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, user_help);
        auto platform = open_platform(ctx);
        if (!platform) return report(ctx, platform.error());
        auto users = (*platform)->auth().list_users({0, 1000});
        if (!users) return report(ctx, users.error());
        Json out = Json::array();
        std::string text;
        for (const auto& u : *users) {
            out.push_back(to_json(u));
            text += fmt::format("#{} {} <{}> {}{}\n", u.id, u.username, u.email, to_string(u.role),
                                u.active ? "" : " (inactive)");
        }
        return print(ctx, out, text);
    }
    return usage_error(fmt::format("unknown user subcommand '{}'", *sub), user_help);
}

} // namespace shiksha::cli
