#include "shiksha/modules.hpp"

#include "adaptation/adapter.hpp"
#include "core/embedded.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "core/upstream.hpp"
#include "core/validate.hpp"
#include "modules/module_engine_impl.hpp"
#include "shiksha/languages.hpp"
#include "store/auth_repo.hpp"
#include "store/cluster_repo.hpp"
#include "store/export_repo.hpp"
#include "store/manual_repo.hpp"
#include "store/module_repo.hpp"
#include "store/translation_repo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace shiksha {

namespace {

constexpr std::string_view llm_service = "The language model";

constexpr std::string_view module_prompt_version = "module-v1";
constexpr std::string_view answer_prompt_version = "answer-v1";
constexpr std::size_t module_chunks = 6;
constexpr std::size_t original_content_max = 5000;
/// A hit counts as relevant when its words match (any BM25 score) or its meaning is close:
/// cosine 0.25 separates related from unrelated text for the built-in embedder on the sample
/// manual (unrelated topics score 0.05–0.15).
constexpr double min_vector_similarity = 0.25;
constexpr std::string_view not_covered = "The manuals do not cover this question.";

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string prompt(std::string_view name) {
    auto text = detail::embedded_file(fmt::format("prompts/{}.txt", name));
    return text ? std::string(*text) : std::string();
}

/// Replaces {{key}} placeholders.
std::string fill(std::string text, const std::map<std::string, std::string>& values) {
    for (const auto& [key, value] : values) {
        const std::string marker = "{{" + key + "}}";
        for (auto pos = text.find(marker); pos != std::string::npos;
             pos = text.find(marker, pos + value.size())) {
            text.replace(pos, marker.size(), value);
        }
    }
    return text;
}

std::string excerpts_block(const std::vector<detail::RetrievedChunk>& chunks) {
    std::string out;
    for (const auto& c : chunks) {
        out += fmt::format("[chunk_id={}, pages {}-{}{}]\n{}\n\n", c.chunk_id, c.page_start, c.page_end,
                           c.section.empty() ? "" : ", section: " + c.section, c.text);
    }
    return out;
}

/// Top hits that are actually about the query.
Result<std::vector<detail::RetrievedChunk>> retrieve(RetrievalEngine& retrieval, const std::string& query,
                                                     std::vector<std::int64_t> manual_ids, std::size_t k) {
    auto result = retrieval.search({.query = query, .manual_ids = std::move(manual_ids), .k = k});
    if (!result) return std::unexpected(result.error());
    std::vector<detail::RetrievedChunk> out;
    for (const auto& h : result->hits) {
        if (!h.bm25 && (!h.vector || *h.vector < min_vector_similarity)) continue;
        out.push_back(
            {h.chunk_id, h.manual_id, h.manual_title, h.page_start, h.page_end, h.section, h.text, h.fused});
    }
    return out;
}

void add_usage(GenerationInfo& info, const ChatResponse& r) {
    info.prompt_tokens += r.usage.prompt_tokens;
    info.completion_tokens += r.usage.completion_tokens;
    info.total_tokens += r.usage.total_tokens;
    ++info.llm_calls;
}

} // namespace

ModuleEngine::ModuleEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModuleEngine::~ModuleEngine() = default;

std::string ModuleEngine::adapter() const {
    return impl_->llm ? "llm" : "offline-rules";
}

