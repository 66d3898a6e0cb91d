// Machine translation through a chat model: one JSON answer per batch, checked for count and
// placeholders, with one repair round before giving up.
#include "core/embedded.hpp"
#include "providers/translation_common.hpp"
#include "shiksha/json.hpp"
#include "shiksha/languages.hpp"
#include "shiksha/providers.hpp"

#include "core/assert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha {

namespace {

constexpr std::string_view prompt_version = "translate-v1";
/// Smaller than the machine-translation services allow: a long batch raises the odds that the
/// model merges, splits or drops an item, and a failed batch is repeated whole.
constexpr TranslationLimits llm_limits{40, 4000};
constexpr double temperature = 0.1;
/// Problems named in one repair message or error; more only make the message unreadable.
constexpr std::size_t max_listed_problems = 6;

std::string prompt(std::string_view part) {
    auto text = detail::embedded_file(fmt::format("prompts/{}.{}.txt", prompt_version, part));
    SHIKSHA_ASSERT(text.has_value()); // compiled into the library from libshiksha/data
    return std::string(*text);
}

/// Replaces {{key}} markers in one pass, so text put in (the inputs) is never read as markers.
std::string fill(std::string_view text, const std::map<std::string, std::string, std::less<>>& values) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find("{{", pos);
        const auto close = open == std::string_view::npos ? open : text.find("}}", open + 2);
        if (close == std::string_view::npos) break;
        out.append(text.substr(pos, open - pos));
        const auto it = values.find(text.substr(open + 2, close - open - 2));
        if (it != values.end()) {
            out += it->second;
        } else {
            out.append(text.substr(open, close + 2 - open));
        }
        pos = close + 2;
    }
    out.append(text.substr(std::min(pos, text.size())));
    return out;
}

/// "English", "Hindi (हिंदी)": the native name helps the model pick the script; an unknown
/// code is passed on as it is.
std::string language_name(std::string_view code) {
    const Language* language = find_language(code);
    if (language == nullptr) return fmt::format("the language with ISO 639 code \"{}\"", code);
    if (language->native_name.empty() || language->native_name == language->english_name)
        return std::string(language->english_name);
    return fmt::format("{} ({})", language->english_name, language->native_name);
}

/// How often each placeholder ⟦n⟧ (U+27E6, digits, U+27E7) occurs in `text`.
std::map<std::string, int> placeholders(std::string_view text) {
    constexpr std::string_view open = "\u27E6";
    constexpr std::string_view close = "\u27E7";
    std::map<std::string, int> found;
    for (auto at = text.find(open); at != std::string_view::npos; at = text.find(open, at + open.size())) {
        std::size_t end = at + open.size();
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0)
            ++end;
        if (end == at + open.size() || text.substr(end, close.size()) != close) continue;
        ++found[std::string(text.substr(at, end + close.size() - at))];
    }
    return found;
}

/// Tokens to allow for the answer: Indic scripts take several tokens per word in most
/// tokenizers, plus the JSON around the strings. Capped where common hosted models stop.
int answer_tokens(const std::vector<std::string>& texts) {
    std::size_t code_points = 0;
    for (const auto& text : texts)
        code_points += detail::utf8_length(text);
    return static_cast<int>(std::min<std::size_t>(8192, 512 + 3 * code_points + 16 * texts.size()));
}

/// Some OpenAI-compatible servers wrap JSON in a Markdown fence even in JSON mode.
std::string_view strip_fence(std::string_view content) {
    content = detail::trim(content);
    if (!content.starts_with("```")) return content;
    const auto first_line = content.find('\n');
    if (first_line == std::string_view::npos) return content;
    content.remove_prefix(first_line + 1);
    content = detail::trim(content);
    if (content.ends_with("```")) content.remove_suffix(3);
    return detail::trim(content);
}

