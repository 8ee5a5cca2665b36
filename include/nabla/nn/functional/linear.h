#pragma once
// Functional form of the fully connected layer (torch.nn.functional.linear).
#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// y = x·Wᵀ + b. x is (*, in_features) with any number of leading dims (or 1-d), weight is
/// (out_features, in_features), bias (optional, undefined for none) is (out_features); y is
/// (*, out_features). One GEMM with the bias pre-loaded into the output (no separate add pass).
/// Differentiable in x, weight and bias. Mismatched shapes or dtypes raise Error naming "linear".
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace nabla::nn::functional
