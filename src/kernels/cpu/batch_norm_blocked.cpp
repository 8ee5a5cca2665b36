// Batch normalisation on the channel-blocked layout; see batch_norm_blocked.h for the layout.
// The inner loops run over the 16 channels of a block (one vector of float32); the passes that
// change layout (blocked → plain in the forward, plain → blocked in the backward) go through
// 16 × 16 tiles transposed in registers, so that both the reads and the writes stay contiguous.
#include "kernels/cpu/batch_norm_blocked.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

constexpr int64_t B = kChannelBlock;

// Items per thread below which a loop stays serial, scaled by the elements each item touches.
int64_t grain_for(int64_t elements_per_item) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, elements_per_item));
}

// The normalised value. The forward and the backward's ReLU mask both use this expression, so the
// mask is exactly where the forward's output was zeroed.
template <class T>
inline T affine(T x, T m, T a, T b) {
  return std::fma(x - m, a, b);
}

// dst[j·ds + t] = src[t·ss + j] for t, j < 16: a 16 × 16 tile transposed. With AVX-512 in
// registers — four rounds of 2 × 2 block swaps (32-bit, 64-bit, 128-bit, 256-bit elements); the
// compilers turned the plain loop into scalar stores, which made the layout-changing passes
// slower than oneDNN's reorder they replace (perf: 55 % of batch_norm_apply_blocked).
// (GCC 12 warns that the intrinsics' own undefined start values may be used uninitialised.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <class T>
inline void transpose_tile(const T* src, int64_t ss, T* dst, int64_t ds) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    __m512 r[B], t[B];
    for (int i = 0; i < B; ++i) r[i] = _mm512_loadu_ps(src + i * ss);
    for (int i = 0; i < B; i += 2) {
      t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < B; i += 4)
      for (int k = 0; k < 2; ++k) {
        const __m512d lo = _mm512_castps_pd(t[i + k]), hi = _mm512_castps_pd(t[i + k + 2]);
        r[i + 2 * k] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, hi));
        r[i + 2 * k + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, hi));
      }
    for (int i = 0; i < B; i += 8)
      for (int k = 0; k < 4; ++k) {
        t[i + k] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0x88);
        t[i + k + 4] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0xdd);
      }
    for (int k = 0; k < 8; ++k) {
      r[k] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0x88);
      r[k + 8] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0xdd);
    }
    for (int i = 0; i < B; ++i) _mm512_storeu_ps(dst + i * ds, r[i]);
    return;
  }
#endif
  for (int64_t t = 0; t < B; ++t)
    for (int64_t j = 0; j < B; ++j) dst[j * ds + t] = src[t * ss + j];
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Adds the rows' sums (N · C/16 rows of 16 lanes, row (n, cb) at rows + 2·((n·CB + cb)·16) —
// first the 16 Σu then the 16 Σuv) over n in order into sum_u and sum_uv: the rows are computed in
// parallel over every (sample, block), then reduced in this fixed order, so the result does not
// depend on the thread count (splitting only the blocks left one thread idle for the 16 channels
// of ResNet-20's first stage).
void reduce_rows(const std::vector<double>& rows, int64_t N, int64_t C, double* sum_u, double* sum_uv) {
  const int64_t CB = C / B;
  for (int64_t cb = 0; cb < CB; ++cb)
    for (int64_t j = 0; j < B; ++j) {
      double su = 0, suv = 0;
      for (int64_t n = 0; n < N; ++n) {
        const double* row = rows.data() + 2 * (n * CB + cb) * B;
        su += row[j];
        suv += row[B + j];
      }
      sum_u[cb * B + j] = su;
      sum_uv[cb * B + j] = suv;
    }
}

}  // namespace

template <class T>
void batch_norm_sums_blocked(const T* x, const T* center, int64_t N, int64_t C, int64_t S, double* sum_u,
                             double* sum_uu) {
  const int64_t CB = C / B;
  std::vector<double> rows(2 * N * C);
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const T* m = center + (i % CB) * B;
      const T* xr = x + i * S * B;
      // Four independent sets of lanes, so consecutive adds do not wait on each other.
      alignas(64) T lu[4][B] = {}, luu[4][B] = {};
      int64_t s = 0;
      for (; s + 4 <= S; s += 4)
        for (int64_t r = 0; r < 4; ++r) {
#pragma omp simd
          for (int64_t j = 0; j < B; ++j) {
            const T u = xr[(s + r) * B + j] - m[j];
            lu[r][j] += u;
            luu[r][j] += u * u;
          }
        }
      for (; s < S; ++s) {
#pragma omp simd
        for (int64_t j = 0; j < B; ++j) {
          const T u = xr[s * B + j] - m[j];
          lu[0][j] += u;
          luu[0][j] += u * u;
        }
      }
      double* row = rows.data() + 2 * i * B;
      for (int64_t j = 0; j < B; ++j) {
        row[j] = static_cast<double>((lu[0][j] + lu[1][j]) + (lu[2][j] + lu[3][j]));
        row[B + j] = static_cast<double>((luu[0][j] + luu[1][j]) + (luu[2][j] + luu[3][j]));
      }
    }
  });
  reduce_rows(rows, N, C, sum_u, sum_uu);
}

