#include "shiksha/videos.hpp"
#include "shiksha/languages.hpp"

#include "core/files.hpp"
#include "core/text.hpp"
#include "store/video_repo.hpp"
#include "videos/video_engine_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace shiksha {

namespace repo = detail::video_repo;
using namespace std::chrono;

// Durations and the Pacific day -----------------------------------------------------------------

std::optional<std::int64_t> parse_iso8601_duration(std::string_view text) {
    // P[nD][T[nH][nM][nS]]; weeks, years and months never appear in YouTube's durations.
    if (text.size() < 2 || text.front() != 'P') return std::nullopt;
    std::size_t i = 1;
    bool in_time = false, any = false;
    std::int64_t total = 0;
    int last_rank = -1;
    while (i < text.size()) {
        if (text[i] == 'T') {
            if (in_time) return std::nullopt;
            in_time = true;
            ++i;
            continue;
        }
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
        if (ec != std::errc() || end == text.data() + text.size()) return std::nullopt;
        i = static_cast<std::size_t>(end - text.data());
        const char unit = text[i++];
        int rank = 0;
        std::int64_t factor = 0;
        if (!in_time && unit == 'W')
            rank = 0, factor = 7 * 86400;
        else if (!in_time && unit == 'D')
            rank = 1, factor = 86400;
        else if (in_time && unit == 'H')
            rank = 2, factor = 3600;
        else if (in_time && unit == 'M')
            rank = 3, factor = 60;
        else if (in_time && unit == 'S')
            rank = 4, factor = 1;
        else
            return std::nullopt;
        if (rank <= last_rank || n < 0) return std::nullopt;
        last_rank = rank;
        total += n * factor;
        any = true;
    }
    if (!any) return std::nullopt;
    return total;
}

std::string format_video_duration(std::int64_t seconds) {
    if (seconds < 0) seconds = 0;
    const auto h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, s);
    return fmt::format("{}:{:02}", m, s);
}

