#include "kernels/cpu/im2col.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// Output columns ow whose input column ow·stride + offset lies inside [0, in): [lo, hi).
struct ValidRange {
  int64_t lo, hi;
};
ValidRange valid_range(int64_t offset, int64_t stride, int64_t in, int64_t out) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = in - 1 - offset < 0 ? 0 : (in - 1 - offset) / stride + 1;
  lo = std::min(lo, out);
  hi = std::clamp(hi, lo, out);
  return {lo, hi};
}

// Calls f(row, c, kd, kh, kw) for rows [begin, end) of the column matrix.
template <class F>
void for_rows(const ConvGeometry& g, int64_t begin, int64_t end, F&& f) {
  const int64_t KD = g.kernel[0], KH = g.kernel[1], KW = g.kernel[2];
  for (int64_t row = begin; row < end; ++row) {
    int64_t r = row;
    const int64_t kw = r % KW;
    r /= KW;
    const int64_t kh = r % KH;
    r /= KH;
    const int64_t kd = r % KD;
    const int64_t c = r / KD;
    f(row, c, kd, kh, kw);
  }
}

}  // namespace

template <class T>
void im2col(const T* x, int64_t channels, const ConvGeometry& g, T* col) {
  const int64_t ID = g.in[0], IH = g.in[1], IW = g.in[2];
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t P = g.out_numel(), R = g.kernel_numel();
  const int64_t SW = g.stride[2];
  parallel_for(channels * R, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(P, 1)), [&](int64_t b, int64_t e) {
    for_rows(g, b, e, [&](int64_t row, int64_t c, int64_t kd, int64_t kh, int64_t kw) {
      T* dst_row = col + row * P;
      const int64_t w_off = kw * g.dilation[2] - g.pad[2];
      const ValidRange vw = valid_range(w_off, SW, IW, OW);
      for (int64_t od = 0; od < OD; ++od) {
        const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
          T* dst = dst_row + (od * OH + oh) * OW;
          if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
            std::fill(dst, dst + OW, T(0));
            continue;
          }
          // x index of output column ow is base + ow·SW (base itself may lie left of the row).
          const int64_t base = ((c * ID + id) * IH + ih) * IW + w_off;
          std::fill(dst, dst + vw.lo, T(0));
          if (SW == 1) {
            if (vw.hi > vw.lo) std::memcpy(dst + vw.lo, x + (base + vw.lo), sizeof(T) * (vw.hi - vw.lo));
          } else {
            for (int64_t ow = vw.lo; ow < vw.hi; ++ow) dst[ow] = x[base + ow * SW];
          }
          std::fill(dst + vw.hi, dst + OW, T(0));
        }
      }
    });
  });
}

template <class T>
void col2im(const T* col, int64_t channels, const ConvGeometry& g, T* x) {
  const int64_t ID = g.in[0], IH = g.in[1], IW = g.in[2];
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t P = g.out_numel(), R = g.kernel_numel(), I = g.in_numel();
  const int64_t SW = g.stride[2];
  parallel_for(channels, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(P * R, 1)), [&](int64_t cb, int64_t ce) {
    std::fill(x + cb * I, x + ce * I, T(0));
    for_rows(g, cb * R, ce * R, [&](int64_t row, int64_t c, int64_t kd, int64_t kh, int64_t kw) {
      const T* src_row = col + row * P;
      const int64_t w_off = kw * g.dilation[2] - g.pad[2];
      const ValidRange vw = valid_range(w_off, SW, IW, OW);
      for (int64_t od = 0; od < OD; ++od) {
        const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
        if (id < 0 || id >= ID) continue;
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
          if (ih < 0 || ih >= IH) continue;
          const T* src = src_row + (od * OH + oh) * OW;
          const int64_t base = ((c * ID + id) * IH + ih) * IW + w_off;
          if (SW == 1) {
            T* dst = x + (base + vw.lo);
            for (int64_t ow = vw.lo; ow < vw.hi; ++ow) *dst++ += src[ow];
          } else {
            for (int64_t ow = vw.lo; ow < vw.hi; ++ow) x[base + ow * SW] += src[ow];
          }
        }
      }
    });
  });
}

template void im2col<float>(const float*, int64_t, const ConvGeometry&, float*);
template void im2col<double>(const double*, int64_t, const ConvGeometry&, double*);
template void col2im<float>(const float*, int64_t, const ConvGeometry&, float*);
template void col2im<double>(const double*, int64_t, const ConvGeometry&, double*);

}  // namespace nabla::cpu
