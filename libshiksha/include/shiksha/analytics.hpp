#pragma once
/// Teacher feedback on modules, and what it says: summaries and module rankings.
///
///     auto fb = platform.analytics().submit_feedback(7, {.rating = 2, .comment = "Needs a lab"});
///     fb->helpful;                       // false: without `helpful`, helpful means rating >= 4
///     FeedbackFilter f{.cluster_id = 3, .date_from = parse_feedback_date("2026-01-01", false).value()};
///     auto s = platform.analytics().summary(f);
///     s->helpfulness_rate;               // helpful / total, 0 when there is no feedback
///     s->common_issues;                  // [{"lab", 12}, {"no lab", 7}, ...]
///     auto p = platform.analytics().module_performance({.min_ratings = 5, .limit = 10});
///     p->top.front().wilson_lower_bound; // ranks by the Wilson bound, not the raw rate
///
/// Feedback is stored with its module, the module's cluster and manual (copied at submission so
/// summaries filter without joins), the time and the actor. Aggregates are computed in SQL
/// (GROUP BY over the module/cluster/time indexes); common issues are mined from the comments of
/// feedback marked not helpful: NFC, lower case, ICU word breaks, stop words (English, Hindi,
/// Marathi, Bengali, Tamil, Telugu...) and tokens of one character dropped, then unigram and
/// bigram counts (a phrase counts once per comment). Only the newest
/// `FeedbackFilter::max_comments` comments are mined, which bounds the cost of a summary.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

/// The tags the original UI offers (others are accepted too).
inline constexpr std::array<std::string_view, 5> known_feedback_tags = {
    "not_practical", "too_complex", "needs_resources", "language_barrier", "time_constraint"};

struct NewFeedback {
    int rating = 0;                               ///< 1..5, required
    std::optional<std::string> comment;           ///< at most 2,000 characters of UTF-8; blank means none
    std::optional<std::vector<std::string>> tags; ///< each 1..64 characters, at most 20
    std::optional<bool> helpful;                  ///< absent: rating >= 4
    /// When the feedback was given; now when absent (imports and tests set it).
    std::optional<Timestamp> submitted_at;
};

struct Feedback {
    std::int64_t id = 0;
    std::int64_t module_id = 0;
    std::optional<std::int64_t> cluster_id;
    std::optional<std::int64_t> manual_id;
    int rating = 0;
    std::optional<std::string> comment;
    std::optional<std::vector<std::string>> tags;
    bool helpful = false;
    std::optional<std::int64_t> created_by;
    Timestamp submitted_at;
};

/// Which feedback a summary covers; every bound is optional and inclusive.
struct FeedbackFilter {
    std::optional<std::int64_t> cluster_id;
    std::optional<std::int64_t> manual_id;
    std::optional<Timestamp> date_from; ///< inclusive
    std::optional<Timestamp> date_to;   ///< inclusive
    int top_issues = 10;                ///< 1..100 phrases in common_issues
    int max_comments = 5000;            ///< newest comments mined for issues, 1..100,000
};

/// "2026-01-15" (start of that UTC day, or its last microsecond when `end_of_day`) or an ISO-8601
/// date-time ("2026-01-15T10:00:00", optional fraction and "Z"/"+05:30" offset).
/// `invalid_argument` (field "date") when malformed.
[[nodiscard]] Result<Timestamp> parse_feedback_date(std::string_view text, bool end_of_day);

struct ClusterFeedback {
    std::optional<std::int64_t> cluster_id; ///< absent for feedback whose cluster was deleted
    std::string name;
    std::int64_t count = 0;
    std::int64_t helpful = 0;
    double average_rating = 0;
    double helpful_rate = 0;
};

struct DailyFeedback {
    std::string date; ///< UTC day, "YYYY-MM-DD"
    std::int64_t count = 0;
    std::int64_t helpful = 0;
    double average_rating = 0;
};

struct PhraseCount {
    std::string phrase; ///< one word or two
    std::int64_t count = 0;
};

