#include "shiksha/json.hpp"

#include "core/assert.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace shiksha {

namespace {

/// Objects up to this many members find a repeated key by scanning; wider ones through a
/// hash index, so decoding stays linear in the number of members.
constexpr std::size_t linear_scan_members = 16;

/// What a conversion refused: the width of the first object over the limit.
struct Limits {
    std::size_t max_members;
    std::size_t too_wide = 0;
};

Json convert(simdjson::dom::element element, Limits& limits) {
    using simdjson::dom::element_type;
    switch (element.type()) {
    case element_type::NULL_VALUE: return Json();
    case element_type::BOOL: return Json(bool(element.get_bool().value_unsafe()));
    case element_type::INT64: return Json(std::int64_t(element.get_int64().value_unsafe()));
    case element_type::UINT64: {
        // Beyond int64: keep the magnitude as a double rather than wrapping around.
        return Json(static_cast<double>(element.get_uint64().value_unsafe()));
    }
    case element_type::DOUBLE: return Json(double(element.get_double().value_unsafe()));
    case element_type::STRING: return Json(std::string_view(element.get_string().value_unsafe()));
    // Keep the array/object in a named variable: ranging over `get_array().value_unsafe()`
    // would iterate a reference into a temporary that dies before the loop body runs.
    case element_type::ARRAY: {
        Json::Array out;
        const simdjson::dom::array array = element.get_array().value_unsafe();
        for (simdjson::dom::element child : array) {
            out.push_back(convert(child, limits));
            if (limits.too_wide) return Json();
        }
        return Json(std::move(out));
    }
    case element_type::OBJECT: {
        const simdjson::dom::object object = element.get_object().value_unsafe();
        // size() reads the count simdjson keeps on its tape, so the width is refused before any
        // member is converted.
        if (const std::size_t members = object.size(); members > limits.max_members) {
            limits.too_wide = members;
            return Json();
        }
        Json::Object out;
        // Keys as views into the parser's string buffer, which outlives this conversion (the
        // strings in `out` move when it grows).
        std::vector<std::string_view> keys;
        std::unordered_map<std::string_view, std::size_t> index;
        for (simdjson::dom::key_value_pair member : object) {
            // A repeated key keeps its last value, as Python's json and JavaScript do, so a
            // body like {"role":"viewer","role":"admin"} means the same here as to a client.
            std::size_t same = keys.size();
            if (keys.size() < linear_scan_members) {
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    if (keys[i] == member.key) same = i;
                }
            } else {
                if (index.empty()) {
                    index.reserve(object.size());
                    for (std::size_t i = 0; i < keys.size(); ++i)
                        index.emplace(keys[i], i);
                }
                if (auto it = index.find(member.key); it != index.end()) same = it->second;
            }
            Json value = convert(member.value, limits);
            if (limits.too_wide) return Json();
            if (same != keys.size()) {
                out[same].second = std::move(value);
            } else {
                if (!index.empty()) index.emplace(member.key, keys.size());
                keys.push_back(member.key);
                out.emplace_back(std::string(member.key), std::move(value));
            }
        }
        return Json(std::move(out));
    }
    }
    return Json();
}

void write_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

void newline(std::string& out, int indent, int depth) {
    if (indent > 0) {
        out.push_back('\n');
        out.append(static_cast<std::size_t>(indent * depth), ' ');
    }
}

void write(std::string& out, const Json& v, int indent, int depth) {
    switch (v.kind()) {
    case Json::Kind::null: out += "null"; return;
    case Json::Kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Json::Kind::integer: fmt::format_to(std::back_inserter(out), "{}", v.as_int()); return;
    case Json::Kind::number: {
        const double d = v.as_double();
        if (!std::isfinite(d)) {
            out += "null"; // JSON has no NaN/Infinity
        } else {
            fmt::format_to(std::back_inserter(out), "{}", d);
        }
        return;
    }
    case Json::Kind::string: write_string(out, v.as_string()); return;
    case Json::Kind::array: {
        const auto& a = v.as_array();
        out.push_back('[');
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i) out.push_back(',');
            newline(out, indent, depth + 1);
            write(out, a[i], indent, depth + 1);
        }
        if (!a.empty()) newline(out, indent, depth);
        out.push_back(']');
        return;
    }
    case Json::Kind::object: {
        const auto& o = v.as_object();
        out.push_back('{');
        for (std::size_t i = 0; i < o.size(); ++i) {
            if (i) out.push_back(',');
            newline(out, indent, depth + 1);
            write_string(out, o[i].first);
            out.push_back(':');
            if (indent > 0) out.push_back(' ');
            write(out, o[i].second, indent, depth + 1);
        }
        if (!o.empty()) newline(out, indent, depth);
        out.push_back('}');
        return;
    }
    }
}

} // namespace

