// Splitting text for machine translation and putting it back (translation/segmenter.hpp):
// the exact round trip over hand-written and generated inputs, Markdown that survives a fake
// translation, sentences and the size limit, glossary placeholders and the memory key. The
// FLORES sample is read at run time (SHIKSHA_CORPUS_DIR, else /work/shared/corpus) and skipped
// with a message when absent; no corpus text is copied here.
#include "translation/segmenter.hpp"

#include "core/text.hpp"
#include "ingest/text.hpp"
#include "ingest/text_unicode.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace shiksha;
using namespace shiksha::detail;
namespace fs = std::filesystem;

namespace {

std::string joined(const SegmentPlan& plan) {
    std::string out;
    for (const auto& p : plan.parts)
        out += p.text;
    return out;
}

bool starts_or_ends_with_space(std::string_view s) {
    std::size_t i = 0;
    if (unicode::is_space(unicode::next_code_point(s, i))) return true;
    std::size_t last = s.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(s[last]) & 0xC0) == 0x80)
        --last;
    return unicode::is_space(unicode::next_code_point(s, last));
}

/// Plans `text` and checks every invariant the header promises; returns the plan.
SegmentPlan checked_plan(std::string_view text, std::size_t max_code_points = 4500) {
    const auto plan = plan_segments(text, max_code_points);
    REQUIRE(joined(plan) == text);
    for (std::size_t i = 0; i < plan.parts.size(); ++i) {
        const auto& p = plan.parts[i];
        CHECK_FALSE(p.text.empty());
        if (i > 0 && !p.translate) CHECK(plan.parts[i - 1].translate); // literal parts are merged
        if (!p.translate) continue;
        INFO("segment: ", p.text);
        CHECK(valid_utf8(p.text));
        CHECK(utf8_length(p.text) <= std::max<std::size_t>(1, max_code_points));
        CHECK_FALSE(starts_or_ends_with_space(p.text));
        CHECK(p.text.find('\n') == std::string::npos);
        CHECK(p.text.find('\r') == std::string::npos);
    }
    return plan;
}

std::string ascii_upper(std::string s) {
    for (auto& c : s)
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return s;
}

/// Reassembles with every segment upper-cased (the "translation").
std::string upper_translation(const SegmentPlan& plan) {
    std::vector<std::string> translations;
    for (auto& s : plan.segments())
        translations.push_back(ascii_upper(s));
    auto out = reassemble(plan, translations);
    REQUIRE(out.has_value());
    return *out;
}

std::vector<std::string> segments_of(std::string_view text, std::size_t max_code_points = 4500) {
    return checked_plan(text, max_code_points).segments();
}