struct FeedbackSummary {
    std::int64_t total = 0;
    std::int64_t helpful = 0;
    std::int64_t not_helpful = 0;
    double helpfulness_rate = 0;                       ///< helpful / total; 0 when total is 0
    double average_rating = 0;                         ///< 0 when total is 0
    std::array<std::int64_t, 5> rating_distribution{}; ///< [0] = one star ... [4] = five stars
    std::vector<ClusterFeedback> clusters;             ///< most feedback first
    std::vector<DailyFeedback> days;                   ///< oldest first, days with feedback only
    std::map<std::string, std::int64_t> tags;          ///< tag → how many feedback carry it
    std::vector<PhraseCount> common_issues;            ///< most frequent first, then alphabetical
    std::int64_t comments_analyzed = 0;                ///< comments mined for common_issues
};

/// The ranked modules are split in two by `threshold`: a module whose helpfulness rate is below
/// it is underperforming (the surest first: lowest Wilson upper bound), every other one is a
/// top module (highest Wilson lower bound first). A module is never in both lists.
struct PerformanceQuery {
    int min_ratings = 5;    ///< modules with fewer ratings are left out, 1..1,000,000
    int limit = 10;         ///< per list, 1..100
    double threshold = 0.5; ///< helpfulness rate below which a module underperforms, 0..1
};

struct ModulePerformance {
    std::int64_t module_id = 0;
    std::string title;
    std::int64_t cluster_id = 0;
    std::string cluster_name;
    std::int64_t count = 0;
    std::int64_t helpful = 0;
    double average_rating = 0;
    double helpful_rate = 0;
    double wilson_lower_bound = 0; ///< 95 % (z = 1.96) lower bound of helpful_rate
    double wilson_upper_bound = 0; ///< 95 % upper bound of helpful_rate
};

struct PerformanceReport {
    int min_ratings = 0;
    double threshold = 0;
    std::int64_t modules_ranked = 0;
    std::int64_t modules_excluded = 0;  ///< modules with feedback but fewer than min_ratings ratings
    std::vector<ModulePerformance> top; ///< rate >= threshold, highest Wilson lower bound first
    /// rate < threshold, lowest Wilson upper bound first; never repeats a `top` module
    std::vector<ModulePerformance> underperforming;
};

/// Lower bound of the Wilson score interval of `positive` successes in `total` trials at `z`
/// (1.96 = 95 %). 0 when total is 0.
[[nodiscard]] double wilson_lower_bound(std::int64_t positive, std::int64_t total, double z = 1.96) noexcept;
/// Upper bound of the same interval. 1 when total is 0.
[[nodiscard]] double wilson_upper_bound(std::int64_t positive, std::int64_t total, double z = 1.96) noexcept;

/// Frequent unigrams and bigrams of `comments` after normalisation and stop-word removal (see
/// the file comment), at most `top` of them, most frequent first. Exposed for tests and tools.
[[nodiscard]] std::vector<PhraseCount> key_phrases(const std::vector<std::string>& comments, int top);

/// Obtained from `Platform::analytics()`; not constructible by hosts.
class AnalyticsEngine {
public:
    struct Impl;
    explicit AnalyticsEngine(std::unique_ptr<Impl> impl);
    ~AnalyticsEngine();
    AnalyticsEngine(const AnalyticsEngine&) = delete;
    AnalyticsEngine& operator=(const AnalyticsEngine&) = delete;

    /// Errors: `not_found` (module), `invalid_argument` (rating, comment, tags; `field` names it).
    [[nodiscard]] Result<Feedback> submit_feedback(std::int64_t module_id, const NewFeedback& feedback,
                                                   const Actor& actor = {});
    /// Newest first. `not_found` when the module does not exist.
    [[nodiscard]] Result<std::vector<Feedback>> list_feedback(std::int64_t module_id, const Page& page = {});
    /// `invalid_argument` when date_from > date_to or a limit is out of range; an empty range
    /// gives zeros and empty lists.
    [[nodiscard]] Result<FeedbackSummary> summary(const FeedbackFilter& filter = {});
    [[nodiscard]] Result<PerformanceReport> module_performance(const PerformanceQuery& query = {});

private:
    std::unique_ptr<Impl> impl_;
};

[[nodiscard]] Json to_json(const Feedback& feedback);
[[nodiscard]] Json to_json(const FeedbackSummary& summary);
[[nodiscard]] Json to_json(const PerformanceReport& report);

} // namespace shiksha
