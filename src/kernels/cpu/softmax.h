#pragma once
// Softmax-family kernels over one dim of a contiguous tensor viewed as (O, R, I): O outer
// slices, R the softmax dim, I the inner (trailing) size. I = 1 is the common (N, C) row case.
#include <cstdint>

namespace nabla::cpu {

/// y = softmax(x) along R (log_softmax when `log`), stably: e^(x − max) / Σ e^(x − max).
/// x and y are (O, R, I) row-major.
template <class T>
void softmax_forward(const T* x, T* y, int64_t O, int64_t R, int64_t I, bool log);

/// dx from the forward output y and the output gradient g, all (O, R, I) row-major:
///   softmax:      dx = y ⊙ (g − Σ_r g⊙y)
///   log_softmax:  dx = g − e^y · Σ_r g
template <class T>
void softmax_backward(const T* g, const T* y, T* dx, int64_t O, int64_t R, int64_t I, bool log);

/// out[m] = log Σ_r e^(x[m, r]) for x (M, R) row-major, shifted by the row max (by 0 when the
/// max is ±inf, so that all −inf rows give −inf and a +inf gives +inf). R = 0 gives −inf.
template <class T>
void logsumexp_rows(const T* x, T* out, int64_t M, int64_t R);

}  // namespace nabla::cpu
