#include "http/multipart.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace shiksha::server {

namespace {

bool is_space_or_tab(char c) noexcept {
    return c == ' ' || c == '\t';
}

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = ascii_lower(c);
    return out;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space_or_tab(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space_or_tab(s.back()))
        s.remove_suffix(1);
    return s;
}

std::unexpected<Error> body_error(std::string message) {
    return fail_field("body", std::move(message));
}

// One `name=value` of a header such as Content-Type or Content-Disposition.
struct Parameter {
    std::string name; ///< lower-cased: parameter names are case-insensitive
    std::string value;
    bool quoted = false;
};

// Parses `*( OWS ";" OWS name OWS "=" OWS ( token / quoted-string ) )`, the part after the media or
// disposition type. An unquoted value runs to the next ';' (trimmed), which accepts the
// characters some clients leave unquoted (`boundary=a=b`) without guessing further. Quoted
// values honour quoted-pair escapes. Empty elements (`;;`, a trailing ';') are skipped; a
// repeated parameter is an error because which one wins would be a guess.
Result<std::vector<Parameter>> parse_parameters(std::string_view s, std::string_view header) {
    std::vector<Parameter> params;
    std::size_t i = 0;
    const auto skip_ows = [&] {
        while (i < s.size() && is_space_or_tab(s[i]))
            ++i;
    };
    while (true) {
        skip_ows();
        if (i == s.size()) break;
        if (s[i] != ';') {
            return fail(ErrorCode::invalid_argument,
                        std::string(header) + " has an unexpected character where ';' belongs");
        }
        ++i;
        skip_ows();
        if (i == s.size()) break;
        if (s[i] == ';') continue;
        const std::size_t name_start = i;
        while (i < s.size() && s[i] != '=' && s[i] != ';' && !is_space_or_tab(s[i]))
            ++i;
        std::string name = to_lower(s.substr(name_start, i - name_start));
        skip_ows();
        if (name.empty() || i == s.size() || s[i] != '=') {
            return fail(ErrorCode::invalid_argument,
                        std::string(header) + " has a parameter without a value");
        }
        ++i;
        skip_ows();
        Parameter p{std::move(name), {}, false};
        if (i < s.size() && s[i] == '"') {
            p.quoted = true;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                const char c = s[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < s.size()) {
                    p.value.push_back(s[i++]);
                } else {
                    p.value.push_back(c);
                }
            }
            if (!closed) {
                return fail(ErrorCode::invalid_argument, std::string(header) + " parameter " + p.name +
                                                             " has an unterminated quoted string");
            }
        } else {
            const std::size_t value_start = i;
            while (i < s.size() && s[i] != ';')
                ++i;
            p.value = std::string(trim(s.substr(value_start, i - value_start)));
        }
        const bool repeated =
            std::any_of(params.begin(), params.end(), [&](const Parameter& q) { return q.name == p.name; });
        if (repeated) {
            return fail(ErrorCode::invalid_argument,
                        std::string(header) + " repeats the parameter " + p.name);
        }
        params.push_back(std::move(p));
    }
    return params;
}

const Parameter* find_parameter(const std::vector<Parameter>& params, std::string_view name) {
    for (const auto& p : params) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07u;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cont = static_cast<unsigned char>(s[i + k]);
            if ((cont & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cont & 0x3Fu);
        }
        const char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

// RFC 5987 / 8187 ext-value: charset "'" [ language ] "'" pct-encoded bytes. UTF-8 is what every
// client sends; ISO-8859-1 is the other charset the RFC requires, converted here to UTF-8.
Result<std::string> decode_ext_value(std::string_view ext, std::string_view param) {
    const auto first = ext.find('\'');
    const auto second = first == std::string_view::npos ? first : ext.find('\'', first + 1);
    if (second == std::string_view::npos) {
        return body_error(std::string(param) + " is not of the form charset'language'value");
    }
    const std::string_view charset = ext.substr(0, first);
    const bool utf8 = iequals(charset, "utf-8");
    if (!utf8 && !iequals(charset, "iso-8859-1")) {
        return body_error(std::string(param) + " uses the unsupported charset '" + std::string(charset) +
                          "'");
    }
    const std::string_view encoded = ext.substr(second + 1);
    std::string bytes;
    bytes.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            bytes.push_back(encoded[i]);
            continue;
        }
        const int hi = i + 2 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
        const int lo = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
        if (hi < 0 || lo < 0) return body_error(std::string(param) + " has a malformed percent-encoding");
        bytes.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    if (utf8) {
        if (!is_valid_utf8(bytes)) return body_error(std::string(param) + " is not valid UTF-8");
        return bytes;
    }
    std::string converted;
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80) {
            converted.push_back(c);
        } else {
            converted.push_back(static_cast<char>(0xC0 | (b >> 6)));
            converted.push_back(static_cast<char>(0x80 | (b & 0x3F)));
        }
    }
    return converted;
}