std::string pacific_day(Timestamp t) {
    // libstdc++ 12 has no time-zone database; the US rule (since 2007) is fixed in law: DST from
    // the second Sunday of March at 02:00 PST (10:00 UTC) to the first Sunday of November at
    // 02:00 PDT (09:00 UTC). The UTC year is the local year at both changes.
    const auto utc_day = floor<days>(t);
    const year y = year_month_day(sys_days(utc_day)).year();
    const auto dst_start = sys_days(y / March / Sunday[2]) + hours(10);
    const auto dst_end = sys_days(y / November / Sunday[1]) + hours(9);
    const bool dst = t >= dst_start && t < dst_end;
    const auto local = t + (dst ? hours(-7) : hours(-8));
    const year_month_day ymd(floor<days>(local));
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

// JSON ----------------------------------------------------------------------------------------

std::string youtube_watch_url(std::string_view video_id) {
    return "https://www.youtube.com/watch?v=" + std::string(video_id);
}

std::string youtube_embed_url(std::string_view video_id) {
    return "https://www.youtube.com/embed/" + std::string(video_id);
}

namespace {

bool is_youtube_url(std::string_view url) {
    return url.empty() || url.find("youtube.com/") != std::string_view::npos ||
           url.find("youtu.be/") != std::string_view::npos;
}

/// A string member under `name` or its older alias; nullptr when neither is present (or null).
const Json* member(const Json& body, std::string_view name, std::string_view alias) {
    const Json* v = body.find(name);
    if (!v || v->is_null()) v = alias.empty() ? nullptr : body.find(alias);
    return v && !v->is_null() ? v : nullptr;
}

} // namespace

Result<VideoSearchRequest> video_search_request_from_json(const Json& body) {
    if (!body.is_object()) return fail_field("body", "body: expected a JSON object");
    VideoSearchRequest req;
    const Json* topic = member(body, "topic", "query");
    if (!topic) return fail_field("topic", "topic: Field required");
    if (!topic->is_string()) return fail_field("topic", "topic: Input should be a valid string");
    req.query = topic->as_string();
    if (const Json* l = member(body, "language", ""); l) {
        if (!l->is_string()) return fail_field("language", "language: Input should be a valid string");
        req.language = l->as_string();
    }
    if (const Json* m = member(body, "max_results", ""); m) {
        if (!m->is_int()) return fail_field("max_results", "max_results: Input should be a valid integer");
        if (m->as_int() < 1 || m->as_int() > 50)
            return fail_field("max_results", "max_results: Input should be between 1 and 50");
        req.max_results = static_cast<int>(m->as_int());
    }
    if (const Json* d = member(body, "video_duration", "duration"); d) {
        if (!d->is_string())
            return fail_field("video_duration", "video_duration: Input should be a valid string");
        req.duration = d->as_string();
    }
    return req;
}

Json to_json(const Video& v) {
    const bool youtube = is_youtube_url(v.url);
    const std::string watch = v.url.empty() ? youtube_watch_url(v.video_id) : v.url;
    Json j = Json::object({{"video_id", v.video_id},
                           {"title", v.title},
                           {"description", v.description},
                           {"channel", v.channel},
                           {"channel_name", v.channel},
                           {"url", v.url},
                           {"watch_url", watch},
                           {"embed_url", youtube ? youtube_embed_url(v.video_id) : watch},
                           {"thumbnail_url", v.thumbnail_url},
                           {"language", v.language},
                           {"duration", v.duration},
                           {"duration_seconds", v.duration_seconds},
                           {"view_count", v.view_count},
                           {"published_date", v.published_date.empty() ? Json() : Json(v.published_date)}});
    if (v.relevance_score) {
        j["relevance_score"] = std::round(*v.relevance_score * 1000) / 1000;
        j["relevance_reason"] = v.relevance_reason;
    }
    return j;
}

Json to_json(const VideoSuggestions& s) {
    Json videos = Json::array();
    for (const auto& v : s.videos)
        videos.push_back(to_json(v));
    // The requirement's names (module_title, suggested_videos, generated_at) beside ours.
    Json suggested = videos;
    return Json::object({{"module_id", s.module_id},
                         {"module_title", s.module_title},
                         {"suggested_videos", std::move(suggested)},
                         {"cached", s.cached},
                         {"generated_at", format_timestamp(s.fetched_at)},
                         {"query", s.query},
                         {"source", s.source},
                         {"reason", s.reason.empty() ? Json() : Json(s.reason)},
                         {"fetched_at", format_timestamp(s.fetched_at)},
                         {"videos", std::move(videos)}});
}

Json to_json(const VideoSearchResult& r) {
    Json videos = Json::array();
    for (const auto& v : r.videos)
        videos.push_back(to_json(v));
    const auto total = static_cast<std::int64_t>(r.videos.size());
    return Json::object({{"success", true},
                         {"query", r.query},
                         {"total_results", total},
                         {"source", r.source},
                         {"reason", r.reason.empty() ? Json() : Json(r.reason)},
                         {"videos", std::move(videos)}});
}

Json to_json(const CatalogueImport& r) {
    Json problems = Json::array();
    for (const auto& p : r.problems)
        problems.push_back(Json::object({{"row", p.row}, {"error", p.message}}));
    return Json::object({{"added", r.added}, {"updated", r.updated}, {"problems", std::move(problems)}});
}

Json to_json(const QuotaUsage& u) {
    return Json::object(
        {{"api", u.api}, {"day", u.day}, {"units", u.units}, {"calls", u.calls}, {"limit", u.limit}});
}

namespace detail::videos {

namespace {

const std::set<std::string, std::less<>>& stop_words() {
    static const std::set<std::string, std::less<>> words = {
        "a",      "an",       "and",      "are",        "as",      "at",    "be",     "by",      "can",
        "for",    "from",     "has",      "have",       "how",     "in",    "into",   "is",      "it",
        "its",    "of",       "on",       "or",         "that",    "the",   "their",  "them",    "then",
        "there",  "these",    "they",     "this",       "to",      "use",   "using",  "was",     "we",
        "what",   "when",     "which",    "while",      "who",     "will",  "with",   "you",     "your",
        "module", "students", "teachers", "teacher",    "student", "class", "lesson", "learn",   "learning",
        "help",   "about",    "each",     "also",       "more",    "such",  "other",  "some",    "one",
        "two",    "manual",   "cluster",  "tribal",     "rural",   "urban", "belt",   "adapted", "context",
        "page",   "pages",    "activity", "activities", "should",  "would", "could",  "make",    "very",
        "like",   "than",     "only"};
    return words;
}

/// Words of at least 4 ASCII letters, lower-cased, in order of first appearance with counts.
std::vector<std::pair<std::string, int>> key_terms(std::string_view text) {
    std::map<std::string, int> counts;
    std::vector<std::string> order;
    std::string word;
    auto flush = [&] {
        if (word.size() >= 4 && !stop_words().contains(word)) {
            if (counts[word]++ == 0) order.push_back(word);
        }
        word.clear();
    };
    for (const char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
            word += static_cast<char>(c | 0x20);
        else
            flush();
    }
    flush();
    std::vector<std::pair<std::string, int>> out;
    for (auto& w : order)
        out.emplace_back(w, counts[w]);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

/// "without lab" / "low cost" from the cluster's infrastructure description.
std::string constraint_phrase(const Cluster& c) {
    const auto infra = ascii_lower(c.infrastructure_constraints + " " + c.key_issues.value_or("") + " " +
                                   c.additional_notes.value_or(""));
    if (infra.find("no lab") != std::string::npos || infra.find("without lab") != std::string::npos ||
        infra.find("no laboratory") != std::string::npos || infra.find("no science lab") != std::string::npos)
        return "without lab";
    const auto level = ascii_lower(trim(c.infrastructure_constraints));
    if (level == "low" || infra.find("low cost") != std::string::npos ||
        infra.find("no electricity") != std::string::npos)
        return "low cost";
    return {};
}

/// Appends `part` when the whole still fits `max_chars` characters.
void append_if_fits(std::string& query, std::string_view part, std::size_t max_chars) {
    if (part.empty()) return;
    if (utf8_length(query) + 1 + utf8_length(part) > max_chars) return;
    if (!query.empty()) query += ' ';
    query += part;
}

/// The ISO 15924 script most letters of `text` are in, among the ones our languages use.
std::string_view dominant_script(std::string_view text) {
    std::map<std::string_view, int> counts;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        std::uint32_t cp = b;
        int len = 1;
        if (b >= 0xF0)
            cp = b & 0x07U, len = 4;
        else if (b >= 0xE0)
            cp = b & 0x0FU, len = 3;
        else if (b >= 0xC0)
            cp = b & 0x1FU, len = 2;
        for (int k = 1; k < len && i + k < text.size(); ++k)
            cp = (cp << 6U) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
        i += len;
        std::string_view s;
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
            s = "Latin";
        else if (cp >= 0x0900 && cp <= 0x097F)
            s = "Devanagari";
        else if (cp >= 0x0980 && cp <= 0x09FF)
            s = "Bengali";
        else if (cp >= 0x0A00 && cp <= 0x0A7F)
            s = "Gurmukhi";
        else if (cp >= 0x0A80 && cp <= 0x0AFF)
            s = "Gujarati";
        else if (cp >= 0x0B00 && cp <= 0x0B7F)
            s = "Oriya";
        else if (cp >= 0x0B80 && cp <= 0x0BFF)
            s = "Tamil";
        else if (cp >= 0x0C00 && cp <= 0x0C7F)
            s = "Telugu";
        else if (cp >= 0x0C80 && cp <= 0x0CFF)
            s = "Kannada";
        else if (cp >= 0x0D00 && cp <= 0x0D7F)
            s = "Malayalam";
        else if (cp >= 0x0600 && cp <= 0x06FF)
            s = "Arabic";
        if (!s.empty()) ++counts[s];
    }
    std::string_view best;
    int most = 0;
    for (const auto& [s, n] : counts) {
        if (n > most) best = s, most = n;
    }
    return best;
}

} // namespace

std::string module_query(const Module& module, const Cluster* cluster, std::size_t max_chars) {
    std::string title(trim(module.content.title.empty() ? module.title : module.content.title));
    if (title.empty()) title = module.topic;
    std::string query;
    // The title alone may be too long: keep its words while they fit.
    for (auto w : split(title, ' ')) {
        if (!trim(w).empty()) append_if_fits(query, trim(w), max_chars);
    }
    int added = 0;
    std::string body = module.topic;
    for (const auto& sec : module.content.sections)
        body += " " + sec.heading + " " + sec.text;
    for (const auto& [term, n] : key_terms(body)) {
        if (added == 2) break;
        // Already there, also as singular/plural ("bulb" after "bulbs"): a wasted search word.
        const auto in_query = ascii_lower(query);
        const std::string singular = term.ends_with('s') ? term.substr(0, term.size() - 1) : term;
        if (in_query.find(singular) != std::string::npos || find_language(term)) continue;
        append_if_fits(query, term, max_chars);
        ++added;
    }
    if (cluster) append_if_fits(query, constraint_phrase(*cluster), max_chars);
    if (module.language) {
        if (const Language* l = find_language(*module.language); l && l->key != "english")
            append_if_fits(query, l->english_name, max_chars);
    }
    return query;
}

Result<std::string> llm_query(const LlmClient& llm, const Module& module, const Cluster* cluster,
                              std::string_view rule_query, std::size_t max_chars) {
    const std::string title = module.content.title.empty() ? module.title : module.content.title;
    std::string classroom =
        cluster ? cluster->region_type + ", infrastructure " + cluster->infrastructure_constraints
                : std::string("unknown");
    if (cluster && cluster->key_issues) classroom += "; " + *cluster->key_issues;
    ChatRequest request;
    request.temperature = 0.2;
    request.max_tokens = 40;
    request.messages = {
        {"system",
         fmt::format("You write YouTube search queries that find short teaching videos for teachers in "
                     "India. Answer with the query only: one line, at most {} characters, no quotes, "
                     "no hashtags, no links.",
                     max_chars)},
        {"user", fmt::format("Module: {}\nTopic: {}\nKey words: {}\nClassroom: {}\nLanguage: {}", title,
                             module.topic, rule_query, classroom, module.language.value_or("english"))}};
    auto answer = llm.chat(request);
    if (!answer) return std::unexpected(answer.error());
    std::string q(trim(answer->content));
    while (q.size() >= 2 && (q.front() == '"' || q.front() == '\'') && q.back() == q.front())
        q = std::string(trim(std::string_view(q).substr(1, q.size() - 2)));
    const auto reject = [](std::string why) { return fail(ErrorCode::invalid_argument, "LLM query " + why); };
    if (!valid_utf8(q)) return reject("is not valid UTF-8");
    if (q.find('\n') != std::string::npos) return reject("spans several lines");
    const auto length = utf8_length(q);
    if (length < 3 || length > max_chars) return reject(fmt::format("has {} characters", length));
    const auto lower = ascii_lower(q);
    if (lower.find("http") != std::string::npos || lower.find("www.") != std::string::npos ||
        q.find_first_of("\"#<>{}") != std::string::npos)
        return reject("contains a link, quote, hashtag or markup");
    bool on_topic = false;
    const std::string words = ascii_lower(std::string(rule_query) + " " + title); // outlives the views
    for (auto w : split(words, ' ')) {
        w = trim(w);
        if (w.size() >= 4 && lower.find(w) != std::string::npos) on_topic = true;
    }
    if (!on_topic) return reject("shares no word with the module");
    return q;
}

Score score_video(const Video& v, double similarity, double overlap, std::string_view language_key) {
    const double sim = std::clamp(similarity, 0.0, 1.0);
    // Hashed n-gram cosines of related short texts sit around 0.1–0.4: stretch that range. The
    // built-in embedder also gives unrelated texts ~0.1 (shared common n-grams), so the module's
    // own key terms in the video's words weigh as much.
    const double topical = 0.5 * std::min(1.0, sim / 0.4) + 0.5 * std::clamp(overlap, 0.0, 1.0);
    double fit = 0.3;
    std::string fit_reason = "length unknown";
    const auto secs = v.duration_seconds;
    if (secs > 0) {
        if (secs >= 3 * 60 && secs <= 15 * 60)
            fit = 1.0, fit_reason = v.duration + " fits a lesson";
        else if (secs >= 60 && secs <= 30 * 60)
            fit = 0.6, fit_reason = v.duration + " is usable in class";
        else
            fit = 0.2, fit_reason = v.duration + (secs < 60 ? " is very short" : " is long for a lesson");
    }
    double lang = 0.4;
    std::string lang_reason = "language not stated";
    const Language* want = find_language(language_key);
    if (!v.language.empty()) {
        const Language* have = find_language(v.language);
        if (want && have && have->key == want->key)
            lang = 1.0, lang_reason = "in " + std::string(want->english_name);
        else
            lang = 0.0, lang_reason = "in " + (have ? std::string(have->english_name) : v.language);
    } else if (want) {
        const auto script = dominant_script(v.title);
        if (!script.empty() && script == want->script)
            lang = 0.8, lang_reason = "title in " + std::string(script);
    }
    Score s;
    s.value = std::clamp(0.6 * topical + 0.2 * fit + 0.2 * lang, 0.0, 1.0);
    const char* match = topical >= 0.6   ? "close match to the module"
                        : topical >= 0.3 ? "related to the module"
                                         : "loosely related";
    s.reason = fmt::format("{}; {}; {}", match, fit_reason, lang_reason);
    return s;
}

} // namespace detail::videos

// Engine -----------------------------------------------------------------------------------------

VideoEngine::Impl::Impl(std::shared_ptr<detail::Store> store_, Logger logger_, VideoConfig config_,
                        MetricsRegistry& metrics_, ModuleEngine& modules_, ClusterEngine& clusters_,
                        std::shared_ptr<const Embedder> embedder_)
    : store(std::move(store_)), logger(std::move(logger_)), config(std::move(config_)), metrics(metrics_),
      modules(modules_), clusters(clusters_), embedder(std::move(embedder_)) {}

Result<std::unique_ptr<VideoEngine::Impl>>
VideoEngine::Impl::create(std::shared_ptr<detail::Store> store, Logger logger, VideoConfig config,
                          const NetConfig& net, MetricsRegistry& metrics, ModuleEngine& modules,
                          ClusterEngine& clusters, std::shared_ptr<const Embedder> embedder) {
    auto impl = std::make_unique<Impl>(std::move(store), std::move(logger), std::move(config), metrics,
                                       modules, clusters, std::move(embedder));
    if (!impl->config.youtube_api_key.empty()) {
        Impl* self = impl.get(); // the source is owned by *self, so it never outlives it
        auto source = detail::videos::make_youtube_source(
            impl->config, net, [self](const detail::videos::SourceCall& call) { self->record_call(call); });
        if (!source) return std::unexpected(source.error());
        impl->youtube = std::move(*source);
    }
    return impl;
}

void VideoEngine::Impl::record_call(const detail::videos::SourceCall& call) {
    const auto day = pacific_day(now_utc());
    auto saved = store->write([&](SQLite::Database& db) -> Result<void> {
        repo::add_usage(db, call.api, day, call.units, call.attempts);
        return {};
    });
    if (!saved) logger.warn("cannot record API quota usage", {{"error", saved.error().message}});
    metrics
        .counter("shiksha_video_api_units_total", "Quota units spent on video APIs",
                 {{"api", call.api}, {"endpoint", call.endpoint}})
        .inc(call.units);
    metrics
        .counter("shiksha_video_api_calls_total", "Requests sent to video APIs",
                 {{"api", call.api}, {"endpoint", call.endpoint}, {"status", std::to_string(call.status)}})
        .inc(call.attempts);
    logger.info("video API call", {{"api", call.api},
                                   {"endpoint", call.endpoint},
                                   {"status", call.status},
                                   {"units", call.units},
                                   {"quota_day", day}});
}

VideoEngine::VideoEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoEngine::~VideoEngine() = default;

namespace {

struct Fetched {
    std::string source;
    std::vector<Video> videos;
};

/// Ranks `candidates` against `reference` (module text or query); best first.
Result<std::vector<Video>> rank(VideoEngine::Impl& d, std::vector<Video> candidates,
                                const std::string& reference, std::string_view language_key) {
    if (candidates.empty()) return candidates;
    std::vector<std::string> texts{reference};
    for (const auto& v : candidates)
        texts.push_back(v.title + "\n" + v.description);
    auto vectors = d.embedder->embed(texts);
    std::vector<double> sims(candidates.size(), 0.0);
    if (vectors && vectors->size() == texts.size()) {
        const auto& ref = (*vectors)[0];
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            const auto& vec = (*vectors)[i + 1];
            double dot = 0;
            for (std::size_t k = 0; k < std::min(ref.size(), vec.size()); ++k)
                dot += static_cast<double>(ref[k]) * vec[k];
            sims[i] = dot;
        }
    } else if (!vectors) {
        // Relevance degrades to duration and language; suggestions still come back.
        d.logger.warn("cannot embed video candidates", {{"error", vectors.error().message}});
    }
    // The reference's key terms (at most 8) found in each candidate's words.
    std::vector<std::string> terms;
    for (const auto& [term, n] : detail::videos::key_terms(reference)) {
        if (terms.size() == 8) break;
        terms.push_back(term);
    }
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto words = detail::ascii_lower(candidates[i].title + " " + candidates[i].description);
        double overlap = 0;
        for (const auto& t : terms) {
            const std::string singular = t.ends_with('s') ? t.substr(0, t.size() - 1) : t;
            overlap += words.find(singular) != std::string::npos ? 1 : 0;
        }
        if (!terms.empty()) overlap /= static_cast<double>(std::min<std::size_t>(terms.size(), 4));
        auto s = detail::videos::score_video(candidates[i], sims[i], overlap, language_key);
        candidates[i].relevance_score = s.value;
        candidates[i].relevance_reason = std::move(s.reason);
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Video& a, const Video& b) { return *a.relevance_score > *b.relevance_score; });
    return candidates;
}

