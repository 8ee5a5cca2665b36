#pragma once
// A direct 2-d convolution and its two gradients in double precision (the definition, summed tap
// by tap), the reference of the kernel tests of the convolution algorithms. Geometry as
// ConvGeometry's (2-d: the leading spatial dim 1), any kernel, stride, padding, dilation, groups.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/conv_geometry.h"

namespace nabla::cpu {

/// y = conv(x, w) + bias, and for the output gradient gy: gx and gw.
struct DirectConv {
  std::vector<double> y, gx, gw;
};

inline DirectConv direct_conv(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
                              const std::vector<float>& gy, const ConvGeometry& g) {
  const int64_t N = g.batch, C = g.in_channels, K = g.out_channels, Cg = C / g.groups, Kg = K / g.groups;
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2], KH = g.kernel[1], KW = g.kernel[2];
  DirectConv r{std::vector<double>(gy.size()), std::vector<double>(x.size()), std::vector<double>(w.size())};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          const int64_t yi = ((n * K + k) * OH + oy) * OW + ox;
          double s = bias[k];
          for (int64_t cg = 0; cg < Cg; ++cg)
            for (int64_t a = 0; a < KH; ++a)
              for (int64_t b = 0; b < KW; ++b) {
                const int64_t iy = oy * g.stride[1] - g.pad[1] + a * g.dilation[1];
                const int64_t ix = ox * g.stride[2] - g.pad[2] + b * g.dilation[2];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const int64_t c = (k / Kg) * Cg + cg;
                const int64_t xi = ((n * C + c) * H + iy) * W + ix, wi = ((k * Cg + cg) * KH + a) * KW + b;
                s += double(x[xi]) * w[wi];
                r.gx[xi] += double(gy[yi]) * w[wi];
                r.gw[wi] += double(gy[yi]) * x[xi];
              }
          r.y[yi] = s;
        }
  return r;
}

/// |got − want| ≤ 1e-4·(1 + scale) elementwise, scale the largest |want|.
inline void expect_close_to_direct(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4 * (1 + scale)) << what << " at " << i;
}

}  // namespace nabla::cpu