// RFC 2046 §5.1.1 bchars: DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" /
// ":" / "=" / "?" / " ".
bool is_bchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::strchr("'()+_,-./:=? ", c) != nullptr && c != '\0';
}

} // namespace

Result<std::string> MultipartParser::boundary_from_content_type(std::string_view content_type) {
    const std::size_t semicolon = std::min(content_type.find(';'), content_type.size());
    if (!iequals(trim(content_type.substr(0, semicolon)), "multipart/form-data")) {
        return fail(ErrorCode::invalid_argument, "Content-Type must be multipart/form-data");
    }
    auto params = parse_parameters(content_type.substr(semicolon), "Content-Type");
    if (!params) return std::unexpected(std::move(params.error()));
    const Parameter* boundary = find_parameter(*params, "boundary");
    if (boundary == nullptr)
        return fail(ErrorCode::invalid_argument, "Content-Type has no boundary parameter");
    const std::string& b = boundary->value;
    if (b.empty() || b.size() > 70) {
        return fail(ErrorCode::invalid_argument, "the multipart boundary must be 1 to 70 characters long");
    }
    if (!std::all_of(b.begin(), b.end(), is_bchar)) {
        return fail(ErrorCode::invalid_argument,
                    "the multipart boundary contains a character RFC 2046 forbids");
    }
    if (b.back() == ' ')
        return fail(ErrorCode::invalid_argument, "the multipart boundary must not end in a space");
    if (!boundary->quoted && b.find(' ') != std::string::npos) {
        return fail(ErrorCode::invalid_argument, "a multipart boundary containing spaces must be quoted");
    }
    return b;
}

// The body is scanned for the delimiter "\r\n--boundary" with a Knuth-Morris-Pratt matcher. The
// bytes held back while a delimiter might be starting are, by construction, a prefix of the
// delimiter itself, so they are never copied: when a partial match fails, the released bytes are
// emitted straight from `delimiter`. Data therefore reaches on_part_data without buffering, in
// pieces no larger than the fed piece (plus at most boundary + 3 held-back bytes, sent
// separately), and the parser's memory is the header block of one part and nothing else.
//
// Every check fires at a fixed byte of the stream, whatever the feeding pattern: the body limit
// truncates a piece to the bytes still allowed before processing it, and the part limit is
// checked against data that is certain (not held back). One-shot and byte-by-byte parses
// therefore fail with the same error.
struct MultipartParser::Impl {
    enum class State {
        preamble,        ///< before the first delimiter: discarded
        after_delimiter, ///< just matched "\r\n--boundary"
        close_dash,      ///< saw "--boundary-", the second '-' must follow
        padding,         ///< transport padding (spaces, tabs) before the delimiter line's CRLF
        delimiter_lf,    ///< saw the delimiter line's CR
        headers,         ///< part header lines
        header_lf,       ///< saw a header line's CR
        data,            ///< part body
        epilogue,        ///< after the close delimiter: discarded
    };

    std::string delimiter; ///< "\r\n--" + boundary
    std::vector<std::size_t> failure;
    MultipartLimits limits;
    MultipartEvents events;

    State state = State::preamble;
    // The first delimiter may open the body without a CRLF: start as if one had been seen.
    std::size_t matched = 2;
    std::size_t total_bytes = 0;
    std::size_t parts = 0;
    std::size_t part_bytes = 0;
    std::size_t header_bytes = 0;
    std::string part_name; ///< of the part being read, for messages
    std::string line;
    std::vector<std::pair<std::string, std::string>> fields;
    std::optional<Error> error;
    bool finished = false;

    Impl(std::string boundary, MultipartLimits l, MultipartEvents e)
        : delimiter(std::move(boundary.insert(0, "\r\n--"))), limits(l), events(std::move(e)) {
        // failure[k]: length of the longest proper border of delimiter[0, k).
        failure.assign(delimiter.size() + 1, 0);
        std::size_t k = 0;
        for (std::size_t i = 1; i < delimiter.size(); ++i) {
            while (k > 0 && delimiter[i] != delimiter[k])
                k = failure[k];
            if (delimiter[i] == delimiter[k]) ++k;
            failure[i + 1] = k;
        }
    }

    Result<void> stop(Error e) {
        error = e;
        return std::unexpected(std::move(e));
    }

    std::string part_label() const { return "part " + std::to_string(parts); }

    Result<void> emit_data(std::string_view piece) {
        if (piece.empty() || state != State::data) return {};
        if (piece.size() > limits.max_part_bytes - part_bytes) {
            return body_error("part \"" + part_name + "\" exceeds " + std::to_string(limits.max_part_bytes) +
                              " bytes");
        }
        part_bytes += piece.size();
        if (events.on_part_data) return events.on_part_data(piece);
        return {};
    }

