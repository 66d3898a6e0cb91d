#include "shiksha/translation.hpp"

#include "core/text.hpp"
#include "core/validate.hpp"
#include "ingest/text.hpp"
#include "store/translation_repo.hpp"
#include "translation/segmenter.hpp"
#include "translation/translation_engine_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace shiksha {

namespace {

constexpr std::string_view manual_provider = "manual";

bool has_letters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
    });
}

/// Output hygiene the contract asks for: NFC, no zero-width space or BOM. ZWJ and ZWNJ stay:
/// they change how Indic and Urdu text renders.
std::string clean_output(std::string_view text) {
    std::string out = detail::to_nfc(text);
    for (std::string_view junk : {"\u200B", "\uFEFF"}) {
        for (auto pos = out.find(junk); pos != std::string::npos; pos = out.find(junk, pos))
            out.erase(pos, junk.size());
    }
    return out;
}

std::string no_provider_message(std::size_t missing, const Language& target) {
    return fmt::format(
        "No translation into {} for {} segment(s) in the translation memory, and no translation "
        "provider is configured: set SHIKSHA_TRANSLATE_PROVIDER (google, llm or bhashini) with its "
        "key (SHIKSHA_GOOGLE_TRANSLATE_API_KEY, SHIKSHA_LLM_API_KEY or SHIKSHA_BHASHINI_API_KEY)",
        target.english_name, missing);
}

/// Provider failures worth trying the next provider for (the request itself was fine).
bool falls_back(ErrorCode code) {
    return code == ErrorCode::unavailable || code == ErrorCode::rate_limited ||
           code == ErrorCode::deadline_exceeded || code == ErrorCode::unauthenticated ||
           code == ErrorCode::permission_denied;
}

} // namespace

Result<const Language*> resolve_language(std::string_view name, std::string_view field) {
    if (const Language* l = find_language(name)) return l;
    return fail_field(std::string(field), fmt::format("Language '{}' is not supported. Supported: {}",
                                                      detail::trim(name), supported_language_list()));
}

TranslationEngine::TranslationEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TranslationEngine::~TranslationEngine() = default;

std::vector<std::string> TranslationEngine::providers() const {
    std::vector<std::string> out;
    for (const auto& p : impl_->chain)
        out.push_back(p->name());
    return out;
}

Result<TranslationResult> TranslationEngine::translate(std::string_view text, std::string_view target,
                                                       std::string_view source, const CancelToken* cancel) {
    const std::vector<std::string> one{std::string(text)};
    auto batch = translate_batch(one, target, source, cancel);
    if (!batch) return std::unexpected(batch.error());
    return TranslationResult{std::move(batch->texts.front()), batch->source, batch->target,
                             std::move(batch->stats)};
}

