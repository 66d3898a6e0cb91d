#pragma once
// SHIKSHA_ASSERT is for bugs (broken invariants in our own code), never for user input.
// It stays on in release builds: a wrong answer is worse than a crash report.

#include <cstdio>
#include <cstdlib>

#define SHIKSHA_ASSERT(cond)                                                                                 \
    do {                                                                                                     \
        if (!(cond)) [[unlikely]] {                                                                          \
            std::fprintf(stderr, "shiksha: assertion failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)
