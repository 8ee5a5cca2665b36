// The oneDNN convolution path against the im2col + GEMM reference (float32): outputs and all
// gradients on strided, dilated, grouped, depthwise, pointwise, 1-d, 3-d, transposed, "same",
// unbatched and non-contiguous configurations; backend selection; determinism.
#include <gtest/gtest.h>
#include <omp.h>

#include <functional>
#include <string>
#include <vector>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_dnnl.h"
#include "nabla/nabla.h"
#include "nabla/nn/conv.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nn::ConvBackend;

namespace {

// Restores the backend in use when it goes out of scope.
class BackendGuard {
 public:
  BackendGuard() : saved_(nn::conv_backend()) {}
  ~BackendGuard() { nn::set_conv_backend(saved_); }

 private:
  ConvBackend saved_;
};

using ConvFn = std::function<Tensor(const Tensor& x, const Tensor& w, const Tensor& b)>;

struct Result {
  Tensor y, gx, gw, gb;
};

// Runs y = f(x, w, b) and backward of Σ y·gy under `backend`; returns the output and gradients.
Result run(ConvBackend backend, const ConvFn& f, const Tensor& x, const Tensor& w, const Tensor& b) {
  BackendGuard guard;
  nn::set_conv_backend(backend);
  Tensor xr = x.detach().requires_grad_(), wr = w.detach().requires_grad_();
  Tensor br = b.defined() ? b.detach().requires_grad_() : Tensor();
  Tensor y = f(xr, wr, br);
  manual_seed(11);
  Tensor gy = randn(y.shape());
  (y * gy).sum().backward();
  return {y.detach(), xr.grad(), wr.grad(), br.defined() ? br.grad() : Tensor()};
}

// oneDNN and im2col agree on the output and every gradient of f.
void expect_backends_agree(const std::string& what, const ConvFn& f, const Tensor& x, const Tensor& w,
                           const Tensor& b) {
  SCOPED_TRACE(what);
  Result ref = run(ConvBackend::Im2col, f, x, w, b);
  Result got = run(ConvBackend::OneDnn, f, x, w, b);
  ASSERT_EQ(got.y.shape(), ref.y.shape());
  EXPECT_TRUE(allclose(got.y, ref.y, 1e-4, 1e-4)) << "output";
  EXPECT_TRUE(allclose(got.gx, ref.gx, 1e-4, 1e-4)) << "input gradient";
  EXPECT_TRUE(allclose(got.gw, ref.gw, 1e-4, 1e-4)) << "weight gradient";
  if (b.defined()) EXPECT_TRUE(allclose(got.gb, ref.gb, 1e-4, 1e-4)) << "bias gradient";
}

struct Conv2dCase {
  const char* name;
  int64_t n, c, k, h, w, kh, kw;
  nn::ConvInts stride;
  nn::ConvPadding padding;
  nn::ConvInts dilation;
  int64_t groups;
  bool bias;
};

}  // namespace

TEST(ConvDnnl, Conv2dMatchesIm2col) {
  const Conv2dCase cases[] = {
      {"3x3 pad 1", 4, 16, 16, 10, 10, 3, 3, 1, 1, 1, 1, true},
      {"odd channels", 3, 3, 5, 9, 11, 3, 3, 1, 1, 1, 1, true},
      {"lenet c1", 5, 1, 6, 28, 28, 5, 5, 1, 2, 1, 1, true},
      {"lenet c2", 5, 6, 16, 14, 14, 5, 5, 1, 0, 1, 1, true},
      {"stride 2", 2, 8, 12, 11, 9, 3, 3, 2, 1, 1, 1, true},
      {"stride 2 drops last column", 2, 4, 8, 7, 7, 2, 2, 2, 0, 1, 1, false},
      {"stride (3, 2), padding (2, 0)", 2, 5, 7, 13, 10, 3, 4, {3, 2}, {2, 0}, 1, 1, true},
      {"dilation 2", 2, 6, 8, 12, 12, 3, 3, 1, 2, 2, 1, true},
      {"dilation (2, 3) stride 2", 2, 4, 4, 15, 17, 3, 2, 2, 1, {2, 3}, 1, false},
      {"groups 2", 3, 8, 12, 8, 8, 3, 3, 1, 1, 1, 2, true},
      {"groups 4 strided", 2, 16, 8, 9, 9, 3, 3, 2, 1, 1, 4, true},
      {"depthwise", 2, 16, 16, 10, 10, 3, 3, 1, 1, 1, 16, true},
      {"depthwise multiplier 2", 2, 8, 16, 10, 10, 5, 5, 2, 2, 1, 8, false},
      {"pointwise", 3, 24, 40, 6, 6, 1, 1, 1, 0, 1, 1, true},
      {"pointwise strided", 2, 16, 32, 8, 8, 1, 1, 2, 0, 1, 1, false},
      {"same, even kernel", 2, 4, 6, 9, 8, 4, 2, 1, "same", 1, 1, true},
      {"same, dilated", 2, 4, 6, 9, 8, 3, 3, 1, "same", 2, 1, true},
      {"valid", 2, 3, 4, 5, 7, 5, 3, 1, "valid", 1, 1, true},
      {"batch 1, 64 channels", 1, 64, 64, 8, 8, 3, 3, 1, 1, 1, 1, true},
  };
  for (const Conv2dCase& c : cases) {
    manual_seed(1);
    Tensor x = randn({c.n, c.c, c.h, c.w}), w = randn({c.k, c.c / c.groups, c.kh, c.kw});
    Tensor b = c.bias ? randn({c.k}) : Tensor();
    expect_backends_agree(c.name,
                          [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) {
                            return F::conv2d(xx, ww, bb, c.stride, c.padding, c.dilation, c.groups);
                          },
                          x, w, b);
  }
}

