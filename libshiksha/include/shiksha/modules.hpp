#pragma once
/// Modules: a manual's content adapted for one cluster of teachers, with page citations.
///
///     auto& modules = platform.modules();
///     auto m = modules.generate({.manual_id = 1, .cluster_id = 2, .topic = "Series circuits"});
///     for (const auto& s : m->content.sections) std::cout << s.heading << '\n' << s.text << '\n';
///     for (const auto& c : m->content.citations) std::cout << "p. " << c.page_start << '\n';
///
///     auto answer = modules.ask({.question = "How do I make a lemon battery?"});
///
/// Generation retrieves the topic's chunks inside the manual and adapts them to the cluster's
/// profile (region, language, infrastructure, key issues, grade). With an LLM configured
/// (`Config::llm`), an OpenAI-compatible model writes the module as JSON against a versioned
/// prompt, validated (one repair round) and with citations checked against what was
/// retrieved. Without one, a deterministic rule-based adapter builds the same structure offline.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/jobs.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

struct ModuleSection {
    std::string heading;
    std::string text;
};

struct Activity {
    std::string title;
    std::vector<std::string> materials; ///< chosen to fit the cluster's infrastructure
    std::vector<std::string> steps;
    std::string duration; ///< e.g. "20 minutes"; may be empty
};

struct AssessmentQuestion {
    std::string question;
    std::string answer;
};

/// A page reference into the manual. Only chunks that retrieval returned are accepted.
struct Citation {
    std::int64_t chunk_id = 0;
    std::int64_t manual_id = 0;
    int page_start = 0;
    int page_end = 0;
    std::string excerpt; ///< the sentences the module relied on
};

struct ModuleContent {
    std::string title;
    std::string summary;
    std::vector<ModuleSection> sections;
    std::vector<std::string> teaching_tips;
    std::vector<Activity> activities;
    std::vector<AssessmentQuestion> assessment;
    std::vector<Citation> citations;
};

/// How a module (or an answer) was produced.
struct GenerationInfo {
    std::string adapter; ///< "offline-rules" or "llm"
    bool offline = true;
    std::string provider;       ///< "shiksha" offline, else the LLM provider
    std::string model;          ///< "rules-v1" offline, else the model name
    std::string prompt_version; ///< template or rules version, e.g. "module-v1"
    double retrieval_ms = 0;
    double generation_ms = 0;
    int prompt_tokens = 0;
    int completion_tokens = 0;
    int total_tokens = 0;
    int llm_calls = 0;
    int repairs = 0;                             ///< answers that had to be corrected
    std::vector<std::int64_t> dropped_citations; ///< chunk ids the model cited but was not given
};

/// The headings render_markdown adds besides the module's own (translated with the module).
struct MarkdownLabels {
    std::string activities = "Activities";
    std::string materials = "Materials:";
    std::string teaching_tips = "Teaching tips";
    std::string check = "Check for understanding";
    std::string answer = "Answer:";
    std::string sources = "Sources";
};

/// The module in another language, kept beside the English original.
struct ModuleTranslation {
    std::string language;               ///< key, e.g. "hindi"
    ModuleContent content;              ///< translated; citation excerpts stay as the manual says them
    std::string adapted_content;        ///< Markdown in that language
    MarkdownLabels labels;              ///< the headings, translated (PDF export uses them too)
    std::vector<std::string> providers; ///< who translated ("memory" for memory hits)
    int memory_hits = 0;
    int segments = 0;
    Timestamp created_at;
};

struct Module {
    std::int64_t id = 0;
    std::string title; ///< = the topic, as the original backend stores it
    std::int64_t manual_id = 0;
    std::int64_t cluster_id = 0;
    std::string topic;
    std::optional<std::string> grade;
    std::string original_content;        ///< the retrieved text (≤ 5,000 characters)
    std::string adapted_content;         ///< the module as Markdown (what the original UI shows)
    std::optional<std::string> language; ///< resolved output language (contract name)
    std::optional<std::string> learning_objective;
    bool approved = false;
    ModuleContent content; ///< English, as generated
    GenerationInfo generation;
    std::vector<ModuleTranslation> translations;
    /// Why `language` has no translation yet, when it should: "" (none needed or translated),
    /// "unsupported: gondi", or the translation error ("unavailable: …").
    std::string translation_status;
    Timestamp created_at;
    Timestamp updated_at;
};