std::optional<fs::path> corpus_dir() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("SHIKSHA_CORPUS_DIR"); env && *env) candidates.emplace_back(env);
    candidates.emplace_back("/work/shared/corpus");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_directory(c / "parallel/flores200_dev_first100", ec)) return c;
    }
    return std::nullopt;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<std::string> hand_written = {
    "",
    "\n",
    "\n\n\n",
    " ",
    "\t \t",
    "\r\n",
    "Hello.",
    "Hello world",
    "  Hello world.  ",
    "Hello world.\n",
    "Hello world.\r\nSecond line.\r\n",
    "First sentence. Second sentence!  Third?\tFourth.",
    "Trailing spaces   \nand tabs\t\t\n\n\n   indented line\n",
    "# Heading\n\n## Sub heading\n### \n#",
    "#NoSpace heading",
    "- one\n* two\n+ three\n• चार\n-\n- \n-- not a bullet\n---\n***\n___\n",
    "1. First\n2) Second\n10. Tenth\n(a) Letter\n(iv) Roman\nb) Also\niv. Roman dot\n१. देवनागरी",
    "> quoted text\n>> nested quote\n> - quoted bullet",
    "- [ ] todo item\n- [x] done item",
    "| a | b |\n|---|:---:|\n| cell one | cell two |\n|x|y|\n| unterminated",
    "| code `a|b` here | esc \\| pipe |",
    "**Note:** Keep groups small.",
    "**Bold whole line**",
    "**Bold one. Bold two.**",
    "Normal one. **Bold two.** Normal three.",
    "Students must **always** wear goggles.",
    "*Italic*: after",
    "**Term** – the meaning",
    "__underscored__ and ~~struck~~",
    "Run `pip install x` first.",
    "Visit https://diksha.gov.in/explore?x=1. Then go.",
    "See (https://example.org/a_(b)) and www.ncert.nic.in, too.",
    "A [link text](https://example.org \"title\") and ![image](img.png) here.",
    "Use <br> or </b> or <span class=\"x\">tags</span> <https://x.org>.",
    "2020",
    "3.14159",
    "१२३४",
    "...",
    "!!! ??? ---",
    "(1)",
    "₹500",
    "वह स्कूल जाता है। वह पढ़ता है॥ फिर खेलता है।",
    "Dr. Rao teaches Class 5. He uses Fig. 2 and e.g. charts.",
    "```\ncode block. Not translated.\n```\nAfter the block.",
    "~~~python\nprint('x')\n~~~\nText.",
    "```markdown\n# Module\nText.\n```",
    "```inline code``` is not a fence",
    "\xEF\xBB\xBF"
    "BOM at the start.",
    "bad \xFF\xFE bytes in the middle. And \xC3 truncated",
    "\xE0\xA4",
    "\x80\x80\x80",
    "nul\x01 and \x7F controls",
    "old\rmac\rbreaks",
    "vertical\x0Btab and form\x0C"
    "feed",
    "line\xE2\x80\xA8separator",
    "nbsp\u00A0inside and\u00A0\u00A0at end\u00A0",
    "a\u0301\u0301\u0301 combining",
    "emoji 👩‍👩‍👧 family",
    "* * *",
    "**",
    "*",
    "`",
    "``",
    "[",
    "](",
    "[a](",
    "<",
    "<a",
    "www.",
    "http://",
    "⟦1⟧ existing placeholder",
};

} // namespace