TEST(ConvDnnl, Conv1dAnd3dMatchIm2col) {
  manual_seed(2);
  expect_backends_agree("conv1d strided dilated", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv1d(x, w, b, 2, 3, 2);
  }, randn({3, 6, 40}), randn({10, 6, 5}), randn({10}));
  expect_backends_agree("conv1d grouped", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv1d(x, w, b, 1, 1, 1, 3);
  }, randn({2, 6, 17}), randn({9, 2, 3}), randn({9}));
  expect_backends_agree("conv1d unbatched", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv1d(x, w, b, 1, "same");
  }, randn({4, 21}), randn({5, 4, 4}), randn({5}));
  expect_backends_agree("conv3d", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv3d(x, w, b, 1, 1);
  }, randn({2, 4, 6, 7, 8}), randn({8, 4, 3, 3, 3}), randn({8}));
  expect_backends_agree("conv3d strided dilated grouped", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv3d(x, w, b, {1, 2, 2}, {0, 1, 2}, {2, 1, 2}, 2);
  }, randn({2, 4, 9, 8, 10}), randn({6, 2, 2, 3, 3}), Tensor());
  expect_backends_agree("conv3d with depth 1", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv3d(x, w, b, 1, {0, 1, 1});
  }, randn({2, 3, 1, 8, 8}), randn({4, 3, 1, 3, 3}), randn({4}));
}

TEST(ConvDnnl, TransposedMatchesIm2col) {
  manual_seed(3);
  expect_backends_agree("conv_transpose2d stride 2 output_padding 1", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv_transpose2d(x, w, b, 2, 1, 1);
  }, randn({2, 8, 5, 6}), randn({8, 4, 3, 3}), randn({4}));
  expect_backends_agree("conv_transpose2d grouped dilated", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv_transpose2d(x, w, b, {1, 2}, {1, 0}, {0, 1}, 2, {2, 1});
  }, randn({2, 6, 5, 5}), randn({6, 3, 3, 2}), randn({6}));
  expect_backends_agree("conv_transpose2d output_padding >= stride (< dilation)", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv_transpose2d(x, w, b, 1, 0, 1, 1, 2);
  }, randn({2, 3, 5, 5}), randn({3, 4, 3, 3}), randn({4}));
  expect_backends_agree("conv_transpose1d", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv_transpose1d(x, w, b, 3, 2, 2);
  }, randn({3, 5, 9}), randn({5, 7, 4}), randn({7}));
  expect_backends_agree("conv_transpose3d", [](const Tensor& x, const Tensor& w, const Tensor& b) {
    return F::conv_transpose3d(x, w, b, 2, 1, 1);
  }, randn({2, 4, 3, 4, 3}), randn({4, 2, 3, 3, 3}), Tensor());
}

TEST(ConvDnnl, NonContiguousInputsMatchIm2col) {
  manual_seed(4);
  Tensor x = randn({2, 6, 9, 11}).transpose(2, 3);  // (2, 6, 11, 9), not contiguous
  Tensor w = randn({4, 3, 3, 3, 2}).select(4, 1);  // (4, 3, 3, 3), not contiguous
  ASSERT_FALSE(x.is_contiguous());
  ASSERT_FALSE(w.is_contiguous());
  expect_backends_agree("non-contiguous", [](const Tensor& xx, const Tensor& ww, const Tensor& bb) {
    return F::conv2d(xx, ww, bb, 1, 1, 1, 2);
  }, x, w, randn({4}));
}

