// `shiksha share`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>
#include <set>

namespace shiksha::cli {

namespace {

constexpr std::string_view share_help =
    R"(Usage: shiksha share MODULE_ID (--to NUMBER... | --cluster ID) [--gateway meta|twilio|deeplink]
                     [--message TEXT] [--language LANGUAGE] [--no-pdf] [--resend] [--wait SECONDS]

Sends the module on WhatsApp with its PDF: to each --to number (Indian mobiles in any usual
form: 98765 43210, +91-98765-43210, 098765…) and/or to the opted-in contacts of a cluster.
Sharing the same module again reaches only recipients who did not get it (--resend sends again).
The gateway is SHIKSHA_WHATSAPP_GATEWAY (default deeplink: prints wa.me links to open on your
own phone; meta and twilio need their SHIKSHA_META_* / SHIKSHA_TWILIO_* settings). The command
waits until every message is sent or failed (--wait, default 120 s), then prints the report.
)";

std::optional<std::int64_t> positive_id(const std::string& text) {
    std::int64_t id = 0;
    const auto* end = text.data() + text.size();
    if (auto [ptr, ec] = std::from_chars(text.data(), end, id); ec != std::errc{} || ptr != end || id <= 0)
        return std::nullopt;
    return id;
}

std::string report_text(const ShareResult& shared, const DeliveryReport& report) {
    std::string out;
    for (const auto& r : shared.rejected)
        out += fmt::format("rejected  {}: {}\n", r.input, r.error);
    for (const auto& d : report.deliveries) {
        out += fmt::format("{:<10} {:<14} {}{}\n", d.status, d.phone, d.name,
                           d.link.empty() ? (d.last_error.empty() ? "" : "  (" + d.last_error + ")")
                                          : "  " + d.link);
    }
    out += fmt::format("queued {}, already shared {}, rejected {}", shared.queued, shared.reused,
                       shared.rejected.size());
    for (const auto& [status, n] : report.counts) {
        if (n > 0) out += fmt::format("; {} {}", status, n);
    }
    return out;
}

} // namespace

int run_share(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << share_help, exit_ok);
    ShareRequest req;
    while (auto to = args.option("--to"))
        req.recipient_numbers.push_back(*to);
    if (auto cluster = args.option("--cluster")) {
        auto id = positive_id(*cluster);
        if (!id)
            return usage_error(fmt::format("--cluster must be a positive integer, got '{}'", *cluster),
                               share_help);
        req.cluster_id = *id;
    }
    if (auto gateway = args.option("--gateway")) ctx.config.delivery.gateway = *gateway;
    req.custom_message = args.option("--message");
    req.language = args.option("--language");
    req.include_pdf = !args.flag("--no-pdf");
    req.resend = args.flag("--resend");
    int wait_seconds = 120;
    if (auto wait = args.option("--wait")) {
        auto n = positive_id(*wait);
        if (!n) return usage_error("--wait must be a positive number of seconds", share_help);
        wait_seconds = static_cast<int>(*n);
    }
    const auto module_text = args.positional();
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, share_help);
    if (!module_text) return usage_error("MODULE_ID is required", share_help);
    const auto module_id = positive_id(*module_text);
    if (!module_id)
        return usage_error(fmt::format("MODULE_ID must be a positive integer, got '{}'", *module_text),
                           share_help);
    if (req.recipient_numbers.empty() && !req.cluster_id)
        return usage_error("give --to NUMBER (repeatable) or --cluster ID", share_help);
    req.module_id = *module_id;

    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto& delivery = (*platform)->delivery();
    auto shared = delivery.share_whatsapp(req, Actor{std::nullopt, "", "cli"});
    if (!shared) return report(ctx, shared.error());
    if (auto idle = delivery.wait_idle(req.module_id, std::chrono::seconds(wait_seconds)); !idle)
        return report(ctx, idle.error());
    auto summary = delivery.report(req.module_id);
    if (!summary) return report(ctx, summary.error());
    // Only this share's rows: the report holds every share of the module.
    std::set<std::int64_t> ours;
    for (const auto& d : shared->deliveries)
        ours.insert(d.id);
    std::erase_if(summary->deliveries, [&](const Delivery& d) { return !ours.contains(d.id); });
    for (auto& [status, n] : summary->counts)
        n = 0;
    for (const auto& d : summary->deliveries)
        ++summary->counts[d.status];
    Json json = to_json(*summary);
    Json rejected = Json::array();
    for (const auto& r : shared->rejected)
        rejected.push_back(Json::object({{"phone", r.input}, {"error", r.error}}));
    json["rejected"] = std::move(rejected);
    json["queued"] = shared->queued;
    json["already_shared"] = shared->reused;
    json["pdf_url"] = shared->pdf_url.empty() ? Json() : Json(shared->pdf_url);
    const bool all_failed = !summary->deliveries.empty() &&
                            summary->counts["failed"] == static_cast<int>(summary->deliveries.size());
    const int code = print(ctx, json, report_text(*shared, *summary));
    return all_failed ? exit_failure : code;
}

} // namespace shiksha::cli
