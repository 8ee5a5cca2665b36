// Indexing ops: gather, scatter, scatter_add, index_select, index_add, masked_fill(_), one_hot.
// Forward through the kernels in kernels/cpu/{gather,index_select,masked_fill}; each backward
// rule sits next to its forward and is written with these same ops.
#include <algorithm>

#include "core/tensor_access.h"
#include "kernels/cpu/gather.h"
#include "kernels/cpu/index_select.h"
#include "kernels/cpu/masked_fill.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/elementwise_impl.h"

namespace nabla {
namespace {

// Kernels see a 0-d tensor as shape [1] (PyTorch accepts dim 0 / −1 on scalars).
Shape shape1(const Tensor& t) { return t.dim() == 0 ? Shape{1} : t.shape(); }
Shape strides1(const Tensor& t) { return t.dim() == 0 ? Shape{1} : t.strides(); }

int64_t product(const Shape& s, int64_t from, int64_t to) {
  int64_t p = 1;
  for (int64_t d = from; d < to; ++d) p *= s[d];
  return p;
}

void check_index_dtype(const Tensor& index, const char* op) {
  NABLA_CHECK(index.defined(), op, ": index tensor is undefined");
  NABLA_CHECK(index.dtype() == DType::Int64, op, ": expected an int64 index tensor, got ", dtype_name(index.dtype()),
              " (shape ", index.shape(), ")");
}

// Every value of the (contiguous) index must lie in [0, size).
void check_index_values(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  const int64_t* p = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  for (int64_t i = 0; i < n; ++i)
    NABLA_CHECK(p[i] >= 0 && p[i] < size, op, ": index ", p[i], " is out of bounds for dimension ", dim,
                " with size ", size);
}

// Shape checks shared by gather/scatter/scatter_add: same rank for self, index (and src);
// index no larger than src anywhere and no larger than self outside `dim`.
void check_gather_shapes(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src, const char* op) {
  const Shape ss = shape1(self), is = shape1(index);
  NABLA_CHECK(ss.size() == is.size(), op, ": index tensor must have the same number of dimensions as the input (got ",
              index.dim(), " for index of shape ", index.shape(), " and ", self.dim(), " for input of shape ",
              self.shape(), ")");
  for (size_t k = 0; k < is.size(); ++k)
    NABLA_CHECK(static_cast<int64_t>(k) == dim || is[k] <= ss[k], op, ": index of shape ", index.shape(),
                " is larger than the input of shape ", self.shape(), " in dimension ", k, " (only dimension ", dim,
                " may differ)");
  if (src) {
    const Shape rs = shape1(*src);
    NABLA_CHECK(rs.size() == is.size(), op, ": src must have the same number of dimensions as index (got shapes ",
                src->shape(), " and ", index.shape(), ")");
    for (size_t k = 0; k < is.size(); ++k)
      NABLA_CHECK(is[k] <= rs[k], op, ": index of shape ", index.shape(), " is larger than src of shape ",
                  src->shape(), " in dimension ", k);
    NABLA_CHECK(src->dtype() == self.dtype(), op, ": expected src dtype ", dtype_name(src->dtype()),
                " to match the input dtype ", dtype_name(self.dtype()));
  }
}

// `t` (the gradient at the index positions) placed in the leading corner of a zero tensor of
// `shape` — src may be larger than index, and only its leading part is read.
Tensor embed_leading(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  Tensor out = zeros(shape, t.dtype());
  Tensor corner = out;
  for (int64_t k = 0; k < t.dim(); ++k) corner = corner.narrow(k, 0, t.shape()[k]);
  corner.copy_(t);
  return out;
}

// A fresh contiguous copy of x (no history) that scatter kernels may write into.
Tensor private_clone(const Tensor& x) { return x.detach().clone(); }

}  // namespace

// ---- gather / scatter ----------------------------------------------------------------------------

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "gather");
  const int64_t d = wrap_dim(dim, x.dim(), "gather");
  check_gather_shapes(x, d, index, nullptr, "gather");
  const Tensor ic = index.contiguous();
  check_index_values(ic, shape1(x)[d], d, "gather");
  Tensor out = empty(index.shape(), x.dtype());
  dispatch_storage(x.dtype(), [&]<class T>() {
    cpu::gather<T>(shape1(ic), d, ic.data_ptr<int64_t>(), strides1(ic), reinterpret_cast<const T*>(detail::bytes(x)),
                   strides1(x), out.data_ptr<T>(), strides1(out));
  });
  // out[p] = x[p | d ← index[p]]: each out element reads one x element, so ∂L/∂x accumulates
  // ∂L/∂out at the gathered positions (duplicates add up) — a scatter_add into zeros.
  const Shape x_shape = x.shape();
  autograd::record(out, "gather", {x}, [x_shape, d, si = autograd::SavedTensor(ic)](const Tensor& g) {
    return std::vector<Tensor>{scatter_add(zeros(x_shape, g.dtype()), d, si.get(), g)};
  });
  return out;
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_index_dtype(index, "scatter");
  const int64_t d = wrap_dim(dim, x.dim(), "scatter");
  check_gather_shapes(x, d, index, &src, "scatter");
  const Tensor ic = index.contiguous();
  check_index_values(ic, shape1(x)[d], d, "scatter");
  Tensor out = private_clone(x);
  dispatch_storage(x.dtype(), [&]<class T>() {
    cpu::scatter<T>(shape1(ic), d, ic.data_ptr<int64_t>(), strides1(ic), out.data_ptr<T>(), strides1(out),
                    reinterpret_cast<const T*>(detail::bytes(src)), strides1(src));
  });
  // Written positions no longer depend on x: ∂L/∂x = g with those positions zeroed.
  // src[p] lands at out[p | d ← index[p]]: ∂L/∂src[p] = g gathered there (zero where src is unread).
  const Shape src_shape = src.shape();
  autograd::record(out, "scatter", {x, src}, [d, si = autograd::SavedTensor(ic), src_shape](const Tensor& g) {
    return std::vector<Tensor>{scatter(g, d, si.get(), 0.0), embed_leading(gather(g, d, si.get()), src_shape)};
  });
  return out;
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, double value) {
  check_index_dtype(index, "scatter");
  const int64_t d = wrap_dim(dim, x.dim(), "scatter");
  check_gather_shapes(x, d, index, nullptr, "scatter");
  const Tensor ic = index.contiguous();
  check_index_values(ic, shape1(x)[d], d, "scatter");
  Tensor out = private_clone(x);
  dispatch_storage(x.dtype(), [&]<class T>() {
    cpu::scatter_fill<T>(shape1(ic), d, ic.data_ptr<int64_t>(), strides1(ic), out.data_ptr<T>(), strides1(out),
                         convert_element<T>(value));
  });
  // Filled positions are constants: ∂L/∂x = g with them zeroed.
  autograd::record(out, "scatter", {x}, [d, si = autograd::SavedTensor(ic)](const Tensor& g) {
    return std::vector<Tensor>{scatter(g, d, si.get(), 0.0)};
  });
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_index_dtype(index, "scatter_add");
  const int64_t d = wrap_dim(dim, x.dim(), "scatter_add");
  check_gather_shapes(x, d, index, &src, "scatter_add");
  const Tensor ic = index.contiguous();
  check_index_values(ic, shape1(x)[d], d, "scatter_add");
  Tensor out = private_clone(x);
  dispatch_arith(x.dtype(), "scatter_add", [&]<class T>() {
    cpu::scatter_add<T>(shape1(ic), d, ic.data_ptr<int64_t>(), strides1(ic), out.data_ptr<T>(), strides1(out),
                        reinterpret_cast<const T*>(detail::bytes(src)), strides1(src));
  });
  // out = x + Σ src placed at the indexed positions: ∂L/∂x = g, ∂L/∂src[p] = g[p | d ← index[p]].
  const Shape src_shape = src.shape();
  autograd::record(out, "scatter_add", {x, src}, [d, si = autograd::SavedTensor(ic), src_shape](const Tensor& g) {
    return std::vector<Tensor>{g, embed_leading(gather(g, d, si.get()), src_shape)};
  });
  return out;
}

