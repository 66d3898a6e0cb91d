// The offline (rule-based) adapter and the extractive answerer, on chunks written here by hand
// for three clusters like the demo's (a tribal block without a lab, a crowded urban ward, a
// Marathi-medium rural cluster) plus a well-equipped one; the rule tables are parsed and
// checked; the sample manual's electricity chunks go through end to end; and, when
// shared/corpus is present, an NCERT chapter read with pdftotext (nothing of it is copied here).
// Set SHIKSHA_DUMP_MODULE=<file> to write the sample manual's tribal module as text.
#include "adaptation/adapter.hpp"
#include "adaptation/extract.hpp"
#include "adaptation/rules.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "ingest/text.hpp"
#include "platform_fixture.hpp"
#include "shiksha/platform.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace shiksha;
using detail::AdaptationInput;
using detail::RetrievedChunk;

namespace {

namespace fs = std::filesystem;

const fs::path source_dir(SHIKSHA_SOURCE_DIR);

// ---- inputs ------------------------------------------------------------------------------------

/// A small manual on acids and bases, written for these tests: an explanation, an activity
/// with laboratory materials, and a chunk that continues the topic on the next page.
std::vector<RetrievedChunk> acid_chunks() {
    return {
        {102, 7, "Science Activity Book", 5, 5, "4.1 Activity: testing with litmus",
         "4.1 Activity: testing with litmus Materials: litmus paper, two beakers, a dropper, lemon juice, "
         "soap "
         "solution. Pour lemon juice into one beaker and soap solution into the other. Dip a strip of litmus "
         "paper "
         "into each beaker with the dropper. Observe the colour of each strip and record it in a table. Blue "
         "litmus "
         "turns red in the lemon juice because lemon juice is an acid.",
         0.031},
        {101, 7, "Science Activity Book", 4, 4, "4 Acids and bases",
         "4 Acids and bases Acids taste sour and bases feel soapy, but students must never taste or touch "
         "unknown "
         "liquids. An indicator is a substance that changes colour in an acid or a base, so that we can tell "
         "them "
         "apart safely. Litmus paper is the most common indicator in school laboratories.",
         0.030},
        {103, 7, "Science Activity Book", 5, 6, "4.2 Neutralisation",
         "4.2 Neutralisation When an acid and a base are mixed in the right amounts, they neutralise each "
         "other. "
         "Therefore, the mixture is neither acidic nor basic. A mild base such as baking soda relieves "
         "acidity "
         "because it neutralises the extra acid in the stomach.",
         0.029},
    };
}

Cluster make_cluster(std::int64_t id, std::string name, std::string region, std::string language,
                     std::string infrastructure, std::string issues) {
    Cluster c;
    c.id = id;
    c.name = std::move(name);
    c.region_type = std::move(region);
    c.language = std::move(language);
    c.infrastructure_constraints = std::move(infrastructure);
    c.key_issues = std::move(issues);
    return c;
}

// The demo's three clusters (libshiksha/src/platform/demo.cpp) and a well-equipped one.
Cluster tribal() {
    return make_cluster(
        1, "Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low",
        "No science laboratory and unreliable electricity; many first-generation learners who speak "
        "Gondi at home; multigrade classrooms with one or two teachers");
}
Cluster urban() {
    return make_cluster(
        2, "Mumbai Urban Cluster", "Urban", "Hindi", "Medium",
        "Classes of 60 to 80 students in two shifts; little floor space; mixed Hindi, Marathi and Urdu "
        "home languages");
}
Cluster rural() {
    return make_cluster(
        3, "Satara Rural Marathi Cluster", "Rural", "Marathi", "Low",
        "Marathi-medium schools with few English materials; seasonal migration reduces attendance; "
        "shared smartphone is the only device");
}
Cluster equipped() {
    return make_cluster(
        4, "Bengaluru Model Schools", "Urban", "English", "High",
        "Well-equipped laboratories and smart classrooms; teachers new to activity-based teaching");
}

AdaptationInput input_for(Cluster cluster, std::vector<RetrievedChunk> chunks = acid_chunks(),
                          std::string topic = "acids, bases and indicators") {
    return {std::move(cluster), std::move(topic), std::nullopt, "english", std::move(chunks)};
}

// ---- helpers -----------------------------------------------------------------------------------

/// The module as plain text, every field in order (what determinism compares and the dump shows).
std::string as_text(const ModuleContent& m) {
    std::ostringstream out;
    out << "# " << m.title << "\n\n" << m.summary << "\n";
    for (std::size_t i = 0; i < m.sections.size(); ++i)
        out << "\n## " << i + 1 << ". " << m.sections[i].heading << "\n" << m.sections[i].text << "\n";
    out << "\n## Teaching tips\n";
    for (const auto& t : m.teaching_tips)
        out << "- " << t << "\n";
    out << "\n## Activities\n";
    for (const auto& a : m.activities) {
        out << "### " << a.title << " (" << a.duration << ")\nMaterials:\n";
        for (const auto& x : a.materials)
            out << "- " << x << "\n";
        out << "Steps:\n";
        for (std::size_t i = 0; i < a.steps.size(); ++i)
            out << i + 1 << ". " << a.steps[i] << "\n";
    }
    out << "\n## Assessment\n";
    for (std::size_t i = 0; i < m.assessment.size(); ++i)
        out << i + 1 << ". Q: " << m.assessment[i].question << "\n   A: " << m.assessment[i].answer << "\n";
    out << "\n## Citations\n";
    for (const auto& c : m.citations)
        out << "- chunk " << c.chunk_id << " (manual " << c.manual_id << ", pp. " << c.page_start << "-"
            << c.page_end << "): " << c.excerpt << "\n";
    return out.str();
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

bool any_contains(const std::vector<std::string>& items, std::string_view part) {
    return std::any_of(items.begin(), items.end(), [&](const std::string& s) { return contains(s, part); });
}

std::vector<std::string> split_excerpt(const std::string& excerpt) {
    std::vector<std::string> pieces;
    const std::string sep = " \u2026 ";
    std::size_t start = 0;
    for (auto at = excerpt.find(sep); at != std::string::npos; at = excerpt.find(sep, start)) {
        pieces.push_back(excerpt.substr(start, at - start));
        start = at + sep.size();
    }
    pieces.push_back(excerpt.substr(start));
    return pieces;
}

std::size_t sentences_in(std::string_view text) {
    std::size_t n = 0;
    for (auto s : detail::split_sentences(text))
        n += detail::word_count(s) >= 3 ? 1 : 0;
    return n;
}

/// Every structural promise of ModuleContent, for any input.
void check_structure(const ModuleContent& m, const AdaptationInput& in) {
    CAPTURE(as_text(m));
    CHECK_FALSE(m.title.empty());
    CHECK_FALSE(m.summary.empty());
    CHECK(contains(m.summary, in.cluster.name));
    CHECK(sentences_in(m.summary) >= 2);
    CHECK(sentences_in(m.summary) <= 3);

    static const std::vector<std::string> headings = {"Classroom Challenge",         "Why This Matters",
                                                      "Suggested Teaching Approach", "Low-Resource Activity",
                                                      "Expected Student Response",   "Classroom Signals",
                                                      "Teacher Feedback Prompt"};
    REQUIRE(m.sections.size() == headings.size());
    for (std::size_t i = 0; i < headings.size(); ++i) {
        CHECK(m.sections[i].heading == headings[i]);
        CHECK_FALSE(m.sections[i].text.empty());
    }
    CHECK(m.sections[6].text.ends_with("?"));

    CHECK(m.teaching_tips.size() >= 3);
    CHECK(m.teaching_tips.size() <= 6);
    CHECK(std::set<std::string>(m.teaching_tips.begin(), m.teaching_tips.end()).size() ==
          m.teaching_tips.size());
    for (const auto& t : m.teaching_tips) {
        CHECK_FALSE(t.empty());
        CHECK_FALSE(contains(t, "{")); // every placeholder filled
    }

    REQUIRE_FALSE(m.activities.empty());
    CHECK(m.activities.size() <= 3);
    for (const auto& a : m.activities) {
        CHECK_FALSE(a.title.empty());
        CHECK_FALSE(a.materials.empty());
        CHECK_FALSE(a.steps.empty());
        CHECK_FALSE(a.duration.empty());
        for (const auto& s : a.steps)
            CHECK_FALSE(s.empty());
    }

    CHECK(m.assessment.size() >= 3);
    CHECK(m.assessment.size() <= 5);
    for (const auto& q : m.assessment) {
        CHECK_FALSE(q.question.empty());
        CHECK_FALSE(q.answer.empty());
        if (q.question.starts_with("Fill in the blank")) CHECK(contains(q.question, "_____"));
    }

    REQUIRE_FALSE(m.citations.empty());
    std::set<std::int64_t> cited;
    for (const auto& c : m.citations) {
        CAPTURE(c.chunk_id);
        CHECK(cited.insert(c.chunk_id).second); // one citation per chunk
        const auto it = std::find_if(in.chunks.begin(), in.chunks.end(),
                                     [&](const RetrievedChunk& r) { return r.chunk_id == c.chunk_id; });
        REQUIRE(it != in.chunks.end()); // only chunks that were given
        CHECK(c.manual_id == it->manual_id);
        CHECK(c.page_start == it->page_start);
        CHECK(c.page_end == it->page_end);
        CHECK_FALSE(c.excerpt.empty());
        for (const auto& piece : split_excerpt(c.excerpt)) {
            CAPTURE(piece);
            CHECK(contains(it->text, piece)); // quoted, never paraphrased
        }
    }
}

const Activity& first_activity(const ModuleContent& m) {
    REQUIRE_FALSE(m.activities.empty());
    return m.activities.front();
}

} // namespace

// ---- rule tables ------------------------------------------------------------------------------

TEST_CASE("both rule tables parse, are versioned, and cover what the adapter matches on") {
    // The copies compiled into the library, and the files on disk (a typo fails here at once).
    const auto subs = detail::embedded_file("adaptation/substitutions.json");
    const auto tips = detail::embedded_file("adaptation/tips.json");
    REQUIRE(subs);
    REQUIRE(tips);
    auto embedded = detail::parse_adaptation_rules(*subs, *tips);
    REQUIRE_MESSAGE(embedded, embedded.error().message);

    auto read = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    const auto data = source_dir / "libshiksha/data/adaptation";
    const auto subs_text = read(data / "substitutions.json");
    const auto tips_text = read(data / "tips.json");
    auto parsed = detail::parse_adaptation_rules(subs_text, tips_text);
    REQUIRE_MESSAGE(parsed, parsed.error().message);
    const auto& rules = *parsed;

    CHECK(rules.version == detail::offline_rules_version);
    for (const auto* text : {&subs_text, &tips_text}) {
        auto json = Json::parse(*text);
        REQUIRE(json);
        REQUIRE(json->find("version"));
        CHECK(json->find("version")->as_string() == detail::offline_rules_version);
        REQUIRE(json->find("about"));
        CHECK(json->find("about")->as_string().size() > 40);
    }

    CHECK(rules.substitutions.size() >= 30);
    for (const auto& s : rules.substitutions) {
        CAPTURE(s.material);
        CHECK_FALSE(s.substitute.empty());
        CHECK_FALSE(s.short_form.empty());
        CHECK_FALSE(s.note.empty());
        CHECK(s.applies(detail::InfraLevel::low)); // [Low] or [Low, Medium], never High
        CHECK_FALSE(s.applies(detail::InfraLevel::high));
    }
    for (const auto* m :
         {"beaker", "test tube", "litmus paper", "microscope", "bunsen burner", "projector", "computer",
          "laboratory", "measuring cylinder", "thermometer", "globe", "weighing balance", "bar magnet"}) {
        CAPTURE(m);
        CHECK(std::any_of(rules.substitutions.begin(), rules.substitutions.end(),
                          [&](const detail::Substitution& s) { return s.material == m; }));
    }

    CHECK(rules.tips.size() >= 25);
    auto has_rule = [&](auto pred) { return std::any_of(rules.tips.begin(), rules.tips.end(), pred); };
    for (const auto* region :
         {"tribal", "urban", "rural", "semi-urban", "coastal", "hill", "desert", "forest"}) {
        CAPTURE(region);
        CHECK(has_rule([&](const detail::TipRule& r) {
            return std::find(r.when.region_type.begin(), r.when.region_type.end(), region) !=
                   r.when.region_type.end();
        }));
    }
    for (auto level : {detail::InfraLevel::low, detail::InfraLevel::medium, detail::InfraLevel::high}) {
        CHECK(has_rule([&](const detail::TipRule& r) {
            return std::find(r.when.infrastructure.begin(), r.when.infrastructure.end(), level) !=
                   r.when.infrastructure.end();
        }));
    }
    for (const auto* band : {"primary", "upper_primary", "secondary"}) {
        CHECK(has_rule([&](const detail::TipRule& r) {
            return std::find(r.when.grade_band.begin(), r.when.grade_band.end(), band) !=
                   r.when.grade_band.end();
        }));
    }
    CHECK(has_rule([](const detail::TipRule& r) { return r.when.large_class == true; }));
    CHECK(has_rule([](const detail::TipRule& r) { return r.when.multigrade == true; }));
    CHECK(has_rule([](const detail::TipRule& r) { return r.when.home_language == true; }));
    CHECK(has_rule([](const detail::TipRule& r) { return r.when.language_not_english == true; }));
    CHECK(has_rule([](const detail::TipRule& r) { return r.fallback; }));
    for (const auto& r : rules.tips) {
        CAPTURE(r.id);
        CHECK(r.tips.size() >= 1);
        CHECK(r.tips.size() <= 2);
    }
}

TEST_CASE("a broken rule table is refused with every problem named") {
    const auto tips = detail::embedded_file("adaptation/tips.json");
    REQUIRE(tips);
    auto bad = detail::parse_adaptation_rules(
        R"({"version": "rules-v1", "about": "x", "substitutions": [
              {"material": "beaker", "substitute": "", "short": "cup", "note": "n", "applies_when": ["Lowish"]}],
            "common_materials": []})",
        *tips);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::invalid_argument);
    CHECK(contains(bad.error().message, "'substitute' is empty"));
    CHECK(contains(bad.error().message, "unknown level 'Lowish'"));

    auto not_json = detail::parse_adaptation_rules("{\"version\": ", *tips);
    REQUIRE_FALSE(not_json);
    CHECK(contains(not_json.error().message, "substitutions.json"));
}

