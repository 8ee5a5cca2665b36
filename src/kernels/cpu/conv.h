#pragma once
// Convolution kernels: im2col + one GEMM per group and image (a 1×1 stride-1 convolution skips
// im2col: x itself is the column matrix). Shapes use ConvGeometry's names:
//   x is (N, C, ID, IH, IW), w is (K, C/G, KD, KH, KW), y is (N, K, OD, OH, OW), all contiguous.
// With P = OD·OH·OW, R = KD·KH·KW, Cg = C/G, Kg = K/G, per image n and group gi:
//   y[n, gi]  (Kg×P)    = w[gi] (Kg×Cg·R) · col[n, gi] (Cg·R×P)           forward
//   col[n,gi] (Cg·R×P)  = w[gi]ᵀ · gy[n, gi];  gx[n] = col2im(col[n])     backward to x
//   gw[gi]    (Kg×Cg·R) = Σ_n gy[n, gi] · col[n, gi]ᵀ                     backward to w
// A transposed convolution is the same geometry read backwards: its forward is
// conv_backward_input, its input gradient conv_forward and its weight gradient
// conv_backward_weight with the roles of x and gy swapped.
//
// Threading: when the batch has at least as many images as threads, images run in parallel,
// each thread with its own column buffer (OpenBLAS runs single-threaded inside a parallel region);
// otherwise images run one after another and BLAS and im2col use the threads. Results do not
// depend on the thread count (the weight gradient sums fixed blocks of images in a fixed order).
#include <cstdint>
#include <vector>

#include "kernels/cpu/conv_dnnl.h"
#include "kernels/cpu/conv_geometry.h"

namespace nabla::cpu {

/// Whether float32 convolutions of `g` run the Winograd F(2×2, 3×3) kernels of winograd.h
/// (forward and both gradients) instead of oneDNN's: under the Auto backend, on CPUs where oneDNN
/// has no Winograd kernels (no AVX-512), for the 3 × 3 stride-1 geometries those kernels take —
/// all of them under the algorithm setting Winograd; under Auto those where they measured faster
/// (docs/nn-conv.md): at least 64 channels in and out, outputs of at least 4 × 4, at least 256
/// tiles of 2 × 2 outputs (batch-1 inference stays on oneDNN's fused chains), and 128 channels on
/// one side or outputs of at least 14 × 14. Direct never.
bool conv_own_winograd(const ConvGeometry& g);

/// y = conv(x, w) + bias. bias (K) may be null. Overwrites y. `packed` (may be null): the
/// caller's slot for w converted to oneDNN's layout, reused while w is unchanged; `keep_x` (may
/// be null): the caller's slot for x converted for conv_backward's weight gradient (conv_dnnl.h).
template <class T>
void conv_forward(const T* x, const T* w, const T* bias, T* y, const ConvGeometry& g,
                  ConvBlockedPtr* packed = nullptr, ConvBlockedPtr* keep_x = nullptr);

/// Inference through a chain of convolutions: x → steps[0] → steps[1] → … → y, each step
/// act(conv(value src, w) + bias + value add) (ConvChainStep), the last one adding `residual`
/// (may be null; shaped like y; not with its own `add`) before its activation. On oneDNN the
/// sums and activations run inside the convolutions (post-ops) and the intermediate results stay
/// in oneDNN's layouts; otherwise step by step through plain buffers.
template <class T>
void conv_forward_chain(const T* x, const std::vector<ConvChainStep<T>>& steps, const T* residual, T* y);

/// gx = ∂L/∂x given gy = ∂L/∂y (the adjoint of conv_forward in x). Overwrites gx.
template <class T>
void conv_backward_input(const T* gy, const T* w, T* gx, const ConvGeometry& g);

/// gw = ∂L/∂w = Σ_n gy[n] · im2col(x[n])ᵀ per group. Overwrites gw.
template <class T>
void conv_backward_weight(const T* x, const T* gy, T* gw, const ConvGeometry& g);

/// Both gradients: gx as conv_backward_input and gw as conv_backward_weight; either may be null
/// (then it is not computed). On oneDNN the two share one conversion of gy to its layout, and
/// `x_blocked` (may be null), conv_forward's keep_x, replaces the conversion of x.
template <class T>
void conv_backward(const T* x, const T* gy, const T* w, T* gx, T* gw, const ConvGeometry& g,
                   const ConvBlocked* x_blocked = nullptr);

/// y[n, k, p] += b[k]; y is (N, K, P).
template <class T>
void conv_add_bias(T* y, const T* b, int64_t N, int64_t K, int64_t P);

/// gb[k] = Σ_{n,p} gy[n, k, p]; gy is (N, K, P). Overwrites gb.
template <class T>
void conv_backward_bias(const T* gy, T* gb, int64_t N, int64_t K, int64_t P);

}  // namespace nabla::cpu
