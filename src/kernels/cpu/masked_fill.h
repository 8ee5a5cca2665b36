#pragma once
// masked_fill kernel: out = mask ? value : x, elementwise over a (broadcast) shape.
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// out[p] = mask[p] ? value : x[p] over `shape`. Byte strides; x and mask may be broadcast
/// (stride 0); out may alias x with the same strides (in-place). mask is bool (one byte).
template <class T>
void masked_fill_strided(const std::vector<int64_t>& shape, char* out, const std::vector<int64_t>& out_strides,
                         const char* x, const std::vector<int64_t>& x_strides, const char* mask,
                         const std::vector<int64_t>& mask_strides, T value);

}  // namespace nabla::cpu
