// max/min overall and along a dim (values + indices), argmax/argmin. NaN counts as the extreme
// (it propagates into max/min, and argmax/argmin point at it), as in PyTorch.
#include "kernels/cpu/minmax.h"

#include "core/tensor_access.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

// x's shape split around `dim` as (O, R, I): outer, reduced and inner sizes.
struct DimSplit {
  int64_t outer = 1, reduced = 1, inner = 1;
};
DimSplit split_at(const Shape& shape, int64_t dim) {
  DimSplit s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim) s.outer *= shape[d];
    else if (d == dim) s.reduced = shape[d];
    else s.inner *= shape[d];
  }
  return s;
}

Shape shape_without(const Shape& shape, int64_t dim, bool keepdim) {
  Shape out = shape;
  if (keepdim)
    out[dim] = 1;
  else
    out.erase(out.begin() + dim);
  return out;
}

// Values (when want_values) and int64 indices of the extreme along `dim` (no autograd).
std::pair<Tensor, Tensor> extreme_dim_raw(const Tensor& x_in, int64_t dim_in, bool keepdim, bool largest, bool want_values,
                                          const char* op) {
  // A 0-d tensor behaves as one element along dim 0 (or −1).
  const bool scalar = x_in.dim() == 0;
  const Tensor x = scalar ? x_in.reshape({1}) : x_in;
  const int64_t dim = wrap_dim(dim_in, x.dim(), op);
  NABLA_CHECK(x.shape()[dim] > 0, op, "(): expected reduction dim ", dim, " to have non-zero size (input shape ",
              x.shape(), ")");
  const Shape out_shape = scalar ? Shape{} : shape_without(x.shape(), dim, keepdim);
  const DimSplit s = split_at(x.shape(), dim);
  const Tensor xc = x.contiguous();
  Tensor indices = empty(out_shape, DType::Int64);
  Tensor values = want_values ? empty(out_shape, x.dtype()) : Tensor();
  dispatch_all(x.dtype(), op, [&]<class T>() {
    cpu::extreme_along_dim<T>(xc.data_ptr<T>(), want_values ? values.data_ptr<T>() : nullptr, indices.data_ptr<int64_t>(),
                              s.outer, s.reduced, s.inner, largest);
  });
  return {values, indices};
}

std::pair<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t dim, bool keepdim, bool largest) {
  const char* op = largest ? "max" : "min";
  auto [values, indices] = extreme_dim_raw(x, dim, keepdim, largest, /*want_values=*/true, op);
  if (!autograd::needs_grad({x})) return {values, indices};
  // One node with two outputs (values, indices); only the values carry a gradient. The output
  // picked one element per slice: its gradient goes to that element (the arg-max), every other
  // element gets zero — a scatter into zeros, which is itself differentiable.
  const Shape in_shape = x.shape();
  const int64_t d = x.dim() == 0 ? 0 : wrap_dim(dim, x.dim(), op);
  std::vector<Tensor> outputs{values, indices};
  autograd::record_multi(outputs, op, {x}, [in_shape, si = autograd::SavedTensor(indices), d, keepdim](
                                               const std::vector<Tensor>& grads) {
    const Tensor& g = grads[0];
    if (in_shape.empty()) return std::vector<Tensor>{g.reshape(in_shape)};  // 0-d: the one element
    const Tensor idx = keepdim ? si.get() : si.get().unsqueeze(d);
    return std::vector<Tensor>{scatter(zeros(in_shape, g.dtype()), d, idx, keepdim ? g : g.unsqueeze(d))};
  });
  return {outputs[0], outputs[1]};
}

Tensor extreme_all(const Tensor& x, bool largest) {
  const char* op = largest ? "max" : "min";
  NABLA_CHECK(x.numel() > 0, op, "(): expected reduction dim to be specified for input.numel() == 0 (input shape ",
              x.shape(), "); specify the reduction dim with the 'dim' argument");
  const Tensor xc = x.contiguous();
  Tensor out = empty({}, x.dtype());
  dispatch_all(x.dtype(), op, [&]<class T>() {
    *out.data_ptr<T>() = cpu::reduce_extreme<T>(xc.data_ptr<T>(), xc.numel(), largest);
  });
  if (!autograd::needs_grad({x})) return out;
  // The gradient is split evenly among all elements equal to the result (ties, or NaNs when the
  // result is NaN), as PyTorch's amax/amin: d/dx_i = [x_i = m] / #{j : x_j = m}.
  autograd::record(out, op, {x}, [sx = autograd::SavedTensor(x), sv = autograd::SavedTensor::output(out)](const Tensor& g) {
    const Tensor x = sx.get(), value = sv.get().detach();
    const Tensor hit = logical_or(eq(x, value), logical_and(isnan(x), isnan(value)));
    const Tensor count = sum(hit);
    return std::vector<Tensor>{mul(hit.to(g.dtype()), div(g, count.to(g.dtype())))};
  });
  return out;
}

Tensor arg_extreme(const Tensor& x, std::optional<int64_t> dim, bool keepdim, bool largest) {
  const char* op = largest ? "argmax" : "argmin";
  if (dim) return extreme_dim_raw(x, *dim, keepdim, largest, /*want_values=*/false, op).second;
  // No dim: the index into the flattened tensor.
  NABLA_CHECK(x.numel() > 0, op, "(): expected reduction dim to be specified for input.numel() == 0 (input shape ",
              x.shape(), ")");
  Tensor flat = extreme_dim_raw(x.reshape({x.numel()}), 0, false, largest, false, op).second;
  return keepdim ? flat.reshape(Shape(x.dim(), 1)) : flat;
}

}  // namespace

Tensor max(const Tensor& x) { return extreme_all(x, true); }
Tensor min(const Tensor& x) { return extreme_all(x, false); }
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim(x, dim, keepdim, true); }
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim(x, dim, keepdim, false); }
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_extreme(x, dim, keepdim, true); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_extreme(x, dim, keepdim, false); }

Tensor Tensor::max() const { return nabla::max(*this); }
Tensor Tensor::min() const { return nabla::min(*this); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return nabla::argmax(*this, dim, keepdim); }

}  // namespace nabla
