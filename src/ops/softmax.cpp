// softmax, log_softmax and logsumexp: direct, numerically stable kernels (shift by the max)
// with their backward rules.
#include "kernels/cpu/softmax.h"

#include <algorithm>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/reduce_impl.h"

namespace nabla {
namespace {

// x's shape split around `dim` as (outer, dim size, inner).
void split_at(const Shape& shape, int64_t dim, int64_t& O, int64_t& R, int64_t& I) {
  O = 1, R = 1, I = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim) O *= shape[d];
    else if (d == dim) R = shape[d];
    else I *= shape[d];
  }
}

Tensor softmax_impl(const Tensor& x, int64_t dim_in, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  NABLA_CHECK(is_floating(x.dtype()), op, ": expected a floating-point tensor, got ", dtype_name(x.dtype()),
              " (shape ", x.shape(), "); convert with .to(nabla::DType::Float32)");
  // A 0-d tensor is one element along dim 0 (or −1).
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x.dim(), 1), op);
  int64_t O, R, I;
  split_at(x.shape(), dim, O, R, I);
  const Tensor xc = x.contiguous();
  Tensor out = empty(x.shape(), x.dtype());
  if (x.numel() > 0)
    dispatch_floating(x.dtype(), op, [&]<class T>() {
      cpu::softmax_forward<T>(xc.data_ptr<T>(), out.data_ptr<T>(), O, R, I, log);
    });
  if (!autograd::needs_grad({x})) return out;
  // Backward from the output y (see kernels/cpu/softmax.h):
  //   softmax:     ∂y_j/∂x_k = y_j(δ_jk − y_k)  ⇒  dx = y ⊙ (g − Σ g⊙y)
  //   log_softmax: ∂y_j/∂x_k = δ_jk − softmax_k ⇒  dx = g − softmax · Σ g,  softmax = e^y
  autograd::record(out, op, {x}, [sy = autograd::SavedTensor::output(out), O, R, I, log, dim, op](const Tensor& g) {
    const Tensor y = sy.get();
    if (autograd::grad_enabled()) {
      // The same formulas with recorded ops, so that the gradient can be differentiated again.
      if (log) return std::vector<Tensor>{sub(g, mul(exp(y), sum(g, {dim}, true)))};
      return std::vector<Tensor>{mul(y, sub(g, sum(mul(g, y), {dim}, true)))};
    }
    const Tensor gc = g.to(y.dtype()).contiguous();
    Tensor dx = empty(y.shape(), y.dtype());
    if (y.numel() > 0)
      dispatch_floating(y.dtype(), op, [&]<class T>() {
        cpu::softmax_backward<T>(gc.data_ptr<T>(), y.data_ptr<T>(), dx.data_ptr<T>(), O, R, I, log);
      });
    return std::vector<Tensor>{dx};
  });
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true); }

Tensor logsumexp(const Tensor& x_in, const IntList& dims_in, bool keepdim) {
  // Integer inputs compute in float32, as PyTorch.
  const Tensor x = is_floating(x_in.dtype()) ? x_in : x_in.to(DType::Float32);
  const IntList dims = detail::reduction_dims(x, dims_in, "logsumexp");
  const Tensor rows = detail::kept_then_reduced(x, dims);  // (M, R) contiguous
  const int64_t R = detail::reduced_count(x, dims);
  Tensor out = empty(detail::reduced_shape(x, dims, keepdim), x.dtype());
  const int64_t M = out.numel();
  dispatch_floating(x.dtype(), "logsumexp", [&]<class T>() {
    cpu::logsumexp_rows<T>(rows.data_ptr<T>(), out.data_ptr<T>(), M, R);
  });
  if (!autograd::needs_grad({x})) return out;
  // ∂/∂x_i log Σ_j e^(x_j) = e^(x_i − lse): the softmax over the reduced dims.
  const Shape in_shape = x.shape();
  autograd::record(out, "logsumexp", {x}, [sx = autograd::SavedTensor(x), slse = autograd::SavedTensor::output(out),
                                           in_shape, dims, keepdim](const Tensor& g) {
    const Tensor p = exp(sub(sx.get(), detail::expand_reduced_grad(slse.get(), in_shape, dims, keepdim)));
    return std::vector<Tensor>{mul(detail::expand_reduced_grad(g, in_shape, dims, keepdim), p)};
  });
  return out;
}

Tensor Tensor::softmax(int64_t dim) const { return nabla::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return nabla::log_softmax(*this, dim); }

}  // namespace nabla
