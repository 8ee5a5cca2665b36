// gradcheck of every differentiable elementwise and reduction op of unary.cpp, compare.cpp,
// minmax.cpp, var.cpp and softmax.cpp (broadcast and non-contiguous inputs included), plus the
// oracles of the course notes: σ'(0) = 1/4, σ' = σ(1 − σ), and "max routes its gradient to the
// larger input".
#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
// Values in [lo, hi) — keeps inputs away from kinks (abs, relu, clamp) and poles (log).
Tensor uniform(const Shape& s, double lo, double hi, uint64_t seed) {
  Generator g(seed);
  return (rand(s, DType::Float64, &g) * (hi - lo) + lo).detach().requires_grad_();
}
// Values whose magnitude is in [0.2, 2) with random signs: away from 0.
Tensor away_from_zero(const Shape& s, uint64_t seed) {
  Generator g(seed);
  Tensor mag = rand(s, DType::Float64, &g) * 1.8 + 0.2;
  Tensor sgn = sign(randn(s, DType::Float64, &g));
  return (mag * sgn).detach().requires_grad_();
}
// A non-contiguous (transposed) leaf of logical shape (rows, cols).
Tensor transposed(int64_t rows, int64_t cols, uint64_t seed, double lo = -2, double hi = 2) {
  Tensor t = uniform({cols, rows}, lo, hi, seed).detach().t().requires_grad_();
  EXPECT_FALSE(t.is_contiguous());
  return t;
}
void expect_grad_ok(const Fn& f, const std::vector<Tensor>& in) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << r.message;
}
}  // namespace

