// Unary math ops (exp, log, sqrt, rsqrt, abs, sign, sigmoid, tanh, erf, relu, clamp) and pow, with
// their backward rules, the Tensor method forms and in-place clamp_.
// Transcendentals go through kernels/cpu/vec_math.h so that the loops vectorise.
#include <cmath>

#include "kernels/cpu/sqrt.h"
#include "kernels/cpu/vec_math.h"
#include "nabla/autograd.h"
#include "ops/elementwise_impl.h"

namespace nabla {
namespace {

// Floating ops on integer/bool inputs compute in float32, as PyTorch's default dtype.
DType floating_dtype(const Tensor& x) { return is_floating(x.dtype()) ? x.dtype() : DType::Float32; }

// out = f(x) in x's floating dtype. `f` is generic over float/double.
template <class F>
Tensor map_floating(const Tensor& x, const char* op, F f) {
  return dispatch_floating(floating_dtype(x), op,
                           [&]<class T>() { return detail::map_unary<T, T>(x, [f](T v) { return static_cast<T>(f(v)); }); });
}

// Backward helper: f(g, t) elementwise in t's floating dtype (one pass, no temporaries).
template <class F>
Tensor grad_map(const Tensor& g, const Tensor& t, const char* op, F f) {
  return dispatch_floating(t.dtype(), op, [&]<class T>() {
    return detail::map_binary<T, T>(g, t, op, [f](T a, T b) { return static_cast<T>(f(a, b)); });
  });
}

// Records a unary rule whose gradient is g ⊙ f'(s) for one saved tensor s: the input x, or the
// output when `from_output`. `fused` computes it in one elementwise pass over (g, s); `composite`
// computes the same with recorded ops (Tensor in, Tensor out), used when the backward pass itself
// records a graph (create_graph), so that higher-order gradients are exact.
template <class Fused, class Composite>
void record_unary(Tensor& out, const char* op, const Tensor& x, bool from_output, Fused fused, Composite composite) {
  if (!autograd::needs_grad({x})) return;
  const autograd::SavedTensor s = from_output ? autograd::SavedTensor::output(out) : autograd::SavedTensor(x);
  autograd::record(out, op, {x}, [s, op, fused, composite](const Tensor& g) {
    const Tensor t = s.get();
    if (autograd::grad_enabled()) return std::vector<Tensor>{composite(g, t)};
    return std::vector<Tensor>{grad_map(g, t, op, fused)};
  });
}

// 1 where `mask`, else 0, in g's dtype (masks of piecewise-linear rules in composite form).
Tensor as_factor(const Tensor& mask, const Tensor& g) { return mask.to(g.dtype()); }

// base^e for integers by repeated squaring; negative exponents follow integer division
// (1 → 1, −1 → ±1, anything else → 0), as PyTorch.
int64_t int_pow(int64_t base, int64_t e) {
  if (e < 0) {
    if (base == 1) return 1;
    if (base == -1) return (e % 2 == 0) ? 1 : -1;
    return 0;
  }
  int64_t result = 1;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>= 1;
  }
  return result;
}

template <class T>
T pow_value(T x, T e) {
  if constexpr (std::is_integral_v<T>)
    return int_pow(x, e);
  else
    return std::pow(x, e);
}

DType pow_dtype(const Tensor& a, const Tensor& b) {
  const DType dt = promote(a.dtype(), b.dtype());
  return dt == DType::Bool ? DType::Int64 : dt;
}

// x^e for a scalar exponent, with exact fast paths for the common small exponents.
template <class T>
Tensor pow_scalar_forward(const Tensor& x, double e) {
  const T et = static_cast<T>(e);
  if (e == 1.0) return detail::map_unary<T, T>(x, [](T v) { return v; });
  if (e == 2.0) return detail::map_unary<T, T>(x, [](T v) { return v * v; });
  if (e == 3.0) return detail::map_unary<T, T>(x, [](T v) { return v * v * v; });
  if constexpr (std::is_floating_point_v<T>) {
    if (e == 0.5) return detail::map_unary<T, T>(x, [](T v) { return std::sqrt(v); });
    if (e == -1.0) return detail::map_unary<T, T>(x, [](T v) { return T(1) / v; });
  }
  return detail::map_unary<T, T>(x, [et](T v) { return pow_value<T>(v, et); });
}

}  // namespace

// ---- exp / log / sqrt / rsqrt ------------------------------------------------------------------

