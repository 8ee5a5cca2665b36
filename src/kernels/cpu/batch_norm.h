#pragma once
// Batch normalisation kernels. Every tensor is contiguous and viewed as (N, C, S): batch,
// channel, and the product of the spatial dims (S = 1 for a (N, C) input). Statistics are per
// channel, over the M = N·S elements of that channel. Each channel is reduced by one thread in a
// fixed order, so results do not depend on the thread count. No autograd here: the backward rule
// (src/nn/functional/norm.cpp) combines these kernels.
#include <cstdint>

#include "kernels/cpu/fused_activation.h"

namespace nabla::cpu {

/// Per-channel sums Σu and Σu·v with u = p − p_shift[c], v = q − q_shift[c] (a null shift means 0).
/// p and q are (N, C, S); sum_u and sum_uv are (C). Rows of S elements are summed in T, rows are
/// accumulated in double. Used for the forward statistics (p = q = x, shift = a sample of x, which
/// keeps the one-pass variance free of cancellation) and for the backward sums (p = g, q = x,
/// q_shift = mean). The backward of a fused BatchNorm+activation passes the activation `act` and
/// its output act_out (N, C, S; unused when act is None): u is taken as 0 where the gradient does
/// not pass the activation (act::fused_passes).
template <class T>
void batch_norm_channel_sums(const T* p, const T* p_shift, const T* q, const T* q_shift, int64_t N, int64_t C,
                             int64_t S, double* sum_u, double* sum_uv, FusedActivation act = FusedActivation::None,
                             const T* act_out = nullptr);

/// y = (x − center[c])·scale[c] + shift[c] (the normalisation and the affine map folded together;
/// centring first keeps float32 exact when |mean| ≫ std, where x·scale + (β − mean·scale) would
/// cancel). x and y are (N, C, S); center, scale and shift are (C). Then y = act(y).
template <class T>
void batch_norm_apply(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale,
                      const T* shift, FusedActivation act = FusedActivation::None);

/// dx = a[c]·g + b[c]·(x − center[c]) + k[c]: the input gradient of batch norm once its
/// per-channel coefficients are known. g, x, dx are (N, C, S); center, a, b, k are (C). For a fused
/// BatchNorm+activation (act and its output act_out (N, C, S), as in batch_norm_channel_sums), g
/// is first zeroed where the gradient does not pass the activation.
template <class T>
void batch_norm_input_grad(const T* g, const T* x, T* dx, int64_t N, int64_t C, int64_t S, const T* center,
                           const T* a, const T* b, const T* k, FusedActivation act = FusedActivation::None,
                           const T* act_out = nullptr);

}  // namespace nabla::cpu
