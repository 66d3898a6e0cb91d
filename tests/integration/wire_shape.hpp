#pragma once
// Checks a JSON answer against a documented shape: every field the shape names must be present
// with its JSON type (extra fields are allowed: ours go beside the required ones).
//
//     const Json shape = Json::object({{"success", "bool"}, {"pdf_url", "string"},
//                                      {"videos", Json::array({Json::object({{"video_id", "string"}})})}});
//     CHECK_MESSAGE(shape_problems(answer, shape).empty(), ...);
//
// A shape is a type name ("string", "int", "number" (int or float), "bool", "object", "array",
// "null", "any"; "a|b" for either, e.g. "string|null"), an object of member shapes, or a
// one-element array whose element is the shape of every item (an empty answer array passes;
// use require_items to insist on items).

#include "shiksha/json.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shiksha::test {

inline bool has_type(const Json& value, std::string_view type) {
    if (type == "any") return true;
    if (type == "string") return value.is_string();
    if (type == "int") return value.is_int();
    if (type == "number") return value.is_number();
    if (type == "bool") return value.is_bool();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "null") return value.is_null();
    return false;
}

inline void shape_check(const Json& value, const Json& shape, const std::string& where,
                        std::vector<std::string>& problems) {
    if (shape.is_string()) {
        const std::string& types = shape.as_string();
        std::size_t start = 0;
        while (start <= types.size()) {
            const auto bar = types.find('|', start);
            const auto one = std::string_view(types).substr(
                start, bar == std::string::npos ? std::string::npos : bar - start);
            if (has_type(value, one)) return;
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
        problems.push_back(where + ": expected " + types + ", got " + value.dump());
        return;
    }
    if (shape.is_object()) {
        if (!value.is_object()) {
            problems.push_back(where + ": expected an object, got " + value.dump());
            return;
        }
        for (const auto& [key, member] : shape.as_object()) {
            const Json* got = value.find(key);
            if (!got) {
                problems.push_back(where + "." + key + ": missing");
                continue;
            }
            shape_check(*got, member, where + "." + key, problems);
        }
        return;
    }
    if (shape.is_array()) {
        if (!value.is_array()) {
            problems.push_back(where + ": expected an array, got " + value.dump());
            return;
        }
        const auto& items = value.as_array();
        for (std::size_t i = 0; i < items.size(); ++i)
            shape_check(items[i], shape.as_array().front(), where + "[" + std::to_string(i) + "]", problems);
    }
}

/// Every way `value` differs from `shape`; empty when it conforms.
[[nodiscard]] inline std::vector<std::string> shape_problems(const Json& value, const Json& shape) {
    std::vector<std::string> problems;
    shape_check(value, shape, "$", problems);
    return problems;
}

[[nodiscard]] inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

} // namespace shiksha::test