Tensor exp(const Tensor& x) {
  Tensor out = map_floating(x, "exp", [](auto v) { return vec::exp(v); });
  // d e^x = e^x: reuse the output.
  record_unary(out, "exp", x, true, [](auto g, auto y) { return g * y; },
               [](const Tensor& g, const Tensor& y) { return mul(g, y); });
  return out;
}

Tensor log(const Tensor& x) {
  Tensor out = map_floating(x, "log", [](auto v) { return vec::log(v); });
  // d log x = 1/x.
  record_unary(out, "log", x, false, [](auto g, auto v) { return g / v; },
               [](const Tensor& g, const Tensor& v) { return div(g, v); });
  return out;
}

namespace {
// √x or 1/√x through the vectorised kernel (x made contiguous in its floating dtype first).
Tensor sqrt_forward(const Tensor& x, bool reciprocal, const char* op) {
  const DType dt = floating_dtype(x);
  const Tensor xc = x.to(dt).contiguous();
  Tensor out = empty(x.shape(), dt);
  dispatch_floating(dt, op, [&]<class T>() {
    cpu::sqrt_contiguous<T>(xc.data_ptr<T>(), out.data_ptr<T>(), xc.numel(), reciprocal);
  });
  return out;
}
}  // namespace

Tensor sqrt(const Tensor& x) {
  Tensor out = sqrt_forward(x, false, "sqrt");
  // d √x = 1/(2√x) = 0.5/y.
  record_unary(out, "sqrt", x, true, [](auto g, auto y) { return g / (decltype(y)(2) * y); },
               [](const Tensor& g, const Tensor& y) { return div(g, mul(y, 2.0)); });
  return out;
}

Tensor rsqrt(const Tensor& x) {
  Tensor out = sqrt_forward(x, true, "rsqrt");
  // d x^(−1/2) = −½·x^(−3/2) = −½·y³.
  record_unary(out, "rsqrt", x, true, [](auto g, auto y) { return decltype(y)(-0.5) * g * y * y * y; },
               [](const Tensor& g, const Tensor& y) { return mul(mul(g, mul(mul(y, y), y)), -0.5); });
  return out;
}

// ---- abs / sign ----------------------------------------------------------------------------------

Tensor abs(const Tensor& x) {
  NABLA_CHECK(x.dtype() != DType::Bool, "abs: not implemented for bool tensors");
  Tensor out = dispatch_arith(x.dtype(), "abs", [&]<class T>() {
    return detail::map_unary<T, T>(x, [](T v) { return v < T(0) ? static_cast<T>(-v) : v; });
  });
  // d|x| = sign(x) (0 at 0, as PyTorch).
  record_unary(
      out, "abs", x, false,
      [](auto g, auto v) {
        using T = decltype(v);
        return v > T(0) ? g : (v < T(0) ? -g : T(0));
      },
      [](const Tensor& g, const Tensor& v) { return mul(g, sign(v)); });
  return out;
}

Tensor sign(const Tensor& x) {
  if (x.dtype() == DType::Bool) return x.clone();
  Tensor out = dispatch_arith(x.dtype(), "sign", [&]<class T>() {
    // (0 < v) − (v < 0): NaN gives 0, as PyTorch's CPU kernel.
    return detail::map_unary<T, T>(x, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); });
  });
  // Piecewise constant: the gradient is zero everywhere it exists.
  const Shape shape = x.shape();
  const DType dt = out.dtype();
  autograd::record(out, "sign", {x}, [shape, dt](const Tensor&) { return std::vector<Tensor>{zeros(shape, dt)}; });
  return out;
}

// ---- activations -----------------------------------------------------------------------------

Tensor sigmoid(const Tensor& x) {
  Tensor out = map_floating(x, "sigmoid", [](auto v) { return vec::sigmoid(v); });
  // σ' = σ(1 − σ), from the output.
  record_unary(out, "sigmoid", x, true, [](auto g, auto y) { return g * y * (decltype(y)(1) - y); },
               [](const Tensor& g, const Tensor& y) { return mul(mul(g, y), 1.0 - y); });
  return out;
}

Tensor tanh(const Tensor& x) {
  Tensor out = map_floating(x, "tanh", [](auto v) { return vec::tanh(v); });
  // tanh' = 1 − tanh², from the output.
  record_unary(out, "tanh", x, true, [](auto g, auto y) { return g * (decltype(y)(1) - y * y); },
               [](const Tensor& g, const Tensor& y) { return mul(g, 1.0 - mul(y, y)); });
  return out;
}

