#pragma once
// The `shiksha` command line: argument parsing, output (human or --json) and subcommands.
// Exit codes: 0 success, 1 failure (error on stderr), 2 bad usage.

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/platform.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

/// Options of one subcommand: "--name value", "--name=value", flags, positionals. Every
/// option must be consumed; leftovers are a usage error.
class Args {
public:
    explicit Args(std::vector<std::string> args) : args_(std::move(args)) {}

    [[nodiscard]] std::optional<std::string> option(std::string_view name);
    [[nodiscard]] bool flag(std::string_view name);
    [[nodiscard]] std::optional<std::string> positional();
    /// Non-empty message when something was given that no one asked for.
    [[nodiscard]] std::string leftovers() const;

private:
    std::vector<std::string> args_;
    std::vector<bool> used_ = std::vector<bool>(args_.size(), false);
};

struct Context {
    Config config;
    bool json = false;
    bool log_level_given = false;
};

/// Reports a library error on stderr (JSON with --json) and returns exit_failure.
int report(const Context& ctx, const Error& error);
/// Reports a usage problem on stderr and returns exit_usage.
int usage_error(std::string_view message, std::string_view help);
/// Prints `value` as JSON (with --json) or `text` (otherwise) on stdout; returns exit_ok.
int print(const Context& ctx, const Json& value, std::string_view text);

int run_serve(Context& ctx, Args& args);
int run_demo(Context& ctx, Args& args);
int run_cluster(Context& ctx, Args& args);
int run_user(Context& ctx, Args& args);
int run_ingest(Context& ctx, Args& args);
int run_search(Context& ctx, Args& args);
int run_manual(Context& ctx, Args& args);
int run_generate(Context& ctx, Args& args);
int run_ask(Context& ctx, Args& args);
int run_module(Context& ctx, Args& args);
int run_translate(Context& ctx, Args& args);
int run_export(Context& ctx, Args& args);
int run_share(Context& ctx, Args& args);
int run_videos(Context& ctx, Args& args);
int run_feedback(Context& ctx, Args& args);
int run_analytics(Context& ctx, Args& args);

/// Indexes a manual with a progress bar on a terminal (shared by ingest, manual index, demo).
[[nodiscard]] Result<IndexReport> index_with_progress(Platform& platform, std::int64_t id,
                                                      std::string_view client);

/// Entry point used by main().
int run(int argc, char** argv);

} // namespace shiksha::cli