Result<BatchTranslationResult> TranslationEngine::translate_batch(std::span<const std::string> texts,
                                                                  std::string_view target,
                                                                  std::string_view source,
                                                                  const CancelToken* cancel) {
    auto& d = *impl_;
    auto to = resolve_language(target, "target_language");
    if (!to) return std::unexpected(to.error());
    // An unknown source is treated as English, as the original backend does.
    const Language* from = find_language(source.empty() ? "english" : source);
    if (!from) from = find_language("english");
    BatchTranslationResult out;
    out.source = from;
    out.target = *to;
    for (const auto& t : texts) {
        if (!detail::valid_utf8(t)) return fail_field("text", "text: is not valid UTF-8");
        if (detail::utf8_length(t) > 200'000)
            return fail_field("text", "text: longer than 200,000 characters");
    }
    if (from == *to || (*to)->key == "english") {
        out.texts.assign(texts.begin(), texts.end());
        return out;
    }

    // 1. Segments, with the glossary applied and repeats folded.
    std::size_t max_chars = 4500;
    for (const auto& p : d.chain)
        max_chars = std::min(max_chars, std::max<std::size_t>(200, p->limits().max_code_points));
    std::vector<detail::SegmentPlan> plans;
    for (const auto& t : texts)
        plans.push_back(detail::plan_segments(t, max_chars));

    auto glossary = d.store->read(
        [&](SQLite::Database& db) -> Result<std::pair<std::vector<GlossaryEntry>, std::int64_t>> {
            return std::pair{detail::translation_repo::terms(db, (*to)->key),
                             detail::translation_repo::glossary_version(db, (*to)->key)};
        });
    if (!glossary) return std::unexpected(glossary.error());
    std::vector<detail::GlossaryTerm> rules;
    for (const auto& g : glossary->first)
        rules.push_back({g.term, g.translation.value_or("")});

    struct Unique {
        std::string source; // the segment as written (first occurrence)
        detail::ProtectedText protected_text;
        std::optional<std::string> translation;
    };
    std::vector<Unique> unique;
    std::map<std::string, std::size_t> index; // memory key → unique slot
    std::vector<std::vector<std::optional<std::size_t>>> slots(plans.size());
    for (std::size_t i = 0; i < plans.size(); ++i) {
        for (const auto& seg : plans[i].segments()) {
            ++out.stats.segments;
            const std::string key = detail::memory_key_text(seg);
            if (key.empty() || !has_letters(key)) {
                slots[i].push_back(std::nullopt); // numbers, symbols: nothing to translate
                continue;
            }
            auto [it, inserted] = index.try_emplace(key, unique.size());
            if (inserted) unique.push_back({seg, detail::protect_terms(seg, rules), std::nullopt});
            slots[i].push_back(it->second);
        }
    }
    out.stats.unique_segments = static_cast<int>(unique.size());

    // 2. The memory first, for any of the configured providers (any provider at all when only
    //    the memory is configured: it may hold manual or earlier translations).
    std::vector<std::string> providers = this->providers();
    if (!providers.empty()) providers.emplace_back(manual_provider);
    const Timestamp not_before = now_utc() - d.config.memory_ttl;
    detail::translation_repo::MemoryKey key{"", std::string(from->code), std::string((*to)->code),
                                            glossary->second};
    auto looked_up = d.store->write([&](SQLite::Database& db) -> Result<void> {
        for (auto& [k, slot] : index) {
            key.source_key = k;
            unique[slot].translation = detail::translation_repo::lookup(db, key, providers, not_before);
        }
        return {};
    });
    if (!looked_up) return std::unexpected(looked_up.error());
    std::vector<std::size_t> misses;
    for (std::size_t u = 0; u < unique.size(); ++u) {
        if (!unique[u].translation) misses.push_back(u);
    }
    out.stats.memory_hits = static_cast<int>(unique.size() - misses.size());
    out.stats.memory_misses = static_cast<int>(misses.size());
    if (out.stats.memory_hits > 0) out.stats.providers.emplace_back("memory");
    d.metrics
        .counter("shiksha_translation_segments_total", "Unique segments by where the translation came from",
                 {{"source", "memory"}})
        .inc(out.stats.memory_hits);

    // 3. The providers in order, each taking what the previous one could not do.
    std::optional<Error> last_error;
    std::vector<std::pair<std::size_t, std::string>> fresh; // slot, provider
    for (const auto& provider : d.chain) {
        if (misses.empty()) break;
        const auto limits = provider->limits();
        std::vector<std::size_t> failed;
        std::size_t i = 0;
        bool used = false;
        while (i < misses.size()) {
            TranslationBatch batch{std::string(from->code), std::string((*to)->code), {}};
            std::vector<std::size_t> in_batch;
            std::size_t chars = 0;
            while (i < misses.size() && batch.texts.size() < limits.max_segments) {
                const auto& text = unique[misses[i]].protected_text.text;
                const auto n = detail::utf8_length(text);
                if (!batch.texts.empty() && chars + n > limits.max_code_points) break;
                batch.texts.push_back(text);
                in_batch.push_back(misses[i]);
                chars += n;
                ++i;
            }
            ++out.stats.upstream_requests;
            auto translated = provider->translate(batch, cancel);
            if (translated && translated->size() != in_batch.size()) {
                translated = fail(ErrorCode::unavailable,
                                  fmt::format("{} returned {} translations for {} segments", provider->name(),
                                              translated->size(), in_batch.size()));
            }
            if (!translated) {
                d.logger.warn("translation provider failed",
                              {{"provider", provider->name()}, {"error", translated.error().message}});
                if (!falls_back(translated.error().code)) return std::unexpected(translated.error());
                last_error = translated.error();
                failed.insert(failed.end(), in_batch.begin(), in_batch.end());
                continue;
            }
            for (std::size_t k = 0; k < in_batch.size(); ++k) {
                auto& slot = unique[in_batch[k]];
                auto restored = detail::restore_terms((*translated)[k], slot.protected_text);
                if (!restored) { // the provider mangled a placeholder: let the next one try
                    last_error = restored.error();
                    failed.push_back(in_batch[k]);
                    continue;
                }
                slot.translation = clean_output(*restored);
                fresh.emplace_back(in_batch[k], provider->name());
                used = true;
            }
        }
        if (used) out.stats.providers.push_back(provider->name());
        misses = std::move(failed);
    }
    if (!misses.empty()) {
        if (d.chain.empty()) return fail(ErrorCode::unavailable, no_provider_message(misses.size(), **to));
        return std::unexpected(last_error.value_or(Error{ErrorCode::unavailable, "translation failed", {}}));
    }
    d.metrics
        .counter("shiksha_translation_segments_total", "Unique segments by where the translation came from",
                 {{"source", "provider"}})
        .inc(static_cast<double>(fresh.size()));

    // 4. Remember what was paid for, then put every text back together.
    if (!fresh.empty()) {
        auto stored = d.store->write([&](SQLite::Database& db) -> Result<void> {
            const auto now = now_utc();
            for (const auto& [slot, provider] : fresh) {
                key.source_key = detail::memory_key_text(unique[slot].source);
                detail::translation_repo::store(db, key, provider, *unique[slot].translation, now);
            }
            return {};
        });
        if (!stored)
            d.logger.warn("could not store translations in memory", {{"error", stored.error().message}});
    }
    for (std::size_t i = 0; i < plans.size(); ++i) {
        const auto segments = plans[i].segments();
        std::vector<std::string> translations;
        for (std::size_t s = 0; s < segments.size(); ++s) {
            translations.push_back(slots[i][s] ? *unique[*slots[i][s]].translation : segments[s]);
        }
        auto text = detail::reassemble(plans[i], translations);
        if (!text) return std::unexpected(text.error());
        out.texts.push_back(std::move(*text));
    }
    return out;
}

Result<void> TranslationEngine::remember(std::string_view source_text, std::string_view translation,
                                         std::string_view target, std::string_view source) {
    auto to = resolve_language(target, "target_language");
    if (!to) return std::unexpected(to.error());
    const Language* from = find_language(source);
    if (!from) from = find_language("english");
    auto text = detail::check_text("source_text", source_text, 1, 5000);
    if (!text) return std::unexpected(text.error());
    auto tr = detail::check_text("translation", translation, 1, 20000);
    if (!tr) return std::unexpected(tr.error());
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        detail::translation_repo::MemoryKey key{detail::memory_key_text(*text), std::string(from->code),
                                                std::string((*to)->code),
                                                detail::translation_repo::glossary_version(db, (*to)->key)};
        detail::translation_repo::store(db, key, manual_provider, clean_output(*tr), now_utc());
        return {};
    });
}

