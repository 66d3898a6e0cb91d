// The multipart/form-data parser: real client bodies, delimiters split anywhere, limits, header
// syntax, and the promise that a large part streams through without being buffered.
#include "http/multipart.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

using namespace shiksha;
using namespace shiksha::server;
using namespace std::string_literals;

// Counting replacements of the global allocation functions, so a test can assert how much memory
// the parser holds while a large part streams through it. The size is kept in a header in front
// of each block because unsized delete must know it.
namespace {
std::atomic<std::size_t> g_live_bytes{0};
std::atomic<std::size_t> g_peak_bytes{0}; ///< highest g_live_bytes since a test last reset it
constexpr std::size_t alloc_header = alignof(std::max_align_t);

void* counted_alloc(std::size_t n) {
    void* raw = std::malloc(n + alloc_header);
    if (raw == nullptr) throw std::bad_alloc();
    *static_cast<std::size_t*>(raw) = n;
    const std::size_t live = g_live_bytes += n;
    if (live > g_peak_bytes.load()) g_peak_bytes = live;
    return static_cast<char*>(raw) + alloc_header;
}

void counted_free(void* p) noexcept {
    if (p == nullptr) return;
    void* raw = static_cast<char*>(p) - alloc_header;
    g_live_bytes -= *static_cast<std::size_t*>(raw);
    std::free(raw);
}
} // namespace

void* operator new(std::size_t n) {
    return counted_alloc(n);
}
void* operator new[](std::size_t n) {
    return counted_alloc(n);
}
void operator delete(void* p) noexcept {
    counted_free(p);
}
void operator delete[](void* p) noexcept {
    counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    counted_free(p);
}

namespace {

constexpr std::string_view form_type = "multipart/form-data; boundary=XyZ";

// Records what the events report, so parses fed differently can be compared.
struct Recorder {
    std::vector<MultipartPart> parts;
    std::size_t ended = 0;
    std::size_t largest_piece = 0;
    std::size_t data_calls = 0;

    MultipartEvents events() {
        MultipartEvents e;
        e.on_part_begin = [this](const PartHeaders& h) -> Result<void> {
            parts.push_back({h, {}});
            return {};
        };
        e.on_part_data = [this](std::string_view d) -> Result<void> {
            REQUIRE(!parts.empty());
            parts.back().data.append(d);
            largest_piece = std::max(largest_piece, d.size());
            ++data_calls;
            return {};
        };
        e.on_part_end = [this]() -> Result<void> {
            ++ended;
            return {};
        };
        return e;
    }
};

struct Outcome {
    std::vector<MultipartPart> parts;
    std::string error; ///< empty on success
};

bool same_parts(const std::vector<MultipartPart>& a, const std::vector<MultipartPart>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(), [](const MultipartPart& x, const MultipartPart& y) {
            return x.headers.name == y.headers.name && x.headers.filename == y.headers.filename &&
                   x.headers.content_type == y.headers.content_type && x.data == y.data;
        });
}

// Feeds `body` cut at the given offsets (ascending), then finishes.
Outcome parse_split(std::string_view boundary, std::string_view body, const std::vector<std::size_t>& cuts,
                    const MultipartLimits& limits = {}) {
    Recorder rec;
    MultipartParser parser(std::string(boundary), limits, rec.events());
    std::size_t from = 0;
    auto run = [&]() -> Result<void> {
        for (std::size_t cut : cuts) {
            if (auto r = parser.feed(body.substr(from, cut - from)); !r) return r;
            from = cut;
        }
        if (auto r = parser.feed(body.substr(from)); !r) return r;
        return parser.finish();
    };
    auto r = run();
    if (!r) return {{}, r.error().message};
    REQUIRE(rec.ended == rec.parts.size());
    return {std::move(rec.parts), {}};
}

Outcome parse_in_chunks(std::string_view boundary, std::string_view body, std::size_t chunk,
                        const MultipartLimits& limits = {}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < body.size(); at += chunk)
        cuts.push_back(at);
    return parse_split(boundary, body, cuts, limits);
}

