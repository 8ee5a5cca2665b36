#include "kernels/cpu/pool_avg.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// One window along one dim: [begin, end) clipped to the input and the element count of the
// window clipped to the padded input only.
struct Span {
  int64_t begin, end, padded_count;
};

inline Span window_span(int64_t o, int64_t size, int64_t kernel, int64_t stride, int64_t pad) {
  const int64_t start = o * stride - pad;
  const int64_t stop = std::min(start + kernel, size + pad);
  return {std::max<int64_t>(start, 0), std::min(stop, size), stop - start};
}

template <class T>
T divisor_of(const Span& d, const Span& h, const Span& w, bool count_include_pad, int64_t divisor_override) {
  if (divisor_override != 0) return static_cast<T>(divisor_override);
  if (count_include_pad) return static_cast<T>(d.padded_count * h.padded_count * w.padded_count);
  return static_cast<T>((d.end - d.begin) * (h.end - h.begin) * (w.end - w.begin));
}

// Full windows (no padding, all inside): per output row, add the window's input rows into the
// output row tap by tap (inner loop over ow, fixed input stride), then divide.
template <class T>
void avg_plane_full_forward(const T* x, T* y, const PoolGeometry& g, T divisor) {
  const int64_t H = g.in[1], W = g.in[2];
  const int64_t OH = g.out[1], OW = g.out[2], sW = g.stride[2];
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < OH; ++oh) {
      T* yr = y + (od * OH + oh) * OW;
      std::fill(yr, yr + OW, T(0));
      for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
        for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
          const T* xr = x + ((od * g.stride[0] + kd) * H + oh * g.stride[1] + kh) * W;
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw)
            for (int64_t ow = 0; ow < OW; ++ow) yr[ow] += xr[ow * sW + kw];
        }
      for (int64_t ow = 0; ow < OW; ++ow) yr[ow] /= divisor;
    }
}

template <class T>
void avg_plane_full_backward(const T* gy, T* gx, const PoolGeometry& g, T divisor, T* scaled) {
  const int64_t H = g.in[1], W = g.in[2];
  const int64_t OH = g.out[1], OW = g.out[2], sW = g.stride[2];
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < OH; ++oh) {
      const T* gr = gy + (od * OH + oh) * OW;
      for (int64_t ow = 0; ow < OW; ++ow) scaled[ow] = gr[ow] / divisor;
      for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
        for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
          T* xr = gx + ((od * g.stride[0] + kd) * H + oh * g.stride[1] + kh) * W;
          for (int64_t kw = 0; kw < g.kernel[2]; ++kw)
            for (int64_t ow = 0; ow < OW; ++ow) xr[ow * sW + kw] += scaled[ow];
        }
    }
}

// 2×2 windows at stride 2, no padding, all inside (LeNet's average pooling): a direct expression
// per output, summed in PyTorch's (row-major) order.
template <class T>
void avg_plane_2x2_forward(const T* x, T* y, const PoolGeometry& g, T divisor) {
  const int64_t W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t oh = 0; oh < OH; ++oh) {
    const T* r0 = x + 2 * oh * W;
    const T* r1 = r0 + W;
    T* yr = y + oh * OW;
    for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = (r0[2 * ow] + r0[2 * ow + 1] + r1[2 * ow] + r1[2 * ow + 1]) / divisor;
  }
}

// Adjoint of the above: the windows do not overlap, so each input is written once (the rows or
// columns no window covers — odd sizes — are zeroed by the caller).
template <class T>
void avg_plane_2x2_backward(const T* gy, T* gx, const PoolGeometry& g, T divisor) {
  const int64_t W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t oh = 0; oh < OH; ++oh) {
    T* r0 = gx + 2 * oh * W;
    T* r1 = r0 + W;
    const T* gr = gy + oh * OW;
    for (int64_t ow = 0; ow < OW; ++ow) {
      const T share = gr[ow] / divisor;
      r0[2 * ow] = share, r0[2 * ow + 1] = share, r1[2 * ow] = share, r1[2 * ow + 1] = share;
    }
  }
}

inline bool is_2x2_stride2(const PoolGeometry& g) {
  return g.in[0] == 1 && g.kernel[0] == 1 && g.kernel[1] == 2 && g.kernel[2] == 2 && g.stride[1] == 2 &&
         g.stride[2] == 2 && g.all_windows_full();
}

