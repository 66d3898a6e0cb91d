// Headline figure: WhatsApp outbox throughput to a local fake Twilio (tests/support) at the
// configured rate limit (80/s, Meta's default) and with no limit, in messages per second,
// with duplicates (must be 0) and the process CPU per message. Peer, same run: the same
// gateway called in a plain loop on 8 threads with no outbox (no database, no claim, no record)
// — the ratio is what durability costs.
//
//   bench_outbox [--messages N]     (default 2000 unlimited; 800 at 80/s)
//
// Everything runs on 127.0.0.1. The CPU figure includes the fake server's threads (same process).
#include "delivery/gateway.hpp"
#include "fake_twilio.hpp"
#include "shiksha/platform.hpp"
#include "temp_dir.hpp"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace shiksha;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::vector<std::string> numbers(int n, long long first) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::to_string(first + i));
    return out;
}

Config config_for(const test::FakeTwilio& twilio, const std::filesystem::path& dir, double rate) {
    Config c = test::test_config(dir);
    c.workers = 8;
    c.delivery.gateway = "twilio";
    c.delivery.twilio_base_url = twilio.base_url();
    c.delivery.twilio_account_sid = twilio.options().account_sid;
    c.delivery.twilio_auth_token = twilio.options().auth_token;
    c.delivery.twilio_from = twilio.options().from;
    c.delivery.rate_per_second = rate;
    return c;
}

struct Row {
    const char* name;
    int messages;
    double seconds;
    double cpu;
    int duplicates;
};

int duplicates(const test::FakeTwilio& twilio, const std::vector<std::string>& to) {
    int extra = 0;
    for (const auto& n : to)
        extra += std::max(0, static_cast<int>(twilio.accepted("+91" + n).size()) - 1);
    return extra;
}

/// Shares one module with `to` through the outbox and waits until every message is sent.
Row outbox_run(const char* name, double rate, const std::vector<std::string>& to) {
    test::FakeTwilio twilio;
    test::TempDir dir;
    auto platform = Platform::open(config_for(twilio, dir.path(), rate));
    if (!platform) {
        std::fprintf(stderr, "%s\n", platform.error().message.c_str());
        std::exit(1);
    }
    auto& p = **platform;
    const auto sample =
        std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
    auto up = p.manuals().upload_file(sample, {"Handbook", ""});
    auto cluster =
        p.clusters().create({"Bench Cluster", "Rural", "English", "Low", std::nullopt, 1, std::nullopt});
    if (!up || !p.manuals().index(up->manual.id) || !cluster) std::exit(1);
    auto module = p.modules().generate({up->manual.id, cluster->id, "Series circuits", "english", {}});
    if (!module) std::exit(1);

    const double cpu0 = cpu_seconds();
    const auto start = Clock::now();
    auto shared = p.delivery().share_whatsapp({.module_id = module->id,
                                               .recipient_numbers = to,
                                               .include_pdf = false,
                                               .custom_message = "Namaste"});
    if (!shared || !p.delivery().wait_idle(module->id, std::chrono::minutes(10))) std::exit(1);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const auto report = *p.delivery().report(module->id);
    if (report.counts.at("sent") != static_cast<int>(to.size()))
        std::fprintf(stderr, "warning: only %d of %zu sent\n", report.counts.at("sent"), to.size());
    return {name, static_cast<int>(to.size()), seconds, cpu_seconds() - cpu0, duplicates(twilio, to)};
}

/// The gateway alone: 8 threads calling send() in a loop.
Row direct_run(const std::vector<std::string>& to) {
    test::FakeTwilio twilio;
    test::TempDir dir;
    auto gateway = detail::delivery::make_gateway(config_for(twilio, dir.path(), -1));
    if (!gateway) std::exit(1);
    std::atomic<std::size_t> next{0};
    const double cpu0 = cpu_seconds();
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (std::size_t i = next++; i < to.size(); i = next++)
                (void)(*gateway)->send({.to = "+91" + to[i], .text = "Namaste", .reference = "bench"});
        });
    }
    for (auto& t : threads)
        t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return {"gateway in a loop (no outbox)", static_cast<int>(to.size()), seconds, cpu_seconds() - cpu0,
            duplicates(twilio, to)};
}

void print(const Row& r) {
    std::printf("| %s | %d | %.2f | %.0f | %.0f | %d |\n", r.name, r.messages, r.seconds,
                r.messages / r.seconds, r.cpu / r.messages * 1e6, r.duplicates);
}

} // namespace

int main(int argc, char** argv) {
    int unlimited = 2000;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--messages" && i + 1 < argc)
            unlimited = std::max(10, std::atoi(argv[++i]));
    }
    const int limited = std::min(unlimited, 800);
    const auto free_run = outbox_run("outbox, no rate limit", -1, numbers(unlimited, 9000000000LL));
    const auto peer = direct_run(numbers(unlimited, 9100000000LL));
    const auto at_80 = outbox_run("outbox, 80/s (Meta's default)", 80, numbers(limited, 9200000000LL));

    std::printf("| run | messages | seconds | messages/s | CPU µs/message | duplicates "
                "|\n|---|---|---|---|---|---|\n");
    print(free_run);
    print(peer);
    print(at_80);
    std::printf(
        "\noutbox/no-outbox throughput: %.2fx; at 80/s the outbox holds %.1f msg/s (%.0f%% of the limit)\n",
        (free_run.messages / free_run.seconds) / (peer.messages / peer.seconds),
        at_80.messages / at_80.seconds, 100.0 * at_80.messages / at_80.seconds / 80);
    return free_run.duplicates + at_80.duplicates == 0 ? 0 : 1;
}
