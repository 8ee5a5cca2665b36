#include "nabla/nn/clip.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_util.h"

namespace nabla::nn::utils {
namespace {

std::vector<Tensor> present_grads(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  return grads;
}

}  // namespace

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NABLA_CHECK(norm_type > 0 || std::isinf(norm_type), "clip_grad_norm_: norm_type must be positive or inf, got ",
              norm_type);
  const std::vector<Tensor> grads = present_grads(parameters);
  if (grads.empty()) return scalar_tensor(0.0);
  const DType dt = grads[0].dtype();
  double total = 0;
  const bool inf_norm = std::isinf(norm_type);
  for (const Tensor& g : grads) {
    const double n = ops::grad_norm_double(g, norm_type, "clip_grad_norm_");
    if (std::isnan(n)) {
      total = n;
      break;
    }
    if (inf_norm) total = std::max(total, n);
    else total += std::pow(n, norm_type);
  }
  if (!inf_norm && !std::isnan(total)) total = std::pow(total, 1.0 / norm_type);
  NABLA_CHECK(!(error_if_nonfinite && !std::isfinite(total)), "clip_grad_norm_: the total norm of order ", norm_type,
              " for gradients from `parameters` is non-finite (", total,
              "), so it cannot be clipped; pass error_if_nonfinite=false to clip anyway");
  // PyTorch multiplies by the clamped coefficient unconditionally (a no-op factor 1 below max_norm).
  const double coef = std::min(max_norm / (total + 1e-6), 1.0);
  NoGradGuard no_grad;
  for (const Tensor& g : grads) {
    Tensor gm = g;
    if (coef != 1.0) gm.mul_(coef);
  }
  return scalar_tensor(total, dt);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NABLA_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must be non-negative, got ", clip_value);
  NoGradGuard no_grad;
  for (Tensor g : present_grads(parameters)) g.clamp_(-clip_value, clip_value);
}

}  // namespace nabla::nn::utils
