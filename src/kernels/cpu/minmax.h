#pragma once
// Max/min reduction kernels. NaN counts as the extreme, as in PyTorch: a NaN propagates into
// the value, and arg-max/arg-min point at the first NaN.
#include <cstdint>

namespace nabla::cpu {

/// Largest (largest=true) or smallest element of x[0, n), n ≥ 1; NaN if any element is NaN.
template <class T>
T reduce_extreme(const T* x, int64_t n, bool largest);

/// x is (O, R, I) row-major, R ≥ 1. For every (o, i): the first index r of the extreme of
/// x[o, :, i] into indices[o·I + i] (int64), and its value into values[o·I + i] unless values
/// is null.
template <class T>
void extreme_along_dim(const T* x, T* values, int64_t* indices, int64_t O, int64_t R, int64_t I, bool largest);

/// grad_in is (O, R, I) row-major, zeroed by the caller; g and indices are (O, I).
/// grad_in[o, indices[o, i], i] += g[o, i] (the backward of a value-selecting reduction).
template <class T>
void scatter_along_dim(const T* g, const int64_t* indices, T* grad_in, int64_t O, int64_t R, int64_t I);

}  // namespace nabla::cpu
