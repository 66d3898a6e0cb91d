#include "export/compose.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

namespace shiksha::detail {

using pdf::Block;
using pdf::BlockKind;
using pdf::Span;

std::vector<Span> inline_spans(std::string_view text) {
    std::vector<Span> spans;
    bool bold = false;
    while (!text.empty()) {
        const auto marker = text.find("**");
        // A marker opens bold only when a closing one follows.
        const bool toggles = marker != std::string_view::npos &&
                             (bold || text.find("**", marker + 2) != std::string_view::npos);
        if (!toggles) {
            spans.push_back({std::string(text), bold, {}});
            break;
        }
        if (marker > 0) spans.push_back({std::string(text.substr(0, marker)), bold, {}});
        bold = !bold;
        text.remove_prefix(marker + 2);
    }
    return spans;
}

namespace {

class Writer {
public:
    Writer(std::vector<Block>& out, std::string_view language) : out_(out), language_(language) {}

    void add(BlockKind kind, std::string_view text, int number = 0) {
        if (trim(text).empty()) return;
        out_.push_back({kind, inline_spans(trim(text)), number, language_});
    }
    void add(BlockKind kind, std::vector<Span> spans) {
        out_.push_back({kind, std::move(spans), 0, language_});
    }

    /// A section's text: paragraphs split at blank lines; "- " / "* " / "• " lines become
    /// bullets and "1. " lines numbered items, as the LLM writes Markdown lists.
    void body(std::string_view text) {
        std::string paragraph;
        auto flush = [&] {
            add(BlockKind::paragraph, paragraph);
            paragraph.clear();
        };
        for (auto raw : split(text, '\n')) {
            const auto line = trim(raw);
            if (line.empty()) {
                flush();
                continue;
            }
            if (auto item = list_item(line)) {
                flush();
                add(item->number ? BlockKind::numbered : BlockKind::bullet, item->text, item->number);
                continue;
            }
            if (!paragraph.empty()) paragraph += ' ';
            paragraph += line;
        }
        flush();
    }

private:
    struct ListItem {
        std::string_view text;
        int number = 0;
    };
    static std::optional<ListItem> list_item(std::string_view line) {
        for (std::string_view bullet : {"- ", "* ", "• "}) {
            if (line.starts_with(bullet)) return ListItem{line.substr(bullet.size()), 0};
        }
        std::size_t digits = 0;
        while (digits < line.size() && digits < 3 && line[digits] >= '0' && line[digits] <= '9')
            ++digits;
        if (digits > 0 && line.substr(digits).starts_with(". ")) {
            return ListItem{line.substr(digits + 2), std::stoi(std::string(line.substr(0, digits)))};
        }
        return std::nullopt;
    }

