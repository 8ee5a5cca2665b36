// Forward values, dtypes, broadcasting and errors of the unary math ops, pow, clamp, the
// comparisons, logical ops, where and maximum/minimum.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/nabla.h"
#include "ops/expect_values.h"

using namespace nabla;
using namespace nabla::testing;

namespace {
std::vector<bool> bools(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::Bool);
  return t.to_vector<bool>();
}
}  // namespace

TEST(Unary, ExpLogSqrtRsqrtValues) {
  Tensor x = tensor({0.0, 1.0, 2.0, -1.0});
  expect_floats(exp(x), {1.0, 2.718281828, 7.389056099, 0.3678794412});
  expect_floats(log(tensor({1.0, 2.718281828459045, 0.5, 0.0, -1.0})), {0.0, 1.0, -0.6931471806, -kInf, kNaN});
  expect_floats(sqrt(tensor({4.0, 2.0, 0.0, -1.0})), {2.0, 1.414213562, 0.0, kNaN});
  expect_floats(rsqrt(tensor({4.0, 0.25, 0.0})), {0.5, 2.0, kInf});
  EXPECT_EQ(exp(x).dtype(), DType::Float32);
  EXPECT_EQ(exp(x.to(DType::Float64)).dtype(), DType::Float64);
  // Integer inputs compute in float32, as torch.exp on a LongTensor.
  Tensor xi = arange(3);
  EXPECT_EQ(exp(xi).dtype(), DType::Float32);
  expect_floats(exp(xi), {1.0, 2.718281828, 7.389056099});
  expect_floats(sqrt(xi), {0.0, 1.0, 1.414213562});
  // Methods forward to the functions.
  expect_floats(x.exp(), {1.0, 2.718281828, 7.389056099, 0.3678794412});
  expect_floats(tensor({1.0, 4.0}).log(), {0.0, 1.386294361});
  expect_floats(tensor({9.0}).sqrt(), {3.0});
}

TEST(Unary, AbsSignReluSigmoidTanh) {
  Tensor x = tensor({-2.0, -0.0, 0.0, 3.5});
  expect_floats(abs(x), {2.0, 0.0, 0.0, 3.5});
  expect_floats(x.abs(), {2.0, 0.0, 0.0, 3.5});
  expect_floats(sign(tensor({-2.0, 0.0, 3.5, kNaN})), {-1.0, 0.0, 1.0, 0.0});  // sign(NaN) = 0 as torch (CPU)
  expect_floats(relu(tensor({-1.0, 0.0, 2.0, kNaN})), {0.0, 0.0, 2.0, kNaN});
  expect_floats(tensor({-1.0, 5.0}).relu(), {0.0, 5.0});
  expect_floats(sigmoid(tensor({0.0, 2.0, -2.0, 100.0, -100.0})), {0.5, 0.880797078, 0.119202922, 1.0, 3.720075976e-44}, 1e-5);
  expect_floats(tanh(tensor({0.0, 1.0, -0.5, 30.0, -30.0})), {0.0, 0.761594156, -0.462117157, 1.0, -1.0});
  expect_floats(tensor({1.0}).sigmoid(), {0.731058579});
  expect_floats(tensor({1.0}).tanh(), {0.761594156});

  // Integer dtypes: abs, sign and relu stay int64; abs/relu reject bool.
  Tensor xi = tensor({-3.0, 0.0, 4.0}, DType::Int64);
  EXPECT_EQ(abs(xi).dtype(), DType::Int64);
  EXPECT_EQ(abs(xi).to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 4}));
  EXPECT_EQ(sign(xi).to_vector<int64_t>(), (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(relu(xi).to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 4}));
  EXPECT_EQ(sigmoid(xi).dtype(), DType::Float32);
  Tensor b = tensor({1.0, 0.0}, DType::Bool);
  EXPECT_THROW(abs(b), Error);
  EXPECT_THROW(relu(b), Error);
  EXPECT_EQ(sign(b).to_vector<bool>(), (std::vector<bool>{true, false}));
}