// ================================================================================================
TEST_SUITE("segmenter") {

    TEST_CASE("concatenating the parts gives every hand-written input back, byte for byte") {
        for (const auto& text : hand_written) {
            INFO("input: ", text);
            for (const std::size_t max : {4500, 40, 7, 3, 1, 0}) {
                INFO("max: ", max);
                (void)checked_plan(text, max);
            }
        }
    }

    TEST_CASE("generated mixes of markers, sentences, Devanagari, CRLF and whitespace round-trip") {
        const std::array<std::string_view, 48> pieces = {
            "Hello",    " world", ".",    "? ",       "! ",       "।",   "॥",        " ",
            "  ",       "\t",     "\n",   "\r\n",     "\n\n",     "# ",  "## ",      "- ",
            "* ",       "• ",     "1. ",  "2) ",      "(a) ",     "> ",  "| ",       " |",
            "**",       "*",      "_",    "__",       "~~",       "`",   "```",      "https://x.org/a?b=c",
            "www.y.in", "[t](u)", "<br>", "e.g. ",    "Dr. ",     "3.5", "बच्चे",      " स्कूल जाते हैं",
            "क्षि",      "\u0301", "\xFF", "\xE0\xA4", "\xC2\xA0", "⟦1⟧", "NEP 2020", "\x01"};
        std::mt19937 rng(20240611);
        std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
        std::uniform_int_distribution<int> length(0, 40);
        const std::array<std::size_t, 5> limits = {4500, 30, 8, 2, 1};
        for (int n = 0; n < 3000; ++n) {
            std::string text;
            for (int k = length(rng); k > 0; --k)
                text += pieces[pick(rng)];
            INFO("input #", n, ": ", text);
            const auto plan = checked_plan(text, limits[static_cast<std::size_t>(n) % limits.size()]);
            // Upper-casing every segment changes nothing but letters inside segments.
            const auto out = upper_translation(plan);
            REQUIRE(out.size() == text.size());
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (out[i] != text[i]) REQUIRE(ascii_upper(std::string(1, text[i]))[0] == out[i]);
            }
        }
    }

    TEST_CASE("an upper-case fake translation keeps every marker, newline and literal byte-identical") {
        const std::string text = "# Module 3: Water\r\n\r\n"
                                 "1. Fill the *glass*.  \r\n"
                                 "- **Note:** Use `cold water` from https://example.org/tap.\r\n"
                                 "| Step | Time |\r\n|---|---|\r\n| Pour water | 5 min |\r\n"
                                 "\t(a) Observe.\n";
        const auto out = upper_translation(checked_plan(text));
        CHECK(out == "# MODULE 3: WATER\r\n\r\n"
                     "1. FILL THE *GLASS*.  \r\n"
                     "- **NOTE:** USE `cold water` FROM https://example.org/tap.\r\n"
                     "| STEP | TIME |\r\n|---|---|\r\n| POUR WATER | 5 MIN |\r\n"
                     "\t(a) OBSERVE.\n");
    }

    TEST_CASE("a module in Markdown keeps headings, numbers, bullets, bold and tables") {
        const std::string module = "# Module 3: Group Work in Class 5\n"
                                   "\n"
                                   "## Objectives\n"
                                   "1. Students learn to share ideas.\n"
                                   "2) Teachers use think-pair-share.\n"
                                   "\n"
                                   "- **Note:** Keep groups small. Rotate roles every week.\n"
                                   "* Use the `timer` app at https://example.org/timer.\n"
                                   "• बच्चों को समूह में बैठाएँ।\n"
                                   "\n"
                                   "| Activity | Time |\n"
                                   "|---|---|\n"
                                   "| Warm-up game | 10 min |\n"
                                   "\n"
                                   "Total: 45\n"
                                   "45\n";
        const auto plan = checked_plan(module);
        const std::vector<std::string> expected = {"Module 3: Group Work in Class 5",
                                                   "Objectives",
                                                   "Students learn to share ideas.",
                                                   "Teachers use think-pair-share.",
                                                   "Note:",
                                                   "Keep groups small.",
                                                   "Rotate roles every week.",
                                                   "Use the",
                                                   "app at",
                                                   "बच्चों को समूह में बैठाएँ।",
                                                   "Activity",
                                                   "Time",
                                                   "Warm-up game",
                                                   "10 min",
                                                   "Total: 45"};
        CHECK(plan.segments() == expected);

        std::vector<std::string> hindi;
        for (std::size_t i = 0; i < expected.size(); ++i)
            hindi.push_back("अनुवाद" + std::to_string(i));
        const auto out = reassemble(plan, hindi);
        REQUIRE(out.has_value());
        CHECK(*out == "# अनुवाद0\n"
                      "\n"
                      "## अनुवाद1\n"
                      "1. अनुवाद2\n"
                      "2) अनुवाद3\n"
                      "\n"
                      "- **अनुवाद4** अनुवाद5 अनुवाद6\n"
                      "* अनुवाद7 `timer` अनुवाद8 https://example.org/timer.\n"
                      "• अनुवाद9\n"
                      "\n"
                      "| अनुवाद10 | अनुवाद11 |\n"
                      "|---|---|\n"
                      "| अनुवाद12 | अनुवाद13 |\n"
                      "\n"
                      "अनुवाद14\n"
                      "45\n");
    }

    TEST_CASE("sentences end at . ? ! । ॥ but not after abbreviations, initials or decimals") {
        CHECK(segments_of("वह स्कूल जाता है। वह पढ़ता है॥ फिर खेलता है") ==
              std::vector<std::string>{"वह स्कूल जाता है।", "वह पढ़ता है॥", "फिर खेलता है"});
        CHECK(segments_of("वह गया।वह आया।") == std::vector<std::string>{"वह गया।", "वह आया।"});
        CHECK(segments_of("Dr. Rao teaches Class 5. See Fig. 2 and e.g. the chart. It costs 2.5 rupees!") ==
              std::vector<std::string>{"Dr. Rao teaches Class 5.", "See Fig. 2 and e.g. the chart.",
                                       "It costs 2.5 rupees!"});
        CHECK(segments_of("Why? Because.  Done") == std::vector<std::string>{"Why?", "Because.", "Done"});
    }

    TEST_CASE("whitespace between sentences and around lines is literal") {
        const auto plan = checked_plan("  One.   Two.\t\r\n");
        REQUIRE(plan.parts.size() == 5);
        CHECK(plan.parts[0].text == "  ");
        CHECK(plan.parts[1].text == "One.");
        CHECK(plan.parts[2].text == "   ");
        CHECK(plan.parts[3].text == "Two.");
        CHECK(plan.parts[4].text == "\t\r\n");
        CHECK_FALSE(plan.parts[4].translate);
    }

    TEST_CASE("numbers, punctuation and symbols alone are never sent for translation") {
        for (const char* text :
             {"2020", "3.14", "१२३४", "...", "---", "!!! ???", "(1)", "₹500", "* * *", "|---|"}) {
            INFO(text);
            CHECK(segments_of(text).empty());
        }
    }

    TEST_CASE("inline code, URLs, links' targets and HTML tags stay literal") {
        CHECK(segments_of("Run `pip install x` now.") == std::vector<std::string>{"Run", "now."});
        CHECK(segments_of("Visit https://diksha.gov.in/explore?x=1. Then go.") ==
              std::vector<std::string>{"Visit", "Then go."});
        // Trailing punctuation is not part of a URL; a ')' is when the URL opened it.
        CHECK(segments_of("See www.ncert.nic.in, and (https://x.org/a_(b)) too") ==
              std::vector<std::string>{"See", ", and (", ") too"});
        CHECK(segments_of("Read [the guide](https://x.org/guide) first.") ==
              std::vector<std::string>{"Read", "the guide", "first."});
        CHECK(segments_of("Line<br>break and <b>bold</b>.") ==
              std::vector<std::string>{"Line", "break and", "bold"});
        const auto out =
            upper_translation(checked_plan("See www.ncert.nic.in, and (https://x.org/a_(b)) too"));
        CHECK(out == "SEE www.ncert.nic.in, AND (https://x.org/a_(b)) TOO");
    }

    TEST_CASE("emphasis markers around a translatable span are literal, inside a sentence they stay") {
        CHECK(segments_of("**Note:** Keep it.") == std::vector<std::string>{"Note:", "Keep it."});
        CHECK(segments_of("**Step 1**: Take a glass.") ==
              std::vector<std::string>{"Step 1", "Take a glass."});
        CHECK(segments_of("**Term** – the meaning") == std::vector<std::string>{"Term", "the meaning"});
        CHECK(segments_of("**Bold one. Bold two.**") == std::vector<std::string>{"Bold one.", "Bold two."});
        CHECK(segments_of("Students must **always** wear goggles.") ==
              std::vector<std::string>{"Students must **always** wear goggles."});
        CHECK(segments_of("**Students** wash hands.") ==
              std::vector<std::string>{"**Students** wash hands."});
        CHECK(segments_of("_Italic whole line_") == std::vector<std::string>{"Italic whole line"});
    }

    TEST_CASE("fenced code blocks are literal; a ```markdown wrapper is not code") {
        CHECK(segments_of("```\nNot translated.\n```\nAfter.") == std::vector<std::string>{"After."});
        CHECK(segments_of("~~~~\nx.\n~~~\nstill code\n~~~~\nOut.") == std::vector<std::string>{"Out."});
        CHECK(segments_of("```markdown\n# Module\nText.\n```") ==
              std::vector<std::string>{"Module", "Text."});
        CHECK(segments_of("```inline``` code") == std::vector<std::string>{"code"});
    }

    TEST_CASE("ill-formed UTF-8, control characters and a BOM are cut out as literal bytes") {
        CHECK(segments_of("\xEF\xBB\xBFHello.") == std::vector<std::string>{"Hello."});
        CHECK(segments_of("bad \xFF bytes. And \xC3") == std::vector<std::string>{"bad", "bytes.", "And"});
        CHECK(segments_of("nul\x01here") == std::vector<std::string>{"nul", "here"});
        CHECK(segments_of("real \xEF\xBF\xBD char") == std::vector<std::string>{"real \xEF\xBF\xBD char"});
        CHECK(segments_of("old\rmac") == std::vector<std::string>{"old", "mac"});
    }

    TEST_CASE("a long sentence is split at spaces into segments within the limit") {
        std::string sentence;
        for (int i = 0; i < 400; ++i)
            sentence += (i % 7 == 6 ? "word, " : "word ");
        sentence += "end.";
        const auto plan = checked_plan(sentence, 50);
        std::size_t offset = 0;
        std::size_t segments = 0;
        for (const auto& p : plan.parts) {
            if (p.translate) {
                ++segments;
                CHECK(utf8_length(p.text) <= 50);
                // Cut only at spaces: the byte before and after a segment is a space (or the edge).
                if (offset > 0) CHECK(sentence[offset - 1] == ' ');
                const std::size_t end = offset + p.text.size();
                if (end < sentence.size()) CHECK(sentence[end] == ' ');
            }
            offset += p.text.size();
        }
        CHECK(segments >= sentence.size() / 50);
        CHECK(segments <= sentence.size() / 25 + 1); // greedy packing, clause ends preferred
        // With a big limit it is one segment.
        CHECK(segments_of(sentence).size() == 1);
    }

    TEST_CASE("a cut prefers to follow a comma when that fills at least half the limit") {
        const auto segs = segments_of("aaaa bbbb, cccc dddd eeee ffff", 18);
        CHECK(segs == std::vector<std::string>{"aaaa bbbb,", "cccc dddd eeee", "ffff"});
    }

    TEST_CASE("Devanagari with no spaces is split at grapheme cluster boundaries only") {
        std::string text;
        for (int i = 0; i < 50; ++i)
            text += "क्षि"; // one cluster, four code points
        text += "।";
        const auto plan = checked_plan(text, 10);
        const auto bounds = grapheme_boundaries(text);
        std::size_t offset = 0;
        for (const auto& p : plan.parts) {
            CHECK(std::binary_search(bounds.begin(), bounds.end(), offset));
            offset += p.text.size();
            if (p.translate) CHECK(utf8_length(p.text) <= 10);
        }
        CHECK(plan.segments().front() == "क्षिक्षि");
    }

    TEST_CASE("a grapheme cluster longer than the limit stays literal rather than being cut") {
        std::string zalgo = "a";
        for (int i = 0; i < 20; ++i)
            zalgo += "\u0301";
        const auto plan = checked_plan("ok " + zalgo + " ok", 5);
        CHECK(plan.segments() == std::vector<std::string>{"ok", "ok"});
    }

    TEST_CASE("reassemble puts translations back and refuses a wrong count") {
        const auto plan = checked_plan("- One.\n- Two.");
        const auto out = reassemble(plan, {"एक।", "दो।"});
        REQUIRE(out.has_value());
        CHECK(*out == "- एक।\n- दो।");
        const auto bad = reassemble(plan, {"एक।"});
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == ErrorCode::invalid_argument);
        CHECK(bad.error().field == "translations");
        CHECK(reassemble(checked_plan(""), {}).value() == "");
    }

    TEST_CASE("every line of the FLORES sample round-trips and reassembles with upper-casing") {
        const auto corpus = corpus_dir();
        if (!corpus) {
            MESSAGE("SKIPPED: corpus not found (set SHIKSHA_CORPUS_DIR or provide /work/shared/corpus)");
            return;
        }
        std::size_t files = 0, lines = 0, segments = 0;
        for (const auto& entry : fs::directory_iterator(*corpus / "parallel/flores200_dev_first100")) {
            if (!entry.is_regular_file()) continue;
            ++files;
            const std::string content = read_file(entry.path());
            INFO("file: ", entry.path().filename().string());
            (void)checked_plan(content, 200);
            std::size_t start = 0;
            while (start < content.size()) {
                std::size_t nl = content.find('\n', start);
                if (nl == std::string::npos) nl = content.size();
                const std::string_view line(content.data() + start, nl - start);
                const auto plan = checked_plan(line);
                segments += plan.segments().size();
                const auto out = upper_translation(plan);
                CHECK(out.size() == line.size());
                ++lines;
                start = nl + 1;
            }
        }
        MESSAGE("FLORES: ", files, " files, ", lines, " lines, ", segments, " segments");
        CHECK(files > 0);
        CHECK(lines >= files * 100);
    }
}

