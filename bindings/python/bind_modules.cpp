// shiksha.ModuleEngine: manuals adapted for clusters, and grounded question answering.
#include "bindings.hpp"

#include "shiksha/languages.hpp"
#include "shiksha/modules.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

namespace {

void bind_values(py::module_& m) {
    py::class_<ModuleSection>(m, "ModuleSection")
        .def_readonly("heading", &ModuleSection::heading)
        .def_readonly("text", &ModuleSection::text);
    py::class_<Activity>(m, "Activity")
        .def_readonly("title", &Activity::title)
        .def_readonly("materials", &Activity::materials)
        .def_readonly("steps", &Activity::steps)
        .def_readonly("duration", &Activity::duration);
    py::class_<AssessmentQuestion>(m, "AssessmentQuestion")
        .def_readonly("question", &AssessmentQuestion::question)
        .def_readonly("answer", &AssessmentQuestion::answer);
    py::class_<Citation>(m, "Citation", "A page reference to a chunk that retrieval returned.")
        .def_readonly("chunk_id", &Citation::chunk_id)
        .def_readonly("manual_id", &Citation::manual_id)
        .def_readonly("page_start", &Citation::page_start)
        .def_readonly("page_end", &Citation::page_end)
        .def_readonly("excerpt", &Citation::excerpt);
    py::class_<ModuleContent>(m, "ModuleContent")
        .def_readonly("title", &ModuleContent::title)
        .def_readonly("summary", &ModuleContent::summary)
        .def_readonly("sections", &ModuleContent::sections)
        .def_readonly("teaching_tips", &ModuleContent::teaching_tips)
        .def_readonly("activities", &ModuleContent::activities)
        .def_readonly("assessment", &ModuleContent::assessment)
        .def_readonly("citations", &ModuleContent::citations)
        .def("to_dict", [](const ModuleContent& c) { return py_from_json(to_json(c)); })
        .def(
            "markdown", [](const ModuleContent& c) { return render_markdown(c); },
            "The module as Markdown under numbered headings.");
    py::class_<GenerationInfo>(m, "GenerationInfo", "How a module or answer was produced.")
        .def_readonly("adapter", &GenerationInfo::adapter)
        .def_readonly("offline", &GenerationInfo::offline)
        .def_readonly("provider", &GenerationInfo::provider)
        .def_readonly("model", &GenerationInfo::model)
        .def_readonly("prompt_version", &GenerationInfo::prompt_version)
        .def_readonly("retrieval_ms", &GenerationInfo::retrieval_ms)
        .def_readonly("generation_ms", &GenerationInfo::generation_ms)
        .def_readonly("prompt_tokens", &GenerationInfo::prompt_tokens)
        .def_readonly("completion_tokens", &GenerationInfo::completion_tokens)
        .def_readonly("total_tokens", &GenerationInfo::total_tokens)
        .def_readonly("llm_calls", &GenerationInfo::llm_calls)
        .def_readonly("repairs", &GenerationInfo::repairs)
        .def_readonly("dropped_citations", &GenerationInfo::dropped_citations)
        .def("to_dict", [](const GenerationInfo& g) { return py_from_json(to_json(g)); });
    py::class_<ModuleTranslation>(m, "ModuleTranslation",
                                  "The module in another language, beside the English.")
        .def_readonly("language", &ModuleTranslation::language)
        .def_readonly("content", &ModuleTranslation::content)
        .def_readonly("adapted_content", &ModuleTranslation::adapted_content)
        .def_readonly("providers", &ModuleTranslation::providers)
        .def_readonly("memory_hits", &ModuleTranslation::memory_hits)
        .def_readonly("segments", &ModuleTranslation::segments)
        .def_property_readonly("created_at",
                               [](const ModuleTranslation& t) { return py_datetime(t.created_at); });
    py::class_<Module>(m, "Module", "A manual's content adapted for one cluster, with page citations.")
        .def_readonly("id", &Module::id)
        .def_readonly("title", &Module::title)
        .def_readonly("topic", &Module::topic)
        .def_readonly("manual_id", &Module::manual_id)
        .def_readonly("cluster_id", &Module::cluster_id)
        .def_readonly("grade", &Module::grade)
        .def_readonly("language", &Module::language)
        .def_readonly("learning_objective", &Module::learning_objective)
        .def_readonly("approved", &Module::approved)
        .def_readonly("original_content", &Module::original_content)
        .def_readonly("adapted_content", &Module::adapted_content)
        .def_readonly("content", &Module::content)
        .def_readonly("generation", &Module::generation)
        .def_readonly("translations", &Module::translations)
        .def_readonly("translation_status", &Module::translation_status)
        .def_property_readonly("created_at", [](const Module& x) { return py_datetime(x.created_at); })
        .def_property_readonly("updated_at", [](const Module& x) { return py_datetime(x.updated_at); })
        .def("to_dict", [](const Module& x) { return py_from_json(to_json(x)); })
        .def("__repr__", [](const Module& x) {
            return "Module(id=" + std::to_string(x.id) + ", title='" + x.title + "', adapter='" +
                   x.generation.adapter + "')";
        });
    py::class_<AnswerSource>(m, "AnswerSource")
        .def_readonly("chunk_id", &AnswerSource::chunk_id)
        .def_readonly("manual_id", &AnswerSource::manual_id)
        .def_readonly("manual_title", &AnswerSource::manual_title)
        .def_readonly("page_start", &AnswerSource::page_start)
        .def_readonly("page_end", &AnswerSource::page_end)
        .def_readonly("excerpt", &AnswerSource::excerpt)
        .def_readonly("relevance", &AnswerSource::relevance);
    py::class_<Answer>(m, "Answer")
        .def_readonly("answer", &Answer::answer)
        .def_readonly("grounded", &Answer::grounded)
        .def_readonly("sources", &Answer::sources)
        .def_readonly("generation", &Answer::generation)
        .def("to_dict", [](const Answer& a) { return py_from_json(to_json(a)); })
        .def("__repr__", [](const Answer& a) {
            return std::string("Answer(grounded=") + (a.grounded ? "True" : "False") +
                   ", sources=" + std::to_string(a.sources.size()) + ")";
        });
}

Answer ask(ModuleEngine& e, const std::string& question, std::optional<std::vector<std::int64_t>> manual_ids,
           std::size_t k) {
    AskRequest req{question, manual_ids.value_or(std::vector<std::int64_t>{}), k};
    return unwrap(interruptible([&](const CancelToken& cancel) { return e.ask(req, &cancel); }));
}

} // namespace

