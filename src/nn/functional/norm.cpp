// Normalisation ops. batch_norm (and batch_norm_relu) and the row normalisation under
// layer_norm / group_norm / instance_norm run fused kernels (the tensor-level batch_norm_* and
// layer_norm_* ops of ops/nn_kernels.h) with backward rules derived below; local_response_norm composes tensor ops.
#include "nabla/nn/functional/norm.h"

#include <cmath>
#include <vector>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

// A per-channel (or per-feature) tensor argument: undefined, or `numel` elements of input's dtype.
void check_param(const Tensor& t, const Shape& expected, DType dtype, const char* op, const char* what) {
  if (!t.defined()) return;
  NABLA_CHECK(t.shape() == expected, op, ": ", what, " must have shape ", expected, ", got ", t.shape());
  NABLA_CHECK(t.dtype() == dtype, op, ": ", what, " (", dtype_name(t.dtype()), ") must have the input's dtype (",
              dtype_name(dtype), ")");
}

// Per-channel broadcast view (1, C, 1, …, 1) of a (C) tensor for an input of rank `ndim`.
Tensor channel_view(const Tensor& t, int64_t ndim) {
  Shape s(static_cast<size_t>(ndim), 1);
  s[1] = t.numel();
  return t.reshape(s);
}

// y·weight + bias per channel (either may be undefined).
Tensor channel_affine(const Tensor& y, const Tensor& weight, const Tensor& bias) {
  Tensor out = y;
  if (weight.defined()) out = mul(out, channel_view(weight, y.dim()));
  if (bias.defined()) out = add(out, channel_view(bias, y.dim()));
  return out;
}

// ---- batch norm --------------------------------------------------------------------------------
//
// Forward, per channel c over its M = N·S values: x̂ = (x − μ)·r with r = 1/√(σ² + eps), and
// y = γ·x̂ + β, applied as y = (x − μ)·a + β with a = γ·r.
//
// Backward (training: μ and σ² depend on x). With G = Σg and P = Σg·(x − μ) over the channel:
//   ∂L/∂β = G,  ∂L/∂γ = Σg·x̂ = r·P.
//   ∂L/∂x̂ = γ·g;  ∂μ/∂x = 1/M;  ∂σ²/∂x = 2(x − μ)/M (the Σ(x − μ) term vanishes), so
//   ∂L/∂x = γ·r·(g − G/M − x̂·Σ(g·x̂)/M) = γ·r·g − γ·r·G/M − γ·r³·P·(x − μ)/M,
// which is the kernel's dx = A·g + B·(x − μ) + K with A = γ·r, B = −γ·r³·P/M, K = −A·G/M.
// Not training (running stats are constants): ∂L/∂x = γ·r·g, i.e. B = K = 0.
// Fused ReLU or ReLU6: the output gradient is first zeroed where the activation's rule zeroes it
// (output ≤ 0; for ReLU6 also ≥ 6), which the kernels do from the saved output.
Tensor batch_norm_impl(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, bool training, double momentum, double eps, ops::FusedActivation act,
                       const char* op) {
  NABLA_CHECK(input.dim() >= 2, op, ": expected an input of shape (N, C, *) with at least 2 dims, got shape ",
              input.shape());
  NABLA_CHECK(is_floating(input.dtype()), op, ": input must be floating point, got ", dtype_name(input.dtype()));
  const int64_t N = input.size(0), C = input.size(1);
  const Shape cshape{C};
  check_param(weight, cshape, input.dtype(), op, "weight");
  check_param(bias, cshape, input.dtype(), op, "bias");
  for (const Tensor* t : {&running_mean, &running_var})
    if (t->defined())
      NABLA_CHECK(t->shape() == cshape, op, ": running stats must have shape ", cshape, " (the input's channels), got ",
                  t->shape(), " for input of shape ", input.shape());
  NABLA_CHECK(training || (running_mean.defined() && running_var.defined()), op,
              ": running_mean and running_var are required when not training");
  NABLA_CHECK(eps >= 0, op, ": eps must be non-negative, got ", eps);
  int64_t S = 1;
  for (int64_t d = 2; d < input.dim(); ++d) S *= input.size(d);
  const int64_t M = N * S;
  NABLA_CHECK(!training || M > 1, op, ": expected more than 1 value per channel when training, got input size ",
              input.shape());

  const Tensor x = input.detach().contiguous();
  const ops::BatchNormForward f =
      ops::batch_norm_forward(x, weight, bias, running_mean, running_var, training, momentum, eps, act, N, C, S, op);
  Tensor out = f.out;
  const Tensor center_t = f.center, invstd_t = f.invstd;
  const std::vector<double> offset = f.offset;
  if (!autograd::needs_grad({input, weight, bias})) return out;

  const bool need_x = input.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  const Tensor w = weight.defined() ? weight.detach() : Tensor();
  const Tensor y = act != ops::FusedActivation::None ? out.detach() : Tensor();
  autograd::record(out, op, {input, weight, bias},
                   [=, s_x = autograd::SavedTensor(x), s_w = autograd::SavedTensor(w)](const Tensor& g_in) {
                     const Tensor x = s_x.get(), w = s_w.get();
                     const Tensor g = g_in.contiguous();
                     const ops::NormGrads r = ops::batch_norm_backward(g, x, w, act, y, center_t, invstd_t, offset,
                                                                       training, need_x, need_w, need_b, N, C, S, op);
                     return std::vector<Tensor>{r.gx, r.gw, r.gb};
                   });
  return out;
}

