#pragma once
// Layer normalisation kernels over rows: x is contiguous (R, D) and every row is normalised on
// its own (LayerNorm: D = product of normalized_shape; GroupNorm and InstanceNorm reuse them with
// one row per (sample, group) or (sample, channel)). Threads split the rows, or the columns for
// the parameter gradients, so every sum has a fixed order whatever the thread count.
#include <cstdint>

namespace nabla::cpu {

/// mean[r] and rstd[r] = 1/√(var[r] + eps) (biased variance, two passes over the row, summed in
/// double), and y = (x − mean)·rstd·γ + β with γ, β of length D (null: 1 and 0).
template <class T>
void layer_norm_forward(const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t R, int64_t D,
                        double eps);

/// Input gradient. With x̂ = (x − mean)·rstd and h = g·γ (γ null: 1), per row:
/// dx = rstd·(h − mean(h) − x̂·mean(h·x̂)). g, x, dx are (R, D).
template <class T>
void layer_norm_input_grad(const T* g, const T* x, const T* mean, const T* rstd, const T* gamma, T* dx, int64_t R,
                           int64_t D);

/// Parameter gradients: dgamma[j] = Σ_r g[r, j]·x̂[r, j], dbeta[j] = Σ_r g[r, j] (either may be null).
template <class T>
void layer_norm_param_grad(const T* g, const T* x, const T* mean, const T* rstd, T* dgamma, T* dbeta, int64_t R,
                           int64_t D);

}  // namespace nabla::cpu