// ---- reading the profile -----------------------------------------------------------------------

TEST_CASE("a cluster profile is read from its free text") {
    const auto& rules = detail::adaptation_rules();
    const auto t = detail::analyse_cluster(tribal(), std::nullopt, rules);
    CHECK(t.infrastructure == detail::InfraLevel::low);
    CHECK(t.no_lab);
    CHECK(t.no_electricity);
    CHECK(t.multigrade);
    CHECK_FALSE(t.large_class);
    CHECK(t.language == "Hindi");
    CHECK(t.language_not_english);
    CHECK(t.home_languages == std::vector<std::string>{"Gondi"});

    const auto u = detail::analyse_cluster(urban(), std::nullopt, rules);
    CHECK(u.infrastructure == detail::InfraLevel::medium);
    CHECK(u.large_class);
    CHECK(u.class_size == 80);
    CHECK_FALSE(u.multigrade);
    CHECK(u.home_languages == std::vector<std::string>{"Marathi", "Urdu"});

    const auto r = detail::analyse_cluster(rural(), std::nullopt, rules);
    CHECK(r.infrastructure == detail::InfraLevel::low);
    CHECK(r.language == "Marathi");
    CHECK(r.home_languages.empty());
    CHECK_FALSE(r.large_class);

    const auto e = detail::analyse_cluster(equipped(), std::nullopt, rules);
    CHECK(e.infrastructure == detail::InfraLevel::high);
    CHECK_FALSE(e.language_not_english);

    // Descriptions instead of a level.
    auto described = tribal();
    described.infrastructure_constraints = "No electricity, classes under trees";
    CHECK(detail::analyse_cluster(described, std::nullopt, rules).infrastructure == detail::InfraLevel::low);
    described.infrastructure_constraints = "Basic equipment in one shared room";
    CHECK(detail::analyse_cluster(described, std::nullopt, rules).infrastructure ==
          detail::InfraLevel::medium);

    CHECK(detail::analyse_cluster(tribal(), std::string("6-8"), rules).grade_bands ==
          std::vector<std::string>{"upper_primary"});
    CHECK(detail::analyse_cluster(tribal(), std::string("Class 4"), rules).grade_bands ==
          std::vector<std::string>{"primary"});
    CHECK(detail::analyse_cluster(tribal(), std::string("Grades 8-10"), rules).grade_bands ==
          std::vector<std::string>{"upper_primary", "secondary"});
}

