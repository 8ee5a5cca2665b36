// Arithmetic: add, sub, mul, div, neg with broadcasting, their scalar forms, operators and
// in-place forms. Backward rules sit next to each forward.
#include "nabla/autograd.h"
#include "ops/elementwise_impl.h"

namespace nabla {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t nd = std::max(a.size(), b.size());
  Shape out(nd);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t da = i < nd - a.size() ? 1 : a[i - (nd - a.size())];
    const int64_t db = i < nd - b.size() ? 1 : b[i - (nd - b.size())];
    NABLA_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
                " cannot be broadcast together (size ", da, " vs ", db, " at dimension ", i, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  NABLA_CHECK(lead >= 0, "sum_to: cannot reduce shape ", grad.shape(), " to ", shape);
  IntList dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && grad.shape()[d] != 1)) dims.push_back(d);
  Tensor r = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return r.reshape(shape);
}

namespace {

DType arith_dtype(const Tensor& a, const Tensor& b, const char* op) {
  const DType dt = promote(a.dtype(), b.dtype());
  return dt == DType::Bool ? DType::Int64 : dt;
}

Tensor add_impl(const Tensor& a, const Tensor& b, double alpha, const char* name) {
  const DType dt = arith_dtype(a, b, name);
  Tensor out = dispatch_arith(dt, name, [&]<class T>() {
    const T al = convert_element<T>(alpha);
    if (alpha == 1.0) return detail::map_binary<T, T>(a, b, name, [](T x, T y) { return detail::add_wrap(x, y); });
    return detail::map_binary<T, T>(a, b, name, [al](T x, T y) { return detail::add_wrap(x, detail::mul_wrap(al, y)); });
  });
  if (autograd::needs_grad({a, b})) {
    // Add distributes: both inputs receive g (scaled by alpha for b), reduced to their shapes.
    autograd::record(out, name, {a, b}, [as = a.shape(), bs = b.shape(), alpha](const Tensor& g) {
      return std::vector<Tensor>{sum_to(g, as), sum_to(alpha == 1.0 ? g : mul(g, alpha), bs)};
    });
  }
  return out;
}

// x + s for a scalar s, without materialising s as a tensor.
Tensor add_scalar(const Tensor& x, double s, const char* name) {
  const DType dt = detail::scalar_result_dtype(x, s);
  Tensor out = dispatch_arith(dt == DType::Bool ? DType::Int64 : dt, name, [&]<class T>() {
    const T v = convert_element<T>(s);
    return detail::map_unary<T, T>(x, [v](T e) { return detail::add_wrap(e, v); });
  });
  if (autograd::needs_grad({x}))
    autograd::record(out, name, {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

void check_inplace_dtype(const Tensor& self, const Tensor& other, const char* op) {
  const DType dt = promote(self.dtype(), other.dtype());
  NABLA_CHECK(!(is_floating(dt) && !is_floating(self.dtype())), op, ": result type ", dtype_name(dt),
              " can't be cast to the desired output type ", dtype_name(self.dtype()));
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, double alpha) { return add_impl(a, b, alpha, "add"); }
Tensor add(const Tensor& a, double b) { return add_scalar(a, b, "add"); }
Tensor sub(const Tensor& a, const Tensor& b, double alpha) {
  NABLA_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool, "sub: subtraction of two bool tensors is not supported");
  return add_impl(a, b, -alpha, "sub");
}
Tensor sub(const Tensor& a, double b) { return add_scalar(a, -b, "sub"); }

Tensor mul(const Tensor& a, const Tensor& b) {
  const DType dt = arith_dtype(a, b, "mul");
  Tensor out = dispatch_arith(dt, "mul", [&]<class T>() {
    return detail::map_binary<T, T>(a, b, "mul", [](T x, T y) { return detail::mul_wrap(x, y); });
  });
  if (!autograd::needs_grad({a, b})) return out;
  // d(ab)/da = b, d(ab)/db = a ("mul switches" its inputs).
  autograd::record(out, "mul", {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                        need_a = a.requires_grad(), need_b = b.requires_grad()](const Tensor& g) {
    const Tensor a = sa.get(), b = sb.get();
    return std::vector<Tensor>{need_a ? sum_to(mul(g, b), a.shape()) : Tensor(),
                               need_b ? sum_to(mul(g, a), b.shape()) : Tensor()};
  });
  return out;
}
Tensor mul(const Tensor& a, double b) {
  const DType dt = detail::scalar_result_dtype(a, b);
  Tensor out = dispatch_arith(dt, "mul", [&]<class T>() {
    const T s = convert_element<T>(b);
    return detail::map_unary<T, T>(a, [s](T x) { return detail::mul_wrap(x, s); });
  });
  if (autograd::needs_grad({a}))
    autograd::record(out, "mul", {a}, [b](const Tensor& g) { return std::vector<Tensor>{mul(g, b)}; });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  DType dt = promote(a.dtype(), b.dtype());
  if (!is_floating(dt)) dt = DType::Float32;
  Tensor out = dispatch_floating(dt, "div", [&]<class T>() {
    return detail::map_binary<T, T>(a, b, "div", [](T x, T y) { return x / y; });
  });
  if (!autograd::needs_grad({a, b})) return out;
  // d(a/b)/da = 1/b; d(a/b)/db = −a/b².
  autograd::record(out, "div", {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                        need_a = a.requires_grad(), need_b = b.requires_grad()](const Tensor& g) {
    const Tensor a = sa.get(), b = sb.get();
    Tensor ga = need_a ? sum_to(div(g, b), a.shape()) : Tensor();
    Tensor gb = need_b ? sum_to(neg(div(mul(g, a), mul(b, b))), b.shape()) : Tensor();
    return std::vector<Tensor>{ga, gb};
  });
  return out;
}
Tensor div(const Tensor& a, double b) {
  const DType dt = is_floating(a.dtype()) ? a.dtype() : DType::Float32;
  return dispatch_floating(dt, "div", [&]<class T>() {
    Tensor out = detail::map_unary<T, T>(a, [d = static_cast<T>(b)](T x) { return x / d; });
    if (autograd::needs_grad({a}))
      autograd::record(out, "div", {a}, [b](const Tensor& g) { return std::vector<Tensor>{div(g, b)}; });
    return out;
  });
}

Tensor neg(const Tensor& x) {
  NABLA_CHECK(x.dtype() != DType::Bool, "neg: negation of a bool tensor is not supported; use logical_not");
  Tensor out = dispatch_arith(x.dtype(), "neg", [&]<class T>() { return detail::map_unary<T, T>(x, [](T v) { return detail::neg_wrap(v); }); });
  if (autograd::needs_grad({x}))
    autograd::record(out, "neg", {x}, [](const Tensor& g) { return std::vector<Tensor>{neg(g)}; });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator-(double a, const Tensor& b) { return add(neg(b), a); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator/(double a, const Tensor& b) { return div(detail::wrap_scalar(b, a), b); }
Tensor operator-(const Tensor& x) { return neg(x); }

// ---- in-place -------------------------------------------------------------------------------

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  autograd::check_inplace(*this, "add_");
  check_inplace_dtype(*this, other, "add_");
  if (autograd::needs_grad({*this, other})) return detail::adopt_result(*this, add(clone(), other, alpha), "add_");
  dispatch_arith(dtype(), "add_", [&]<class T>() {
    const T al = convert_element<T>(alpha);
    detail::apply_inplace<T>(*this, other, "add_", [al](T x, T y) { return detail::add_wrap(x, detail::mul_wrap(al, y)); });
  });
  return *this;
}
Tensor& Tensor::add_(double other) { return add_(detail::wrap_scalar(*this, other)); }
Tensor& Tensor::sub_(const Tensor& other, double alpha) { return add_(other, -alpha); }
Tensor& Tensor::sub_(double other) { return add_(detail::wrap_scalar(*this, other), -1.0); }

Tensor& Tensor::mul_(const Tensor& other) {
  autograd::check_inplace(*this, "mul_");
  check_inplace_dtype(*this, other, "mul_");
  if (autograd::needs_grad({*this, other})) return detail::adopt_result(*this, mul(clone(), other), "mul_");
  dispatch_arith(dtype(), "mul_", [&]<class T>() {
    detail::apply_inplace<T>(*this, other, "mul_", [](T x, T y) { return detail::mul_wrap(x, y); });
  });
  return *this;
}
Tensor& Tensor::mul_(double other) { return mul_(detail::wrap_scalar(*this, other)); }

Tensor& Tensor::div_(const Tensor& other) {
  autograd::check_inplace(*this, "div_");
  NABLA_CHECK(is_floating(dtype()), "div_: in-place true division needs a floating-point tensor, got ", dtype_name(dtype()));
  if (autograd::needs_grad({*this, other})) return detail::adopt_result(*this, div(clone(), other), "div_");
  dispatch_floating(dtype(), "div_", [&]<class T>() {
    detail::apply_inplace<T>(*this, other, "div_", [](T x, T y) { return x / y; });
  });
  return *this;
}
Tensor& Tensor::div_(double other) { return div_(detail::wrap_scalar(*this, other)); }

}  // namespace nabla
