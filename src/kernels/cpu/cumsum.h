#pragma once
// Cumulative sum along one dim of a contiguous tensor viewed as (O, R, I): O outer slices, R the
// scanned dim, I the inner (trailing) size.
#include <cstdint>

namespace nabla::cpu {

/// y[o, r, i] = Σ_{s ≤ r} x[o, s, i] (Σ_{s ≥ r} when `reverse`), x and y (O, R, I) row-major.
/// Running sums are kept in double for floating types (as PyTorch's CPU kernel) and in int64 for
/// integer types, then cast to T.
template <class T>
void cumsum(const T* x, T* y, int64_t O, int64_t R, int64_t I, bool reverse);

}  // namespace nabla::cpu
