// Headline figure: the feedback summary over 100,000 feedback rows (200 modules, 20 clusters,
// 90 days, a third with comments in English or Hindi) — median of 20 calls of
// AnalyticsEngine::summary() with no filter (every row counts) and with a cluster + 30-day filter,
// and module_performance(). Peer, same run: the same summary computed naively in C++ from every row
// loaded with SELECT * (filtering, grouping, tag JSON parsing and issue mining in C++). The
// benchmark checks that both give the same totals before printing the ratio.
//
//   bench_analytics [--rows N] [--keep]     (default 100000; --keep leaves the database for a look)
//
// Rows are inserted through the feedback repository in one transaction.
#include "analytics/analytics_engine_impl.hpp"
#include "store/cluster_repo.hpp"
#include "store/feedback_repo.hpp"
#include "store/manual_repo.hpp"
#include "store/module_repo.hpp"
#include "store/store.hpp"

#include <SQLiteCpp/Statement.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace shiksha;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int clusters = 20;
constexpr int modules_per_cluster = 10;
constexpr int days = 90;

const std::vector<std::string> comments = {
    "No lab equipment in our school",
    "Activities need materials we do not have",
    "Too long for one period, time constraint",
    "Students enjoyed the lemon battery activity",
    "Language is difficult for first generation learners",
    "प्रयोगशाला नहीं है, सामग्री चाहिए",
    "बच्चों को गतिविधि बहुत पसंद आई",
    "समय की कमी है, पाठ बहुत लंबा है",
    "Needs more local examples and pictures",
    "Clear steps, easy to follow in class",
};
const std::vector<std::string> tag_values = {"not_practical", "too_complex", "needs_resources",
                                             "language_barrier", "time_constraint"};

double median_ms(std::vector<double> v) {
    std::ranges::sort(v);
    return v[v.size() / 2];
}

template <class F>
double time_ms(F&& f) {
    const auto start = Clock::now();
    f();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// The peer: every row loaded (SELECT *), everything else in C++.
FeedbackSummary naive_summary(detail::Store& store, const FeedbackFilter& filter) {
    auto out = store.read([&](SQLite::Database& db) -> Result<FeedbackSummary> {
        SQLite::Statement st(db, "SELECT * FROM feedback");
        std::vector<Feedback> rows;
        while (st.executeStep()) {
            Feedback f;
            f.id = st.getColumn("id").getInt64();
            f.module_id = st.getColumn("module_id").getInt64();
            f.cluster_id = detail::optional_int(st.getColumn("cluster_id"));
            f.manual_id = detail::optional_int(st.getColumn("manual_id"));
            f.rating = st.getColumn("rating").getInt();
            f.comment = detail::optional_text(st.getColumn("comment"));
            if (auto tags = detail::optional_text(st.getColumn("tags"))) {
                auto json = Json::parse(*tags);
                std::vector<std::string> list;
                if (json && json->is_array()) {
                    for (const auto& t : json->as_array())
                        list.push_back(t.as_string());
                }
                f.tags = std::move(list);
            }
            f.helpful = st.getColumn("helpful").getInt() != 0;
            f.submitted_at = detail::to_timestamp(st.getColumn("submitted_at").getInt64());
            rows.push_back(std::move(f));
        }
        std::erase_if(rows, [&](const Feedback& f) {
            return (filter.cluster_id && f.cluster_id != filter.cluster_id) ||
                   (filter.manual_id && f.manual_id != filter.manual_id) ||
                   (filter.date_from && f.submitted_at < *filter.date_from) ||
                   (filter.date_to && f.submitted_at > *filter.date_to);
        });
        FeedbackSummary s;
        std::int64_t rating_sum = 0;
        std::map<std::optional<std::int64_t>, ClusterFeedback> by_cluster;
        std::map<std::string, DailyFeedback> by_day;
        for (const auto& f : rows) {
            ++s.total;
            s.helpful += f.helpful;
            rating_sum += f.rating;
            ++s.rating_distribution[static_cast<std::size_t>(f.rating - 1)];
            auto& c = by_cluster[f.cluster_id];
            ++c.count;
            c.helpful += f.helpful;
            c.average_rating += f.rating;
            const auto day = format_timestamp(f.submitted_at).substr(0, 10);
            auto& d = by_day[day];
            d.date = day;
            ++d.count;
            d.helpful += f.helpful;
            d.average_rating += f.rating;
            if (f.tags) {
                for (const auto& t : *f.tags)
                    ++s.tags[t];
            }
        }
        s.not_helpful = s.total - s.helpful;
        s.helpfulness_rate = s.total ? static_cast<double>(s.helpful) / static_cast<double>(s.total) : 0;
        s.average_rating = s.total ? static_cast<double>(rating_sum) / static_cast<double>(s.total) : 0;
        for (auto& [id, c] : by_cluster) {
            c.cluster_id = id;
            c.average_rating /= static_cast<double>(c.count);
            c.helpful_rate = static_cast<double>(c.helpful) / static_cast<double>(c.count);
            s.clusters.push_back(c);
        }
        for (auto& [day, d] : by_day) {
            d.average_rating /= static_cast<double>(d.count);
            s.days.push_back(d);
        }
        std::ranges::sort(rows, [](const Feedback& a, const Feedback& b) {
            return a.submitted_at != b.submitted_at ? a.submitted_at > b.submitted_at : a.id > b.id;
        });
        std::vector<std::string> mined;
        for (const auto& f : rows) {
            if (!f.helpful && f.comment && static_cast<int>(mined.size()) < filter.max_comments)
                mined.push_back(*f.comment);
        }
        s.comments_analyzed = static_cast<std::int64_t>(mined.size());
        s.common_issues = key_phrases(mined, filter.top_issues);
        return s;
    });
    if (!out) {
        std::fprintf(stderr, "naive summary failed: %s\n", out.error().message.c_str());
        std::exit(1);
    }
    return *out;
}

} // namespace