// General case (padding, partial windows): one window at a time, as PyTorch.
template <class T, bool kForward>
void avg_plane_general(const T* src, T* dst, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override) {
  const int64_t H = g.in[1], W = g.in[2];
  int64_t o = 0;
  for (int64_t od = 0; od < g.out[0]; ++od) {
    const Span sd = window_span(od, g.in[0], g.kernel[0], g.stride[0], g.pad[0]);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      const Span sh = window_span(oh, H, g.kernel[1], g.stride[1], g.pad[1]);
      for (int64_t ow = 0; ow < g.out[2]; ++ow, ++o) {
        const Span sw = window_span(ow, W, g.kernel[2], g.stride[2], g.pad[2]);
        const bool empty = sd.begin >= sd.end || sh.begin >= sh.end || sw.begin >= sw.end;
        if constexpr (kForward) {  // src = x, dst = y
          if (empty) {
            dst[o] = T(0);
            continue;
          }
          T sum = 0;
          for (int64_t d = sd.begin; d < sd.end; ++d)
            for (int64_t h = sh.begin; h < sh.end; ++h)
              for (int64_t w = sw.begin; w < sw.end; ++w) sum += src[(d * H + h) * W + w];
          dst[o] = sum / divisor_of<T>(sd, sh, sw, count_include_pad, divisor_override);
        } else {  // src = gy, dst = gx
          if (empty) continue;
          const T share = src[o] / divisor_of<T>(sd, sh, sw, count_include_pad, divisor_override);
          for (int64_t d = sd.begin; d < sd.end; ++d)
            for (int64_t h = sh.begin; h < sh.end; ++h)
              for (int64_t w = sw.begin; w < sw.end; ++w) dst[(d * H + h) * W + w] += share;
        }
      }
    }
  }
}

template <class T>
T full_window_divisor(const PoolGeometry& g, int64_t divisor_override) {
  return static_cast<T>(divisor_override != 0 ? divisor_override : g.kernel[0] * g.kernel[1] * g.kernel[2]);
}

}  // namespace

template <class T>
void avg_pool_forward(const T* x, T* y, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const bool full = g.all_windows_full();
  const bool two_by_two = is_2x2_stride2(g);
  const T divisor = full_window_divisor<T>(g, divisor_override);
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  parallel_for(g.planes, planes_grain(out_plane * window), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      if (two_by_two)
        avg_plane_2x2_forward<T>(x + p * in_plane, y + p * out_plane, g, divisor);
      else if (full)
        avg_plane_full_forward<T>(x + p * in_plane, y + p * out_plane, g, divisor);
      else
        avg_plane_general<T, true>(x + p * in_plane, y + p * out_plane, g, count_include_pad, divisor_override);
    }
  });
}

template <class T>
void avg_pool_backward(const T* gy, T* gx, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const bool full = g.all_windows_full();
  const bool two_by_two = is_2x2_stride2(g);
  const bool exact_tiling = g.in[1] == 2 * g.out[1] && g.in[2] == 2 * g.out[2];
  const T divisor = full_window_divisor<T>(g, divisor_override);
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  parallel_for(g.planes, planes_grain(in_plane + out_plane * window), [&](int64_t begin, int64_t end) {
    std::vector<T> scaled(full ? static_cast<size_t>(g.out[2]) : 0);
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * in_plane;
      if (two_by_two) {
        if (!exact_tiling) std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
        avg_plane_2x2_backward<T>(gy + p * out_plane, gxp, g, divisor);
        continue;
      }
      std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
      if (full)
        avg_plane_full_backward<T>(gy + p * out_plane, gxp, g, divisor, scaled.data());
      else
        avg_plane_general<T, false>(gy + p * out_plane, gxp, g, count_include_pad, divisor_override);
    }
  });
}

template void avg_pool_forward<float>(const float*, float*, const PoolGeometry&, bool, int64_t);
template void avg_pool_forward<double>(const double*, double*, const PoolGeometry&, bool, int64_t);
template void avg_pool_backward<float>(const float*, float*, const PoolGeometry&, bool, int64_t);
template void avg_pool_backward<double>(const double*, double*, const PoolGeometry&, bool, int64_t);

}  // namespace nabla::cpu
