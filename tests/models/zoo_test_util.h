#pragma once
// Checks the zoo's model tests share: a few SGD steps on one fixed batch lower the loss, and a
// block passes gradcheck in float64.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/nn/module.h"
#include "nabla/optim.h"
#include "nabla/random.h"

namespace nabla::testing {

/// How expect_training_lowers_loss trains: SGD with momentum 0.9 at `lr` for `steps` steps on a
/// batch drawn from Generator(seed) with the first N of `targets`; eval mode when !train_mode.
struct LearnCheck {
  double lr = 0.05;
  int steps = 4;
  uint64_t seed = 7;
  std::vector<int64_t> targets = {1, 3, 5, 7};
  bool train_mode = true;
};

/// A few SGD steps on one fixed batch of `input_shape` (batch of at most targets.size()) must
/// lower the cross-entropy of `model`.
inline void expect_training_lowers_loss(nn::UnaryModule& model, const Shape& input_shape, const LearnCheck& c = {}) {
  Generator g(c.seed);
  const Tensor x = randn(input_shape, DType::Float32, &g);
  const Tensor y = from_vector(c.targets, Shape{static_cast<int64_t>(c.targets.size())}).narrow(0, 0, input_shape[0]);
  optim::SGD opt(model.parameters(), {.lr = c.lr, .momentum = 0.9});
  if (c.train_mode) model.train();
  else model.eval();
  double first = 0, last = 0;
  for (int i = 0; i < c.steps; ++i) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    (i == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first) << model.name() << ": the loss did not fall in " << c.steps << " SGD steps";
}

/// gradcheck in float64 of a unary block (converted in place; training mode, so BatchNorm uses
/// batch statistics) on an input drawn from Generator(seed).
inline void expect_block_gradcheck(nn::UnaryModule& block, const Shape& input_shape, uint64_t seed = 5) {
  block.to(DType::Float64);
  Generator g(seed);
  const Tensor x = randn(input_shape, DType::Float64, &g).requires_grad_();
  const auto r = nn::gradcheck_module(block, [&block](const std::vector<Tensor>& v) { return block(v[0]); }, {x});
  EXPECT_TRUE(r.ok) << block.name() << ": " << r.message;
}

}  // namespace nabla::testing
