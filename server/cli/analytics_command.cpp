// `shiksha feedback` and `shiksha analytics`.
#include "cli/cli.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iostream>

namespace shiksha::cli {

namespace {

constexpr std::string_view feedback_help =
    R"(Usage: shiksha feedback MODULE_ID --rating N [--comment TEXT] [--helpful yes|no] [--tag TAG]...

Records a teacher's feedback on a module: a rating from 1 to 5, an optional comment (at most
2,000 characters) and tags (not_practical, too_complex, needs_resources, language_barrier,
time_constraint...). Without --helpful, the feedback counts as helpful when the rating is 4 or 5.
)";

constexpr std::string_view analytics_help =
    R"(Usage: shiksha analytics summary [--cluster ID] [--manual ID] [--from DATE] [--to DATE] [--top N]
       shiksha analytics modules [--min-ratings N] [--limit N]

summary: totals, helpfulness rate, average rating, rating distribution, per cluster, per day (UTC)
         and the common issues mined from the comments of unhelpful feedback. DATE is YYYY-MM-DD
         (whole day, bounds inclusive) or an ISO-8601 date-time.
modules: top and underperforming modules ranked by the Wilson lower bound (95 %) of the
         helpfulness rate; modules with fewer than --min-ratings ratings (default 5) are left out.
)";

std::optional<std::int64_t> positive_int(const std::string& text) {
    std::int64_t n = 0;
    const auto* end = text.data() + text.size();
    if (auto [ptr, ec] = std::from_chars(text.data(), end, n); ec != std::errc{} || ptr != end || n <= 0)
        return std::nullopt;
    return n;
}

std::string summary_text(const FeedbackSummary& s) {
    std::string out =
        fmt::format("{} feedback: {} helpful, {} not helpful ({:.1f} % helpful), average rating {:.2f}\n",
                    s.total, s.helpful, s.not_helpful, s.helpfulness_rate * 100, s.average_rating);
    out += "ratings:";
    for (std::size_t i = 0; i < s.rating_distribution.size(); ++i)
        out += fmt::format(" {}★ {}", i + 1, s.rating_distribution[i]);
    out += '\n';
    for (const auto& c : s.clusters) {
        out += fmt::format("cluster {:<24} {:>6} feedback  avg {:.2f}  {:.1f} % helpful\n",
                           c.name.empty() ? std::string("(deleted)") : c.name, c.count, c.average_rating,
                           c.helpful_rate * 100);
    }
    for (const auto& d : s.days)
        out += fmt::format("{}  {:>6} feedback  avg {:.2f}  {} helpful\n", d.date, d.count, d.average_rating,
                           d.helpful);
    if (!s.common_issues.empty()) {
        out += fmt::format("common issues (from {} comments):", s.comments_analyzed);
        for (const auto& p : s.common_issues)
            out += fmt::format(" \"{}\" {};", p.phrase, p.count);
        out.pop_back();
    } else {
        out += "no common issues";
    }
    return out;
}

std::string performance_text(const PerformanceReport& r) {
    std::string out = fmt::format("{} modules ranked, {} left out (fewer than {} ratings)\n",
                                  r.modules_ranked, r.modules_excluded, r.min_ratings);
    auto rows = [&](std::string_view title, const std::vector<ModulePerformance>& list) {
        out += fmt::format("{}:\n", title);
        for (const auto& m : list) {
            out += fmt::format(
                "  #{:<6} {:<32} {:<20} {:>5} ratings  avg {:.2f}  {:.1f} % helpful  wilson {:.3f}\n",
                m.module_id, m.title, m.cluster_name, m.count, m.average_rating, m.helpful_rate * 100,
                m.wilson_lower_bound);
        }
    };
    rows("top", r.top);
    rows("underperforming", r.underperforming);
    out.pop_back();
    return out;
}

} // namespace

