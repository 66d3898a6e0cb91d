// Json: parse/dump round trips, insertion order, readable errors, numbers at the edges.
#include "shiksha/json.hpp"

#include "result_printing.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using shiksha::ErrorCode;
using shiksha::Json;

namespace {

/// The message of a parse failure; fails the test when the text parsed.
std::string parse_error(std::string_view text, std::size_t max_depth = 64) {
    const auto r = Json::parse(text, max_depth);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    return r.error().message;
}

std::string nested_arrays(int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
}

} // namespace

TEST_CASE("parse then dump round-trips Devanagari text and escapes") {
    const std::string text =
        R"({"title":"शिक्षक प्रशिक्षण","quote":"say \"hi\"","path":"C:\\tmp",)"
        R"("lines":"a\nb\tc","ctl":"\u0001",)"
        R"("n":42,"neg":-7,"pi":3.25,"ok":true,"no":false,"none":null,"list":[1,"दो",[]],"empty":{}})";
    const auto parsed = Json::parse(text);
    REQUIRE(parsed);
    REQUIRE(parsed->is_object());
    CHECK(parsed->find("title")->as_string() == "शिक्षक प्रशिक्षण");
    CHECK(parsed->find("quote")->as_string() == "say \"hi\"");
    CHECK(parsed->find("path")->as_string() == "C:\\tmp");
    CHECK(parsed->find("lines")->as_string() == "a\nb\tc");
    CHECK(parsed->find("ctl")->as_string() == std::string("\x01"));
    CHECK(parsed->find("n")->as_int() == 42);
    CHECK(parsed->find("pi")->as_double() == doctest::Approx(3.25));
    CHECK(parsed->find("none")->is_null());
    CHECK(parsed->find("list")->as_array().size() == 3);

    // Compact dump reproduces the input byte for byte: UTF-8 stays UTF-8, escapes stay escapes.
    CHECK(parsed->dump() == text);
    const auto again = Json::parse(parsed->dump());
    REQUIRE(again);
    CHECK(*again == *parsed);
}

TEST_CASE("unicode escapes decode to UTF-8") {
    const auto parsed = Json::parse(R"(["\u0936\u093f", "\ud83d\ude00"])");
    REQUIRE(parsed);
    CHECK(parsed->as_array()[0].as_string() == "शि");
    CHECK(parsed->as_array()[1].as_string() == "\xF0\x9F\x98\x80");
}

TEST_CASE("pretty dump indents and still parses to the same value") {
    Json v = Json::object({{"a", 1}, {"b", Json::Array{Json(true), Json()}}});
    const std::string pretty = v.dump(2);
    CHECK(pretty == "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}");
    const auto back = Json::parse(pretty);
    REQUIRE(back);
    CHECK(*back == v);
}

TEST_CASE("objects keep insertion order") {
    Json o = Json::object();
    o["zeta"] = 1;
    o["alpha"] = 2;
    o["mid"] = 3;
    o["alpha"] = 20; // assigning an existing key keeps its place
    CHECK(o.dump() == R"({"zeta":1,"alpha":20,"mid":3})");

    const auto parsed = Json::parse(R"({"z":1,"a":2,"m":3})");
    REQUIRE(parsed);
    const auto& members = parsed->as_object();
    REQUIRE(members.size() == 3);
    CHECK(members[0].first == "z");
    CHECK(members[1].first == "a");
    CHECK(members[2].first == "m");
}

TEST_CASE("find returns nullptr for a missing key or a non-object") {
    const auto parsed = Json::parse(R"({"a":1})");
    REQUIRE(parsed);
    CHECK(parsed->find("a") != nullptr);
    CHECK(parsed->find("b") == nullptr);
    CHECK(Json(5).find("a") == nullptr);
}

