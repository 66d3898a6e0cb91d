#include "shiksha/log.hpp"

#include <memory>
#include <mutex>

namespace shiksha {

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    }
    return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
        if (text == to_string(level)) return level;
    }
    if (text == "warning") return LogLevel::warn;
    return std::nullopt;
}

std::string format_json_line(const LogRecord& record) {
    Json line = Json::object(
        {{"ts", format_timestamp(record.time)}, {"level", to_string(record.level)}, {"msg", record.message}});
    for (const auto& [key, value] : record.fields) {
        line[key] = value;
    }
    return line.dump();
}

LogSink json_lines_sink(std::FILE* out, LogLevel min_level) {
    auto mu = std::make_shared<std::mutex>();
    return [out, min_level, mu](const LogRecord& record) {
        if (record.level < min_level) return;
        std::string line = format_json_line(record);
        line.push_back('\n');
        const std::lock_guard lock(*mu);
        std::fwrite(line.data(), 1, line.size(), out);
        std::fflush(out);
    };
}

void Logger::log(LogLevel level, std::string message, Json::Object fields) const {
    if (!enabled(level)) return;
    sink_(LogRecord{now_utc(), level, std::move(message), std::move(fields)});
}

} // namespace shiksha
