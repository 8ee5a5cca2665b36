#pragma once
// Square root and reciprocal square root over contiguous arrays, vectorised.
#include <cstdint>

namespace nabla::cpu {

/// y[i] = √x[i], or 1/√x[i] when `reciprocal`; x and y are contiguous of length n.
/// Negative inputs give NaN, −0 gives −0 (rsqrt: −inf), as IEEE sqrt.
template <class T>
void sqrt_contiguous(const T* x, T* y, int64_t n, bool reciprocal);

}  // namespace nabla::cpu