std::string one_error(std::string_view body, const MultipartLimits& limits = {}) {
    auto r = parse_multipart(form_type, body, limits);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    return r.error().message;
}

// A body of the shape used by several tests: a text field, a file with awkward bytes, an empty part.
std::string sample_body() {
    return "preamble text\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"title\"\r\n"
           "\r\n"
           "Shiksha \xE0\xA4\xB8\xE0\xA5\x87\xE0\xA4\xA4\xE0\xA5\x81\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
           "Content-Type: application/pdf\r\n"
           "\r\n"
           "%PDF\r\n--X\r\n--XyY\r\r\n\r\n-\n--XyZz"
           "\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"empty\"\r\n"
           "\r\n"
           "\r\n"
           "--XyZ--\r\n"
           "epilogue";
}

} // namespace

TEST_CASE("a browser upload with a PDF file and a text field parses into two parts") {
    const std::string pdf = "%PDF-1.7\n\x00\x01 binary \xff\r\n%%EOF"s;
    const std::string body = "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
                             "Content-Disposition: form-data; name=\"file\"; filename=\"lesson plan.pdf\"\r\n"
                             "Content-Type: application/pdf\r\n"
                             "\r\n" +
                             pdf +
                             "\r\n"
                             "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
                             "Content-Disposition: form-data; name=\"language\"\r\n"
                             "\r\n"
                             "Hindi\r\n"
                             "------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n";
    auto parts = parse_multipart("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", body);
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].headers.name == "file");
    CHECK((*parts)[0].headers.filename == "lesson plan.pdf");
    CHECK((*parts)[0].headers.content_type == "application/pdf");
    CHECK((*parts)[0].data == pdf);
    CHECK((*parts)[1].headers.name == "language");
    CHECK_FALSE((*parts)[1].headers.filename.has_value());
    CHECK((*parts)[1].headers.content_type == "text/plain");
    CHECK((*parts)[1].data == "Hindi");
}

TEST_CASE("curl and axios (form-data) bodies parse") {
    // curl -F file=@m.pdf -F title=x: 24 dashes and 16 hex digits.
    const std::string curl_boundary = std::string(24, '-') + "d74496d66958873e";
    const std::string curl = "--" + curl_boundary +
                             "\r\n"
                             "Content-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
                             "Content-Type: application/pdf\r\n\r\n"
                             "PDFDATA\r\n"
                             "--" +
                             curl_boundary +
                             "\r\n"
                             "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                             "x\r\n"
                             "--" +
                             curl_boundary + "--\r\n";
    auto c = parse_multipart("multipart/form-data; boundary=" + curl_boundary, curl);
    REQUIRE(c.has_value());
    REQUIRE(c->size() == 2);
    CHECK((*c)[0].data == "PDFDATA");
    CHECK((*c)[1].data == "x");

    // Node's form-data package (axios on Node): 26 dashes and 24 digits.
    const std::string axios_boundary = std::string(26, '-') + "515890814546601021194782";
    const std::string axios = "--" + axios_boundary +
                              "\r\n"
                              "Content-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
                              "Content-Type: application/pdf\r\n\r\n"
                              "PDF\r\n"
                              "--" +
                              axios_boundary + "--\r\n";
    auto a = parse_multipart("multipart/form-data; boundary=" + axios_boundary, axios);
    REQUIRE(a.has_value());
    REQUIRE(a->size() == 1);
    CHECK((*a)[0].headers.filename == "m.pdf");
    CHECK((*a)[0].data == "PDF");
}

TEST_CASE("binary data with CR, LF, dashes and near-boundary prefixes is returned byte for byte") {
    std::string data;
    for (int i = 0; i < 256; ++i)
        data.push_back(static_cast<char>(i));
    data += "\r\n--XyY\r\n--Xy\r\n-\r\r\n--X--\n--XyZ\r--XyZ\r\n\r\n--";
    data += "\r\n--Xy"; // a prefix of the delimiter right before the real one
    const std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"bin\"\r\n\r\n" + data + "\r\n--XyZ--";
    auto parts = parse_multipart(form_type, body);
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].data == data);
    for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 64u}) {
        CAPTURE(chunk);
        auto fed = parse_in_chunks("XyZ", body, chunk);
        CHECK(fed.error.empty());
        CHECK(same_parts(fed.parts, *parts));
    }
}