    std::vector<Block>& out_;
    std::string language_;
};

/// The parts of a module, each a list of blocks; side-by-side output pairs them up.
struct Parts {
    std::vector<Block> opening; ///< title and summary
    std::vector<std::vector<Block>> sections;
    std::vector<Block> tips;
    std::vector<std::vector<Block>> activities;
    std::vector<Block> assessment;
};

Parts module_parts(const ModuleText& t) {
    const ModuleContent& c = *t.content;
    const MarkdownLabels& labels = *t.labels;
    const std::string_view lang = t.language->key;
    Parts p;
    {
        Writer w(p.opening, lang);
        w.add(BlockKind::heading1, c.title);
        w.body(c.summary);
    }
    for (const auto& s : c.sections) {
        Writer w(p.sections.emplace_back(), lang);
        w.add(BlockKind::heading2, s.heading);
        w.body(s.text);
    }
    if (!c.teaching_tips.empty()) {
        Writer w(p.tips, lang);
        w.add(BlockKind::heading2, labels.teaching_tips);
        for (const auto& tip : c.teaching_tips)
            w.add(BlockKind::bullet, tip);
    }
    for (std::size_t i = 0; i < c.activities.size(); ++i) {
        const auto& a = c.activities[i];
        Writer w(p.activities.emplace_back(), lang);
        if (i == 0) w.add(BlockKind::heading2, labels.activities);
        w.add(BlockKind::heading3,
              a.duration.empty() ? a.title : fmt::format("{} ({})", a.title, a.duration));
        if (!a.materials.empty()) {
            std::string list;
            for (const auto& m : a.materials)
                list += (list.empty() ? "" : "; ") + m;
            w.add(BlockKind::paragraph,
                  std::vector<Span>{{labels.materials + " ", true, {}}, {list, false, {}}});
        }
        int n = 0;
        for (const auto& step : a.steps)
            w.add(BlockKind::numbered, step, ++n);
    }
    if (!c.assessment.empty()) {
        Writer w(p.assessment, lang);
        w.add(BlockKind::heading2, labels.check);
        int n = 0;
        for (const auto& q : c.assessment) {
            w.add(BlockKind::numbered, q.question, ++n);
            if (!q.answer.empty()) w.add(BlockKind::note, fmt::format("{} {}", labels.answer, q.answer));
        }
    }
    return p;
}

void append(std::vector<pdf::Element>& body, std::vector<Block> blocks) {
    for (auto& b : blocks)
        body.emplace_back(std::move(b));
}

void append_sequential(std::vector<pdf::Element>& body, Parts p) {
    append(body, std::move(p.opening));
    for (auto& s : p.sections)
        append(body, std::move(s));
    append(body, std::move(p.tips));
    for (auto& a : p.activities)
        append(body, std::move(a));
    append(body, std::move(p.assessment));
}

/// Pairs part i of one language with part i of the other; a part missing on one side (a
/// translation never drops parts, but stored data may be old) leaves that column empty.
void append_side_by_side(std::vector<pdf::Element>& body, Parts left, Parts right) {
    auto row = [&](std::vector<Block> l, std::vector<Block> r) {
        if (l.empty() && r.empty()) return;
        body.emplace_back(pdf::TwoColumns{std::move(l), std::move(r)});
    };
    auto rows = [&](std::vector<std::vector<Block>>& l, std::vector<std::vector<Block>>& r) {
        for (std::size_t i = 0; i < std::max(l.size(), r.size()); ++i)
            row(i < l.size() ? std::move(l[i]) : std::vector<Block>{},
                i < r.size() ? std::move(r[i]) : std::vector<Block>{});
    };
    row(std::move(left.opening), std::move(right.opening));
    rows(left.sections, right.sections);
    row(std::move(left.tips), std::move(right.tips));
    rows(left.activities, right.activities);
    row(std::move(left.assessment), std::move(right.assessment));
}

std::string page_range(const Citation& c) {
    return c.page_end > c.page_start ? fmt::format("pp. {}–{}", c.page_start, c.page_end)
                                     : fmt::format("p. {}", c.page_start);
}

/// Sources: one linked line per citation (to the manual's page), the excerpt under it when
/// asked for. Citations are the same in every language: they quote the manual.
void append_sources(std::vector<pdf::Element>& body, const ComposeInput& in) {
    const auto& citations = in.module->content.citations;
    const bool excerpts = in.include_original;
    if (citations.empty() && !(excerpts && !in.module->original_content.empty())) return;
    std::string heading = in.primary.labels->sources;
    if (in.english && in.english->labels->sources != heading) heading += " / " + in.english->labels->sources;
    std::vector<Block> blocks;
    Writer out(blocks, in.primary.language->key);
    out.add(BlockKind::heading2, heading);
    Writer en(blocks, "english");
    for (const auto& c : citations) {
        // Without a known public base there is no link: a guessed one would be dead.
        std::optional<std::string> url;
        if (!in.public_url.empty())
            url = fmt::format("{}/api/manuals/{}/file#page={}", in.public_url, c.manual_id, c.page_start);
        const std::string title = c.manual_id == in.module->manual_id && !in.manual_title.empty()
                                      ? in.manual_title
                                      : fmt::format("Manual {}", c.manual_id);
        en.add(BlockKind::bullet,
               std::vector<Span>{{fmt::format("{}, {}", title, page_range(c)), false, url}});
        if (excerpts) en.add(BlockKind::note, c.excerpt);
    }
    if (excerpts && citations.empty()) en.body(in.module->original_content);
    append(body, std::move(blocks));
}

/// Teaching videos: one linked line each (title, length). Titles are printed as their
/// channels wrote them, so the section is set as English text whatever the module's language.
void append_videos(std::vector<pdf::Element>& body, const ComposeInput& in) {
    if (in.videos.empty()) return;
    std::vector<Block> blocks;
    Writer en(blocks, "english");
    en.add(BlockKind::heading2, "Teaching videos");
    for (const auto& v : in.videos) {
        const std::string text = v.duration.empty() ? v.title : fmt::format("{} ({})", v.title, v.duration);
        en.add(BlockKind::bullet, std::vector<Span>{{text, false, v.url}});
    }
    append(body, std::move(blocks));
}

} // namespace

pdf::Document compose_module(const ComposeInput& in) {
    pdf::Document doc;
    doc.page_size = in.page_size;
    doc.title = in.primary.content->title;
    doc.language = std::string(in.primary.language->key);
    doc.header_left = in.primary.content->title;
    doc.header_center = in.cluster_name;
    const std::string stamp = format_timestamp(in.generated_at);
    doc.header_right = stamp.substr(0, 10);
    doc.footer_left =
        fmt::format("Generated by Shiksha-Setu · {} {} UTC", stamp.substr(0, 10), stamp.substr(11, 5));

    if (!in.english) {
        append_sequential(doc.body, module_parts(in.primary));
    } else if (in.side_by_side) {
        append_side_by_side(doc.body, module_parts(*in.english), module_parts(in.primary));
    } else {
        append_sequential(doc.body, module_parts(in.primary));
        doc.body.emplace_back(pdf::PageBreak{});
        append_sequential(doc.body, module_parts(*in.english));
    }
    append_videos(doc.body, in);
    append_sources(doc.body, in);
    return doc;
}

} // namespace shiksha::detail
