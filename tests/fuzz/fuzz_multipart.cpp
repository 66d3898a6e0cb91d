// libFuzzer target for the multipart/form-data parser. The first four bytes of an input choose
// the boundary, the limits, the feeding pattern and whether a callback refuses a part; the rest
// is the body. Each input is parsed in one shot, in random pieces and one byte at a time, and
// the three parses must agree exactly (same parts, or the same error), report data only inside
// a part, hand out pieces no larger than what was fed plus the held-back delimiter prefix, and
// respect every limit. The Content-Type parser gets the body as a header value on the side.
//
// Input layout (see README.md): [boundary][limits][split seed][flags] body...
#include "http/multipart.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace shiksha;
using namespace shiksha::server;

namespace {

#define SHIKSHA_FUZZ_CHECK(cond)                                                                             \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "fuzz_multipart: invariant failed at line %d: %s\n", __LINE__, #cond);      \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

// Chosen to stress the delimiter matcher: self-overlapping ones ("-", "aa", "a-a") make partial
// matches fall back to shorter ones, and "\r\n\r" (not a valid boundary, but the parser does
// not care) makes the delimiter "\r\n--\r\n\r" fall back twice; the long one is what browsers send.
constexpr std::array<std::string_view, 8> boundaries = {
    "XyZ", "-", "aa", "a-a", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "b c", "\r\n\r", "0123456789",
};

constexpr std::array<std::size_t, 4> part_counts = {16, 0, 1, 3};
constexpr std::array<std::size_t, 4> header_sizes = {8192, 0, 24, 64};
constexpr std::array<std::size_t, 4> part_sizes = {64u << 20, 0, 3, 40};
constexpr std::array<std::size_t, 4> total_sizes = {64u << 20, 0, 50, 300};

struct Outcome {
    std::vector<MultipartPart> parts;
    std::string error;
    bool ok = false;
};

bool same(const Outcome& a, const Outcome& b) {
    if (a.ok != b.ok) return false;
    if (!a.ok) return a.error == b.error;
    return std::equal(a.parts.begin(), a.parts.end(), b.parts.begin(), b.parts.end(),
                      [](const MultipartPart& x, const MultipartPart& y) {
                          return x.headers.name == y.headers.name &&
                                 x.headers.filename == y.headers.filename &&
                                 x.headers.content_type == y.headers.content_type && x.data == y.data;
                      });
}

struct Run {
    std::string_view boundary;
    MultipartLimits limits;
    bool refuse_part_named_x = false;