namespace {

/// Asks the model for a module, checks it, and gives it one chance to repair what was wrong.
Result<ModuleContent> llm_adapt(ModuleEngine::Impl& d, const detail::AdaptationInput& in,
                                GenerationInfo& info, const CancelToken* cancel) {
    const auto& c = in.cluster;
    const std::string user = fill(prompt(std::string(module_prompt_version) + ".user"),
                                  {{"topic", in.topic},
                                   {"grade", in.grade.value_or("Not specified")},
                                   {"cluster_name", c.name},
                                   {"region_type", c.region_type},
                                   {"language", c.language},
                                   {"infrastructure", c.infrastructure_constraints},
                                   {"key_issues", c.key_issues.value_or("None given")},
                                   {"notes", c.additional_notes.value_or("None")},
                                   {"manual_title", in.chunks.front().manual_title},
                                   {"excerpts", excerpts_block(in.chunks)}});
    ChatRequest request{{{"system", prompt(std::string(module_prompt_version) + ".system")}, {"user", user}},
                        d.llm_config.temperature,
                        d.llm_config.max_tokens,
                        true};
    std::map<std::int64_t, const detail::RetrievedChunk*> given;
    for (const auto& ch : in.chunks)
        given[ch.chunk_id] = &ch;

    auto& calls = d.metrics.counter("shiksha_llm_requests_total", "Chat completions by outcome",
                                    {{"purpose", "module"}});
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto answer = d.llm->chat(request, cancel);
        calls.inc();
        if (!answer) return std::unexpected(detail::upstream_failure(answer.error(), llm_service, d.logger));
        add_usage(info, *answer);
        d.metrics.histogram("shiksha_llm_latency_seconds", "Chat completion latency including retries")
            .observe(answer->latency_ms / 1000.0);

        std::vector<std::string> problems;
        std::optional<ModuleContent> content;
        if (answer->finish_reason == "length")
            problems.emplace_back("the answer was cut off (finish_reason=length)");
        auto parsed = Json::parse(answer->content);
        if (!parsed) {
            problems.push_back("it is not valid JSON (" + parsed.error().message + ")");
        } else if (auto checked = module_content_from_json(*parsed); !checked) {
            problems.push_back(checked.error().message);
        } else {
            content = std::move(*checked);
            // Citations must name excerpts we gave; pages come from our records, not the model.
            std::vector<Citation> kept;
            std::vector<std::int64_t> invented;
            for (auto& cite : content->citations) {
                auto it = given.find(cite.chunk_id);
                if (it == given.end()) {
                    invented.push_back(cite.chunk_id);
                    continue;
                }
                cite.manual_id = it->second->manual_id;
                cite.page_start = it->second->page_start;
                cite.page_end = it->second->page_end;
                if (cite.excerpt.empty())
                    cite.excerpt = std::string(detail::utf8_prefix(it->second->text, 300));
                kept.push_back(std::move(cite));
            }
            content->citations = std::move(kept);
            if (!invented.empty()) {
                std::string ids, allowed;
                for (auto id : invented)
                    ids += (ids.empty() ? "" : ", ") + std::to_string(id);
                for (const auto& [id, ch] : given)
                    allowed += (allowed.empty() ? "" : ", ") + std::to_string(id);
                if (attempt == 0 || content->citations.empty()) {
                    problems.push_back(fmt::format(
                        "citations name chunk_id {} which you were not given; use only {}", ids, allowed));
                }
                info.dropped_citations.insert(info.dropped_citations.end(), invented.begin(), invented.end());
            }
        }
        if (problems.empty()) return std::move(*content);

        std::string all;
        for (const auto& p : problems)
            all += (all.empty() ? "" : "; ") + p;
        d.logger.warn("the model's module needs repair", {{"problems", all}, {"attempt", attempt + 1}});
        if (attempt == 1) {
            return fail(
                ErrorCode::unavailable,
                fmt::format("The model's answer was not a valid module even after one repair: {}", all));
        }
        ++info.repairs;
        info.dropped_citations.clear(); // judged again on the repaired answer
        request.messages.push_back({"assistant", answer->content});
        request.messages.push_back(
            {"user", fill(prompt(std::string(module_prompt_version) + ".repair"), {{"problems", all}})});
    }
    return fail(ErrorCode::internal, "unreachable");
}

Error manual_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Manual with ID {} not found", id), {}};
}

Error cluster_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Cluster with ID {} not found", id), {}};
}

Error module_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Module with ID {} not found", id), {}};
}

