// The Winograd F(2×2, 3×3) kernels against a direct convolution in double precision: output,
// input gradient and weight gradient on padding 0, 1 and 2 (also asymmetric: the output shorter
// than the padding allows), odd sizes (partial tiles), one channel, and enough tiles for several
// blocks; results independent of the thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/winograd.h"
#include "direct_conv.h"
#include "random_floats.h"

namespace nabla::cpu {
namespace {

ConvGeometry conv3x3(int64_t n, int64_t c, int64_t k, int64_t h, int64_t w, int64_t pad, int64_t oh = -1,
                     int64_t ow = -1) {
  ConvGeometry g;
  g.batch = n, g.in_channels = c, g.out_channels = k;
  g.in = {1, h, w};
  g.kernel = {1, 3, 3};
  g.pad = {0, pad, pad};
  g.out = {1, oh > 0 ? oh : h + 2 * pad - 2, ow > 0 ? ow : w + 2 * pad - 2};
  return g;
}

struct Outputs {
  std::vector<float> y, gx, gw;
};

Outputs run(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
            const std::vector<float>& gy, const ConvGeometry& g) {
  Outputs o{std::vector<float>(gy.size(), NAN), std::vector<float>(x.size(), NAN), std::vector<float>(w.size(), NAN)};
  winograd_f23_forward(x.data(), w.data(), bias.data(), o.y.data(), g);
  winograd_f23_backward_input(gy.data(), w.data(), o.gx.data(), g);
  winograd_f23_backward_weight(x.data(), gy.data(), o.gw.data(), g);
  return o;
}

TEST(Winograd, MatchesDirectConvolution) {
  const struct {
    const char* name;
    ConvGeometry g;
  } cases[] = {
      {"pad 1, even", conv3x3(2, 5, 7, 8, 8, 1)},
      {"pad 1, odd sizes", conv3x3(3, 4, 6, 7, 9, 1)},
      {"pad 0", conv3x3(2, 3, 4, 9, 6, 0)},
      {"pad 2", conv3x3(2, 3, 4, 5, 7, 2)},
      {"one channel in and out", conv3x3(2, 1, 1, 6, 5, 1)},
      {"output shorter than the padding allows", conv3x3(2, 3, 5, 8, 8, 1, 7, 6)},
      {"1 x 1 image", conv3x3(4, 6, 3, 1, 1, 1)},
      {"several blocks", conv3x3(64, 8, 8, 63, 64, 1)},
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const ConvGeometry& g = c.g;
    ASSERT_TRUE(winograd_f23_geometry(g));
    const int64_t N = g.batch, C = g.in_channels, K = g.out_channels;
    const auto x = random_floats(N * C * g.in_numel(), seed++), w = random_floats(K * C * 9, seed++);
    const auto bias = random_floats(K, seed++), gy = random_floats(N * K * g.out_numel(), seed++);
    const DirectConv want = direct_conv(x, w, bias, gy, g);
    const Outputs got = run(x, w, bias, gy, g);
    expect_close_to_direct(got.y, want.y, "output");
    expect_close_to_direct(got.gx, want.gx, "input gradient");
    expect_close_to_direct(got.gw, want.gw, "weight gradient");
  }
}

TEST(Winograd, GeometriesItTakes) {
  EXPECT_TRUE(winograd_f23_geometry(conv3x3(1, 64, 64, 28, 28, 1)));
  EXPECT_TRUE(winograd_f23_geometry(conv3x3(1, 3, 2, 5, 5, 0)));
  ConvGeometry g = conv3x3(1, 16, 16, 28, 28, 1);
  g.stride = {1, 2, 2};
  g.out = {1, 14, 14};
  EXPECT_FALSE(winograd_f23_geometry(g));  // strided
  g = conv3x3(1, 16, 16, 28, 28, 3);
  EXPECT_FALSE(winograd_f23_geometry(g));  // padding over 2 (the input gradient's padding 2 − p < 0)
  g = conv3x3(1, 16, 16, 28, 28, 1);
  g.groups = 2;
  EXPECT_FALSE(winograd_f23_geometry(g));  // grouped
  g = conv3x3(1, 16, 16, 28, 28, 2);
  g.dilation = {1, 2, 2};
  g.out = {1, 28, 28};
  EXPECT_FALSE(winograd_f23_geometry(g));  // dilated
  g = conv3x3(1, 16, 16, 28, 28, 1);
  g.kernel = {1, 5, 5};
  EXPECT_FALSE(winograd_f23_geometry(g));  // not 3 × 3
  g = conv3x3(1, 16, 16, 8, 8, 1);
  g.in = {4, 8, 8};
  g.out = {4, 8, 8};
  EXPECT_FALSE(winograd_f23_geometry(g));  // 3-d
}

TEST(Winograd, ResultsDoNotDependOnTheThreadCount) {
  const ConvGeometry g = conv3x3(16, 32, 24, 13, 14, 1);
  const auto x = random_floats(g.batch * 32 * g.in_numel(), 7), w = random_floats(24 * 32 * 9, 8);
  const auto bias = random_floats(24, 9), gy = random_floats(g.batch * 24 * g.out_numel(), 10);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Outputs one = run(x, w, bias, gy, g);
  omp_set_num_threads(std::max(saved, 2));
  const Outputs many = run(x, w, bias, gy, g);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.y, many.y);
  EXPECT_EQ(one.gx, many.gx);
  EXPECT_EQ(one.gw, many.gw);
}

}  // namespace
}  // namespace nabla::cpu
