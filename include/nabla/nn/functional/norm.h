#pragma once
// Functional normalisation ops (torch.nn.functional.batch_norm, layer_norm, group_norm,
// instance_norm, local_response_norm). Undefined tensors stand for PyTorch's None.
#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// Batch normalisation of input (N, C, *) per channel C: y = (x − μ)/√(σ² + eps)·weight + bias.
/// training: μ and σ² are the batch statistics over N and the spatial dims (biased σ²), and the
/// running stats, when defined, are updated in place: running = (1 − momentum)·running +
/// momentum·batch, with the unbiased variance for running_var. Not training: μ and σ² are
/// running_mean and running_var (both required). weight and bias (C) are optional.
/// A training batch with one value per channel raises Error, as in PyTorch.
/// Differentiable in input, weight and bias (fused kernel with a hand-written backward).
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

/// relu(batch_norm(...)) in one pass over the data (and one backward rule): the same arguments and
/// semantics as batch_norm, for the Conv → BatchNorm → ReLU blocks of ResNets and VGGs.
Tensor batch_norm_relu(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                       double momentum = 0.1, double eps = 1e-5);

/// relu6(batch_norm(...)) (hardtanh to [0, 6]) in one pass, as batch_norm_relu: for MobileNet's
/// Conv → BatchNorm → ReLU6 blocks.
Tensor batch_norm_relu6(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                        const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                        double momentum = 0.1, double eps = 1e-5);

/// Normalises over the trailing dims given by normalized_shape (each row on its own, biased
/// variance), then applies the elementwise weight and bias (shape normalized_shape, optional).
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// Splits the C channels of input (N, C, *) into num_groups groups and normalises each
/// (sample, group) over its channels and spatial dims; then the per-channel weight and bias (C).
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// Normalises each (sample, channel) of input (N, C, *) over its spatial dims. With
/// use_input_stats those statistics are used (and running stats, when defined, are updated with
/// their average over the batch, unbiased variance for running_var); otherwise running_mean and
/// running_var are used. weight and bias (C) are optional.
Tensor instance_norm(const Tensor& input, const Tensor& running_mean = Tensor(), const Tensor& running_var = Tensor(),
                     const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

/// Local response normalisation across channels of input (N, C, *), as PyTorch:
/// y = x / (k + alpha/size · Σ x²)^beta, the sum over the `size` neighbouring channels
/// c − size/2 … c + (size−1)/2 (zero padded; the average divides by size everywhere).
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75,
                           double k = 1.0);

}  // namespace nabla::nn::functional
