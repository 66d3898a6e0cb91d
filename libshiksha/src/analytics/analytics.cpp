#include "shiksha/analytics.hpp"

#include "analytics/analytics_engine_impl.hpp"
#include "core/text.hpp"
#include "ingest/text.hpp"
#include "store/feedback_repo.hpp"
#include "store/module_repo.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace shiksha {

namespace {

namespace repo = detail::feedback_repo;

constexpr std::size_t max_comment = 2000;
constexpr std::size_t max_tags = 20;
constexpr std::size_t max_tag = 64;

Error module_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Module with ID {} not found", id), {}};
}

double ratio(std::int64_t a, std::int64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

/// Fixed-width digits at `s[at..at+n)`; false when any is not a digit.
bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::string day_text(std::int64_t day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

double rounded(double x) {
    return std::round(x * 10000.0) / 10000.0;
}

Result<void> validate(const FeedbackFilter& f) {
    if (f.date_from && f.date_to && *f.date_from > *f.date_to)
        return fail_field("date_from", "date_from: must not be after date_to");
    if (f.top_issues < 1 || f.top_issues > 100) return fail_field("top_issues", "top_issues: must be 1..100");
    if (f.max_comments < 1 || f.max_comments > 100000)
        return fail_field("max_comments", "max_comments: must be 1..100000");
    return {};
}

} // namespace

Result<Timestamp> parse_feedback_date(std::string_view text, bool end_of_day) {
    using namespace std::chrono;
    const auto bad = [&] {
        return fail_field("date",
                          fmt::format("date: '{}' is not a date (YYYY-MM-DD) or an ISO-8601 date-time",
                                      detail::utf8_prefix(text, 40)));
    };
    text = detail::trim(text);
    int y = 0, mo = 0, d = 0;
    if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
        text[7] != '-' || !digits(text, 8, 2, d))
        return bad();
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return bad();
    const Timestamp midnight{sys_days{ymd}};
    if (text.size() == 10) return end_of_day ? midnight + days{1} - microseconds{1} : midnight;

    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad();
    int h = 0, mi = 0, s = 0;
    if (!digits(text, 11, 2, h) || text.size() < 16 || text[13] != ':' || !digits(text, 14, 2, mi))
        return bad();
    std::size_t at = 16;
    if (at < text.size() && text[at] == ':') {
        if (!digits(text, at + 1, 2, s)) return bad();
        at += 3;
    }
    if (h > 23 || mi > 59 || s > 59) return bad();
    microseconds fraction{0};
    if (at < text.size() && text[at] == '.') {
        ++at;
        std::int64_t value = 0;
        int n = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            if (n < 6) {
                value = value * 10 + (text[at] - '0');
                ++n;
            }
            ++at;
        }
        if (n == 0) return bad();
        for (; n < 6; ++n)
            value *= 10;
        fraction = microseconds{value};
    }
    minutes offset{0};
    if (at < text.size()) {
        const char sign = text[at];
        if (sign == 'Z' || sign == 'z') {
            ++at;
        } else if (sign == '+' || sign == '-') {
            int oh = 0, om = 0;
            if (!digits(text, at + 1, 2, oh)) return bad();
            std::size_t next = at + 3;
            if (next < text.size() && text[next] == ':') ++next;
            if (!digits(text, next, 2, om) || oh > 23 || om > 59) return bad();
            offset = minutes{(sign == '+' ? 1 : -1) * (oh * 60 + om)};
            at = next + 2;
        }
        if (at != text.size()) return bad();
    }
    return midnight + hours{h} + minutes{mi} + seconds{s} + fraction - offset;
}

