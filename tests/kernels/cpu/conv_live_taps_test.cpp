// Convolutions whose kernels have taps that read only padding (conv_live_taps.h): the live-tap
// geometry, and the convolution dispatch (which runs such convolutions on their live taps) against
// a direct convolution in double precision — output, input gradient, weight gradient (zero at the
// dead taps) — on oneDNN and on im2col.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_live_taps.h"
#include "direct_conv.h"
#include "random_floats.h"

namespace nabla::cpu {
namespace {

struct Conv2d {
  int64_t n, c, k, h, w, kernel, stride, pad, dilation, groups;
};

ConvGeometry geometry(const Conv2d& s) {
  ConvGeometry g;
  g.batch = s.n, g.in_channels = s.c, g.out_channels = s.k, g.groups = s.groups;
  g.in = {1, s.h, s.w};
  g.kernel = {1, s.kernel, s.kernel};
  g.stride = {1, s.stride, s.stride};
  g.pad = {0, s.pad, s.pad};
  g.dilation = {1, s.dilation, s.dilation};
  const int64_t reach = s.dilation * (s.kernel - 1) + 1;
  g.out = {1, (s.h + 2 * s.pad - reach) / s.stride + 1, (s.w + 2 * s.pad - reach) / s.stride + 1};
  return g;
}

TEST(ConvLiveTaps, Geometry) {
  // 3 × 3, padding 1 on a 1 × 1 map: the centre alone, no padding.
  LiveTaps t = live_taps(geometry({2, 4, 4, 1, 1, 3, 1, 1, 1, 1}));
  ASSERT_TRUE(t.cropped);
  EXPECT_EQ(t.g.kernel, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(t.g.pad, (std::array<int64_t, 3>{0, 0, 0}));
  EXPECT_EQ(t.first, (std::array<int64_t, 3>{0, 1, 1}));
  // 3 × 3, padding 1 on 3 × 3 and larger maps: every tap reads the input somewhere.
  EXPECT_FALSE(live_taps(geometry({2, 4, 4, 3, 3, 3, 1, 1, 1, 1})).cropped);
  EXPECT_FALSE(live_taps(geometry({2, 4, 4, 2, 2, 3, 1, 1, 1, 1})).cropped);
  // 5 × 5, padding 2 on 2 × 2: taps 1–3 live (3 × 3, padding 1).
  t = live_taps(geometry({1, 2, 2, 2, 2, 5, 1, 2, 1, 1}));
  ASSERT_TRUE(t.cropped);
  EXPECT_EQ(t.g.kernel[1], 3);
  EXPECT_EQ(t.g.pad[1], 1);
  EXPECT_EQ(t.first[1], 1);
  // Dilation 2, padding 2 on 1 × 1: the centre alone.
  t = live_taps(geometry({1, 2, 2, 1, 1, 3, 1, 2, 2, 1}));
  ASSERT_TRUE(t.cropped);
  EXPECT_EQ(t.g.kernel[2], 1);
  EXPECT_EQ(t.g.pad[2], 0);
  // One dim cropped, the other not (1 × 5 map).
  t = live_taps(geometry({1, 2, 2, 1, 5, 3, 1, 1, 1, 1}));
  ASSERT_TRUE(t.cropped);
  EXPECT_EQ(t.g.kernel, (std::array<int64_t, 3>{1, 1, 3}));
  EXPECT_EQ(t.g.pad, (std::array<int64_t, 3>{0, 0, 1}));
}

TEST(ConvLiveTaps, DispatchMatchesDirectConvolution) {
  const ConvBackendChoice saved = conv_backend_choice();
  for (const ConvBackendChoice backend : {ConvBackendChoice::Auto, ConvBackendChoice::Im2col})
    for (const Conv2d& s : std::vector<Conv2d>{{4, 16, 16, 1, 1, 3, 1, 1, 1, 1},    // VGG's last layers
                                               {3, 8, 16, 2, 2, 5, 1, 2, 1, 1},     // 5 × 5 on 2 × 2
                                               {2, 8, 8, 1, 1, 3, 2, 1, 1, 1},      // strided
                                               {2, 8, 8, 1, 1, 3, 1, 2, 2, 1},      // dilated
                                               {2, 16, 16, 1, 1, 3, 1, 1, 1, 16},   // depthwise
                                               {2, 8, 8, 1, 6, 3, 1, 1, 1, 2}}) {   // one dim cropped, groups
      set_conv_backend_choice(backend);
      const ConvGeometry g = geometry(s);
      SCOPED_TRACE(testing::Message() << "backend " << int(backend) << ", " << s.h << "×" << s.w << " map, kernel "
                                      << s.kernel << ", stride " << s.stride << ", padding " << s.pad
                                      << ", dilation " << s.dilation << ", groups " << s.groups);
      ASSERT_TRUE(live_taps(g).cropped);
      const int64_t wn = g.weight_numel();
      const std::vector<float> x = random_floats(g.batch * g.in_channels * g.in_numel(), 1);
      const std::vector<float> w = random_floats(wn, 2), bias = random_floats(g.out_channels, 3);
      const std::vector<float> gy = random_floats(g.batch * g.out_channels * g.out_numel(), 4);
      const DirectConv want = direct_conv(x, w, bias, gy, g);
      std::vector<float> y(gy.size(), NAN), gx(x.size(), NAN), gw(w.size(), NAN);
      conv_forward(x.data(), w.data(), bias.data(), y.data(), g);
      conv_backward(x.data(), gy.data(), w.data(), gx.data(), gw.data(), g);
      expect_close_to_direct(y, want.y, "output");
      expect_close_to_direct(gx, want.gx, "input gradient");
      expect_close_to_direct(gw, want.gw, "weight gradient");
      std::vector<float> gx2(x.size(), NAN), gw2(w.size(), NAN);  // the single-gradient entries
      conv_backward_input(gy.data(), w.data(), gx2.data(), g);
      conv_backward_weight(x.data(), gy.data(), gw2.data(), g);
      expect_close_to_direct(gx2, want.gx, "input gradient alone");
      expect_close_to_direct(gw2, want.gw, "weight gradient alone");
      std::vector<float> gw3(w.size(), NAN);  // the weight gradient without the input's
      conv_backward<float>(x.data(), gy.data(), w.data(), nullptr, gw3.data(), g);
      expect_close_to_direct(gw3, want.gw, "weight gradient without the input gradient");
    }
  set_conv_backend_choice(saved);
}

// At inference the converted weights are kept (`packed`): the first call crops w and keeps the
// cropped conversion, later calls run on it without reading w (here: w all NaN). The chains of
// convolutions (conv_forward_chain) run each link on its live taps too.
TEST(ConvLiveTaps, KeptWeightsAndChainsRunOnTheLiveTaps) {
  for (const Conv2d& s : std::vector<Conv2d>{{1, 16, 16, 1, 1, 3, 1, 1, 1, 1},    // VGG's last layers, batch 1
                                             {2, 8, 8, 2, 2, 5, 1, 2, 1, 1}}) {   // 5 × 5 on 2 × 2
    const ConvGeometry g = geometry(s);
    SCOPED_TRACE(testing::Message() << s.h << "×" << s.w << " map, kernel " << s.kernel);
    ASSERT_TRUE(live_taps(g).cropped);
    const std::vector<float> x = random_floats(g.batch * g.in_channels * g.in_numel(), 5);
    const std::vector<float> w = random_floats(g.weight_numel(), 6), bias = random_floats(g.out_channels, 7);
    const std::vector<float> gy(g.batch * g.out_channels * g.out_numel(), 0.0f);
    const DirectConv want = direct_conv(x, w, bias, gy, g);
    ConvBlockedPtr packed;
    for (int call = 0; call < 2; ++call) {
      std::vector<float> y(gy.size(), NAN);
      conv_forward(x.data(), w.data(), bias.data(), y.data(), g, &packed);
      expect_close_to_direct(y, want.y, call == 0 ? "first call, weights converted" : "second call, kept weights");
    }
    if (packed) {  // oneDNN converted the (cropped) weights: w itself is no longer read
      const std::vector<float> nan_w(w.size(), NAN);
      std::vector<float> y(gy.size(), NAN);
      conv_forward(x.data(), nan_w.data(), bias.data(), y.data(), g, &packed);
      expect_close_to_direct(y, want.y, "kept weights, w unread");
    }
    // A chain of two such convolutions (the second one square: K → K channels on the same map).
    ConvGeometry g2 = g;
    g2.in_channels = g.out_channels;
    g2.in = g2.out = g.out;
    const std::vector<float> w2 = random_floats(g2.weight_numel(), 8);
    std::vector<float> h(gy.size()), want2(gy.size());
    conv_forward(x.data(), w.data(), bias.data(), h.data(), g);
    conv_forward<float>(h.data(), w2.data(), nullptr, want2.data(), g2);
    ConvBlockedPtr p1, p2;
    const std::vector<ConvChainStep<float>> steps = {{g, w.data(), bias.data(), FusedActivation::None, &p1},
                                                     {g2, w2.data(), nullptr, FusedActivation::None, &p2}};
    for (int call = 0; call < 2; ++call) {
      std::vector<float> y(gy.size(), NAN);
      conv_forward_chain<float>(x.data(), steps, nullptr, y.data());
      for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], want2[i], 1e-4 * (1 + std::abs(want2[i]))) << i;
    }
  }
}

}  // namespace
}  // namespace nabla::cpu