// ================================================================================================
TEST_SUITE("glossary") {

    const std::vector<GlossaryTerm> glossary = {
        {"NEP 2020", ""},
        {"think-pair-share", "सोचो-जोड़ी बनाओ-साझा करो"},
        {"Samagra Shiksha", ""},
        {"Shiksha", "शिक्षा"},
    };

    TEST_CASE("terms become numbered placeholders and come back in an English to Hindi translation") {
        const auto p = protect_terms("Under NEP 2020, teachers use think-pair-share daily.", glossary);
        CHECK(p.text == "Under ⟦1⟧, teachers use ⟦2⟧ daily.");
        CHECK(p.restore == std::vector<std::string>{"NEP 2020", "सोचो-जोड़ी बनाओ-साझा करो"});
        const auto out = restore_terms("⟦1⟧ के तहत, शिक्षक रोज़ ⟦2⟧ का उपयोग करते हैं।", p);
        REQUIRE(out.has_value());
        CHECK(*out == "NEP 2020 के तहत, शिक्षक रोज़ सोचो-जोड़ी बनाओ-साझा करो का उपयोग करते हैं।");
    }

    TEST_CASE("matching ignores case and keep-mode restores the source's own casing") {
        const auto p = protect_terms("Try Think-Pair-Share under nep 2020.", glossary);
        CHECK(p.text == "Try ⟦1⟧ under ⟦2⟧.");
        CHECK(p.restore == std::vector<std::string>{"सोचो-जोड़ी बनाओ-साझा करो", "nep 2020"});
        const auto u = protect_terms("ÉCOLE and école", {{"école", ""}});
        CHECK(u.restore == std::vector<std::string>{"ÉCOLE", "école"});
    }

    TEST_CASE("longest terms win, matches are whole words, and a repeated term gets two placeholders") {
        const auto p = protect_terms(
            "Samagra Shiksha funds Shiksha; Shikshak and NEPAL do not match. Shiksha.", glossary);
        CHECK(p.text == "⟦1⟧ funds ⟦2⟧; Shikshak and NEPAL do not match. ⟦3⟧.");
        CHECK(p.restore == std::vector<std::string>{"Samagra Shiksha", "शिक्षा", "शिक्षा"});
        const auto out = restore_terms("⟦1⟧ ⟦2⟧ को धन देता है। ⟦3⟧।", p);
        REQUIRE(out.has_value());
        CHECK(*out == "Samagra Shiksha शिक्षा को धन देता है। शिक्षा।");
    }

    TEST_CASE("multi-word terms match across any run of whitespace") {
        const auto p = protect_terms("Samagra\u00A0 Shiksha and NEP\t2020", glossary);
        CHECK(p.text == "⟦1⟧ and ⟦2⟧");
        CHECK(p.restore == std::vector<std::string>{"Samagra\u00A0 Shiksha", "NEP\t2020"});
    }

    TEST_CASE("Indic terms match exactly after NFC and never inside a longer word or cluster") {
        // U+0958 (क़) is excluded from composition: NFC turns it into क + nukta, so both
        // spellings of the term and the text meet in one form.
        const std::vector<GlossaryTerm> hindi = {{"क़लम", "pen"}, {"कक्षा", ""}};
        const auto p = protect_terms("\u0958लम और क\u093Cलम, कक्षाओं में कक्षा", hindi);
        CHECK(p.text == "⟦1⟧ और ⟦2⟧, कक्षाओं में ⟦3⟧");
        CHECK(p.restore == std::vector<std::string>{"pen", "pen", "कक्षा"});
    }

    TEST_CASE("a missing or duplicated placeholder is unavailable and names it") {
        const auto p = protect_terms("NEP 2020 and think-pair-share.", glossary);
        REQUIRE(p.restore.size() == 2);
        const auto missing = restore_terms("⟦1⟧ और।", p);
        REQUIRE_FALSE(missing.has_value());
        CHECK(missing.error().code == ErrorCode::unavailable);
        CHECK(missing.error().message.find("⟦2⟧") != std::string::npos);
        const auto twice = restore_terms("⟦1⟧ ⟦2⟧ ⟦2⟧", p);
        REQUIRE_FALSE(twice.has_value());
        CHECK(twice.error().code == ErrorCode::unavailable);
        CHECK(twice.error().message.find("⟦2⟧") != std::string::npos);
        // Other bracket styles are not placeholders.
        const auto square = restore_terms("[[1]] और [[2]]", p);
        REQUIRE_FALSE(square.has_value());
        CHECK(square.error().message.find("⟦1⟧") != std::string::npos);
    }

    TEST_CASE("spaces inside the brackets and full-width or native digits are tolerated") {
        const auto p = protect_terms("NEP 2020 and think-pair-share.", glossary);
        const auto out = restore_terms("⟦ 1 ⟧ और ⟦２⟧ ।", p);
        REQUIRE(out.has_value());
        CHECK(*out == "NEP 2020 और सोचो-जोड़ी बनाओ-साझा करो ।");
        const auto deva = restore_terms("⟦१⟧ और  ⟦\u00A02⟧", p);
        REQUIRE(deva.has_value());
        CHECK(*deva == "NEP 2020 और  सोचो-जोड़ी बनाओ-साझा करो");
    }

    TEST_CASE("without terms the text is unchanged and restore is the identity") {
        const auto p = protect_terms("Nothing here.", glossary);
        CHECK(p.text == "Nothing here.");
        CHECK(p.restore.empty());
        CHECK(restore_terms("कुछ नहीं ⟦1⟧", p).value() == "कुछ नहीं ⟦1⟧");
        CHECK(protect_terms("x", {{"", "y"}, {"   ", ""}}).text == "x");
    }

    TEST_CASE("terms inside a placeholder-like sequence already in the text are left alone") {
        const auto p = protect_terms("⟦12⟧ and 12", {{"12", ""}});
        CHECK(p.text == "⟦12⟧ and ⟦1⟧");
        CHECK(p.restore == std::vector<std::string>{"12"});
        // The pre-existing ⟦12⟧ is beyond the placeholders in use, so it passes through.
        CHECK(restore_terms("⟦12⟧ और ⟦1⟧", p).value() == "⟦12⟧ और 12");
    }
}

// ================================================================================================
TEST_SUITE("memory key") {

    TEST_CASE("memory_key_text is NFC with whitespace collapsed and trimmed") {
        CHECK(memory_key_text("  Hello \t\n  world \u00A0") == "Hello world");
        CHECK(memory_key_text("क\u093C") == memory_key_text("\u0958"));
        CHECK(memory_key_text("e\u0301") == "\u00E9");
        CHECK(memory_key_text("") == "");
        CHECK(memory_key_text(" \n ") == "");
    }
}