TEST_CASE("feeding the body split at every point, and at every pair of points, matches a one-shot parse") {
    const std::string body = sample_body();
    const Outcome whole = parse_split("XyZ", body, {});
    REQUIRE(whole.error.empty());
    REQUIRE(whole.parts.size() == 3);
    CHECK(whole.parts[0].data == "Shiksha \xE0\xA4\xB8\xE0\xA5\x87\xE0\xA4\xA4\xE0\xA5\x81");
    CHECK(whole.parts[1].data == "%PDF\r\n--X\r\n--XyY\r\r\n\r\n-\n--XyZz");
    CHECK(whole.parts[2].data.empty());
    for (std::size_t i = 0; i <= body.size(); ++i) {
        for (std::size_t j = i; j <= body.size(); ++j) {
            const Outcome split = parse_split("XyZ", body, {i, j});
            if (!split.error.empty() || !same_parts(split.parts, whole.parts)) {
                FAIL("split at " << i << ", " << j << " differs: " << split.error);
            }
        }
    }
}

TEST_CASE("one byte at a time works") {
    const std::string body = sample_body();
    const Outcome bytewise = parse_in_chunks("XyZ", body, 1);
    REQUIRE(bytewise.error.empty());
    CHECK(same_parts(bytewise.parts, parse_split("XyZ", body, {}).parts));
}

TEST_CASE("the preamble and the epilogue are ignored, and the first delimiter may follow a CRLF") {
    auto parts = parse_multipart(form_type,
                                 "ignore --XyZ me\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                                 "1\r\n--XyZ--   \r\n--XyZ\r\nnot a part");
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].headers.name == "a");
    CHECK((*parts)[0].data == "1");

    auto leading_crlf =
        parse_multipart(form_type, "\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--XyZ--");
    REQUIRE(leading_crlf.has_value());
    CHECK((*leading_crlf)[0].data == "2");

    // "--XyZ" in the middle of a preamble line is not a delimiter.
    CHECK(one_error("text--XyZ\r\n") == "the body contains no multipart boundary");
}

TEST_CASE("transport padding after a delimiter is tolerated") {
    auto parts = parse_multipart(
        form_type, "--XyZ \t \r\nContent-Disposition: form-data; name=a\r\n\r\n"
                   "v\r\n--XyZ\t\r\nContent-Disposition: form-data; name=b\r\n\r\n\r\n--XyZ-- \t");
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].data == "v");
    CHECK((*parts)[1].data.empty());
}

TEST_CASE("the boundary comes from the Content-Type, quoted or not, checked against RFC 2046") {
    using P = MultipartParser;
    CHECK(P::boundary_from_content_type("multipart/form-data; boundary=abc").value() == "abc");
    CHECK(P::boundary_from_content_type("Multipart/Form-Data;BOUNDARY=abc").value() == "abc");
    CHECK(P::boundary_from_content_type("multipart/form-data; charset=utf-8; boundary=\"a b:c?\"; x=y")
              .value() == "a b:c?");
    CHECK(P::boundary_from_content_type("  multipart/form-data ; boundary = abc ;").value() == "abc");
    CHECK(P::boundary_from_content_type("multipart/form-data; boundary=" + std::string(70, 'z'))
              .value()
              .size() == 70);

    const auto error_of = [](std::string_view ct) {
        auto r = P::boundary_from_content_type(ct);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == ErrorCode::invalid_argument);
        return r.error().message;
    };
    CHECK(error_of("multipart/mixed; boundary=abc") == "Content-Type must be multipart/form-data");
    CHECK(error_of("application/json") == "Content-Type must be multipart/form-data");
    CHECK(error_of("") == "Content-Type must be multipart/form-data");
    CHECK(error_of("multipart/form-data") == "Content-Type has no boundary parameter");
    CHECK(error_of("multipart/form-data; charset=utf-8") == "Content-Type has no boundary parameter");
    CHECK(error_of("multipart/form-data; boundary=") ==
          "the multipart boundary must be 1 to 70 characters long");
    CHECK(error_of("multipart/form-data; boundary=\"\"") ==
          "the multipart boundary must be 1 to 70 characters long");
    CHECK(error_of("multipart/form-data; boundary=" + std::string(71, 'z')) ==
          "the multipart boundary must be 1 to 70 characters long");
    CHECK(error_of("multipart/form-data; boundary=ab@c") ==
          "the multipart boundary contains a character RFC 2046 forbids");
    CHECK(error_of("multipart/form-data; boundary=\"ab\\\"c\"") ==
          "the multipart boundary contains a character RFC 2046 forbids");
    CHECK(error_of("multipart/form-data; boundary=\"abc \"") ==
          "the multipart boundary must not end in a space");
    CHECK(error_of("multipart/form-data; boundary=a b") ==
          "a multipart boundary containing spaces must be quoted");
    CHECK(error_of("multipart/form-data; boundary=\"abc") ==
          "Content-Type parameter boundary has an unterminated quoted string");
    CHECK(error_of("multipart/form-data; boundary=a; boundary=b") ==
          "Content-Type repeats the parameter boundary");
    CHECK(error_of("multipart/form-data; boundary") == "Content-Type has a parameter without a value");
}

