// Accuracy of the vectorised math in kernels/cpu/vec_math.h against glibc's long-double
// functions, over wide ranges and at the special values; both called directly from this file
// and through the tensor ops (the library is compiled with -march=native, so that checks the
// vectorised FMA build).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu/vec_math.h"
#include "nabla/nabla.h"

using namespace nabla;

namespace {

// |got − ref| in units of the last place of ref rounded to T (subnormals: of the smallest subnormal).
template <class T>
double ulp_error(T got, long double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : INFINITY;
  if (std::isinf(ref) || std::isinf(static_cast<T>(ref))) return got == static_cast<T>(ref) ? 0.0 : INFINITY;
  const T r = std::fabs(static_cast<T>(ref));
  T ulp = std::nextafter(r, std::numeric_limits<T>::infinity()) - r;
  if (ulp < std::numeric_limits<T>::denorm_min()) ulp = std::numeric_limits<T>::denorm_min();
  return static_cast<double>(fabsl(static_cast<long double>(got) - ref) / ulp);
}

// Uniform grid plus random points over [lo, hi] (deterministic).
template <class T>
std::vector<T> sample(double lo, double hi, int n) {
  std::vector<T> x;
  for (int i = 0; i <= n; ++i) x.push_back(static_cast<T>(lo + (hi - lo) * i / n));
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int i = 0; i < n; ++i) x.push_back(static_cast<T>(u(gen)));
  return x;
}

// Same but log-uniform over [lo, hi] (lo > 0): exercises every exponent.
template <class T>
std::vector<T> sample_log(double lo, double hi, int n) {
  std::vector<T> x;
  for (double v : sample<double>(std::log(lo), std::log(hi), n)) x.push_back(static_cast<T>(std::exp(v)));
  return x;
}

template <class T, class F, class Ref>
double max_ulp(const std::vector<T>& x, F f, Ref ref) {
  std::vector<T> y(x.size());
  const int64_t n = static_cast<int64_t>(x.size());
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulp_error<T>(y[i], ref(static_cast<long double>(x[i]))));
  return worst;
}

// Same, computing f through a tensor op of the library.
template <class T, class Op, class Ref>
double max_ulp_op(const std::vector<T>& x, Op op, Ref ref) {
  const std::vector<T> y = op(from_vector<T>(x)).template to_vector<T>();
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulp_error<T>(y[i], ref(static_cast<long double>(x[i]))));
  return worst;
}

long double ref_sigmoid(long double v) { return 1.0L / (1.0L + expl(-v)); }

}  // namespace

TEST(VecMath, ExpAccuracy) {
  auto f = [](auto v) { return vec::exp(v); };
  auto ref = [](long double v) { return expl(v); };
  EXPECT_LE(max_ulp(sample<float>(-104, 89, 100000), f, ref), 1.5);
  EXPECT_LE(max_ulp(sample<float>(-1, 1, 100000), f, ref), 1.5);
  EXPECT_LE(max_ulp(sample<double>(-746, 710, 100000), f, ref), 1.5);
  EXPECT_LE(max_ulp(sample<double>(-1, 1, 100000), f, ref), 1.5);
  EXPECT_LE(max_ulp_op(sample<float>(-104, 89, 100000), [](const Tensor& t) { return exp(t); }, ref), 1.5);
  EXPECT_LE(max_ulp_op(sample<double>(-746, 710, 100000), [](const Tensor& t) { return exp(t); }, ref), 1.5);
}

TEST(VecMath, LogAccuracy) {
  auto f = [](auto v) { return vec::log(v); };
  auto ref = [](long double v) { return logl(v); };
  EXPECT_LE(max_ulp(sample_log<float>(1e-45, 3e38, 100000), f, ref), 2.5);
  EXPECT_LE(max_ulp(sample<float>(0.5, 2, 100000), f, ref), 2.5);
  EXPECT_LE(max_ulp(sample_log<double>(5e-324, 1e308, 100000), f, ref), 2.5);
  EXPECT_LE(max_ulp(sample<double>(0.5, 2, 100000), f, ref), 2.5);
  EXPECT_LE(max_ulp_op(sample<float>(0.5, 2, 100000), [](const Tensor& t) { return log(t); }, ref), 2.5);
  EXPECT_LE(max_ulp_op(sample_log<double>(1e-300, 1e300, 100000), [](const Tensor& t) { return log(t); }, ref), 2.5);
}

TEST(VecMath, Expm1TanhSigmoidAccuracy) {
  auto expm1_ref = [](long double v) { return expm1l(v); };
  EXPECT_LE(max_ulp(sample<float>(-90, 90, 100000), [](auto v) { return vec::expm1(v); }, expm1_ref), 2.5);
  EXPECT_LE(max_ulp(sample<float>(-1e-4, 1e-4, 10000), [](auto v) { return vec::expm1(v); }, expm1_ref), 2.5);
  EXPECT_LE(max_ulp(sample<double>(-40, 40, 100000), [](auto v) { return vec::expm1(v); }, expm1_ref), 2.5);

  auto tanh_ref = [](long double v) { return tanhl(v); };
  // Near zero tanh(x) ≈ x: the relative error must stay small there too (no cancellation).
  EXPECT_LE(max_ulp(sample<float>(-1e-3, 1e-3, 10000), [](auto v) { return vec::tanh(v); }, tanh_ref), 3.0);
  EXPECT_LE(max_ulp_op(sample<float>(-20, 20, 100000), [](const Tensor& t) { return tanh(t); }, tanh_ref), 3.0);
  EXPECT_LE(max_ulp_op(sample<double>(-20, 20, 100000), [](const Tensor& t) { return tanh(t); }, tanh_ref), 3.0);

  // Sigmoid keeps full relative precision for very negative x (down to subnormal results).
  EXPECT_LE(max_ulp_op(sample<float>(-100, 30, 100000), [](const Tensor& t) { return sigmoid(t); }, ref_sigmoid), 3.0);
  EXPECT_LE(max_ulp_op(sample<double>(-700, 40, 100000), [](const Tensor& t) { return sigmoid(t); }, ref_sigmoid), 3.0);
}