/// Calls `f(std::string&)` on every text of a module that a reader sees, in one fixed order,
/// and on the Markdown labels. Citation excerpts are left alone: they quote the manual.
template <class F>
void for_each_text(ModuleContent& c, MarkdownLabels& labels, F&& f) {
    f(c.title);
    f(c.summary);
    for (auto& s : c.sections) {
        f(s.heading);
        f(s.text);
    }
    for (auto& t : c.teaching_tips)
        f(t);
    for (auto& a : c.activities) {
        f(a.title);
        for (auto& m : a.materials)
            f(m);
        for (auto& st : a.steps)
            f(st);
        f(a.duration);
    }
    for (auto& q : c.assessment) {
        f(q.question);
        f(q.answer);
    }
    for (auto* l : {&labels.activities, &labels.materials, &labels.teaching_tips, &labels.check,
                    &labels.answer, &labels.sources}) {
        f(*l);
    }
}

/// The module's texts translated in one batch (shared memory lookups, repeats sent once).
Result<ModuleTranslation> translate_content(TranslationEngine& engine, const ModuleContent& english,
                                            const Language& target, const CancelToken* cancel) {
    ModuleContent content = english;
    MarkdownLabels labels;
    std::vector<std::string> texts;
    for_each_text(content, labels, [&](std::string& s) { texts.push_back(s); });
    auto translated = engine.translate_batch(texts, target.key, "english", cancel);
    if (!translated) return std::unexpected(translated.error());
    std::size_t i = 0;
    for_each_text(content, labels, [&](std::string& s) { s = translated->texts[i++]; });
    ModuleTranslation t;
    t.language = std::string(target.key);
    t.adapted_content = render_markdown(content, labels);
    t.content = std::move(content);
    t.labels = std::move(labels);
    t.providers = translated->stats.providers;
    t.memory_hits = translated->stats.memory_hits;
    t.segments = translated->stats.unique_segments;
    t.created_at = now_utc();
    return t;
}

/// Stores the translation (or why there is none) and returns the module as stored.
Result<Module> attach_translation(ModuleEngine::Impl& d, std::int64_t id,
                                  const Result<ModuleTranslation>& t) {
    return d.store->write([&](SQLite::Database& db) -> Result<Module> {
        if (t) {
            detail::translation_repo::put_module_translation(db, id, *t);
            detail::translation_repo::set_translation_status(db, id, "");
        } else {
            detail::translation_repo::set_translation_status(
                db, id, fmt::format("{}: {}", to_string(t.error().code), t.error().message));
        }
        auto m = detail::module_repo::get(db, id);
        if (!m)
            return std::unexpected(
                Error{ErrorCode::not_found, fmt::format("Module with ID {} not found", id), {}});
        return *m;
    });
}

/// The contract's rule: the request's language, else the cluster's, else English; lower-case.
std::string output_language(const std::optional<std::string>& requested, const Cluster& cluster) {
    std::string lang = requested ? detail::ascii_lower(detail::trim(*requested)) : std::string();
    if (lang.empty()) lang = detail::ascii_lower(detail::trim(cluster.language));
    if (lang.empty()) lang = "english";
    return lang;
}

} // namespace