TEST_CASE("invalid JSON is refused with a readable message") {
    SUBCASE("truncated object") {
        CHECK(parse_error(R"({"name":"Tribal)").find("Invalid JSON") != std::string::npos);
    }
    SUBCASE("truncated array") {
        CHECK_FALSE(parse_error("[1, 2").empty());
    }
    SUBCASE("empty text") {
        CHECK(parse_error("").find("empty") != std::string::npos);
    }
    SUBCASE("bad literal") {
        CHECK(parse_error("[tru]").find("literal") != std::string::npos);
    }
    SUBCASE("trailing comma") {
        CHECK_FALSE(parse_error("[1,]").empty());
    }
    SUBCASE("invalid UTF-8 bytes in a string") {
        CHECK(parse_error("[\"ab\xC3\x28\"]").find("UTF-8") != std::string::npos);
    }
    SUBCASE("lone continuation byte") {
        CHECK(parse_error("\"\x80\"").find("UTF-8") != std::string::npos);
    }
}

TEST_CASE("nesting deeper than max_depth is refused") {
    CHECK(Json::parse(nested_arrays(4), 8).has_value());
    CHECK(Json::parse(nested_arrays(8), 8).has_value());
    CHECK(parse_error(nested_arrays(9), 8).find("deep") != std::string::npos);
    CHECK(parse_error(nested_arrays(20), 8).find("deep") != std::string::npos);
    // The default limit (64) protects the server from stack-exhausting bodies.
    CHECK(Json::parse(nested_arrays(32)).has_value());
    CHECK(parse_error(nested_arrays(200)).find("deep") != std::string::npos);
}

TEST_CASE("integers keep their exact value up to the int64 limits") {
    const auto parsed = Json::parse("[9223372036854775807, -9223372036854775808, 9007199254740993]");
    REQUIRE(parsed);
    const auto& a = parsed->as_array();
    REQUIRE(a[0].is_int());
    CHECK(a[0].as_int() == std::numeric_limits<std::int64_t>::max());
    REQUIRE(a[1].is_int());
    CHECK(a[1].as_int() == std::numeric_limits<std::int64_t>::min());
    REQUIRE(a[2].is_int());
    CHECK(a[2].as_int() == 9007199254740993); // not representable as a double
    CHECK(parsed->dump() == "[9223372036854775807,-9223372036854775808,9007199254740993]");
}

TEST_CASE("integers beyond int64 become doubles instead of wrapping") {
    const auto parsed = Json::parse("18446744073709551615");
    REQUIRE(parsed);
    CHECK_FALSE(parsed->is_int());
    REQUIRE(parsed->is_number());
    CHECK(parsed->as_double() == doctest::Approx(1.8446744073709552e19));
    CHECK(parsed->as_double() > 0);
}

TEST_CASE("numbers too large for any machine type are refused with a readable message") {
    CHECK(parse_error("123456789012345678901234567890").find("number") != std::string::npos);
    CHECK(parse_error("[1e400]").find("number") != std::string::npos);
}

TEST_CASE("NaN and infinity dump as null") {
    CHECK(Json(std::nan("")).dump() == "null");
    CHECK(Json(std::numeric_limits<double>::infinity()).dump() == "null");
    CHECK(Json(-std::numeric_limits<double>::infinity()).dump() == "null");
    const Json o = Json::object({{"x", std::nan("")}});
    CHECK(o.dump() == R"({"x":null})");
    CHECK(Json::parse(o.dump()).has_value());
}

TEST_CASE("finite doubles dump as parseable numbers") {
    for (double d : {0.1, -2.5, 1e300, 6.02214076e23, 1e-7}) {
        CAPTURE(d);
        const auto back = Json::parse(Json(d).dump());
        REQUIRE(back);
        REQUIRE(back->is_number());
        CHECK(back->as_double() == d);
    }
}

TEST_CASE("control characters are escaped when dumping") {
    const Json s(std::string("a\x01\x1f"
                             "b"));
    CHECK(s.dump() == R"("a\u0001\u001fb")");
}

TEST_CASE("operator[] and push_back turn null into object and array") {
    Json o;
    o["k"] = "v";
    CHECK(o.is_object());
    Json a;
    a.push_back(1);
    a.push_back("two");
    CHECK(a.is_array());
    CHECK(a.dump() == R"([1,"two"])");
}

TEST_CASE("kind names read like words") {
    CHECK(shiksha::to_string(Json::Kind::string) == "string");
    CHECK(shiksha::to_string(Json::Kind::integer) == "integer");
    CHECK(shiksha::to_string(Json::Kind::object) == "object");
}

TEST_CASE("a repeated object key keeps its last value, in the first key's place") {
    auto parsed = Json::parse(R"({"role":"viewer","name":"a","role":"admin"})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->as_object().size() == 2);
    CHECK(parsed->find("role")->as_string() == "admin");
    CHECK(parsed->dump() == R"({"role":"admin","name":"a"})");
}

namespace {

/// {"k0":0,"k1":1,...} with `n` members, then `repeats` of the first keys again.
std::string wide_object(std::size_t n, std::size_t repeats = 0) {
    std::string text = "{";
    for (std::size_t i = 0; i < n; ++i)
        text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    for (std::size_t i = 0; i < repeats; ++i)
        text += ",\"k" + std::to_string(i) + "\":-" + std::to_string(i);
    return text + "}";
}

} // namespace

// Regression (issue 16, defect 1): every key was compared with all earlier ones, so 100,000
// keys took ~15 s of CPU. The bound refuses such a body; within the bound decoding is linear.
TEST_CASE("an object wider than the member limit is refused with a readable reason") {
    const auto text = wide_object(Json::default_max_members + 1);
    const auto r = Json::parse(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == shiksha::ErrorCode::invalid_argument);
    CHECK(r.error().message == "Invalid JSON: an object has 10001 members, more than the 10000 allowed");
    // Nested objects count too; the limit is per object, not per document.
    const auto nested = "[" + text + "]";
    CHECK_FALSE(Json::parse(nested).has_value());
    CHECK(Json::parse("[" + wide_object(9000) + "," + wide_object(9000) + "]").has_value());
    CHECK(Json::parse(wide_object(20), 64, 20).has_value());
    CHECK_FALSE(Json::parse(wide_object(21), 64, 20).has_value());
}

TEST_CASE("wide objects with repeated keys decode in linear time, last value in the first place" *
          doctest::timeout(20)) {
    // 200,000 members: about 10^10 key comparisons the quadratic way (minutes), a few hundred
    // milliseconds with the hash index; the timeout is two orders of magnitude above that.
    constexpr std::size_t n = 200'000;
    const auto r = Json::parse(wide_object(n, 1000), 64, n + 1000); // the limit counts repeats too
    REQUIRE(r.has_value());
    const auto& members = r->as_object();
    REQUIRE(members.size() == n);
    CHECK(members[0].first == "k0");
    CHECK(members[0].second.as_int() == 0); // -0
    CHECK(members[999].second.as_int() == -999);
    CHECK(members[1000].second.as_int() == 1000);
    CHECK(members[n - 1].first == "k" + std::to_string(n - 1));
    // Below the scan threshold and just above it, repeats resolve the same way.
    for (std::size_t width : {3u, 15u, 16u, 17u, 40u}) {
        const auto small = Json::parse(wide_object(width, width));
        REQUIRE(small.has_value());
        REQUIRE(small->as_object().size() == width);
        CHECK(small->as_object()[width - 1].second.as_int() == -static_cast<std::int64_t>(width - 1));
    }
}
