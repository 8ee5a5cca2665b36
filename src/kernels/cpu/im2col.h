#pragma once
// im2col / col2im: unfold the receptive fields of one image into the columns of a matrix, so
// that a convolution becomes one GEMM per group, and the adjoint fold back.
#include <cstdint>

#include "kernels/cpu/conv_geometry.h"

namespace nabla::cpu {

/// x is one image (channels, ID, IH, IW), contiguous; col is (channels·KD·KH·KW, OD·OH·OW),
/// row (c, kd, kh, kw), column (od, oh, ow):
///   col[c,kd,kh,kw][od,oh,ow] = x[c, od·SD − PD + kd·DD, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
/// (0 outside x). Spatial sizes, strides, padding and dilation come from `g`.
/// Parallel over rows unless already inside a parallel region.
template <class T>
void im2col(const T* x, int64_t channels, const ConvGeometry& g, T* col);

/// Adjoint of im2col: x = 0, then x[c, position of (row, column)] += col[row][column] for every
/// in-range position. Shapes as in im2col. Parallel over channels (each owns its plane, and sums
/// its contributions in a fixed order, so the result does not depend on the thread count).
template <class T>
void col2im(const T* col, int64_t channels, const ConvGeometry& g, T* x);

}  // namespace nabla::cpu