    // `cuts` are ascending offsets at which the body is split.
    Outcome parse(std::string_view body, const std::vector<std::size_t>& cuts) const {
        Outcome out;
        bool in_part = false;
        std::size_t ends = 0;
        std::size_t fed_piece = 0;
        MultipartEvents events;
        events.on_part_begin = [&](const PartHeaders& h) -> Result<void> {
            SHIKSHA_FUZZ_CHECK(!in_part);
            SHIKSHA_FUZZ_CHECK(out.parts.size() < limits.max_parts);
            // Decoding never lengthens a value more than ISO-8859-1 to UTF-8 does (x2).
            SHIKSHA_FUZZ_CHECK(h.name.size() <= 2 * limits.max_header_bytes);
            SHIKSHA_FUZZ_CHECK(!h.filename || h.filename->size() <= 2 * limits.max_header_bytes);
            SHIKSHA_FUZZ_CHECK(!h.content_type.empty());
            if (refuse_part_named_x && h.name == "x") return fail(ErrorCode::conflict, "part x refused");
            in_part = true;
            out.parts.push_back({h, {}});
            return {};
        };
        events.on_part_data = [&](std::string_view d) -> Result<void> {
            SHIKSHA_FUZZ_CHECK(in_part);
            SHIKSHA_FUZZ_CHECK(!d.empty());
            // A piece comes from the fed bytes or from the held-back delimiter prefix, never both.
            SHIKSHA_FUZZ_CHECK(d.size() <= std::max(fed_piece, boundary.size() + 3));
            out.parts.back().data.append(d);
            SHIKSHA_FUZZ_CHECK(out.parts.back().data.size() <= limits.max_part_bytes);
            return {};
        };
        events.on_part_end = [&]() -> Result<void> {
            SHIKSHA_FUZZ_CHECK(in_part);
            in_part = false;
            ++ends;
            return {};
        };
        MultipartParser parser(std::string(boundary), limits, std::move(events));
        std::size_t from = 0;
        std::size_t fed_total = 0;
        auto feed_to = [&](std::size_t to) -> Result<void> {
            fed_piece = to - from;
            auto r = parser.feed(body.substr(from, to - from));
            fed_total += to - from;
            from = to;
            return r;
        };
        Result<void> r;
        for (std::size_t cut : cuts) {
            if (r) r = feed_to(cut);
        }
        if (r) r = feed_to(body.size());
        if (r) r = parser.finish();
        if (r) {
            SHIKSHA_FUZZ_CHECK(!in_part);
            SHIKSHA_FUZZ_CHECK(ends == out.parts.size());
            SHIKSHA_FUZZ_CHECK(fed_total <= limits.max_total_bytes);
            // Each part's data is followed in the body by a delimiter, in order, and holds none.
            const std::string delimiter = "\r\n--" + std::string(boundary);
            std::size_t at = 0;
            for (const auto& part : out.parts) {
                SHIKSHA_FUZZ_CHECK(part.data.find(delimiter) == std::string::npos);
                const auto found = body.find(part.data + delimiter, at);
                SHIKSHA_FUZZ_CHECK(found != std::string_view::npos);
                at = found + part.data.size() + delimiter.size();
            }
            out.ok = true;
        } else {
            out.error = r.error().message;
            SHIKSHA_FUZZ_CHECK(!out.error.empty());
            // Once failed, a parser stays failed with the same error.
            auto again = parser.feed("--");
            SHIKSHA_FUZZ_CHECK(!again && again.error().message == out.error);
        }
        return out;
    }
};

void check_content_type(std::string_view value) {
    auto b = MultipartParser::boundary_from_content_type(value);
    if (!b) {
        SHIKSHA_FUZZ_CHECK(!b.error().message.empty());
        return;
    }
    SHIKSHA_FUZZ_CHECK(!b->empty() && b->size() <= 70 && b->back() != ' ');
    // The accepted boundary, quoted, round-trips.
    auto again = MultipartParser::boundary_from_content_type("multipart/form-data; boundary=\"" + *b + "\"");
    SHIKSHA_FUZZ_CHECK(again && *again == *b);
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 4, size - 4);
    Run run;
    run.boundary = boundaries[data[0] % boundaries.size()];
    run.limits.max_parts = part_counts[data[1] & 3u];
    run.limits.max_header_bytes = header_sizes[(data[1] >> 2) & 3u];
    run.limits.max_part_bytes = part_sizes[(data[1] >> 4) & 3u];
    run.limits.max_total_bytes = total_sizes[(data[1] >> 6) & 3u];
    run.refuse_part_named_x = (data[3] & 1u) != 0;

    const Outcome whole = run.parse(body, {});

    // Random pieces: the seed picks the largest piece (1..16 or up to the whole body) and the cuts.
    std::uint32_t state = 0x9E3779B9u ^ (std::uint32_t{data[2]} * 0x85EBCA6Bu);
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    };
    const std::size_t max_piece = (data[2] & 0x80u) ? body.size() + 1 : 1 + (data[2] & 0x0Fu);
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0;;) {
        at += 1 + next() % max_piece;
        if (at >= body.size()) break;
        cuts.push_back(at);
    }
    const Outcome split = run.parse(body, cuts);
    SHIKSHA_FUZZ_CHECK(same(whole, split));

    std::vector<std::size_t> every_byte;
    for (std::size_t at = 1; at < body.size(); ++at)
        every_byte.push_back(at);
    const Outcome bytewise = run.parse(body, every_byte);
    SHIKSHA_FUZZ_CHECK(same(whole, bytewise));

    // The convenience function is the one-shot parse.
    if (!run.refuse_part_named_x && run.boundary != "\r\n\r") {
        const std::string content_type =
            "multipart/form-data; boundary=\"" + std::string(run.boundary) + "\"";
        auto convenient = parse_multipart(content_type, body, run.limits);
        Outcome c;
        c.ok = convenient.has_value();
        if (c.ok)
            c.parts = std::move(*convenient);
        else
            c.error = convenient.error().message;
        SHIKSHA_FUZZ_CHECK(same(whole, c));
    }

    check_content_type(body);
    return 0;
}