TEST_CASE("a quoted boundary with spaces and specials delimits parts") {
    auto parts =
        parse_multipart("multipart/form-data; boundary=\"gc0p4Jq0M2Yt08j34c0p: (x)=?\"",
                        "--gc0p4Jq0M2Yt08j34c0p: (x)=?\r\nContent-Disposition: form-data; name=q\r\n\r\n"
                        "hi\r\n--gc0p4Jq0M2Yt08j34c0p: (x)=?--");
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].data == "hi");
}

TEST_CASE("an RFC 5987 filename* with Devanagari is decoded and preferred over filename") {
    const std::string body =
        "--XyZ\r\n"
        "content-disposition: FORM-DATA; NAME=\"file\"; FileName*=utf-8'hi'%E0%A4%AA%E0%A4%BE%E0%A4%A0.pdf; "
        "filename=\"fallback.pdf\"\r\n"
        "CONTENT-TYPE:application/pdf  \r\n\r\nx\r\n--XyZ--";
    auto parts = parse_multipart(form_type, body);
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].headers.name == "file");
    CHECK((*parts)[0].headers.filename == "\xE0\xA4\xAA\xE0\xA4\xBE\xE0\xA4\xA0.pdf"); // पाठ.pdf
    CHECK((*parts)[0].headers.content_type == "application/pdf");
}

TEST_CASE("filename* in ISO-8859-1 is converted to UTF-8, and broken ext-values are errors") {
    auto latin1 = parse_multipart(form_type, "--XyZ\r\nContent-Disposition: form-data; name=f; "
                                             "filename*=iso-8859-1''caf%E9.pdf\r\n\r\n\r\n--XyZ--");
    REQUIRE(latin1.has_value());
    CHECK((*latin1)[0].headers.filename == "caf\xC3\xA9.pdf");

    const auto with_ext = [](std::string_view ext) {
        return one_error("--XyZ\r\nContent-Disposition: form-data; name=f; filename*=" + std::string(ext) +
                         "\r\n\r\n\r\n--XyZ--");
    };
    CHECK(with_ext("utf-8''%E0%A4") == "part 1 filename* is not valid UTF-8");
    CHECK(with_ext("utf-8''%G0") == "part 1 filename* has a malformed percent-encoding");
    CHECK(with_ext("utf-8''abc%4") == "part 1 filename* has a malformed percent-encoding");
    CHECK(with_ext("utf-8%41") == "part 1 filename* is not of the form charset'language'value");
    CHECK(with_ext("koi8-r''x") == "part 1 filename* uses the unsupported charset 'koi8-r'");
}