double wilson_lower_bound(std::int64_t positive, std::int64_t total, double z) noexcept {
    if (total <= 0) return 0.0;
    const double n = static_cast<double>(total);
    const double p = static_cast<double>(positive) / n;
    const double z2 = z * z;
    return (p + z2 / (2 * n) - z * std::sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}

double wilson_upper_bound(std::int64_t positive, std::int64_t total, double z) noexcept {
    if (total <= 0) return 1.0;
    const double n = static_cast<double>(total);
    const double p = static_cast<double>(positive) / n;
    const double z2 = z * z;
    return (p + z2 / (2 * n) + z * std::sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}

AnalyticsEngine::AnalyticsEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AnalyticsEngine::~AnalyticsEngine() = default;

Result<Feedback> AnalyticsEngine::submit_feedback(std::int64_t module_id, const NewFeedback& in,
                                                  const Actor& actor) {
    if (in.rating < 1 || in.rating > 5) return fail_field("rating", "rating: must be an integer from 1 to 5");
    Feedback f;
    f.module_id = module_id;
    f.rating = in.rating;
    if (in.comment) {
        if (!detail::valid_utf8(*in.comment)) return fail_field("comment", "comment: not valid UTF-8");
        std::string comment = detail::to_nfc(detail::trim(*in.comment));
        if (detail::utf8_length(comment) > max_comment)
            return fail_field("comment", "comment: at most 2000 characters");
        if (detail::has_control_chars(comment))
            return fail_field("comment", "comment: control characters are not allowed");
        if (!comment.empty()) f.comment = std::move(comment);
    }
    if (in.tags) {
        if (in.tags->size() > max_tags) return fail_field("tags", "tags: at most 20 tags");
        std::vector<std::string> tags;
        for (const auto& t : *in.tags) {
            const auto tag = detail::trim(t);
            if (tag.empty() || !detail::valid_utf8(tag) || detail::utf8_length(tag) > max_tag ||
                detail::has_control_chars(tag))
                return fail_field("tags", "tags: every tag must be 1 to 64 characters of text");
            if (std::ranges::find(tags, tag) == tags.end()) tags.emplace_back(tag);
        }
        f.tags = std::move(tags);
    }
    f.helpful = in.helpful.value_or(in.rating >= 4);
    f.created_by = actor.user_id;
    f.submitted_at = in.submitted_at.value_or(now_utc());
    return impl_->store->write([&](SQLite::Database& db) -> Result<Feedback> {
        auto module = detail::module_repo::get(db, module_id);
        if (!module) return std::unexpected(module_not_found(module_id));
        // Copied, so summaries filter by cluster and manual without a join.
        f.cluster_id = module->cluster_id;
        f.manual_id = module->manual_id;
        return repo::insert(db, f);
    });
}

Result<std::vector<Feedback>> AnalyticsEngine::list_feedback(std::int64_t module_id, const Page& page) {
    if (page.limit < 1 || page.limit > 1000) return fail_field("limit", "limit: must be 1..1000");
    if (page.skip < 0) return fail_field("skip", "skip: must not be negative");
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Feedback>> {
        if (!repo::module_exists(db, module_id)) return std::unexpected(module_not_found(module_id));
        return repo::for_module(db, module_id, page);
    });
}

Result<FeedbackSummary> AnalyticsEngine::summary(const FeedbackFilter& filter) {
    if (auto ok = validate(filter); !ok) return std::unexpected(ok.error());
    struct Read {
        std::vector<repo::SummaryGroup> groups;
        std::map<std::string, std::int64_t> tags;
        std::vector<std::string> comments;
        std::map<std::int64_t, std::string> names;
    };
    // One read transaction: the groups, tags and comments see the same snapshot.
    auto read = impl_->store->read([&](SQLite::Database& db) -> Result<Read> {
        SQLite::Transaction tx(db); // rolled back (nothing to undo) if a query throws
        Read r{repo::summary_groups(db, filter), repo::tag_counts(db, filter),
               repo::issue_comments(db, filter, filter.max_comments), repo::cluster_names(db)};
        tx.commit();
        return r;
    });
    if (!read) return std::unexpected(read.error());

    FeedbackSummary s;
    std::int64_t rating_sum = 0;
    struct Acc {
        std::int64_t count = 0, helpful = 0, rating_sum = 0;
    };
    std::map<std::optional<std::int64_t>, Acc> clusters;
    std::map<std::int64_t, Acc> days;
    for (const auto& g : read->groups) {
        s.total += g.count;
        if (g.helpful) s.helpful += g.count;
        rating_sum += g.rating * g.count;
        if (g.rating >= 1 && g.rating <= 5)
            s.rating_distribution[static_cast<std::size_t>(g.rating - 1)] += g.count;
        for (Acc* a : {&clusters[g.cluster_id], &days[g.day]}) {
            a->count += g.count;
            a->helpful += g.helpful ? g.count : 0;
            a->rating_sum += g.rating * g.count;
        }
    }
    s.not_helpful = s.total - s.helpful;
    s.helpfulness_rate = ratio(s.helpful, s.total);
    s.average_rating = ratio(rating_sum, s.total);
    for (const auto& [id, a] : clusters) {
        ClusterFeedback c;
        c.cluster_id = id;
        if (id) {
            auto name = read->names.find(*id);
            if (name != read->names.end()) c.name = name->second;
        }
        c.count = a.count;
        c.helpful = a.helpful;
        c.average_rating = ratio(a.rating_sum, a.count);
        c.helpful_rate = ratio(a.helpful, a.count);
        s.clusters.push_back(std::move(c));
    }
    std::ranges::stable_sort(s.clusters, [](const auto& a, const auto& b) { return a.count > b.count; });
    for (const auto& [day, a] : days)
        s.days.push_back({day_text(day), a.count, a.helpful, ratio(a.rating_sum, a.count)});
    s.tags = std::move(read->tags);
    s.comments_analyzed = static_cast<std::int64_t>(read->comments.size());
    s.common_issues = key_phrases(read->comments, filter.top_issues);
    return s;
}

Result<PerformanceReport> AnalyticsEngine::module_performance(const PerformanceQuery& q) {
    if (q.min_ratings < 1 || q.min_ratings > 1000000)
        return fail_field("min_ratings", "min_ratings: must be 1..1000000");
    if (q.limit < 1 || q.limit > 100) return fail_field("limit", "limit: must be 1..100");
    if (!(q.threshold >= 0.0 && q.threshold <= 1.0))
        return fail_field("threshold", "threshold: must be 0..1");
    auto stats = impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<repo::ModuleStats>> {
        return repo::module_stats(db);
    });
    if (!stats) return std::unexpected(stats.error());

    PerformanceReport r;
    r.min_ratings = q.min_ratings;
    r.threshold = q.threshold;
    std::vector<ModulePerformance> good, poor;
    for (const auto& m : *stats) {
        if (m.count < q.min_ratings) {
            ++r.modules_excluded;
            continue;
        }
        ModulePerformance p{m.module_id,
                            m.title,
                            m.cluster_id,
                            m.cluster_name,
                            m.count,
                            m.helpful,
                            ratio(m.rating_sum, m.count),
                            ratio(m.helpful, m.count),
                            wilson_lower_bound(m.helpful, m.count),
                            wilson_upper_bound(m.helpful, m.count)};
        // Split first, then rank each side: ranking one list from both ends put a module rated
        // helpful 0 times out of 6 among the "top" ones whenever few modules had ratings.
        (p.helpful_rate < q.threshold ? poor : good).push_back(std::move(p));
    }
    r.modules_ranked = static_cast<std::int64_t>(good.size() + poor.size());
    // Ties by more ratings (more evidence), then id for a stable order.
    std::ranges::sort(good, [](const ModulePerformance& a, const ModulePerformance& b) {
        if (a.wilson_lower_bound != b.wilson_lower_bound) return a.wilson_lower_bound > b.wilson_lower_bound;
        if (a.count != b.count) return a.count > b.count;
        return a.module_id < b.module_id;
    });
    std::ranges::sort(poor, [](const ModulePerformance& a, const ModulePerformance& b) {
        if (a.wilson_upper_bound != b.wilson_upper_bound) return a.wilson_upper_bound < b.wilson_upper_bound;
        if (a.count != b.count) return a.count > b.count;
        return a.module_id < b.module_id;
    });
    const auto limit = static_cast<std::size_t>(q.limit);
    if (good.size() > limit) good.resize(limit);
    if (poor.size() > limit) poor.resize(limit);
    r.top = std::move(good);
    r.underperforming = std::move(poor);
    return r;
}

