#include "http/router.hpp"

#include "shiksha/platform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace shiksha::server {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            ++i;
        const auto j = path.find('/', i);
        const auto end = j == std::string_view::npos ? path.size() : j;
        if (end > i) out.push_back(path.substr(i, end - i));
        i = end;
    }
    return out;
}

bool is_param(std::string_view seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

/// "/clusters/{id}/pin" and "/clusters/{x}/pin" are the same route: compare with names erased.
std::vector<std::string_view> shape(std::string_view path) {
    auto parts = segments(path);
    for (auto& p : parts) {
        if (is_param(p)) p = "{}";
    }
    return parts;
}

/// Matches `path` against a mounted pattern; fills params on success.
bool match_pattern(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& path,
                   std::vector<std::pair<std::string, std::string>>& params) {
    if (pattern.size() != path.size()) return false;
    std::vector<std::pair<std::string, std::string>> found;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_param(pattern[i])) {
            found.emplace_back(std::string(pattern[i].substr(1, pattern[i].size() - 2)),
                               std::string(path[i]));
        } else if (pattern[i] != path[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

Result<std::int64_t> parse_int(std::string_view field, std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size()) {
        return fail_field(
            std::string(field),
            fmt::format("{}: Input should be a valid integer, unable to parse string as an integer", field));
    }
    return v;
}

} // namespace

namespace {

/// A Host value safe to put in a link: host name, IPv4 or [IPv6], optional :port.
bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 255) return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
        if (!ok) return false;
    }
    return host.front() != '.' && host.front() != ':' && host.front() != '-';
}

std::string_view first_value(std::string_view list) {
    list = list.substr(0, list.find(','));
    while (!list.empty() && list.front() == ' ')
        list.remove_prefix(1);
    while (!list.empty() && list.back() == ' ')
        list.remove_suffix(1);
    return list;
}

} // namespace

std::string RouteContext::public_base() const {
    std::string configured = platform.config().exports.public_url;
    if (!configured.empty()) {
        while (configured.ends_with('/'))
            configured.pop_back();
        return configured;
    }
    if (platform.config().server.trust_forwarded_headers) {
        if (auto fwd = request.header("X-Forwarded-Host")) {
            const auto host = first_value(*fwd);
            auto proto = first_value(request.header("X-Forwarded-Proto").value_or("http"));
            if (proto != "http" && proto != "https") proto = "http";
            if (valid_host(host)) return std::string(proto) + "://" + std::string(host);
        }
    }
    if (auto host = request.header("Host"); host && valid_host(*host)) return "http://" + std::string(*host);
    return {};
}

Result<std::int64_t> RouteContext::path_id(std::string_view name) const {
    for (const auto& [k, v] : params) {
        if (k != name) continue;
        auto n = parse_int(name, v);
        if (!n) return n;
        if (*n < 1)
            return fail_field(std::string(name), fmt::format("{}: Input should be greater than 0", name));
        return n;
    }
    throw std::logic_error("route has no path parameter named " + std::string(name)); // a routing bug
}

std::optional<std::string_view> RouteContext::query(std::string_view name) const {
    queried.emplace_back(name);
    return request.query_param(name);
}

Result<std::string_view> RouteContext::require_query(std::string_view name) const {
    auto value = query(name);
    if (!value) return fail_field(std::string(name), fmt::format("{}: Field required", name));
    return *value;
}

Result<std::optional<std::int64_t>> RouteContext::query_int(std::string_view name, std::int64_t min,
                                                            std::int64_t max) const {
    auto text = query(name);
    if (!text) return std::optional<std::int64_t>();
    auto n = parse_int(name, *text);
    if (!n) return std::unexpected(n.error());
    if (*n < min) {
        return fail_field(std::string(name),
                          fmt::format("{}: Input should be greater than or equal to {}", name, min));
    }
    if (*n > max) {
        return fail_field(std::string(name),
                          fmt::format("{}: Input should be less than or equal to {}", name, max));
    }
    return std::optional<std::int64_t>(*n);
}

Result<std::optional<bool>> RouteContext::query_bool(std::string_view name) const {
    auto text = query(name);
    if (!text) return std::optional<bool>();
    for (std::string_view t : {"true", "1", "yes", "on"}) {
        if (*text == t) return std::optional<bool>(true);
    }
    for (std::string_view f : {"false", "0", "no", "off"}) {
        if (*text == f) return std::optional<bool>(false);
    }
    return fail_field(std::string(name), fmt::format("{}: Input should be a valid boolean", name));
}

void Router::add(Route route) {
    if (!route.handler) throw std::logic_error("route without a handler: " + std::string(route.path));
    if (route.path.empty() || route.path.front() != '/') {
        throw std::logic_error("route path must start with '/': " + std::string(route.path));
    }
    for (const auto& r : routes_) {
        if (r.method == route.method && r.mount == route.mount && shape(r.path) == shape(route.path)) {
            throw std::logic_error("route registered twice: " + std::string(route.path));
        }
    }
    routes_.push_back(std::move(route));
}

std::vector<std::string> Router::served_paths(const Route& route) {
    if (route.mount == Mount::root) return {std::string(route.path)};
    return {"/api" + std::string(route.path), "/api/v1" + std::string(route.path)};
}

RouteMatch Router::match(Method method, std::string_view path) const {
    const auto parts = segments(path);
    RouteMatch result;
    const Route* get_fallback = nullptr;
    std::vector<std::pair<std::string, std::string>> get_params;
    for (const auto& route : routes_) {
        auto pattern = segments(route.path);
        std::vector<std::pair<std::string, std::string>> params;
        bool hit = false;
        if (route.mount == Mount::root) {
            hit = match_pattern(pattern, parts, params);
        } else {
            for (auto prefix :
                 {std::vector<std::string_view>{"api"}, std::vector<std::string_view>{"api", "v1"}}) {
                auto full = prefix;
                full.insert(full.end(), pattern.begin(), pattern.end());
                if (match_pattern(full, parts, params)) {
                    hit = true;
                    break;
                }
            }
        }
        if (!hit) continue;
        if (route.method == method) {
            result.route = &route;
            result.params = std::move(params);
            return result;
        }
        if (method == Method::head && route.method == Method::get && !get_fallback) {
            get_fallback = &route;
            get_params = std::move(params);
        }
        if (std::find(result.allowed.begin(), result.allowed.end(), route.method) == result.allowed.end()) {
            result.allowed.push_back(route.method);
        }
    }
    if (get_fallback) {
        result.route = get_fallback;
        result.params = std::move(get_params);
        result.allowed.clear();
    }
    return result;
}

} // namespace shiksha::server
