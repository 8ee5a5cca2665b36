#include "kernels/cpu/pool_max.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pool_windows.h"

namespace nabla::cpu {
namespace {

// A candidate v replaces the running maximum m when larger, or when it is NaN (PyTorch's rule:
// NaN propagates). Written branch-free so that the row loops below vectorise.
template <class T>
inline bool takes_over(T v, T m) {
  return (v > m) | (v != v);
}

// Full windows (see pool_windows.h): one run of outputs over a chunk of planes, tap by tap. The
// first tap initialises the run; later taps take over with PyTorch's rule, so values and indices
// match the per-window path exactly.
template <class T, bool kIdx>
void max_run_full_windows(const T* __restrict x, T* __restrict y, int64_t* __restrict ind, const FullWindowTable& t,
                          int64_t n) {
  const int32_t* __restrict start = t.start.data();
  const int32_t* __restrict position = t.position.data();
  const int32_t tap0 = t.tap[0];
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = x[start[i] + tap0];
  if constexpr (kIdx) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) ind[i] = position[i] + tap0;
  }
  for (size_t j = 1; j < t.tap.size(); ++j) {
    const int32_t tap = t.tap[j];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[start[i] + tap];
      const T cur = y[i];
      const bool take = takes_over(v, cur);
      y[i] = take ? v : cur;
      if constexpr (kIdx) {
        const int64_t cur_pos = ind[i];
        ind[i] = take ? static_cast<int64_t>(position[i] + tap) : cur_pos;
      }
    }
  }
}

// Branch-free select c ? a : b. Which candidate wins a window is unpredictable on real data; a
// mispredicted branch per compare costs far more than a blend, and compilers turn ternaries in
// scalar loop tails into branches, but keep these bitwise ops.
template <class T>
inline T blend(bool c, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const U m = U(0) - static_cast<U>(c);
  return std::bit_cast<T>((std::bit_cast<U>(a) & m) | (std::bit_cast<U>(b) & ~m));
}

// One plane of the most common pooling, 2×2 windows at stride 2 without padding or dilation,
// every window inside: a direct expression per output over the four candidates in PyTorch's
// (row-major) order with its take-over rule, so values and indices equal the other paths'. The
// compile-time stride lets the compiler de-interleave even and odd columns with permutes: on
// long rows this reads the input contiguously, which beats the gathers of the table path when
// the input streams from memory (VGG's 64×32×32 planes).
template <class T, bool kIdx>
void max_plane_2x2(const T* __restrict x, T* __restrict y, int64_t* __restrict ind, const PoolGeometry& g) {
  const int64_t W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t oh = 0; oh < OH; ++oh) {
    const T* r0 = x + 2 * oh * W;
    const T* r1 = r0 + W;
    T* yr = y + oh * OW;
    int64_t* ir = kIdx ? ind + oh * OW : nullptr;
    const int64_t row0 = 2 * oh * W;
#pragma omp simd
    for (int64_t ow = 0; ow < OW; ++ow) {
      const T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      const bool tb = takes_over(b, a);
      const T mb = blend(tb, b, a);
      const bool tc = takes_over(c, mb);
      const T mc = blend(tc, c, mb);
      const bool td = takes_over(d, mc);
      yr[ow] = blend(td, d, mc);
      if constexpr (kIdx) {
        const int64_t pa = row0 + 2 * ow;
        const int64_t pb = blend<int64_t>(tb, pa + 1, pa);
        const int64_t pc = blend<int64_t>(tc, pa + W, pb);
        ir[ow] = blend<int64_t>(td, pa + W + 1, pc);
      }
    }
  }
}

// The 2×2 stride-2 case on rows the vector loop covers without a scalar tail (measured: on
// shorter rows such as LeNet's 14 and 5 the table path is faster).
inline bool use_2x2_rows(const PoolGeometry& g) {
  return g.in[0] == 1 && g.kernel[0] == 1 && g.kernel[1] == 2 && g.kernel[2] == 2 && g.stride[1] == 2 &&
         g.stride[2] == 2 && g.dilation[1] == 1 && g.dilation[2] == 1 && g.all_windows_full() &&
         (g.out[2] % 8 == 0 || g.out[2] >= 32);
}

// Window start/end along one dim for output o: the first in-bounds tap and one past the last
// tap position, clipped to the input (PyTorch's bounds: start steps forward by the dilation
// until it is inside).
inline void window_bounds(int64_t o, int64_t size, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation,
                          int64_t& begin, int64_t& end) {
  begin = o * stride - pad;
  end = std::min(begin + (kernel - 1) * dilation + 1, size);
  while (begin < 0) begin += dilation;
}

