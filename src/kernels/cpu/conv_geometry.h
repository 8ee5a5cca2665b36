#pragma once
// Geometry of a convolution with up to three spatial dims. 1-d and 2-d convolutions are the
// 3-d case with leading spatial dims of size 1 (kernel 1, stride 1, no padding, dilation 1),
// so one set of kernels serves conv1d/2d/3d and their transposes.
#include <array>
#include <cstdint>

#include "kernels/cpu/fused_activation.h"

namespace nabla::cpu {

/// Sizes of a convolution y = conv(x, w): x is (N, C, ID, IH, IW), w is (K, C/groups, KD, KH, KW),
/// y is (N, K, OD, OH, OW). `pad` is the padding before each spatial dim; the padding after it is
/// implied by `out` (positions past the end read as zero), so asymmetric ("same") padding needs
/// no extra field.
struct ConvGeometry {
  int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1};
  std::array<int64_t, 3> stride{1, 1, 1}, pad{0, 0, 0}, dilation{1, 1, 1};

  int64_t in_numel() const { return in[0] * in[1] * in[2]; }
  int64_t out_numel() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_numel() const { return kernel[0] * kernel[1] * kernel[2]; }
  /// Elements of w: K · C/groups · kernel.
  int64_t weight_numel() const { return out_channels * (in_channels / groups) * kernel_numel(); }
  /// A 1×1(×1) kernel with stride 1 and no padding: the im2col matrix is x itself.
  bool is_pointwise() const {
    for (int d = 0; d < 3; ++d)
      if (kernel[d] != 1 || stride[d] != 1 || pad[d] != 0 || out[d] != in[d]) return false;
    return true;
  }
};

}  // namespace nabla::cpu
