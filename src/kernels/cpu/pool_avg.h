#pragma once
// Average pooling kernels (1-d, 2-d and 3-d, see pool_geometry.h; dilation must be 1).
//
// Divisor of a window, as PyTorch: the window is first clipped to the padded input
// [−pad, in + pad) giving `pool_size` elements, then to the input itself giving `valid`
// elements. The divisor is divisor_override when non-zero, else pool_size when
// count_include_pad, else valid. A window with no valid element gives 0.
#include <cstdint>

#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {

/// y[p, o] = Σ x[p, window(o)] / divisor(o); x (P, D, H, W), y (P, OD, OH, OW) row-major.
/// divisor_override = 0 means none.
template <class T>
void avg_pool_forward(const T* x, T* y, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override);

/// Adjoint: gx[p, i] = Σ over windows o containing i of gy[p, o] / divisor(o); gx is written
/// (zeroed here). Deterministic: each plane is handled by one thread.
template <class T>
void avg_pool_backward(const T* gy, T* gx, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override);

}  // namespace nabla::cpu