bool duration_allowed(const Video& v, std::string_view duration) {
    if (duration == "any" || v.duration_seconds == 0) return true;
    if (duration == "short") return v.duration_seconds < 240;
    if (duration == "medium") return v.duration_seconds >= 240 && v.duration_seconds <= 1200;
    return v.duration_seconds > 1200;
}

Result<std::vector<Video>> catalogue_candidates(VideoEngine::Impl& d, std::string_view duration) {
    auto all =
        d.store->read([](SQLite::Database& db) -> Result<std::vector<Video>> { return repo::catalogue(db); });
    if (!all) return all;
    std::erase_if(*all, [&](const Video& v) { return !duration_allowed(v, duration); });
    return all;
}

/// YouTube when configured and today's quota allows; `reason` says why not otherwise.
Result<std::vector<Video>> youtube_candidates(VideoEngine::Impl& d, const detail::videos::SourceQuery& q,
                                              std::string& reason) {
    if (!d.youtube) {
        reason = "no YouTube API key is configured (SHIKSHA_YOUTUBE_API_KEY)";
        return fail(ErrorCode::unavailable, reason);
    }
    const auto day = pacific_day(now_utc());
    auto used = d.store->read(
        [&](SQLite::Database& db) -> Result<repo::Usage> { return repo::usage(db, "youtube", day); });
    if (!used) return std::unexpected(used.error());
    if (used->units + d.youtube->search_cost() > d.config.daily_quota_units) {
        reason = fmt::format("YouTube quota for {} (Pacific) is spent: {} of {} units used", day, used->units,
                             d.config.daily_quota_units);
        d.metrics.counter("shiksha_video_quota_refusals_total", "Video searches not sent: daily quota spent")
            .inc();
        return fail(ErrorCode::rate_limited, reason);
    }
    auto found = d.youtube->search(q);
    if (!found) {
        if (found.error().code == ErrorCode::rate_limited) {
            // YouTube knows better than our ledger (other clients may share the key).
            (void)d.store->write([&](SQLite::Database& db) -> Result<void> {
                repo::mark_exhausted(db, "youtube", day, d.config.daily_quota_units);
                return {};
            });
            reason = fmt::format("YouTube quota for {} (Pacific) is spent: {}", day, found.error().message);
        } else {
            reason = "YouTube failed: " + found.error().message;
        }
        d.logger.warn("YouTube search failed", {{"error", found.error().message}});
    }
    return found;
}