TEST_CASE("text helpers: stems, titles, materials and shortened sentences") {
    CHECK(detail::stem_word("circuits") == "circuit");
    CHECK(detail::stem_word("batteries") == "battery");
    CHECK(detail::stem_word("boxes") == "box");
    CHECK(detail::stem_word("series") == "series");
    CHECK(detail::stem_word("glass") == "glass");
    CHECK(detail::stems_match("electric", "electricity"));
    CHECK_FALSE(detail::stems_match("cell", "circuit"));

    CHECK(detail::title_case("acids, bases and indicators") == "Acids, Bases and Indicators");
    CHECK(detail::title_case("series circuits with an LED") == "Series Circuits with an LED");

    auto list =
        detail::parse_materials_line("Materials: two torch bulbs, two old cells, wires, tape and glue.");
    REQUIRE(list);
    CHECK(*list == std::vector<std::string>{"two torch bulbs", "two old cells", "wires", "tape", "glue"});
    CHECK_FALSE(detail::parse_materials_line("Connect the bulbs: both glow."));

    const auto named = detail::materials_named(
        "Push a copper coin and a galvanised nail into a lemon. Join three lemons in series with wires and "
        "the "
        "voltage is enough to light a small LED. Rub turmeric paste on strips of newspaper.",
        detail::adaptation_rules());
    CHECK(named == std::vector<std::string>{"copper coin", "galvanised nail", "three lemons", "wires",
                                            "small LED", "turmeric paste", "strips of newspaper"});

    const std::string long_sentence =
        "Students who speak another language at home often understand the idea of a circuit long before they "
        "know the words, so the teacher first shows the bulb glowing, then names each part, and only then "
        "asks "
        "them to write a sentence about it in their notebooks.";
    const auto short_one = detail::shorten_sentence(long_sentence);
    CHECK(detail::word_count(short_one) <= 30);
    CHECK(long_sentence.starts_with(short_one.substr(0, short_one.size() - 1)));
    const auto no_commas = detail::shorten_sentence("one two three four five six seven eight nine ten eleven "
                                                    "twelve thirteen fourteen fifteen sixteen seventeen "
                                                    "eighteen nineteen twenty twentyone twentytwo "
                                                    "twentythree twentyfour twentyfive twentysix twentyseven "
                                                    "twentyeight twentynine thirty thirtyone thirtytwo.");
    CHECK(no_commas.ends_with("\u2026"));
    CHECK(detail::word_count(no_commas) <= 30);
    CHECK(detail::shorten_sentence("Short and sweet.") == "Short and sweet.");
}

