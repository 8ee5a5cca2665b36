// Comparisons (eq ne lt le gt ge and their operators), logical ops, isnan/isfinite, where, and
// the elementwise maximum/minimum. Comparisons and logical ops return bool tensors.
#include <cmath>
#include <functional>

#include "nabla/autograd.h"
#include "ops/elementwise_impl.h"

namespace nabla {
namespace {

// out = f(a, b, c) over the broadcast shape of the three, inputs converted to A, B, C.
template <class Out, class A, class B, class C, class F>
Tensor map_ternary(const Tensor& a_in, const Tensor& b_in, const Tensor& c_in, const char* op, F f) {
  const Shape shape = broadcast_shapes(broadcast_shapes(a_in.shape(), b_in.shape(), op), c_in.shape(), op);
  const Tensor a = a_in.dtype() == dtype_of<A>() ? a_in : a_in.to(dtype_of<A>());
  const Tensor b = b_in.dtype() == dtype_of<B>() ? b_in : b_in.to(dtype_of<B>());
  const Tensor c = c_in.dtype() == dtype_of<C>() ? c_in : c_in.to(dtype_of<C>());
  Tensor out = empty(shape, dtype_of<Out>());
  cpu::ternary_kernel<Out, A, B, C>(shape, detail::bytes(out), detail::broadcast_byte_strides(out, shape), detail::bytes(a),
                                    detail::broadcast_byte_strides(a, shape), detail::bytes(b),
                                    detail::broadcast_byte_strides(b, shape), detail::bytes(c),
                                    detail::broadcast_byte_strides(c, shape), f);
  return out;
}

// The dtype a comparison of a and b runs in: the promoted one, with 16-bit floats compared as
// float32 (exact: every bfloat16/float16 value is a float32 value).
DType compare_dtype(DType a, DType b) {
  const DType dt = promote(a, b);
  return is_half(dt) ? DType::Float32 : dt;
}

// a `cmp` b elementwise in the promoted dtype of a and b.
template <class Cmp>
Tensor compare(const Tensor& a, const Tensor& b, const char* op, Cmp cmp) {
  return dispatch_all(compare_dtype(a.dtype(), b.dtype()), op, [&]<class T>() {
    return detail::map_binary<bool, T>(a, b, op, [cmp](T x, T y) { return static_cast<bool>(cmp(x, y)); });
  });
}

// The scalar is converted to the dtype the comparison runs in (as PyTorch's wrapped numbers).
template <class Cmp>
Tensor compare(const Tensor& a, double b, const char* op, Cmp cmp) {
  return compare(a, detail::wrap_scalar(a, b), op, cmp);
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", std::equal_to<>{}); }
Tensor eq(const Tensor& a, double b) { return compare(a, b, "eq", std::equal_to<>{}); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", std::not_equal_to<>{}); }
Tensor ne(const Tensor& a, double b) { return compare(a, b, "ne", std::not_equal_to<>{}); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", std::less<>{}); }
Tensor lt(const Tensor& a, double b) { return compare(a, b, "lt", std::less<>{}); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", std::less_equal<>{}); }
Tensor le(const Tensor& a, double b) { return compare(a, b, "le", std::less_equal<>{}); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", std::greater<>{}); }
Tensor gt(const Tensor& a, double b) { return compare(a, b, "gt", std::greater<>{}); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", std::greater_equal<>{}); }
Tensor ge(const Tensor& a, double b) { return compare(a, b, "ge", std::greater_equal<>{}); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, double b) { return le(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, b); }

// ---- logical ops (non-zero is true; NaN is non-zero) ----------------------------------------------

Tensor logical_not(const Tensor& x) {
  return dispatch_all(compare_dtype(x.dtype(), x.dtype()), "logical_not",
                      [&]<class T>() { return detail::map_unary<bool, T>(x, [](T v) { return v == T(0); }); });
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare(a, b, "logical_and", [](auto x, auto y) { return x != 0 && y != 0; });
}

Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare(a, b, "logical_or", [](auto x, auto y) { return x != 0 || y != 0; });
}

// ---- isnan / isfinite ------------------------------------------------------------------------------

Tensor isnan(const Tensor& x) {
  if (!is_floating(x.dtype())) return zeros(x.shape(), DType::Bool);
  return dispatch_floating(x.dtype(), "isnan",
                           [&]<class T>() { return detail::map_unary<bool, T>(x, [](T v) { return v != v; }); });
}

Tensor isfinite(const Tensor& x) {
  if (!is_floating(x.dtype())) return ones(x.shape(), DType::Bool);
  return dispatch_floating(x.dtype(), "isfinite", [&]<class T>() {
    // v − v is 0 for finite v and NaN for ±inf and NaN.
    return detail::map_unary<bool, T>(x, [](T v) { return v - v == T(0); });
  });
}

// ---- where -------------------------------------------------------------------------------------------

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  NABLA_CHECK(cond.dtype() == DType::Bool, "where: expected condition to be a bool tensor, got ", dtype_name(cond.dtype()),
              " (shape ", cond.shape(), ")");
  Tensor out = dispatch_storage(promote(a.dtype(), b.dtype()), [&]<class T>() {
    return map_ternary<T, bool, T, T>(cond, a, b, "where", [](bool c, T x, T y) { return c ? x : y; });
  });
  // The gradient flows to the side that was selected, summed back over broadcast dims.
  const Shape as = a.shape(), bs = b.shape();
  autograd::record(out, "where", {a, b}, [sc = autograd::SavedTensor(cond), need_a = a.requires_grad(),
                                          need_b = b.requires_grad(), as, bs](const Tensor& g) {
    const Tensor cond = sc.get();
    Tensor ga = need_a ? sum_to(where(cond, g, 0.0), as) : Tensor();
    Tensor gb = need_b ? sum_to(where(cond, 0.0, g), bs) : Tensor();
    return std::vector<Tensor>{ga, gb};
  });
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, double b) { return where(cond, a, detail::wrap_scalar(a, b)); }
Tensor where(const Tensor& cond, double a, const Tensor& b) { return where(cond, detail::wrap_scalar(b, a), b); }

// ---- maximum / minimum ------------------------------------------------------------------------------

namespace {

// Elementwise max (largest) or min of a and b; NaN in either input propagates.
Tensor extreme_pair(const Tensor& a, const Tensor& b, bool largest, const char* op) {
  return dispatch_all(promote(a.dtype(), b.dtype()), op, [&]<class T>() {
    if (largest)
      return detail::map_binary<T, T>(a, b, op, [](T x, T y) { return x != x ? x : (y != y ? y : (x > y ? x : y)); });
    return detail::map_binary<T, T>(a, b, op, [](T x, T y) { return x != x ? x : (y != y ? y : (x < y ? x : y)); });
  });
}

// Gradient of maximum (largest) / minimum for input `a` of the pair (a, b) (as PyTorch):
//   g where a wins, g/2 where a == b (ties split evenly), 0 where b wins.
// For the other input call it with (b, a). NaN pairs pass the full gradient to both.
Tensor extreme_pair_grad(const Tensor& g, const Tensor& a, const Tensor& b, bool largest) {
  return dispatch_floating(g.dtype(), "maximum", [&]<class T>() {
    return map_ternary<T, T, T, T>(g, a, b, "maximum", [largest](T gv, T x, T y) {
      if (x == y) return gv / T(2);
      const bool loses = largest ? x < y : x > y;
      return loses ? T(0) : gv;
    });
  });
}

Tensor maximum_or_minimum(const Tensor& a, const Tensor& b, bool largest) {
  const char* op = largest ? "maximum" : "minimum";
  Tensor out = extreme_pair(a, b, largest, op);
  const Shape as = a.shape(), bs = b.shape();
  autograd::record(out, op, {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                     need_a = a.requires_grad(), need_b = b.requires_grad(), as, bs,
                                     largest](const Tensor& g) {
    const Tensor a = sa.get(), b = sb.get();
    Tensor ga = need_a ? sum_to(extreme_pair_grad(g, a, b, largest), as) : Tensor();
    Tensor gb = need_b ? sum_to(extreme_pair_grad(g, b, a, largest), bs) : Tensor();
    return std::vector<Tensor>{ga, gb};
  });
  return out;
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return maximum_or_minimum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return maximum_or_minimum(a, b, false); }

}  // namespace nabla
