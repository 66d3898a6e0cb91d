#pragma once
// State behind AuthEngine (internal; Platform constructs it).

#include "shiksha/auth.hpp"
#include "shiksha/config.hpp"
#include "shiksha/log.hpp"
#include "shiksha/metrics.hpp"
#include "store/store.hpp"

#include <memory>
#include <mutex>

namespace shiksha {

struct AuthEngine::Impl {
    Impl(std::shared_ptr<detail::Store> store, AuthConfig config, Logger logger, MetricsRegistry& metrics);

    std::shared_ptr<detail::Store> store;
    AuthConfig config;
    Logger logger;
    Counter& logins_ok;
    Counter& logins_failed;
    Counter& refresh_reuse;
    std::once_flag dummy_once;
    std::string dummy_hash; ///< verified against when the login is unknown, so timing reveals nothing

    Result<TokenPair> issue(SQLite::Database& db, const User& user, const std::string& family, Timestamp now,
                            std::int64_t generation);
    const std::string& dummy();
};

} // namespace shiksha