TEST_CASE("materials are swapped only where the infrastructure needs it") {
    const auto& rules = detail::adaptation_rules();
    const auto low = detail::substitute_material("litmus paper", detail::InfraLevel::low, rules);
    REQUIRE(low);
    CHECK(contains(*low, "turmeric"));
    CHECK(contains(*low, "(instead of litmus paper)"));
    CHECK_FALSE(detail::substitute_material("litmus paper", detail::InfraLevel::high, rules));
    CHECK_FALSE(detail::substitute_material("two torch bulbs", detail::InfraLevel::low, rules));
    // A Low-and-Medium entry applies to Medium too; a Low-only one does not.
    CHECK(detail::substitute_material("a microscope", detail::InfraLevel::medium, rules));
    CHECK_FALSE(detail::substitute_material("a beaker", detail::InfraLevel::medium, rules));
    // Inside steps: the short form, with the article corrected.
    CHECK(detail::substitute_in_step("Pour the juice into a beaker and dip litmus paper in it.",
                                     detail::InfraLevel::low, rules) ==
          "Pour the juice into a cut plastic bottle and dip turmeric paper in it.");
    CHECK(detail::substitute_in_step("Fill a test tube with water.", detail::InfraLevel::low, rules) ==
          "Fill a transparent plastic cup with water.");
    CHECK(detail::substitute_in_step("Heat it over a Bunsen burner.", detail::InfraLevel::low, rules) ==
          "Heat it over a spirit lamp.");
}

