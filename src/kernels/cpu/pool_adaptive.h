#pragma once
// Adaptive pooling kernels: the input (P, D, H, W) is pooled to a requested (OD, OH, OW), output
// o along a dim of input size I and output size O covering [floor(o·I/O), ceil((o+1)·I/O)) —
// PyTorch's windows, which may overlap or differ in size when O does not divide I.
// 1-d and 2-d pooling use leading sizes 1.
#include <cstdint>

namespace nabla::cpu {

/// First input position of adaptive window o: floor(o·in/out).
inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
/// One past the last input position of adaptive window o: ceil((o+1)·in/out).
inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

/// y[p, o] = mean of x[p, window(o)]; x (P, in[0..2]), y (P, out[0..2]) row-major.
template <class T>
void adaptive_avg_pool_forward(const T* x, T* y, int64_t planes, const int64_t in[3], const int64_t out[3]);

/// gx[p, i] = Σ over windows o containing i of gy[p, o] / |window(o)|; gx is zeroed here.
template <class T>
void adaptive_avg_pool_backward(const T* gy, T* gx, int64_t planes, const int64_t in[3], const int64_t out[3]);

/// y[p, o] = max of x[p, window(o)] and indices[p, o] its flat position in the plane (row-major
/// scan, first maximum wins ties, NaN propagates, as max_pool_forward). `indices` may be null.
/// Backward is max_index_backward (pool_max.h).
template <class T>
void adaptive_max_pool_forward(const T* x, T* y, int64_t* indices, int64_t planes, const int64_t in[3],
                               const int64_t out[3]);

}  // namespace nabla::cpu
