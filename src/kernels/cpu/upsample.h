#pragma once
// Upsampling / interpolation kernels with PyTorch's source-index formulas.
//
// nearest:  src = min(floor(dst · s), in − 1), s = 1/scale_factor when a scale factor is given,
//           else in/out (computed in float, as PyTorch; out = in and out = 2·in are exact).
// linear:   s = (in − 1)/(out − 1) with align_corners (0 when out = 1), else as nearest;
//           real = s · dst (align_corners) or max(s · (dst + ½) − ½, 0); i0 = min(floor(real),
//           in − 1), i1 = i0 + 1 clipped to in − 1, λ = real − i0, weights (1 − λ, λ).
// A scale factor ≤ 0 means "none" (use the sizes).
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// Source index of every output position along one dim for nearest interpolation.
std::vector<int64_t> nearest_source_indices(int64_t in, int64_t out, double scale_factor);

/// Two taps and their weights per output position along one dim for linear interpolation.
template <class T>
struct LinearTaps {
  std::vector<int64_t> i0, i1;
  std::vector<T> w0, w1;
};
template <class T>
LinearTaps<T> linear_taps(int64_t in, int64_t out, bool align_corners, double scale_factor);

/// y[p, od, oh, ow] = x[p, sd(od), sh(oh), sw(ow)]; x (P, in[0..2]), y (P, out[0..2]) row-major;
/// scales[d] the user's scale factor along spatial dim d (≤ 0: none).
template <class T>
void upsample_nearest_forward(const T* x, T* y, int64_t planes, const int64_t in[3], const int64_t out[3],
                              const double scales[3]);
/// Adjoint: gx[p, sd(od), sh(oh), sw(ow)] += gy[p, od, oh, ow]; gx is zeroed here.
template <class T>
void upsample_nearest_backward(const T* gy, T* gx, int64_t planes, const int64_t in[3], const int64_t out[3],
                               const double scales[3]);

/// Bilinear: x (P, IH, IW) → y (P, OH, OW),
///   y = wh0·(ww0·x[h0, w0] + ww1·x[h0, w1]) + wh1·(ww0·x[h1, w0] + ww1·x[h1, w1]).
/// Linear (1-d) interpolation is the case IH = OH = 1.
template <class T>
void upsample_bilinear_forward(const T* x, T* y, int64_t planes, int64_t IH, int64_t IW, int64_t OH, int64_t OW,
                               bool align_corners, double scale_h, double scale_w);
/// Adjoint: each gy element is spread onto its four taps with the same weights; gx zeroed here.
template <class T>
void upsample_bilinear_backward(const T* gy, T* gx, int64_t planes, int64_t IH, int64_t IW, int64_t OH, int64_t OW,
                                bool align_corners, double scale_h, double scale_w);

}  // namespace nabla::cpu