Result<Module> ModuleEngine::generate(const GenerateRequest& request, const Actor& actor,
                                      const CancelToken* cancel) {
    auto& d = *impl_;
    auto topic = detail::check_text("topic", request.topic, 2, 200);
    if (!topic) return std::unexpected(topic.error());
    auto grade = detail::check_optional_text("grade", request.grade, 50);
    if (!grade) return std::unexpected(grade.error());
    if (request.target_language) {
        if (auto ok = detail::check_text("target_language", *request.target_language, 0, 50); !ok) {
            return std::unexpected(ok.error());
        }
    }

    struct Inputs {
        Manual manual;
        Cluster cluster;
    };
    auto inputs = d.store->read([&](SQLite::Database& db) -> Result<Inputs> {
        auto manual = detail::manual_repo::get(db, request.manual_id);
        if (!manual) return std::unexpected(manual_not_found(request.manual_id));
        if (!manual->indexed)
            return fail(ErrorCode::conflict, "Manual must be indexed before generating modules");
        auto cluster = detail::cluster_repo::get(db, request.cluster_id);
        if (!cluster) return std::unexpected(cluster_not_found(request.cluster_id));
        return Inputs{std::move(*manual), std::move(*cluster)};
    });
    if (!inputs) return std::unexpected(inputs.error());

    const auto t_retrieval = Clock::now();
    auto chunks = retrieve(d.retrieval, *topic, {request.manual_id}, module_chunks);
    if (!chunks) return std::unexpected(chunks.error());
    GenerationInfo info;
    info.retrieval_ms = ms_since(t_retrieval);
    if (chunks->empty()) {
        return fail(ErrorCode::not_found,
                    fmt::format("No relevant content found for topic '{}' in manual", *topic));
    }

    detail::AdaptationInput input{inputs->cluster, *topic, *grade,
                                  output_language(request.target_language, inputs->cluster), *chunks};
    const auto t_generation = Clock::now();
    ModuleContent content;
    if (d.llm) {
        info.adapter = "llm";
        info.offline = false;
        info.provider = d.llm->provider();
        info.model = d.llm->model();
        info.prompt_version = std::string(module_prompt_version);
        auto adapted = llm_adapt(d, input, info, cancel);
        if (!adapted) return std::unexpected(adapted.error());
        content = std::move(*adapted);
    } else {
        info.adapter = "offline-rules";
        info.offline = true;
        info.provider = "shiksha";
        info.model = std::string(detail::offline_rules_version);
        info.prompt_version = std::string(detail::offline_rules_version);
        content = detail::offline_adapt(input);
    }
    info.generation_ms = ms_since(t_generation);

    Module module;
    module.title = *topic;
    module.topic = *topic;
    module.manual_id = request.manual_id;
    module.cluster_id = request.cluster_id;
    module.grade = *grade;
    module.language = input.language;
    std::string original;
    for (const auto& ch : *chunks)
        original += (original.empty() ? "" : "\n\n") + ch.text;
    module.original_content = std::string(detail::utf8_prefix(original, original_content_max));
    module.adapted_content = render_markdown(content);
    module.content = std::move(content);
    module.generation = std::move(info);

    // A caller that gave up while the model was answering (Ctrl-C in Python, a cancelled job)
    // gets nothing stored: the answer arrives, but the module it asked for is no longer wanted.
    if (cancel != nullptr && cancel->cancelled()) return fail(ErrorCode::deadline_exceeded, "cancelled");

    auto stored = d.store->write([&](SQLite::Database& db) -> Result<Module> {
        Module m = detail::module_repo::insert(db, module, actor.user_id);
        detail::audit_repo::append(db, {0, now_utc(), actor.user_id, "module.generate",
                                        fmt::format("module:{}", m.id),
                                        Json::object({{"manual_id", m.manual_id},
                                                      {"cluster_id", m.cluster_id},
                                                      {"adapter", m.generation.adapter}})
                                            .dump(),
                                        actor.request_id, actor.client});
        return m;
    });
    if (!stored) return stored;
    // The module is kept in English; a translation into the resolved language sits beside it.
    // When that cannot happen the module says why (translation_status), never passing English
    // off as the requested language.
    if (const Language* target = find_language(input.language); target && target->key != "english") {
        auto translation = translate_content(d.translation, stored->content, *target, cancel);
        if (!translation) {
            d.logger.warn("module not translated", {{"module_id", stored->id},
                                                    {"language", input.language},
                                                    {"error", translation.error().message}});
        }
        auto with = attach_translation(d, stored->id, translation);
        if (!with) return with;
        stored = std::move(*with);
    } else if (!target) {
        auto marked = d.store->write([&](SQLite::Database& db) -> Result<Module> {
            detail::translation_repo::set_translation_status(
                db, stored->id,
                fmt::format("unsupported: '{}' is not a language Shiksha-Setu translates into",
                            input.language));
            return *detail::module_repo::get(db, stored->id);
        });
        if (!marked) return marked;
        stored = std::move(*marked);
    }
    if (!stored->translations.empty()) stored->adapted_content = stored->translations.back().adapted_content;
    d.metrics
        .counter("shiksha_modules_generated_total", "Modules generated by adapter",
                 {{"adapter", stored->generation.adapter}})
        .inc();
    if (stored->generation.total_tokens > 0) {
        d.metrics.counter("shiksha_llm_tokens_total", "Tokens used by the LLM", {{"kind", "prompt"}})
            .inc(stored->generation.prompt_tokens);
        d.metrics.counter("shiksha_llm_tokens_total", "Tokens used by the LLM", {{"kind", "completion"}})
            .inc(stored->generation.completion_tokens);
    }
    d.logger.info("module generated",
                  {{"module_id", stored->id},
                   {"adapter", stored->generation.adapter},
                   {"citations", static_cast<std::int64_t>(stored->content.citations.size())},
                   {"generation_ms", stored->generation.generation_ms},
                   {"total_tokens", stored->generation.total_tokens},
                   {"request_id", actor.request_id}});
    return stored;
}

