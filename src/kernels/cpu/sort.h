#pragma once
// Sorting kernels along the middle dim of a contiguous (outer, n, inner) layout: each of the
// outer·inner "lines" (stride inner) is sorted independently. NaN orders as the largest value
// (as PyTorch): last when ascending, first when descending.
#include <cstdint>

namespace nabla::cpu {

/// values/indices (outer, n, inner) = each line of x (outer, n, inner) stably sorted, with the
/// source position along n of each value. Equal values keep their original order.
template <class T>
void sort_lines(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, bool descending);

/// values/indices (outer, k, inner) = the k largest (or smallest) elements of each line of
/// x (outer, n, inner); ties prefer the lower position. In sorted order when `sorted`, else in
/// increasing position along n. Requires 0 ≤ k ≤ n.
template <class T>
void topk_lines(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, int64_t k,
                bool largest, bool sorted);

}  // namespace nabla::cpu
