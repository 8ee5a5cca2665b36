#include "kernels/cpu/upsample.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {

std::vector<int64_t> nearest_source_indices(int64_t in, int64_t out, double scale_factor) {
  std::vector<int64_t> src(static_cast<size_t>(out));
  // PyTorch computes the scale and the product in float; doing the same keeps the indices equal.
  const float s =
      scale_factor > 0 ? static_cast<float>(1.0 / scale_factor) : static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in)
      src[o] = o;
    else if (out == 2 * in)
      src[o] = o >> 1;
    else
      src[o] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
  }
  return src;
}

template <class T>
LinearTaps<T> linear_taps(int64_t in, int64_t out, bool align_corners, double scale_factor) {
  LinearTaps<T> taps;
  taps.i0.resize(out), taps.i1.resize(out), taps.w0.resize(out), taps.w1.resize(out);
  T s;
  if (align_corners)
    s = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  else
    s = scale_factor > 0 ? static_cast<T>(1.0 / scale_factor) : static_cast<T>(in) / static_cast<T>(out);
  for (int64_t o = 0; o < out; ++o) {
    T real = align_corners ? s * static_cast<T>(o) : s * (static_cast<T>(o) + T(0.5)) - T(0.5);
    if (!align_corners && real < 0) real = 0;
    const int64_t i0 = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
    const T lambda = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
    taps.i0[o] = i0;
    taps.i1[o] = i0 + (i0 < in - 1 ? 1 : 0);
    taps.w0[o] = T(1) - lambda;
    taps.w1[o] = lambda;
  }
  return taps;
}

template LinearTaps<float> linear_taps<float>(int64_t, int64_t, bool, double);
template LinearTaps<double> linear_taps<double>(int64_t, int64_t, bool, double);

template <class T>
void upsample_nearest_forward(const T* x, T* y, int64_t planes, const int64_t in[3], const int64_t out[3],
                              const double scales[3]) {
  const auto sd = nearest_source_indices(in[0], out[0], scales[0]);
  const auto sh = nearest_source_indices(in[1], out[1], scales[1]);
  const auto sw = nearest_source_indices(in[2], out[2], scales[2]);
  const int64_t in_plane = in[0] * in[1] * in[2], out_plane = out[0] * out[1] * out[2];
  parallel_for(planes, planes_grain(out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * in_plane;
      T* yr = y + p * out_plane;
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh, yr += out[2]) {
          const T* xr = xp + (sd[od] * in[1] + sh[oh]) * in[2];
          for (int64_t ow = 0; ow < out[2]; ++ow) yr[ow] = xr[sw[ow]];
        }
    }
  });
}

template <class T>
void upsample_nearest_backward(const T* gy, T* gx, int64_t planes, const int64_t in[3], const int64_t out[3],
                               const double scales[3]) {
  const auto sd = nearest_source_indices(in[0], out[0], scales[0]);
  const auto sh = nearest_source_indices(in[1], out[1], scales[1]);
  const auto sw = nearest_source_indices(in[2], out[2], scales[2]);
  const int64_t in_plane = in[0] * in[1] * in[2], out_plane = out[0] * out[1] * out[2];
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * in_plane;
      std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
      const T* gr = gy + p * out_plane;
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh, gr += out[2]) {
          T* xr = gxp + (sd[od] * in[1] + sh[oh]) * in[2];
          for (int64_t ow = 0; ow < out[2]; ++ow) xr[sw[ow]] += gr[ow];
        }
    }
  });
}

template <class T>
void upsample_bilinear_forward(const T* x, T* y, int64_t planes, int64_t IH, int64_t IW, int64_t OH, int64_t OW,
                               bool align_corners, double scale_h, double scale_w) {
  const auto th = linear_taps<T>(IH, OH, align_corners, scale_h);
  const auto tw = linear_taps<T>(IW, OW, align_corners, scale_w);
  parallel_for(planes, planes_grain(4 * OH * OW), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * IH * IW;
      T* yr = y + p * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh, yr += OW) {
        const T* r0 = xp + th.i0[oh] * IW;
        const T* r1 = xp + th.i1[oh] * IW;
        const T a = th.w0[oh], b = th.w1[oh];
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t c0 = tw.i0[ow], c1 = tw.i1[ow];
          const T u = tw.w0[ow], v = tw.w1[ow];
          yr[ow] = a * (u * r0[c0] + v * r0[c1]) + b * (u * r1[c0] + v * r1[c1]);
        }
      }
    }
  });
}

template <class T>
void upsample_bilinear_backward(const T* gy, T* gx, int64_t planes, int64_t IH, int64_t IW, int64_t OH, int64_t OW,
                                bool align_corners, double scale_h, double scale_w) {
  const auto th = linear_taps<T>(IH, OH, align_corners, scale_h);
  const auto tw = linear_taps<T>(IW, OW, align_corners, scale_w);
  parallel_for(planes, planes_grain(IH * IW + 4 * OH * OW), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * IH * IW;
      std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(IH * IW));
      const T* gr = gy + p * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh, gr += OW) {
        T* r0 = gxp + th.i0[oh] * IW;
        T* r1 = gxp + th.i1[oh] * IW;
        const T a = th.w0[oh], b = th.w1[oh];
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t c0 = tw.i0[ow], c1 = tw.i1[ow];
          const T u = tw.w0[ow], v = tw.w1[ow], g = gr[ow];
          r0[c0] += a * u * g;
          r0[c1] += a * v * g;
          r1[c0] += b * u * g;
          r1[c1] += b * v * g;
        }
      }
    }
  });
}

template void upsample_nearest_forward<float>(const float*, float*, int64_t, const int64_t[3], const int64_t[3],
                                              const double[3]);
template void upsample_nearest_forward<double>(const double*, double*, int64_t, const int64_t[3], const int64_t[3],
                                               const double[3]);
template void upsample_nearest_backward<float>(const float*, float*, int64_t, const int64_t[3], const int64_t[3],
                                               const double[3]);
template void upsample_nearest_backward<double>(const double*, double*, int64_t, const int64_t[3], const int64_t[3],
                                                const double[3]);
template void upsample_bilinear_forward<float>(const float*, float*, int64_t, int64_t, int64_t, int64_t, int64_t, bool,
                                               double, double);
template void upsample_bilinear_forward<double>(const double*, double*, int64_t, int64_t, int64_t, int64_t, int64_t,
                                                bool, double, double);
template void upsample_bilinear_backward<float>(const float*, float*, int64_t, int64_t, int64_t, int64_t, int64_t, bool,
                                                double, double);
template void upsample_bilinear_backward<double>(const double*, double*, int64_t, int64_t, int64_t, int64_t, int64_t,
                                                 bool, double, double);

}  // namespace nabla::cpu