Result<Job> ModuleEngine::generate_async(const GenerateRequest& request, const Actor& actor) {
    return impl_->jobs.start("module.generate", actor.user_id,
                             [this, request, actor](JobContext& ctx) -> Result<Json> {
                                 (void)ctx.progress(0, 1, "generating");
                                 auto m = generate(request, actor, &ctx.cancel_token());
                                 if (!m) return std::unexpected(m.error());
                                 return to_json(*m);
                             });
}

namespace {

/// What the original frontend reads as adapted_content: the text in the module's language when
/// there is a translation into it.
void present_in_language(Module& m) {
    for (const auto& t : m.translations) {
        if (m.language && t.language == *m.language) m.adapted_content = t.adapted_content;
    }
}

} // namespace

Result<Module> ModuleEngine::get(std::int64_t id) {
    auto module = impl_->store->read([&](SQLite::Database& db) -> Result<Module> {
        auto stored = detail::module_repo::get(db, id);
        if (!stored) return std::unexpected(module_not_found(id));
        return *stored;
    });
    if (module) present_in_language(*module);
    return module;
}

Result<Module> ModuleEngine::translate(std::int64_t id, std::string_view target_language, const Actor& actor,
                                       const CancelToken* cancel) {
    auto target = resolve_language(target_language, "target_language");
    if (!target) return std::unexpected(target.error());
    auto m = get(id);
    if (!m) return m;
    if ((*target)->key == "english") return m; // the original is English
    auto translation = translate_content(impl_->translation, m->content, **target, cancel);
    if (!translation) return std::unexpected(translation.error());
    auto stored = impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        detail::translation_repo::put_module_translation(db, id, *translation);
        if (m->language && *m->language == (*target)->key)
            detail::translation_repo::set_translation_status(db, id, "");
        detail::audit_repo::append(
            db, {0, now_utc(), actor.user_id, "module.translate", fmt::format("module:{}", id),
                 Json::object({{"language", (*target)->key}}).dump(), actor.request_id, actor.client});
        return {};
    });
    if (!stored) return std::unexpected(stored.error());
    return get(id);
}

Result<std::vector<Module>> ModuleEngine::list(const ModuleQuery& query) {
    if (auto ok = detail::check_page(query.page.skip, query.page.limit); !ok)
        return std::unexpected(ok.error());
    ModuleQuery q = query;
    if (q.cluster_id && *q.cluster_id == 0) q.cluster_id.reset();
    if (q.manual_id && *q.manual_id == 0) q.manual_id.reset();
    auto modules = impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Module>> {
        return detail::module_repo::list(db, q);
    });
    if (modules) {
        for (auto& m : *modules)
            present_in_language(m);
    }
    return modules;
}

