#pragma once
// Functional activations (torch.nn.functional). All differentiable, for float32 and float64.
// relu, sigmoid, tanh, softmax and log_softmax are the tensor ops of nabla/ops, re-exported here.
#include <optional>
#include <string>

#include "nabla/ops.h"
#include "nabla/tensor.h"

namespace nabla::nn::functional {

using nabla::log_softmax;
using nabla::relu;
using nabla::sigmoid;
using nabla::softmax;
using nabla::tanh;

/// x for x > 0, negative_slope·x otherwise.
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01);
/// x for x > 0, alpha·(eˣ − 1) otherwise.
Tensor elu(const Tensor& input, double alpha = 1.0);
/// scale·elu(x, alpha) with PyTorch's constants alpha = 1.6732632423543772, scale = 1.0507009873554805.
Tensor selu(const Tensor& input);
/// x·Φ(x) (approximate = "none") or ½x·(1 + tanh(√(2/π)(x + 0.044715x³))) ("tanh").
Tensor gelu(const Tensor& input, const std::string& approximate = "none");
/// x·σ(x).
Tensor silu(const Tensor& input);
/// log(1 + e^(βx))/β, reverting to x where βx > threshold.
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);
/// clamp(x, min_val, max_val) with gradient 1 strictly inside the interval.
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0);
/// min(max(x, 0), 6): hardtanh(x, 0, 6), with gradient 1 strictly inside (0, 6) (as PyTorch).
Tensor relu6(const Tensor& input);
/// relu6(x + 3)/6: 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between; gradient 1/6 strictly inside.
Tensor hardsigmoid(const Tensor& input);
/// x·relu6(x + 3)/6: 0 for x ≤ −3, x for x ≥ 3, x(x + 3)/6 between; gradient x/3 + ½ on [−3, 3].
Tensor hardswish(const Tensor& input);
/// Maxout (Goodfellow et al.): the maximum over groups of pool_size consecutive features of dim 1,
/// (N, C, *) → (N, C/pool_size, *). PyTorch has no Maxout; C must be divisible by pool_size.
/// The gradient goes to the maximum of each group (the first on ties).
Tensor maxout(const Tensor& input, int64_t pool_size);

}  // namespace nabla::nn::functional
