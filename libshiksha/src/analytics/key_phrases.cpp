// Common issues from free-text comments: frequent unigrams and bigrams after stop-word removal.
//
// Comments are short (≤ 2,000 characters) and written in English or an Indian language, often
// mixed. We NFC-normalise, lower-case (ICU, root locale: Indic scripts have no case), split at
// ICU word boundaries and keep only segments ICU tags as words (letters, numbers, kana,
// ideographs) — punctuation and spaces are not tokens. Stop words and one-code-point tokens
// (Devanagari vowel signs left alone, "a", "5") are dropped. A bigram is two kept tokens that were
// adjacent in the comment: a dropped stop word or punctuation between them breaks the pair, so
// "no lab, chalk" gives "lab" and "chalk" but no "lab chalk". Each phrase counts once per comment.
#include "ingest/text.hpp"
#include "shiksha/analytics.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace shiksha {

namespace {

const std::unordered_set<std::string_view>& stop_words() {
    static const std::unordered_set<std::string_view> words = {
        // English
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "it's",
        "just",
        "let",
        "like",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "of",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "don't",
        "doesn't",
        "no",
        "not",
        "nor",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "can't",
        "cannot",
        "won't",
        "etc",
        "really",
        "quite",
        // Hindi
        "का",
        "के",
        "की",
        "है",
        "हैं",
        "में",
        "और",
        "को",
        "से",
        "पर",
        "यह",
        "वह",
        "था",
        "थी",
        "थे",
        "भी",
        "तो",
        "ही",
        "एक",
        "कि",
        "जो",
        "लिए",
        "कर",
        "करना",
        "करने",
        "किया",
        "गया",
        "गई",
        "हम",
        "मैं",
        "आप",
        "नहीं",
        "ये",
        "वो",
        "इस",
        "उस",
        "इसे",
        "उसे",
        "इसमें",
        "उसमें",
        "कुछ",
        "सब",
        "या",
        "तक",
        "अब",
        "जब",
        "तब",
        "हो",
        "होता",
        "होती",
        "होते",
        "रहा",
        "रही",
        "रहे",
        "बहुत",
        "ने",
        "हमें",
        "मुझे",
        "अपने",
        "अपना",
        "वाले",
        "वाली",
        "सकते",
        "सकता",
        "सकती",
        "लेकिन",
        "क्योंकि",
        "इसलिए",
        "जैसे",
        "साथ",
        // Marathi
        "आहे",
        "आहेत",
        "आणि",
        "हे",
        "ते",
        "व",
        "मध्ये",
        "पण",
        "तर",
        "होते",
        "होता",
        "होती",
        "आम्ही",
        "मी",
        "त्या",
        "त्याचा",
        "त्याची",
        "या",
        "ही",
        "हा",
        "काही",
        "खूप",
        "नाही",
        "साठी",
        "केले",
        "करून",
        // Bengali
        "এবং",
        "এই",
        "এটা",
        "ও",
        "কিন্তু",
        "করে",
        "হয়",
        "আমি",
        "আমরা",
        "ছিল",
        "আর",
        "জন্য",
        "থেকে",
        "সঙ্গে",
        "যে",
        "তা",
        "কি",
        "খুব",
        "একটি",
        "একটা",
        // Tamil
        "மற்றும்",
        "ஒரு",
        "இந்த",
        "அந்த",
        "இது",
        "அது",
        "என்று",
        "உள்ள",
        "நான்",
        "நாங்கள்",
        "மிகவும்",
        // Telugu
        "మరియు",
        "ఒక",
        "ఈ",
        "ఆ",
        "లో",
        "కి",
        "కూడా",
        "నేను",
        "మేము",
        "చాలా",
        // Gujarati
        "અને",
        "છે",
        "આ",
        "તે",
        "માં",
        "એક",
        "પણ",
    };
    return words;
}

/// Lower-cased word tokens of one comment; an empty string marks a break (dropped word or
/// punctuation) between two kept tokens.
std::vector<std::string> tokens(std::string_view comment, icu::BreakIterator& words) {
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(detail::to_nfc(comment));
    text.toLower(icu::Locale::getRoot());
    words.setText(text);
    std::vector<std::string> out;
    auto mark_break = [&] {
        if (!out.empty() && !out.back().empty()) out.emplace_back();
    };
    std::int32_t start = words.first();
    for (std::int32_t end = words.next(); end != icu::BreakIterator::DONE; start = end, end = words.next()) {
        const icu::UnicodeString piece(text, start, end - start);
        if (words.getRuleStatus() == UBRK_WORD_NONE) {
            // Spaces keep neighbours adjacent; anything else (punctuation, symbols) separates them.
            bool blank = true;
            for (std::int32_t i = 0; i < piece.length(); ++i) {
                if (!u_isUWhiteSpace(piece.char32At(i))) blank = false;
            }
            if (!blank) mark_break();
            continue;
        }
        std::string word;
        piece.toUTF8String(word);
        if (piece.countChar32() < 2 || stop_words().contains(word)) {
            mark_break();
            continue;
        }
        out.push_back(std::move(word));
    }
    return out;
}

} // namespace

std::vector<PhraseCount> key_phrases(const std::vector<std::string>& comments, int top) {
    if (top <= 0 || comments.empty()) return {};
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> words(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !words) return {};

    std::unordered_map<std::string, std::int64_t> counts;
    std::set<std::string> seen; // phrases of the current comment
    for (const auto& comment : comments) {
        seen.clear();
        const auto toks = tokens(comment, *words);
        for (std::size_t i = 0; i < toks.size(); ++i) {
            if (toks[i].empty()) continue;
            seen.insert(toks[i]);
            if (i + 1 < toks.size() && !toks[i + 1].empty()) seen.insert(toks[i] + " " + toks[i + 1]);
        }
        for (const auto& p : seen)
            ++counts[p];
    }
    std::vector<PhraseCount> out;
    out.reserve(counts.size());
    for (auto& [phrase, n] : counts)
        out.push_back({phrase, n});
    // Most frequent first; on a tie the bigram (more specific) first, then alphabetical.
    auto words_in = [](const std::string& p) { return std::ranges::count(p, ' '); };
    const auto n = std::min<std::size_t>(out.size(), static_cast<std::size_t>(top));
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(),
                      [&](const PhraseCount& a, const PhraseCount& b) {
                          if (a.count != b.count) return a.count > b.count;
                          if (words_in(a.phrase) != words_in(b.phrase))
                              return words_in(a.phrase) > words_in(b.phrase);
                          return a.phrase < b.phrase;
                      });
    out.resize(n);
    return out;
}

} // namespace shiksha
