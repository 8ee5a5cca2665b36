#pragma once
// Private helpers of the optimizers: run a fused update (ops/optim_kernels.h) on a parameter's memory.
#include <cmath>

#include "core/tensor_access.h"
#include "nabla/autograd.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim::detail {

/// Calls f(param, grad, optimizer name) with contiguous tensors of the parameter's dtype (f runs a tensor-level
/// update of ops/optim_kernels.h, which rejects non-floating dtypes naming the optimizer): the
/// parameter itself when contiguous (updated in place), else a contiguous copy that is
/// written back afterwards. Marks the parameter's storage as modified (autograd version check).
template <class F>
void update_param(const Tensor& param, const std::string& optimizer, F&& f) {
  const Tensor grad_raw = param.grad();
  NABLA_CHECK(grad_raw.shape() == param.shape(), optimizer, ": gradient of shape ", grad_raw.shape(),
              " does not match its parameter of shape ", param.shape());
  const Tensor grad = (grad_raw.dtype() == param.dtype() ? grad_raw : grad_raw.to(param.dtype())).contiguous();
  NoGradGuard no_grad;
  Tensor p = param.is_contiguous() ? param : param.contiguous();
  f(p, grad, optimizer.c_str());
  if (!p.is_same(param)) {
    Tensor dst = param;
    dst.copy_(p);
  }
  nabla::detail::bump_version(param);
}

/// The state buffer `key` of `st`, created as zeros of the parameter's shape and dtype when absent.
inline Tensor& buffer(ParamState& st, const std::string& key, const Tensor& param, double fill = 0.0) {
  auto it = st.find(key);
  if (it == st.end()) it = st.emplace(key, full(param.shape(), fill, param.dtype())).first;
  return it->second;
}

/// Increments the 0-d float64 "step" counter of `st` (created at 0) and returns the new value.
inline double increment_step(ParamState& st) {
  auto it = st.find("step");
  if (it == st.end()) it = st.emplace("step", scalar_tensor(0.0, DType::Float64)).first;
  const double v = it->second.item() + 1.0;
  it->second.fill_(v);
  return v;
}

}  // namespace nabla::optim::detail
