#include "net/http_client.hpp"

#include "shiksha/json.hpp"
#include "shiksha/version.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <random>
#include <thread>

namespace shiksha::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t max_body_bytes = std::size_t{64} << 20;
constexpr std::size_t max_header_bytes = std::size_t{64} << 10;
constexpr std::size_t max_message_bytes = 1000; // an upstream message longer than this is cut

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), ascii_lower);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::ranges::equal(a, b, [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view text) noexcept {
    constexpr std::string_view space = " \t\r\n";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(space);
    return text.substr(first, last - first + 1);
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// RFC 9110 token characters (method and header names).
bool is_token(std::string_view text) noexcept {
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::ranges::all_of(text, [&](char c) {
        return is_alpha(c) || is_digit(c) || extra.find(c) != std::string_view::npos;
    });
}

/// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) noexcept {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U)
        --end;
    return text.substr(0, end);
}

/// Upstream text goes into error messages and logs: one line, no control characters.
std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
        if (c == ' ' && space) continue;
        space = c == ' ';
        out.push_back(c);
    }
    return std::string(trim(out));
}

/// A URL for an error message: no userinfo, query or fragment (API keys travel there).
std::string redact_url(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto scheme_end = url.find("://");
    const auto authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto authority_end = url.find('/', authority_start);
    const auto at = url.substr(0, authority_end).rfind('@');
    if (at == std::string_view::npos || at < authority_start) return std::string(url);
    return fmt::format("{}***@{}", url.substr(0, authority_start), url.substr(at + 1));
}

std::optional<std::uint64_t> parse_uint(std::string_view digits) noexcept {
    if (digits.empty() || !std::ranges::all_of(digits, is_digit)) return std::nullopt;
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
    return value;
}