Tensor erf(const Tensor& x) {
  Tensor out = map_floating(x, "erf", [](auto v) { return std::erf(v); });
  // erf' = 2/√π · e^(−x²), from the input.
  constexpr double two_over_sqrt_pi = 1.1283791670955126;
  record_unary(out, "erf", x, false,
               [](auto g, auto v) { return g * decltype(v)(two_over_sqrt_pi) * std::exp(-v * v); },
               [](const Tensor& g, const Tensor& v) { return mul(g, mul(exp(neg(mul(v, v))), two_over_sqrt_pi)); });
  return out;
}

Tensor relu(const Tensor& x) {
  NABLA_CHECK(x.dtype() != DType::Bool, "relu: bool tensors are not supported");
  Tensor out = dispatch_arith(x.dtype(), "relu", [&]<class T>() {
    return detail::map_unary<T, T>(x, [](T v) { return v < T(0) ? T(0) : v; });  // NaN passes through
  });
  // relu' = 1 where the output is positive, else 0.
  record_unary(out, "relu", x, true, [](auto g, auto y) { return y > decltype(y)(0) ? g : decltype(y)(0); },
               [](const Tensor& g, const Tensor& y) { return mul(g, as_factor(gt(y, 0.0), g)); });
  return out;
}

// ---- clamp ---------------------------------------------------------------------------------------

namespace {

// Dtype of clamp(x, min, max): x's, except that non-integral bounds turn integer x into float32.
DType clamp_dtype(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  DType dt = x.dtype() == DType::Bool ? DType::Int64 : x.dtype();
  if (lo) dt = promote(dt, detail::scalar_result_dtype(x, *lo));
  if (hi) dt = promote(dt, detail::scalar_result_dtype(x, *hi));
  return dt;
}

// min(max(v, lo), hi) with absent bounds at ±infinity of T; NaN propagates; lo > hi gives hi.
template <class T>
auto clamp_fn(std::optional<double> lo, std::optional<double> hi) {
  const T l = lo ? static_cast<T>(*lo) : std::numeric_limits<T>::lowest();
  const T h = hi ? static_cast<T>(*hi) : std::numeric_limits<T>::max();
  return [l, h](T v) {
    const T r = v < l ? l : v;
    return r > h ? h : r;
  };
}

}  // namespace

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  NABLA_CHECK(min || max, "clamp: at least one of 'min' or 'max' must be given");
  NABLA_CHECK(!(min && std::isnan(*min)) && !(max && std::isnan(*max)), "clamp: bounds must not be NaN");
  Tensor out = dispatch_arith(clamp_dtype(x, min, max), "clamp",
                              [&]<class T>() { return detail::map_unary<T, T>(x, clamp_fn<T>(min, max)); });
  // Gradient 1 where min ≤ x ≤ max (boundaries included, as PyTorch), else 0.
  const double lo = min ? *min : -INFINITY, hi = max ? *max : INFINITY;
  record_unary(
      out, "clamp", x, false,
      [lo, hi](auto g, auto v) {
        using T = decltype(v);
        return (v >= static_cast<T>(lo) && v <= static_cast<T>(hi)) ? g : T(0);
      },
      [lo, hi](const Tensor& g, const Tensor& v) { return mul(g, as_factor(logical_and(ge(v, lo), le(v, hi)), g)); });
  return out;
}

Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  autograd::check_inplace(*this, "clamp_");
  NABLA_CHECK(min || max, "clamp_: at least one of 'min' or 'max' must be given");
  const DType dt = clamp_dtype(*this, min, max);
  NABLA_CHECK(!(is_floating(dt) && !is_floating(dtype())), "clamp_: result type ", dtype_name(dt),
              " can't be cast to the desired output type ", dtype_name(dtype()));
  if (autograd::needs_grad({*this})) return detail::adopt_result(*this, clamp(clone(), min, max), "clamp_");
  dispatch_arith(dtype(), "clamp_", [&]<class T>() {
    const auto s = detail::broadcast_byte_strides(*this, shape());
    cpu::unary_kernel<T, T>(shape(), detail::bytes(*this), s, detail::bytes(*this), s, clamp_fn<T>(min, max));
  });
  detail::bump_version(*this);
  return *this;
}

