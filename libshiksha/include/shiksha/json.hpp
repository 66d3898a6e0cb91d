#pragma once
/// A small JSON value: what the HTTP shell, the bindings and the engines exchange when a
/// shape is dynamic (request bodies, provider payloads, stored metadata).
///
///     auto body = shiksha::Json::parse(R"({"name":"Tribal belt","pinned":true})");
///     if (body && body->is_object()) {
///         const shiksha::Json* name = body->find("name");
///     }
///     shiksha::Json out = shiksha::Json::object();
///     out["status"] = "healthy";
///     std::string text = out.dump();   // {"status":"healthy"}
///
/// Objects keep insertion order (responses read like the API contract). Parsing is done by
/// simdjson behind this interface; invalid UTF-8 and depth beyond `max_depth` are rejected.
/// A Json value is a regular value type: copyable, movable, not thread-safe to mutate.

#include "shiksha/error.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace shiksha {

class Json {
public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;
    enum class Kind { null, boolean, integer, number, string, array, object };

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : v_(b) {}
    Json(int i) : v_(std::int64_t{i}) {}
    Json(std::int64_t i) : v_(i) {}
    Json(double d) : v_(d) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string_view s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(Array a) : v_(std::move(a)) {}
    Json(Object o) : v_(std::move(o)) {}

    [[nodiscard]] static Json array() { return Json(Array{}); }
    [[nodiscard]] static Json object() { return Json(Object{}); }
    [[nodiscard]] static Json object(std::initializer_list<std::pair<std::string, Json>> members) {
        return Json(Object(members));
    }

    [[nodiscard]] Kind kind() const noexcept { return static_cast<Kind>(v_.index()); }
    [[nodiscard]] bool is_null() const noexcept { return kind() == Kind::null; }
    [[nodiscard]] bool is_bool() const noexcept { return kind() == Kind::boolean; }
    [[nodiscard]] bool is_int() const noexcept { return kind() == Kind::integer; }
    /// True for integers and floating-point numbers alike.
    [[nodiscard]] bool is_number() const noexcept { return is_int() || kind() == Kind::number; }
    [[nodiscard]] bool is_string() const noexcept { return kind() == Kind::string; }
    [[nodiscard]] bool is_array() const noexcept { return kind() == Kind::array; }
    [[nodiscard]] bool is_object() const noexcept { return kind() == Kind::object; }

    // Accessors assert the kind (a bug, not user input: check with is_*() first).
    [[nodiscard]] bool as_bool() const;
    [[nodiscard]] std::int64_t as_int() const;
    [[nodiscard]] double as_double() const; ///< integers convert
    [[nodiscard]] const std::string& as_string() const;
    [[nodiscard]] const Array& as_array() const;
    [[nodiscard]] Array& as_array();
    [[nodiscard]] const Object& as_object() const;
    [[nodiscard]] Object& as_object();

    /// Member lookup on an object; nullptr when absent or when this is not an object.
    [[nodiscard]] const Json* find(std::string_view key) const;
    /// Insert-or-assign on an object (a null value first becomes an empty object).
    Json& operator[](std::string_view key);
    /// Append to an array (a null value first becomes an empty array).
    void push_back(Json value);

    /// Compact JSON, or pretty-printed with `indent` spaces when indent > 0. Non-ASCII is
    /// written as UTF-8, control characters escaped.
    [[nodiscard]] std::string dump(int indent = 0) const;

    /// Objects wider than this are refused by default: no request, provider answer or stored
    /// document of ours comes near it, and it bounds what a hostile body can make us build.
    static constexpr std::size_t default_max_members = 10'000;

    /// Parses UTF-8 JSON text in time linear in its size (a repeated key keeps its last value,
    /// at the position of its first). Errors are `invalid_argument` with a readable reason:
    /// malformed text, nesting deeper than `max_depth`, an object with more than `max_members`.
    [[nodiscard]] static Result<Json> parse(std::string_view text, std::size_t max_depth = 64,
                                            std::size_t max_members = default_max_members);

    friend bool operator==(const Json&, const Json&) = default;

private:
    std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> v_;
};

/// Name of a kind as a person reads it ("string", "integer", "object"...).
[[nodiscard]] std::string_view to_string(Json::Kind kind) noexcept;

} // namespace shiksha