// ---- index_select / index_add ----------------------------------------------------------------------

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "index_select");
  NABLA_CHECK(index.dim() <= 1, "index_select: index must be a vector (0-d or 1-d), got shape ", index.shape());
  const int64_t d = wrap_dim(dim, x.dim(), "index_select");
  const Shape xs = shape1(x);
  const Tensor ic = index.contiguous();
  check_index_values(ic, xs[d], d, "index_select");
  const int64_t k = ic.numel();
  Shape out_shape = x.shape();
  if (x.dim() > 0) out_shape[d] = k;
  else NABLA_CHECK(k == 1, "index_select: a 0-d input needs exactly one index, got ", k);
  const Tensor xc = x.detach().contiguous();
  Tensor out = empty(out_shape, x.dtype());
  cpu::index_select_rows(detail::bytes(xc), detail::bytes(out), product(xs, 0, d), xs[d],
                         product(xs, d + 1, static_cast<int64_t>(xs.size())), x.element_size(), ic.data_ptr<int64_t>(), k);
  // out picks rows index[j] of x along d: ∂L/∂x adds each row of g back at row index[j].
  const Shape x_shape = x.shape();
  autograd::record(out, "index_select", {x}, [x_shape, d, si = autograd::SavedTensor(ic)](const Tensor& g) {
    return std::vector<Tensor>{index_add(zeros(x_shape, g.dtype()), d, si.get(), g)};
  });
  return out;
}

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source) {
  check_index_dtype(index, "index_add");
  NABLA_CHECK(index.dim() <= 1, "index_add: index must be a vector (0-d or 1-d), got shape ", index.shape());
  const int64_t d = wrap_dim(dim, x.dim(), "index_add");
  NABLA_CHECK(source.dtype() == x.dtype(), "index_add: expected source dtype ", dtype_name(source.dtype()),
              " to match the input dtype ", dtype_name(x.dtype()));
  const Shape xs = shape1(x);
  const Tensor ic = index.contiguous();
  const int64_t k = ic.numel();
  Shape expected = xs;
  expected[d] = k;
  NABLA_CHECK(shape1(source) == expected, "index_add: source of shape ", source.shape(), " does not match input shape ",
              x.shape(), " with dimension ", d, " replaced by the index length ", k, " (expected ", expected, ")");
  check_index_values(ic, xs[d], d, "index_add");
  Tensor out = private_clone(x);
  const Tensor sc = source.detach().contiguous();
  dispatch_arith(x.dtype(), "index_add", [&]<class T>() {
    cpu::index_add_rows<T>(out.data_ptr<T>(), sc.data_ptr<T>(), product(xs, 0, d), xs[d],
                           product(xs, d + 1, static_cast<int64_t>(xs.size())), ic.data_ptr<int64_t>(), k);
  });
  // out = x + source rows added at index: ∂L/∂x = g, ∂L/∂source = rows index[j] of g.
  autograd::record(out, "index_add", {x, source}, [d, si = autograd::SavedTensor(ic)](const Tensor& g) {
    return std::vector<Tensor>{g, index_select(g, d, si.get())};
  });
  return out;
}