TEST(Unary, NonContiguousAndLargeInputs) {
  Tensor a = arange(0, 6, 1, DType::Float64).reshape({2, 3}).t();  // (3, 2), strided
  ASSERT_FALSE(a.is_contiguous());
  expect_floats(exp(a), {1.0, std::exp(3.0), std::exp(1.0), std::exp(4.0), std::exp(2.0), std::exp(5.0)}, 1e-14);
  expect_floats(sqrt(a), {0.0, std::sqrt(3.0), 1.0, 2.0, std::sqrt(2.0), std::sqrt(5.0)}, 1e-14);
  // Large enough for the parallel path: every element must match.
  Tensor big = linspace(-20, 20, 100003, DType::Float64);
  const std::vector<double> xs = big.to_vector<double>();
  const std::vector<double> ys = tanh(big).to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) worst = std::max(worst, std::abs(ys[i] - std::tanh(xs[i])));
  EXPECT_LT(worst, 1e-15);
}

TEST(Clamp, ValuesDtypesAndErrors) {
  Tensor x = tensor({-2.0, 0.5, 3.0, kNaN});
  expect_floats(clamp(x, -1.0, 1.0), {-1.0, 0.5, 1.0, kNaN});
  expect_floats(clamp(x, 0.0, std::nullopt), {0.0, 0.5, 3.0, kNaN});
  expect_floats(clamp(x, std::nullopt, 0.0), {-2.0, 0.0, 0.0, kNaN});
  expect_floats(clamp(tensor({0.0, 5.0}), 3.0, 1.0), {1.0, 1.0});  // min > max gives max, as torch
  EXPECT_THROW(clamp(x, std::nullopt, std::nullopt), Error);
  Tensor xi = tensor({1.0, 5.0}, DType::Int64);
  EXPECT_EQ(clamp(xi, 2.0, std::nullopt).dtype(), DType::Int64);
  EXPECT_EQ(clamp(xi, 2.0, std::nullopt).to_vector<int64_t>(), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(clamp(xi, 0.5, std::nullopt).dtype(), DType::Float32);
}

TEST(Clamp, InPlace) {
  Tensor x = tensor({-2.0, 0.5, 3.0});
  Tensor& r = x.clamp_(-1.0, 1.0);
  EXPECT_TRUE(r.is_same(x));
  expect_floats(x, {-1.0, 0.5, 1.0});
  // Views are written through.
  Tensor m = tensor({{-5.0, 5.0}, {0.0, 9.0}});
  m.t().select(0, 1).clamp_(std::nullopt, 1.0);  // column 1
  expect_floats(m, {-5.0, 1.0, 0.0, 1.0});
  Tensor xi = tensor({1.0, 5.0}, DType::Int64);
  xi.clamp_(2.0, 4.0);
  EXPECT_EQ(xi.to_vector<int64_t>(), (std::vector<int64_t>{2, 4}));
  EXPECT_THROW(xi.clamp_(0.5, std::nullopt), Error);  // float result can't be stored in int64
  EXPECT_THROW(x.clamp_(std::nullopt, std::nullopt), Error);
  // A leaf that requires grad cannot be modified in place.
  Tensor leaf = tensor({1.0, 2.0}).requires_grad_();
  EXPECT_THROW(leaf.clamp_(0.0, 1.0), Error);
  {
    NoGradGuard guard;
    leaf.clamp_(0.0, 1.5);
  }
  expect_floats(leaf, {1.0, 1.5});
}

TEST(Pow, TensorScalarAndScalarTensor) {
  Tensor x = tensor({1.0, 2.0, 3.0});
  expect_floats(pow(x, 2.0), {1.0, 4.0, 9.0});
  expect_floats(pow(x, 3.0), {1.0, 8.0, 27.0});
  expect_floats(pow(x, 0.5), {1.0, 1.414213562, 1.732050808});
  expect_floats(pow(x, -1.0), {1.0, 0.5, 0.333333333});
  expect_floats(pow(x, 1.5), {1.0, 2.828427125, 5.196152423});
  expect_floats(pow(x, 0.0), {1.0, 1.0, 1.0});
  expect_floats(x.pow(2.0), {1.0, 4.0, 9.0});
  expect_floats(pow(2.0, x), {2.0, 4.0, 8.0});
  expect_floats(pow(tensor({-8.0}), 1.0 / 3.0), {kNaN});
  // Broadcasting tensor^tensor.
  Tensor base = tensor({1.0, 2.0}).reshape({2, 1});            // (2, 1)
  Tensor e = tensor({0.0, 1.0, 2.0});              // (3)
  Tensor p = pow(base, e);
  EXPECT_EQ(p.shape(), (Shape{2, 3}));
  expect_floats(p, {1.0, 1.0, 1.0, 1.0, 2.0, 4.0});
  EXPECT_THROW(pow(tensor({1.0, 2.0}), tensor({1.0, 2.0, 3.0})), Error);
}

TEST(Pow, IntegerDtypes) {
  Tensor xi = tensor({2.0, 3.0, -2.0}, DType::Int64);
  EXPECT_EQ(pow(xi, 2.0).dtype(), DType::Int64);
  EXPECT_EQ(pow(xi, 3.0).to_vector<int64_t>(), (std::vector<int64_t>{8, 27, -8}));
  EXPECT_EQ(pow(xi, 10.0).to_vector<int64_t>(), (std::vector<int64_t>{1024, 59049, 1024}));
  EXPECT_EQ(pow(xi, 0.5).dtype(), DType::Float32);
  EXPECT_THROW(pow(xi, -1.0), Error);  // integers to negative integer powers
  EXPECT_EQ(pow(2.0, arange(4)).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 4, 8}));
  EXPECT_EQ(pow(2.5, arange(2)).dtype(), DType::Float32);
  // Tensor exponents: negative powers follow integer division (torch: [-2, 3, 1] ** -1 = [0, 0, 1]).
  Tensor b = tensor({-2.0, 3.0, 1.0, -1.0}, DType::Int64);
  EXPECT_EQ(pow(b, tensor({-1.0, -1.0, -1.0, -3.0}, DType::Int64)).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 0, 1, -1}));
  EXPECT_EQ(pow(xi, tensor({1.5})).dtype(), DType::Float32);
}

