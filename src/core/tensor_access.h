#pragma once
// Private helpers shared by the op implementations: raw byte addressing and broadcast strides.
#include <vector>

#include "nabla/tensor.h"

namespace nabla::detail {

/// Address of the first element.
inline char* bytes(const Tensor& t) {
  return static_cast<char*>(t.impl().storage->data()) + t.storage_offset() * static_cast<int64_t>(t.element_size());
}

/// Byte strides of `t` viewed as broadcast to `out_shape` (0 along broadcast dims).
inline std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& out_shape) {
  const int64_t nd = static_cast<int64_t>(out_shape.size());
  const int64_t td = t.dim();
  std::vector<int64_t> s(nd, 0);
  const int64_t es = static_cast<int64_t>(t.element_size());
  for (int64_t d = 0; d < td; ++d) {
    const int64_t od = nd - td + d;
    s[od] = t.shape()[d] == 1 ? 0 : t.strides()[d] * es;
  }
  return s;
}

/// Marks a write into t's storage (autograd version check).
inline void bump_version(const Tensor& t) { t.impl().storage->bump_version(); }

}  // namespace nabla::detail
