#include "temp_dir.hpp"

#include <random>

namespace shiksha::test {

TempDir::TempDir() {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (;;) {
        path_ = base / ("shiksha-test-" + std::to_string(rd()) + std::to_string(rd()));
        if (std::filesystem::create_directory(path_)) break;
    }
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

LogSink LogCapture::sink() {
    return [this](const LogRecord& r) {
        const std::lock_guard lock(mu);
        lines.push_back(format_json_line(r));
    };
}

bool LogCapture::contains(std::string_view needle) {
    const std::lock_guard lock(mu);
    for (const auto& l : lines) {
        if (l.find(needle) != std::string::npos) return true;
    }
    return false;
}

Config test_config(const std::filesystem::path& dir) {
    Config cfg;
    cfg.data_dir = dir;
    cfg.workers = 2;
    cfg.auth.password_hash_cost = PasswordHashCost::minimum;
    cfg.auth.jwt_secret = "test-secret-test-secret-test-secret-0123";
    return cfg;
}

} // namespace shiksha::test