TEST(GradcheckElementwise, ExpLogSqrtRsqrt) {
  Tensor x = rnd({3, 4}, 1);
  Tensor pos = uniform({3, 4}, 0.5, 3.0, 2);
  expect_grad_ok([](auto& v) { return exp(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return log(v[0]); }, {pos});
  expect_grad_ok([](auto& v) { return sqrt(v[0]); }, {pos});
  expect_grad_ok([](auto& v) { return rsqrt(v[0]); }, {pos});
  expect_grad_ok([](auto& v) { return v[0].exp() * v[0].log() + v[0].sqrt(); }, {pos});
  Tensor nc = transposed(3, 4, 3, 0.5, 3.0);
  expect_grad_ok([](auto& v) { return exp(v[0]); }, {nc});
  expect_grad_ok([](auto& v) { return log(v[0]); }, {nc});
  expect_grad_ok([](auto& v) { return sqrt(v[0]); }, {nc});
}

TEST(GradcheckElementwise, AbsSignActivations) {
  Tensor x = away_from_zero({4, 5}, 4);
  expect_grad_ok([](auto& v) { return abs(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return relu(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return v[0].relu() + v[0].abs(); }, {x});
  expect_grad_ok([](auto& v) { return sign(v[0]) * v[0]; }, {x});  // sign contributes zero
  Tensor y = rnd({4, 5}, 5);
  expect_grad_ok([](auto& v) { return sigmoid(v[0]); }, {y});
  expect_grad_ok([](auto& v) { return tanh(v[0]); }, {y});
  expect_grad_ok([](auto& v) { return v[0].sigmoid() * v[0].tanh(); }, {y});
  Tensor nc = transposed(4, 3, 6);
  expect_grad_ok([](auto& v) { return sigmoid(v[0]); }, {nc});
  expect_grad_ok([](auto& v) { return tanh(v[0]); }, {nc});
  expect_grad_ok([](auto& v) { return abs(v[0]) + relu(v[0]); }, {transposed(4, 3, 7)});
}

TEST(GradcheckElementwise, Clamp) {
  // Values in [-3, 3): the bounds ±1 are hit only with probability 0 (kinks are avoided).
  Tensor x = uniform({5, 4}, -3, 3, 8);
  expect_grad_ok([](auto& v) { return clamp(v[0], -1.0, 1.0); }, {x});
  expect_grad_ok([](auto& v) { return clamp(v[0], 0.0, std::nullopt); }, {x});
  expect_grad_ok([](auto& v) { return clamp(v[0], std::nullopt, 0.5); }, {x});
  expect_grad_ok([](auto& v) { return clamp(v[0], -1.0, 1.0); }, {transposed(4, 5, 9, -3, 3)});
  // clamp_ on a non-leaf records the out-of-place rule.
  expect_grad_ok([](auto& v) {
    Tensor y = v[0] * 1.0;
    y.clamp_(-1.0, 1.0);
    return y;
  }, {x});
}

TEST(GradcheckElementwise, Pow) {
  Tensor base = uniform({3, 4}, 0.5, 2.0, 10);
  Tensor e = rnd({4}, 11);  // broadcast exponent
  expect_grad_ok([](auto& v) { return pow(v[0], v[1]); }, {base, e});
  expect_grad_ok([](auto& v) { return pow(v[1], v[0]); }, {e, uniform({3, 1}, 0.5, 2.0, 12)});
  expect_grad_ok([](auto& v) { return pow(v[0], 2.0); }, {rnd({3, 4}, 13)});
  expect_grad_ok([](auto& v) { return pow(v[0], 3.0); }, {rnd({3, 4}, 14)});
  expect_grad_ok([](auto& v) { return pow(v[0], 0.5); }, {base});
  expect_grad_ok([](auto& v) { return pow(v[0], -1.5); }, {base});
  expect_grad_ok([](auto& v) { return v[0].pow(-1.0); }, {base});
  expect_grad_ok([](auto& v) { return pow(v[0], 0.0); }, {base});
  expect_grad_ok([](auto& v) { return pow(2.5, v[0]); }, {rnd({3, 4}, 15)});
  expect_grad_ok([](auto& v) { return pow(v[0], v[1]); }, {transposed(3, 4, 16, 0.5, 2.0), rnd({3, 4}, 17)});
}

TEST(GradcheckElementwise, WhereMaximumMinimum) {
  Generator g(20);
  Tensor cond = gt(randn({3, 1}, DType::Float64, &g), 0.0);  // broadcasts over columns
  Tensor a = rnd({3, 4}, 21), b = rnd({4}, 22);
  expect_grad_ok([cond](auto& v) { return where(cond, v[0], v[1]); }, {a, b});
  expect_grad_ok([cond](auto& v) { return where(cond, v[0], 0.5); }, {a});
  expect_grad_ok([cond](auto& v) { return where(cond, -1.0, v[0]); }, {b});
  expect_grad_ok([](auto& v) { return maximum(v[0], v[1]); }, {a, b});
  expect_grad_ok([](auto& v) { return minimum(v[0], v[1]); }, {a, b});
  expect_grad_ok([](auto& v) { return maximum(v[0], v[1]); }, {transposed(3, 4, 23), rnd({3, 1}, 24)});
}

TEST(GradcheckReduce, MaxMin) {
  Tensor x = rnd({3, 4, 5}, 30);  // continuous values: no ties
  expect_grad_ok([](auto& v) { return max(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return v[0].min(); }, {x});
  for (int64_t d : {0, 1, 2, -1}) {
    expect_grad_ok([d](auto& v) { return max(v[0], d).first; }, {x});
    expect_grad_ok([d](auto& v) { return min(v[0], d, true).first; }, {x});
  }
  expect_grad_ok([](auto& v) { return max(v[0], 1).first; }, {transposed(4, 6, 31)});
  expect_grad_ok([](auto& v) { return min(v[0], 0).first; }, {transposed(4, 6, 32)});
}

TEST(GradcheckReduce, VarStd) {
  Tensor x = rnd({3, 4, 2}, 40);
  expect_grad_ok([](auto& v) { return var(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return var(v[0], {1}); }, {x});
  expect_grad_ok([](auto& v) { return var(v[0], {0, 2}, 0, true); }, {x});
  expect_grad_ok([](auto& v) { return nabla::std(v[0]); }, {x});
  expect_grad_ok([](auto& v) { return nabla::std(v[0], {-1}, 1, true); }, {x});
  expect_grad_ok([](auto& v) { return nabla::std(v[0], {0}, 2); }, {transposed(5, 3, 41)});
}

TEST(GradcheckReduce, SoftmaxLogSoftmaxLogsumexp) {
  Tensor x = rnd({3, 4, 5}, 50);
  for (int64_t d : {0, 1, 2, -1}) {
    expect_grad_ok([d](auto& v) { return softmax(v[0], d); }, {x});
    expect_grad_ok([d](auto& v) { return log_softmax(v[0], d); }, {x});
  }
  expect_grad_ok([](auto& v) { return v[0].softmax(1); }, {transposed(4, 6, 51)});
  expect_grad_ok([](auto& v) { return v[0].log_softmax(0); }, {transposed(4, 6, 52)});
  expect_grad_ok([](auto& v) { return logsumexp(v[0], {1}); }, {x});
  expect_grad_ok([](auto& v) { return logsumexp(v[0], {0, 2}, true); }, {x});
  expect_grad_ok([](auto& v) { return logsumexp(v[0], {}); }, {x});
  expect_grad_ok([](auto& v) { return logsumexp(v[0], {1}); }, {transposed(4, 6, 53)});
  // Large logits: the backward is as stable as the forward.
  expect_grad_ok([](auto& v) { return log_softmax(v[0] * 100.0, 1); }, {rnd({2, 3}, 54)});
}

// ---- oracles ---------------------------------------------------------------------------------------

TEST(OraclesElementwise, SigmoidDerivative) {
  // σ'(0) = σ(0)(1 − σ(0)) = 0.5 · 0.5 = 0.25.
  Tensor z = scalar_tensor(0.0, DType::Float64).requires_grad_();
  sigmoid(z).backward();
  EXPECT_DOUBLE_EQ(z.grad().item(), 0.25);
  // σ'(x) = σ(x)(1 − σ(x)) elementwise.
  Tensor x = tensor({-3.0, -0.5, 1.0, 4.0}, DType::Float64).requires_grad_();
  Tensor s = sigmoid(x);
  s.sum().backward();
  const std::vector<double> sv = s.detach().to_vector<double>(), gv = x.grad().to_vector<double>();
  for (size_t i = 0; i < sv.size(); ++i) EXPECT_NEAR(gv[i], sv[i] * (1 - sv[i]), 1e-15);
  EXPECT_NEAR(gv[2], 0.19661193324148185, 1e-15);  // σ'(1)
}

TEST(OraclesElementwise, MaxRoutesGradientToTheLargerInput) {
  Tensor x = scalar_tensor(3.0, DType::Float64).requires_grad_();
  Tensor y = scalar_tensor(2.0, DType::Float64).requires_grad_();
  maximum(x, y).backward();
  EXPECT_EQ(x.grad().item(), 1.0);
  EXPECT_EQ(y.grad().item(), 0.0);
  // minimum routes to the smaller.
  Tensor a = scalar_tensor(3.0, DType::Float64).requires_grad_();
  Tensor b = scalar_tensor(2.0, DType::Float64).requires_grad_();
  minimum(a, b).backward();
  EXPECT_EQ(a.grad().item(), 0.0);
  EXPECT_EQ(b.grad().item(), 1.0);
  // Ties split evenly, as PyTorch.
  Tensor p = scalar_tensor(1.0, DType::Float64).requires_grad_();
  Tensor q = scalar_tensor(1.0, DType::Float64).requires_grad_();
  maximum(p, q).backward();
  EXPECT_EQ(p.grad().item(), 0.5);
  EXPECT_EQ(q.grad().item(), 0.5);
}

TEST(OraclesElementwise, MaxOverDimRoutesGradientToTheArgmax) {
  Tensor x = tensor({{1.0, 5.0, 2.0}, {7.0, 3.0, 7.0}}).requires_grad_();
  auto [values, indices] = max(x, 1);
  values.backward(tensor({10.0, 20.0}));
  // Row 0: the 5 gets 10. Row 1: a tie, the first 7 (the returned index) gets 20.
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{0, 10, 0, 20, 0, 0}));
  EXPECT_EQ(indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  // Overall max: ties share the gradient evenly (amax rule).
  Tensor t = tensor({1.0, 3.0, 3.0}).requires_grad_();
  max(t).backward();
  EXPECT_EQ(t.grad().to_vector<float>(), (std::vector<float>{0, 0.5f, 0.5f}));
}

TEST(OraclesElementwise, ClampAndReluGradientsAtTheKinks) {
  // clamp passes the gradient at the boundaries (min ≤ x ≤ max), as PyTorch.
  Tensor x = tensor({0.0, 1.0, 2.0, 3.0}).requires_grad_();
  clamp(x, 1.0, 2.0).sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{0, 1, 1, 0}));
  // relu'(0) = 0.
  Tensor r = tensor({-1.0, 0.0, 2.0}).requires_grad_();
  relu(r).sum().backward();
  EXPECT_EQ(r.grad().to_vector<float>(), (std::vector<float>{0, 0, 1}));
  // abs'(0) = 0.
  Tensor a = tensor({-2.0, 0.0, 2.0}).requires_grad_();
  abs(a).sum().backward();
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{-1, 0, 1}));
  // pow: d(x^y)/dx = 0 where y = 0, and d(x^y)/dy = 0 where x = 0 and y ≥ 0 (torch).
  Tensor px = tensor({0.0, 1.0}).requires_grad_();
  Tensor py = tensor({0.0, 2.0}).requires_grad_();
  pow(px, py).sum().backward();
  EXPECT_EQ(px.grad().to_vector<float>(), (std::vector<float>{0, 2}));
  EXPECT_EQ(py.grad().to_vector<float>(), (std::vector<float>{0, 0}));
}
