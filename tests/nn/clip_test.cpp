// Gradient clipping: total norms by hand (2-norm, 1-norm, ∞-norm), the PyTorch scaling
// max_norm/(total + 1e−6), no change below the limit, non-finite handling, clipping by value.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/clip.h"

using namespace nabla;

namespace {
std::vector<Tensor> params_with_grads(const std::vector<Tensor>& grads) {
  std::vector<Tensor> ps;
  for (const Tensor& g : grads) {
    Tensor p = zeros(g.shape(), g.dtype()).requires_grad_();
    p.set_grad(g.clone());
    ps.push_back(p);
  }
  return ps;
}
}  // namespace

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTotal) {
  // ‖(3, 4)‖ = 5, ‖(12)‖ = 12 → total √(25 + 144) = 13.
  auto ps = params_with_grads({tensor({3.0, 4.0}), tensor({12.0})});
  Tensor no_grad = zeros({2}).requires_grad_();  // skipped: no gradient
  ps.push_back(no_grad);
  const Tensor total = nn::utils::clip_grad_norm_(ps, 6.5);
  EXPECT_NEAR(total.item(), 13.0, 1e-6);
  const double coef = 6.5 / (13.0 + 1e-6);
  EXPECT_TRUE(allclose(ps[0].grad(), tensor({3.0 * coef, 4.0 * coef}), 1e-6, 1e-7));
  EXPECT_NEAR(ps[1].grad().item(), 12.0 * coef, 1e-5);
  EXPECT_FALSE(no_grad.grad().defined());
  // Now below the limit: unchanged.
  EXPECT_NEAR(nn::clip_grad_norm_(ps, 100.0).item(), 6.5, 1e-5);
  EXPECT_NEAR(ps[1].grad().item(), 12.0 * coef, 1e-5);
}

TEST(ClipGradNorm, OtherNormsAndNonFinite) {
  auto ps = params_with_grads({tensor({3.0, -4.0}), tensor({-12.0})});
  EXPECT_NEAR(nn::clip_grad_norm_(ps, 1e9, 1.0).item(), 19.0, 1e-5);
  EXPECT_NEAR(nn::clip_grad_norm_(ps, 1e9, INFINITY).item(), 12.0, 1e-6);
  EXPECT_NEAR(nn::clip_grad_norm_(ps, 1.2, INFINITY).item(), 12.0, 1e-6);
  EXPECT_NEAR(ps[1].grad().item(), -1.2, 1e-5);
  EXPECT_NEAR(nn::clip_grad_norm_(params_with_grads({tensor({1.0, 2.0, 2.0})}), 10, 3.0).item(), std::cbrt(17.0), 1e-5);
  auto bad = params_with_grads({tensor({1.0, NAN})});
  EXPECT_TRUE(std::isnan(nn::clip_grad_norm_(bad, 1.0).item()));
  auto inf = params_with_grads({tensor({1.0, INFINITY})});
  EXPECT_THROW(nn::clip_grad_norm_(inf, 1.0, 2.0, /*error_if_nonfinite=*/true), Error);
  EXPECT_THROW(nn::clip_grad_norm_(ps, 1.0, -1.0), Error);
  EXPECT_EQ(nn::clip_grad_norm_({}, 1.0).item(), 0.0);
  EXPECT_EQ(nn::clip_grad_norm_(params_with_grads({tensor({3.0, 4.0}, DType::Float64)}), 1.0).dtype(), DType::Float64);
}

TEST(ClipGradValue, ClampsEveryElement) {
  auto ps = params_with_grads({tensor({-3.0, 0.5, 2.0}), tensor({7.0}).reshape({1, 1})});
  nn::clip_grad_value_(ps, 1.0);
  EXPECT_EQ(ps[0].grad().to_vector<double>(), (std::vector<double>{-1.0, 0.5, 1.0}));
  EXPECT_EQ(ps[1].grad().item(), 1.0);
  EXPECT_THROW(nn::clip_grad_value_(ps, -1.0), Error);
}