std::string module_text(const Module& m) {
    std::string text = m.content.title + "\n" + m.topic + "\n" + m.content.summary;
    for (const auto& s : m.content.sections)
        text += "\n" + s.heading + "\n" + std::string(detail::utf8_prefix(s.text, 600));
    return std::string(detail::utf8_prefix(text, 4000));
}

std::string language_code(std::string_view key) {
    const Language* l = find_language(key);
    return l ? std::string(l->code) : std::string();
}

constexpr std::size_t stored_per_module = 10;

} // namespace

Result<VideoSuggestions> VideoEngine::suggest(std::int64_t module_id, const SuggestOptions& options) {
    auto& d = *impl_;
    if (options.limit < 1 || options.limit > 10)
        return fail_field("limit", "limit: Input should be between 1 and 10");
    auto module = d.modules.get(module_id);
    if (!module) return std::unexpected(module.error());
    auto stored = d.store->read([&](SQLite::Database& db) -> Result<std::optional<repo::StoredSuggestions>> {
        return repo::suggestions(db, module_id);
    });
    if (!stored) return std::unexpected(stored.error());
    const auto now = now_utc();

    auto from_store = [&](const repo::StoredSuggestions& s, std::string reason) {
        VideoSuggestions out;
        out.module_id = module_id;
        out.module_title = module->title;
        out.query = s.query;
        out.source = s.source;
        out.cached = true;
        out.reason = std::move(reason);
        out.fetched_at = s.fetched_at;
        out.videos = s.videos;
        if (out.videos.size() > static_cast<std::size_t>(options.limit)) out.videos.resize(options.limit);
        return out;
    };
    if (*stored && !options.refresh && (*stored)->expires_at > now) {
        d.metrics.counter("shiksha_video_suggestions_total", "Video suggestions served", {{"from", "cache"}})
            .inc();
        return from_store(**stored, fmt::format("stored suggestions from {}, kept until {}",
                                                format_timestamp((*stored)->fetched_at),
                                                format_timestamp((*stored)->expires_at)));
    }

    std::optional<Cluster> cluster;
    if (auto c = d.clusters.get(module->cluster_id)) cluster = std::move(*c);
    std::string query = detail::videos::module_query(*module, cluster ? &*cluster : nullptr);
    if (d.llm) {
        auto written = detail::videos::llm_query(*d.llm, *module, cluster ? &*cluster : nullptr, query);
        if (written) {
            query = std::move(*written);
        } else {
            d.logger.info("LLM video query not used; the rule-built one is",
                          {{"module_id", module_id}, {"reason", written.error().message}});
        }
    }
    const std::string language = module->language.value_or("english");
    const std::string reference = module_text(*module);

    std::string reason;
    auto found = youtube_candidates(d, {query, language_code(language), "any", 20}, reason);
    std::string source = "youtube";
    if (!found) {
        // Quota spent or YouTube down: the stored list (even expired) beats the catalogue.
        if (*stored && d.youtube) {
            d.metrics
                .counter("shiksha_video_suggestions_total", "Video searches served",
                         {{"from", "stale_cache"}})
                .inc();
            return from_store(**stored, reason);
        }
        auto catalogue = catalogue_candidates(d, "any");
        if (!catalogue) return std::unexpected(catalogue.error());
        if (catalogue->empty() && *stored) return from_store(**stored, reason);
        found = std::move(*catalogue);
        source = found->empty() ? "none" : "catalogue";
        if (found->empty()) reason += "; the local video catalogue is empty (shiksha videos import FILE)";
    }
    auto ranked = rank(d, std::move(*found), reference, language);
    if (!ranked) return std::unexpected(ranked.error());
    if (ranked->size() > stored_per_module) ranked->resize(stored_per_module);

    VideoSuggestions out;
    out.module_id = module_id;
    out.module_title = module->title;
    out.query = query;
    out.source = source;
    out.reason = reason;
    out.fetched_at = now;
    out.videos = *ranked;
    // A catalogue answer standing in for a failing YouTube is not kept: the next call tries
    // YouTube again. Without a key the catalogue is the source and its answer is kept.
    const bool keep = !out.videos.empty() && (source == "youtube" || !d.youtube);
    if (keep) {
        repo::StoredSuggestions s{module_id,  source, query,
                                  out.videos, now,    now + duration_cast<microseconds>(d.config.cache_ttl)};
        auto saved = d.store->write([&](SQLite::Database& db) -> Result<void> {
            repo::put_suggestions(db, s);
            return {};
        });
        if (!saved) d.logger.warn("cannot store video suggestions", {{"error", saved.error().message}});
    }
    d.metrics.counter("shiksha_video_suggestions_total", "Video suggestions served", {{"from", source}})
        .inc();
    if (out.videos.size() > static_cast<std::size_t>(options.limit)) out.videos.resize(options.limit);
    return out;
}