Result<std::int64_t> ModuleEngine::count() {
    return impl_->store->read(
        [](SQLite::Database& db) -> Result<std::int64_t> { return detail::module_repo::count(db); });
}

Result<void> ModuleEngine::remove(std::int64_t id, const Actor& actor) {
    using detail::export_repo::Owner;
    auto exported =
        impl_->store->write([&](SQLite::Database& db) -> Result<std::vector<std::filesystem::path>> {
            auto files = detail::export_repo::files_of(db, Owner::module, id);
            if (!detail::module_repo::remove(db, id)) return std::unexpected(module_not_found(id));
            detail::audit_repo::append(db,
                                       {0, now_utc(), actor.user_id, "module.delete",
                                        fmt::format("module:{}", id), "{}", actor.request_id, actor.client});
            return files;
        });
    if (!exported) return std::unexpected(exported.error());
    detail::remove_files(*exported, impl_->logger);
    return {};
}

Result<Module> ModuleEngine::approve(std::int64_t id, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<Module> {
        if (!detail::module_repo::get(db, id)) return std::unexpected(module_not_found(id));
        detail::module_repo::set_approved(db, id, true, now_utc());
        detail::audit_repo::append(db, {0, now_utc(), actor.user_id, "module.approve",
                                        fmt::format("module:{}", id), "{}", actor.request_id, actor.client});
        return *detail::module_repo::get(db, id);
    });
}

Result<Answer> ModuleEngine::ask(const AskRequest& request, const CancelToken* cancel) {
    auto& d = *impl_;
    auto question = detail::check_text("question", request.question, 3, 1000);
    if (!question) return std::unexpected(question.error());
    if (request.k < 1 || request.k > 20) return fail_field("k", "k: must be between 1 and 20");
    const auto t_retrieval = Clock::now();
    auto chunks = retrieve(d.retrieval, *question, request.manual_ids, request.k);
    if (!chunks) return std::unexpected(chunks.error());
    const double retrieval_ms = ms_since(t_retrieval);

    const auto t_generation = Clock::now();
    Answer answer;
    if (chunks->empty()) {
        answer.answer = std::string(not_covered);
        answer.grounded = false;
        answer.generation = {"none", true, "shiksha", "", "", retrieval_ms, 0, 0, 0, 0, 0, 0, {}};
        return answer;
    }
    if (!d.llm) {
        answer = detail::offline_answer(*question, *chunks);
    } else {
        ChatRequest req{{{"system", prompt(std::string(answer_prompt_version) + ".system")},
                         {"user", fill(prompt(std::string(answer_prompt_version) + ".user"),
                                       {{"question", *question}, {"excerpts", excerpts_block(*chunks)}})}},
                        0.2,
                        800,
                        false};
        auto reply = d.llm->chat(req, cancel);
        d.metrics
            .counter("shiksha_llm_requests_total", "Chat completions by outcome", {{"purpose", "answer"}})
            .inc();
        if (!reply) return std::unexpected(detail::upstream_failure(reply.error(), llm_service, d.logger));
        answer.answer = std::string(detail::trim(reply->content));
        answer.grounded = answer.answer.find("do not cover") == std::string::npos;
        answer.generation.adapter = "llm";
        answer.generation.offline = false;
        answer.generation.provider = d.llm->provider();
        answer.generation.model = d.llm->model();
        answer.generation.prompt_version = std::string(answer_prompt_version);
        add_usage(answer.generation, *reply);
        const double best = chunks->front().score > 0 ? chunks->front().score : 1.0;
        for (const auto& c : *chunks) {
            answer.sources.push_back({c.chunk_id, c.manual_id, c.manual_title, c.page_start, c.page_end,
                                      std::string(detail::utf8_prefix(c.text, 400)), c.score / best});
        }
    }
    answer.generation.retrieval_ms = retrieval_ms;
    answer.generation.generation_ms = ms_since(t_generation);
    return answer;
}

} // namespace shiksha