    // Scans part data (or the preamble) from in[pos]. Returns the index after the delimiter when
    // one completed, or in.size() when the input ran out first; `found` tells which.
    Result<std::size_t> scan(std::string_view in, std::size_t pos, bool& found) {
        const std::size_t held = matched;
        const std::size_t m = delimiter.size();
        std::size_t i = pos;
        found = false;
        while (i < in.size()) {
            if (matched == 0) {
                const void* cr = std::memchr(in.data() + i, '\r', in.size() - i);
                if (cr == nullptr) {
                    i = in.size();
                    break;
                }
                i = static_cast<std::size_t>(static_cast<const char*>(cr) - in.data());
            }
            const char c = in[i++];
            while (matched > 0 && delimiter[matched] != c)
                matched = failure[matched];
            if (delimiter[matched] == c) ++matched;
            if (matched == m) {
                found = true;
                break;
            }
        }
        // Stream bytes now known to be data: the held-back prefix plus what was scanned, less
        // what is still (or, when found, definitely) delimiter.
        const std::size_t certain = held + (i - pos) - matched;
        const std::size_t from_held = std::min(certain, held);
        if (auto r = emit_data(std::string_view(delimiter).substr(0, from_held)); !r)
            return std::unexpected(r.error());
        if (auto r = emit_data(in.substr(pos, certain - from_held)); !r) return std::unexpected(r.error());
        if (found) matched = 0;
        return i;
    }

    Result<void> begin_part() {
        if (parts == limits.max_parts) {
            return body_error("more than " + std::to_string(limits.max_parts) + " parts");
        }
        ++parts;
        header_bytes = 0;
        line.clear();
        fields.clear();
        state = State::headers;
        return {};
    }

    Result<void> end_header_line() {
        if (is_space_or_tab(line.front())) {
            // obs-fold: the line continues the previous field; unfolding removes only the CRLF.
            if (fields.empty()) return body_error(part_label() + " headers begin with a folded line");
            fields.back().second += line;
        } else {
            const auto colon = line.find(':');
            if (colon == std::string::npos)
                return body_error(part_label() + " has a header line without a colon");
            const std::string_view name = std::string_view(line).substr(0, colon);
            const bool valid_name = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
                return is_space_or_tab(c) || static_cast<unsigned char>(c) < 0x21 || c == 0x7F;
            });
            if (!valid_name) return body_error(part_label() + " has a header with an invalid name");
            fields.emplace_back(to_lower(name), line.substr(colon + 1));
        }
        line.clear();
        return {};
    }

    Result<void> end_headers() {
        PartHeaders headers;
        const std::string* disposition = nullptr;
        const std::string* content_type = nullptr;
        for (const auto& [name, value] : fields) {
            const std::string** slot = name == "content-disposition" ? &disposition
                                       : name == "content-type"      ? &content_type
                                                                     : nullptr;
            if (slot == nullptr) continue;
            if (*slot != nullptr) return body_error(part_label() + " repeats the " + name + " header");
            *slot = &value;
        }
        if (disposition == nullptr) return body_error(part_label() + " has no Content-Disposition header");
        const std::string_view cd = trim(*disposition);
        const std::size_t semicolon = std::min(cd.find(';'), cd.size());
        if (!iequals(trim(cd.substr(0, semicolon)), "form-data")) {
            return body_error(part_label() + " has a Content-Disposition other than form-data");
        }
        auto params = parse_parameters(cd.substr(semicolon), part_label() + " Content-Disposition");
        if (!params) return body_error(std::move(params.error().message));
        const Parameter* name = find_parameter(*params, "name");
        if (const Parameter* ext = find_parameter(*params, "name*")) {
            auto decoded = decode_ext_value(ext->value, part_label() + " name*");
            if (!decoded) return std::unexpected(decoded.error());
            headers.name = std::move(*decoded);
        } else if (name != nullptr) {
            headers.name = name->value;
        } else {
            return body_error(part_label() + " has no name in its Content-Disposition");
        }
        if (const Parameter* ext = find_parameter(*params, "filename*")) {
            auto decoded = decode_ext_value(ext->value, part_label() + " filename*");
            if (!decoded) return std::unexpected(decoded.error());
            headers.filename = std::move(*decoded);
        } else if (const Parameter* filename = find_parameter(*params, "filename")) {
            headers.filename = filename->value;
        }
        headers.content_type = content_type == nullptr ? "text/plain" : std::string(trim(*content_type));
        if (headers.content_type.empty()) headers.content_type = "text/plain";

        fields.clear();
        line.clear();
        line.shrink_to_fit();
        state = State::data;
        matched = 0;
        part_bytes = 0;
        part_name = headers.name;
        if (events.on_part_begin) return events.on_part_begin(headers);
        return {};
    }

    Result<void> header_byte(char c) {
        if (c == '\r') {
            state = State::header_lf;
            if (line.empty()) return {}; // the blank line that ends the headers is not counted
        } else if (c == '\n') {
            return body_error(part_label() + " has a header line that does not end in CRLF");
        } else {
            line.push_back(c);
        }
        if (++header_bytes > limits.max_header_bytes) {
            return body_error("part headers exceed " + std::to_string(limits.max_header_bytes) + " bytes");
        }
        return {};
    }

    Result<void> header_lf_byte(char c) {
        if (c != '\n') return body_error(part_label() + " has a header line that does not end in CRLF");
        if (line.empty()) return end_headers();
        if (++header_bytes > limits.max_header_bytes) {
            return body_error("part headers exceed " + std::to_string(limits.max_header_bytes) + " bytes");
        }
        state = State::headers;
        return end_header_line();
    }

    Result<void> process(std::string_view in) {
        std::size_t i = 0;
        while (i < in.size()) {
            switch (state) {
            case State::preamble:
            case State::data: {
                bool found = false;
                auto next = scan(in, i, found);
                if (!next) return std::unexpected(next.error());
                i = *next;
                if (found) {
                    if (state == State::data && events.on_part_end) {
                        if (auto r = events.on_part_end(); !r) return r;
                    }
                    state = State::after_delimiter;
                }
                continue;
            }
            case State::epilogue: return {};
            default: break;
            }
            const char c = in[i++];
            Result<void> r;
            switch (state) {
            case State::after_delimiter:
                if (c == '-') {
                    state = State::close_dash;
                } else if (is_space_or_tab(c)) {
                    state = State::padding;
                } else if (c == '\r') {
                    state = State::delimiter_lf;
                } else {
                    r = body_error("unexpected bytes after a boundary delimiter");
                }
                break;
            case State::close_dash:
                if (c == '-') {
                    state = State::epilogue;
                } else {
                    r = body_error("unexpected bytes after a boundary delimiter");
                }
                break;
            case State::padding:
                if (c == '\r') {
                    state = State::delimiter_lf;
                } else if (!is_space_or_tab(c)) {
                    r = body_error("unexpected bytes after a boundary delimiter");
                }
                break;
            case State::delimiter_lf:
                r = c == '\n' ? begin_part() : body_error("a boundary delimiter line does not end in CRLF");
                break;
            case State::headers: r = header_byte(c); break;
            case State::header_lf: r = header_lf_byte(c); break;
            default: break;
            }
            if (!r) return r;
        }
        return {};
    }
};