// One plane, general case (padding, partial windows of ceil_mode): one window at a time.
template <class T, bool kIdx>
void max_plane_general(const T* x, T* y, int64_t* ind, const PoolGeometry& g) {
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  int64_t o = 0;
  for (int64_t od = 0; od < g.out[0]; ++od) {
    int64_t d0, d1;
    window_bounds(od, D, g.kernel[0], g.stride[0], g.pad[0], g.dilation[0], d0, d1);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      int64_t h0, h1;
      window_bounds(oh, H, g.kernel[1], g.stride[1], g.pad[1], g.dilation[1], h0, h1);
      for (int64_t ow = 0; ow < g.out[2]; ++ow, ++o) {
        int64_t w0, w1;
        window_bounds(ow, W, g.kernel[2], g.stride[2], g.pad[2], g.dilation[2], w0, w1);
        T best = -std::numeric_limits<T>::infinity();
        int64_t best_pos = (d0 * H + h0) * W + w0;
        for (int64_t d = d0; d < d1; d += g.dilation[0])
          for (int64_t h = h0; h < h1; h += g.dilation[1])
            for (int64_t w = w0; w < w1; w += g.dilation[2]) {
              const int64_t pos = (d * H + h) * W + w;
              const T v = x[pos];
              if (takes_over(v, best)) {
                best = v;
                best_pos = pos;
              }
            }
        y[o] = best;
        if constexpr (kIdx) ind[o] = best_pos;
      }
    }
  }
}

template <class T, bool kIdx>
void max_pool_planes(const T* x, T* y, int64_t* ind, const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  if (use_2x2_rows(g)) {
    parallel_for(g.planes, planes_grain(out_plane * window), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        max_plane_2x2<T, kIdx>(x + p * in_plane, y + p * out_plane, kIdx ? ind + p * out_plane : nullptr, g);
    });
    return;
  }
  if (g.all_windows_full() && full_window_table_fits(g)) {
    const FullWindowTable t = full_window_table(g);
    const int64_t L = t.chunk_planes, chunks = (g.planes + L - 1) / L;
    parallel_for(chunks, planes_grain(L * out_plane * window), [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const int64_t planes = std::min(L, g.planes - c * L), n = planes * out_plane;
        prefetch_run(x + c * L * in_plane, planes * in_plane);
        max_run_full_windows<T, kIdx>(x + c * L * in_plane, y + c * L * out_plane,
                                      kIdx ? ind + c * L * out_plane : nullptr, t, n);
      }
    });
    return;
  }
  parallel_for(g.planes, planes_grain(out_plane * window), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      max_plane_general<T, kIdx>(x + p * in_plane, y + p * out_plane, kIdx ? ind + p * out_plane : nullptr, g);
  });
}

}  // namespace

template <class T>
void max_pool_forward(const T* x, T* y, int64_t* indices, const PoolGeometry& g) {
  if (indices)
    max_pool_planes<T, true>(x, y, indices, g);
  else
    max_pool_planes<T, false>(x, y, nullptr, g);
}

template <class T>
void max_index_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes, int64_t in_plane,
                        int64_t out_plane) {
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * in_plane;
      const T* gyp = gy + p * out_plane;
      const int64_t* ip = indices + p * out_plane;
      std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
      for (int64_t o = 0; o < out_plane; ++o) gxp[ip[o]] += gyp[o];
    }
  });
}

namespace {

// Non-overlapping 2×2 windows: each input position receives its window's gradient when it is
// the window's argmax and 0 otherwise, written in one pass over the window.
template <class T>
void max_plane_2x2_backward(const T* __restrict gy, const int64_t* __restrict ind, T* __restrict gx,
                            const PoolGeometry& g) {
  const int64_t W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t oh = 0; oh < OH; ++oh) {
    T* r0 = gx + 2 * oh * W;
    T* r1 = r0 + W;
    const T* gr = gy + oh * OW;
    const int64_t* ir = ind + oh * OW;
    const int64_t row0 = 2 * oh * W;
#pragma omp simd
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t k = ir[ow] - (row0 + 2 * ow);  // 0, 1, W or W + 1
      const T v = gr[ow];
      r0[2 * ow] = blend(k == 0, v, T(0));
      r0[2 * ow + 1] = blend(k == 1, v, T(0));
      r1[2 * ow] = blend(k == W, v, T(0));
      r1[2 * ow + 1] = blend(k == W + 1, v, T(0));
    }
  }
}

}  // namespace

template <class T>
void max_pool_backward(const T* gy, const int64_t* indices, T* gx, const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  if (!use_2x2_rows(g)) {
    max_index_backward(gy, indices, gx, g.planes, in_plane, out_plane);
    return;
  }
  // Rows or columns no window covers (odd sizes) get no gradient.
  const bool exact_tiling = g.in[1] == 2 * g.out[1] && g.in[2] == 2 * g.out[2];
  parallel_for(g.planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * in_plane;
      if (!exact_tiling) std::memset(gxp, 0, sizeof(T) * static_cast<size_t>(in_plane));
      max_plane_2x2_backward<T>(gy + p * out_plane, indices + p * out_plane, gxp, g);
    }
  });
}

template void max_pool_forward<float>(const float*, float*, int64_t*, const PoolGeometry&);
template void max_pool_forward<double>(const double*, double*, int64_t*, const PoolGeometry&);
template void max_index_backward<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template void max_index_backward<double>(const double*, const int64_t*, double*, int64_t, int64_t, int64_t);
template void max_pool_backward<float>(const float*, const int64_t*, float*, const PoolGeometry&);
template void max_pool_backward<double>(const double*, const int64_t*, double*, const PoolGeometry&);

}  // namespace nabla::cpu