/// Everything wrong with the model's answer for `texts` (empty when it can be used, and then
/// `out` holds the translations).
std::vector<std::string> check_answer(const ChatResponse& answer, const std::vector<std::string>& texts,
                                      std::vector<std::string>& out) {
    std::vector<std::string> problems;
    if (answer.finish_reason == "length")
        problems.emplace_back("the answer was cut off (finish_reason=length)");
    auto root = Json::parse(strip_fence(answer.content));
    if (!root) {
        problems.push_back("it is not valid JSON (" + root.error().message + ")");
        return problems;
    }
    const Json* translations = root->find("translations");
    if (translations == nullptr || !translations->is_array()) {
        problems.emplace_back("it is not an object with a \"translations\" array");
        return problems;
    }
    const auto& items = translations->as_array();
    if (items.size() != texts.size()) {
        problems.push_back(
            fmt::format("it has {} translations for {} texts; give exactly one per text, in order",
                        items.size(), texts.size()));
        return problems;
    }
    out.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string()) {
            problems.push_back(
                fmt::format("translation {} is not a string ({})", i + 1, to_string(items[i].kind())));
            continue;
        }
        const std::string& translated = items[i].as_string();
        if (detail::trim(translated).empty())
            problems.push_back(fmt::format("translation {} is empty", i + 1));
        const auto wanted = placeholders(texts[i]);
        const auto got = placeholders(translated);
        for (const auto& [mark, count] : wanted) {
            const auto it = got.find(mark);
            const int have = it == got.end() ? 0 : it->second;
            if (have != count) {
                problems.push_back(
                    fmt::format("translation {} must keep {} as in text {} ({}× there, {}× in the "
                                "translation)",
                                i + 1, mark, i + 1, count, have));
            }
        }
        for (const auto& [mark, count] : got) {
            if (!wanted.contains(mark))
                problems.push_back(
                    fmt::format("translation {} has {}, which text {} does not", i + 1, mark, i + 1));
        }
        out.push_back(translated);
    }
    return problems;
}

std::string join_problems(const std::vector<std::string>& problems) {
    std::string all;
    for (std::size_t i = 0; i < problems.size() && i < max_listed_problems; ++i)
        all += (all.empty() ? "" : "; ") + problems[i];
    if (problems.size() > max_listed_problems)
        all += fmt::format("; and {} more problems", problems.size() - max_listed_problems);
    return all;
}

class LlmTranslator final : public TranslationProvider {
public:
    explicit LlmTranslator(std::shared_ptr<const LlmClient> llm) : llm_(std::move(llm)) {}

    [[nodiscard]] std::string name() const override { return "llm"; }
    [[nodiscard]] TranslationLimits limits() const override { return llm_limits; }

    [[nodiscard]] Result<std::vector<std::string>> translate(const TranslationBatch& batch,
                                                             const CancelToken* cancel) const override {
        if (auto ok = detail::check_translation_batch(batch, llm_limits, "The LLM translator"); !ok)
            return std::unexpected(std::move(ok.error()));
        // A blank text gives the model nothing to translate and room to invent something.
        const detail::SentTexts sent = detail::texts_to_send(batch.texts);
        if (sent.texts.empty()) return batch.texts;

        const std::string source = language_name(detail::trim(batch.source_code));
        const std::string target = language_name(detail::trim(batch.target_code));
        Json inputs = Json::array();
        for (const auto& text : sent.texts)
            inputs.push_back(text);
        const std::string count = std::to_string(sent.texts.size());
        ChatRequest request{
            {{"system", fill(prompt("system"), {{"source", source}, {"target", target}})},
             {"user",
              fill(prompt("user"),
                   {{"count", count}, {"source", source}, {"target", target}, {"texts", inputs.dump(2)}})}},
            temperature,
            answer_tokens(sent.texts),
            true};

        for (int attempt = 0;; ++attempt) {
            auto answer = llm_->chat(request, cancel);
            if (!answer) return std::unexpected(std::move(answer.error()));
            std::vector<std::string> translated;
            const auto problems = check_answer(*answer, sent.texts, translated);
            if (problems.empty()) return detail::merge_translations(batch.texts, sent, std::move(translated));
            if (attempt == 1) {
                return fail(
                    ErrorCode::unavailable,
                    fmt::format("the model's translation ({} → {}) was unusable even after one repair: {}",
                                batch.source_code, batch.target_code, join_problems(problems)));
            }
            request.messages.push_back({"assistant", answer->content});
            request.messages.push_back(
                {"user", fill(prompt("repair"), {{"problems", join_problems(problems)}, {"count", count}})});
        }
    }

private:
    std::shared_ptr<const LlmClient> llm_;
};

} // namespace

std::shared_ptr<const TranslationProvider> make_llm_translator(std::shared_ptr<const LlmClient> llm) {
    SHIKSHA_ASSERT(llm != nullptr); // a caller's bug: there is no translator without a model
    return std::make_shared<const LlmTranslator>(std::move(llm));
}

} // namespace shiksha
