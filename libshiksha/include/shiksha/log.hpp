#pragma once
/// Structured logging. The library never prints: it hands `LogRecord`s to a sink the host
/// sets in `Config::log_sink`. The shell installs `json_lines_sink(stderr)`.
///
///     shiksha::Config cfg;
///     cfg.log_sink = shiksha::json_lines_sink(stderr, shiksha::LogLevel::info);
///     // {"ts":"2026-11-21T10:00:00.5","level":"info","msg":"migrated","from":0,"to":1}
///
/// Sinks may be called from any thread at the same time; the ones made here serialise writes.

#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace shiksha {

enum class LogLevel { debug, info, warn, error };

[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

struct LogRecord {
    Timestamp time;
    LogLevel level = LogLevel::info;
    std::string message;
    Json::Object fields; ///< structured context: request_id, user_id, durations...
};

using LogSink = std::function<void(const LogRecord&)>;

/// One JSON object per line: {"ts":…,"level":…,"msg":…, fields…}.
[[nodiscard]] std::string format_json_line(const LogRecord& record);

/// A thread-safe sink writing JSON lines at or above `min_level` to `out` (not owned).
[[nodiscard]] LogSink json_lines_sink(std::FILE* out, LogLevel min_level = LogLevel::info);

/// What engines log through. Cheap to copy; thread-safe when its sink is.
class Logger {
public:
    Logger() = default;
    explicit Logger(LogSink sink, LogLevel min_level = LogLevel::debug)
        : sink_(std::move(sink)), min_level_(min_level) {}

    [[nodiscard]] bool enabled(LogLevel level) const noexcept { return sink_ && level >= min_level_; }

    void log(LogLevel level, std::string message, Json::Object fields = {}) const;
    void debug(std::string message, Json::Object fields = {}) const {
        log(LogLevel::debug, std::move(message), std::move(fields));
    }
    void info(std::string message, Json::Object fields = {}) const {
        log(LogLevel::info, std::move(message), std::move(fields));
    }
    void warn(std::string message, Json::Object fields = {}) const {
        log(LogLevel::warn, std::move(message), std::move(fields));
    }
    void error(std::string message, Json::Object fields = {}) const {
        log(LogLevel::error, std::move(message), std::move(fields));
    }

private:
    LogSink sink_;
    LogLevel min_level_ = LogLevel::debug;
};

} // namespace shiksha