TEST_CASE("quoted-string escapes are undone in name and filename") {
    auto parts = parse_multipart(form_type, "--XyZ\r\nContent-Disposition: form-data; name=\"a\\\"b\"; "
                                            "filename=\"x\\\\y;z.pdf\"\r\n\r\n\r\n--XyZ--");
    REQUIRE(parts.has_value());
    CHECK((*parts)[0].headers.name == "a\"b");
    CHECK((*parts)[0].headers.filename == "x\\y;z.pdf");
}

TEST_CASE("a filename with path tricks is reported verbatim") {
    auto parts = parse_multipart(
        form_type,
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\n\r\n"
        "root\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f2\"; filename=\"/abs/..\\\\x .pdf\"\r\n\r\n"
        "\r\n--XyZ--");
    REQUIRE(parts.has_value());
    CHECK((*parts)[0].headers.filename == "../../etc/passwd");
    CHECK((*parts)[1].headers.filename == "/abs/..\\x .pdf");
}

TEST_CASE("folded header lines are unfolded") {
    auto parts = parse_multipart(form_type, "--XyZ\r\nContent-Disposition: form-data;\r\n name=\"a\";\r\n\t"
                                            "filename=\"f.pdf\"\r\nContent-Type:\r\n application/pdf\r\n\r\n"
                                            "z\r\n--XyZ--");
    REQUIRE(parts.has_value());
    CHECK((*parts)[0].headers.name == "a");
    CHECK((*parts)[0].headers.filename == "f.pdf");
    CHECK((*parts)[0].headers.content_type == "application/pdf");
}

TEST_CASE("empty parts and empty filenames are reported, not dropped") {
    auto parts =
        parse_multipart(form_type, "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
                                   "Content-Type: application/octet-stream\r\n\r\n\r\n--XyZ--");
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].headers.filename == "");
    CHECK((*parts)[0].data.empty());

    auto none = parse_multipart(form_type, "--XyZ--\r\n");
    REQUIRE(none.has_value());
    CHECK(none->empty());
}

TEST_CASE("each limit is enforced while parsing and named in the error") {
    const std::string body = sample_body();
    MultipartLimits headers_limit;
    headers_limit.max_header_bytes = 40;
    CHECK(one_error(body, headers_limit) == "part headers exceed 40 bytes");

    MultipartLimits part_limit;
    part_limit.max_part_bytes = 20;
    CHECK(one_error(body, part_limit) == "part \"file\" exceeds 20 bytes");

    MultipartLimits total_limit;
    total_limit.max_total_bytes = 100;
    CHECK(one_error(body, total_limit) == "the body exceeds 100 bytes");

    MultipartLimits parts_limit;
    parts_limit.max_parts = 2;
    CHECK(one_error(body, parts_limit) == "more than 2 parts");

    // Limits at exactly the size of the body pass.
    MultipartLimits exact;
    exact.max_total_bytes = body.size();
    exact.max_parts = 3;
    exact.max_part_bytes = std::string_view("%PDF\r\n--X\r\n--XyY\r\r\n\r\n-\n--XyZz").size();
    exact.max_header_bytes =
        std::string_view("Content-Disposition: form-data; name=\"file\"; filename=\"m.pdf\"\r\n"
                         "Content-Type: application/pdf\r\n")
            .size();
    CHECK(parse_multipart(form_type, body, exact).has_value());
    for (std::size_t chunk : {1u, 3u, 17u}) {
        CHECK(parse_in_chunks("XyZ", body, chunk, exact).error.empty());
        auto tighter = exact;
        --tighter.max_part_bytes;
        CHECK(parse_in_chunks("XyZ", body, chunk, tighter).error ==
              "part \"file\" exceeds " + std::to_string(tighter.max_part_bytes) + " bytes");
        tighter = exact;
        --tighter.max_header_bytes;
        CHECK(parse_in_chunks("XyZ", body, chunk, tighter).error ==
              "part headers exceed " + std::to_string(tighter.max_header_bytes) + " bytes");
        tighter = exact;
        --tighter.max_total_bytes;
        CHECK(parse_in_chunks("XyZ", body, chunk, tighter).error ==
              "the body exceeds " + std::to_string(body.size() - 1) + " bytes");
    }
}