namespace {

Result<GlossaryEntry> validated_term(const GlossaryEntry& in) {
    auto lang = resolve_language(in.language, "language");
    if (!lang) return std::unexpected(lang.error());
    if ((*lang)->key == "english")
        return fail_field("language", "language: the glossary is per target language, not English");
    auto term = detail::check_text("term", in.term, 1, 100);
    if (!term) return std::unexpected(term.error());
    auto translation = detail::check_optional_text("translation", in.translation, 200);
    if (!translation) return std::unexpected(translation.error());
    GlossaryEntry out = in;
    out.language = std::string((*lang)->key);
    out.term = *term;
    out.translation = *translation;
    return out;
}

Error term_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Glossary entry {} not found", id), {}};
}

} // namespace

Result<GlossaryEntry> TranslationEngine::add_term(const GlossaryEntry& entry) {
    auto e = validated_term(entry);
    if (!e) return e;
    return impl_->store->write([&](SQLite::Database& db) -> Result<GlossaryEntry> {
        if (detail::translation_repo::term_exists(db, e->language, e->term)) {
            return std::unexpected(
                Error{ErrorCode::conflict,
                      fmt::format("'{}' is already in the {} glossary", e->term, e->language), "term"});
        }
        auto stored = detail::translation_repo::insert_term(db, *e, now_utc());
        detail::translation_repo::bump_glossary_version(db, e->language);
        return stored;
    });
}

Result<std::vector<GlossaryEntry>> TranslationEngine::terms(std::string_view language) {
    std::string key;
    if (!language.empty()) {
        auto lang = resolve_language(language, "language");
        if (!lang) return std::unexpected(lang.error());
        key = std::string((*lang)->key);
    }
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<GlossaryEntry>> {
        return detail::translation_repo::terms(db, key);
    });
}

Result<GlossaryEntry> TranslationEngine::update_term(std::int64_t id, const GlossaryEntry& entry) {
    auto e = validated_term(entry);
    if (!e) return e;
    return impl_->store->write([&](SQLite::Database& db) -> Result<GlossaryEntry> {
        auto old = detail::translation_repo::term(db, id);
        if (!old) return std::unexpected(term_not_found(id));
        if (detail::translation_repo::term_exists(db, e->language, e->term, id)) {
            return std::unexpected(
                Error{ErrorCode::conflict,
                      fmt::format("'{}' is already in the {} glossary", e->term, e->language), "term"});
        }
        GlossaryEntry updated = *e;
        updated.id = id;
        detail::translation_repo::update_term(db, updated, now_utc());
        detail::translation_repo::bump_glossary_version(db, old->language);
        if (old->language != updated.language)
            detail::translation_repo::bump_glossary_version(db, updated.language);
        return *detail::translation_repo::term(db, id);
    });
}

Result<void> TranslationEngine::remove_term(std::int64_t id) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        auto old = detail::translation_repo::term(db, id);
        if (!old) return std::unexpected(term_not_found(id));
        (void)detail::translation_repo::remove_term(db, id);
        detail::translation_repo::bump_glossary_version(db, old->language);
        return {};
    });
}

} // namespace shiksha
