// `shiksha serve`: the HTTP API until SIGINT/SIGTERM.
#include "cli/cli.hpp"

#include "http/api.hpp"
#include "http/server.hpp"
#include "shiksha/demo.hpp"
#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view serve_help =
    R"(Usage: shiksha serve [--host HOST] [--port PORT] [--threads N] [--dev]
                     [--allow-demo-accounts]

  --host HOST             address to bind (default $SHIKSHA_HOST or 127.0.0.1)
  --port PORT             port (default $SHIKSHA_PORT or 8000; 0 picks a free one)
  --threads N             I/O threads (default one per core)
  --dev                   development mode: generate a JWT secret in the data directory when
                          SHIKSHA_JWT_SECRET is unset, and allow the demo accounts
  --allow-demo-accounts   start even though demo accounts still have their public passwords

Stops gracefully on SIGINT/SIGTERM: requests in flight finish, then the process exits 0.
)";

} // namespace

int run_serve(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << serve_help, exit_ok);
    const bool dev = args.flag("--dev");
    const bool allow_demo = args.flag("--allow-demo-accounts");
    if (auto host = args.option("--host")) ctx.config.server.host = *host;
    for (auto [flag, max] : {std::pair{"--port", 65535}, std::pair{"--threads", 256}}) {
        if (auto v = args.option(flag)) {
            int n = -1;
            auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (ec != std::errc{} || p != v->data() + v->size() || n < 0 || n > max) {
                return usage_error(fmt::format("{} must be a number from 0 to {}", flag, max), serve_help);
            }
            if (std::string_view(flag) == "--port")
                ctx.config.server.port = static_cast<std::uint16_t>(n);
            else
                ctx.config.server.threads = static_cast<unsigned>(n);
        }
    }
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, serve_help);

    const Logger log(ctx.config.log_sink, ctx.config.log_level);
    if (ctx.config.auth.jwt_secret.empty()) {
        if (!dev) {
            return report(
                ctx,
                Error{ErrorCode::invalid_argument,
                      "SHIKSHA_JWT_SECRET is not set: export 32+ random bytes (for example "
                      "`export SHIKSHA_JWT_SECRET=$(openssl rand -hex 32)`) or run `shiksha serve --dev`",
                      "SHIKSHA_JWT_SECRET"});
        }
        auto secret = load_or_create_dev_jwt_secret(ctx.config.data_dir);
        if (!secret) return report(ctx, secret.error());
        ctx.config.auth.jwt_secret = *secret;
        log.warn("development mode: using the JWT secret stored in the data directory",
                 {{"file", (ctx.config.data_dir / "dev-jwt-secret").string()}});
    }
    if (auto ok = ctx.config.validate(); !ok) return report(ctx, ok.error());

    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());

    auto demo = demo_accounts_with_default_password(**platform);
    if (!demo) return report(ctx, demo.error());
    if (!demo->empty()) {
        std::string names;
        for (const auto& n : *demo)
            names += (names.empty() ? "" : ", ") + n;
        if (!dev && !allow_demo) {
            return report(ctx,
                          Error{ErrorCode::permission_denied,
                                fmt::format("demo accounts still have their published passwords ({}); change "
                                            "them with `shiksha user passwd --username NAME`, or start with "
                                            "--allow-demo-accounts (or --dev) to accept the risk",
                                            names),
                                ""});
        }
        log.warn("demo accounts with published passwords can log in", {{"accounts", names}});
    }

    server::Api api(**platform);
    server::HttpServer http(**platform, api);
    http.stop_on_signals();
    auto port = http.start();
    if (!port) return report(ctx, port.error());
    std::cout << fmt::format("Shiksha-Setu listening on http://{}:{}", ctx.config.server.host, *port)
              << std::endl;
    http.wait();
    std::cout << "Shiksha-Setu stopped" << std::endl;
    return exit_ok;
}

} // namespace shiksha::cli
