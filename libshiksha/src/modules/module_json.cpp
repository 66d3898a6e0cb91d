// Modules as JSON: the wire form, the strict parser the LLM's answers go through, and the
// Markdown rendering the original frontend displays.
#include "shiksha/modules.hpp"

#include "core/text.hpp"
#include "modules/module_codec.hpp"

#include <fmt/format.h>

namespace shiksha {

namespace {

Json strings(const std::vector<std::string>& items) {
    Json out = Json::array();
    for (const auto& s : items)
        out.push_back(s);
    return out;
}

Json optional_string(const std::optional<std::string>& s) {
    return s ? Json(*s) : Json();
}

/// Collects every problem instead of stopping at the first: the repair prompt shows them all.
class Checker {
public:
    std::vector<std::string> problems;

    const Json* field(const Json& obj, std::string_view key, const std::string& where) {
        const Json* v = obj.find(key);
        if (!v || v->is_null()) problems.push_back(fmt::format("{}.{} is missing", where, key));
        return v && !v->is_null() ? v : nullptr;
    }

    std::optional<std::string> text(const Json& obj, std::string_view key, const std::string& where,
                                    bool required = true, std::size_t max = 20000) {
        const Json* v = obj.find(key);
        if (!v || v->is_null()) {
            if (required) problems.push_back(fmt::format("{}.{} is missing", where, key));
            return std::nullopt;
        }
        if (!v->is_string()) {
            problems.push_back(fmt::format("{}.{} must be a string", where, key));
            return std::nullopt;
        }
        const auto t = std::string(detail::trim(v->as_string()));
        if (required && t.empty()) problems.push_back(fmt::format("{}.{} is empty", where, key));
        if (detail::utf8_length(t) > max)
            problems.push_back(fmt::format("{}.{} is longer than {} characters", where, key, max));
        return t;
    }

    const Json::Array* array(const Json& obj, std::string_view key, const std::string& where, std::size_t min,
                             std::size_t max) {
        const Json* v = field(obj, key, where);
        if (!v) return nullptr;
        if (!v->is_array()) {
            problems.push_back(fmt::format("{}.{} must be an array", where, key));
            return nullptr;
        }
        const auto n = v->as_array().size();
        if (n < min)
            problems.push_back(fmt::format("{}.{} needs at least {} item(s), has {}", where, key, min, n));
        if (n > max)
            problems.push_back(fmt::format("{}.{} allows at most {} items, has {}", where, key, max, n));
        return &v->as_array();
    }

    std::vector<std::string> string_list(const Json& obj, std::string_view key, const std::string& where,
                                         std::size_t min, std::size_t max) {
        std::vector<std::string> out;
        const auto* items = array(obj, key, where, min, max);
        if (!items) return out;
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto& item = (*items)[i];
            if (!item.is_string() || detail::trim(item.as_string()).empty()) {
                problems.push_back(fmt::format("{}.{}[{}] must be a non-empty string", where, key, i));
            } else {
                out.emplace_back(detail::trim(item.as_string()));
            }
        }
        return out;
    }

    std::optional<std::int64_t> integer(const Json& obj, std::string_view key, const std::string& where,
                                        std::int64_t min) {
        const Json* v = field(obj, key, where);
        if (!v) return std::nullopt;
        if (!v->is_int()) {
            problems.push_back(fmt::format("{}.{} must be an integer", where, key));
            return std::nullopt;
        }
        if (v->as_int() < min) problems.push_back(fmt::format("{}.{} must be at least {}", where, key, min));
        return v->as_int();
    }
};

} // namespace

