// The translation engine end to end: FLORES reference translations served by a fake Google v2,
// structure kept, glossary terms protected, the memory paying off, errors and fallbacks, the
// offline behaviour, and module translation with its memory hit rate.
#include "fake_google_translate.hpp"
#include "fake_openai.hpp"
#include "ingest/text.hpp"
#include "platform_fixture.hpp"
#include "shiksha/platform.hpp"
#include "translation/segmenter.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

std::filesystem::path corpus() {
    const char* env = std::getenv("SHIKSHA_CORPUS_DIR");
    std::filesystem::path dir = env ? env : "/work/shared/corpus";
    return dir / "parallel" / "flores200_dev_first100";
}

std::vector<std::string> lines(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

// FLORES file per language code.
const std::map<std::string, std::string> flores = {
    {"hi", "hin_Deva"}, {"mr", "mar_Deva"}, {"bn", "ben_Beng"}, {"ta", "tam_Taml"},
    {"te", "tel_Telu"}, {"gu", "guj_Gujr"}, {"kn", "kan_Knda"}, {"ml", "mal_Mlym"},
    {"pa", "pan_Guru"}, {"or", "ory_Orya"}, {"ur", "urd_Arab"}, {"as", "asm_Beng"},
};

struct Fixture : test::PlatformFixture {
    test::FakeGoogleTranslate google;

    explicit Fixture(std::string providers = "google", std::function<void(Config&)> tweak = {})
        : test::PlatformFixture([](Config&) {}) {
        platform.reset();
        Config cfg = test::test_config(dir.path());
        cfg.translation.providers = providers;
        cfg.translation.google_base_url = google.base_url();
        cfg.translation.google_api_key = "google-test-key";
        cfg.net.backoff_base = 1ms;
        cfg.net.backoff_max = 5ms;
        cfg.net.max_attempts = 2;
        if (tweak) tweak(cfg);
        auto opened = Platform::open(cfg);
        REQUIRE(opened);
        platform = std::move(*opened);
    }
    TranslationEngine& tr() { return platform->translation(); }
};

} // namespace

TEST_CASE("FLORES sentences translate into all twelve languages exactly, keeping newlines and list markers") {
    if (!std::filesystem::exists(corpus())) {
        MESSAGE("corpus not found at " << corpus() << ": skipping");
        return;
    }
    Fixture f;
    const auto english = lines(corpus() / "eng_Latn.txt");
    int languages = 0;
    for (const auto& [code, file] : flores) {
        const auto reference = lines(corpus() / (file + ".txt"));
        REQUIRE(reference.size() == english.size());
        // Sentences the segmenter keeps whole, so the fake can answer each from the reference.
        std::map<std::string, std::string> dictionary;
        std::vector<std::size_t> usable;
        for (std::size_t i = 0; i < english.size(); ++i) {
            if (detail::plan_segments(english[i]).segments().size() != 1) continue;
            dictionary[english[i]] = reference[i];
            usable.push_back(i);
        }
        REQUIRE(usable.size() >= 10);
        f.google.add_translations("en", code, dictionary);
        const auto a = usable[0], b = usable[1], c = usable[2];
        const std::string text = "- " + english[a] + "\n\n2. " + english[b] + "\n   " + english[c] + "\n";
        auto r = f.tr().translate(text, code);
        REQUIRE_MESSAGE(r, code);
        const std::string expected = "- " + detail::to_nfc(reference[a]) + "\n\n2. " +
                                     detail::to_nfc(reference[b]) + "\n   " + detail::to_nfc(reference[c]) +
                                     "\n";
        CHECK_MESSAGE(r->text == expected, code);
        CHECK(r->stats.memory_misses == 3);
        CHECK(r->stats.providers == std::vector<std::string>{"google"});
        const auto last = f.google.requests().back();
        CHECK(last.field("format") == "text");
        CHECK(last.field("target") == code);
        CHECK(last.field("source") == "en");
        ++languages;
    }
    CHECK(languages == 12);
}

TEST_CASE("the second run is served from memory with no upstream call, and repeats are sent once") {
    Fixture f;
    f.google.add_translations("en", "hi",
                              {{"Water boils at one hundred degrees.", "पानी सौ डिग्री पर उबलता है।"},
                               {"Ice melts.", "बर्फ पिघलती है।"}});
    const std::string text = "Water boils at one hundred degrees. Ice melts.\nIce melts.";
    auto first = f.tr().translate(text, "hindi");
    REQUIRE(first);
    CHECK(first->text == "पानी सौ डिग्री पर उबलता है। बर्फ पिघलती है।\nबर्फ पिघलती है।");
    CHECK(first->stats.segments == 3);
    CHECK(first->stats.unique_segments == 2);
    REQUIRE(f.google.request_count() == 1);
    CHECK(f.google.requests().front().q.size() == 2); // the repeat went once
    auto second = f.tr().translate(text, "Hindi");
    REQUIRE(second);
    CHECK(second->text == first->text);
    CHECK(f.google.request_count() == 1);
    CHECK(second->stats.memory_hits == 2);
    CHECK(second->stats.upstream_requests == 0);
    CHECK(second->stats.providers == std::vector<std::string>{"memory"});
}

