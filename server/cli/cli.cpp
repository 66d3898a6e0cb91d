#include "cli/cli.hpp"

#include "shiksha/version.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view main_help =
    R"(shiksha — Shiksha-Setu: adapt teacher-training manuals for clusters of teachers

Usage: shiksha [--data-dir DIR] [--json] [--log-level LEVEL] <command> [options]

Commands:
  serve     run the HTTP API (default 127.0.0.1:8000)
  demo      create demo users and example clusters in the data directory
  cluster   create | list | get | delete clusters
  user      create | passwd | list users (passwords are read from stdin)
  ingest    upload a PDF manual (and --index it) with a progress bar
  search    hybrid search over indexed manuals, with page citations
  manual    list | get | index | pages | delete manuals
  generate  adapt a manual's topic into a module for a cluster (LLM or offline rules)
  ask       answer a question from the manuals, citing pages
  module    list | get | approve | delete modules
  translate translate text into an Indian language (memory, glossary, providers)
  export    render a module as a printable PDF in any language (--out FILE)
  share     send a module on WhatsApp (Meta, Twilio or wa.me links) and report delivery
  videos    suggest teaching videos for a module (YouTube or the local catalogue); import a catalogue
  feedback  record a teacher's rating (1-5), comment and tags for a module
  analytics summary | modules: feedback summary, module ranking by helpfulness
  version   print the version

Global options:
  --data-dir DIR     data directory (default $SHIKSHA_DATA_DIR or ./shiksha-data)
  --json             machine-readable output on stdout
  --log-level LEVEL  debug, info, warn or error (logs are JSON lines on stderr)
  -h, --help         this help; `shiksha <command> --help` for a command

Configuration comes from SHIKSHA_* environment variables; see README.md.
)";

} // namespace

std::optional<std::string> Args::option(std::string_view name) {
    for (std::size_t i = 0; i < args_.size(); ++i) {
        if (used_[i]) continue;
        const std::string& a = args_[i];
        if (a == name && i + 1 < args_.size()) {
            used_[i] = used_[i + 1] = true;
            return args_[i + 1];
        }
        if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=') {
            used_[i] = true;
            return a.substr(name.size() + 1);
        }
    }
    return std::nullopt;
}

bool Args::flag(std::string_view name) {
    for (std::size_t i = 0; i < args_.size(); ++i) {
        if (!used_[i] && args_[i] == name) {
            used_[i] = true;
            return true;
        }
    }
    return false;
}

std::optional<std::string> Args::positional() {
    for (std::size_t i = 0; i < args_.size(); ++i) {
        if (!used_[i] && !args_[i].starts_with("--")) {
            used_[i] = true;
            return args_[i];
        }
    }
    return std::nullopt;
}

std::string Args::leftovers() const {
    std::string out;
    for (std::size_t i = 0; i < args_.size(); ++i) {
        if (!used_[i]) out += (out.empty() ? "" : " ") + args_[i];
    }
    return out.empty() ? out : "unexpected argument(s): " + out;
}

int report(const Context& ctx, const Error& error) {
    if (ctx.json) {
        Json body = Json::object({{"error", Json::object({{"code", to_string(error.code)},
                                                          {"message", error.message},
                                                          {"field", error.field}})}});
        std::cerr << body.dump() << '\n';
    } else {
        std::cerr << "error: " << error.message << '\n';
    }
    return exit_failure;
}

int usage_error(std::string_view message, std::string_view help) {
    std::cerr << "error: " << message << "\n\n" << help;
    return exit_usage;
}

int print(const Context& ctx, const Json& value, std::string_view text) {
    if (ctx.json) {
        std::cout << value.dump(2) << '\n';
    } else {
        std::cout << text;
        if (!text.empty() && text.back() != '\n') std::cout << '\n';
    }
    return exit_ok;
}

int run(int argc, char** argv) {
    std::vector<std::string> all(argv + 1, argv + argc);
    Context ctx;
    auto config = config_from_env();
    if (!config) {
        std::cerr << "error: " << config.error().message << '\n';
        return exit_usage;
    }
    ctx.config = std::move(*config);

    // Global options come before the command.
    std::size_t i = 0;
    for (; i < all.size(); ++i) {
        const std::string& a = all[i];
        auto value = [&](std::string_view name) -> std::optional<std::string> {
            if (a == name && i + 1 < all.size()) return all[++i];
            if (a.starts_with(std::string(name) + "=")) return a.substr(name.size() + 1);
            return std::nullopt;
        };
        if (a == "-h" || a == "--help") {
            std::cout << main_help;
            return exit_ok;
        }
        if (a == "--version") {
            std::cout << "shiksha " << version_string << '\n';
            return exit_ok;
        }
        if (a == "--json") {
            ctx.json = true;
        } else if (auto dir = value("--data-dir")) {
            ctx.config.data_dir = *dir;
        } else if (auto level = value("--log-level")) {
            auto parsed = parse_log_level(*level);
            if (!parsed) return usage_error("--log-level must be debug, info, warn or error", main_help);
            ctx.config.log_level = *parsed;
            ctx.log_level_given = true;
        } else if (a.starts_with("-")) {
            return usage_error(fmt::format("unknown option {}", a), main_help);
        } else {
            break;
        }
    }
    if (i == all.size()) return usage_error("no command given", main_help);
    if (std::getenv("SHIKSHA_LOG_LEVEL")) ctx.log_level_given = true;
    const std::string command = all[i];
    Args args(std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(i) + 1, all.end()));

    // One-shot commands stay quiet unless asked; the server logs at info.
    if (!ctx.log_level_given && command != "serve") ctx.config.log_level = LogLevel::warn;
    ctx.config.log_sink = json_lines_sink(stderr, ctx.config.log_level);

    if (command == "serve") return run_serve(ctx, args);
    if (command == "demo") return run_demo(ctx, args);
    if (command == "cluster") return run_cluster(ctx, args);
    if (command == "user") return run_user(ctx, args);
    if (command == "ingest") return run_ingest(ctx, args);
    if (command == "search") return run_search(ctx, args);
    if (command == "manual") return run_manual(ctx, args);
    if (command == "generate") return run_generate(ctx, args);
    if (command == "ask") return run_ask(ctx, args);
    if (command == "module") return run_module(ctx, args);
    if (command == "translate") return run_translate(ctx, args);
    if (command == "export") return run_export(ctx, args);
    if (command == "share") return run_share(ctx, args);
    if (command == "videos") return run_videos(ctx, args);
    if (command == "feedback") return run_feedback(ctx, args);
    if (command == "analytics") return run_analytics(ctx, args);
    if (command == "version") {
        return print(ctx, Json::object({{"version", version_string}}),
                     fmt::format("shiksha {}", version_string));
    }
    if (command == "help") {
        std::cout << main_help;
        return exit_ok;
    }
    return usage_error(fmt::format("unknown command '{}'", command), main_help);
}

} // namespace shiksha::cli