TEST(ConvDnnl, PaddingModesMatchIm2col) {
  manual_seed(5);
  for (auto mode : {nn::PaddingMode::Reflect, nn::PaddingMode::Circular}) {
    expect_backends_agree(nn::to_string(mode), [mode](const Tensor& x, const Tensor& w, const Tensor& b) {
      return F::conv2d(x, w, b, 1, {1, 2}, 1, 1, mode);
    }, randn({2, 4, 7, 7}), randn({8, 4, 3, 5}), randn({8}));
  }
}

// The kernels report that oneDNN ran (they do not silently fall back) on the usual geometries.
TEST(ConvDnnl, KernelsRunOneDnn) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::OneDnn);
  for (int spatial = 1; spatial <= 3; ++spatial) {
    for (int64_t groups : {1, 2, 8}) {
      SCOPED_TRACE(str_cat("spatial ", spatial, ", groups ", groups));
      cpu::ConvGeometry g;
      g.batch = 2;
      g.in_channels = 8;
      g.out_channels = 16;
      g.groups = groups;
      for (int d = 3 - spatial; d < 3; ++d) {
        g.in[d] = 6;
        g.out[d] = 3;
        g.kernel[d] = 3;
        g.stride[d] = 2;
        g.pad[d] = 1;
      }
      std::vector<float> x(g.batch * g.in_channels * g.in_numel(), 1.f), y(g.batch * g.out_channels * g.out_numel(), 1.f);
      std::vector<float> w(g.out_channels * (g.in_channels / groups) * g.kernel_numel(), 1.f), b(g.out_channels, 1.f);
      EXPECT_TRUE(cpu::conv_dnnl_forward(x.data(), w.data(), b.data(), y.data(), g));
      EXPECT_TRUE(cpu::conv_dnnl_backward_input(y.data(), w.data(), x.data(), g));
      EXPECT_TRUE(cpu::conv_dnnl_backward_weight(x.data(), y.data(), w.data(), g));
    }
  }
  nn::set_conv_backend(ConvBackend::Im2col);
  cpu::ConvGeometry g;
  float one = 1.f, out = 0.f;
  EXPECT_FALSE(cpu::conv_dnnl_forward(&one, &one, nullptr, &out, g));
}

// Whether this CPU has the AVX-512 subsets oneDNN's Winograd kernels need.
bool has_avx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"); }

// Restores the oneDNN algorithm setting when it goes out of scope.
class AlgorithmGuard {
 public:
  AlgorithmGuard() : saved_(ops::conv_algorithm()) {}
  ~AlgorithmGuard() { ops::set_conv_algorithm(saved_); }

 private:
  ops::ConvAlgorithm saved_;
};

// A 2-d 3×3 convolution of (batch, cin, size, size) to cout channels, stride `stride`, padding 1.
cpu::ConvGeometry conv3x3(int64_t batch, int64_t cin, int64_t cout, int64_t size, int64_t stride = 1) {
  cpu::ConvGeometry g;
  g.batch = batch;
  g.in_channels = cin;
  g.out_channels = cout;
  for (int d = 1; d < 3; ++d) {
    g.in[d] = size;
    g.kernel[d] = 3;
    g.stride[d] = stride;
    g.pad[d] = 1;
    g.out[d] = (size + 2 - 3) / stride + 1;
  }
  return g;
}

