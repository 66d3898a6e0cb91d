#pragma once
// Lets doctest print a failed `Result<T>` as its error ("conflict: Cluster with name ... [name]")
// instead of "{?}", so a failing REQUIRE(result) says why. Include after <doctest/doctest.h>.

#include "shiksha/error.hpp"

#include <doctest/doctest.h>

#include <string>

namespace doctest {

template <class T>
struct StringMaker<shiksha::Result<T>> {
    static String convert(const shiksha::Result<T>& r) {
        if (r.has_value()) return "ok";
        const auto& e = r.error();
        std::string text = std::string(shiksha::to_string(e.code)) + ": " + e.message;
        if (!e.field.empty()) text += " [" + e.field + "]";
        return String(text.c_str());
    }
};

} // namespace doctest
