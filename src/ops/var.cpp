// var and std over dim lists, composed from differentiable primitives (mean, sub, mul, sum, div,
// sqrt), so their gradients come from those ops' rules. Two passes (centre, then square) keep
// the result accurate when the mean is large compared with the spread.
#include <algorithm>

#include "nabla/ops.h"
#include "ops/reduce_impl.h"

namespace nabla {

Tensor var(const Tensor& x, const IntList& dims_in, int64_t correction, bool keepdim) {
  NABLA_CHECK(is_floating(x.dtype()), "var: std and var only support floating-point dtypes, got ", dtype_name(x.dtype()),
              " (shape ", x.shape(), ")");
  const IntList dims = detail::reduction_dims(x, dims_in, "var");
  const int64_t n = detail::reduced_count(x, dims);
  // Σ(x − x̄)² / max(0, N − correction), as torch.var (a zero divisor gives inf or NaN).
  const double divisor = static_cast<double>(std::max<int64_t>(0, n - correction));
  const Tensor centered = sub(x, mean(x, dims, /*keepdim=*/true));
  return div(sum(mul(centered, centered), dims, keepdim), divisor);
}

Tensor std(const Tensor& x, const IntList& dims, int64_t correction, bool keepdim) {
  NABLA_CHECK(is_floating(x.dtype()), "std: std and var only support floating-point dtypes, got ", dtype_name(x.dtype()),
              " (shape ", x.shape(), ")");
  return sqrt(var(x, dims, correction, keepdim));
}

}  // namespace nabla