Result<VideoSearchResult> VideoEngine::search(const VideoSearchRequest& request) {
    auto& d = *impl_;
    const auto q = std::string(detail::trim(request.query));
    if (detail::utf8_length(q) < 2 || detail::utf8_length(q) > 200)
        return fail_field("query", "query: should have 2 to 200 characters");
    if (request.max_results < 1 || request.max_results > 50)
        return fail_field("max_results", "max_results: Input should be between 1 and 50");
    const auto duration = detail::ascii_lower(request.duration.empty() ? "any" : request.duration);
    if (duration != "any" && duration != "short" && duration != "medium" && duration != "long")
        return fail_field("video_duration",
                          "video_duration: should be any, short (< 4 min), medium (4–20 min) "
                          "or long (> 20 min)");
    std::string language_key;
    if (request.language && !detail::trim(*request.language).empty()) {
        const Language* l = find_language(*request.language);
        if (!l)
            return fail_field("language", fmt::format("language: '{}' is not supported; use one of {}",
                                                      *request.language, supported_language_list()));
        language_key = l->key;
    }
    VideoSearchResult out;
    out.query = q;
    out.source = "youtube";
    auto found =
        youtube_candidates(d, {q, language_code(language_key), duration, request.max_results}, out.reason);
    if (!found) {
        found = catalogue_candidates(d, duration);
        if (!found) return std::unexpected(found.error());
        out.source = "catalogue";
    }
    auto ranked = rank(d, std::move(*found), q, language_key);
    if (!ranked) return std::unexpected(ranked.error());
    if (ranked->size() > static_cast<std::size_t>(request.max_results)) ranked->resize(request.max_results);
    out.videos = std::move(*ranked);
    return out;
}

