// Forward values, shapes, dtypes and errors of max/min (overall and along a dim),
// argmax/argmin, var/std, softmax/log_softmax and logsumexp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/nabla.h"
#include "ops/expect_values.h"

using namespace nabla;
using namespace nabla::testing;

namespace {
std::vector<int64_t> ints(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::Int64);
  return t.to_vector<int64_t>();
}
}  // namespace

TEST(MaxMin, Overall) {
  Tensor x = tensor({{3.0, -1.0, 7.0}, {7.0, 0.0, -4.0}});
  EXPECT_EQ(max(x).item(), 7.0);
  EXPECT_EQ(min(x).item(), -4.0);
  EXPECT_EQ(max(x).dim(), 0);
  EXPECT_EQ(x.max().item(), 7.0);
  EXPECT_EQ(x.min().item(), -4.0);
  EXPECT_EQ(max(x).dtype(), DType::Float32);
  EXPECT_EQ(max(arange(5)).dtype(), DType::Int64);
  EXPECT_EQ(max(arange(5)).item(), 4.0);
  EXPECT_EQ(min(x.t()).item(), -4.0);  // non-contiguous
  // NaN propagates (also when it sits past the first vector block of a long input).
  std::vector<float> v(1000, 1.0f);
  v[777] = NAN;
  EXPECT_TRUE(std::isnan(max(from_vector(v)).item()));
  EXPECT_TRUE(std::isnan(min(from_vector(v)).item()));
  // A long input that uses several parallel chunks.
  Tensor big = linspace(-5, 5, 300001, DType::Float64);
  EXPECT_EQ(max(big).item(), 5.0);
  EXPECT_EQ(min(big).item(), -5.0);
  EXPECT_THROW(max(zeros({0})), Error);
  EXPECT_THROW(min(zeros({2, 0})), Error);
}

TEST(MaxMin, AlongDim) {
  Tensor x = tensor({{3.0, -1.0, 7.0}, {7.0, 0.0, 7.0}});
  auto [v1, i1] = max(x, 1);
  EXPECT_EQ(v1.shape(), (Shape{2}));
  expect_floats(v1, {7.0, 7.0});
  EXPECT_EQ(ints(i1), (std::vector<int64_t>{2, 0}));  // first occurrence on ties
  auto [v0, i0] = max(x, 0, /*keepdim=*/true);
  EXPECT_EQ(v0.shape(), (Shape{1, 3}));
  expect_floats(v0, {7.0, 0.0, 7.0});
  EXPECT_EQ(ints(i0), (std::vector<int64_t>{1, 1, 0}));
  auto [mv, mi] = min(x, -1);
  expect_floats(mv, {-1.0, 0.0});
  EXPECT_EQ(ints(mi), (std::vector<int64_t>{1, 1}));
  auto [tv, ti] = max(x.t(), 1);  // non-contiguous: rows of x.t() are columns of x
  expect_floats(tv, {7.0, 0.0, 7.0});
  EXPECT_EQ(ints(ti), (std::vector<int64_t>{1, 1, 0}));
  // A middle dim of a 3-d tensor (outer and inner both > 1).
  Tensor y = arange(0, 24, 1, DType::Float32).reshape({2, 3, 4});
  auto [yv, yi] = max(y, 1);
  EXPECT_EQ(yv.shape(), (Shape{2, 4}));
  expect_floats(yv, {8, 9, 10, 11, 20, 21, 22, 23});
  EXPECT_EQ(ints(yi), (std::vector<int64_t>(8, 2)));
  // NaN is the maximum and the minimum, and its index is reported.
  auto [nv, ni] = max(tensor({1.0, kNaN, 3.0, kNaN}), 0);
  EXPECT_TRUE(std::isnan(nv.item()));
  EXPECT_EQ(ni.item(), 1.0);
  EXPECT_EQ(min(tensor({{1.0, 5.0}, {kNaN, 0.0}}), 0).second.to_vector<int64_t>(), (std::vector<int64_t>{1, 1}));
  // int64 and 0-d inputs.
  auto [iv, ii] = max(tensor({{1.0, 9.0}, {4.0, 2.0}}, DType::Int64), 0);
  EXPECT_EQ(iv.dtype(), DType::Int64);
  EXPECT_EQ(iv.to_vector<int64_t>(), (std::vector<int64_t>{4, 9}));
  auto [sv, si] = max(scalar_tensor(3.0), 0);
  EXPECT_EQ(sv.dim(), 0);
  EXPECT_EQ(sv.item(), 3.0);
  EXPECT_EQ(si.item(), 0.0);
  // Errors: dim out of range, empty reduced dim. An empty non-reduced dim is fine.
  EXPECT_THROW(max(x, 2), Error);
  EXPECT_THROW(max(x, -3), Error);
  EXPECT_THROW(max(zeros({2, 0}), 1), Error);
  EXPECT_EQ(max(zeros({2, 0}), 0).first.shape(), (Shape{0}));
}