// Which training convolutions each algorithm setting sends to oneDNN's Winograd kernels: Auto
// those of 3×3, stride 1, at least 64 channels in and out, outputs of at least 4 × 4 and at least
// 512 output positions (batch × height × width); Winograd every 3×3 stride-1 one; Direct none.
TEST(ConvDnnl, AlgorithmSettingPicksWinogradWhereItApplies) {
  if (!has_avx512()) GTEST_SKIP() << "oneDNN's Winograd kernels need AVX-512";
  BackendGuard guard;
  AlgorithmGuard algorithm;
  nn::set_conv_backend(ConvBackend::OneDnn);
  ops::set_conv_algorithm(ops::ConvAlgorithm::Auto);
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(4, 64, 128, 12)));
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 16, 32, 12)));  // too few channels
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(16, 64, 64, 7)));
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 64, 64, 28)));
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(1, 64, 64, 7)));    // too few output positions
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(64, 64, 64, 3)));   // outputs smaller than a tile
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 8, 32, 12)));   // too few input channels
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 48, 12, 12)));  // too few output channels
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 64, 64, 12, 2)));  // strided
  // Inference primitives (folded chains): from 16 channels at any batch, where 2 × 2 tiles cover
  // the output exactly or the transformed weights are small.
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 16, 16, 28), true));
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 512, 512, 4), true));
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 64, 64, 7), true));
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(1, 256, 256, 7), true));  // partial tiles, large weights
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(1, 512, 512, 1), true));
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(1, 8, 16, 28), true));  // too few input channels
  ops::set_conv_algorithm(ops::ConvAlgorithm::Winograd);
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 512, 512, 1), true));
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(4, 48, 12, 12)));
  EXPECT_TRUE(cpu::conv_dnnl_winograd(conv3x3(1, 64, 64, 3)));
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 16, 32, 12, 2)));
  ops::set_conv_algorithm(ops::ConvAlgorithm::Direct);
  EXPECT_FALSE(cpu::conv_dnnl_winograd(conv3x3(4, 16, 32, 12)));
}

// oneDNN's Winograd kernels give the im2col reference's output and gradients (to float32
// rounding) with and without bias, padding, at batch 1 and on odd sizes.
TEST(ConvDnnl, WinogradMatchesIm2col) {
  if (!has_avx512()) GTEST_SKIP() << "oneDNN's Winograd kernels need AVX-512";
  AlgorithmGuard algorithm;
  ops::set_conv_algorithm(ops::ConvAlgorithm::Winograd);
  ASSERT_TRUE(cpu::conv_dnnl_winograd(conv3x3(3, 16, 32, 11)));
  manual_seed(12);
  Tensor x = randn({3, 16, 11, 11}), w = randn({32, 16, 3, 3}) * 0.1, b = randn({32});
  expect_backends_agree("3x3 padded, bias", [](const Tensor& xx, const Tensor& ww, const Tensor& bb) {
    return F::conv2d(xx, ww, bb, 1, 1);
  }, x, w, b);
  expect_backends_agree("3x3 valid, no bias", [](const Tensor& xx, const Tensor& ww, const Tensor&) {
    return F::conv2d(xx, ww, Tensor(), 1, 0);
  }, x, w, Tensor());
  Tensor x1 = randn({1, 64, 7, 7}), w1 = randn({64, 64, 3, 3}) * 0.05;
  expect_backends_agree("batch 1, 64 channels", [](const Tensor& xx, const Tensor& ww, const Tensor&) {
    return F::conv2d(xx, ww, Tensor(), 1, 1);
  }, x1, w1, Tensor());
}

// Without AVX-512 (no Winograd kernels in oneDNN) nabla's own Winograd F(2×2, 3×3) kernels take
// the 3×3 stride-1 convolutions where they measured faster under Auto, every one under Winograd,
// none under Direct or with the backend forced to oneDNN; through F::conv2d they give the im2col
// reference's output and gradients.
TEST(ConvDnnl, OwnWinogradWhereOneDnnHasNone) {
  BackendGuard guard;
  AlgorithmGuard algorithm;
  nn::set_conv_backend(ConvBackend::Auto);
  ops::set_conv_algorithm(ops::ConvAlgorithm::Auto);
  if (has_avx512()) {
    EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 64, 64, 28)));
    GTEST_SKIP() << "oneDNN's Winograd kernels run on this CPU";
  }
  EXPECT_TRUE(cpu::conv_own_winograd(conv3x3(64, 64, 64, 28)));  // ResNet-18's stages at batch 64
  EXPECT_TRUE(cpu::conv_own_winograd(conv3x3(64, 128, 128, 14)));
  EXPECT_TRUE(cpu::conv_own_winograd(conv3x3(64, 256, 256, 7)));
  EXPECT_TRUE(cpu::conv_own_winograd(conv3x3(64, 512, 512, 4)));
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 64, 64, 8)));    // 64 channels on a small map
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 32, 32, 28)));   // too few channels
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 512, 512, 3)));  // outputs smaller than 4 × 4
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(1, 64, 64, 28)));    // 196 tiles (batch-1 inference)
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 64, 64, 28, 2)));  // strided
  ops::set_conv_algorithm(ops::ConvAlgorithm::Winograd);
  EXPECT_TRUE(cpu::conv_own_winograd(conv3x3(1, 8, 16, 5)));
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(1, 8, 16, 5, 2)));
  nn::set_conv_backend(ConvBackend::OneDnn);
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(1, 8, 16, 5)));
  nn::set_conv_backend(ConvBackend::Auto);
  ops::set_conv_algorithm(ops::ConvAlgorithm::Direct);
  EXPECT_FALSE(cpu::conv_own_winograd(conv3x3(64, 64, 64, 28)));

  ops::set_conv_algorithm(ops::ConvAlgorithm::Winograd);
  ASSERT_TRUE(cpu::conv_own_winograd(conv3x3(3, 16, 32, 11)));
  manual_seed(13);
  const Tensor x = randn({3, 16, 11, 11}), w = randn({32, 16, 3, 3}) * 0.1, b = randn({32});
  const ConvFn conv = [](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return F::conv2d(xx, ww, bb, 1, 1); };
  const Result ref = run(ConvBackend::Im2col, conv, x, w, b);
  const Result got = run(ConvBackend::Auto, conv, x, w, b);
  EXPECT_TRUE(allclose(got.y, ref.y, 1e-4, 1e-4)) << "output";
  EXPECT_TRUE(allclose(got.gx, ref.gx, 1e-4, 1e-4)) << "input gradient";
  EXPECT_TRUE(allclose(got.gw, ref.gw, 1e-4, 1e-4)) << "weight gradient";
  EXPECT_TRUE(allclose(got.gb, ref.gb, 1e-4, 1e-4)) << "bias gradient";
}

