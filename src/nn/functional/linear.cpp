// linear(x, W, b) = x·Wᵀ + b as one BLAS call with the bias pre-loaded into the output.
#include "nabla/nn/functional/linear.h"

#include <cstring>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

void check_linear_args(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  NABLA_CHECK(weight.dim() == 2, "linear: weight must be 2-d (out_features, in_features), got shape ", weight.shape());
  NABLA_CHECK(input.dim() >= 1, "linear: input must have at least 1 dimension, got shape ", input.shape());
  NABLA_CHECK(input.size(-1) == weight.size(1), "linear: input of shape ", input.shape(), " has ", input.size(-1),
              " features in its last dim, but the weight of shape ", weight.shape(), " expects in_features=",
              weight.size(1));
  NABLA_CHECK(is_floating(input.dtype()), "linear: input must be floating point, got ", dtype_name(input.dtype()));
  NABLA_CHECK(input.dtype() == weight.dtype(), "linear: input (", dtype_name(input.dtype()), ") and weight (",
              dtype_name(weight.dtype()), ") must have the same dtype");
  if (bias.defined()) {
    NABLA_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear: bias must have shape [", weight.size(0),
                "] (out_features), got ", bias.shape());
    NABLA_CHECK(bias.dtype() == weight.dtype(), "linear: bias (", dtype_name(bias.dtype()), ") and weight (",
                dtype_name(weight.dtype()), ") must have the same dtype");
  }
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  check_linear_args(input, weight, bias);
  const int64_t K = weight.size(1), N = weight.size(0);
  const int64_t M = K > 0 ? input.numel() / K : shape_numel(Shape(input.shape().begin(), input.shape().end() - 1));
  const Tensor x2 = input.detach().reshape({M, K}).contiguous();
  const Tensor w = weight.detach().contiguous();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  Shape out_shape(input.shape().begin(), input.shape().end() - 1);
  out_shape.push_back(N);
  Tensor out = ops::linear_forward(x2, w, b, M, N, K).reshape(out_shape);
  if (!autograd::needs_grad({input, weight, bias})) return out;
  // y = x·Wᵀ + b over rows i: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σᵢ G[i, :], with G the output
  // gradient flattened to (M, N).
  const Shape in_shape = input.shape();
  const bool gx = input.requires_grad(), gw = weight.requires_grad(), gb = bias.defined() && bias.requires_grad();
  autograd::record(out, "linear", {input, weight, bias},
                   [sx = autograd::SavedTensor(input), sw = autograd::SavedTensor(weight), in_shape, M, N, K, gx, gw,
                    gb](const Tensor& g) {
    const Tensor x2 = sx.get().reshape({M, K}), w = sw.get();
    const Tensor g2 = g.reshape({M, N});
    return std::vector<Tensor>{gx ? mm(g2, w).reshape(in_shape) : Tensor(), gw ? mm(g2.t(), x2) : Tensor(),
                               gb ? sum(g2, {0}) : Tensor()};
  });
  return out;
}

}  // namespace nabla::nn::functional
