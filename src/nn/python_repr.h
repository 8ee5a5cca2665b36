#pragma once
// Private helpers that print values as Python's repr does, for modules' extra_repr()
// ("eps=1e-05, momentum=0.1, affine=True"), so that printed models read as PyTorch's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace nabla::nn::detail {

/// repr() of a Python float: the shortest digits that read back exactly, in fixed notation for
/// decimal exponents in [−4, 16) (always with a ".0" when integral), scientific otherwise
/// ("1e-05", "0.1", "1.0", "1e+16", "inf", "nan").
inline std::string py_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int precision = 1;
  for (; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
  const int exponent = std::atoi(std::string(buf).substr(std::string(buf).find('e') + 1).c_str());
  if (exponent < -4 || exponent >= 16) {
    std::string s = buf;  // d.ddde±XX: drop a lone ".", as Python ("1e-05", not "1.e-05")
    return s;
  }
  std::snprintf(buf, sizeof buf, "%.*f", std::max(0, precision - 1 - exponent), v);
  std::string s = buf;
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

/// "True" / "False".
inline const char* py_bool(bool b) { return b ? "True" : "False"; }

/// A Python tuple of ints: "(10,)", "(3, 4)".
inline std::string py_tuple(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

}  // namespace nabla::nn::detail