void bind_modules(py::module_& m) {
    bind_values(m);
    py::class_<ModuleEngine>(m, "ModuleEngine", "Modules adapted for clusters; obtained as Platform.modules.")
        .def(
            "generate",
            [](ModuleEngine& e, std::int64_t manual_id, std::int64_t cluster_id, const std::string& topic,
               std::optional<std::string> target_language, std::optional<std::string> grade) {
                GenerateRequest req{manual_id, cluster_id, topic, std::move(target_language),
                                    std::move(grade)};
                return unwrap(interruptible(
                    [&](const CancelToken& cancel) { return e.generate(req, python_actor(), &cancel); }));
            },
            py::arg("manual_id"), py::arg("cluster_id"), py::arg("topic"),
            py::arg("target_language") = py::none(), py::arg("grade") = py::none(),
            "Adapts the manual's content on `topic` for the cluster: the LLM when configured, else the "
            "offline rules; translated when the language is not English.\n"
            "\n"
            "Args:\n"
            "    manual_id: an indexed manual.\n"
            "    cluster_id: the cluster to adapt for.\n"
            "    topic: 2-200 characters.\n"
            "    target_language: language of the module (key, code or name); None = the cluster's.\n"
            "    grade: \"6-8\", \"Class 4\"... or None.\n"
            "\n"
            "Returns:\n"
            "    Module: content with citations to manual pages, generation details, translations.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such manual or cluster, or no content on the topic.\n"
            "    ConflictError: the manual is not indexed.\n"
            "    InvalidArgumentError: a field out of range.\n"
            "    The LLM's errors when one is configured (UnavailableError, RateLimitedError, "
            "DeadlineExceededError, UnauthenticatedError).\n"
            "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def(
            "generate_async",
            [](ModuleEngine& e, std::int64_t manual_id, std::int64_t cluster_id, const std::string& topic,
               std::optional<std::string> target_language, std::optional<std::string> grade) {
                GenerateRequest req{manual_id, cluster_id, topic, std::move(target_language),
                                    std::move(grade)};
                return unwrap(without_gil([&] { return e.generate_async(req, python_actor()); }));
            },
            py::arg("manual_id"), py::arg("cluster_id"), py::arg("topic"),
            py::arg("target_language") = py::none(), py::arg("grade") = py::none(),
            "generate() as a job on the worker pool.\n"
            "\n"
            "Args:\n"
            "    manual_id, cluster_id, topic, target_language, grade: as for generate().\n"
            "\n"
            "Returns:\n"
            "    Job: queued; its result is the module's dict.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a field out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "get",
            [](ModuleEngine& e, std::int64_t id) { return unwrap(without_gil([&] { return e.get(id); })); },
            py::arg("id"),
            "One module.\n"
            "\n"
            "Args:\n"
            "    id: the module id.\n"
            "\n"
            "Returns:\n"
            "    Module\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list",
            [](ModuleEngine& e, std::int64_t skip, std::int64_t limit, std::optional<std::int64_t> cluster_id,
               std::optional<std::int64_t> manual_id) {
                ModuleQuery q{{skip, limit}, cluster_id, manual_id};
                return unwrap(without_gil([&] { return e.list(q); }));
            },
            py::arg("skip") = 0, py::arg("limit") = 100, py::arg("cluster_id") = py::none(),
            py::arg("manual_id") = py::none(),
            "Modules in creation order.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "    cluster_id: only this cluster's; None = all.\n"
            "    manual_id: only this manual's; None = all.\n"
            "\n"
            "Returns:\n"
            "    list[Module]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "count", [](ModuleEngine& e) { return unwrap(without_gil([&] { return e.count(); })); },
            "How many modules there are.\n"
            "\n"
            "Returns:\n"
            "    int\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "delete",
            [](ModuleEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove(id, python_actor()); }));
            },
            py::arg("id"),
            "Deletes a module with its translations, exports and feedback.\n"
            "\n"
            "Args:\n"
            "    id: the module.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "approve",
            [](ModuleEngine& e, std::int64_t id) {
                return unwrap(without_gil([&] { return e.approve(id, python_actor()); }));
            },
            py::arg("id"),
            "Marks a module approved.\n"
            "\n"
            "Args:\n"
            "    id: the module.\n"
            "\n"
            "Returns:\n"
            "    Module: approved.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "translate",
            [](ModuleEngine& e, std::int64_t id, const std::string& target_language) {
                return unwrap(interruptible([&](const CancelToken& cancel) {
                    return e.translate(id, target_language, python_actor(), &cancel);
                }));
            },
            py::arg("id"), py::arg("target_language"),
            "Adds (or refreshes) a translation of the module, kept beside the English.\n"
            "\n"
            "Args:\n"
            "    id: the module.\n"
            "    target_language: key, code or name (\"hindi\", \"hi\").\n"
            "\n"
            "Returns:\n"
            "    Module: with the translation.\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such module.\n"
            "    InvalidArgumentError: unknown language.\n"
            "    UnavailableError: a segment the memory cannot serve and no provider.\n"
            "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def("ask", &ask, py::arg("question"), py::arg("manual_ids") = py::none(), py::arg("k") = 5,
             "Answers from the manuals with sources and pages.\n"
             "\n"
             "Args:\n"
             "    question: the question, in any language the manuals use.\n"
             "    manual_ids: restrict to these manuals; None = all.\n"
             "    k: excerpts to retrieve, 1-50.\n"
             "\n"
             "Returns:\n"
             "    Answer: answer, grounded (False when the manuals do not cover it), sources.\n"
             "\n"
             "Raises:\n"
             "    InvalidArgumentError: question or k out of range.\n"
             "    The LLM's errors when one is configured.\n"
             "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def_property_readonly("adapter", &ModuleEngine::adapter, "'llm' or 'offline-rules'");

    m.def(
        "languages",
        [] {
            py::dict out;
            for (const auto& l : supported_languages())
                if (l.in_contract) out[py::str(std::string(l.key))] = std::string(l.label);
            return out;
        },
        "Output languages: key → label (as GET /api/modules/languages).");
}

} // namespace shiksha::python
