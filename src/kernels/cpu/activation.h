#pragma once
// Scalar activation functions and their derivatives, written branch-light so that the
// elementwise loops (kernels/cpu/elementwise.h, through map_unary / map_binary) vectorise them.
// Each *_grad takes the output gradient g and the input x and returns g·f'(x).
#include <cmath>
#include <type_traits>

#include "kernels/cpu/vec_math.h"

namespace nabla::cpu::act {

/// x for x > 0, slope·x otherwise.
template <class T> inline T leaky_relu(T x, T slope) { return x > T(0) ? x : x * slope; }
template <class T> inline T leaky_relu_grad(T g, T x, T slope) { return x > T(0) ? g : g * slope; }

/// scale·x for x > 0, scale·alpha·(eˣ − 1) otherwise (ELU: scale 1; SELU: PyTorch's constants).
template <class T> inline T elu(T x, T alpha, T scale) {
  return x > T(0) ? scale * x : scale * alpha * vec::expm1(x);
}
/// d/dx: scale for x > 0, scale·alpha·eˣ for x ≤ 0 (PyTorch's choice at 0).
template <class T> inline T elu_grad(T g, T x, T alpha, T scale) {
  return x > T(0) ? g * scale : g * scale * alpha * vec::exp(x);
}

/// Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF of the exact GELU. double: std::erf. float:
/// Abramowitz–Stegun 7.1.26 for the tail ½·erfc(|x|/√2) = ½·t·P(t)·e^(−x²/2), t = 1/(1 + p·|x|/√2)
/// (absolute error ≤ 1.5e-7 in erf; PyTorch's vectorised erf is the same formula), then Φ = 1 − tail
/// for x ≥ 0 and tail for x < 0, so small Φ far left keep their relative accuracy. Branch-free
/// with vec::exp, so the GELU loops vectorise; std::erf is a libm call per element, which was
/// a quarter of a GPT training step (perf, docs/benchmarks.md).
/// normal_cdf given e = e^(−x²/2) (float only; the GELU gradient shares it with φ).
NABLA_VEC_INLINE float normal_cdf_with(float x, float e) {
  const float z = std::fabs(x) * float(M_SQRT1_2);
  const float t = 1.0f / (1.0f + 0.3275911f * z);
  const float poly =
      t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float tail = 0.5f * poly * e;
  return x >= 0.0f ? 1.0f - tail : tail;
}
template <class T> NABLA_VEC_INLINE T normal_cdf(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return normal_cdf_with(x, vec::exp(-0.5f * x * x));
  } else {
    return T(0.5) * (T(1) + std::erf(x * T(M_SQRT1_2)));
  }
}
/// GELU (exact): x·Φ(x) = ½x·(1 + erf(x/√2)).
template <class T> NABLA_VEC_INLINE T gelu(T x) { return x * normal_cdf(x); }
/// d/dx x·Φ(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π); float computes e^(−x²/2) once for both.
template <class T> NABLA_VEC_INLINE T gelu_grad(T g, T x) {
  const T e = vec::exp(T(-0.5) * x * x);
  const T pdf = e * T(0.3989422804014327);
  if constexpr (std::is_same_v<T, float>) return g * (normal_cdf_with(x, e) + x * pdf);
  else return g * (normal_cdf(x) + x * pdf);
}

constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kGeluTanhCoef = 0.044715;
/// GELU (tanh approximation): ½x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
template <class T> inline T gelu_tanh(T x) {
  const T u = T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x * x * x);
  return T(0.5) * x * (T(1) + vec::tanh(u));
}
/// d/dx = ½(1 + t) + ½x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), t = tanh(u).
template <class T> inline T gelu_tanh_grad(T g, T x) {
  const T u = T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x * x * x);
  const T t = vec::tanh(u);
  const T du = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluTanhCoef) * x * x);
  return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du);
}

/// SiLU (swish): x·σ(x); d/dx = σ(x)·(1 + x·(1 − σ(x))).
template <class T> inline T silu(T x) { return x * vec::sigmoid(x); }
template <class T> inline T silu_grad(T g, T x) {
  const T s = vec::sigmoid(x);
  return g * s * (T(1) + x * (T(1) - s));
}

/// Softplus: log(1 + e^(βx))/β, or x where βx > threshold (linear regime, as PyTorch).
template <class T> inline T softplus(T x, T beta, T threshold) {
  const T z = x * beta;
  return z > threshold ? x : std::log1p(vec::exp(z)) / beta;
}
/// d/dx = σ(βx) (1 in the linear regime).
template <class T> inline T softplus_grad(T g, T x, T beta, T threshold) {
  const T z = x * beta;
  return z > threshold ? g : g * vec::sigmoid(z);
}

/// Hardtanh: clamp(x, lo, hi); gradient 1 strictly inside (lo, hi), 0 elsewhere (as PyTorch).
template <class T> inline T hardtanh(T x, T lo, T hi) { return x < lo ? lo : (x > hi ? hi : x); }
template <class T> inline T hardtanh_grad(T g, T x, T lo, T hi) { return (x > lo && x < hi) ? g : T(0); }

/// Hardsigmoid: relu6(x + 3)/6 = 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between (PyTorch's formula).
template <class T> inline T hardsigmoid(T x) {
  const T r = x + T(3);
  return (r < T(0) ? T(0) : (r > T(6) ? T(6) : r)) * T(1.0 / 6.0);
}
/// d/dx = 1/6 strictly inside (−3, 3), 0 elsewhere (PyTorch's hardsigmoid_backward).
template <class T> inline T hardsigmoid_grad(T g, T x) { return (x > T(-3) && x < T(3)) ? g * T(1.0 / 6.0) : T(0); }

/// Hardswish: x·relu6(x + 3)/6 = 0 for x ≤ −3, x for x ≥ 3, x(x + 3)/6 between.
template <class T> inline T hardswish(T x) {
  const T r = x + T(3);
  return x * (r < T(0) ? T(0) : (r > T(6) ? T(6) : r)) * T(1.0 / 6.0);
}
/// d/dx = 0 for x < −3, x/3 + ½ for −3 ≤ x ≤ 3, 1 for x > 3 (PyTorch's hardswish_backward,
/// which takes the middle branch at both kinks).
template <class T> inline T hardswish_grad(T g, T x) {
  return x < T(-3) ? T(0) : (x <= T(3) ? g * (x * T(1.0 / 3.0) + T(0.5)) : g);
}

}  // namespace nabla::cpu::act