std::string_view to_string(Json::Kind kind) noexcept {
    switch (kind) {
    case Json::Kind::null: return "null";
    case Json::Kind::boolean: return "boolean";
    case Json::Kind::integer: return "integer";
    case Json::Kind::number: return "number";
    case Json::Kind::string: return "string";
    case Json::Kind::array: return "array";
    case Json::Kind::object: return "object";
    }
    return "null";
}

bool Json::as_bool() const {
    SHIKSHA_ASSERT(is_bool());
    return std::get<bool>(v_);
}

std::int64_t Json::as_int() const {
    SHIKSHA_ASSERT(is_int());
    return std::get<std::int64_t>(v_);
}

double Json::as_double() const {
    SHIKSHA_ASSERT(is_number());
    return is_int() ? static_cast<double>(std::get<std::int64_t>(v_)) : std::get<double>(v_);
}

const std::string& Json::as_string() const {
    SHIKSHA_ASSERT(is_string());
    return std::get<std::string>(v_);
}

const Json::Array& Json::as_array() const {
    SHIKSHA_ASSERT(is_array());
    return std::get<Array>(v_);
}

Json::Array& Json::as_array() {
    SHIKSHA_ASSERT(is_array());
    return std::get<Array>(v_);
}

const Json::Object& Json::as_object() const {
    SHIKSHA_ASSERT(is_object());
    return std::get<Object>(v_);
}

Json::Object& Json::as_object() {
    SHIKSHA_ASSERT(is_object());
    return std::get<Object>(v_);
}

const Json* Json::find(std::string_view key) const {
    if (!is_object()) return nullptr;
    for (const auto& [k, v] : std::get<Object>(v_)) {
        if (k == key) return &v;
    }
    return nullptr;
}

Json& Json::operator[](std::string_view key) {
    if (is_null()) v_ = Object{};
    auto& members = as_object();
    for (auto& [k, v] : members) {
        if (k == key) return v;
    }
    return members.emplace_back(std::string(key), Json()).second;
}

void Json::push_back(Json value) {
    if (is_null()) v_ = Array{};
    as_array().push_back(std::move(value));
}

std::string Json::dump(int indent) const {
    std::string out;
    write(out, *this, indent, 0);
    return out;
}

Result<Json> Json::parse(std::string_view text, std::size_t max_depth, std::size_t max_members) {
    simdjson::dom::parser parser;
    if (auto err = parser.allocate(std::max<std::size_t>(text.size(), 64), max_depth); err) {
        return fail(ErrorCode::internal,
                    fmt::format("JSON parser allocation failed: {}", simdjson::error_message(err)));
    }
    const simdjson::padded_string padded(text.data(), text.size());
    simdjson::dom::element root;
    if (auto err = parser.parse(padded).get(root); err) {
        std::string_view reason;
        switch (err) {
        case simdjson::EMPTY: reason = "the document is empty"; break;
        case simdjson::DEPTH_ERROR: reason = "nesting is too deep"; break;
        case simdjson::UTF8_ERROR: reason = "the text is not valid UTF-8"; break;
        case simdjson::STRING_ERROR:
        case simdjson::UNCLOSED_STRING: reason = "a string is malformed or not closed"; break;
        case simdjson::NUMBER_ERROR:
        case simdjson::NUMBER_OUT_OF_RANGE: reason = "a number is malformed or out of range"; break;
        case simdjson::T_ATOM_ERROR:
        case simdjson::F_ATOM_ERROR:
        case simdjson::N_ATOM_ERROR: reason = "a literal is not true, false or null"; break;
        default: reason = "the text is not well-formed JSON"; break;
        }
        return fail(ErrorCode::invalid_argument, fmt::format("Invalid JSON: {}", reason));
    }
    Limits limits{max_members};
    Json value = convert(root, limits);
    if (limits.too_wide) {
        return fail(ErrorCode::invalid_argument,
                    fmt::format("Invalid JSON: an object has {} members, more than the {} allowed",
                                limits.too_wide, max_members));
    }
    return value;
}

} // namespace shiksha