MultipartParser::MultipartParser(std::string boundary, MultipartLimits limits, MultipartEvents events)
    : impl_(std::make_unique<Impl>(std::move(boundary), limits, std::move(events))) {}

MultipartParser::~MultipartParser() = default;

Result<void> MultipartParser::feed(std::string_view bytes) {
    Impl& p = *impl_;
    if (p.error) return std::unexpected(*p.error);
    if (p.finished) return p.stop(Error::invalid("body", "multipart data fed after finish()"));
    const std::size_t allowed = p.limits.max_total_bytes - p.total_bytes;
    const bool too_long = bytes.size() > allowed;
    if (too_long) bytes = bytes.substr(0, allowed);
    p.total_bytes += bytes.size();
    if (auto r = p.process(bytes); !r) return p.stop(std::move(r.error()));
    if (too_long) {
        return p.stop(Error::invalid("body", "the body exceeds " + std::to_string(p.limits.max_total_bytes) +
                                                 " bytes"));
    }
    return {};
}

Result<void> MultipartParser::finish() {
    Impl& p = *impl_;
    if (p.error) return std::unexpected(*p.error);
    p.finished = true;
    if (p.state == Impl::State::epilogue) return {};
    if (p.state == Impl::State::preamble)
        return p.stop(Error::invalid("body", "the body contains no multipart boundary"));
    return p.stop(Error::invalid("body", "the closing boundary is missing"));
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view content_type, std::string_view body,
                                                   const MultipartLimits& limits) {
    auto boundary = MultipartParser::boundary_from_content_type(content_type);
    if (!boundary) return std::unexpected(std::move(boundary.error()));
    std::vector<MultipartPart> parts;
    MultipartEvents events;
    events.on_part_begin = [&](const PartHeaders& h) -> Result<void> {
        parts.push_back(MultipartPart{h, {}});
        return {};
    };
    events.on_part_data = [&](std::string_view data) -> Result<void> {
        parts.back().data.append(data);
        return {};
    };
    MultipartParser parser(std::move(*boundary), limits, std::move(events));
    if (auto r = parser.feed(body); !r) return std::unexpected(std::move(r.error()));
    if (auto r = parser.finish(); !r) return std::unexpected(std::move(r.error()));
    return parts;
}

} // namespace shiksha::server
