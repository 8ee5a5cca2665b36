// cumsum: a scan along one dim through cpu::cumsum; its backward is the reverse scan.
#include "kernels/cpu/cumsum.h"

#include <algorithm>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

// Scans x (already of the output dtype) forwards or backwards along dim (wrapped).
Tensor cumsum_scan(const Tensor& x, int64_t dim, bool reverse) {
  int64_t O = 1, R = 1, I = 1;
  for (int64_t d = 0; d < x.dim(); ++d) (d < dim ? O : d == dim ? R : I) *= x.shape()[d];
  const Tensor xc = x.contiguous();
  Tensor out = empty(x.shape(), x.dtype());
  if (x.numel() > 0)
    dispatch_arith(x.dtype(), "cumsum", [&]<class T>() {
      cpu::cumsum<T>(xc.data_ptr<T>(), out.data_ptr<T>(), O, R, I, reverse);
    });
  if (!autograd::needs_grad({x})) return out;
  // y_r = Σ_{s ≤ r} x_s, so ∂L/∂x_s = Σ_{r ≥ s} g_r: the reverse scan of g (and the other way
  // round for the reverse scan). Written with the recorded op itself, so it differentiates again.
  autograd::record(out, "cumsum", {x}, [dim, reverse](const Tensor& g) {
    return std::vector<Tensor>{cumsum_scan(g, dim, !reverse)};
  });
  return out;
}

}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim_in, std::optional<DType> dtype) {
  NABLA_CHECK(x.defined(), "cumsum: the input is undefined");
  // A 0-d tensor scans as one element along dim 0 (or −1), as PyTorch.
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x.dim(), 1), "cumsum");
  // PyTorch's rule: integer and bool inputs sum in int64 unless a dtype is given.
  const DType dt = dtype ? *dtype : is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  NABLA_CHECK(dt != DType::Bool, "cumsum: dtype bool is not supported (shape ", x.shape(), ")");
  const Tensor xd = x.dtype() == dt ? x : x.to(dt);
  if (x.dim() == 0) return cumsum_scan(xd.reshape({1}), 0, false).reshape({});
  return cumsum_scan(xd, dim, false);
}

}  // namespace nabla