TEST(VecMath, SpecialValuesFloat) {
  constexpr float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(vec::exp(inf), inf);
  EXPECT_EQ(vec::exp(-inf), 0.0f);
  EXPECT_TRUE(std::isnan(vec::exp(nan)));
  EXPECT_EQ(vec::exp(0.0f), 1.0f);
  EXPECT_EQ(vec::exp(-0.0f), 1.0f);
  EXPECT_EQ(vec::exp(88.73f), inf);   // just above log(FLT_MAX) = 88.7228
  EXPECT_EQ(vec::exp(1000.0f), inf);
  EXPECT_GT(vec::exp(88.72f), 3.39e38f);  // e^88.72000122 = 3.3932e38, FLT_MAX = 3.4028e38
  EXPECT_EQ(vec::exp(-104.0f), 0.0f);
  EXPECT_EQ(vec::exp(-1000.0f), 0.0f);
  EXPECT_GT(vec::exp(-103.0f), 0.0f);  // subnormal results
  EXPECT_LT(vec::exp(-103.0f), 1e-44f);
  EXPECT_NEAR(vec::exp(-100.0f) / std::exp(-100.0f), 1.0, 1e-2);

  EXPECT_EQ(vec::log(inf), inf);
  EXPECT_TRUE(std::isnan(vec::log(-inf)));
  EXPECT_TRUE(std::isnan(vec::log(nan)));
  EXPECT_TRUE(std::isnan(vec::log(-1.0f)));
  EXPECT_EQ(vec::log(0.0f), -inf);
  EXPECT_EQ(vec::log(-0.0f), -inf);
  EXPECT_EQ(vec::log(1.0f), 0.0f);
  EXPECT_NEAR(vec::log(std::numeric_limits<float>::denorm_min()), -103.2789306640625, 1e-4);

  EXPECT_EQ(vec::tanh(inf), 1.0f);
  EXPECT_EQ(vec::tanh(-inf), -1.0f);
  EXPECT_EQ(vec::tanh(100.0f), 1.0f);
  EXPECT_TRUE(std::isnan(vec::tanh(nan)));
  EXPECT_EQ(vec::tanh(0.0f), 0.0f);
  EXPECT_TRUE(std::signbit(vec::tanh(-0.0f)));

  EXPECT_EQ(vec::sigmoid(inf), 1.0f);
  EXPECT_EQ(vec::sigmoid(-inf), 0.0f);
  EXPECT_EQ(vec::sigmoid(0.0f), 0.5f);
  EXPECT_TRUE(std::isnan(vec::sigmoid(nan)));

  EXPECT_EQ(vec::expm1(inf), inf);
  EXPECT_EQ(vec::expm1(-inf), -1.0f);
  EXPECT_EQ(vec::expm1(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(vec::expm1(nan)));
}

TEST(VecMath, SpecialValuesDouble) {
  constexpr double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(vec::exp(inf), inf);
  EXPECT_EQ(vec::exp(-inf), 0.0);
  EXPECT_TRUE(std::isnan(vec::exp(nan)));
  EXPECT_EQ(vec::exp(709.79), inf);  // log(DBL_MAX) = 709.7827
  EXPECT_GT(vec::exp(709.78), 1.79e308);
  EXPECT_EQ(vec::exp(-746.0), 0.0);
  EXPECT_EQ(vec::exp(-745.0), std::numeric_limits<double>::denorm_min());  // e^−745 ≈ 1.0·2^−1074
  EXPECT_EQ(vec::log(inf), inf);
  EXPECT_EQ(vec::log(0.0), -inf);
  EXPECT_TRUE(std::isnan(vec::log(-2.0)));
  EXPECT_TRUE(std::isnan(vec::log(nan)));
  EXPECT_NEAR(vec::log(std::numeric_limits<double>::denorm_min()), -744.4400719213812, 1e-10);
  EXPECT_EQ(vec::tanh(-inf), -1.0);
  EXPECT_TRUE(std::isnan(vec::tanh(nan)));
  EXPECT_EQ(vec::sigmoid(-inf), 0.0);
  EXPECT_EQ(vec::sigmoid(inf), 1.0);
}

TEST(VecMath, OpsPropagateSpecialsThroughVectorLoops) {
  // 40 elements: the specials land in full vector lanes and in the scalar tail.
  std::vector<float> v(40, 1.0f);
  v[3] = std::numeric_limits<float>::infinity();
  v[17] = -std::numeric_limits<float>::infinity();
  v[38] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> e = exp(from_vector(v)).to_vector<float>();
  EXPECT_EQ(e[3], INFINITY);
  EXPECT_EQ(e[17], 0.0f);
  EXPECT_TRUE(std::isnan(e[38]));
  EXPECT_FLOAT_EQ(e[0], 2.7182817f);
  const std::vector<float> l = log(from_vector(v)).to_vector<float>();
  EXPECT_EQ(l[3], INFINITY);
  EXPECT_TRUE(std::isnan(l[17]));
  EXPECT_TRUE(std::isnan(l[38]));
  EXPECT_EQ(l[0], 0.0f);
}