TEST_CASE(
    "glossary terms survive: kept terms stay, forced translations replace, and a change invalidates memory") {
    Fixture f;
    REQUIRE(f.tr().add_term({0, "hindi", "NEP 2020", std::nullopt, {}, {}}));
    REQUIRE(
        f.tr().add_term({0, "hindi", "think-pair-share", std::string("सोचो-जोड़ी बनाओ-साझा करो"), {}, {}}));
    f.google.add_translations("en", "hi",
                              {{"Follow ⟦1⟧ with ⟦2⟧ in class.", "कक्षा में ⟦2⟧ के साथ ⟦1⟧ का पालन करें।"}});
    auto r = f.tr().translate("Follow NEP 2020 with Think-Pair-Share in class.", "hi");
    REQUIRE(r);
    CHECK(r->text == "कक्षा में सोचो-जोड़ी बनाओ-साझा करो के साथ NEP 2020 का पालन करें।");
    CHECK(f.google.requests().back().q.front() == "Follow ⟦1⟧ with ⟦2⟧ in class.");

    auto terms = f.tr().terms("hi");
    REQUIRE(terms);
    REQUIRE(terms->size() == 2);
    CHECK(f.tr().add_term({0, "hindi", "nep 2020", std::nullopt, {}, {}}).error().code ==
          ErrorCode::conflict);
    REQUIRE(f.tr().remove_term(terms->front().id));
    const auto before = f.google.request_count();
    (void)f.tr().translate("Follow NEP 2020 with Think-Pair-Share in class.", "hi");
    CHECK(f.google.request_count() == before + 1); // the glossary changed: the memory entry no longer applies
}

TEST_CASE("quota, rate-limit and server errors map to the right errors, and the chain falls back") {
    SUBCASE("a spent daily quota is rate_limited with Google's message") {
        Fixture f;
        f.google.push_failure(test::FakeGoogleFailure::daily_limit, 5);
        auto r = f.tr().translate("Ice melts.", "hi");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::rate_limited);
        CHECK(r.error().message.find("Daily Limit Exceeded") != std::string::npos);
    }
    SUBCASE("a 429 is retried") {
        Fixture f;
        f.google.add_translations("en", "hi", {{"Ice melts.", "बर्फ पिघलती है।"}});
        f.google.push_failure(test::FakeGoogleFailure::too_many_requests, 1);
        auto r = f.tr().translate("Ice melts.", "hi");
        REQUIRE(r);
        CHECK(r->text == "बर्फ पिघलती है।");
        CHECK(f.google.request_count() == 2);
    }
    SUBCASE("a 500 from Google falls back to the LLM") {
        test::FakeOpenAi llm;
        llm.set_default_reply(test::FakeChatReply::computed([](const Json&) {
            return test::FakeChatReply::ok(R"({"translations": ["बर्फ पिघलती है (llm)।"]})");
        }));
        Fixture f("google,llm", [&](Config& c) {
            c.llm.base_url = llm.base_url();
            c.llm.api_key = "test-key";
        });
        f.google.push_failure(test::FakeGoogleFailure::server_error, 10);
        auto r = f.tr().translate("Ice melts.", "hi");
        REQUIRE(r);
        CHECK(r->text == "बर्फ पिघलती है (llm)।");
        CHECK(r->stats.providers == std::vector<std::string>{"llm"});
        CHECK(f.tr().providers() == std::vector<std::string>{"google", "llm"});
    }
    SUBCASE("a wrong key is not worth retrying elsewhere when nothing else is configured") {
        Fixture f("google", [](Config& c) { c.translation.google_api_key = "wrong"; });
        auto r = f.tr().translate("Ice melts.", "hi");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::unauthenticated);
        CHECK(r.error().message.find("wrong") == std::string::npos);
    }
}

TEST_CASE("offline, only the memory translates; anything else is an explicit error naming what to set") {
    Fixture f("memory");
    CHECK(f.tr().providers().empty());
    auto r = f.tr().translate("Ice melts. Water boils.", "hindi");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::unavailable);
    CHECK(r.error().message.find("SHIKSHA_TRANSLATE_PROVIDER") != std::string::npos);
    CHECK(r.error().message.find("2 segment(s)") != std::string::npos);
    REQUIRE(f.tr().remember("Ice melts.", "बर्फ पिघलती है।", "hindi"));
    REQUIRE(f.tr().remember("Water   boils.", "पानी उबलता है।", "hi"));
    auto served = f.tr().translate("Ice melts. Water boils.", "hindi");
    REQUIRE(served);
    CHECK(served->text == "बर्फ पिघलती है। पानी उबलता है।");
    CHECK(served->stats.memory_hits == 2);
    CHECK(f.google.request_count() == 0);
}