Json to_json(const Feedback& f) {
    Json tags;
    if (f.tags) {
        tags = Json::array();
        for (const auto& t : *f.tags)
            tags.push_back(Json(t));
    }
    return Json::object({{"id", f.id},
                         {"module_id", f.module_id},
                         {"cluster_id", f.cluster_id ? Json(*f.cluster_id) : Json()},
                         {"manual_id", f.manual_id ? Json(*f.manual_id) : Json()},
                         {"rating", f.rating},
                         {"comment", f.comment ? Json(*f.comment) : Json()},
                         {"tags", std::move(tags)},
                         {"helpful", f.helpful},
                         {"submitted_at", format_timestamp(f.submitted_at)}});
}

Json to_json(const FeedbackSummary& s) {
    Json distribution = Json::object();
    for (std::size_t i = 0; i < s.rating_distribution.size(); ++i)
        distribution[std::to_string(i + 1)] = Json(s.rating_distribution[i]);
    Json clusters = Json::array();
    for (const auto& c : s.clusters) {
        clusters.push_back(Json::object({{"cluster_id", c.cluster_id ? Json(*c.cluster_id) : Json()},
                                         {"cluster_name", c.name},
                                         {"count", c.count},
                                         {"helpful", c.helpful},
                                         {"average_rating", rounded(c.average_rating)},
                                         {"helpful_rate", rounded(c.helpful_rate)}}));
    }
    Json days = Json::array();
    for (const auto& d : s.days) {
        days.push_back(Json::object({{"date", d.date},
                                     {"count", d.count},
                                     {"helpful", d.helpful},
                                     {"average_rating", rounded(d.average_rating)}}));
    }
    Json tags = Json::object();
    for (const auto& [tag, n] : s.tags)
        tags[tag] = Json(n);
    Json issues = Json::array();
    Json issue_counts = Json::array();
    for (const auto& p : s.common_issues) {
        issues.push_back(Json(p.phrase));
        issue_counts.push_back(Json::object({{"phrase", p.phrase}, {"count", p.count}}));
    }
    // The requirement's per-cluster and per-day shapes; by_cluster and by_day keep ours.
    Json by_cluster = Json::array();
    for (const auto& c : s.clusters) {
        by_cluster.push_back(Json::object({{"cluster_id", c.cluster_id ? Json(*c.cluster_id) : Json()},
                                           {"cluster_name", c.name},
                                           {"total", c.count},
                                           {"helpful", c.helpful},
                                           {"rate", rounded(c.helpful_rate)}}));
    }
    Json over_time = Json::array();
    for (const auto& d : s.days) {
        over_time.push_back(
            Json::object({{"date", d.date}, {"helpful", d.helpful}, {"not_helpful", d.count - d.helpful}}));
    }
    return Json::object({{"total_feedback", s.total},
                         {"helpful_count", s.helpful},
                         {"not_helpful_count", s.not_helpful},
                         {"helpfulness_rate", rounded(s.helpfulness_rate)},
                         {"average_rating", rounded(s.average_rating)},
                         {"feedback_by_cluster", std::move(by_cluster)},
                         {"feedback_over_time", std::move(over_time)},
                         {"rating_distribution", std::move(distribution)},
                         {"by_cluster", std::move(clusters)},
                         {"by_day", std::move(days)},
                         {"tags", std::move(tags)},
                         {"common_issues", std::move(issues)},
                         {"common_issue_counts", std::move(issue_counts)},
                         {"comments_analyzed", s.comments_analyzed}});
}