int main(int argc, char** argv) {
    int rows = 100000;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--rows" && i + 1 < argc) rows = std::atoi(argv[i + 1]);
        if (std::string(argv[i]) == "--keep") keep = true;
    }
    const auto dir =
        std::filesystem::temp_directory_path() / ("bench_analytics_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    Logger logger;
    auto store = detail::Store::open(dir / "shiksha.db", logger);
    if (!store) {
        std::fprintf(stderr, "cannot open the store: %s\n", store.error().message.c_str());
        return 1;
    }
    const auto epoch = parse_feedback_date("2026-01-01", false).value();

    std::vector<std::int64_t> cluster_ids;
    std::vector<Module> modules;
    const double insert_ms = time_ms([&] {
        auto ok = (*store)->write([&](SQLite::Database& db) -> Result<void> {
            const auto manual = detail::manual_repo::insert(
                db, {"Handbook", "handbook.pdf", "manuals/x.pdf", "0", 1, 1, std::nullopt}, epoch);
            for (int c = 0; c < clusters; ++c) {
                const auto cluster = detail::cluster_repo::insert(
                    db,
                    {"Cluster " + std::to_string(c), "Rural", "Hindi", "Low", std::nullopt, 30, std::nullopt},
                    epoch);
                cluster_ids.push_back(cluster.id);
                for (int m = 0; m < modules_per_cluster; ++m) {
                    Module mod;
                    mod.title = "Module " + std::to_string(c) + "." + std::to_string(m);
                    mod.topic = mod.title;
                    mod.manual_id = manual.id;
                    mod.cluster_id = cluster.id;
                    mod.created_at = mod.updated_at = epoch;
                    modules.push_back(detail::module_repo::insert(db, mod, std::nullopt));
                }
            }
            std::mt19937_64 rng(42);
            for (int i = 0; i < rows; ++i) {
                const auto& mod = modules[rng() % modules.size()];
                // Each module has its own quality, so the ranking has something to find.
                const int quality = static_cast<int>(mod.id % 5);
                Feedback f;
                f.module_id = mod.id;
                f.cluster_id = mod.cluster_id;
                f.manual_id = mod.manual_id;
                f.rating = std::clamp(1 + quality + static_cast<int>(rng() % 3) - 1, 1, 5);
                f.helpful = f.rating >= 4;
                if (rng() % 3 == 0) f.comment = comments[rng() % comments.size()];
                if (rng() % 5 == 0) f.tags = std::vector<std::string>{tag_values[rng() % tag_values.size()]};
                f.submitted_at = epoch + std::chrono::microseconds(static_cast<std::int64_t>(
                                             rng() % (static_cast<std::uint64_t>(days) * 86'400'000'000ULL)));
                (void)detail::feedback_repo::insert(db, f);
            }
            return {};
        });
        if (!ok) {
            std::fprintf(stderr, "seeding failed: %s\n", ok.error().message.c_str());
            std::exit(1);
        }
    });
    (void)(*store)->read([](SQLite::Database& db) -> Result<void> {
        db.exec("ANALYZE");
        return {};
    });

    AnalyticsEngine engine(std::make_unique<AnalyticsEngine::Impl>(AnalyticsEngine::Impl{*store, logger}));
    const FeedbackFilter all;
    FeedbackFilter slice;
    slice.cluster_id = cluster_ids[3];
    slice.date_from = epoch + std::chrono::days{30};
    slice.date_to = epoch + std::chrono::days{60} - std::chrono::microseconds{1};

    constexpr int runs = 20;
    std::vector<double> t_all, t_slice, t_perf, t_naive;
    FeedbackSummary fast, naive;
    for (int i = 0; i < runs; ++i) {
        t_all.push_back(time_ms([&] { fast = engine.summary(all).value(); }));
        t_slice.push_back(time_ms([&] { (void)engine.summary(slice).value(); }));
        t_perf.push_back(time_ms([&] { (void)engine.module_performance({5, 10}).value(); }));
    }
    for (int i = 0; i < 5; ++i) // the peer is slow: 5 runs are enough for its median
        t_naive.push_back(time_ms([&] { naive = naive_summary(**store, all); }));

    // Where the time of an unfiltered summary goes.
    std::vector<double> t_groups, t_tags, t_comments, t_phrases;
    std::vector<std::string> mined;
    for (int i = 0; i < 5; ++i) {
        (void)(*store)->read([&](SQLite::Database& db) -> Result<void> {
            t_groups.push_back(time_ms([&] { (void)detail::feedback_repo::summary_groups(db, all); }));
            t_tags.push_back(time_ms([&] { (void)detail::feedback_repo::tag_counts(db, all); }));
            t_comments.push_back(
                time_ms([&] { mined = detail::feedback_repo::issue_comments(db, all, all.max_comments); }));
            return {};
        });
        t_phrases.push_back(time_ms([&] { (void)key_phrases(mined, all.top_issues); }));
    }

    const bool same = fast.total == naive.total && fast.helpful == naive.helpful &&
                      fast.rating_distribution == naive.rating_distribution &&
                      fast.clusters.size() == naive.clusters.size() &&
                      fast.days.size() == naive.days.size() && fast.tags == naive.tags &&
                      fast.comments_analyzed == naive.comments_analyzed && !fast.common_issues.empty() &&
                      !naive.common_issues.empty() &&
                      fast.common_issues.front().phrase == naive.common_issues.front().phrase &&
                      fast.common_issues.front().count == naive.common_issues.front().count;

    const double m_all = median_ms(t_all), m_naive = median_ms(t_naive);
    std::printf("feedback rows                 %d (%d modules, %d clusters, %d days), inserted in %.0f ms\n",
                rows, static_cast<int>(modules.size()), clusters, days, insert_ms);
    std::printf("summary(), no filter          %8.2f ms  (median of %d; %lld rows, %lld comments mined)\n",
                m_all, runs, static_cast<long long>(fast.total),
                static_cast<long long>(fast.comments_analyzed));
    std::printf("  of which GROUP BY %.2f ms, tags %.2f ms, comments %.2f ms, phrases %.2f ms\n",
                median_ms(t_groups), median_ms(t_tags), median_ms(t_comments), median_ms(t_phrases));
    std::printf("summary(), cluster + 30 days  %8.2f ms  (median of %d)\n", median_ms(t_slice), runs);
    std::printf("module_performance()          %8.2f ms  (median of %d)\n", median_ms(t_perf), runs);
    std::printf("peer: SELECT * + C++ summary  %8.2f ms  (median of %d)\n", m_naive,
                static_cast<int>(t_naive.size()));
    std::printf("ratio peer / summary()        %8.1fx   same figures: %s\n", m_naive / m_all,
                same ? "yes" : "NO");
    if (keep)
        std::printf("database kept in %s\n", dir.c_str());
    else
        std::filesystem::remove_all(dir);
    return same ? 0 : 1;
}
