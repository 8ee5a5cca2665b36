// The Winograd F(2×2, 3×3) kernels against a direct convolution in double precision: output,
// input gradient and weight gradient on padding 0, 1 and 2 (also asymmetric: the output shorter
// than the padding allows), odd sizes (partial tiles), one channel, and enough tiles for several
// blocks; results independent of the thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/winograd.h"
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

// Direct convolution and its two gradients (the definition), accumulated in double.
struct Reference {
  std::vector<double> y, gx, gw;
};

Reference direct(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& bias,
                 const std::vector<float>& gy, const ConvGeometry& g) {
  const int64_t N = g.batch, C = g.in_channels, K = g.out_channels, H = g.in[1], W = g.in[2];
  const int64_t OH = g.out[1], OW = g.out[2], ph = g.pad[1], pw = g.pad[2];
  Reference r{std::vector<double>(N * K * OH * OW), std::vector<double>(N * C * H * W), std::vector<double>(K * C * 9)};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          const int64_t yi = ((n * K + k) * OH + oy) * OW + ox;
          double s = bias[k];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t a = 0; a < 3; ++a)
              for (int64_t b = 0; b < 3; ++b) {
                const int64_t iy = oy - ph + a, ix = ox - pw + b;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const int64_t xi = ((n * C + c) * H + iy) * W + ix, wi = ((k * C + c) * 3 + a) * 3 + b;
                s += double(x[xi]) * w[wi];
                r.gx[xi] += double(gy[yi]) * w[wi];
                r.gw[wi] += double(gy[yi]) * x[xi];
              }
          r.y[yi] = s;
        }
  return r;
}

// |got − want| ≤ 1e-4·(1 + scale) elementwise, scale the largest |want|.
void expect_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4 * (1 + scale)) << what << " at " << i;
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
    const Reference want = direct(x, w, bias, gy, g);
    const Outputs got = run(x, w, bias, gy, g);
    expect_close(got.y, want.y, "output");
    expect_close(got.gx, want.gx, "input gradient");
    expect_close(got.gw, want.gw, "weight gradient");
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
