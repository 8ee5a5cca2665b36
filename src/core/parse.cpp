#include "nabla/parse.h"

#include <stdexcept>

namespace nabla {

std::optional<int64_t> parse_int64(const std::string& text) {
  size_t used = 0;
  try {
    const int64_t v = std::stoll(text, &used);
    if (!text.empty() && used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<double> parse_double(const std::string& text) {
  size_t used = 0;
  try {
    const double v = std::stod(text, &used);
    if (!text.empty() && used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace nabla
