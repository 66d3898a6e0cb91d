// shiksha.TranslationEngine: memory-first, glossary-aware translation into Indian languages.
#include "bindings.hpp"

#include "shiksha/translation.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

namespace shiksha::python {

void bind_translation(py::module_& m) {
    py::class_<TranslationStats>(m, "TranslationStats",
                                 "How a translation was served (also readable as stats[\"memory_hits\"]).")
        .def_readonly("segments", &TranslationStats::segments, "translatable segments in the input")
        .def_readonly("unique_segments", &TranslationStats::unique_segments, "after folding repeats")
        .def_readonly("memory_hits", &TranslationStats::memory_hits)
        .def_readonly("memory_misses", &TranslationStats::memory_misses)
        .def_readonly("upstream_requests", &TranslationStats::upstream_requests, "provider calls made")
        .def_readonly("providers", &TranslationStats::providers, "providers that served segments, in order");

    py::class_<Language>(m, "Language", "A language Shiksha-Setu works in.")
        .def_property_readonly("key", [](const Language& l) { return std::string(l.key); })
        .def_property_readonly("code", [](const Language& l) { return std::string(l.code); })
        .def_property_readonly("english_name", [](const Language& l) { return std::string(l.english_name); })
        .def_property_readonly("native_name", [](const Language& l) { return std::string(l.native_name); })
        .def_property_readonly("script", [](const Language& l) { return std::string(l.script); })
        .def_readonly("right_to_left", &Language::right_to_left)
        .def_property_readonly("label", [](const Language& l) { return std::string(l.label); })
        .def_property_readonly("font_family", [](const Language& l) { return std::string(l.font_family); })
        .def_readonly("in_contract", &Language::in_contract)
        .def("__repr__", [](const Language& l) { return "Language('" + std::string(l.key) + "')"; });
    m.def(
        "supported_languages",
        [] {
            std::vector<Language> out(supported_languages().begin(), supported_languages().end());
            return out;
        },
        "English and the Indian languages, in the contract's order (Assamese last).");
    m.def(
        "find_language",
        [](const std::string& name) -> std::optional<Language> {
            if (const Language* l = find_language(name)) return *l;
            return std::nullopt;
        },
        py::arg("name_or_code"), "By key, code or English name (case-insensitive); None when unknown.");

    py::class_<GlossaryEntry>(m, "GlossaryEntry")
        .def_readonly("id", &GlossaryEntry::id)
        .def_readonly("language", &GlossaryEntry::language)
        .def_readonly("term", &GlossaryEntry::term)
        .def_readonly("translation", &GlossaryEntry::translation)
        .def_property_readonly("created_at", [](const GlossaryEntry& e) { return py_datetime(e.created_at); })
        .def_property_readonly("updated_at", [](const GlossaryEntry& e) { return py_datetime(e.updated_at); })
        .def("__repr__", [](const GlossaryEntry& e) {
            return "GlossaryEntry(" + e.language + ": '" + e.term + "' -> " +
                   (e.translation ? "'" + *e.translation + "'" : std::string("kept")) + ")";
        });

    py::class_<TranslationResult>(m, "TranslationResult")
        .def_readonly("text", &TranslationResult::text)
        .def_property_readonly("source",
                               [](const TranslationResult& r) { return std::string(r.source->key); })
        .def_property_readonly("target",
                               [](const TranslationResult& r) { return std::string(r.target->key); })
        .def_readonly("stats", &TranslationResult::stats);

    py::class_<TranslationEngine>(m, "TranslationEngine", "Obtained as Platform.translation.")
        .def(
            "translate",
            [](TranslationEngine& e, const std::string& text, const std::string& target,
               const std::string& source) {
                return unwrap(interruptible(
                    [&](const CancelToken& cancel) { return e.translate(text, target, source, &cancel); }));
            },
            py::arg("text"), py::arg("target"), py::arg("source") = "english",
            "Translates text (memory first, then the providers), keeping newlines, list markers, Markdown "
            "and URLs.\n"
            "\n"
            "Args:\n"
            "    text: UTF-8 text.\n"
            "    target: key, code or name (\"hindi\", \"hi\").\n"
            "    source: the text's language.\n"
            "\n"
            "Returns:\n"
            "    TranslationResult: text, source, target and stats.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: unknown language or empty text.\n"
            "    UnavailableError: neither the memory nor a provider can serve a segment.\n"
            "    RateLimitedError: a provider's quota is spent.\n"
            "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def(
            "translate_batch",
            [](TranslationEngine& e, const std::vector<std::string>& texts, const std::string& target,
               const std::string& source) {
                auto r = unwrap(interruptible([&](const CancelToken& cancel) {
                    return e.translate_batch(texts, target, source, &cancel);
                }));
                return py::make_tuple(r.texts, r.stats);
            },
            py::arg("texts"), py::arg("target"), py::arg("source") = "english",
            "translate() for many texts at once (repeats are translated once).\n"
            "\n"
            "Args:\n"
            "    texts: list of str.\n"
            "    target: key, code or name.\n"
            "    source: the texts' language.\n"
            "\n"
            "Returns:\n"
            "    tuple[list[str], TranslationStats]: the translations in order, and how they were served.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: unknown language.\n"
            "    UnavailableError: a segment no one can serve.\n"
            "    KeyboardInterrupt: Ctrl-C; the call is cancelled.")
        .def(
            "remember",
            [](TranslationEngine& e, const std::string& source_text, const std::string& translation,
               const std::string& target, const std::string& source) {
                unwrap(without_gil([&] { return e.remember(source_text, translation, target, source); }));
            },
            py::arg("source_text"), py::arg("translation"), py::arg("target"), py::arg("source") = "english",
            "Stores a human translation in the memory (it wins over providers).\n"
            "\n"
            "Args:\n"
            "    source_text: the original.\n"
            "    translation: its translation.\n"
            "    target: the translation's language.\n"
            "    source: the original's language.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: unknown language or empty text.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "add_term",
            [](TranslationEngine& e, const std::string& language, const std::string& term,
               std::optional<std::string> translation) {
                GlossaryEntry g;
                g.language = language;
                g.term = term;
                g.translation = std::move(translation);
                return unwrap(without_gil([&] { return e.add_term(g); }));
            },
            py::arg("language"), py::arg("term"), py::arg("translation") = py::none(),
            "Adds a glossary term: kept as it is, or always translated one way.\n"
            "\n"
            "Args:\n"
            "    language: target language.\n"
            "    term: the English term (matched case-insensitively).\n"
            "    translation: forced translation; None = keep the term.\n"
            "\n"
            "Returns:\n"
            "    GlossaryEntry\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: unknown language or empty term.\n"
            "    ConflictError: the term exists for that language.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "terms",
            [](TranslationEngine& e, const std::string& language) {
                return unwrap(without_gil([&] { return e.terms(language); }));
            },
            py::arg("language") = "",
            "Glossary terms.\n"
            "\n"
            "Args:\n"
            "    language: only this language; \"\" = all.\n"
            "\n"
            "Returns:\n"
            "    list[GlossaryEntry]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: unknown language.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "update_term",
            [](TranslationEngine& e, std::int64_t id, const std::string& language, const std::string& term,
               std::optional<std::string> translation) {
                GlossaryEntry g;
                g.language = language;
                g.term = term;
                g.translation = std::move(translation);
                return unwrap(without_gil([&] { return e.update_term(id, g); }));
            },
            py::arg("id"), py::arg("language"), py::arg("term"), py::arg("translation") = py::none(),
            "Replaces a glossary term.\n"
            "\n"
            "Args:\n"
            "    id: the entry.\n"
            "    language: target language.\n"
            "    term: the English term.\n"
            "    translation: forced translation or None.\n"
            "\n"
            "Returns:\n"
            "    GlossaryEntry\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such entry.\n"
            "    InvalidArgumentError: unknown language or empty term.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "remove_term",
            [](TranslationEngine& e, std::int64_t id) {
                unwrap(without_gil([&] { return e.remove_term(id); }));
            },
            py::arg("id"),
            "Deletes a glossary term.\n"
            "\n"
            "Args:\n"
            "    id: the entry.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such entry.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def_property_readonly("providers", &TranslationEngine::providers,
                               "The provider chain; empty = memory only.");
}

} // namespace shiksha::python
