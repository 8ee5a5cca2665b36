#pragma once
// Winograd F(2×2, 3×3) convolutions for float32 (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks"): each 2 × 2 block of outputs of a 3 × 3 convolution is computed from its
// 4 × 4 input patch d and the filter g as
//   y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// 16 multiplications per pair of channels instead of 36. Summed over input channels, the
// element-wise products become 16 independent GEMMs, one per transformed position ξ:
//   M[ξ] (K × T) = U[ξ] (K × C) · V[ξ] (C × T),   U = G g Gᵀ per (k, c), V = Bᵀ d B per (c, tile)
// with T tiles. The matrices (rows × columns):
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   Aᵀ = [1 1 1 0; 0 1 −1 −1]
// The backward passes are the adjoints of the same linear maps:
//   gx: a Winograd convolution of gy with the filters flipped and C, K swapped (padding 2 − p);
//   gw: gU[ξ] (K × C) = Σ_T gM[ξ] · V[ξ]ᵀ with gM = A gy Aᵀ per 2 × 2 output-gradient tile,
//       then gw = Gᵀ gU G per (k, c).
// The algorithm is exact in real arithmetic; in float32 results differ from the direct
// convolution by rounding (the transforms add and halve, no large constants).
//
// Tiles are processed in blocks of whole tile rows sized to keep the transformed block in the
// last-level cache; within a block the transforms run in parallel over channels and the 16 GEMMs
// in parallel over ξ, each on one thread, so results do not depend on the thread count.
// Shapes use ConvGeometry's names; every tensor is contiguous.
#include "kernels/cpu/conv_geometry.h"

namespace nabla::cpu {

/// Whether these kernels take `g`: a 2-d convolution (leading spatial dim trivial) with a 3 × 3
/// kernel, stride 1, no dilation, one group and padding of at most 2 on each side.
bool winograd_f23_geometry(const ConvGeometry& g);

/// y = conv(x, w) + bias (bias (K) may be null). Overwrites y.
void winograd_f23_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

/// gx = ∂L/∂x given gy = ∂L/∂y. Overwrites gx.
void winograd_f23_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g);

/// gw = ∂L/∂w given x and gy. Overwrites gw.
void winograd_f23_backward_weight(const float* x, const float* gy, float* gw, const ConvGeometry& g);

}  // namespace nabla::cpu
