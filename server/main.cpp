#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return shiksha::cli::run(argc, argv);
}
