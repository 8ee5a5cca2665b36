// sum and mean over dim lists.
#include "core/tensor_access.h"
#include "kernels/cpu/reduce.h"
#include "nabla/autograd.h"
#include "ops/reduce_impl.h"

namespace nabla {
namespace {

// Sums without recording; dims sorted and wrapped.
Tensor sum_raw(const Tensor& x_in, const IntList& dims, bool keepdim, DType dt) {
  const Tensor x = x_in.dtype() == dt ? x_in : x_in.to(dt);
  const Shape out_shape = detail::reduced_shape(x, dims, keepdim);
  Tensor out = empty(out_shape, dt);
  const int64_t R = detail::reduced_count(x, dims);
  const int64_t M = out.numel();
  dispatch_arith(dt, "sum", [&]<class T>() {
    if (detail::reduces_leading_dims(x, dims) && M > 1) {
      cpu::sum_cols<T>(x.data_ptr<T>(), out.data_ptr<T>(), R, M);
    } else {
      const Tensor xc = detail::kept_then_reduced(x, dims);
      cpu::sum_rows<T>(xc.data_ptr<T>(), out.data_ptr<T>(), M, R);
    }
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x, const IntList& dims_in, bool keepdim) {
  const IntList dims = detail::reduction_dims(x, dims_in, "sum");
  const DType dt = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  Tensor out = sum_raw(x, dims, keepdim, dt);
  const Shape in_shape = x.shape();
  // Sum distributes: every input element receives the output gradient.
  autograd::record(out, "sum", {x}, [in_shape, dims, keepdim](const Tensor& g) {
    return std::vector<Tensor>{detail::expand_reduced_grad(g, in_shape, dims, keepdim).contiguous()};
  });
  return out;
}

Tensor mean(const Tensor& x, const IntList& dims_in, bool keepdim) {
  NABLA_CHECK(is_floating(x.dtype()), "mean: expected a floating-point tensor, got ", dtype_name(x.dtype()),
              "; convert with .to(nabla::DType::Float32)");
  const IntList dims = detail::reduction_dims(x, dims_in, "mean");
  const int64_t count = detail::reduced_count(x, dims);
  return div(sum(x, dims, keepdim), static_cast<double>(count));
}

}  // namespace nabla
