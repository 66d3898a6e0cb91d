#pragma once
// HTTP request and response as the router and handlers see them. Deliberately free of Beast
// types, so handlers compile fast and can be tested without a socket.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha::server {

enum class Method { get, head, post, put, patch, del, options, other };

[[nodiscard]] std::string_view to_string(Method m) noexcept;
[[nodiscard]] Method parse_method(std::string_view text) noexcept;

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using PathParams = std::vector<std::pair<std::string, std::string>>;

struct Request {
    Method method = Method::get;
    std::string target;                                     ///< as received: path plus query
    std::string path;                                       ///< percent-decoded path without the query
    std::vector<std::pair<std::string, std::string>> query; ///< decoded, in order
    HeaderList headers;
    std::string body;
    std::string remote; ///< client address
    std::string request_id;

    /// Case-insensitive header lookup (first occurrence).
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
    [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
    int status = 200;
    HeaderList headers;
    std::string body;

    void set_header(std::string_view name, std::string value);
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// Splits "/a%20b/c?x=1&y=%E0%A4%95" into a decoded path and decoded query pairs. False when
/// the percent-encoding is malformed or the path does not start with '/'.
[[nodiscard]] bool parse_target(std::string_view target, std::string& path,
                                std::vector<std::pair<std::string, std::string>>& query);
/// An application/x-www-form-urlencoded body ("a=1&b=x+y%21") as decoded pairs, in order.
/// False when the percent-encoding is malformed.
[[nodiscard]] bool parse_form(std::string_view body, std::vector<std::pair<std::string, std::string>>& pairs);

} // namespace shiksha::server
