#include "kernels/cpu/pool_adaptive.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {
namespace {

// One adaptive window [d0, d1) × [h0, h1) × [w0, w1) of a plane of size (D, H, W).
struct Window {
  int64_t d0, d1, h0, h1, w0, w1, H, W;
  int64_t size() const { return (d1 - d0) * (h1 - h0) * (w1 - w0); }
  // Flat position of the window's first element.
  int64_t first() const { return (d0 * H + h0) * W + w0; }
  // Calls f(pos) for each flat position (d·H + h)·W + w of the window, in row-major order.
  template <class F>
  void for_each(F&& f) const {
    for (int64_t d = d0; d < d1; ++d)
      for (int64_t h = h0; h < h1; ++h) {
        const int64_t row = (d * H + h) * W;
        for (int64_t w = w0; w < w1; ++w) f(row + w);
      }
  }
};

// Calls f(o, window) for every output position o of one plane, in order.
template <class F>
void for_each_window(const int64_t in[3], const int64_t out[3], F&& f) {
  int64_t o = 0;
  for (int64_t od = 0; od < out[0]; ++od) {
    const int64_t d0 = adaptive_start(od, in[0], out[0]), d1 = adaptive_end(od, in[0], out[0]);
    for (int64_t oh = 0; oh < out[1]; ++oh) {
      const int64_t h0 = adaptive_start(oh, in[1], out[1]), h1 = adaptive_end(oh, in[1], out[1]);
      for (int64_t ow = 0; ow < out[2]; ++ow, ++o) {
        const int64_t w0 = adaptive_start(ow, in[2], out[2]), w1 = adaptive_end(ow, in[2], out[2]);
        f(o, Window{d0, d1, h0, h1, w0, w1, in[1], in[2]});
      }
    }
  }
}

int64_t plane_size(const int64_t s[3]) { return s[0] * s[1] * s[2]; }

// Global average pooling of planes [begin, end) of n elements each: y[p] = Σ x[p, :] / n.
// Per plane, lane l of a vector of partial sums adds x[l], x[l + L], …; the partial sums of a
// block of L planes are stored transposed (part[l][p]) and then added across l for all L planes
// at once, so the cross-lane reduction is L vector adds per block instead of a chain of L
// dependent scalar adds per plane (which dominated 8×8 planes). Fixed order: deterministic.
template <class T>
void global_avg_planes(const T* x, T* y, int64_t begin, int64_t end, int64_t n) {
  constexpr int kLanes = 64 / sizeof(T);
  const int64_t full = n / kLanes * kLanes;
  alignas(64) T part[kLanes][kLanes] = {};  // a short last block reads rows left from earlier ones
  for (int64_t p0 = begin; p0 < end; p0 += kLanes) {
    const int64_t block = std::min<int64_t>(kLanes, end - p0);
    for (int64_t b = 0; b < block; ++b) {
      const T* xp = x + (p0 + b) * n;
      T acc[kLanes] = {};
      for (int64_t i = 0; i < full; i += kLanes)
        for (int l = 0; l < kLanes; ++l) acc[l] += xp[i + l];
      for (int64_t i = full; i < n; ++i) acc[i - full] += xp[i];
      for (int l = 0; l < kLanes; ++l) part[l][b] = acc[l];
    }
    T sum[kLanes] = {};
    for (int l = 0; l < kLanes; ++l)
      for (int b = 0; b < kLanes; ++b) sum[b] += part[l][b];
    for (int64_t b = 0; b < block; ++b) y[p0 + b] = sum[b] / static_cast<T>(n);
  }
}

}  // namespace

template <class T>
void adaptive_avg_pool_forward(const T* x, T* y, int64_t planes, const int64_t in[3], const int64_t out[3]) {
  const int64_t in_plane = plane_size(in), out_plane = plane_size(out);
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      if (out_plane == 1) {  // global average pooling
        global_avg_planes(x, y, p, end, in_plane);
        break;
      }
      for_each_window(in, out, [&](int64_t o, const Window& win) {
        T sum = 0;
        win.for_each([&](int64_t pos) { sum += xp[pos]; });
        yp[o] = sum / static_cast<T>(win.size());
      });
    }
  });
}

template <class T>
void adaptive_avg_pool_backward(const T* gy, T* gx, int64_t planes, const int64_t in[3], const int64_t out[3]) {
  const int64_t in_plane = plane_size(in), out_plane = plane_size(out);
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* gyp = gy + p * out_plane;
      T* gxp = gx + p * in_plane;
      if (out_plane == 1) {
        const T share = gyp[0] / static_cast<T>(in_plane);
        for (int64_t i = 0; i < in_plane; ++i) gxp[i] = share;
        continue;
      }
      std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
      for_each_window(in, out, [&](int64_t o, const Window& win) {
        const T share = gyp[o] / static_cast<T>(win.size());
        win.for_each([&](int64_t pos) { gxp[pos] += share; });
      });
    }
  });
}

template <class T>
void adaptive_max_pool_forward(const T* x, T* y, int64_t* indices, int64_t planes, const int64_t in[3],
                               const int64_t out[3]) {
  const int64_t in_plane = plane_size(in), out_plane = plane_size(out);
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      int64_t* ip = indices ? indices + p * out_plane : nullptr;
      for_each_window(in, out, [&](int64_t o, const Window& win) {
        T best = -std::numeric_limits<T>::infinity();
        int64_t best_pos = win.first();
        win.for_each([&](int64_t pos) {
          const T v = xp[pos];
          if (v > best || v != v) {
            best = v;
            best_pos = pos;
          }
        });
        yp[o] = best;
        if (ip) ip[o] = best_pos;
      });
    }
  });
}

template void adaptive_avg_pool_forward<float>(const float*, float*, int64_t, const int64_t[3], const int64_t[3]);
template void adaptive_avg_pool_forward<double>(const double*, double*, int64_t, const int64_t[3], const int64_t[3]);
template void adaptive_avg_pool_backward<float>(const float*, float*, int64_t, const int64_t[3], const int64_t[3]);
template void adaptive_avg_pool_backward<double>(const double*, double*, int64_t, const int64_t[3], const int64_t[3]);
template void adaptive_max_pool_forward<float>(const float*, float*, int64_t*, int64_t, const int64_t[3],
                                               const int64_t[3]);
template void adaptive_max_pool_forward<double>(const double*, double*, int64_t*, int64_t, const int64_t[3],
                                                const int64_t[3]);

}  // namespace nabla::cpu