Json to_json(const ModuleContent& c) {
    Json sections = Json::array();
    for (const auto& s : c.sections)
        sections.push_back(Json::object({{"heading", s.heading}, {"text", s.text}}));
    Json activities = Json::array();
    for (const auto& a : c.activities) {
        activities.push_back(Json::object({{"title", a.title},
                                           {"materials", strings(a.materials)},
                                           {"steps", strings(a.steps)},
                                           {"duration", a.duration}}));
    }
    Json assessment = Json::array();
    for (const auto& q : c.assessment) {
        assessment.push_back(Json::object({{"question", q.question}, {"answer", q.answer}}));
    }
    Json citations = Json::array();
    for (const auto& r : c.citations) {
        citations.push_back(Json::object({{"chunk_id", r.chunk_id},
                                          {"manual_id", r.manual_id},
                                          {"page_start", r.page_start},
                                          {"page_end", r.page_end},
                                          {"excerpt", r.excerpt}}));
    }
    return Json::object({{"title", c.title},
                         {"summary", c.summary},
                         {"sections", std::move(sections)},
                         {"teaching_tips", strings(c.teaching_tips)},
                         {"activities", std::move(activities)},
                         {"assessment", std::move(assessment)},
                         {"citations", std::move(citations)}});
}

Json to_json(const GenerationInfo& g) {
    Json dropped = Json::array();
    for (auto id : g.dropped_citations)
        dropped.push_back(id);
    return Json::object({{"adapter", g.adapter},
                         {"offline", g.offline},
                         {"provider", g.provider},
                         {"model", g.model},
                         {"prompt_version", g.prompt_version},
                         {"retrieval_ms", g.retrieval_ms},
                         {"generation_ms", g.generation_ms},
                         {"prompt_tokens", g.prompt_tokens},
                         {"completion_tokens", g.completion_tokens},
                         {"total_tokens", g.total_tokens},
                         {"llm_calls", g.llm_calls},
                         {"repairs", g.repairs},
                         {"dropped_citations", std::move(dropped)}});
}

Json to_json(const Module& m) {
    Json translations = Json::object();
    for (const auto& t : m.translations) {
        Json providers = Json::array();
        for (const auto& p : t.providers)
            providers.push_back(p);
        translations[t.language] = Json::object({{"content", to_json(t.content)},
                                                 {"adapted_content", t.adapted_content},
                                                 {"providers", std::move(providers)},
                                                 {"memory_hits", t.memory_hits},
                                                 {"segments", t.segments},
                                                 {"created_at", format_timestamp(t.created_at)}});
    }
    return Json::object({{"id", m.id},
                         {"title", m.title},
                         {"manual_id", m.manual_id},
                         {"cluster_id", m.cluster_id},
                         {"original_content", m.original_content},
                         {"adapted_content", m.adapted_content},
                         {"language", optional_string(m.language)},
                         {"learning_objective", optional_string(m.learning_objective)},
                         {"approved", m.approved},
                         {"created_at", format_timestamp(m.created_at)},
                         {"updated_at", format_timestamp(m.updated_at)},
                         {"topic", m.topic},
                         {"grade", optional_string(m.grade)},
                         {"content", to_json(m.content)},
                         {"generation", to_json(m.generation)},
                         {"translations", translations},
                         {"translation_status", m.translation_status}});
}

Json to_json(const Answer& a) {
    Json sources = Json::array();
    for (const auto& s : a.sources) {
        sources.push_back(Json::object({{"chunk_id", s.chunk_id},
                                        {"manual_id", s.manual_id},
                                        {"manual_title", s.manual_title},
                                        {"page_start", s.page_start},
                                        {"page_end", s.page_end},
                                        {"excerpt", s.excerpt},
                                        {"relevance", s.relevance}}));
    }
    return Json::object({{"answer", a.answer},
                         {"grounded", a.grounded},
                         {"sources", std::move(sources)},
                         {"generation", to_json(a.generation)}});
}