// ---- row normalisation (layer / group / instance norm) ----------------------------------------
//
// input viewed as (R, D) rows, each normalised on its own; weight and bias (D values, any shape)
// are optional. Backward per row, with x̂ = (x − μ)·r, r = 1/√(σ² + eps), h = γ·g:
//   ∂L/∂x = r·(h − mean(h) − x̂·mean(h·x̂))   (as for batch norm, with the row as the batch),
//   ∂L/∂γ = Σ_rows g·x̂,  ∂L/∂β = Σ_rows g.
Tensor normalize_rows(const Tensor& input, int64_t D, const Tensor& weight, const Tensor& bias, double eps,
                      const char* op) {
  NABLA_CHECK(is_floating(input.dtype()), op, ": input must be floating point, got ", dtype_name(input.dtype()));
  NABLA_CHECK(eps >= 0, op, ": eps must be non-negative, got ", eps);
  const int64_t R = D > 0 ? input.numel() / D : 0;
  const Tensor x = input.detach().contiguous();
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  const ops::LayerNormForward f = ops::layer_norm_forward(x, w, b, R, D, eps, op);
  Tensor out = f.out;
  const Tensor mean_t = f.mean, rstd_t = f.rstd;
  if (!autograd::needs_grad({input, weight, bias})) return out;
  const bool need_x = input.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  const Shape wshape = weight.defined() ? weight.shape() : Shape{}, bshape = bias.defined() ? bias.shape() : Shape{};
  autograd::record(out, op, {input, weight, bias},
                   [=, s_x = autograd::SavedTensor(x), s_w = autograd::SavedTensor(w)](const Tensor& g_in) {
                     const Tensor x = s_x.get(), w = s_w.get();
                     const Tensor g = g_in.contiguous();
                     const ops::NormGrads r =
                         ops::layer_norm_backward(g, x, mean_t, rstd_t, w, wshape, bshape, need_x, need_w, need_b, R, D, op);
                     return std::vector<Tensor>{r.gx, r.gw, r.gb};
                   });
  return out;
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_impl(input, running_mean, running_var, weight, bias, training, momentum, eps,
                         ops::FusedActivation::None, "batch_norm");
}

Tensor batch_norm_relu(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_impl(input, running_mean, running_var, weight, bias, training, momentum, eps,
                         ops::FusedActivation::Relu, "batch_norm_relu");
}