// ---- modules -----------------------------------------------------------------------------------

TEST_CASE("an offline module has every part, for each of the demo's clusters") {
    for (const auto& cluster : {tribal(), urban(), rural(), equipped()}) {
        CAPTURE(cluster.name);
        const auto in = input_for(cluster);
        const auto m = detail::offline_adapt(in);
        check_structure(m, in);
        CHECK(m.title == "Acids, Bases and Indicators");
    }
}

TEST_CASE("the same input gives a byte-identical module") {
    for (const auto& cluster : {tribal(), urban(), rural(), equipped()}) {
        const auto in = input_for(cluster);
        CHECK(as_text(detail::offline_adapt(in)) == as_text(detail::offline_adapt(in)));
    }
}

TEST_CASE("modules for different clusters differ where the clusters differ") {
    const auto t = detail::offline_adapt(input_for(tribal()));
    const auto u = detail::offline_adapt(input_for(urban()));
    const auto r = detail::offline_adapt(input_for(rural()));
    const auto e = detail::offline_adapt(input_for(equipped()));

    SUBCASE("the classroom challenge names the cluster's region, infrastructure and key issues") {
        const auto& tc = t.sections[0].text;
        CHECK(contains(tc, "Bastar Tribal Cluster"));
        CHECK(contains(tc, "Tribal Belt"));
        CHECK(contains(tc, "low infrastructure"));
        CHECK(contains(tc, "no laboratory"));
        CHECK(contains(tc, "Gondi"));
        CHECK(contains(tc, "several grades"));
        CHECK(contains(tc, "electricity cannot be relied on"));
        const auto& uc = u.sections[0].text;
        CHECK(contains(uc, "Urban"));
        CHECK(contains(uc, "medium infrastructure"));
        CHECK(contains(uc, "80 or more students"));
        CHECK(contains(uc, "Marathi and Urdu"));
        const auto& rc = r.sections[0].text;
        CHECK(contains(rc, "Rural"));
        CHECK(contains(rc, "working in Marathi"));
        CHECK(contains(rc, "seasonal migration"));
        CHECK(tc != uc);
        CHECK(uc != rc);
        CHECK(rc != tc);
    }

    SUBCASE("tips follow region, class size, grades and language") {
        CHECK(t.teaching_tips != u.teaching_tips);
        CHECK(u.teaching_tips != r.teaching_tips);
        CHECK(r.teaching_tips != t.teaching_tips);
        CHECK(any_contains(t.teaching_tips, "Gondi"));
        CHECK(any_contains(t.teaching_tips, "younger children"));      // multigrade
        CHECK(any_contains(u.teaching_tips, "groups of five or six")); // large classes
        CHECK(any_contains(u.teaching_tips, "80 or more students"));
        CHECK(any_contains(r.teaching_tips, "Marathi"));
        CHECK(any_contains(r.teaching_tips, "migration"));
        // Language: a bilingual tip when the cluster's language is not English, none otherwise.
        CHECK(any_contains(t.teaching_tips, "in Hindi first"));
        CHECK(any_contains(r.teaching_tips, "in Marathi first"));
        CHECK_FALSE(any_contains(e.teaching_tips, "word wall"));
        CHECK(any_contains(e.teaching_tips, "task card")); // high infrastructure
    }

    SUBCASE("low infrastructure swaps the lab materials; medium swaps fewer; high keeps them") {
        const auto& low = first_activity(t).materials;
        const auto& medium = first_activity(u).materials;
        const auto& high = first_activity(e).materials;
        CHECK(first_activity(t).title == "Testing with litmus");
        CHECK(any_contains(low, "turmeric paper strips or red cabbage juice (instead of litmus paper)"));
        CHECK(any_contains(low, "plastic bottle (instead of two beakers)"));
        CHECK(any_contains(low, "drinking straw"));
        CHECK(std::find(high.begin(), high.end(), "litmus paper") != high.end());
        CHECK(std::find(high.begin(), high.end(), "two beakers") != high.end());
        // Litmus and beakers are Low-only substitutions; droppers are Low and Medium.
        CHECK(std::find(medium.begin(), medium.end(), "two beakers") != medium.end());
        CHECK(any_contains(medium, "drinking straw"));
        CHECK(low != high);
        CHECK(low != medium);
        // The steps speak of the substitutes too.
        CHECK(any_contains(first_activity(t).steps, "cut plastic bottle"));
        CHECK(any_contains(first_activity(t).steps, "turmeric paper"));
        CHECK(any_contains(first_activity(e).steps, "beaker"));
        CHECK(contains(t.sections[3].text, "Instead of litmus paper"));
        CHECK_FALSE(contains(e.sections[3].text, "Instead of"));
    }

    SUBCASE("activities adapt their organisation to the classroom") {
        CHECK(any_contains(first_activity(t).steps, "younger children observe"));
        CHECK(any_contains(first_activity(u).steps, "groups of five or six"));
        CHECK_FALSE(any_contains(first_activity(e).steps, "groups of five or six"));
        CHECK(first_activity(u).duration != first_activity(e).duration); // bigger classes take longer
    }

    SUBCASE("the reflection question is the cluster's own") {
        CHECK(t.sections[6].text != u.sections[6].text);
        CHECK(u.sections[6].text != r.sections[6].text);
        CHECK(contains(u.sections[6].text, "back benches"));
        CHECK(contains(r.sections[6].text, "Marathi"));
    }
}

