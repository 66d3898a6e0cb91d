// The built-in offline embedder: signed feature hashing of whole words and of the character
// 3-, 4- and 5-grams inside them. Nothing to download, identical vectors on every machine, and
// it works for every script because it never needs to know one: Devanagari vowel signs are just
// code points inside a word. Good enough to find paraphrases that share word pieces; an
// OpenAI-compatible embedder is the upgrade for real semantic matching.
#include "shiksha/providers.hpp"

#include <fmt/format.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>

namespace shiksha {

namespace {

constexpr float word_weight = 1.0f;
constexpr float gram_weight = 0.5f;

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed) {
    std::uint64_t h = 1469598103934665603ULL ^ seed;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    // Final avalanche (splitmix64) so nearby strings spread over buckets and signs.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

class HashEmbedder final : public Embedder {
public:
    explicit HashEmbedder(std::size_t dimension) : dimension_(dimension) {}

    std::string model() const override { return fmt::format("hash-ngram-v1/{}", dimension_); }
    std::size_t dimension() const override { return dimension_; }
    // Hashed n-grams know spelling, not meaning: on the corpus questions (tests/integration/
    // test_corpus.cpp) they rank worse than BM25 alone, and at equal weight they push correct
    // lexical hits out of the top 5. At this weight they break ties among lexical hits and add
    // the hits BM25 misses without outvoting it.
    double fusion_weight() const override { return 0.01; }

    Result<std::vector<std::vector<float>>> embed(std::span<const std::string> texts,
                                                  const CancelToken* cancel) const override {
        std::vector<std::vector<float>> out;
        out.reserve(texts.size());
        for (const auto& text : texts) {
            if (cancel && cancel->cancelled()) return fail(ErrorCode::deadline_exceeded, "cancelled");
            out.push_back(embed_one(text));
        }
        return out;
    }

private:
    void add(std::vector<float>& v, std::string_view feature, float weight) const {
        const std::uint64_t h = fnv1a(feature, 0);
        v[h % dimension_] += (h >> 63) ? -weight : weight;
    }

    std::vector<float> embed_one(std::string_view text) const {
        std::vector<float> v(dimension_, 0.0f);
        // Words: maximal runs of letters, digits and combining marks (ICU classes), lower-cased.
        std::string word;
        std::vector<std::size_t> starts; // code point starts within `word`
        auto flush = [&] {
            if (word.empty()) return;
            add(v, "w:" + word, word_weight);
            std::string padded = "<" + word + ">";
            std::vector<std::size_t> cps{0};
            for (auto s : starts)
                cps.push_back(s + 1);
            cps.push_back(padded.size() - 1);
            cps.push_back(padded.size());
            const std::size_t n_cps = cps.size() - 1;
            for (std::size_t n = 3; n <= 5; ++n) {
                for (std::size_t i = 0; i + n <= n_cps; ++i) {
                    add(v, std::string_view(padded).substr(cps[i], cps[i + n] - cps[i]), gram_weight);
                }
            }
            word.clear();
            starts.clear();
        };
        const auto* s = reinterpret_cast<const uint8_t*>(text.data());
        const auto len = static_cast<int32_t>(text.size());
        int32_t i = 0;
        while (i < len) {
            UChar32 c = 0;
            U8_NEXT(s, i, len, c);
            if (c < 0) {
                flush();
                continue;
            }
            const auto type = u_charType(c);
            const bool part_of_word = u_isalnum(c) || type == U_NON_SPACING_MARK ||
                                      type == U_COMBINING_SPACING_MARK || c == 0x200C || c == 0x200D;
            if (!part_of_word) {
                flush();
                continue;
            }
            c = u_tolower(c);
            char buf[4];
            int32_t n = 0;
            U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(buf), n, c);
            starts.push_back(word.size());
            word.append(buf, static_cast<std::size_t>(n));
        }
        flush();
        double norm = 0;
        for (float x : v)
            norm += static_cast<double>(x) * x;
        if (norm > 0) {
            const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
            for (float& x : v)
                x *= inv;
        }
        return v;
    }

    std::size_t dimension_;
};

} // namespace

std::shared_ptr<const Embedder> make_hash_embedder(std::size_t dimension) {
    return std::make_shared<HashEmbedder>(std::clamp<std::size_t>(dimension, 64, 4096));
}

} // namespace shiksha
