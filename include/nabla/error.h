#pragma once
// nabla::Error — the one exception type nabla throws for bad input.
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace nabla {

/// Raised for every user-facing failure: bad shapes, dtypes, dims, indices, files.
/// The message names the op (or file) and the offending values.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... Rest>
void append(std::ostringstream& os, const T& v, const Rest&... rest) {
  if constexpr (requires { v.begin(); v.end(); } && !std::is_convertible_v<T, std::string>) {
    os << '[';
    bool first = true;
    for (const auto& e : v) {
      if (!first) os << ", ";
      os << e;
      first = false;
    }
    os << ']';
  } else {
    os << v;
  }
  append(os, rest...);
}
}  // namespace detail

/// Concatenates the arguments (vectors print as [a, b, c]) into a message string.
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  detail::append(os, args...);
  return os.str();
}

/// Throws nabla::Error with the concatenated message when `cond` is false.
#define NABLA_CHECK(cond, ...)                                   \
  do {                                                           \
    if (!(cond)) throw ::nabla::Error(::nabla::str_cat(__VA_ARGS__)); \
  } while (0)

}  // namespace nabla
