#pragma once
// Elementwise ops with NumPy/PyTorch broadcasting. All differentiable in floating dtypes.
#include <optional>

#include "nabla/tensor.h"

namespace nabla {

/// a + alpha·b.
Tensor add(const Tensor& a, const Tensor& b, double alpha = 1.0);
Tensor add(const Tensor& a, double b);
/// a − alpha·b.
Tensor sub(const Tensor& a, const Tensor& b, double alpha = 1.0);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, double b);
/// True division (integer inputs give float32).
Tensor div(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, double b);
Tensor neg(const Tensor& x);
/// x^exponent elementwise (broadcasting).
Tensor pow(const Tensor& x, const Tensor& exponent);
Tensor pow(const Tensor& x, double exponent);
/// base^x for a scalar base.
Tensor pow(double base, const Tensor& x);
/// e^x. Integer inputs compute in float32 (as exp, log, sqrt, rsqrt, sigmoid and tanh below).
Tensor exp(const Tensor& x);
/// Natural logarithm (−inf at 0, NaN below 0).
Tensor log(const Tensor& x);
/// Square root (NaN below 0).
Tensor sqrt(const Tensor& x);
/// 1/√x.
Tensor rsqrt(const Tensor& x);
/// |x|, keeping x's dtype (int64 stays int64; bool is an error). Gradient sign(x).
Tensor abs(const Tensor& x);
/// Clamps to [min, max]; either bound may be absent. Gradient 1 inside, 0 outside.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
/// −1, 0 or +1 (gradient zero).
Tensor sign(const Tensor& x);
/// Logistic function 1/(1 + e^−x).
Tensor sigmoid(const Tensor& x);
/// Hyperbolic tangent.
Tensor tanh(const Tensor& x);
/// Error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. Gradient 2/√π·e^(−x²).
Tensor erf(const Tensor& x);
/// max(x, 0) (NaN passes through); keeps x's dtype. Gradient 1 where the output is positive.
Tensor relu(const Tensor& x);
/// Elementwise maximum/minimum of two tensors; ties split the gradient evenly (as PyTorch).
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// Comparisons return bool tensors (no gradient). Both sides are compared in their promoted dtype
// with broadcasting; a scalar is first converted to the tensor's dtype as PyTorch does.
/// a == b, a != b, a < b, a <= b, a > b, a >= b elementwise.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, double b);
/// Logical not/and/or of the truth values (non-zero, NaN included, is true); bool results.
Tensor logical_not(const Tensor& x);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
/// Elementwise cond ? a : b (broadcasting; cond must be bool); gradient flows to the chosen side.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, double b);
Tensor where(const Tensor& cond, double a, const Tensor& b);
/// True where the element is NaN / finite.
Tensor isnan(const Tensor& x);
Tensor isfinite(const Tensor& x);
/// True when every element of a and b is within atol + rtol·|b|.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

/// Broadcast shape of two shapes; raises Error naming `op` when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
/// Sums `grad` down to `shape` (undoes broadcasting in backward rules).
Tensor sum_to(const Tensor& grad, const Shape& shape);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, double b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, double b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, double b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& x);
/// Comparison operators: eq, ne, lt, le, gt, ge.
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);

}  // namespace nabla
