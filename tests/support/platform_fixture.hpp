#pragma once
// A Platform opened on a scratch data directory with the test config; `tweak` adjusts the
// config first. Test files derive their fixtures from it.

#include "result_printing.hpp"
#include "shiksha/platform.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>

namespace shiksha::test {

struct PlatformFixture {
    TempDir dir;
    std::unique_ptr<Platform> platform;

    explicit PlatformFixture(const std::function<void(Config&)>& tweak = {}) {
        Config cfg = test_config(dir.path());
        if (tweak) tweak(cfg);
        auto opened = Platform::open(std::move(cfg));
        REQUIRE(opened);
        platform = std::move(*opened);
    }
};

} // namespace shiksha::test
