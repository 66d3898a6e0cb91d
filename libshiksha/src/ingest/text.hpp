#pragma once
// Text processing for ingestion (internal): Unicode normalisation and segmentation (ICU),
// page clean-up, running-header removal, text-layer quality checks, language detection,
// section headings, sentence splitting, token counting and chunking. Pure functions: no I/O,
// thread-safe.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::detail {

// ---- Unicode ------------------------------------------------------------------------------

/// NFC. ZWJ (U+200D) and ZWNJ (U+200C) are kept: they change how Indic text renders.
/// Invalid UTF-8 sequences become U+FFFD.
[[nodiscard]] std::string to_nfc(std::string_view utf8);

/// Byte offsets where extended grapheme clusters start, plus text.size() at the end.
/// "क्षि" is one cluster: a split may only happen at these offsets.
[[nodiscard]] std::vector<std::size_t> grapheme_boundaries(std::string_view utf8);

// ---- Pages as the PDF reader sees them -----------------------------------------------------

/// One line of text on a page, in reading order, with the layout facts headings need.
struct TextLine {
    std::string text;
    double font_size = 0;    ///< points; 0 when unknown (OCR)
    bool bold = false;       ///< font name says Bold/Black/Heavy/Semibold
    bool gap_before = false; ///< the reader saw a paragraph gap above this line (page_text keeps it)
    // Where the line sits on the page (points from the top-left corner; all 0 when unknown, as
    // for OCR): running headers are recognised by their place as much as by their text.
    double top = 0, bottom = 0, left = 0, right = 0;
    bool rotated = false; ///< set sideways (a running title up the margin, a rotated label)
};

struct PageContent {
    int number = 0; ///< 1-based
    std::vector<TextLine> lines;
    std::vector<std::string> fonts; ///< base font names used on the page
};

/// Normalises each line in place: NFC, layout whitespace (runs of spaces, tabs, NBSP and the
/// other Unicode spaces) collapsed to one space, soft hyphens (U+00AD) removed, trimmed; empty
/// lines dropped (the next line gets `gap_before`). Then joins words split by a line-end hyphen
/// ("learn-" + "ing …" → "learning …", the two lines become one) when the next line starts with
/// a lower-case letter (after a line-end soft hyphen: with any letter) and no gap lies between;
/// "self-" + "Esteem" and "2-" + "3" stay as they are. A line's own '\n' breaks are kept.
void clean_page(PageContent& page);

/// Drops running headers and footers (page furniture): lines whose text, with digits and roman
/// numerals masked (so "Page 3" and "Page 4" match), repeats on at least `min_fraction` of the
/// pages (and on at least 3 pages) when they are among the first or last `edge_lines` of a
/// page or set sideways; and lines repeated at the same height of the page (±2 pt) on at least
/// 30 % of the pages (and 3), wherever reading order put them (a book title printed on every
/// even page, a chapter title up the margin, the page number). Returns lines removed; the
/// distinct running titles (removed lines with two letters or more, as printed on their first
/// page) are appended to `titles` when it is given.
std::size_t remove_running_headers(std::vector<PageContent>& pages, double min_fraction = 0.5,
                                   std::size_t edge_lines = 3, std::vector<std::string>* titles = nullptr);

/// The page's lines joined into text: one line per line, a blank line between paragraphs
/// where the reader saw a gap (the caller may pass "\n" joined lines as they are). A gap is a
/// line with `gap_before`, an empty line, or a change of type (size differing by ≥ 15 % or
/// bold on/off), which is where a heading meets body text.
[[nodiscard]] std::string page_text(const PageContent& page);

// ---- Is the text layer worth indexing? -----------------------------------------------------

enum class TextVerdict {
    readable,       ///< index it
    empty,          ///< no (or almost no) text: needs OCR
    legacy_font,    ///< Hindi etc. set in a non-Unicode font (Kruti Dev, Shree-Dev...): mojibake
    broken_unicode, ///< Indic text whose extraction lost conjuncts or misordered vowel signs
    garbage,        ///< not plausible text in any script
};

struct TextQuality {
    TextVerdict verdict = TextVerdict::readable;
    std::string reason; ///< one sentence for the per-page report ("font Kruti Dev 010 is a legacy…")
    std::string script; ///< dominant script: "Latin", "Devanagari", "Bengali", ... or "" when none
    double score = 1.0; ///< 0..1 plausibility that fed the verdict (0.5 at the deciding threshold)
};