TEST_CASE("the body limit stops a feed before the parser reads past it") {
    MultipartLimits limits;
    limits.max_total_bytes = 10;
    Recorder rec;
    MultipartParser parser("XyZ", limits, rec.events());
    CHECK(parser.feed("0123456789").has_value());
    auto r = parser.feed("x");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "the body exceeds 10 bytes");
    CHECK(r.error().field == "body");
}

TEST_CASE("a missing closing boundary fails at finish()") {
    Recorder rec;
    MultipartParser parser("XyZ", {}, rec.events());
    REQUIRE(
        parser.feed("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nsome data\r\n--Xy").has_value());
    auto r = parser.finish();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "the closing boundary is missing");
    CHECK(rec.parts.size() == 1);
    CHECK(rec.ended == 0);

    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--XyZ\r\n") ==
          "the closing boundary is missing");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n") ==
          "the closing boundary is missing");
    CHECK(one_error("") == "the body contains no multipart boundary");
}

TEST_CASE("garbage input fails cleanly, and the parser stays failed") {
    std::string garbage;
    std::uint32_t x = 12345;
    for (int i = 0; i < 4096; ++i) {
        x = x * 1103515245u + 12345u;
        garbage.push_back(static_cast<char>(x >> 24));
    }
    CHECK(one_error(garbage) == "the body contains no multipart boundary");
    CHECK(one_error("--XyZ\r\n" + garbage) == "part 1 has a header line that does not end in CRLF");
    CHECK(one_error("--XyZ!") == "unexpected bytes after a boundary delimiter");
    CHECK(one_error("--XyZ-x") == "unexpected bytes after a boundary delimiter");
    CHECK(one_error("--XyZ  x\r\n") == "unexpected bytes after a boundary delimiter");
    CHECK(one_error("--XyZ\rx") == "a boundary delimiter line does not end in CRLF");

    Recorder rec;
    MultipartParser parser("XyZ", {}, rec.events());
    auto first = parser.feed("--XyZ?");
    REQUIRE_FALSE(first.has_value());
    auto again = parser.feed("\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--");
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().message == first.error().message);
    CHECK(parser.finish().error().message == first.error().message);
    CHECK(rec.parts.empty());
}

TEST_CASE("a delimiter followed by other bytes inside data is an error, not data") {
    // RFC 2046 forbids the delimiter inside a part; accepting it as data would need unbounded lookahead.
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nab\r\n--XyZabc\r\n--XyZ--") ==
          "unexpected bytes after a boundary delimiter");
}

TEST_CASE("part headers are checked: colon, name, CRLF, Content-Disposition") {
    CHECK(one_error("--XyZ\r\nContent-Disposition form-data; name=a\r\n\r\n\r\n--XyZ--") ==
          "part 1 has a header line without a colon");
    CHECK(one_error("--XyZ\r\n: x\r\n\r\n\r\n--XyZ--") == "part 1 has a header with an invalid name");
    CHECK(one_error("--XyZ\r\nContent-Disposition : form-data; name=a\r\n\r\n\r\n--XyZ--") ==
          "part 1 has a header with an invalid name");
    CHECK(one_error("--XyZ\r\n name: x\r\n\r\n\r\n--XyZ--") == "part 1 headers begin with a folded line");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a\n\r\n\r\n--XyZ--") ==
          "part 1 has a header line that does not end in CRLF");
    CHECK(one_error("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--") ==
          "part 1 has no Content-Disposition header");
    CHECK(one_error("--XyZ\r\n\r\nx\r\n--XyZ--") == "part 1 has no Content-Disposition header");
    CHECK(one_error("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--") ==
          "part 1 has a Content-Disposition other than form-data");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; filename=a.pdf\r\n\r\nx\r\n--XyZ--") ==
          "part 1 has no name in its Content-Disposition");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--XyZ\r\n"
                    "Content-Disposition: form-data; name=b\r\nContent-Disposition: form-data; name=c\r\n\r\n"
                    "\r\n--XyZ--") == "part 2 repeats the content-disposition header");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n\r\n--XyZ--") ==
          "part 1 Content-Disposition repeats the parameter name");
    CHECK(one_error("--XyZ\r\nContent-Disposition: form-data; name=\"a\" junk\r\n\r\n\r\n--XyZ--") ==
          "part 1 Content-Disposition has an unexpected character where ';' belongs");
}