// ---- pow -----------------------------------------------------------------------------------------

Tensor pow(const Tensor& x, const Tensor& exponent) {
  const DType dt = pow_dtype(x, exponent);
  Tensor out = dispatch_arith(dt, "pow", [&]<class T>() {
    return detail::map_binary<T, T>(x, exponent, "pow", [](T a, T b) { return pow_value<T>(a, b); });
  });
  if (!autograd::needs_grad({x, exponent})) return out;
  const Shape xs = x.shape(), es = exponent.shape();
  const bool need_x = x.requires_grad(), need_e = exponent.requires_grad();
  autograd::record(out, "pow", {x, exponent},
                   [sx = autograd::SavedTensor(x), se = autograd::SavedTensor(exponent),
                    sy = autograd::SavedTensor::output(out), xs, es, need_x, need_e](const Tensor& g) {
    const Tensor x = sx.get(), exponent = se.get(), y = sy.get();
    const bool composite = autograd::grad_enabled();
    Tensor gx, gexp;
    if (need_x) {
      // ∂(x^e)/∂x = e·x^(e−1), taken as 0 where e = 0 (so 0^0 does not give NaN).
      const Tensor e = exponent.to(x.dtype());
      const Tensor d = composite ? where(eq(e, 0.0), 0.0, mul(e, pow(x, sub(e, 1.0))))
                                 : grad_map(x, e, "pow", [](auto v, auto e) {
                                     using T = decltype(v);
                                     return e == T(0) ? T(0) : e * std::pow(v, e - T(1));
                                   });
      gx = sum_to(mul(g, d), xs);
    }
    if (need_e) {
      // ∂(x^e)/∂e = x^e·ln x, taken as 0 where x = 0 and e ≥ 0 (the limit from the right).
      const Tensor xe = x.to(exponent.dtype());
      const Tensor lnx = composite ? where(logical_and(eq(xe, 0.0), ge(exponent, 0.0)), 0.0, log(xe))
                                   : grad_map(xe, exponent, "pow", [](auto v, auto e) {
                                       using T = decltype(v);
                                       return (v == T(0) && e >= T(0)) ? T(0) : std::log(v);
                                     });
      gexp = sum_to(mul(mul(g, y), lnx), es);
    }
    return std::vector<Tensor>{gx, gexp};
  });
  return out;
}

Tensor pow(const Tensor& x, double exponent) {
  const DType dt = detail::scalar_result_dtype(x, exponent);
  NABLA_CHECK(is_floating(dt) || exponent >= 0, "pow: integers to negative integer powers are not allowed (exponent ",
              exponent, ", dtype ", dtype_name(x.dtype()), ")");
  Tensor out = dispatch_arith(dt, "pow", [&]<class T>() { return pow_scalar_forward<T>(x, exponent); });
  if (!autograd::needs_grad({x})) return out;
  // d x^b = b·x^(b−1) (zero for b = 0).
  const Shape shape = x.shape();
  autograd::record(out, "pow", {x}, [sx = autograd::SavedTensor(x), exponent, shape](const Tensor& g) {
    const Tensor x = sx.get();
    if (exponent == 0.0) return std::vector<Tensor>{zeros(shape, x.dtype())};
    if (autograd::grad_enabled()) return std::vector<Tensor>{mul(mul(g, pow(x, exponent - 1.0)), exponent)};
    return std::vector<Tensor>{grad_map(g, x, "pow", [exponent](auto gv, auto v) {
      using T = decltype(v);
      return gv * static_cast<T>(exponent) * std::pow(v, static_cast<T>(exponent - 1.0));
    })};
  });
  return out;
}

Tensor pow(double base, const Tensor& x) { return pow(detail::wrap_scalar(x, base), x); }

// ---- Tensor method forms -----------------------------------------------------------------------

Tensor Tensor::exp() const { return nabla::exp(*this); }
Tensor Tensor::log() const { return nabla::log(*this); }
Tensor Tensor::sqrt() const { return nabla::sqrt(*this); }
Tensor Tensor::abs() const { return nabla::abs(*this); }
Tensor Tensor::pow(double exponent) const { return nabla::pow(*this, exponent); }
Tensor Tensor::relu() const { return nabla::relu(*this); }
Tensor Tensor::sigmoid() const { return nabla::sigmoid(*this); }
Tensor Tensor::tanh() const { return nabla::tanh(*this); }

}  // namespace nabla