TEST_CASE("languages: names and codes accepted, unknown ones listed, English a no-op") {
    Fixture f;
    auto unknown = f.tr().translate("Ice melts.", "klingon");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::invalid_argument);
    CHECK(unknown.error().message == "Language 'klingon' is not supported. Supported: english, hindi, "
                                     "marathi, bengali, tamil, telugu, gujarati, "
                                     "kannada, malayalam, punjabi, odia, urdu, assamese");
    auto same = f.tr().translate("Ice melts.", "English");
    REQUIRE(same);
    CHECK(same->text == "Ice melts.");
    CHECK(f.google.request_count() == 0);
    CHECK(find_language("HI")->key == "hindi");
    CHECK(find_language("Oriya")->key == "odia");
    CHECK(find_language("ur")->right_to_left);
    CHECK(find_language("as")->font_family == "Noto Sans Bengali");
}

TEST_CASE("a module generated for a Hindi cluster is translated; the second time it comes from memory") {
    Fixture f;
    const auto sample =
        std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
    auto up = f.platform->manuals().upload_file(sample, {"Handbook", ""});
    REQUIRE(up);
    REQUIRE(f.platform->manuals().index(up->manual.id));
    auto cluster = f.platform->clusters().create(
        {"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low", "No laboratory", 40, std::nullopt});
    REQUIRE(cluster);
    auto first =
        f.platform->modules().generate({up->manual.id, cluster->id, "Series and parallel circuits", {}, {}});
    REQUIRE(first);
    CHECK(first->language == "hindi");
    CHECK(first->translation_status.empty());
    REQUIRE(first->translations.size() == 1);
    const auto& t1 = first->translations.front();
    CHECK(t1.language == "hindi");
    CHECK(t1.memory_hits == 0);
    CHECK(t1.content.sections.size() == first->content.sections.size());
    // The fake marks texts it has no dictionary entry for; every reader-visible text went through it.
    CHECK(t1.content.title == test::FakeGoogleTranslate::untranslated("hi", first->content.title));
    CHECK(first->adapted_content == t1.adapted_content);
    CHECK(first->content.title == "Series and Parallel Circuits"); // the English original is kept
    const auto calls = f.google.request_count();

    auto second =
        f.platform->modules().generate({up->manual.id, cluster->id, "Series and parallel circuits", {}, {}});
    REQUIRE(second);
    const auto& t2 = second->translations.front();
    const double hit_rate = static_cast<double>(t2.memory_hits) / t2.segments;
    MESSAGE("memory hit rate on the second generation: " << t2.memory_hits << "/" << t2.segments << " = "
                                                         << hit_rate);
    CHECK(hit_rate == 1.0);
    CHECK(f.google.request_count() == calls);

    auto marathi = f.platform->modules().translate(second->id, "marathi");
    REQUIRE(marathi);
    CHECK(marathi->translations.size() == 2);
    CHECK(f.platform->modules().translate(second->id, "klingon").error().code == ErrorCode::invalid_argument);
}

TEST_CASE("offline, a module for a Hindi cluster stays English and says why") {
    Fixture f("memory");
    const auto sample =
        std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
    auto up = f.platform->manuals().upload_file(sample, {"Handbook", ""});
    REQUIRE(up);
    REQUIRE(f.platform->manuals().index(up->manual.id));
    auto hindi = f.platform->clusters().create(
        {"Hindi Cluster", "Rural", "Hindi", "Low", std::nullopt, 10, std::nullopt});
    auto gondi = f.platform->clusters().create(
        {"Gondi Cluster", "Tribal Belt", "Gondi", "Low", std::nullopt, 10, std::nullopt});
    REQUIRE(hindi);
    REQUIRE(gondi);
    auto m = f.platform->modules().generate({up->manual.id, hindi->id, "Lemon battery", {}, {}});
    REQUIRE(m);
    CHECK(m->language == "hindi");
    CHECK(m->translations.empty());
    CHECK(m->translation_status.starts_with("unavailable: "));
    CHECK(m->translation_status.find("SHIKSHA_TRANSLATE_PROVIDER") != std::string::npos);
    auto g = f.platform->modules().generate({up->manual.id, gondi->id, "Lemon battery", {}, {}});
    REQUIRE(g);
    CHECK(g->language == "gondi");
    CHECK(g->translation_status.starts_with("unsupported: "));
}

TEST_CASE("listing modules includes their translations") {
    Fixture f;
    const auto sample =
        std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
    auto up = f.platform->manuals().upload_file(sample, {"Handbook", ""});
    REQUIRE(up);
    REQUIRE(f.platform->manuals().index(up->manual.id));
    auto cluster = f.platform->clusters().create(
        {"Tamil Cluster", "Coastal", "Tamil", "Medium", std::nullopt, 10, std::nullopt});
    REQUIRE(cluster);
    REQUIRE(f.platform->modules().generate({up->manual.id, cluster->id, "Lemon battery", {}, {}}));
    auto listed = f.platform->modules().list();
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    REQUIRE(listed->front().translations.size() == 1);
    CHECK(listed->front().translations.front().language == "tamil");
    CHECK(listed->front().adapted_content == listed->front().translations.front().adapted_content);
}