std::vector<VideoLanguage> VideoEngine::languages() const {
    std::vector<VideoLanguage> out;
    for (const auto& l : supported_languages())
        out.push_back({std::string(l.key), std::string(l.code), std::string(l.english_name),
                       std::string(l.native_name)});
    return out;
}

namespace {

/// Seconds, "m:ss", "h:mm:ss" or ISO 8601.
std::optional<std::int64_t> parse_any_duration(std::string_view text) {
    text = detail::trim(text);
    if (text.empty()) return 0;
    if (text.front() == 'P') return parse_iso8601_duration(text);
    std::int64_t total = 0;
    int parts = 0;
    for (auto part : detail::split(text, ':')) {
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (ec != std::errc() || end != part.data() + part.size() || n < 0) return std::nullopt;
        if (parts > 0 && n >= 60) return std::nullopt;
        total = total * 60 + n;
        if (++parts > 3) return std::nullopt;
    }
    return total;
}

std::string youtube_id_from_url(std::string_view url) {
    for (std::string_view marker : {"watch?v=", "youtu.be/", "/embed/", "/shorts/"}) {
        if (auto at = url.find(marker); at != std::string_view::npos) {
            auto id = url.substr(at + marker.size());
            return std::string(id.substr(0, id.find_first_of("&?#/")));
        }
    }
    return {};
}

/// A catalogue row from named fields; the error says what is wrong.
Result<std::pair<Video, std::string>> catalogue_row(const std::map<std::string, std::string>& f) {
    auto get = [&](const char* k) {
        auto it = f.find(k);
        return it == f.end() ? std::string() : std::string(detail::trim(it->second));
    };
    Video v;
    v.title = get("title");
    v.url = get("url");
    v.video_id = get("video_id");
    if (v.video_id.empty()) v.video_id = youtube_id_from_url(v.url);
    if (v.video_id.empty()) return fail_field("video_id", "needs a video_id or a YouTube url");
    if (v.url.empty()) v.url = "https://www.youtube.com/watch?v=" + v.video_id;
    if (!v.url.starts_with("http://") && !v.url.starts_with("https://"))
        return fail_field("url", "url must start with http:// or https://");
    if (v.title.empty()) return fail_field("title", "title is required");
    if (!detail::valid_utf8(v.title) || detail::has_control_chars(v.title))
        return fail_field("title", "title is not clean UTF-8 text");
    v.description = get("description");
    v.channel = get("channel");
    v.thumbnail_url = get("thumbnail_url");
    const auto duration =
        parse_any_duration(get("duration").empty() ? get("duration_seconds") : get("duration"));
    if (!duration)
        return fail_field("duration", "duration must be seconds, m:ss, h:mm:ss or ISO 8601 (PT4M13S)");
    v.duration_seconds = *duration;
    v.duration = format_video_duration(v.duration_seconds);
    if (auto lang = get("language"); !lang.empty()) {
        const Language* l = find_language(lang);
        if (!l) return fail_field("language", fmt::format("language '{}' is not supported", lang));
        v.language = l->key;
    }
    if (auto views = get("view_count"); !views.empty()) {
        const auto [end, ec] = std::from_chars(views.data(), views.data() + views.size(), v.view_count);
        if (ec != std::errc() || end != views.data() + views.size() || v.view_count < 0)
            return fail_field("view_count", "view_count must be a whole number");
    }
    return std::pair{std::move(v), get("tags")};
}

} // namespace