TEST(MaxMin, LongRowsUseTheTwoPassSearch) {
  std::vector<double> v(300);
  for (int i = 0; i < 300; ++i) v[i] = std::sin(i * 0.37);  // max near i = 254 (sin ≈ 1)
  int64_t best = 0;
  for (int i = 1; i < 300; ++i)
    if (v[i] > v[best]) best = i;
  Tensor t = from_vector(v).reshape({1, 300});
  EXPECT_EQ(argmax(t, 1).item(), static_cast<double>(best));
  EXPECT_EQ(max(t, 1).first.item(), v[best]);
  v[100] = kNaN;
  EXPECT_EQ(argmax(from_vector(v)).item(), 100.0);
}

TEST(ArgMaxMin, FlattenedAndAlongDim) {
  Tensor x = tensor({{3.0, 9.0, 1.0}, {9.0, -2.0, 0.0}});
  Tensor a = argmax(x);
  EXPECT_EQ(a.dim(), 0);
  EXPECT_EQ(a.item(), 1.0);  // first 9 in row-major order
  EXPECT_EQ(argmin(x).item(), 4.0);
  EXPECT_EQ(argmax(x, std::nullopt, /*keepdim=*/true).shape(), (Shape{1, 1}));
  EXPECT_EQ(ints(argmax(x, 0)), (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(ints(argmin(x, 1)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(x.argmax().item(), 1.0);
  EXPECT_EQ(ints(x.argmax(1)), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(argmin(tensor({1.0, kNaN, 0.0})).item(), 1.0);  // NaN wins, as torch
  EXPECT_THROW(argmax(zeros({0})), Error);
  EXPECT_THROW(argmax(x, 5), Error);
}

TEST(VarStd, Values) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0});
  EXPECT_NEAR(var(x).item(), 1.6666667, 1e-6);  // Bessel's correction by default
  EXPECT_NEAR(var(x, {}, 0).item(), 1.25, 1e-6);
  EXPECT_NEAR(nabla::std(x).item(), 1.2909944, 1e-6);
  EXPECT_NEAR(nabla::std(x, {}, 0).item(), 1.1180340, 1e-6);
  Tensor m = tensor({{1.0, 2.0}, {3.0, 5.0}});
  expect_floats(var(m, {0}), {2.0, 4.5});
  expect_floats(var(m, {1}), {0.5, 2.0});
  Tensor s = nabla::std(m, {0}, 0, /*keepdim=*/true);  // torch: [[1.0, 1.5]]
  EXPECT_EQ(s.shape(), (Shape{1, 2}));
  expect_floats(s, {1.0, 1.5});
  EXPECT_NEAR(var(m.t(), {-1}).to_vector<double>()[1], 4.5, 1e-6);  // non-contiguous
  // Large mean, small spread: the two-pass formula keeps the digits.
  EXPECT_NEAR(var(tensor({1e4 + 1, 1e4 + 2, 1e4 + 3}, DType::Float64)).item(), 1.0, 1e-9);
  EXPECT_EQ(var(m, {0, 1}).dim(), 0);
  // correction ≥ N divides by zero: inf (torch's behaviour, with a warning there).
  EXPECT_EQ(var(tensor({1.0, 2.0}), {0}, 3).item(), kInf);
  EXPECT_EQ(var(x).dtype(), DType::Float32);
  EXPECT_EQ(var(x.to(DType::Float64)).dtype(), DType::Float64);
  EXPECT_THROW(var(arange(4)), Error);
  EXPECT_THROW(nabla::std(arange(4)), Error);
  EXPECT_THROW(var(m, {2}), Error);
  EXPECT_THROW(var(m, {0, 0}), Error);
}

TEST(Softmax, RowsColumnsAndStability) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}});
  expect_floats(softmax(x, 1), {0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  expect_floats(x.softmax(-1), {0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  expect_floats(log_softmax(x, 1), {-2.40760596, -1.40760596, -0.40760596, -1.09861229, -1.09861229, -1.09861229});
  expect_floats(x.log_softmax(1), {-2.40760596, -1.40760596, -0.40760596, -1.09861229, -1.09861229, -1.09861229});
  // dim 0 of x (column kernel) equals dim 1 of x.t() (row kernel), transposed back.
  Tensor c = softmax(x, 0);
  EXPECT_TRUE(allclose(c, softmax(x.t().contiguous(), 1).t(), 1e-6, 1e-7));
  expect_floats(c.sum({0}), {1.0, 1.0, 1.0});
  // Non-contiguous input along a middle dim of a 3-d tensor.
  Tensor y = linspace(-3, 3, 24, DType::Float64).reshape({2, 3, 4}).transpose(0, 2);  // (4, 3, 2)
  expect_floats(softmax(y, 1).sum({1}), std::vector<double>(8, 1.0), 1e-12);
  expect_floats(exp(log_softmax(y, 1)), softmax(y, 1).contiguous().to_vector<double>(), 1e-12);
  // Huge logits: no overflow (a naive exp would give inf/inf).
  expect_floats(softmax(tensor({1000.0, 1001.0}), 0), {0.26894142, 0.73105858});
  expect_floats(log_softmax(tensor({1000.0, 1001.0}), 0), {-1.31326169, -0.31326169});
  expect_floats(softmax(tensor({-1000.0, 0.0}), 0), {0.0, 1.0});
  // Many rows: the parallel path gives the same as one row at a time.
  Tensor big = linspace(-4, 4, 10 * 5000, DType::Float32).reshape({5000, 10});
  Tensor sb = softmax(big, 1);
  EXPECT_TRUE(allclose(sb.select(0, 4321), softmax(big.select(0, 4321), 0), 1e-6, 1e-7));
  EXPECT_EQ(softmax(zeros({0, 3}), 1).shape(), (Shape{0, 3}));
  EXPECT_EQ(softmax(scalar_tensor(5.0), 0).item(), 1.0);
  EXPECT_THROW(softmax(arange(3), 0), Error);
  EXPECT_THROW(log_softmax(x, 2), Error);
}

TEST(Logsumexp, ValuesAndEdgeCases) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}});
  expect_floats(logsumexp(x, {1}), {3.40760596, 1.09861229});
  expect_floats(logsumexp(x, {0}), {1.31326169, 2.12692801, 3.04858735});
  EXPECT_NEAR(logsumexp(x, {0, 1}).item(), 3.50233524, 1e-6);
  EXPECT_EQ(logsumexp(x, {1}, true).shape(), (Shape{2, 1}));
  expect_floats(logsumexp(x.t(), {0}), {3.40760596, 1.09861229});  // non-contiguous
  expect_floats(logsumexp(tensor({1000.0, 1000.0}), {0}), {1000.69314718});
  expect_floats(logsumexp(tensor({-kInf, -kInf}), {0}), {-kInf});
  expect_floats(logsumexp(tensor({kInf, 1.0}), {0}), {kInf});
  expect_floats(logsumexp(tensor({kNaN, 1.0}), {0}), {kNaN});
  // Integer input computes in float32 (torch: logsumexp([1, 2]) = 2.3133).
  Tensor li = logsumexp(tensor({1.0, 2.0}, DType::Int64), {0});
  EXPECT_EQ(li.dtype(), DType::Float32);
  EXPECT_NEAR(li.item(), 2.31326169, 1e-6);
  EXPECT_THROW(logsumexp(x, {3}), Error);
}
