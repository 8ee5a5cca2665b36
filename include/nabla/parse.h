#pragma once
// Whole-string number parsing for configs and metadata: the text must be exactly one number, so
// "12abc", "" or an out-of-range value give nullopt and the caller raises an Error naming its key.
#include <cstdint>
#include <optional>
#include <string>

namespace nabla {

/// `text` as a base-10 int64, or nullopt when it is empty, has other characters or overflows.
std::optional<int64_t> parse_int64(const std::string& text);

/// `text` as a double (std::stod syntax), or nullopt when it is empty, has other characters or overflows.
std::optional<double> parse_double(const std::string& text);

}  // namespace nabla
