#include "nabla/parse.h"

#include <stdexcept>

namespace nabla {

namespace {
// `parse(text, &used)` when it reads the whole of a non-empty `text`, else nullopt (also when it throws).
template <class T, class Parse>
std::optional<T> parse_whole(const std::string& text, Parse parse) {
  size_t used = 0;
  try {
    const T v = parse(text, &used);
    if (!text.empty() && used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}
}  // namespace

std::optional<int64_t> parse_int64(const std::string& text) {
  return parse_whole<int64_t>(text, [](const std::string& t, size_t* used) { return std::stoll(t, used); });
}

std::optional<double> parse_double(const std::string& text) {
  return parse_whole<double>(text, [](const std::string& t, size_t* used) { return std::stod(t, used); });
}

}  // namespace nabla
