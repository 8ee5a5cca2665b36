// gradcheck (float64, central differences) of every pooling, resampling and shape op, over
// several configurations each: padding, ceil_mode, dilation, overlapping windows, divisors,
// non-divisible adaptive sizes, both align_corners, scale factors, unbatched and non-contiguous
// inputs. Max-type pooling uses random normal inputs (no ties, so the argmax is locally constant).
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/functional/pool.h"
#include "nabla/nn/functional/resample.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/resample.h"
#include "nabla/nn/shape_layers.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
// Strictly positive inputs (for x^p with fractional or odd p).
Tensor positive(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return (rand(s, DType::Float64, &g) + 0.5).detach().requires_grad_();
}
// A leaf of `s` whose last two dims are stored transposed: non-contiguous.
Tensor rnd_t(const Shape& s, uint64_t seed) {
  Shape st = s;
  std::swap(st[st.size() - 1], st[st.size() - 2]);
  const int64_t n = static_cast<int64_t>(s.size());
  Tensor t = rnd(st, seed).detach().transpose(n - 1, n - 2).requires_grad_();
  EXPECT_FALSE(t.is_contiguous());
  return t;
}

void expect_grad_ok(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  GradcheckResult r = gradcheck([&f](const std::vector<Tensor>& v) { return f(v[0]); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace

TEST(PoolGradcheck, MaxPool) {
  expect_grad_ok([](const Tensor& x) { return F::max_pool1d(x, 3, 2, 1, 2); }, rnd({2, 3, 11}, 1));
  expect_grad_ok([](const Tensor& x) { return F::max_pool1d(x, 2, 2, 0, 1, true); },
                 rnd({2, 7}, 2));  // unbatched, ceil
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, 2); }, rnd({2, 2, 6, 4}, 3));
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, 3, 2, 1, 1, true); }, rnd({2, 2, 8, 7}, 4));
  // 2×2 windows on rows of 8 and 16 outputs (the direct row path), with an odd row and column left over.
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, 2); }, rnd({2, 2, 4, 16}, 9));
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, 2); }, rnd_t({1, 2, 5, 33}, 10));
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, {3, 2}, {2, 1}); }, rnd_t({1, 2, 7, 6}, 5));
  expect_grad_ok([](const Tensor& x) { return F::max_pool2d(x, 2, 1, 1, 2); }, rnd({1, 2, 6, 7}, 6));
  expect_grad_ok(
      [](const Tensor& x) {
        return F::max_pool3d(x, {2, 3, 2}, {1, 2, 2}, {1, 1, 0}, 1, true);
      },
      rnd({1, 2, 4, 6, 5}, 7));
  expect_grad_ok([](const Tensor& x) { return nn::MaxPool3d(2)(x); }, rnd({2, 4, 4, 4}, 8));
}

TEST(PoolGradcheck, AvgPool) {
  expect_grad_ok([](const Tensor& x) { return F::avg_pool1d(x, 3, 2, 1, true, false); }, rnd({2, 3, 10}, 11));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool1d(x, 2); }, rnd({3, 7}, 12));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool2d(x, 2); }, rnd_t({2, 2, 6, 4}, 13));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool2d(x, 3, 2, 1, true); }, rnd({2, 2, 8, 7}, 14));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool2d(x, 3, 2, 1, true, false); }, rnd({1, 2, 8, 7}, 15));
  expect_grad_ok(
      [](const Tensor& x) {
        return F::avg_pool2d(x, {3, 2}, {2, 1}, {1, 0}, false, true, 5);
      },
      rnd({1, 2, 7, 6}, 16));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool2d(x, 3, 1); }, rnd({1, 2, 5, 6}, 17));  // overlapping
  expect_grad_ok(
      [](const Tensor& x) {
        return F::avg_pool3d(x, {2, 3, 2}, {1, 2, 2}, {1, 1, 0}, true, false);
      },
      rnd({1, 2, 4, 6, 5}, 18));
  expect_grad_ok([](const Tensor& x) { return F::avg_pool3d(x, 2, 1, 1, false, true, 3); }, rnd({2, 3, 4, 3}, 19));
}

