#pragma once
// multipart/form-data (RFC 7578 / RFC 2046) as an incremental parser: feed() takes the body
// in pieces of any size (one byte at a time works), parts are reported through callbacks as
// they complete, and every limit is enforced while parsing, never after buffering the lot.
//
//     auto boundary = MultipartParser::boundary_from_content_type(req.header("Content-Type"));
//     MultipartParser parser(*boundary, limits, events);
//     parser.feed(first_piece); parser.feed(second_piece); parser.finish();
//
// Errors are `invalid_argument` with a message naming the problem ("part headers exceed 8192
// bytes", "more than 16 parts", "the closing boundary is missing", ...). After an error the
// parser stays failed. Not thread-safe (one parser per request).
//
// Data is never buffered: each on_part_data piece is a slice of what was just fed or, separately,
// the at most boundary + 3 bytes held back because they might have started a delimiter. An error
// returned by a callback stops the parse and is returned unchanged. A delimiter line followed by
// anything but "--", transport padding or CRLF is an error (RFC 2046 forbids the delimiter in
// data). Parts and errors do not depend on how the body is split into pieces.

#include "shiksha/error.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::server {

struct MultipartLimits {
    std::size_t max_parts = 16;
    std::size_t max_header_bytes = 8192;     ///< per part, all header lines together
    std::size_t max_part_bytes = 64u << 20;  ///< data of one part
    std::size_t max_total_bytes = 64u << 20; ///< everything fed
};

struct PartHeaders {
    std::string name;                    ///< Content-Disposition name="..."
    std::optional<std::string> filename; ///< Content-Disposition filename="..." (or filename*=UTF-8''...)
    std::string content_type;            ///< "text/plain" when absent (RFC 7578)
};

struct MultipartEvents {
    std::function<Result<void>(const PartHeaders&)> on_part_begin;
    std::function<Result<void>(std::string_view data)> on_part_data; ///< may be called many times per part
    std::function<Result<void>()> on_part_end;
};

class MultipartParser {
public:
    /// The boundary parameter of a multipart/form-data Content-Type (quoted or not), checked
    /// against RFC 2046: 1–70 characters from its allowed set, not ending in a space.
    [[nodiscard]] static Result<std::string> boundary_from_content_type(std::string_view content_type);

    /// `boundary` as returned by boundary_from_content_type (without the leading "--").
    MultipartParser(std::string boundary, MultipartLimits limits, MultipartEvents events);
    ~MultipartParser();
    MultipartParser(const MultipartParser&) = delete;
    MultipartParser& operator=(const MultipartParser&) = delete;

    [[nodiscard]] Result<void> feed(std::string_view bytes);
    /// Call after the last piece: fails when the body ended before the closing delimiter.
    [[nodiscard]] Result<void> finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct MultipartPart {
    PartHeaders headers;
    std::string data;
};

/// Parses a complete body (convenience over MultipartParser).
[[nodiscard]] Result<std::vector<MultipartPart>>
parse_multipart(std::string_view content_type, std::string_view body, const MultipartLimits& limits = {});

} // namespace shiksha::server