Tensor batch_norm_relu6(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                        const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_impl(input, running_mean, running_var, weight, bias, training, momentum, eps,
                         ops::FusedActivation::Relu6, "batch_norm_relu6");
}

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  NABLA_CHECK(k >= 1, "layer_norm: normalized_shape must have at least one dim");
  const Shape tail = input.dim() >= k ? Shape(input.shape().end() - k, input.shape().end()) : Shape{};
  NABLA_CHECK(tail == normalized_shape, "layer_norm: input of shape ", input.shape(),
              " does not end with normalized_shape ", normalized_shape, " (expected input of shape [*, ",
              str_cat(normalized_shape).substr(1));
  check_param(weight, normalized_shape, input.dtype(), "layer_norm", "weight");
  check_param(bias, normalized_shape, input.dtype(), "layer_norm", "bias");
  return normalize_rows(input, shape_numel(normalized_shape), weight, bias, eps, "layer_norm");
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  NABLA_CHECK(input.dim() >= 2, "group_norm: expected an input of shape (N, C, *) with at least 2 dims, got shape ",
              input.shape());
  const int64_t N = input.size(0), C = input.size(1);
  NABLA_CHECK(num_groups > 0 && C % num_groups == 0, "group_norm: expected the number of channels (", C,
              ") of input of shape ", input.shape(), " to be divisible by num_groups (", num_groups, ")");
  check_param(weight, Shape{C}, input.dtype(), "group_norm", "weight");
  check_param(bias, Shape{C}, input.dtype(), "group_norm", "bias");
  const int64_t D = N * num_groups > 0 ? input.numel() / (N * num_groups) : 0;
  return channel_affine(normalize_rows(input, D, Tensor(), Tensor(), eps, "group_norm"), weight, bias);
}

Tensor instance_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps) {
  NABLA_CHECK(input.dim() >= 3, "instance_norm: expected an input of shape (N, C, *) with spatial dims, got shape ",
              input.shape());
  const int64_t N = input.size(0), C = input.size(1);
  check_param(weight, Shape{C}, input.dtype(), "instance_norm", "weight");
  check_param(bias, Shape{C}, input.dtype(), "instance_norm", "bias");
  if (!use_input_stats)
    return batch_norm_impl(input, running_mean, running_var, weight, bias, false, momentum, eps,
                           ops::FusedActivation::None, "instance_norm");
  const int64_t S = N * C > 0 ? input.numel() / (N * C) : 0;
  NABLA_CHECK(S > 1, "instance_norm: expected more than 1 spatial element when training, got input size ",
              input.shape());
  for (const Tensor* t : {&running_mean, &running_var})
    if (t->defined())
      NABLA_CHECK(t->shape() == Shape{C}, "instance_norm: running stats must have shape [", C, "], got ", t->shape());
  if (running_mean.defined() || running_var.defined()) {
    // Running stats: the per-instance statistics averaged over the batch (unbiased variance).
    NoGradGuard no_grad;
    const Tensor xs = input.detach().reshape({N, C, S});
    if (running_mean.defined()) {
      Tensor rm = running_mean;
      rm.mul_(1.0 - momentum).add_(mean(mean(xs, {2}), {0}).to(rm.dtype()), momentum);
    }
    if (running_var.defined()) {
      Tensor rv = running_var;
      rv.mul_(1.0 - momentum).add_(mean(var(xs, {2}, 1), {0}).to(rv.dtype()), momentum);
    }
  }
  return channel_affine(normalize_rows(input, S, Tensor(), Tensor(), eps, "instance_norm"), weight, bias);
}

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  NABLA_CHECK(input.dim() >= 3, "local_response_norm: expected 3D or higher dimensionality input (N, C, *), got shape ",
              input.shape());
  NABLA_CHECK(size >= 1, "local_response_norm: size must be positive, got ", size);
  NABLA_CHECK(is_floating(input.dtype()), "local_response_norm: input must be floating point, got ",
              dtype_name(input.dtype()));
  const int64_t C = input.size(1);
  // Σ of x² over the window [c − size/2, c + (size−1)/2] of channels, zero padded.
  IntList pads(static_cast<size_t>(2 * (input.dim() - 2)), 0);
  pads.push_back(size / 2);
  pads.push_back((size - 1) / 2);
  const Tensor sq = pad(mul(input, input), pads);
  Tensor window = sq.narrow(1, 0, C);
  for (int64_t i = 1; i < size; ++i) window = add(window, sq.narrow(1, i, C));
  const Tensor denom = pow(add(mul(window, alpha / static_cast<double>(size)), k), beta);
  return div(input, denom);
}

}  // namespace nabla::nn::functional
