#pragma once
// index_select / index_add kernels over contiguous (outer, n, inner) layouts: the selected dim
// is the middle one, so every picked "row" is a contiguous block of `inner` elements.
#include <cstddef>
#include <cstdint>

namespace nabla::cpu {

/// out (outer, k, inner) = x (outer, n, inner)[:, index[j], :] for j < k. Both contiguous;
/// `elem` is the element size in bytes (the copy is dtype-agnostic). index values in [0, n).
void index_select_rows(const char* x, char* out, int64_t outer, int64_t n, int64_t inner, size_t elem,
                       const int64_t* index, int64_t k);

/// x (outer, n, inner)[:, index[j], :] += src (outer, k, inner)[:, j, :] for j = 0…k−1 in order
/// (duplicates accumulate deterministically). Both contiguous; index values in [0, n).
template <class T>
void index_add_rows(T* x, const T* src, int64_t outer, int64_t n, int64_t inner, const int64_t* index, int64_t k);

}  // namespace nabla::cpu