TEST(ConvDnnl, BackendSelection) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::Im2col);
  EXPECT_EQ(nn::conv_backend(), ConvBackend::Im2col);
  nn::set_conv_backend(ConvBackend::OneDnn);
  EXPECT_EQ(nn::conv_backend(), ConvBackend::OneDnn);
  nn::set_conv_backend(ConvBackend::Auto);
  EXPECT_EQ(nn::conv_backend(), ConvBackend::Auto);
}

// Same thread count, same bits: repeated runs of forward and backward are identical, on the
// direct and on the Winograd kernels.
TEST(ConvDnnl, DeterministicForAFixedThreadCount) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::OneDnn);
  const int saved = omp_get_max_threads();
  manual_seed(6);
  Tensor x = randn({9, 16, 12, 12}), w = randn({32, 16, 3, 3}), b = randn({32});
  auto f = [](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return F::conv2d(xx, ww, bb, 1, 1); };
  AlgorithmGuard algorithm;
  for (int threads : {1, 2, 3}) {
    for (ops::ConvAlgorithm algo : {ops::ConvAlgorithm::Direct, ops::ConvAlgorithm::Winograd}) {
      SCOPED_TRACE(str_cat(threads, " threads, ", ops::conv_algorithm_name(algo)));
      ops::set_conv_algorithm(algo);
      omp_set_num_threads(threads);
      Result a = run(ConvBackend::OneDnn, f, x, w, b), c = run(ConvBackend::OneDnn, f, x, w, b);
      EXPECT_EQ(a.y.to_vector<float>(), c.y.to_vector<float>());
      EXPECT_EQ(a.gx.to_vector<float>(), c.gx.to_vector<float>());
      EXPECT_EQ(a.gw.to_vector<float>(), c.gw.to_vector<float>());
      EXPECT_EQ(a.gb.to_vector<float>(), c.gb.to_vector<float>());
    }
  }
  omp_set_num_threads(saved);
}