/// `host` as it appears in a Host header or CONNECT target: IPv6 literals in brackets.
std::string host_for_header(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string authority(const ParsedUrl& url) {
    return fmt::format("{}:{}", host_for_header(url.host), url.port);
}

int hex_value(char c) noexcept {
    if (is_digit(c)) return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

/// A DNS name as URLs carry it: letters, digits, '-', '_' in non-empty dot-separated labels.
bool is_reg_name(std::string_view host) noexcept {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return label > 0;
}

/// Both addresses as 16 bytes (IPv4 mapped into IPv6) so one prefix comparison serves both.
std::array<unsigned char, 16> address_bytes(const asio::ip::address& address) {
    if (address.is_v6()) return address.to_v6().to_bytes();
    return asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
}

bool same_prefix(const asio::ip::address& a, const asio::ip::address& b, unsigned bits) {
    const auto x = address_bytes(a);
    const auto y = address_bytes(b);
    for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
        const unsigned take = std::min(bits, 8U);
        const auto mask = static_cast<unsigned char>(0xFFU << (8 - take));
        if ((x[i] & mask) != (y[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

std::optional<asio::ip::address> parse_ip(std::string_view text) {
    if (text.find('%') != std::string_view::npos) return std::nullopt; // no zone ids
    beast::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return address;
}

// --- HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate, RFC 850 and asctime ----------------------

std::optional<unsigned> month_number(std::string_view name) noexcept {
    constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
    for (unsigned i = 0; i < months.size(); ++i) {
        if (iequals(name, months[i])) return i + 1;
    }
    return std::nullopt;
}

std::optional<std::chrono::seconds> parse_clock(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
    const auto h = parse_uint(text.substr(0, 2));
    const auto m = parse_uint(text.substr(3, 2));
    const auto s = parse_uint(text.substr(6, 2));
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
    return std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*s);
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    // Commas and the dashes of RFC 850 dates separate fields like spaces do.
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '-'))
            ++i;
        const auto start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '-')
            ++i;
        if (i > start) fields.push_back(text.substr(start, i - start));
    }
    std::optional<std::uint64_t> day, year;
    std::optional<unsigned> month;
    std::optional<std::chrono::seconds> clock;
    if (fields.size() == 6 && iequals(fields[5], "GMT")) { // "Sun, 06 Nov 1994 08:49:37 GMT"
        day = parse_uint(fields[1]);
        month = month_number(fields[2]);
        year = parse_uint(fields[3]);
        clock = parse_clock(fields[4]);
        // RFC 850 two-digit years: RFC 9110 says to read them as the most recent matching year.
        if (year && fields[3].size() == 2) *year += *year >= 70 ? 1900 : 2000;
    } else if (fields.size() == 5) { // asctime: "Sun Nov  6 08:49:37 1994"
        month = month_number(fields[1]);
        day = parse_uint(fields[2]);
        clock = parse_clock(fields[3]);
        year = parse_uint(fields[4]);
    }
    if (!day || !month || !year || !clock || *year < 1900 || *year > 9999 || *day > 31) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                           std::chrono::month(*month),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days(date) + *clock;
}

// --- one attempt -----------------------------------------------------------------------------------

/// A failed attempt: the error to report if it is the last, and whether another try may help.
struct Failure {
    Error error;
    bool retryable = true;
};
using Attempt = std::expected<HttpResponse, Failure>;

Failure network_failure(ErrorCode code, std::string message, bool retryable = true) {
    return Failure{Error{code, std::move(message), {}}, retryable};
}

/// Runs one asynchronous operation to completion. The client is synchronous, but only
/// asynchronous operations honour beast::tcp_stream's expiry, so every step goes through here.
template <class Start>
beast::error_code run_one(asio::io_context& ioc, Start&& start) {
    beast::error_code result = asio::error::operation_aborted;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

std::string attempts_text(int attempts) {
    return attempts == 1 ? std::string("1 attempt") : fmt::format("{} attempts", attempts);
}

bool is_timeout(const beast::error_code& ec) noexcept {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

struct ProxyTarget {
    ParsedUrl url;
    std::string authorization; ///< "Basic …" or empty; never appears in a message
};

Result<ProxyTarget> parse_proxy(std::string_view text) {
    // parse_url refuses userinfo (it would leak into messages), so take it off first.
    std::string without_userinfo(text);
    std::string userinfo;
    const auto scheme_end = text.find("://");
    if (scheme_end != std::string_view::npos) {
        const auto start = scheme_end + 3;
        const auto authority_end = text.find_first_of("/?#", start);
        const auto at = text.substr(0, authority_end).rfind('@');
        if (at != std::string_view::npos && at >= start) {
            userinfo = std::string(text.substr(start, at - start));
            without_userinfo = std::string(text.substr(0, start)) + std::string(text.substr(at + 1));
        }
    }
    auto url = parse_url(without_userinfo);
    if (!url) {
        return fail_field("https_proxy", fmt::format("HTTPS_PROXY is not a valid proxy URL ({}): {}",
                                                     redact_url(text), url.error().message));
    }
    if (url->scheme != "http") {
        return fail_field("https_proxy",
                          "HTTPS_PROXY must be an http:// proxy URL (CONNECT is sent in clear text)");
    }
    ProxyTarget proxy{std::move(*url), {}};
    if (!userinfo.empty()) {
        const auto colon = userinfo.find(':');
        const std::string user = percent_decode(std::string_view(userinfo).substr(0, colon));
        const std::string pass = colon == std::string::npos
                                     ? std::string()
                                     : percent_decode(std::string_view(userinfo).substr(colon + 1));
        proxy.authorization = "Basic " + base64(user + ":" + pass);
    }
    return proxy;
}

} // namespace

// --- public helpers --------------------------------------------------------------------------------

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

Result<ParsedUrl> parse_url(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return fail_field("url", fmt::format("invalid URL '{}': {}", redact_url(url), why));
    };
    if (url.empty()) return fail_field("url", "invalid URL: it is empty");
    for (char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f) {
            return bad("it contains a space, a control or a non-ASCII character (percent-encode them)");
        }
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return bad("it has no scheme (expected http:// or https://)");
    ParsedUrl out;
    out.scheme = to_lower(url.substr(0, scheme_end));
    if (out.scheme != "http" && out.scheme != "https") return bad("the scheme must be http or https");

    const std::string_view rest = url.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail =
        authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) return bad("credentials in the URL are not supported");
    if (authority.empty()) return bad("it has no host");

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad("an IPv6 address is missing its closing ']'");
        host = authority.substr(1, close - 1);
        const auto ip = parse_ip(host);
        if (!ip || !ip->is_v6()) return bad("the text in brackets is not an IPv6 address");
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("unexpected text after the IPv6 address");
            port_text = after.substr(1);
            has_port = true;
        }
        out.host = to_lower(ip->to_string());
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
            return bad("IPv6 addresses must be written in brackets, e.g. http://[::1]:8080/");
        }
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            has_port = true;
        }
        if (!is_reg_name(host))
            return bad("the host name is empty or has characters a host name cannot have");
        out.host = to_lower(host);
    }
    if (has_port) {
        const auto port = parse_uint(port_text);
        if (!port || port_text.size() > 5 || *port == 0 || *port > 65535)
            return bad("the port must be 1..65535");
        out.port = static_cast<std::uint16_t>(*port);
    } else {
        out.port = out.scheme == "https" ? 443 : 80;
    }

    tail = tail.substr(0, tail.find('#'));
    out.target = (tail.empty() || tail.front() == '?') ? "/" + std::string(tail) : std::string(tail);
    return out;
}