/// Judges one page: font names first (known legacy Indic fonts: Kruti Dev, DevLys, Shree-Dev,
/// Chanakya, Walkman-Chanakya, Agra, APS-DV, Krishna, Shusha…), then script statistics
/// (letters per Unicode block), Latin word plausibility (vowels, symbol density inside words,
/// a small built-in list of common English words), and Indic orthography (dependent vowel
/// signs or viramas with no consonant before them, virama density far below normal text).
/// A page that mixes a readable English part with mojibake Hindi is `legacy_font` when the
/// mojibake is a substantial share (the Hindi must be OCRed). A legacy font named on a page
/// whose text is Unicode Indic, or clean English, does not decide alone. Thresholds and their
/// calibration on shared/corpus are documented in text_quality.cpp.
[[nodiscard]] TextQuality assess_text_quality(std::string_view text, std::span<const std::string> font_names);

[[nodiscard]] const char* to_string(TextVerdict verdict) noexcept;

/// The API contract's language names (§4/§6): "english", "hindi", "marathi", "bengali",
/// "telugu", "tamil", "gujarati", "kannada", "malayalam", "punjabi", "urdu", "odia", or ""
/// when the text has too few letters (fewer than 2) or is in no script of the twelve. By
/// script share of words (code-mixed "इस chapter में" is Hindi); Devanagari is split into
/// Hindi and Marathi by marker words (Marathi: आहे, आणि, च्या, नाही, करा...); Bengali
/// script → bengali (Assamese is not among the twelve).
[[nodiscard]] std::string detect_language(std::string_view text);

// ---- Sections -------------------------------------------------------------------------------

/// The most common font size over the document's lines, weighted by characters.
[[nodiscard]] double body_font_size(std::span<const PageContent> pages);

/// A heading is a short line (≤ 12 words, not ending in '.', ',' or '।') that is either numbered
/// ("2.3 Activities", "Chapter 4", "अध्याय 2", "UNIT III"), ALL CAPS (≥ 2 letters words,
/// Latin), or set noticeably larger (≥ 1.15 × body) or bold at body size or above.
/// Returns the heading level: 1 for chapters/large type, 2 for "2.3"-style and bold, 0 for none.
[[nodiscard]] int heading_level(const TextLine& line, double body_font_size);

// ---- Sentences, tokens and chunks -----------------------------------------------------------

/// Sentences with their ends kept: '.', '?', '!', '।' (U+0964), '॥' (U+0965), the Urdu '۔' and
/// '؟', and newlines that end paragraphs (a blank line). Abbreviations like "e.g.", "Dr.",
/// "Fig. 2", "2.3", "U.S.", list numbers at a line start ("1. Take…") and a '.' followed by a
/// lower-case word do not end one. Views into `text`, trimmed of surrounding whitespace.
[[nodiscard]] std::vector<std::string_view> split_sentences(std::string_view text);

/// Tokens as the budget counts them: a word of Latin letters or digits is one token per
/// (started) 6 characters; a word in an Indic or other non-Latin script one token per (started)
/// 3 grapheme clusters; punctuation runs count one. A stable, model-independent estimate.
[[nodiscard]] std::size_t count_tokens(std::string_view text);

/// A run of text from one page under one section (a paragraph, or what the reader gives).
struct TextBlock {
    int page = 0;
    std::string section;
    std::string text;
};

struct ChunkOptions {
    std::size_t max_tokens = 300;
    double overlap = 0.15; ///< share of max_tokens repeated from the previous chunk (whole sentences)
    /// A chunk shorter than this (characters or words) does not end at a new section: the next
    /// section's text joins it, so a box of two lines or a short exercise is not a fragment.
    std::size_t min_chars = 200;
    std::size_t min_words = 40;
};

/// The version of what ingestion produces from a PDF's pages (line building, furniture,
/// headings, chunking). Stored per manual when it is indexed; manuals indexed by an older
/// version are re-chunked by a job at open. Bump it whenever chunks would come out different.
/// 1: lines in poppler's word order. 2: layout-aware lines (letter-spaced and rotated type
/// rebuilt, furniture by position), headings as sections only, short chunks merged.
inline constexpr int chunker_version = 2;

struct ChunkDraft {
    std::string text;
    int page_start = 0;
    int page_end = 0;
    std::string section; ///< the chunk's section; sections merged into one chunk are joined by "; "
    std::size_t tokens = 0;
};

/// Packs sentences into chunks of at most max_tokens; the next chunk starts with the last
/// whole sentences of the previous one worth about `overlap` (at least one when overlap > 0 and
/// the previous chunk had more than one sentence, as long as the new sentence still fits). A
/// new section starts a new chunk, with no overlap from the old section, unless the chunk so far
/// is below min_chars or min_words: then the new section's text joins it. Whitespace inside a
/// sentence becomes one space; sentences of one block are joined by a space, blocks by a blank
/// line. max_tokens 0 is treated as 1.
/// A sentence longer than the budget is split at word boundaries, and a word longer than the
/// budget at grapheme-cluster boundaries — never inside a cluster.
[[nodiscard]] std::vector<ChunkDraft> chunk_blocks(std::span<const TextBlock> blocks,
                                                   const ChunkOptions& options);

} // namespace shiksha::detail
