#pragma once
// Reading modules back from the store (internal). Stored JSON was written by to_json, so this
// is lenient: a missing field keeps its default instead of failing the read.

#include "shiksha/modules.hpp"

#include <string_view>

namespace shiksha::detail {

[[nodiscard]] ModuleContent decode_content(std::string_view json_text);
[[nodiscard]] GenerationInfo decode_generation(std::string_view json_text);
[[nodiscard]] std::string encode_labels(const MarkdownLabels& labels);
/// Missing or empty fields keep their English default.
[[nodiscard]] MarkdownLabels decode_labels(std::string_view json_text);

} // namespace shiksha::detail
