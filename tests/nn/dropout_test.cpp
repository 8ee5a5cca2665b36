// Dropout family: train/eval behaviour, determinism under manual_seed, gradient = mask·scale,
// p = 0 and p = 1, printing and errors. (Statistics of the masks: tests/nn/parity_norm_test.cpp.)
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/functional/dropout.h"

using namespace nabla;
namespace F = nabla::nn::functional;

TEST(Dropout, DeterministicUnderManualSeed) {
  nn::Dropout d(0.5);
  manual_seed(5);
  const auto a = d.forward(ones({100})).to_vector<float>();
  manual_seed(5);
  const auto b = d.forward(ones({100})).to_vector<float>();
  EXPECT_EQ(a, b);
  const auto c = d.forward(ones({100})).to_vector<float>();
  EXPECT_NE(a, c);  // the stream moved on
}

// The mask is drawn as one next_double() < 1 − p per element, in order, and leaves the
// generator where those calls would (the mask loop runs on a copy of the state, spare normal kept).
TEST(Dropout, MaskIsTheGeneratorsSequentialDraws) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Generator g(11), reference(11);
    g.next_normal();  // leaves a spare normal in each
    reference.next_normal();
    const double p = 0.3, scale = 1.0 / (1.0 - p);
    const double kept = dt == DType::Float32 ? double(float(scale)) : scale;
    const auto got = F::dropout(ones({3, 1000}, dt), p, /*training=*/true, &g).to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], reference.next_double() < 1.0 - p ? kept : 0.0) << "element " << i;
    EXPECT_EQ(g.next_normal(), reference.next_normal());  // the spare
    EXPECT_EQ(g.next_u64(), reference.next_u64());        // the stream
  }
}

TEST(Dropout, GradientIsTheScaledMask) {
  manual_seed(6);
  Tensor x = full({50}, 3.0).requires_grad_();
  Tensor y = F::dropout(x, 0.2, true);
  y.sum().backward();
  const auto yv = y.to_vector<float>(), gv = x.grad().to_vector<float>();
  for (size_t i = 0; i < yv.size(); ++i) {
    EXPECT_FLOAT_EQ(gv[i], yv[i] / 3.0f);
    EXPECT_TRUE(gv[i] == 0.f || gv[i] == 1.25f);
  }
}

TEST(Dropout, EdgeProbabilitiesAndEval) {
  Tensor x = ones({3, 4}).requires_grad_();
  EXPECT_TRUE(F::dropout(x, 0.0, true).is_same(x));
  Tensor z = F::dropout(x, 1.0, true);
  EXPECT_EQ(z.abs().sum().item(), 0.0);
  z.sum().backward();
  EXPECT_EQ(x.grad().abs().sum().item(), 0.0);
  EXPECT_TRUE(F::alpha_dropout(x, 0.5).is_same(x));  // training defaults to false, as PyTorch
  nn::Dropout2d d2(0.7);
  d2.eval();
  Tensor img = ones({2, 3, 4, 4});
  EXPECT_TRUE(d2.forward(img).is_same(img));
}

TEST(Dropout, PrintingAndErrors) {
  EXPECT_EQ(nn::Dropout().to_string(), "Dropout(p=0.5, inplace=False)");
  EXPECT_EQ(nn::Dropout2d(0.2).to_string(), "Dropout2d(p=0.2, inplace=False)");
  EXPECT_EQ(nn::AlphaDropout(0.1).to_string(), "AlphaDropout(p=0.1, inplace=False)");
  EXPECT_EQ(nn::DropPath(0.1).to_string(), "DropPath(drop_prob=0.100)");
  EXPECT_THROW(nn::Dropout(1.5), Error);
  EXPECT_THROW(nn::Dropout(-0.1), Error);
  EXPECT_THROW(F::dropout(ones({2}), 2.0), Error);
  try {
    nn::Dropout2d(0.5).forward(ones({2, 3}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
}