TEST_CASE("assessment asks cloze and why questions answered from the manual") {
    const auto in = input_for(tribal());
    const auto m = detail::offline_adapt(in);
    const auto why = std::find_if(m.assessment.begin(), m.assessment.end(), [](const AssessmentQuestion& q) {
        return q.question == "Why is it that blue litmus turns red in the lemon juice?";
    });
    REQUIRE(why != m.assessment.end());
    CHECK(why->answer == "Because lemon juice is an acid.");
    std::size_t cloze = 0;
    for (const auto& q : m.assessment) {
        if (!q.question.starts_with("Fill in the blank: ")) continue;
        ++cloze;
        // Putting the answer back gives a sentence of the manual.
        auto filled = q.question.substr(std::string_view("Fill in the blank: ").size());
        filled.replace(filled.find("_____"), 5, q.answer);
        CAPTURE(filled);
        CHECK(std::any_of(in.chunks.begin(), in.chunks.end(),
                          [&](const RetrievedChunk& c) { return contains(c.text, filled); }));
    }
    CHECK(cloze >= 1);
}

TEST_CASE("citations are exactly the chunks whose sentences the module used") {
    auto chunks = acid_chunks();
    // An unrelated chunk retrieval might also return: nothing of it is used, so it is not cited.
    chunks.push_back(
        {109, 7, "Science Activity Book", 9, 9, "9 Sound",
         "9 Sound Sound travels as vibrations through air, water and solids. A stretched rubber band "
         "vibrates and hums when plucked.",
         0.001});
    const auto in = input_for(tribal(), chunks);
    const auto m = detail::offline_adapt(in);
    check_structure(m, in);
    std::set<std::int64_t> cited;
    for (const auto& c : m.citations)
        cited.insert(c.chunk_id);
    CHECK(cited.contains(102)); // the activity's chunk
    CHECK(cited.contains(101));
    CHECK_FALSE(cited.contains(109));
    // In manual order.
    CHECK(std::is_sorted(m.citations.begin(), m.citations.end(),
                         [](const Citation& a, const Citation& b) { return a.page_start < b.page_start; }));
    // Every quoted sentence of the sections is part of some citation.
    const auto& why = m.sections[1].text;
    const auto open = why.find("\u201c");
    const auto close = why.find("\u201d");
    REQUIRE(open != std::string::npos);
    const auto quoted = why.substr(open + 3, close - open - 3);
    CHECK(std::any_of(m.citations.begin(), m.citations.end(),
                      [&](const Citation& c) { return contains(c.excerpt, quoted); }));
}