template <class T>
void batch_norm_apply_blocked(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale,
                              const T* shift, bool relu) {
  const int64_t CB = C / B;
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    alignas(64) T tile[B][B];  // tile[t][j]: channel j of the block at position s0 + t
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / CB, cb = i % CB;
      const T* xb = x + i * S * B;
      T* yr = y + (n * C + cb * B) * S;  // channel cb·B + j starts at yr + j·S
      const T* m = center + cb * B;
      const T* a = scale + cb * B;
      const T* b = shift + cb * B;
      for (int64_t s0 = 0; s0 < S; s0 += B) {
        const int64_t len = std::min(B, S - s0);
        for (int64_t t = 0; t < len; ++t) {
#pragma omp simd
          for (int64_t j = 0; j < B; ++j) {
            const T v = affine(xb[(s0 + t) * B + j], m[j], a[j], b[j]);
            tile[t][j] = relu ? (v > T(0) ? v : T(0)) : v;
          }
        }
        if (len == B) {
          transpose_tile(&tile[0][0], B, yr + s0, S);
        } else {
          for (int64_t j = 0; j < B; ++j)
            for (int64_t t = 0; t < len; ++t) yr[j * S + s0 + t] = tile[t][j];
        }
      }
    }
  });
}

template <class T>
void batch_norm_grad_sums_blocked(const T* g, const T* x, T* gb, int64_t N, int64_t C, int64_t S, const T* center,
                                  const T* mask_scale, const T* mask_shift, double* G, double* P) {
  const int64_t CB = C / B;
  std::vector<double> rows(2 * N * C);
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    alignas(64) T tile[B][B];  // tile[t][j]: channel j of the block at position s0 + t
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / CB, cb = i % CB;
      const T* m = center + cb * B;
      const T* ma = mask_scale ? mask_scale + cb * B : nullptr;
      const T* mb = mask_shift ? mask_shift + cb * B : nullptr;
      const T* gr = g + (n * C + cb * B) * S;  // channel cb·B + j starts at gr + j·S
      const T* xb = x + i * S * B;
      T* out = gb + i * S * B;
      alignas(64) T lg[B] = {}, lp[B] = {};
      for (int64_t s0 = 0; s0 < S; s0 += B) {
        const int64_t len = std::min(B, S - s0);
        if (len == B) {
          transpose_tile(gr + s0, S, &tile[0][0], B);
        } else {
          for (int64_t j = 0; j < B; ++j)
            for (int64_t t = 0; t < len; ++t) tile[t][j] = gr[j * S + s0 + t];
        }
        for (int64_t t = 0; t < len; ++t) {
          const T* xt = xb + (s0 + t) * B;
          T* ot = out + (s0 + t) * B;
          if (ma) {
#pragma omp simd
            for (int64_t j = 0; j < B; ++j) {
              const T u = affine(xt[j], m[j], ma[j], mb[j]) > T(0) ? tile[t][j] : T(0);
              ot[j] = u;
              lg[j] += u;
              lp[j] += u * (xt[j] - m[j]);
            }
          } else {
#pragma omp simd
            for (int64_t j = 0; j < B; ++j) {
              const T u = tile[t][j];
              ot[j] = u;
              lg[j] += u;
              lp[j] += u * (xt[j] - m[j]);
            }
          }
        }
      }
      double* row = rows.data() + 2 * i * B;
      for (int64_t j = 0; j < B; ++j) {
        row[j] = static_cast<double>(lg[j]);
        row[B + j] = static_cast<double>(lp[j]);
      }
    }
  });
  reduce_rows(rows, N, C, G, P);
}

template <class T>
void batch_norm_input_grad_blocked(T* g, const T* x, int64_t N, int64_t C, int64_t S, const T* center, const T* a,
                                   const T* b, const T* k) {
  const int64_t CB = C / B;
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t cb = i % CB;
      const T* m = center + cb * B;
      const T* ac = a + cb * B;
      const T* bc = b + cb * B;
      const T* kc = k + cb * B;
      T* gi = g + i * S * B;
      const T* xi = x + i * S * B;
      for (int64_t s = 0; s < S; ++s) {
#pragma omp simd
        for (int64_t j = 0; j < B; ++j) gi[s * B + j] = ac[j] * gi[s * B + j] + bc[j] * (xi[s * B + j] - m[j]) + kc[j];
      }
    }
  });
}

#define NABLA_INSTANTIATE_BATCH_NORM_BLOCKED(T)                                                                    \
  template void batch_norm_sums_blocked<T>(const T*, const T*, int64_t, int64_t, int64_t, double*, double*);      \
  template void batch_norm_apply_blocked<T>(const T*, T*, int64_t, int64_t, int64_t, const T*, const T*, const T*, \
                                            bool);                                                                 \
  template void batch_norm_grad_sums_blocked<T>(const T*, const T*, T*, int64_t, int64_t, int64_t, const T*,       \
                                                const T*, const T*, double*, double*);                             \
  template void batch_norm_input_grad_blocked<T>(T*, const T*, int64_t, int64_t, int64_t, const T*, const T*,      \
                                                 const T*, const T*);
NABLA_INSTANTIATE_BATCH_NORM_BLOCKED(float)
#undef NABLA_INSTANTIATE_BATCH_NORM_BLOCKED

}  // namespace nabla::cpu
