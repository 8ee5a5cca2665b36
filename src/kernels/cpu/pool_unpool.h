#pragma once
// Max unpooling: the partial inverse of max pooling, placing each value at the position its
// index names and zero elsewhere.
#include <cstdint>

namespace nabla::cpu {

/// y (P, out_plane) = 0, then y[p, indices[p, i]] = x[p, i] for x and indices (P, in_plane)
/// (the last write wins when an index repeats). Returns −1, or the flat position p·in_plane + i
/// of the first index outside [0, out_plane) (then y is incomplete and must be discarded).
template <class T>
int64_t max_unpool_forward(const T* x, const int64_t* indices, T* y, int64_t planes, int64_t in_plane,
                           int64_t out_plane);

/// Adjoint: gx[p, i] = gy[p, indices[p, i]] (indices already validated by the forward).
template <class T>
void max_unpool_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes, int64_t in_plane,
                         int64_t out_plane);

}  // namespace nabla::cpu