TEST_CASE("text without an activity gets one composed from the key sentences and the constraints") {
    std::vector<RetrievedChunk> chunks = {
        {201, 3, "Handbook", 2, 2, "2 Electricity",
         "2 Electricity A simple electric circuit needs a source of energy, a conductor and a device that "
         "uses the "
         "energy. A torch cell, two pieces of wire and a torch bulb make a complete circuit. In a series "
         "circuit "
         "the bulbs share one path, so when one bulb is removed the other goes out. In a parallel circuit "
         "each bulb "
         "has its own path.",
         0.03},
    };
    for (const auto& cluster : {tribal(), urban()}) {
        const auto in = input_for(cluster, chunks, "electric circuits");
        const auto m = detail::offline_adapt(in);
        check_structure(m, in);
        CAPTURE(as_text(m));
        const auto& a = first_activity(m);
        CHECK(a.title == "Observe and explain: Electric Circuits");
        CHECK(any_contains(a.materials, "torch bulb"));
        CHECK(m.citations.size() == 1);
        CHECK(m.citations.front().chunk_id == 201);
    }
}

TEST_CASE("a Hindi cluster language or a grade adds its tips; a tiny input still gives a full module") {
    auto in = input_for(equipped());
    in.grade = "Class 4";
    const auto m = detail::offline_adapt(in);
    CHECK(any_contains(m.teaching_tips, "classes 1-5"));

    // One short chunk: everything is still filled, from fallbacks where needed.
    const std::vector<RetrievedChunk> tiny = {
        {301, 1, "T", 1, 1, "", "Plants need light to make food.", 1.0}};
    const auto small = input_for(make_cluster(9, "Anywhere", "", "", "", ""), tiny, "photosynthesis");
    const auto s = detail::offline_adapt(small);
    check_structure(s, small);
}

// ---- answers -----------------------------------------------------------------------------------

TEST_CASE("offline answers quote the best sentences with their pages") {
    const auto chunks = acid_chunks();
    const auto a = detail::offline_answer("Why does blue litmus turn red in lemon juice?", chunks);
    CHECK(a.grounded);
    CHECK(contains(a.answer, "Blue litmus turns red in the lemon juice because lemon juice is an acid."));
    CHECK(contains(a.answer, "(p. 5)"));
    REQUIRE_FALSE(a.sources.empty());
    CHECK(a.sources.size() <= 3);
    CHECK(a.sources.front().chunk_id == 102);
    CHECK(a.sources.front().relevance == doctest::Approx(1.0));
    for (const auto& s : a.sources) {
        CHECK(s.relevance > 0);
        CHECK(s.relevance <= 1.0);
        CHECK(s.manual_title == "Science Activity Book");
        const auto it = std::find_if(chunks.begin(), chunks.end(),
                                     [&](const RetrievedChunk& c) { return c.chunk_id == s.chunk_id; });
        REQUIRE(it != chunks.end());
        CHECK(s.page_start == it->page_start);
        for (const auto& piece : split_excerpt(s.excerpt))
            CHECK(contains(it->text, piece));
    }
    CHECK(a.generation.adapter == "offline-extractive");
    CHECK(a.generation.offline);
    CHECK(a.generation.provider == "shiksha");
    CHECK(a.generation.model == "extractive-v1");

    const auto same = detail::offline_answer("Why does blue litmus turn red in lemon juice?", chunks);
    CHECK(same.answer == a.answer);

    // Pages spanning two: "(pp. 5–6)".
    const auto n = detail::offline_answer("What does neutralise the acid in the stomach?", chunks);
    CHECK(n.grounded);
    CHECK(contains(n.answer, "(pp. 5\u20136)"));
}

TEST_CASE("a question the chunks do not cover is not answered") {
    const auto chunks = acid_chunks();
    const auto a = detail::offline_answer("Who wrote the national anthem of Bangladesh?", chunks);
    CHECK_FALSE(a.grounded);
    CHECK(a.answer == "The manuals do not cover this question.");
    CHECK(a.sources.empty());
    CHECK(a.generation.adapter == "offline-extractive");
    // Only stop words: nothing to match.
    CHECK_FALSE(detail::offline_answer("what is it?", chunks).grounded);
}

// ---- the sample manual, end to end ---------------------------------------------------------------

