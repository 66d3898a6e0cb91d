// Quickstart: open a data directory, add a cluster, list what is there.
// Uses only the public API (#include "shiksha/shiksha.hpp").
//
//   build/release/examples/quickstart /tmp/shiksha-quickstart
#include "shiksha/shiksha.hpp"

#include <iostream>

int main(int argc, char** argv) {
    shiksha::Config config;
    config.data_dir = argc > 1 ? argv[1] : "shiksha-quickstart";
    config.log_sink = shiksha::json_lines_sink(stderr, shiksha::LogLevel::warn);

    auto platform = shiksha::Platform::open(config);
    if (!platform) {
        std::cerr << "cannot open: " << platform.error().message << '\n';
        return 1;
    }
    auto& clusters = (*platform)->clusters();

    auto created = clusters.create({.name = "Dantewada Tribal Block",
                                    .region_type = "Tribal Belt",
                                    .language = "Hindi",
                                    .infrastructure_constraints = "Low",
                                    .key_issues = "No science lab; multigrade classrooms"});
    if (!created && created.error().code != shiksha::ErrorCode::conflict) {
        std::cerr << shiksha::to_string(created.error().code) << ": " << created.error().message << '\n';
        return 1;
    }

    auto all = clusters.list();
    if (!all) {
        std::cerr << all.error().message << '\n';
        return 1;
    }
    for (const auto& c : *all) {
        std::cout << c.id << "  " << c.name << "  (" << c.region_type << ", " << c.language << ")\n";
    }
    return 0;
}
