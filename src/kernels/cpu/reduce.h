#pragma once
// Reduction kernels over 2-d contiguous layouts.
#include <cstdint>

namespace nabla::cpu {

/// out[m] = Σ_r x[m·R + r] — x is (M, R) row-major; reduce along rows.
template <class T>
void sum_rows(const T* x, T* out, int64_t M, int64_t R);

/// out[m] = Σ_r x[r·M + m] — x is (R, M) row-major; reduce along columns.
template <class T>
void sum_cols(const T* x, T* out, int64_t R, int64_t M);

/// Whether x[0..n) holds no NaN and no infinity.
template <class T>
bool all_finite(const T* x, int64_t n);

}  // namespace nabla::cpu
