#pragma once
// What the machine-translation providers share (internal): checking a batch against the
// provider's limits before anything is sent, leaving blank texts out of requests, and keeping
// secrets out of error messages. Pure functions; thread-safe.

#include "core/text.hpp"
#include "shiksha/providers.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

/// `invalid_argument` when the batch cannot be sent as it is: a missing language code, more
/// segments or code points than `limits` allow, or text that is not UTF-8. Refusing here costs
/// nothing; the service would refuse the same batch after a round trip (and bill for it).
[[nodiscard]] inline Result<void> check_translation_batch(const TranslationBatch& batch,
                                                          const TranslationLimits& limits,
                                                          std::string_view service) {
    if (trim(batch.source_code).empty())
        return fail_field("source_code", fmt::format("{} needs a source language code", service));
    if (trim(batch.target_code).empty())
        return fail_field("target_code", fmt::format("{} needs a target language code", service));
    if (batch.texts.size() > limits.max_segments) {
        return fail_field("texts", fmt::format("{} takes at most {} texts per request, not {}", service,
                                               limits.max_segments, batch.texts.size()));
    }
    std::size_t code_points = 0;
    for (std::size_t i = 0; i < batch.texts.size(); ++i) {
        if (!valid_utf8(batch.texts[i]))
            return fail_field("texts", fmt::format("text {} is not valid UTF-8", i + 1));
        code_points += utf8_length(batch.texts[i]);
    }
    if (code_points > limits.max_code_points) {
        return fail_field("texts", fmt::format("{} takes at most {} characters per request, not {}", service,
                                               limits.max_code_points, code_points));
    }
    return {};
}

/// The texts worth sending: blank ones (empty or only whitespace) translate to themselves, and
/// some services refuse an empty source outright.
struct SentTexts {
    std::vector<std::size_t> positions; ///< index in the batch of each sent text
    std::vector<std::string> texts;
};

[[nodiscard]] inline SentTexts texts_to_send(const std::vector<std::string>& texts) {
    SentTexts sent;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (trim(texts[i]).empty()) continue;
        sent.positions.push_back(i);
        sent.texts.push_back(texts[i]);
    }
    return sent;
}

/// The batch's texts with the translations of the sent ones in their places.
[[nodiscard]] inline std::vector<std::string> merge_translations(const std::vector<std::string>& texts,
                                                                 const SentTexts& sent,
                                                                 std::vector<std::string> translated) {
    std::vector<std::string> out = texts;
    for (std::size_t i = 0; i < sent.positions.size() && i < translated.size(); ++i)
        out[sent.positions[i]] = std::move(translated[i]);
    return out;
}

/// Replaces every occurrence of `secret` with "***": some services echo the key they refused.
[[nodiscard]] inline std::string redact_secret(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

} // namespace shiksha::detail