Result<CatalogueImport> VideoEngine::import_catalogue(std::string_view text, std::string_view format) {
    auto& d = *impl_;
    if (!detail::valid_utf8(text)) return fail_field("file", "the file is not valid UTF-8");
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::string fmt_name = detail::ascii_lower(detail::trim(format));
    if (fmt_name.empty()) fmt_name = detail::trim(text).starts_with("[") ? "json" : "csv";

    CatalogueImport report;
    std::vector<std::pair<Video, std::string>> rows;
    auto take = [&](int row, const std::map<std::string, std::string>& fields) {
        auto parsed = catalogue_row(fields);
        if (!parsed)
            report.problems.push_back({row, parsed.error().message});
        else
            rows.push_back(std::move(*parsed));
    };
    if (fmt_name == "json") {
        auto root = Json::parse(text);
        if (!root) return fail_field("file", "the JSON does not parse: " + root.error().message);
        if (!root->is_array()) return fail_field("file", "the JSON must be an array of video objects");
        int row = 0;
        for (const auto& item : root->as_array()) {
            ++row;
            if (!item.is_object()) {
                report.problems.push_back({row, "not an object"});
                continue;
            }
            std::map<std::string, std::string> fields;
            for (const auto& [k, v] : item.as_object()) {
                if (v.is_string())
                    fields[k] = v.as_string();
                else if (v.is_int())
                    fields[k] = std::to_string(v.as_int());
                else if (v.is_array() && k == "tags") {
                    std::string tags;
                    for (const auto& t : v.as_array())
                        if (t.is_string()) tags += (tags.empty() ? "" : ",") + t.as_string();
                    fields[k] = tags;
                }
            }
            take(row, fields);
        }
    } else if (fmt_name == "csv") {
        std::size_t at = 0;
        auto header = detail::csv_record(text, at);
        for (auto& h : header)
            h = detail::ascii_lower(detail::trim(h));
        if (std::find(header.begin(), header.end(), "title") == header.end())
            return fail_field("file", "the CSV's first line must name the columns, with at least title and "
                                      "video_id or url");
        for (int line = 2; at < text.size(); ++line) {
            const auto values = detail::csv_record(text, at);
            if (values.size() == 1 && detail::trim(values[0]).empty()) continue;
            std::map<std::string, std::string> fields;
            for (std::size_t i = 0; i < header.size() && i < values.size(); ++i)
                fields[header[i]] = values[i];
            take(line, fields);
        }
    } else {
        return fail_field("format", "format must be csv or json");
    }
    auto saved = d.store->write([&](SQLite::Database& db) -> Result<void> {
        const auto now = now_utc();
        for (const auto& [v, tags] : rows) {
            if (repo::upsert_catalogue(db, v, tags, now))
                ++report.added;
            else
                ++report.updated;
        }
        return {};
    });
    if (!saved) return std::unexpected(saved.error());
    d.logger.info("video catalogue imported",
                  {{"added", report.added},
                   {"updated", report.updated},
                   {"problems", static_cast<std::int64_t>(report.problems.size())}});
    return report;
}

Result<CatalogueImport> VideoEngine::import_catalogue_file(const std::filesystem::path& path) {
    auto text = detail::read_file(path, path.parent_path());
    if (!text) return std::unexpected(text.error());
    const auto ext = detail::ascii_lower(path.extension().string());
    return import_catalogue(*text, ext == ".json" ? "json" : ext == ".csv" ? "csv" : "");
}

Result<std::int64_t> VideoEngine::catalogue_size() {
    return impl_->store->read(
        [](SQLite::Database& db) -> Result<std::int64_t> { return repo::catalogue_count(db); });
}

Result<QuotaUsage> VideoEngine::quota_usage() {
    auto& d = *impl_;
    QuotaUsage u;
    u.day = pacific_day(now_utc());
    u.limit = d.config.daily_quota_units;
    auto used = d.store->read(
        [&](SQLite::Database& db) -> Result<repo::Usage> { return repo::usage(db, "youtube", u.day); });
    if (!used) return std::unexpected(used.error());
    u.units = used->units;
    u.calls = used->calls;
    return u;
}

} // namespace shiksha