TEST(Compare, TensorAndScalarForms) {
  Tensor a = tensor({1.0, 2.0, 3.0});
  Tensor b = tensor({3.0, 2.0, 1.0});
  EXPECT_EQ(bools(eq(a, b)), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(bools(ne(a, b)), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(bools(lt(a, b)), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(bools(le(a, b)), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bools(gt(a, b)), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bools(ge(a, b)), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(bools(eq(a, 2.0)), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(bools(ne(a, 2.0)), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(bools(lt(a, 2.0)), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(bools(le(a, 2.0)), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bools(gt(a, 2.0)), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bools(ge(a, 2.0)), (std::vector<bool>{false, true, true}));
  // Operators.
  EXPECT_EQ(bools(a == b), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(bools(a != b), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(bools(a < b), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(bools(a <= b), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bools(a > b), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bools(a >= b), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(bools(a < 2.0), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(bools(a <= 2.0), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bools(a > 2.0), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bools(a >= 2.0), (std::vector<bool>{false, true, true}));
  // NaN compares unequal to everything, itself included.
  Tensor n = tensor({kNaN});
  EXPECT_EQ(bools(eq(n, n)), (std::vector<bool>{false}));
  EXPECT_EQ(bools(ne(n, n)), (std::vector<bool>{true}));
}

TEST(Compare, BroadcastingDtypesAndErrors) {
  Tensor col = tensor({1.0, 2.0}).reshape({2, 1});  // (2, 1)
  Tensor row = tensor({1.0, 2.0, 3.0});  // (3)
  Tensor r = lt(col, row);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_EQ(bools(r), (std::vector<bool>{false, true, true, false, false, true}));
  // Mixed dtypes compare in the promoted dtype: int64 vs a fractional scalar compares as float.
  Tensor ints = arange(3);
  EXPECT_EQ(bools(lt(ints, 1.5)), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(bools(eq(ints, tensor({0.0, 1.5, 2.0}, DType::Float64))), (std::vector<bool>{true, false, true}));
  // A float32 tensor compares with the scalar rounded to float32 (torch's wrapped numbers).
  EXPECT_EQ(bools(eq(tensor({0.1}), 0.1)), (std::vector<bool>{true}));
  EXPECT_EQ(bools(eq(tensor({1.0, 0.0}, DType::Bool), 1.0)), (std::vector<bool>{true, false}));
  // Non-contiguous operand.
  Tensor m = arange(0, 6, 1, DType::Float32).reshape({2, 3}).t();  // [[0,3],[1,4],[2,5]]
  EXPECT_EQ(bools(gt(m, 2.5)), (std::vector<bool>{false, true, false, true, false, true}));
  EXPECT_THROW(eq(tensor({1.0, 2.0}), tensor({1.0, 2.0, 3.0})), Error);
  EXPECT_THROW(tensor({1.0, 2.0}) < tensor({1.0, 2.0, 3.0}), Error);
}

TEST(Logical, NotAndOrIsnanIsfinite) {
  Tensor a = tensor({0.0, 1.0, -2.0, kNaN});
  Tensor b = tensor({1.0, 0.0, 3.0, 0.0});
  EXPECT_EQ(bools(logical_not(a)), (std::vector<bool>{true, false, false, false}));  // NaN is truthy
  EXPECT_EQ(bools(logical_and(a, b)), (std::vector<bool>{false, false, true, false}));
  EXPECT_EQ(bools(logical_or(a, b)), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(bools(logical_and(tensor({1.0, 0.0}, DType::Bool), arange(2))), (std::vector<bool>{false, false}));
  EXPECT_EQ(logical_or(tensor({1.0, 0.0}).reshape({2, 1}), tensor({0.0, 0.0, 0.0})).shape(), (Shape{2, 3}));
  Tensor s = tensor({1.0, kNaN, kInf, -kInf, 0.0});
  EXPECT_EQ(bools(isnan(s)), (std::vector<bool>{false, true, false, false, false}));
  EXPECT_EQ(bools(isfinite(s)), (std::vector<bool>{true, false, false, false, true}));
  EXPECT_EQ(bools(isnan(arange(2))), (std::vector<bool>{false, false}));
  EXPECT_EQ(bools(isfinite(arange(2))), (std::vector<bool>{true, true}));
}

TEST(Where, OverloadsBroadcastingDtypes) {
  Tensor cond = tensor({1.0, 0.0, 1.0}, DType::Bool);
  Tensor a = tensor({1.0, 2.0, 3.0});
  Tensor b = tensor({-1.0, -2.0, -3.0});
  expect_floats(where(cond, a, b), {1.0, -2.0, 3.0});
  expect_floats(where(cond, a, 0.0), {1.0, 0.0, 3.0});
  expect_floats(where(cond, 9.0, b), {9.0, -2.0, 9.0});
  // Broadcasting all three: cond (2, 1), a (3), b scalar tensor.
  Tensor c2 = tensor({1.0, 0.0}, DType::Bool).reshape({2, 1});
  Tensor w = where(c2, a, scalar_tensor(7.0));
  EXPECT_EQ(w.shape(), (Shape{2, 3}));
  expect_floats(w, {1.0, 2.0, 3.0, 7.0, 7.0, 7.0});
  // Dtype promotion: int64 with a fractional scalar gives float32; with float64 gives float64.
  EXPECT_EQ(where(cond, arange(3), 0.5).dtype(), DType::Float32);
  EXPECT_EQ(where(cond, arange(3), 1.0).dtype(), DType::Int64);
  EXPECT_EQ(where(cond, arange(3), b.to(DType::Float64)).dtype(), DType::Float64);
  // The condition must be bool; shapes must broadcast.
  EXPECT_THROW(where(arange(3), a, b), Error);
  EXPECT_THROW(where(cond, a, tensor({1.0, 2.0})), Error);
}

TEST(MaximumMinimum, ValuesNaNAndBroadcasting) {
  Tensor a = tensor({1.0, 5.0, 3.0, kNaN, 2.0});
  Tensor b = tensor({4.0, 2.0, 3.0, 1.0, kNaN});
  expect_floats(maximum(a, b), {4.0, 5.0, 3.0, kNaN, kNaN});
  expect_floats(minimum(a, b), {1.0, 2.0, 3.0, kNaN, kNaN});
  Tensor m = maximum(tensor({0.0, 10.0}).reshape({2, 1}), tensor({1.0, 5.0, 20.0}));
  EXPECT_EQ(m.shape(), (Shape{2, 3}));
  expect_floats(m, {1.0, 5.0, 20.0, 10.0, 10.0, 20.0});
  EXPECT_EQ(maximum(arange(3), tensor({1.0, 1.0, 1.0}, DType::Int64)).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(maximum(arange(3), tensor({1.5})).dtype(), DType::Float32);
  EXPECT_THROW(maximum(tensor({1.0, 2.0}), tensor({1.0, 2.0, 3.0})), Error);
}
