// nn::init: gains and fans (exact values), the statistics of every initialiser (mean, std,
// bounds, orthogonality) with tolerances of several standard errors, determinism, errors, and
// the weight-initialisation oracle of the course notes (003): a 10-layer tanh MLP keeps its
// activation scale with Xavier init and collapses with 0.01·randn; ReLU needs Kaiming init.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/init.h"
#include "nabla/nn/linear.h"

using namespace nabla;
namespace init = nabla::nn::init;

namespace {
struct Moments {
  double mean, std, min, max;
};
Moments moments(const Tensor& t) {
  const auto v = t.to_vector<double>();
  double s = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
  for (double e : v) {
    s += e;
    lo = std::min(lo, e);
    hi = std::max(hi, e);
  }
  const double m = s / v.size();
  for (double e : v) ss += (e - m) * (e - m);
  return {m, std::sqrt(ss / v.size()), lo, hi};
}
}  // namespace

TEST(Init, CalculateGain) {
  EXPECT_DOUBLE_EQ(init::calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("conv2d"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("sigmoid"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("selu"), 0.75);
  EXPECT_THROW(init::calculate_gain("swish"), Error);
}

TEST(Init, FanInFanOut) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({120, 400})), std::make_pair(int64_t{400}, int64_t{120}));
  // Conv weight (out=16, in=3, 5, 5): receptive field 25.
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({16, 3, 5, 5})), std::make_pair(int64_t{75}, int64_t{400}));
  try {
    init::calculate_fan_in_and_fan_out(empty({7}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[7]"), std::string::npos) << e.what();
  }
}

TEST(Init, ConstantZerosOnesEye) {
  Tensor w = empty({2, 3});
  w.requires_grad_();  // initialisers work on parameters (no autograd error, no history)
  init::constant_(w, 0.5);
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(6, 0.5f));
  EXPECT_TRUE(w.is_leaf());
  init::zeros_(w);
  EXPECT_EQ(w.sum().item(), 0.0);
  init::ones_(w);
  EXPECT_EQ(w.sum().item(), 6.0);
  init::eye_(w);
  EXPECT_EQ(w.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  Tensor v = empty({3});
  EXPECT_THROW(init::eye_(v), Error);
}

TEST(Init, UniformAndNormalStatistics) {
  manual_seed(1);
  Tensor w = empty({200, 500});  // 100 000 samples: standard errors ~0.3%
  init::uniform_(w, -2.0, 4.0);
  Moments m = moments(w);
  EXPECT_GE(m.min, -2.0);
  EXPECT_LT(m.max, 4.0);
  EXPECT_NEAR(m.mean, 1.0, 0.03);
  EXPECT_NEAR(m.std, 6.0 / std::sqrt(12.0), 0.02);
  init::normal_(w, 3.0, 0.5);
  m = moments(w);
  EXPECT_NEAR(m.mean, 3.0, 0.005);
  EXPECT_NEAR(m.std, 0.5, 0.005);
  EXPECT_THROW(init::normal_(w, 0.0, -1.0), Error);
}

TEST(Init, XavierAndKaiming) {
  manual_seed(2);
  Tensor w = empty({300, 200, 1, 1});  // fan_in 200, fan_out 300
  init::xavier_uniform_(w, 2.0);
  const double xb = 2.0 * std::sqrt(6.0 / 500.0);
  Moments m = moments(w);
  EXPECT_GE(m.min, -xb);
  EXPECT_LE(m.max, xb);
  EXPECT_GT(m.max, 0.99 * xb);  // the whole interval is used
  EXPECT_NEAR(m.std, xb / std::sqrt(3.0), 0.01 * xb);
  init::xavier_normal_(w);
  EXPECT_NEAR(moments(w).std, std::sqrt(2.0 / 500.0), 0.01 * std::sqrt(2.0 / 500.0));

  init::kaiming_uniform_(w, 0.0, "fan_in", "relu");
  const double kb = std::sqrt(2.0) * std::sqrt(3.0 / 200.0);
  m = moments(w);
  EXPECT_LE(m.max, kb);
  EXPECT_GT(m.max, 0.99 * kb);
  init::kaiming_normal_(w, 0.0, "fan_out", "relu");
  EXPECT_NEAR(moments(w).std, std::sqrt(2.0 / 300.0), 0.01 * std::sqrt(2.0 / 300.0));
  init::kaiming_normal_(w);  // leaky_relu(0) = relu gain, fan_in
  EXPECT_NEAR(moments(w).std, std::sqrt(2.0 / 200.0), 0.01 * std::sqrt(2.0 / 200.0));
  EXPECT_THROW(init::kaiming_normal_(w, 0.0, "fan_avg"), Error);
  EXPECT_THROW(init::kaiming_uniform_(w, 0.0, "fan_in", "cube"), Error);
  Tensor bias = empty({5});
  EXPECT_THROW(init::xavier_uniform_(bias), Error);
}

TEST(Init, TruncNormal) {
  manual_seed(3);
  Tensor w = empty({100000}, DType::Float64);
  init::trunc_normal_(w);  // N(0, 1) truncated to [−2, 2]
  Moments m = moments(w);
  EXPECT_GE(m.min, -2.0);
  EXPECT_LE(m.max, 2.0);
  EXPECT_LT(m.min, -1.98);  // reaches the bounds
  EXPECT_NEAR(m.mean, 0.0, 0.01);
  // Var of N(0,1) truncated to [−b, b]: 1 − 2b·φ(b)/(Φ(b) − Φ(−b)) = 0.77374 for b = 2.
  EXPECT_NEAR(m.std, std::sqrt(0.773741), 0.006);
  // One-sided: N(1, 2) on [1, 7] (α = 0, β = 3): mean = 1 + 2·(φ(0) − φ(3))/(Φ(3) − Φ(0)) = 2.58230.
  init::trunc_normal_(w, 1.0, 2.0, 1.0, 7.0);
  m = moments(w);
  EXPECT_GE(m.min, 1.0);
  EXPECT_LE(m.max, 7.0);
  EXPECT_NEAR(m.mean, 2.58230, 0.012);
  // A tail interval far from the mean still samples inside it (inverse CDF, no rejection loop).
  init::trunc_normal_(w, 0.0, 1.0, 4.0, 4.5);
  m = moments(w);
  EXPECT_GE(m.min, 4.0);
  EXPECT_LE(m.max, 4.5);
  EXPECT_THROW(init::trunc_normal_(w, 0.0, 1.0, 2.0, 1.0), Error);
}

TEST(Init, OrthogonalWideTallAndConv) {
  manual_seed(4);
  for (Shape shape : {Shape{6, 6}, Shape{4, 9}, Shape{9, 4}, Shape{3, 2, 2, 2}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor w = empty(shape, DType::Float64);
    init::orthogonal_(w, 1.5);
    const Tensor m = w.reshape({shape[0], -1});
    const int64_t r = m.size(0), c = m.size(1);
    // Rows orthonormal (wide) or columns orthonormal (tall), times gain².
    const Tensor gram = r <= c ? matmul(m, m.t()) : matmul(m.t(), m);
    EXPECT_TRUE(allclose(gram, eye(std::min(r, c), std::nullopt, DType::Float64) * 2.25, 1e-12, 1e-12)) << gram;
  }
  // Distinct seeds give distinct matrices; the same seed the same one.
  Tensor a = empty({5, 5}), b = empty({5, 5});
  Generator g1(7), g2(7);
  init::orthogonal_(a, 1.0, &g1);
  init::orthogonal_(b, 1.0, &g2);
  EXPECT_TRUE(allclose(a, b, 0, 0));
  Tensor v = empty({4});
  EXPECT_THROW(init::orthogonal_(v), Error);
}

TEST(Init, OrthogonalIsHaarDistributed) {
  // With R's diagonal made positive, Q is uniform over the orthogonal group: E[Q₀₀] = 0 and
  // E[Q₀₀²] = 1/n. (Without the sign fix, Householder's Q has a biased diagonal.)
  Generator g(11);
  const int64_t n = 4, trials = 4000;
  double s = 0, ss = 0;
  for (int64_t t = 0; t < trials; ++t) {
    Tensor q = empty({n, n}, DType::Float64);
    init::orthogonal_(q, 1.0, &g);
    const double v = q.to_vector<double>()[0];
    s += v;
    ss += v * v;
  }
  EXPECT_NEAR(s / trials, 0.0, 0.04);
  EXPECT_NEAR(ss / trials, 1.0 / n, 0.02);
}

TEST(Init, DeterministicUnderManualSeedAndGenerator) {
  Tensor a = empty({10, 10}), b = empty({10, 10});
  manual_seed(42);
  init::kaiming_uniform_(a, std::sqrt(5.0));
  manual_seed(42);
  init::kaiming_uniform_(b, std::sqrt(5.0));
  EXPECT_TRUE(allclose(a, b, 0, 0));
  Generator g(5);
  init::xavier_normal_(b, 1.0, &g);
  EXPECT_FALSE(allclose(a, b));
}

TEST(Init, LinearDefaultInitIsPyTorchs) {
  manual_seed(6);
  nn::Linear lin(400, 120);
  const double bound = 1.0 / std::sqrt(400.0);
  Moments w = moments(lin.weight), b = moments(lin.bias);
  EXPECT_LE(w.max, bound);
  EXPECT_GE(w.min, -bound);
  EXPECT_GT(w.max, 0.99 * bound);
  EXPECT_NEAR(w.std, bound / std::sqrt(3.0), 0.02 * bound);
  EXPECT_LE(b.max, bound);
  EXPECT_GE(b.min, -bound);
  EXPECT_TRUE(lin.weight.requires_grad());
}

// ---- oracle: notes 003, "Weight initialization" -------------------------------------------------

namespace {
// Standard deviation of the activations of each of 10 layers of 500 units, for an input of 1000
// samples drawn from N(0, 1), with weights from `init_fn` and nonlinearity `act`.
std::vector<double> activation_stds(const std::function<void(Tensor&)>& init_fn,
                                    const std::function<Tensor(const Tensor&)>& act) {
  manual_seed(0);
  Tensor x = randn({1000, 500});
  std::vector<double> stds;
  for (int layer = 0; layer < 10; ++layer) {
    Tensor w = empty({500, 500});
    init_fn(w);
    x = act(matmul(x, w.t()));
    stds.push_back(moments(x).std);
  }
  return stds;
}
Tensor tanh_act(const Tensor& x) { return tanh(x); }
Tensor relu_act(const Tensor& x) { return relu(x); }
}  // namespace

TEST(InitOracle, SmallRandomWeightsCollapseTanhActivations) {
  // W = 0.01·randn: each layer multiplies the scale by ≈ 0.01·√500 ≈ 0.22 (notes: 0.213, 0.0476,
  // 0.0186, 0.0024, …, 0.000000): the activations collapse to zero.
  const auto s = activation_stds([](Tensor& w) { init::normal_(w, 0.0, 0.01); }, tanh_act);
  EXPECT_NEAR(s[0], 0.213, 0.01);
  for (int l = 1; l < 10; ++l) EXPECT_LT(s[l], 0.3 * s[l - 1]) << "layer " << l + 1;
  EXPECT_LT(s[9], 1e-3);
}

TEST(InitOracle, XavierKeepsTanhActivationsInABand) {
  // Xavier (gain 1) decays slowly (PyTorch: 0.627 … 0.229); with tanh's gain 5/3 the scale is stable.
  const auto s = activation_stds([](Tensor& w) { init::xavier_normal_(w); }, tanh_act);
  EXPECT_NEAR(s[0], 0.627, 0.02);
  for (int l = 1; l < 10; ++l) EXPECT_GT(s[l], 0.75 * s[l - 1]) << "layer " << l + 1;
  EXPECT_GT(s[9], 0.2);
  const auto g = activation_stds([](Tensor& w) { init::xavier_uniform_(w, init::calculate_gain("tanh")); }, tanh_act);
  for (double v : g) {
    EXPECT_GT(v, 0.6);
    EXPECT_LT(v, 0.8);
  }
}

TEST(InitOracle, UnitGaussianWeightsSaturateTanh) {
  // W = randn (×1.0): |Wx| is huge, tanh saturates at ±1 (notes: std 0.98 in every layer).
  const auto s = activation_stds([](Tensor& w) { init::normal_(w); }, tanh_act);
  for (double v : s) EXPECT_GT(v, 0.97);
}

TEST(InitOracle, ReluNeedsKaiming) {
  // ReLU halves the variance: Xavier makes it shrink layer by layer (notes: 0.58 → 0.026), Kaiming's
  // extra √2 keeps it O(1).
  const auto xavier = activation_stds([](Tensor& w) { init::xavier_normal_(w); }, relu_act);
  EXPECT_LT(xavier[9], 0.05);
  const auto kaiming = activation_stds([](Tensor& w) { init::kaiming_normal_(w, 0.0, "fan_in", "relu"); }, relu_act);
  for (double v : kaiming) {
    EXPECT_GT(v, 0.6);
    EXPECT_LT(v, 1.1);
  }
}
