#pragma once
/// Errors are values in libshiksha: every fallible call returns `Result<T>`.
///
///     shiksha::Result<Cluster> c = platform.clusters().get(42);
///     if (!c) {
///         std::cerr << to_string(c.error().code) << ": " << c.error().message << '\n';
///     }
///
/// `ErrorCode` is closed: hosts map it once (the server to HTTP statuses, the bindings to
/// Python exception classes). `field` names the offending input for validation errors using
/// the wire name ("name", "total_teachers") so a caller can point at it.

#include <expected>
#include <string>
#include <string_view>

namespace shiksha {

enum class ErrorCode {
    invalid_argument, ///< the caller's input is wrong; `field` says which part
    not_found,
    conflict,          ///< the input clashes with stored state (duplicate name, stale token...)
    unauthenticated,   ///< missing, invalid or expired credentials
    permission_denied, ///< authenticated, but the role is not enough
    rate_limited,
    unavailable, ///< a dependency (provider, disk, database) cannot serve now
    deadline_exceeded,
    internal, ///< a bug or an unexpected dependency failure
};

/// Stable snake_case name of a code ("invalid_argument"); used on the wire and in logs.
[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message; ///< a sentence a person can act on
    std::string field;   ///< wire name of the invalid input, empty when not about one field

    [[nodiscard]] static Error invalid(std::string field, std::string message);
};

template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for `std::unexpected(Error{code, message})`.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message), {}});
}

/// Shorthand for a validation failure on one input field.
[[nodiscard]] inline std::unexpected<Error> fail_field(std::string field, std::string message) {
    return std::unexpected(Error::invalid(std::move(field), std::move(message)));
}

} // namespace shiksha
