// Activations: forward maps x through a scalar function of kernels/cpu/activation.h; the backward
// rule maps (g, x) through its derivative, both as single elementwise passes (the tensor-level
// activation_forward / activation_backward of ops/nn_kernels.h).
#include "nabla/nn/functional/activation.h"

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

using ops::Activation;
using ops::ActivationKind;

// out = act(x) elementwise and, when x needs grad, a rule giving g·act'(x). `x` is kept for
// backward (activations are cheap to re-evaluate, so no output is saved).
Tensor activation(const Tensor& input, const char* op, Activation act) {
  NABLA_CHECK(is_floating(input.dtype()), op, ": input must be floating point, got ", dtype_name(input.dtype()));
  Tensor out = ops::activation_forward(input, act, op);
  if (!autograd::needs_grad({input})) return out;
  autograd::record(out, op, {input}, [sx = autograd::SavedTensor(input), op, act](const Tensor& g) {
    const Tensor x = sx.get();
    return std::vector<Tensor>{ops::activation_backward(g, x, act, op)};
  });
  return out;
}

}  // namespace

Tensor leaky_relu(const Tensor& input, double negative_slope) {
  return activation(input, "leaky_relu", {ActivationKind::LeakyRelu, negative_slope});
}

namespace {
Tensor scaled_elu(const Tensor& input, double alpha, double scale, const char* op) {
  return activation(input, op, {ActivationKind::Elu, alpha, scale});
}
}  // namespace

Tensor elu(const Tensor& input, double alpha) { return scaled_elu(input, alpha, 1.0, "elu"); }

Tensor selu(const Tensor& input) {
  return scaled_elu(input, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946, "selu");
}

Tensor gelu(const Tensor& input, const std::string& approximate) {
  if (approximate == "none") return activation(input, "gelu", {ActivationKind::Gelu});
  NABLA_CHECK(approximate == "tanh", "gelu: approximate must be 'none' or 'tanh', got '", approximate, "'");
  return activation(input, "gelu", {ActivationKind::GeluTanh});
}

Tensor silu(const Tensor& input) { return activation(input, "silu", {ActivationKind::Silu}); }

Tensor softplus(const Tensor& input, double beta, double threshold) {
  NABLA_CHECK(beta != 0.0, "softplus: beta must be non-zero");
  return activation(input, "softplus", {ActivationKind::Softplus, beta, threshold});
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val) {
  NABLA_CHECK(max_val >= min_val, "hardtanh: max_val (", max_val, ") must be greater than or equal to min_val (",
              min_val, ")");
  return activation(input, "hardtanh", {ActivationKind::Hardtanh, min_val, max_val});
}

Tensor relu6(const Tensor& input) { return activation(input, "relu6", {ActivationKind::Hardtanh, 0.0, 6.0}); }

Tensor hardsigmoid(const Tensor& input) { return activation(input, "hardsigmoid", {ActivationKind::Hardsigmoid}); }

Tensor hardswish(const Tensor& input) { return activation(input, "hardswish", {ActivationKind::Hardswish}); }

Tensor maxout(const Tensor& input, int64_t pool_size) {
  NABLA_CHECK(pool_size >= 1, "maxout: pool_size must be positive, got ", pool_size);
  NABLA_CHECK(input.dim() >= 2, "maxout: expected an input of shape (N, C, *) with at least 2 dims, got shape ",
              input.shape());
  const int64_t C = input.size(1);
  NABLA_CHECK(C % pool_size == 0, "maxout: the number of features in dim 1 (", C, ") of input of shape ", input.shape(),
              " is not divisible by pool_size (", pool_size, ")");
  // (N, C, *) → (N, C/k, k, *): group g holds features g·k … g·k + k − 1; max over the new dim 2.
  Shape grouped = input.shape();
  grouped[1] = C / pool_size;
  grouped.insert(grouped.begin() + 2, pool_size);
  return max(input.reshape(grouped), 2).first;
}

}  // namespace nabla::nn::functional