TEST(PoolGradcheck, AdaptivePool) {
  expect_grad_ok([](const Tensor& x) { return F::adaptive_avg_pool1d(x, 4); }, rnd({2, 3, 10}, 21));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_avg_pool2d(x, {3, 4}); }, rnd({2, 2, 7, 9}, 22));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_avg_pool2d(x, 1); }, rnd_t({2, 3, 5, 4}, 23));  // global
  expect_grad_ok([](const Tensor& x) { return F::adaptive_avg_pool2d(x, {5, 7}); }, rnd({2, 3, 4}, 24));  // upsampling
  expect_grad_ok([](const Tensor& x) { return F::adaptive_avg_pool3d(x, {2, 3, 2}); }, rnd({1, 2, 5, 7, 3}, 25));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_max_pool1d(x, 4); }, rnd({2, 3, 10}, 26));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_max_pool2d(x, {3, 4}); }, rnd_t({2, 2, 7, 9}, 27));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_max_pool2d(x, 5); }, rnd({1, 2, 3, 4}, 28));
  expect_grad_ok([](const Tensor& x) { return F::adaptive_max_pool3d(x, {2, 3, 2}); }, rnd({1, 2, 5, 7, 3}, 29));
}

TEST(PoolGradcheck, LPPool) {
  expect_grad_ok([](const Tensor& x) { return F::lp_pool2d(x, 2, 2); }, rnd({2, 2, 6, 6}, 31));
  expect_grad_ok([](const Tensor& x) { return F::lp_pool2d(x, 3, {3, 2}, 2, true); }, positive({2, 2, 7, 6}, 32));
  expect_grad_ok([](const Tensor& x) { return nn::LPPool1d(1.5, 3, 2)(x); }, positive({2, 3, 9}, 33));
}

TEST(PoolGradcheck, MaxUnpool) {
  // Indices from a max pooling of a fixed input; the gradient is taken through the unpooling.
  // 6 → 3 → 6 with k = s = 2; 7 → 3 → 7 with k = s = 3, p = 1 (unpooling's default sizes).
  // Non-overlapping windows: with overlap, two windows may share a maximum, the index repeats and
  // the output keeps one copy while the gradient (a gather, as PyTorch's) reaches both.
  for (auto [k, s, p, n] : {std::tuple{2, 2, 0, 6}, std::tuple{3, 3, 1, 7}}) {
    Tensor src = rnd({2, 2, n, n}, 34).detach();
    auto [pooled, idx] = F::max_pool2d_with_indices(src, k, s, p);
    const Tensor x = pooled.detach().requires_grad_();
    expect_grad_ok([idx = idx, k = k, s = s, p = p](const Tensor& v) { return F::max_unpool2d(v, idx, k, s, p); }, x);
  }
}

TEST(PoolGradcheck, Interpolate) {
  using S = std::vector<double>;
  const Tensor x4 = rnd({2, 2, 4, 5}, 41), x3 = rnd({2, 3, 5}, 42);
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, std::nullopt, S{2}); }, x4);
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, IntList{7, 3}); }, x4);  // up and down
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, std::nullopt, S{1.5, 2.3}); }, rnd_t({1, 2, 5, 4}, 43));
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, std::nullopt, S{3}); }, x3);
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, IntList{3, 5, 4}); }, rnd({1, 2, 2, 3, 3}, 44));
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, IntList{7, 9}, std::nullopt, "bilinear", true); }, x4);
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, std::nullopt, S{2}, "bilinear", false); }, x4);
  expect_grad_ok(
      [](const Tensor& x) {
        return F::interpolate(x, std::nullopt, S{1.7, 0.6}, "bilinear");
      },
      rnd_t({1, 2, 5, 6}, 45));
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, IntList{9}, std::nullopt, "linear", true); }, x3);
  expect_grad_ok([](const Tensor& x) { return F::interpolate(x, std::nullopt, S{2.5}, "linear", false); }, x3);
}

TEST(PoolGradcheck, PixelShuffleAndShapeLayers) {
  expect_grad_ok([](const Tensor& x) { return F::pixel_shuffle(x, 2); }, rnd({2, 8, 3, 2}, 51));
  expect_grad_ok([](const Tensor& x) { return F::pixel_unshuffle(x, 2); }, rnd_t({2, 2, 4, 6}, 52));
  expect_grad_ok([](const Tensor& x) { return nn::Unflatten(1, {2, 3})(nn::Flatten()(x) * 2.0); }, rnd({2, 3, 2}, 53));
}