// ---- masked_fill ---------------------------------------------------------------------------------

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  NABLA_CHECK(mask.dtype() == DType::Bool, "masked_fill: expected a bool mask, got ", dtype_name(mask.dtype()),
              " (shape ", mask.shape(), ")");
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_fill");
  Tensor out = empty(shape, x.dtype());
  dispatch_storage(x.dtype(), [&]<class T>() {
    cpu::masked_fill_strided<T>(shape, detail::bytes(out), detail::broadcast_byte_strides(out, shape), detail::bytes(x),
                                detail::broadcast_byte_strides(x, shape), detail::bytes(mask),
                                detail::broadcast_byte_strides(mask, shape), convert_element<T>(value));
  });
  // Filled elements are constants: the gradient passes where mask is false, is zero where it is
  // true, and is summed back over the dims along which x was broadcast.
  const Shape x_shape = x.shape();
  autograd::record(out, "masked_fill", {x}, [sm = autograd::SavedTensor(mask), x_shape](const Tensor& g) {
    return std::vector<Tensor>{sum_to(masked_fill(g, sm.get(), 0.0), x_shape)};
  });
  return out;
}

Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  autograd::check_inplace(*this, "masked_fill_");
  NABLA_CHECK(mask.dtype() == DType::Bool, "masked_fill_: expected a bool mask, got ", dtype_name(mask.dtype()),
              " (shape ", mask.shape(), ")");
  const Shape shape = broadcast_shapes(this->shape(), mask.shape(), "masked_fill_");
  NABLA_CHECK(shape == this->shape(), "masked_fill_: mask of shape ", mask.shape(),
              " cannot be broadcast to the tensor's shape ", this->shape());
  if (autograd::needs_grad({*this})) return detail::adopt_result(*this, masked_fill(clone(), mask, value), "masked_fill_");
  dispatch_storage(dtype(), [&]<class T>() {
    const auto s = detail::broadcast_byte_strides(*this, shape);
    cpu::masked_fill_strided<T>(shape, detail::bytes(*this), s, detail::bytes(*this), s, detail::bytes(mask),
                                detail::broadcast_byte_strides(mask, shape), convert_element<T>(value));
  });
  detail::bump_version(*this);
  return *this;
}

// ---- one_hot -------------------------------------------------------------------------------------

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  NABLA_CHECK(labels.dtype() == DType::Int64, "one_hot: expected an int64 label tensor, got ",
              dtype_name(labels.dtype()), " (shape ", labels.shape(), ")");
  NABLA_CHECK(num_classes >= -1, "one_hot: num_classes must be -1 (infer) or non-negative, got ", num_classes);
  const Tensor lc = labels.contiguous();
  const int64_t* p = lc.data_ptr<int64_t>();
  const int64_t n = lc.numel();
  for (int64_t i = 0; i < n; ++i)
    NABLA_CHECK(p[i] >= 0, "one_hot: class values must be non-negative, got ", p[i]);
  if (num_classes == -1) {
    NABLA_CHECK(n > 0, "one_hot: cannot infer the number of classes from an empty tensor; pass num_classes");
    num_classes = *std::max_element(p, p + n) + 1;
  }
  for (int64_t i = 0; i < n; ++i)
    NABLA_CHECK(p[i] < num_classes, "one_hot: class value ", p[i], " is out of range for num_classes ", num_classes);
  Shape shape = labels.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
  return out;
}

}  // namespace nabla
