#pragma once
// Max pooling kernels (1-d, 2-d and 3-d, see pool_geometry.h) and the gradient scatter shared
// by every max-type pooling.
#include <cstdint>

#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {

/// y[p, o] = max of x[p, window(o)], x (P, D, H, W) and y (P, OD, OH, OW) row-major.
/// When `indices` is non-null it receives, per output, the flat position (d·H + h)·W + w of the
/// maximum within its plane, as PyTorch: windows are scanned in row-major order, the first
/// maximum wins ties, a NaN wins over numbers (the last NaN seen), and a window of −inf keeps
/// its first in-bounds position.
template <class T>
void max_pool_forward(const T* x, T* y, int64_t* indices, const PoolGeometry& g);

/// gx[p, indices[p, o]] += gy[p, o] for gy and indices (P, out_plane), gx (P, in_plane); gx is
/// zeroed here. Deterministic: each plane is summed by one thread in output order. Serves every
/// max-type pooling (adaptive ones included).
template <class T>
void max_index_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes, int64_t in_plane,
                        int64_t out_plane);

/// Backward of max_pool_forward for geometry g: as max_index_backward, with a direct pass for
/// non-overlapping 2×2 windows (each input written once, no zeroing pass and no scatter).
template <class T>
void max_pool_backward(const T* gy, const int64_t* indices, T* gx, const PoolGeometry& g);

}  // namespace nabla::cpu