int run_feedback(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << feedback_help, exit_ok);
    NewFeedback f;
    const auto rating = args.option("--rating");
    f.comment = args.option("--comment");
    if (auto helpful = args.option("--helpful")) {
        if (*helpful == "yes" || *helpful == "true") {
            f.helpful = true;
        } else if (*helpful == "no" || *helpful == "false") {
            f.helpful = false;
        } else {
            return usage_error("--helpful must be yes or no", feedback_help);
        }
    }
    std::vector<std::string> tags;
    while (auto tag = args.option("--tag"))
        tags.push_back(*tag);
    if (!tags.empty()) f.tags = std::move(tags);
    const auto module_text = args.positional();
    if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, feedback_help);
    if (!module_text) return usage_error("MODULE_ID is required", feedback_help);
    const auto module_id = positive_int(*module_text);
    if (!module_id) return usage_error("MODULE_ID must be a positive integer", feedback_help);
    if (!rating) return usage_error("--rating N is required", feedback_help);
    const auto n = positive_int(*rating);
    if (!n || *n > 5) return usage_error("--rating must be 1, 2, 3, 4 or 5", feedback_help);
    f.rating = static_cast<int>(*n);

    auto platform = Platform::open(ctx.config);
    if (!platform) return report(ctx, platform.error());
    auto saved = (*platform)->analytics().submit_feedback(*module_id, f, Actor{std::nullopt, "", "cli"});
    if (!saved) return report(ctx, saved.error());
    return print(ctx, to_json(*saved),
                 fmt::format("feedback {} on module {}: rating {}, {}", saved->id, saved->module_id,
                             saved->rating, saved->helpful ? "helpful" : "not helpful"));
}

int run_analytics(Context& ctx, Args& args) {
    if (args.flag("--help")) return (std::cout << analytics_help, exit_ok);
    const auto what = args.positional();
    if (what == "summary") {
        FeedbackFilter f;
        if (auto cluster = args.option("--cluster")) {
            f.cluster_id = positive_int(*cluster);
            if (!f.cluster_id) return usage_error("--cluster must be a positive integer", analytics_help);
        }
        if (auto manual = args.option("--manual")) {
            f.manual_id = positive_int(*manual);
            if (!f.manual_id) return usage_error("--manual must be a positive integer", analytics_help);
        }
        for (auto [name, end, target] :
             {std::tuple{"--from", false, &f.date_from}, std::tuple{"--to", true, &f.date_to}}) {
            if (auto text = args.option(name)) {
                auto t = parse_feedback_date(*text, end);
                if (!t) return usage_error(fmt::format("{}: {}", name, t.error().message), analytics_help);
                *target = *t;
            }
        }
        if (auto top = args.option("--top")) {
            auto n = positive_int(*top);
            if (!n || *n > 100) return usage_error("--top must be 1..100", analytics_help);
            f.top_issues = static_cast<int>(*n);
        }
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, analytics_help);
        auto platform = Platform::open(ctx.config);
        if (!platform) return report(ctx, platform.error());
        auto s = (*platform)->analytics().summary(f);
        if (!s) return report(ctx, s.error());
        return print(ctx, to_json(*s), summary_text(*s));
    }
    if (what == "modules") {
        PerformanceQuery q;
        if (auto min = args.option("--min-ratings")) {
            auto n = positive_int(*min);
            if (!n || *n > 1000000) return usage_error("--min-ratings must be 1..1000000", analytics_help);
            q.min_ratings = static_cast<int>(*n);
        }
        if (auto limit = args.option("--limit")) {
            auto n = positive_int(*limit);
            if (!n || *n > 100) return usage_error("--limit must be 1..100", analytics_help);
            q.limit = static_cast<int>(*n);
        }
        if (auto extra = args.leftovers(); !extra.empty()) return usage_error(extra, analytics_help);
        auto platform = Platform::open(ctx.config);
        if (!platform) return report(ctx, platform.error());
        auto r = (*platform)->analytics().module_performance(q);
        if (!r) return report(ctx, r.error());
        return print(ctx, to_json(*r), performance_text(*r));
    }
    return usage_error("give summary or modules", analytics_help);
}

} // namespace shiksha::cli