namespace {

Json performance_json(const ModulePerformance& m) {
    return Json::object({{"module_id", m.module_id},
                         {"title", m.title},
                         {"helpfulness_rate", rounded(m.helpful_rate)},
                         {"feedback_count", m.count},
                         {"avg_rating", rounded(m.average_rating)},
                         {"cluster_id", m.cluster_id},
                         {"cluster_name", m.cluster_name},
                         {"ratings", m.count},
                         {"helpful", m.helpful},
                         {"average_rating", rounded(m.average_rating)},
                         {"helpful_rate", rounded(m.helpful_rate)},
                         {"wilson_lower_bound", rounded(m.wilson_lower_bound)},
                         {"wilson_upper_bound", rounded(m.wilson_upper_bound)}});
}

} // namespace

Json to_json(const PerformanceReport& r) {
    Json top = Json::array();
    for (const auto& m : r.top)
        top.push_back(performance_json(m));
    Json under = Json::array();
    for (const auto& m : r.underperforming)
        under.push_back(performance_json(m));
    return Json::object({{"min_ratings", r.min_ratings},
                         {"threshold", r.threshold},
                         {"modules_ranked", r.modules_ranked},
                         {"modules_excluded", r.modules_excluded},
                         {"top_modules", std::move(top)},
                         {"underperforming_modules", std::move(under)}});
}

} // namespace shiksha
