#pragma once
// Private glue between the elementwise op front ends and the CPU kernels: dtype promotion,
// broadcasting, output allocation. Ops call map_unary/map_binary with a scalar functor.
#include "core/tensor_access.h"
#include "kernels/cpu/elementwise.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::detail {

/// Dtype of `op(tensor, scalar)`: the tensor's dtype, except that a non-integral scalar turns
/// integer/bool tensors into float32 (PyTorch's wrapped-number rule).
inline DType scalar_result_dtype(const Tensor& t, double s) {
  if (is_floating(t.dtype())) return t.dtype();
  if (s != static_cast<double>(static_cast<int64_t>(s))) return DType::Float32;
  return t.dtype() == DType::Bool ? DType::Int64 : t.dtype();
}

/// a + b, a · b and −a that wrap around on integer overflow (two's complement, as PyTorch's
/// integer kernels) instead of overflowing signed integers, which C++ leaves undefined.
template <class T>
constexpr T add_wrap(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T>
constexpr T mul_wrap(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}
template <class T>
constexpr T neg_wrap(T a) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(U(0) - static_cast<U>(a)));
  } else {
    return -a;
  }
}

/// A 0-d tensor holding `s`, in the dtype `op(t, s)` computes in.
inline Tensor wrap_scalar(const Tensor& t, double s) { return scalar_tensor(s, scalar_result_dtype(t, s)); }

/// New tensor out[i] = f(x[i]) with x viewed as In (converted when needed) and out of dtype Out.
template <class Out, class In, class F>
Tensor map_unary(const Tensor& x_in, F f) {
  const Tensor x = x_in.dtype() == dtype_of<In>() ? x_in : x_in.to(dtype_of<In>());
  Tensor out = empty(x.shape(), dtype_of<Out>());
  cpu::unary_kernel<Out, In>(x.shape(), bytes(out), broadcast_byte_strides(out, out.shape()), bytes(x),
                             broadcast_byte_strides(x, x.shape()), f);
  return out;
}

/// New tensor out = f(a, b) with broadcasting; a and b converted to In, out of dtype Out.
template <class Out, class In, class F>
Tensor map_binary(const Tensor& a_in, const Tensor& b_in, const char* op, F f) {
  const Shape shape = broadcast_shapes(a_in.shape(), b_in.shape(), op);
  const Tensor a = a_in.dtype() == dtype_of<In>() ? a_in : a_in.to(dtype_of<In>());
  const Tensor b = b_in.dtype() == dtype_of<In>() ? b_in : b_in.to(dtype_of<In>());
  Tensor out = empty(shape, dtype_of<Out>());
  cpu::binary_kernel<Out, In>(shape, bytes(out), broadcast_byte_strides(out, shape), bytes(a),
                              broadcast_byte_strides(a, shape), bytes(b), broadcast_byte_strides(b, shape), f);
  return out;
}

/// Writes f(self, other) into self (other broadcast to self's shape), converting other to self's dtype.
template <class T, class F>
void apply_inplace(Tensor& self, const Tensor& other_in, const char* op, F f) {
  const Shape shape = broadcast_shapes(self.shape(), other_in.shape(), op);
  NABLA_CHECK(shape == self.shape(), op, ": output with shape ", self.shape(),
              " doesn't match the broadcast shape ", shape);
  const Tensor other = other_in.dtype() == self.dtype() ? other_in : other_in.to(self.dtype());
  const auto s = broadcast_byte_strides(self, shape);
  cpu::binary_kernel<T, T>(shape, bytes(self), s, bytes(self), s, bytes(other), broadcast_byte_strides(other, shape), f);
  bump_version(self);
}

/// Writes `result` (computed out of place, with history) into self and adopts its history.
/// Used by in-place ops when autograd must see them; the extra copy only happens then.
inline Tensor& adopt_result(Tensor& self, const Tensor& result, const char* op) {
  NABLA_CHECK(!self.impl().is_view, op,
              ": in-place operation on a view is not supported by autograd when gradients are needed (view of shape ",
              self.shape(), "); use the out-of-place op");
  NABLA_CHECK(result.shape() == self.shape(), op, ": output with shape ", self.shape(),
              " doesn't match the broadcast shape ", result.shape());
  {
    NoGradGuard guard;
    self.copy_(result);
  }
  self.impl().grad_fn = result.grad_fn();
  self.impl().output_nr = result.impl().output_nr;
  self.impl().requires_grad = result.requires_grad();
  return self;
}

}  // namespace nabla::detail