TEST_CASE("the sample manual's electricity chunks become a module for the tribal cluster") {
    test::PlatformFixture f;
    auto up = f.platform->manuals().upload_file(source_dir / "examples/data/low_cost_science_handbook.pdf",
                                                {"Low-Cost Science Handbook", ""});
    REQUIRE(up);
    REQUIRE(f.platform->manuals().index(up->manual.id));
    // Retrieval as the module engine does it: lexical hits, or vector hits that are close enough.
    auto retrieve = [&](const std::string& query) {
        auto found = f.platform->retrieval().search({.query = query, .manual_ids = {up->manual.id}, .k = 6});
        REQUIRE(found);
        std::vector<RetrievedChunk> chunks;
        for (const auto& h : found->hits) {
            if (!h.bm25 && (!h.vector || *h.vector < 0.25)) continue;
            chunks.push_back({h.chunk_id, h.manual_id, h.manual_title, h.page_start, h.page_end, h.section,
                              h.text, h.fused});
        }
        REQUIRE_FALSE(chunks.empty());
        return chunks;
    };
    const std::string topic = "Electric circuits";
    const auto in = AdaptationInput{tribal(), topic, std::nullopt, "hindi", retrieve(topic)};
    const auto m = detail::offline_adapt(in);
    check_structure(m, in);
    CHECK(first_activity(m).title == "Series and parallel circuits with torch bulbs");
    CHECK(any_contains(first_activity(m).materials, "two torch bulbs"));
    CHECK(std::any_of(m.citations.begin(), m.citations.end(),
                      [](const Citation& c) { return c.page_start == 2; }));
    CHECK(any_contains(m.teaching_tips, "Gondi"));
    CHECK(as_text(m) == as_text(detail::offline_adapt(in)));
    if (const char* out = std::getenv("SHIKSHA_DUMP_MODULE"); out && *out) std::ofstream(out) << as_text(m);

    // Page 3's table is read as rows of words, and answers cite it.
    const auto table = retrieve("turmeric paper red cabbage juice baking soda");
    CHECK(std::any_of(table.begin(), table.end(), [](const RetrievedChunk& c) {
        return c.page_start == 3 && contains(c.text, "Baking soda solution turns red turns blue-green base");
    }));
    const auto answer =
        detail::offline_answer("What colour does turmeric paper turn in soap water?",
                               retrieve("What colour does turmeric paper turn in soap water?"));
    CHECK(answer.grounded);
    CHECK(contains(answer.answer, "(p. 3)"));
}

// ---- shared/corpus -------------------------------------------------------------------------------

namespace {

std::optional<fs::path> corpus_dir() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) candidates.emplace_back(env);
    candidates.emplace_back("/work/shared/corpus");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_directory(c / "pdf", ec)) return c;
    }
    return std::nullopt;
}

/// pdftotext's text of a PDF, pages separated by form feeds; nullopt without pdftotext.
std::optional<std::string> pdftotext(const fs::path& pdf) {
    const auto command = "pdftotext -enc UTF-8 '" + pdf.string() + "' - 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return std::nullopt;
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        text.append(buffer, n);
    if (pclose(pipe) != 0 || text.empty()) return std::nullopt;
    return text;
}

} // namespace

TEST_CASE("an NCERT chapter read with pdftotext adapts into a valid module (shared/corpus)") {
    const auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("SKIPPED: corpus not found (set SHIKSHA_CORPUS_DIR or provide /work/shared/corpus)");
        return;
    }
    const auto text = pdftotext(*corpus / "pdf/ncert_c10_science_ch11_electricity.pdf");
    if (!text) {
        MESSAGE("SKIPPED: pdftotext (poppler-utils) is not installed");
        return;
    }
    // Pages → paragraphs → chunks, as ingestion would cut them.
    std::vector<detail::TextBlock> blocks;
    int page = 1;
    std::size_t start = 0;
    while (start <= text->size()) {
        const auto end = std::min(text->find('\f', start), text->size());
        const auto page_text = std::string_view(*text).substr(start, end - start);
        std::size_t p = 0;
        while (p < page_text.size()) {
            auto gap = page_text.find("\n\n", p);
            if (gap == std::string_view::npos) gap = page_text.size();
            if (auto para = page_text.substr(p, gap - p); !detail::trim(para).empty())
                blocks.push_back({page, "", std::string(para)});
            p = gap + 2;
        }
        ++page;
        if (end == text->size()) break;
        start = end + 1;
    }
    const auto drafts = detail::chunk_blocks(blocks, {});
    REQUIRE(drafts.size() > 10);
    std::vector<RetrievedChunk> all;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        all.push_back({static_cast<std::int64_t>(i + 1), 1, "NCERT Science X, ch. 11", drafts[i].page_start,
                       drafts[i].page_end, drafts[i].section, drafts[i].text, 0});
    }
    // A stand-in for retrieval: the six chunks sharing most words with the topic.
    const std::string topic = "Electric current and circuit";
    const auto terms = detail::content_stems(topic);
    std::vector<std::pair<std::size_t, std::size_t>> ranked;
    for (std::size_t i = 0; i < all.size(); ++i)
        ranked.emplace_back(detail::count_matches(terms, detail::content_stems(all[i].text)), i);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<RetrievedChunk> chunks;
    for (std::size_t i = 0; i < 6 && i < ranked.size(); ++i) {
        chunks.push_back(all[ranked[i].second]);
        chunks.back().score = 1.0 / static_cast<double>(i + 1);
    }
    for (const auto& cluster : {tribal(), urban(), rural()}) {
        CAPTURE(cluster.name);
        const auto in = AdaptationInput{cluster, topic, std::string("10"), "english", chunks};
        const auto m = detail::offline_adapt(in);
        check_structure(m, in);
        CHECK(m.title == "Electric Current and Circuit");
        CHECK(any_contains(m.teaching_tips, "classes 9-10"));
        CHECK(as_text(m) == as_text(detail::offline_adapt(in)));
    }
    const auto answer = detail::offline_answer("What is the SI unit of electric current?", chunks);
    CHECK(answer.grounded);
}