TEST_CASE("the part count limit counts parts as they begin") {
    std::string body;
    for (int i = 0; i < 17; ++i)
        body += "--XyZ\r\nContent-Disposition: form-data; name=p\r\n\r\nv\r\n";
    body += "--XyZ--";
    CHECK(one_error(body) == "more than 16 parts");
    MultipartLimits more;
    more.max_parts = 17;
    auto parts = parse_multipart(form_type, body, more);
    REQUIRE(parts.has_value());
    CHECK(parts->size() == 17);
}

TEST_CASE("an error from a callback stops the parse and is returned as is") {
    MultipartEvents events;
    events.on_part_begin = [](const PartHeaders& h) -> Result<void> {
        if (h.name == "file" && (!h.filename || !h.filename->ends_with(".pdf"))) {
            return fail(ErrorCode::invalid_argument, "Only PDF files are allowed");
        }
        return {};
    };
    MultipartParser parser("XyZ", {}, std::move(events));
    auto r = parser.feed(
        "--XyZ\r\nContent-Disposition: form-data; name=file; filename=a.exe\r\n\r\nMZ\r\n--XyZ--");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "Only PDF files are allowed");
    CHECK(parser.finish().error().message == "Only PDF files are allowed");
}

TEST_CASE("feeding after finish() is an error") {
    MultipartParser parser("XyZ", {}, {});
    REQUIRE(parser.feed("--XyZ--").has_value());
    REQUIRE(parser.finish().has_value());
    CHECK(parser.feed("more").error().message == "multipart data fed after finish()");
}

TEST_CASE("a 10 MB part streams through in bounded pieces without being buffered") {
    constexpr std::size_t size = 10u << 20;
    constexpr std::size_t chunk = 64u << 10;
    const std::string boundary = "----WebKitFormBoundaryAbCdEfGhIjKlMnOp";
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
                       "Content-Type: application/pdf\r\n\r\n";
    const std::size_t data_start = body.size();
    body.reserve(body.size() + size + 2 * boundary.size() + 16);
    std::uint32_t x = 7;
    for (std::size_t i = 0; i < size; ++i) {
        x = x * 1664525u + 1013904223u;
        // Mostly random bytes, with CR LF "--" runs sprinkled in to keep the matcher busy.
        body.push_back((i % 997) < 4 ? "\r\n--"[i % 997] : static_cast<char>(x >> 24));
    }
    body += "\r\n--" + boundary + "--\r\n";

    std::size_t received = 0;
    std::size_t largest = 0;
    std::size_t calls = 0;
    std::uint64_t checksum = 0;
    MultipartEvents events;
    events.on_part_data = [&](std::string_view d) -> Result<void> {
        received += d.size();
        largest = std::max(largest, d.size());
        ++calls;
        for (char c : d)
            checksum = checksum * 31 + static_cast<unsigned char>(c);
        return {};
    };
    std::uint64_t expected = 0;
    for (std::size_t i = data_start; i < data_start + size; ++i) {
        expected = expected * 31 + static_cast<unsigned char>(body[i]);
    }

    MultipartParser parser(boundary, {}, std::move(events));
    const std::size_t before = g_live_bytes.load();
    g_peak_bytes = before;
    bool fed = true;
    for (std::size_t at = 0; at < body.size() && fed; at += chunk) {
        fed = parser.feed(std::string_view(body).substr(at, chunk)).has_value();
    }
    const bool finished = parser.finish().has_value();
    const std::size_t peak = g_peak_bytes.load() - before;
    REQUIRE(fed);
    REQUIRE(finished);

    CHECK(received == size);
    CHECK(checksum == expected);
    CHECK(largest <= chunk + boundary.size() + 4);
    CHECK(calls >= size / chunk);
    CHECK(peak <= 4096); // the parser keeps part headers at most; data is never copied
}
