#pragma once
// Batch norm's per-channel arithmetic, shared by ops::batch_norm_forward/backward (plain layout)
// and ops::conv_batch_norm_train_forward/backward (the convolution's blocked layout): the batch
// statistics from the kernels' sums, the running statistics' update, and the coefficients of the
// forward's affine map and of the gradients. Derivations with the rule in
// src/nn/functional/norm.cpp. Implemented in src/ops/nn_norm.cpp (float and double).
#include <cstdint>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::ops::detail {

/// Training statistics from Σu and Σu² (u = x − center[c]) over M values per channel: sets
/// invstd[c] = 1/√(σ² + eps), moves running_mean / running_var (either may be undefined) by
/// `momentum` toward the batch mean and unbiased variance, and returns offset = μ − center.
template <class T>
std::vector<double> batch_statistics(const double* sum_u, const double* sum_uu, const T* center, T* invstd, int64_t C,
                                     int64_t M, double eps, const Tensor& running_mean, const Tensor& running_var,
                                     double momentum);

/// The forward's affine map y = (x − center)·scale + shift: scale = γ·invstd and
/// shift = β − offset·scale (weight γ and bias β may be undefined: 1 and 0).
template <class T>
void batch_norm_affine(const T* invstd, const std::vector<double>& offset, const Tensor& weight, const Tensor& bias,
                       T* scale, T* shift, int64_t C);

/// The gradients' coefficients from G = Σg and P = Σg·(x − center) over M values per channel
/// (P is corrected to Σg·(x − μ) in place): the input gradient dx = a·g + b·(x − center) + k
/// (b = k = 0 when not training), ∂L/∂γ = invstd·P and ∂L/∂β = G.
template <class T>
struct BatchNormGradCoefficients {
  std::vector<T> a, b, k, dweight, dbias;
};
template <class T>
BatchNormGradCoefficients<T> batch_norm_grad_coefficients(const T* invstd, const std::vector<double>& offset,
                                                          const Tensor& weight, std::vector<double>& G,
                                                          std::vector<double>& P, int64_t C, int64_t M, bool training);

}  // namespace nabla::ops::detail
