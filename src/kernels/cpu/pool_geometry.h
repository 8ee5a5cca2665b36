#pragma once
// Geometry shared by the pooling kernels. Every pooling kernel works on "planes": the input is
// viewed as (P, D, H, W) with P = N·C independent planes, and 1-d / 2-d pooling are the 3-d case
// with leading spatial sizes 1 (kernel 1, stride 1, padding 0, dilation 1 there).
#include <cstdint>

namespace nabla::cpu {

/// Sizes of a sliding-window pooling over planes: x is (planes, in[0], in[1], in[2]) and
/// y is (planes, out[0], out[1], out[2]), both row-major. Window o along dim d covers input
/// positions o·stride[d] − pad[d] + k·dilation[d] for k in [0, kernel[d]).
struct PoolGeometry {
  int64_t planes = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};
  int64_t dilation[3] = {1, 1, 1};

  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }
  /// True when there is no padding and every window lies wholly inside the input, so that all
  /// windows have kernel[0]·kernel[1]·kernel[2] elements (the fast, vectorised path).
  bool all_windows_full() const {
    for (int d = 0; d < 3; ++d) {
      if (pad[d] != 0) return false;
      if ((out[d] - 1) * stride[d] + (kernel[d] - 1) * dilation[d] >= in[d]) return false;
    }
    return true;
  }
};

/// Planes handed to one thread at a time: enough that a task moves ~32 K elements.
inline int64_t planes_grain(int64_t elements_per_plane) {
  const int64_t per = elements_per_plane > 0 ? elements_per_plane : 1;
  return per >= 32768 ? 1 : 32768 / per;
}

}  // namespace nabla::cpu