struct GenerateRequest {
    std::int64_t manual_id = 0;
    std::int64_t cluster_id = 0;
    std::string topic;                          ///< 2–200 characters
    std::optional<std::string> target_language; ///< contract name; default: the cluster's language
    std::optional<std::string> grade;           ///< "6-8", "Class 4"… (≤ 50 characters)
};

struct ModuleQuery {
    Page page;
    std::optional<std::int64_t> cluster_id;
    std::optional<std::int64_t> manual_id;
};

struct AskRequest {
    std::string question;                 ///< 3–1000 characters
    std::vector<std::int64_t> manual_ids; ///< empty = every indexed manual
    std::size_t k = 5;
};

struct AnswerSource {
    std::int64_t chunk_id = 0;
    std::int64_t manual_id = 0;
    std::string manual_title;
    int page_start = 0;
    int page_end = 0;
    std::string excerpt;
    double relevance = 0; ///< fused retrieval score, 0–1 scaled to the best hit
};

struct Answer {
    std::string answer;
    bool grounded = false; ///< false: nothing relevant was found, so no answer is given
    std::vector<AnswerSource> sources;
    GenerationInfo generation;
};

/// Obtained from `Platform::modules()`; not constructible by hosts.
class ModuleEngine {
public:
    struct Impl;
    explicit ModuleEngine(std::unique_ptr<Impl> impl);
    ~ModuleEngine();
    ModuleEngine(const ModuleEngine&) = delete;
    ModuleEngine& operator=(const ModuleEngine&) = delete;

    /// Errors: `not_found` for the manual, the cluster, or "No relevant content found for
    /// topic '…' in manual"; `conflict` "Manual must be indexed before generating modules";
    /// `invalid_argument` for the request; the LLM's errors when one is configured.
    [[nodiscard]] Result<Module> generate(const GenerateRequest& request, const Actor& actor = {},
                                          const CancelToken* cancel = nullptr);
    /// generate() as a job; the job's result is the module's wire form.
    [[nodiscard]] Result<Job> generate_async(const GenerateRequest& request, const Actor& actor = {});
    [[nodiscard]] Result<Module> get(std::int64_t id);
    /// In creation order; zero or absent filters are ignored (as the original backend does).
    [[nodiscard]] Result<std::vector<Module>> list(const ModuleQuery& query = {});
    [[nodiscard]] Result<std::int64_t> count();
    [[nodiscard]] Result<void> remove(std::int64_t id, const Actor& actor = {});
    [[nodiscard]] Result<Module> approve(std::int64_t id, const Actor& actor = {});
    /// Adds (or refreshes) a translation of the module; `invalid_argument` for an unknown
    /// language, the translation engine's errors otherwise.
    [[nodiscard]] Result<Module> translate(std::int64_t id, std::string_view target_language,
                                           const Actor& actor = {}, const CancelToken* cancel = nullptr);
    /// Grounded question answering over the manuals.
    [[nodiscard]] Result<Answer> ask(const AskRequest& request, const CancelToken* cancel = nullptr);
    /// "offline-rules" or "llm": what generate() will use.
    [[nodiscard]] std::string adapter() const;

private:
    std::unique_ptr<Impl> impl_;
};

/// The contract's ModuleResponse plus topic, grade, content (structured) and generation.
[[nodiscard]] Json to_json(const Module& module);
[[nodiscard]] Json to_json(const ModuleContent& content);
[[nodiscard]] Json to_json(const GenerationInfo& info);
[[nodiscard]] Json to_json(const Answer& answer);
/// Parses and validates a module as the LLM is asked to write it (see the prompt template);
/// `invalid_argument` listing every problem found.
[[nodiscard]] Result<ModuleContent> module_content_from_json(const Json& json);

/// The module as Markdown under numbered bold headings, as the original frontend renders it.
[[nodiscard]] std::string render_markdown(const ModuleContent& content, const MarkdownLabels& labels = {});

} // namespace shiksha
