#pragma once
// Batch normalisation of a convolution's output kept in oneDNN's channel-blocked layout: the
// (N, C, S) tensor stored as (N, C/B, S, B) — B consecutive channels of one position side by
// side — which is what oneDNN's training convolutions write (aBcd16b with AVX-512, aBcd8b with
// AVX2, and their 1-d/3-d forms). Reading the convolution's output there saves converting it to
// the plain layout and back (ops::conv_batch_norm_train_*). The block B is 8 or 16 (`block`
// below; an Error otherwise) and C must be a multiple of it. As in batch_norm.h,
// each channel is reduced by one thread in a fixed order (results do not depend on the thread
// count), rows of S values are summed in T and rows accumulated in double.
#include <cstdint>

#include "kernels/cpu/fused_activation.h"

namespace nabla::cpu {

/// Forward statistics: Σu and Σu² per channel with u = x − center[c]; x blocked (N, C/B, S, B),
/// center, sum_u and sum_uu (C).
template <class T>
void batch_norm_sums_blocked(const T* x, const T* center, int64_t N, int64_t C, int64_t S, int64_t block,
                             double* sum_u, double* sum_uu);

/// y = act((x − center[c])·scale[c] + shift[c]), computed with
/// fma(x − center, scale, shift); x blocked, y plain (N, C, S): the normalisation and the
/// conversion to the plain layout in one pass. With scale 1 and shift 0 it is the conversion alone.
template <class T>
void batch_norm_apply_blocked(const T* x, T* y, int64_t N, int64_t C, int64_t S, int64_t block, const T* center,
                              const T* scale, const T* shift, FusedActivation act = FusedActivation::None);

/// Backward sums: writes gb = g converted to the blocked layout (g plain (N, C, S)), zeroed where
/// the gradient does not pass the forward's activation `act` (its input recomputed from x as
/// batch_norm_apply_blocked does, with act_scale/act_shift as scale/shift; both unused when act is
/// None), and sums per channel G = Σgb and P = Σgb·(x − center). x and gb blocked; center,
/// act_scale, act_shift, G, P (C).
template <class T>
void batch_norm_grad_sums_blocked(const T* g, const T* x, T* gb, int64_t N, int64_t C, int64_t S, int64_t block,
                                  const T* center, FusedActivation act, const T* act_scale, const T* act_shift,
                                  double* G, double* P);

/// In place on the blocked gradient: g = a[c]·g + b[c]·(x − center[c]) + k[c] (batch norm's
/// input gradient once its coefficients are known); g and x blocked, center, a, b, k (C).
template <class T>
void batch_norm_input_grad_blocked(T* g, const T* x, int64_t N, int64_t C, int64_t S, int64_t block, const T* center,
                                   const T* a, const T* b, const T* k);

}  // namespace nabla::cpu
