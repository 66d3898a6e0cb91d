#include "shiksha/types.hpp"

#include <fmt/format.h>

namespace shiksha {

Timestamp now_utc() noexcept {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    const auto micros = hms.subseconds().count();
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                  hms.hours().count(), hms.minutes().count(), hms.seconds().count());
    if (micros != 0) {
        out += fmt::format(".{:06}", micros);
    }
    return out;
}

} // namespace shiksha
