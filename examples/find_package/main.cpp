// Links the installed package: opens a platform in the directory given and prints the
// schema version and cluster count.
#include <shiksha/shiksha.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: consumer DATA_DIR\n";
        return 2;
    }
    shiksha::Config config;
    config.data_dir = argv[1];
    auto platform = shiksha::Platform::open(config);
    if (!platform) {
        std::cerr << platform.error().message << '\n';
        return 1;
    }
    auto count = (*platform)->clusters().count();
    std::cout << "shiksha " << shiksha::version_string << " schema " << shiksha::schema_version()
              << " clusters " << count.value_or(-1) << '\n';
    return count ? 0 : 1;
}