std::optional<milliseconds> parse_go_duration(std::string_view text) {
    // Go's time.Duration.String(): a sequence of decimal numbers with units, e.g. "1h2m3.5s".
    if (text == "0") return milliseconds(0);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    struct Unit {
        std::string_view name;
        std::uint64_t nanos;
    };
    // Longer names first so "ms" is not read as minutes followed by garbage.
    constexpr std::array<Unit, 8> units{{{"ns", 1},
                                         {"us", 1'000},
                                         {"\xC2\xB5s", 1'000}, // U+00B5 micro sign
                                         {"\xCE\xBCs", 1'000}, // U+03BC Greek mu
                                         {"ms", 1'000'000},
                                         {"s", 1'000'000'000},
                                         {"m", 60'000'000'000},
                                         {"h", 3'600'000'000'000}}};
    constexpr std::uint64_t max_nanos = std::numeric_limits<std::int64_t>::max(); // Go's limit too
    std::uint64_t total = 0;
    while (!text.empty()) {
        std::size_t i = 0;
        while (i < text.size() && is_digit(text[i]))
            ++i;
        const std::string_view whole = text.substr(0, i);
        std::string_view fraction;
        if (i < text.size() && text[i] == '.') {
            const auto start = ++i;
            while (i < text.size() && is_digit(text[i]))
                ++i;
            fraction = text.substr(start, i - start);
        }
        if (whole.empty() && fraction.empty()) return std::nullopt;
        text.remove_prefix(i);
        const Unit* unit = nullptr;
        for (const auto& u : units) {
            if (text.starts_with(u.name)) {
                unit = &u;
                break;
            }
        }
        if (unit == nullptr) return std::nullopt; // a number without a unit, or an unknown unit
        text.remove_prefix(unit->name.size());

        std::uint64_t nanos = 0;
        if (!whole.empty()) {
            const auto value = parse_uint(whole);
            if (!value || __builtin_mul_overflow(*value, unit->nanos, &nanos)) return std::nullopt;
        }
        if (!fraction.empty()) {
            // Digits beyond 18 cannot change the result at nanosecond resolution.
            const std::string_view digits = fraction.substr(0, 18);
            const double scaled = static_cast<double>(*parse_uint(digits)) / std::pow(10.0, digits.size()) *
                                  static_cast<double>(unit->nanos);
            nanos += static_cast<std::uint64_t>(std::llround(scaled));
        }
        if (__builtin_add_overflow(total, nanos, &total) || total > max_nanos) return std::nullopt;
    }
    // Round up: waiting a fraction of a millisecond too long is harmless, too short is a 429.
    return milliseconds(static_cast<milliseconds::rep>((total + 999'999) / 1'000'000));
}

std::optional<milliseconds> retry_after(const HttpResponse& response,
                                        std::chrono::system_clock::time_point now) {
    if (const auto value = response.header("retry-after")) {
        const std::string_view text = trim(*value);
        // delta-seconds; a fraction ("1.5") is not in the RFC but some servers send it.
        const auto dot = text.find('.');
        const std::string_view fraction = dot == std::string_view::npos ? "0" : text.substr(dot + 1);
        const auto seconds = parse_uint(text.substr(0, dot));
        if (seconds && parse_uint(fraction)) {
            // Anything beyond a day is nonsense for a retry (and would overflow below).
            const auto whole = std::min<std::uint64_t>(*seconds, 86'400);
            std::string millis(fraction.substr(0, 3));
            millis.resize(3, '0');
            return milliseconds(static_cast<milliseconds::rep>(whole * 1000 + *parse_uint(millis)));
        }
        if (const auto date = parse_http_date(text)) {
            if (*date <= now) return milliseconds(0);
            return std::chrono::ceil<milliseconds>(*date - now);
        }
    }
    std::optional<milliseconds> longest;
    for (const auto& [name, value] : response.headers) {
        if (!istarts_with(name, "x-ratelimit-reset-")) continue;
        if (const auto wait = parse_go_duration(trim(value)); wait && (!longest || *wait > *longest))
            longest = wait;
    }
    return longest;
}

bool bypasses_proxy(std::string_view host, std::string_view no_proxy) {
    std::string name = to_lower(host);
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
    while (!name.empty() && name.back() == '.')
        name.pop_back();
    if (name.empty()) return false;
    const auto host_ip = parse_ip(name);

    std::size_t pos = 0;
    while (pos <= no_proxy.size()) {
        const auto end = std::min(no_proxy.find_first_of(", \t", pos), no_proxy.size());
        std::string entry = to_lower(no_proxy.substr(pos, end - pos));
        pos = end + 1;
        if (entry.empty()) continue;
        if (entry == "*") return true;

        // Drop a port ("host:8080", "[::1]:8080"); a bare IPv6 address has several colons.
        if (entry.front() == '[') {
            const auto close = entry.find(']');
            if (close == std::string::npos) continue;
            const std::string after = entry.substr(close + 1);
            entry = entry.substr(1, close - 1) + (after.starts_with('/') ? after : std::string());
        } else if (std::ranges::count(entry, ':') == 1) {
            entry = entry.substr(0, entry.find(':'));
        }

        if (const auto slash = entry.find('/'); slash != std::string::npos) { // CIDR: 10.0.0.0/8
            const auto network = parse_ip(std::string_view(entry).substr(0, slash));
            const auto bits = parse_uint(std::string_view(entry).substr(slash + 1));
            if (!network || !bits || !host_ip || network->is_v6() != host_ip->is_v6()) continue;
            const std::uint64_t max_bits = network->is_v6() ? 128 : 32;
            if (*bits > max_bits) continue;
            const auto offset = network->is_v6() ? 0U : 96U; // IPv4 compares inside the mapped form
            if (same_prefix(*network, *host_ip, static_cast<unsigned>(*bits) + offset)) return true;
            continue;
        }
        if (const auto entry_ip = parse_ip(entry)) {
            if (host_ip && *host_ip == *entry_ip) return true;
            continue;
        }
        std::string_view suffix = entry;
        if (suffix.starts_with("*.")) suffix.remove_prefix(2);
        while (suffix.starts_with('.'))
            suffix.remove_prefix(1);
        while (suffix.ends_with('.'))
            suffix.remove_suffix(1);
        if (suffix.empty()) continue;
        if (name == suffix) return true;
        if (name.size() > suffix.size() && name.ends_with(suffix) &&
            name[name.size() - suffix.size() - 1] == '.') {
            return true;
        }
    }
    return false;
}

std::string upstream_message(std::string_view body) {
    const std::string_view text = trim(body);
    if (text.empty()) return {};
    const auto capped = [](std::string_view message) {
        return one_line(utf8_prefix(message, max_message_bytes));
    };
    if (text.front() == '{' || text.front() == '[') {
        if (const auto parsed = Json::parse(text); parsed) {
            const Json* root = &*parsed;
            // Google sometimes wraps the error object in an array.
            if (root->is_array() && !root->as_array().empty()) root = &root->as_array().front();
            if (root->is_object()) {
                if (const Json* error = root->find("error")) {
                    if (error->is_string() && !error->as_string().empty()) return capped(error->as_string());
                    if (const Json* message = error->find("message"); message && message->is_string()) {
                        return capped(message->as_string());
                    }
                }
                if (const Json* message = root->find("message"); message && message->is_string()) {
                    return capped(message->as_string());
                }
                if (const Json* detail = root->find("detail")) {
                    if (detail->is_string()) return capped(detail->as_string());
                    if (detail->is_array()) { // FastAPI validation errors: [{"loc": [...], "msg": "..."}]
                        std::string joined;
                        for (const Json& item : detail->as_array()) {
                            const Json* msg = item.find("msg");
                            if (msg == nullptr || !msg->is_string()) continue;
                            std::string where;
                            if (const Json* loc = item.find("loc"); loc && loc->is_array()) {
                                for (const Json& part : loc->as_array()) {
                                    if (!where.empty()) where += '.';
                                    where += part.is_string() ? part.as_string() : part.dump();
                                }
                            }
                            if (!joined.empty()) joined += "; ";
                            joined += where.empty() ? msg->as_string() : where + ": " + msg->as_string();
                        }
                        if (!joined.empty()) return capped(joined);
                    }
                    return capped(detail->dump());
                }
            }
        }
    }
    return one_line(utf8_prefix(text, 200));
}

// --- the client ------------------------------------------------------------------------------------

struct HttpClient::Impl {
    NetConfig config;
    // Mutable: SSL objects are made from it by const send(); OpenSSL allows that concurrently
    // once the context is set up, which the constructor finishes.
    mutable std::optional<ssl::context> tls;
    std::optional<Error> tls_error; ///< why `tls` could not be set up; reported by https sends
    std::optional<ProxyTarget> proxy;
    std::optional<Error> proxy_error;
    mutable std::mutex sleeper_mu;
    std::function<void(milliseconds)> sleeper; ///< empty: sleep, waking up for cancellation

    explicit Impl(NetConfig net) : config(std::move(net)) {
        setup_tls();
        if (!config.https_proxy.empty()) {
            if (auto parsed = parse_proxy(config.https_proxy)) {
                proxy = std::move(*parsed);
            } else {
                proxy_error = parsed.error();
            }
        }
    }

    void setup_tls() {
        beast::error_code ec;
        try {
            tls.emplace(ssl::context::tls_client);
        } catch (const std::exception& e) {
            tls_error =
                Error{ErrorCode::internal, fmt::format("cannot create a TLS context: {}", e.what()), {}};
            return;
        }
        SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
        tls->set_verify_mode(ssl::verify_peer, ec);
        if (!config.ca_file.empty()) {
            tls->load_verify_file(config.ca_file, ec);
            if (ec) {
                tls_error = Error{
                    ErrorCode::invalid_argument,
                    fmt::format("cannot load the CA bundle {}: {}", config.ca_file, ec.message()), "ca_file"};
            }
        } else {
            tls->set_default_verify_paths(ec);
            if (ec) {
                tls_error = Error{ErrorCode::unavailable,
                                  fmt::format("cannot load the system CA certificates: {}", ec.message()),
                                  {}};
            }
        }
    }

    [[nodiscard]] milliseconds backoff(int retry) const {
        // Full jitter (a uniform wait in [0, cap]) spreads clients that failed together.
        const auto base = std::max<std::int64_t>(config.backoff_base.count(), 0);
        const auto ceiling = std::max<std::int64_t>(config.backoff_max.count(), 0);
        const int shift = std::clamp(retry - 1, 0, 30);
        const auto cap = std::min(ceiling, base > (ceiling >> shift) ? ceiling : base << shift);
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return milliseconds(std::uniform_int_distribution<std::int64_t>(0, cap)(rng));
    }

    /// False when cancelled before the wait is over.
    bool wait(milliseconds duration, const CancelToken* cancel) const {
        std::function<void(milliseconds)> custom;
        {
            const std::lock_guard lock(sleeper_mu);
            custom = sleeper;
        }
        if (custom) {
            custom(duration);
        } else {
            const auto until = std::chrono::steady_clock::now() + duration;
            while (!(cancel && cancel->cancelled())) {
                const auto left = until - std::chrono::steady_clock::now();
                if (left <= std::chrono::steady_clock::duration::zero()) break;
                std::this_thread::sleep_for(
                    std::min<std::chrono::steady_clock::duration>(left, milliseconds(50)));
            }
        }
        return !(cancel && cancel->cancelled());
    }

    Result<HttpResponse> send(const HttpRequest& request, const CancelToken* cancel) const {
        auto url = parse_url(request.url);
        if (!url) return std::unexpected(url.error());
        if (!is_token(request.method)) {
            return fail_field("method", fmt::format("'{}' is not an HTTP method", one_line(request.method)));
        }
        for (const auto& [name, value] : request.headers) {
            if (!is_token(name)) {
                return fail_field("headers", fmt::format("'{}' is not a valid header name", one_line(name)));
            }
            // The value is not quoted back: it may be a credential.
            if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
                return fail_field("headers",
                                  fmt::format("the value of header {} contains a line break or NUL", name));
            }
        }
        const auto started = std::chrono::steady_clock::now();
        const int max_attempts = request.single_attempt ? 1 : std::max(config.max_attempts, 1);
        const auto cancelled = [&] {
            return fail(ErrorCode::deadline_exceeded,
                        fmt::format("the request to {} was cancelled", url->host));
        };
        for (int attempt = 1;; ++attempt) {
            if (cancel && cancel->cancelled()) return cancelled();
            auto outcome = attempt_once(*url, request);
            std::optional<milliseconds> hint;
            if (outcome) {
                outcome->attempts = attempt;
                outcome->elapsed =
                    std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
                const int status = outcome->status;
                const bool retryable =
                    status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
                if (!retryable || request.single_attempt) return std::move(*outcome);
                if (attempt >= max_attempts) return final_status_error(url->host, *outcome);
                hint = retry_after(*outcome, std::chrono::system_clock::now());
            } else {
                Error error = std::move(outcome.error().error);
                if (!outcome.error().retryable || attempt >= max_attempts) {
                    if (attempt > 1) error.message += fmt::format(" (after {})", attempts_text(attempt));
                    return std::unexpected(std::move(error));
                }
            }
            const auto pause = hint ? std::min(*hint, config.backoff_max) : backoff(attempt);
            if (!wait(std::max(pause, milliseconds(0)), cancel)) return cancelled();
        }
    }

    static std::unexpected<Error> final_status_error(const std::string& host, const HttpResponse& response) {
        const std::string upstream = upstream_message(response.body);
        const std::string reason =
            std::string(http::obsolete_reason(static_cast<http::status>(response.status)));
        std::string message = response.status == 429
                                  ? fmt::format("{} is rate limiting requests: {} {} after {}", host,
                                                response.status, reason, attempts_text(response.attempts))
                                  : fmt::format("{} is unavailable: {} {} after {}", host, response.status,
                                                reason, attempts_text(response.attempts));
        if (!upstream.empty()) message += ": " + upstream;
        return fail(response.status == 429 ? ErrorCode::rate_limited : ErrorCode::unavailable,
                    std::move(message));
    }

    Attempt attempt_once(const ParsedUrl& url, const HttpRequest& request) const {
        const bool https = url.scheme == "https";
        // HTTPS_PROXY is for https:// only, as curl and Python read it; http:// goes direct.
        const bool via_proxy =
            https && !config.https_proxy.empty() && !bypasses_proxy(url.host, config.no_proxy);
        if (via_proxy && proxy_error) return std::unexpected(Failure{*proxy_error, false});
        if (https && tls_error) return std::unexpected(Failure{*tls_error, false});

        asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        const ParsedUrl& first_hop = via_proxy ? proxy->url : url;
        const std::string hop_name =
            via_proxy ? fmt::format("the proxy {} (for {})", authority(proxy->url), url.host)
                      : authority(url);

        // DNS is synchronous: getaddrinfo cannot be interrupted, so an asynchronous resolve with
        // a timer would still wait for it. The system resolver's own timeout applies.
        beast::error_code ec;
        tcp::resolver resolver(ioc);
        const auto endpoints = resolver.resolve(first_hop.host, std::to_string(first_hop.port), ec);
        if (ec) {
            const bool permanent = ec == asio::error::host_not_found;
            return std::unexpected(
                network_failure(ErrorCode::unavailable,
                                fmt::format("cannot resolve {}: {}", hop_name, ec.message()), !permanent));
        }
        stream.expires_after(config.connect_timeout);
        ec = run_one(ioc, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
        if (ec) {
            if (is_timeout(ec)) {
                return std::unexpected(network_failure(
                    ErrorCode::deadline_exceeded, fmt::format("connecting to {} timed out after {} ms",
                                                              hop_name, config.connect_timeout.count())));
            }
            return std::unexpected(network_failure(
                ErrorCode::unavailable, fmt::format("cannot connect to {}: {}", hop_name, ec.message())));
        }
        if (via_proxy) {
            if (auto tunnel = open_tunnel(ioc, stream, url); !tunnel)
                return std::unexpected(std::move(tunnel.error()));
        }
        if (!https) return exchange(ioc, stream, stream, url, request);

        beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
        SSL* native = secure.native_handle();
        if (parse_ip(url.host)) {
            // RFC 6066 forbids IP literals in SNI; the certificate must list the address instead.
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), url.host.c_str());
        } else {
            // SSL_set_tlsext_host_name() spelled out: the macro's C cast trips -Wold-style-cast.
            SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(url.host.c_str()));
            SSL_set_hostflags(native, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(native, url.host.c_str());
        }
        beast::get_lowest_layer(secure).expires_after(config.connect_timeout);
        ec = run_one(
            ioc, [&](auto handler) { secure.async_handshake(ssl::stream_base::client, std::move(handler)); });
        if (ec) {
            if (is_timeout(ec)) {
                return std::unexpected(
                    network_failure(ErrorCode::deadline_exceeded,
                                    fmt::format("the TLS handshake with {} timed out after {} ms", url.host,
                                                config.connect_timeout.count())));
            }
            const long verify = SSL_get_verify_result(native);
            if (verify != X509_V_OK) {
                // A certificate that fails today fails on the next try too.
                return std::unexpected(
                    network_failure(ErrorCode::unavailable,
                                    fmt::format("TLS certificate verification failed for {}: {}", url.host,
                                                X509_verify_cert_error_string(verify)),
                                    false));
            }
            const bool tls_alert = ec.category() == asio::error::get_ssl_category();
            return std::unexpected(network_failure(
                ErrorCode::unavailable,
                fmt::format("the TLS handshake with {} failed: {}", url.host, ec.message()), !tls_alert));
        }
        return exchange(ioc, secure, beast::get_lowest_layer(secure), url, request);
    }

    /// CONNECT host:port through the proxy; on success `stream` is a tunnel to the origin.
    std::expected<void, Failure> open_tunnel(asio::io_context& ioc, beast::tcp_stream& stream,
                                             const ParsedUrl& url) const {
        const std::string target = authority(url);
        const std::string proxy_name = authority(proxy->url);
        http::request<http::empty_body> connect{http::verb::connect, target, 11};
        connect.set(http::field::host, target);
        connect.set(http::field::user_agent, fmt::format("shiksha/{}", version_string));
        if (!proxy->authorization.empty())
            connect.set(http::field::proxy_authorization, proxy->authorization);

        stream.expires_after(config.connect_timeout);
        auto ec = run_one(ioc, [&](auto handler) { http::async_write(stream, connect, std::move(handler)); });
        beast::flat_buffer buffer;
        http::response_parser<http::empty_body> parser;
        parser.header_limit(max_header_bytes);
        parser.skip(true); // a 2xx answer to CONNECT has no body, whatever its headers say
        if (!ec)
            ec = run_one(ioc, [&](auto handler) {
                http::async_read_header(stream, buffer, parser, std::move(handler));
            });
        if (ec) {
            if (is_timeout(ec)) {
                return std::unexpected(
                    network_failure(ErrorCode::deadline_exceeded,
                                    fmt::format("the proxy {} did not open a tunnel to {} within {} ms",
                                                proxy_name, target, config.connect_timeout.count())));
            }
            return std::unexpected(network_failure(
                ErrorCode::unavailable, fmt::format("the proxy {} failed while opening a tunnel to {}: {}",
                                                    proxy_name, target, ec.message())));
        }
        const auto& answer = parser.get();
        const int status = static_cast<int>(answer.result_int());
        if (status / 100 != 2) {
            std::string message = fmt::format("the proxy {} refused to open a tunnel to {}: {} {}",
                                              proxy_name, target, status, std::string(answer.reason()));
            if (status == 407) message += " (check the user and password in HTTPS_PROXY)";
            const bool retryable = status == 502 || status == 503 || status == 504;
            return std::unexpected(network_failure(ErrorCode::unavailable, std::move(message), retryable));
        }
        if (buffer.size() != 0) {
            return std::unexpected(
                network_failure(ErrorCode::unavailable,
                                fmt::format("the proxy {} sent unexpected data after opening a tunnel to {}",
                                            proxy_name, target)));
        }
        return {};
    }

    /// Writes the request and reads the answer on an established connection.
    template <class Stream>
    Attempt exchange(asio::io_context& ioc, Stream& stream, beast::tcp_stream& lowest, const ParsedUrl& url,
                     const HttpRequest& request) const {
        http::request<http::string_body> out;
        out.version(11);
        const http::verb verb = http::string_to_verb(request.method);
        if (verb == http::verb::unknown) {
            out.method_string(request.method);
        } else {
            out.method(verb);
        }
        out.target(url.target);
        const bool default_port = url.port == (url.scheme == "https" ? 443 : 80);
        out.set(http::field::host, default_port ? host_for_header(url.host) : authority(url));
        out.set(http::field::user_agent, fmt::format("shiksha/{}", version_string));
        // A connection per send, so say so; the server need not keep it open for us.
        out.set(http::field::connection, "close");
        for (const auto& [name, value] : request.headers) {
            if (iequals(name, "host") || iequals(name, "user-agent") || iequals(name, "connection"))
                out.erase(name);
        }
        for (const auto& [name, value] : request.headers) {
            out.insert(name, value);
        }
        out.body() = request.body;
        if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put ||
            verb == http::verb::patch) {
            out.prepare_payload();
        }

        lowest.expires_after(config.read_timeout);
        auto ec = run_one(ioc, [&](auto handler) { http::async_write(stream, out, std::move(handler)); });
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(max_body_bytes);
        parser.header_limit(max_header_bytes);
        if (verb == http::verb::head) parser.skip(true);
        if (!ec)
            ec = run_one(ioc,
                         [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
        if (ec) {
            if (is_timeout(ec)) {
                return std::unexpected(network_failure(
                    ErrorCode::deadline_exceeded,
                    fmt::format("{} did not answer within {} ms", url.host, config.read_timeout.count())));
            }
            if (ec == http::error::body_limit) {
                return std::unexpected(
                    network_failure(ErrorCode::unavailable,
                                    fmt::format("the answer from {} is larger than {} MiB; refused", url.host,
                                                max_body_bytes >> 20),
                                    false));
            }
            if (ec == http::error::header_limit) {
                return std::unexpected(
                    network_failure(ErrorCode::unavailable,
                                    fmt::format("the headers from {} are larger than {} KiB; refused",
                                                url.host, max_header_bytes >> 10),
                                    false));
            }
            return std::unexpected(
                network_failure(ErrorCode::unavailable,
                                fmt::format("the connection to {} failed: {}", url.host, ec.message())));
        }
        auto answer = parser.release();
        HttpResponse response;
        response.status = static_cast<int>(answer.result_int());
        for (const auto& field : answer) {
            response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        response.body = std::move(answer.body());
        return response;
    }
};

namespace {

struct EndpointTable {
    std::mutex mu;
    std::map<std::string, EndpointHealth, std::less<>> rows;
};

EndpointTable& endpoints() {
    static EndpointTable table; // process-wide: outcomes per endpoint, whichever client sent
    return table;
}

void record_outcome(const HttpRequest& request, const Result<HttpResponse>& result) {
    auto key = endpoint_key(request.url);
    if (key.empty()) return;
    std::string error;
    if (!result)
        error = result.error().message;
    else if (result->status >= 400)
        error = fmt::format("HTTP {}: {}", result->status, upstream_message(result->body));
    auto& table = endpoints();
    const std::lock_guard lock(table.mu);
    auto& row = table.rows[key];
    ++row.calls;
    if (error.empty()) {
        row.last_success = now_utc();
    } else {
        ++row.failures;
        row.last_failure = now_utc();
        row.last_error = std::move(error);
    }
}

} // namespace

std::string endpoint_key(std::string_view url) {
    auto parsed = parse_url(url);
    if (!parsed) return {};
    return fmt::format("{}:{}", parsed->host, parsed->port);
}

std::optional<EndpointHealth> endpoint_health(std::string_view key) {
    auto& table = endpoints();
    const std::lock_guard lock(table.mu);
    auto it = table.rows.find(key);
    if (it == table.rows.end()) return std::nullopt;
    return it->second;
}

HttpClient::HttpClient(NetConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::send(const HttpRequest& request, const CancelToken* cancel) const {
    // Nothing thrown by Asio, Beast or the allocator crosses this line.
    try {
        auto result = impl_->send(request, cancel);
        record_outcome(request, result);
        return result;
    } catch (const std::bad_alloc&) {
        return fail(ErrorCode::internal, "out of memory while sending an HTTP request");
    } catch (const std::exception& e) {
        return fail(ErrorCode::internal, fmt::format("unexpected failure in the HTTP client: {}", e.what()));
    }
}

void HttpClient::set_sleeper(std::function<void(milliseconds)> sleeper) {
    const std::lock_guard lock(impl_->sleeper_mu);
    impl_->sleeper = std::move(sleeper);
}

} // namespace shiksha::detail