Result<ModuleContent> module_content_from_json(const Json& json) {
    Checker check;
    ModuleContent c;
    if (!json.is_object()) return fail_field("module", "the module must be a JSON object");
    c.title = check.text(json, "title", "module", true, 200).value_or("");
    c.summary = check.text(json, "summary", "module", true, 2000).value_or("");
    if (const auto* sections = check.array(json, "sections", "module", 1, 12)) {
        for (std::size_t i = 0; i < sections->size(); ++i) {
            const auto where = fmt::format("sections[{}]", i);
            if (!(*sections)[i].is_object()) {
                check.problems.push_back(where + " must be an object");
                continue;
            }
            c.sections.push_back({check.text((*sections)[i], "heading", where, true, 200).value_or(""),
                                  check.text((*sections)[i], "text", where).value_or("")});
        }
    }
    c.teaching_tips = check.string_list(json, "teaching_tips", "module", 1, 12);
    if (const auto* activities = check.array(json, "activities", "module", 1, 6)) {
        for (std::size_t i = 0; i < activities->size(); ++i) {
            const auto where = fmt::format("activities[{}]", i);
            const auto& a = (*activities)[i];
            if (!a.is_object()) {
                check.problems.push_back(where + " must be an object");
                continue;
            }
            Activity act;
            act.title = check.text(a, "title", where, true, 200).value_or("");
            act.materials = check.string_list(a, "materials", where, 0, 30);
            act.steps = check.string_list(a, "steps", where, 1, 30);
            act.duration = check.text(a, "duration", where, false, 100).value_or("");
            c.activities.push_back(std::move(act));
        }
    }
    if (const auto* questions = check.array(json, "assessment", "module", 1, 10)) {
        for (std::size_t i = 0; i < questions->size(); ++i) {
            const auto where = fmt::format("assessment[{}]", i);
            if (!(*questions)[i].is_object()) {
                check.problems.push_back(where + " must be an object");
                continue;
            }
            c.assessment.push_back({check.text((*questions)[i], "question", where).value_or(""),
                                    check.text((*questions)[i], "answer", where).value_or("")});
        }
    }
    if (const auto* citations = check.array(json, "citations", "module", 1, 20)) {
        for (std::size_t i = 0; i < citations->size(); ++i) {
            const auto where = fmt::format("citations[{}]", i);
            const auto& r = (*citations)[i];
            if (!r.is_object()) {
                check.problems.push_back(where + " must be an object");
                continue;
            }
            Citation cite;
            cite.chunk_id = check.integer(r, "chunk_id", where, 1).value_or(0);
            cite.page_start = static_cast<int>(check.integer(r, "page_start", where, 1).value_or(0));
            cite.page_end =
                static_cast<int>(check.integer(r, "page_end", where, 1).value_or(cite.page_start));
            if (cite.page_end < cite.page_start)
                check.problems.push_back(where + ".page_end is before page_start");
            cite.excerpt = check.text(r, "excerpt", where, false, 2000).value_or("");
            c.citations.push_back(std::move(cite));
        }
    }
    if (!check.problems.empty()) {
        std::string all;
        for (const auto& p : check.problems)
            all += (all.empty() ? "" : "; ") + p;
        return fail_field("module", all);
    }
    return c;
}

std::string render_markdown(const ModuleContent& c, const MarkdownLabels& labels) {
    std::string md = fmt::format("# {}\n\n{}\n\n", c.title, c.summary);
    int n = 0;
    for (const auto& s : c.sections)
        md += fmt::format("**{}. {}**\n\n{}\n\n", ++n, s.heading, s.text);
    if (!c.activities.empty()) {
        md += "## " + labels.activities + "\n\n";
        for (const auto& a : c.activities) {
            md += fmt::format("### {}{}\n\n", a.title, a.duration.empty() ? "" : " (" + a.duration + ")");
            if (!a.materials.empty()) {
                md += labels.materials + "\n";
                for (const auto& m : a.materials)
                    md += "- " + m + "\n";
                md += "\n";
            }
            int step = 0;
            for (const auto& s : a.steps)
                md += fmt::format("{}. {}\n", ++step, s);
            md += "\n";
        }
    }
    if (!c.teaching_tips.empty()) {
        md += "## " + labels.teaching_tips + "\n\n";
        for (const auto& t : c.teaching_tips)
            md += "- " + t + "\n";
        md += "\n";
    }
    if (!c.assessment.empty()) {
        md += "## " + labels.check + "\n\n";
        int q = 0;
        for (const auto& a : c.assessment)
            md += fmt::format("{}. {}\n   {} {}\n", ++q, a.question, labels.answer, a.answer);
        md += "\n";
    }
    if (!c.citations.empty()) {
        md += "## " + labels.sources + "\n\n";
        for (const auto& r : c.citations) {
            md += r.page_start == r.page_end ? fmt::format("- p. {}", r.page_start)
                                             : fmt::format("- pp. {}–{}", r.page_start, r.page_end);
            md += r.excerpt.empty() ? "\n" : fmt::format(": \"{}\"\n", detail::utf8_prefix(r.excerpt, 200));
        }
    }
    return md;
}

} // namespace shiksha

