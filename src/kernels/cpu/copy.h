#pragma once
// Strided copy with dtype conversion, and fill.
#include <cstdint>
#include <vector>

#include "nabla/dtype.h"

namespace nabla::cpu {

/// dst[i] = (DstT) src[i] over `shape`; strides in bytes; src may be broadcast (stride 0).
void copy_strided(const std::vector<int64_t>& shape, char* dst, DType dst_dtype, const std::vector<int64_t>& dst_strides,
                  const char* src, DType src_dtype, const std::vector<int64_t>& src_strides);

/// dst[i] = value over `shape` (strides in bytes).
void fill_strided(const std::vector<int64_t>& shape, char* dst, DType dtype, const std::vector<int64_t>& dst_strides,
                  double value);

}  // namespace nabla::cpu
