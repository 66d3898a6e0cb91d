#pragma once
/// Translation into the Indian languages teachers read: exact about languages, structure-
/// preserving, glossary-aware, never paying twice for the same sentence, and explicit when it
/// cannot translate.
///
///     auto& tr = platform.translation();
///     auto r = tr.translate("Connect the bulbs in series.\n- Use old cells", "hindi");
///     r->text;                 // the Hindi, with the "- " bullet and the newline kept
///     r->stats.memory_hits;    // segments served from the translation memory
///     tr.add_term({.language = "hindi", .term = "NEP 2020"});          // never translated
///
/// Text is split into sentences (keeping newlines, list markers and Markdown), glossary terms
/// are protected by placeholders, the translation memory is consulted, repeated segments are
/// sent once, and the rest goes to the configured providers in order (`Config::translation`:
/// google, llm, bhashini), falling back to the next on failure. With no provider ("memory", the
/// default) a segment the memory cannot serve is an `unavailable` error naming the variable to
/// set — never the English passed off as a translation. Thread-safe.

#include "shiksha/error.hpp"
#include "shiksha/languages.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {

struct TranslationStats {
    int segments = 0;        ///< translatable segments in the input
    int unique_segments = 0; ///< after folding repeats
    int memory_hits = 0;
    int memory_misses = 0;
    int upstream_requests = 0;          ///< provider calls made
    std::vector<std::string> providers; ///< the providers that served segments, in order of use
};

struct TranslationResult {
    std::string text;
    const Language* source = nullptr;
    const Language* target = nullptr;
    TranslationStats stats;
};

struct BatchTranslationResult {
    std::vector<std::string> texts;
    const Language* source = nullptr;
    const Language* target = nullptr;
    TranslationStats stats;
};

struct GlossaryEntry {
    std::int64_t id = 0;
    std::string language;                   ///< target language key ("hindi")
    std::string term;                       ///< source (English) term, matched case-insensitively
    std::optional<std::string> translation; ///< forced translation; absent = keep the term as is
    Timestamp created_at;
    Timestamp updated_at;
};

/// Obtained from `Platform::translation()`; not constructible by hosts.
class TranslationEngine {
public:
    struct Impl;
    explicit TranslationEngine(std::unique_ptr<Impl> impl);
    ~TranslationEngine();
    TranslationEngine(const TranslationEngine&) = delete;
    TranslationEngine& operator=(const TranslationEngine&) = delete;

    /// `target`/`source`: a language key, code or English name ("hindi", "hi", "Hindi").
    /// Unknown languages are `invalid_argument` listing the supported ones. English or a target
    /// equal to the source returns the text unchanged without a call.
    [[nodiscard]] Result<TranslationResult> translate(std::string_view text, std::string_view target,
                                                      std::string_view source = "english",
                                                      const CancelToken* cancel = nullptr);
    /// Many texts in one pass: shared memory lookups, repeats sent once, provider limits kept.
    [[nodiscard]] Result<BatchTranslationResult> translate_batch(std::span<const std::string> texts,
                                                                 std::string_view target,
                                                                 std::string_view source = "english",
                                                                 const CancelToken* cancel = nullptr);
    /// Stores a translation someone made by hand (provider "manual"), so an offline deployment
    /// can serve it from memory.
    [[nodiscard]] Result<void> remember(std::string_view source_text, std::string_view translation,
                                        std::string_view target, std::string_view source = "english");

    [[nodiscard]] Result<GlossaryEntry> add_term(const GlossaryEntry& entry);
    [[nodiscard]] Result<std::vector<GlossaryEntry>> terms(std::string_view language = {});
    [[nodiscard]] Result<GlossaryEntry> update_term(std::int64_t id, const GlossaryEntry& entry);
    [[nodiscard]] Result<void> remove_term(std::int64_t id);

    /// The provider chain as configured, e.g. {"google", "llm"}; empty = memory only.
    [[nodiscard]] std::vector<std::string> providers() const;

private:
    std::unique_ptr<Impl> impl_;
};

/// Resolves a key, code or English name; `invalid_argument` "Language 'x' is not supported.
/// Supported: …" (field `field`) otherwise.
[[nodiscard]] Result<const Language*> resolve_language(std::string_view name,
                                                       std::string_view field = "language");

} // namespace shiksha
