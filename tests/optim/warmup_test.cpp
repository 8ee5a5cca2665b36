// optim::cosine_with_warmup and constant_with_warmup through LambdaLR, by hand.
#include "nabla/optim/warmup.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::optim;

namespace {

// The learning rates of `steps` steps of a LambdaLR over one parameter with base lr `lr`.
std::vector<double> lrs_of(double lr, LambdaLR::Lambda factor, int steps) {
  SGD opt({zeros({2}).requires_grad_()}, SGDOptions{.lr = lr});
  LambdaLR sched(opt, std::move(factor));
  std::vector<double> out{sched.get_last_lr()[0]};
  for (int i = 0; i < steps; ++i) {
    sched.step();
    out.push_back(sched.get_last_lr()[0]);
  }
  return out;
}

void expect_seq(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "step " << i;
}

}  // namespace

TEST(Warmup, CosineWithLinearWarmup) {
  const double pi = std::numbers::pi;
  // Warmup 1/2, 2/2; then cosine over the 4 remaining steps: 1, (1 + cos(π/4))/2, 1/2, …
  const double c1 = (1 + std::cos(pi / 4)) / 2, c3 = (1 + std::cos(3 * pi / 4)) / 2;
  expect_seq(lrs_of(1.0, cosine_with_warmup(2, 6), 5), {0.5, 1.0, 1.0, c1, 0.5, c3});
  // No warmup: CosineAnnealingLR's values.
  expect_seq(lrs_of(2.0, cosine_with_warmup(0, 4), 3), {2.0, 2 * c1, 1.0, 2 * c3});
  EXPECT_THROW(cosine_with_warmup(4, 4), Error);
  EXPECT_THROW(cosine_with_warmup(-1, 4), Error);
}

TEST(Warmup, ConstantWithLinearWarmup) {
  expect_seq(lrs_of(1.0, constant_with_warmup(4), 5), {0.25, 0.5, 0.75, 1.0, 1.0, 1.0});
  expect_seq(lrs_of(0.5, constant_with_warmup(0), 2), {0.5, 0.5, 0.5});
  EXPECT_THROW(constant_with_warmup(-1), Error);
}