namespace shiksha::detail {

namespace {

std::string str(const Json& o, std::string_view k) {
    const Json* v = o.find(k);
    return v && v->is_string() ? v->as_string() : std::string();
}

std::int64_t num(const Json& o, std::string_view k) {
    const Json* v = o.find(k);
    return v && v->is_int() ? v->as_int() : 0;
}

double real(const Json& o, std::string_view k) {
    const Json* v = o.find(k);
    return v && v->is_number() ? v->as_double() : 0.0;
}

const Json::Array& items(const Json& o, std::string_view k) {
    static const Json::Array none;
    const Json* v = o.find(k);
    return v && v->is_array() ? v->as_array() : none;
}

std::vector<std::string> strs(const Json& o, std::string_view k) {
    std::vector<std::string> out;
    for (const auto& v : items(o, k)) {
        if (v.is_string()) out.push_back(v.as_string());
    }
    return out;
}

} // namespace

ModuleContent decode_content(std::string_view json_text) {
    ModuleContent c;
    const Json j = Json::parse(json_text).value_or(Json::object());
    c.title = str(j, "title");
    c.summary = str(j, "summary");
    for (const auto& s : items(j, "sections"))
        c.sections.push_back({str(s, "heading"), str(s, "text")});
    c.teaching_tips = strs(j, "teaching_tips");
    for (const auto& a : items(j, "activities")) {
        c.activities.push_back({str(a, "title"), strs(a, "materials"), strs(a, "steps"), str(a, "duration")});
    }
    for (const auto& q : items(j, "assessment"))
        c.assessment.push_back({str(q, "question"), str(q, "answer")});
    for (const auto& r : items(j, "citations")) {
        c.citations.push_back({num(r, "chunk_id"), num(r, "manual_id"),
                               static_cast<int>(num(r, "page_start")), static_cast<int>(num(r, "page_end")),
                               str(r, "excerpt")});
    }
    return c;
}

GenerationInfo decode_generation(std::string_view json_text) {
    GenerationInfo g;
    const Json j = Json::parse(json_text).value_or(Json::object());
    g.adapter = str(j, "adapter");
    const Json* offline = j.find("offline");
    g.offline = offline && offline->is_bool() ? offline->as_bool() : true;
    g.provider = str(j, "provider");
    g.model = str(j, "model");
    g.prompt_version = str(j, "prompt_version");
    g.retrieval_ms = real(j, "retrieval_ms");
    g.generation_ms = real(j, "generation_ms");
    g.prompt_tokens = static_cast<int>(num(j, "prompt_tokens"));
    g.completion_tokens = static_cast<int>(num(j, "completion_tokens"));
    g.total_tokens = static_cast<int>(num(j, "total_tokens"));
    g.llm_calls = static_cast<int>(num(j, "llm_calls"));
    g.repairs = static_cast<int>(num(j, "repairs"));
    for (const auto& id : items(j, "dropped_citations")) {
        if (id.is_int()) g.dropped_citations.push_back(id.as_int());
    }
    return g;
}

namespace {

/// Each label with its JSON key, in one place for both directions.
template <class Labels, class F>
void for_each_label(Labels& l, F&& f) {
    f("activities", l.activities);
    f("materials", l.materials);
    f("teaching_tips", l.teaching_tips);
    f("check", l.check);
    f("answer", l.answer);
    f("sources", l.sources);
}

} // namespace

std::string encode_labels(const MarkdownLabels& labels) {
    Json j = Json::object();
    for_each_label(labels, [&](const char* key, const std::string& value) { j[key] = value; });
    return j.dump();
}

MarkdownLabels decode_labels(std::string_view json_text) {
    MarkdownLabels labels;
    const Json j = Json::parse(json_text).value_or(Json::object());
    for_each_label(labels, [&](const char* key, std::string& value) {
        if (auto v = str(j, key); !v.empty()) value = std::move(v);
    });
    return labels;
}

} // namespace shiksha::detail
