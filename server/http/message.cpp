#include "http/message.hpp"

#include <algorithm>

namespace shiksha::server {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
               return lower(x) == lower(y);
           });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

} // namespace

std::string_view to_string(Method m) noexcept {
    switch (m) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: return "OTHER";
    }
    return "OTHER";
}

Method parse_method(std::string_view text) noexcept {
    for (auto m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                   Method::options}) {
        if (text == to_string(m)) return m;
    }
    return Method::other;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return std::string_view(v);
    }
    return std::nullopt;
}

void Response::set_header(std::string_view name, std::string value) {
    for (auto& [k, v] : headers) {
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::string(name), std::move(value));
}

std::optional<std::string_view> Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
    query.clear();
    const auto q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    if (raw_path.empty() || raw_path.front() != '/') return false;
    if (!percent_decode(raw_path, path, false)) return false;
    if (q == std::string_view::npos) return true;
    std::string_view rest = target.substr(q + 1);
    const auto hash = rest.find('#');
    return parse_form(rest.substr(0, hash), query);
}

bool parse_form(std::string_view rest, std::vector<std::pair<std::string, std::string>>& query) {
    query.clear();
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key, value;
        if (!percent_decode(pair.substr(0, eq), key, true)) return false;
        if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value, true)) return false;
        query.emplace_back(std::move(key), std::move(value));
    }
    return true;
}

} // namespace shiksha::server
