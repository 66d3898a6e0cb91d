// `shiksha generate`, `shiksha ask`, `shiksha module …`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view generate_help =
    R"(Usage: shiksha generate --manual ID --cluster ID --topic "TOPIC" [--language NAME] [--grade G]

Adapts the manual's content on TOPIC for the cluster and stores the module. Uses the LLM when
SHIKSHA_LLM_BASE_URL or SHIKSHA_LLM_API_KEY is set, else the offline rule-based adapter.
)";

constexpr std::string_view ask_help = R"(Usage: shiksha ask "QUESTION" [--manual ID]... [-k N]

Answers from the indexed manuals, citing pages; says so when they do not cover the question.
)";

constexpr std::string_view module_help = R"(Usage:
  shiksha module list [--cluster ID] [--manual ID]
  shiksha module get ID
  shiksha module approve ID
  shiksha module delete ID
)";

std::optional<std::int64_t> positive(std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < 1) return std::nullopt;
    return v;
}

std::string pages(int a, int b) {
    return a == b ? fmt::format("p. {}", a) : fmt::format("pp. {}–{}", a, b);
}

std::string describe(const Module& m) {
    std::string text = fmt::format("#{} {} — manual {}, cluster {}, {}{} [{} / {}]\n\n", m.id, m.title,
                                   m.manual_id, m.cluster_id, m.language.value_or("english"),
                                   m.approved ? ", approved" : "", m.generation.adapter, m.generation.model);
    text += m.adapted_content;
    return text;
}

} // namespace

int run_generate(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << generate_help, exit_ok);
    GenerateRequest req;
    auto manual = args.option("--manual");
    auto cluster = args.option("--cluster");
    auto topic = args.option("--topic");
    if (!manual || !cluster || !topic)
        return usage_error("--manual, --cluster and --topic are required", generate_help);
    auto manual_id = positive(*manual);
    auto cluster_id = positive(*cluster);
    if (!manual_id || !cluster_id) return usage_error("--manual and --cluster take IDs", generate_help);
    req.manual_id = *manual_id;
    req.cluster_id = *cluster_id;
    req.topic = *topic;
    req.target_language = args.option("--language");
    req.grade = args.option("--grade");
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, generate_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto m = (*platform)->modules().generate(req, Actor{std::nullopt, "", "cli"});
    if (!m) return report(ctx, m.error());
    return print(ctx, to_json(*m), describe(*m));
}

int run_ask(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << ask_help, exit_ok);
    AskRequest req;
    while (auto m = args.option("--manual")) {
        auto id = positive(*m);
        if (!id) return usage_error("--manual takes a manual ID", ask_help);
        req.manual_ids.push_back(*id);
    }
    if (auto k = args.option("-k")) {
        auto n = positive(*k);
        if (!n || *n > 20) return usage_error("-k must be 1..20", ask_help);
        req.k = static_cast<std::size_t>(*n);
    }
    auto question = args.positional();
    if (!question) return usage_error("a QUESTION is required", ask_help);
    req.question = *question;
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, ask_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto answer = (*platform)->modules().ask(req);
    if (!answer) return report(ctx, answer.error());
    std::string text = answer->answer + "\n";
    if (!answer->sources.empty()) text += "\nSources:\n";
    for (const auto& s : answer->sources) {
        text += fmt::format("  {} — {} (relevance {:.2f})\n", s.manual_title, pages(s.page_start, s.page_end),
                            s.relevance);
    }
    return print(ctx, to_json(*answer), text);
}

int run_module(Context& ctx, Args& args) {
    const auto sub = args.positional();
    if (!sub) return usage_error("missing subcommand", module_help);
    if (args.flag("--help")) return (std::cout << module_help, exit_ok);
    if (*sub == "list") {
        ModuleQuery q;
        if (auto c = args.option("--cluster")) q.cluster_id = positive(*c);
        if (auto m = args.option("--manual")) q.manual_id = positive(*m);
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, module_help);
        auto platform = Platform::open(ctx.config);
        if (!platform) return report(ctx, platform.error());
        auto modules = (*platform)->modules().list(q);
        if (!modules) return report(ctx, modules.error());
        Json out = Json::array();
        std::string text = modules->empty() ? "no modules\n" : "";
        for (const auto& m : *modules) {
            out.push_back(to_json(m));
            text += fmt::format("#{} {} — manual {}, cluster {}, {}{}\n", m.id, m.title, m.manual_id,
                                m.cluster_id, m.generation.adapter, m.approved ? ", approved" : "");
        }
        return print(ctx, out, text);
    }
    auto id_text = args.positional();
    auto id = id_text ? positive(*id_text) : std::nullopt;
    if (!id) return usage_error("expected a module ID", module_help);
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, module_help);
    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto& modules = (*platform)->modules();
    const Actor actor{std::nullopt, "", "cli"};
    if (*sub == "get") {
        auto m = modules.get(*id);
        if (!m) return report(ctx, m.error());
        return print(ctx, to_json(*m), describe(*m));
    }
    if (*sub == "approve") {
        auto m = modules.approve(*id, actor);
        if (!m) return report(ctx, m.error());
        return print(ctx, to_json(*m), fmt::format("approved module #{}", *id));
    }
    if (*sub == "delete") {
        if (auto ok = modules.remove(*id, actor); !ok) return report(ctx, ok.error());
        return print(ctx, Json::object({{"deleted", *id}}), fmt::format("deleted module #{}", *id));
    }
    return usage_error(fmt::format("unknown module subcommand '{}'", *sub), module_help);
}

} // namespace shiksha::cli