// The forward's conversion of x, kept for the backward (keep_x / x_blocked), is what the weight
// gradient reads: with it, a plain x of zeros still gives the gradient of the true x, bitwise,
// both with the input gradient (conv_dnnl_backward) and without (conv_dnnl_backward_weight).
TEST(ConvDnnl, KeptInputServesTheWeightGradient) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::OneDnn);
  manual_seed(8);
  cpu::ConvGeometry g;
  g.batch = 4;
  g.in_channels = 16;
  g.out_channels = 32;
  for (int d = 1; d < 3; ++d) {
    g.in[d] = g.out[d] = 10;
    g.kernel[d] = 3;
    g.pad[d] = 1;
  }
  const std::vector<float> x = randn({g.batch, g.in_channels, 10, 10}).to_vector<float>();
  const std::vector<float> w = randn({g.out_channels, g.in_channels, 3, 3}).to_vector<float>();
  const std::vector<float> gy = randn({g.batch, g.out_channels, 10, 10}).to_vector<float>();
  const std::vector<float> zeros(x.size(), 0.f);
  std::vector<float> y(gy.size()), y_kept(gy.size()), gx(x.size()), gx_kept(x.size()), gw(w.size()), gw_kept(w.size());
  cpu::ConvBlockedPtr kept;
  ASSERT_TRUE(cpu::conv_dnnl_forward(x.data(), w.data(), nullptr, y.data(), g));
  ASSERT_TRUE(cpu::conv_dnnl_forward(x.data(), w.data(), nullptr, y_kept.data(), g, nullptr, &kept));
  EXPECT_EQ(y_kept, y);
  ASSERT_TRUE(kept) << "oneDNN's blocked layout is expected for 16 -> 32 channels";

  ASSERT_TRUE(cpu::conv_dnnl_backward(x.data(), gy.data(), w.data(), gx.data(), gw.data(), g));
  ASSERT_TRUE(cpu::conv_dnnl_backward(zeros.data(), gy.data(), w.data(), gx_kept.data(), gw_kept.data(), g, kept.get()));
  EXPECT_EQ(gx_kept, gx);
  EXPECT_EQ(gw_kept, gw);

  std::fill(gw_kept.begin(), gw_kept.end(), 0.f);
  ASSERT_TRUE(cpu::conv_dnnl_backward_weight(zeros.data(), gy.data(), gw_kept.data(), g, kept.get()));
  EXPECT_EQ(gw_kept, gw);
  // Without the kept copy, the zeros are what the weight gradient sees.
  ASSERT_TRUE(cpu::conv_dnnl_backward_weight(zeros.data(), gy.data(), gw_kept.data(), g));
  EXPECT_NE(gw_kept, gw);
}

// Through the functional API (where training keeps the forward's conversion of x): the gradients
// are bitwise those of the kernels run directly without a kept copy.
TEST(ConvDnnl, TrainingGradientsUnchangedByTheKeptInput) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::OneDnn);
  manual_seed(9);
  Tensor x = randn({3, 16, 9, 9}), w = randn({16, 16, 3, 3});
  auto f = [](const Tensor& xx, const Tensor& ww, const Tensor&) { return F::conv2d(xx, ww, Tensor(), 1, 1); };
  const Result got = run(ConvBackend::OneDnn, f, x, w, Tensor());
  manual_seed(11);  // run()'s output gradient
  const std::vector<float> gy = randn(got.y.shape()).to_vector<float>();
  cpu::ConvGeometry g;
  g.batch = 3;
  g.in_channels = g.out_channels = 16;
  for (int d = 1; d < 3; ++d) {
    g.in[d] = g.out[d] = 9;
    g.kernel[d] = 3;
    g.pad[d] = 1;
  }
  const std::vector<float> xv = x.to_vector<float>(), wv = w.to_vector<float>();
  std::vector<float> gx(xv.size()), gw(wv.size());
  ASSERT_TRUE(cpu::conv_dnnl_backward(xv.data(), gy.data(), wv.data(), gx.data(), gw.data(), g));
  EXPECT_EQ(got.gx.to_vector<float>(), gx);
  EXPECT_EQ(got.gw.to_vector<float>(), gw);
}

// ops::set_conv_keep_input: on, a training forward holds one blocked copy of x until the graph is
// released; off, it holds none. Seen in the allocator's bytes in use after the forward.
TEST(ConvDnnl, KeepInputSettingDecidesWhatTheForwardHolds) {
  BackendGuard guard;
  nn::set_conv_backend(ConvBackend::OneDnn);
  const bool saved = ops::conv_keep_input();
  manual_seed(10);
  Tensor x = randn({8, 16, 12, 12}), w = randn({16, 16, 3, 3}).requires_grad_();
  const size_t x_bytes = static_cast<size_t>(x.numel()) * sizeof(float);
  auto held_by_forward = [&](bool keep) {
    ops::set_conv_keep_input(keep);
    EXPECT_EQ(ops::conv_keep_input(), keep);
    F::conv2d(x, w, Tensor(), 1, 1).sum().backward();  // plans created, buffers cached
    const size_t before = allocator::stats().bytes_in_use;
    Tensor y = F::conv2d(x, w, Tensor(), 1, 1);
    const size_t held = allocator::stats().bytes_in_use - before;  // y, and the kept copy if any
    y.sum().backward();
    return held;
  };
  const size_t off = held_by_forward(false), on = held_by_forward(true);
  EXPECT_GE(on, off + x_bytes);           // nChw16c of 16 channels: x's size
  EXPECT_LT(off, x_bytes + x_bytes / 2);  // y (as large as x) only
  ops::set_conv_keep_input(saved);
}
