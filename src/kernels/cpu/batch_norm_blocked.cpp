// Batch normalisation on the channel-blocked layout; see batch_norm_blocked.h for the layout.
// The inner loops run over the B channels of a block (one vector of float32: B = 16 with
// AVX-512, 8 with AVX2); the passes that change layout (blocked → plain in the forward, plain →
// blocked in the backward) go through B × B tiles transposed in registers, so that both the reads
// and the writes stay contiguous.
#include "kernels/cpu/batch_norm_blocked.h"

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/cpu/loops.h"
#include "nabla/error.h"

namespace nabla::cpu {
namespace {

// Items per thread below which a loop stays serial, scaled by the elements each item touches.
int64_t grain_for(int64_t elements_per_item) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, elements_per_item));
}

// The normalised value. The forward and the backward's activation mask both use this expression,
// so the mask is exactly where the forward's activation stopped the gradient.
template <class T>
inline T affine(T x, T m, T a, T b) {
  return std::fma(x - m, a, b);
}

// dst[j·ds + t] = src[t·ss + j] for t, j < B: a B × B tile transposed. In registers for float —
// B = 16 with AVX-512: four rounds of 2 × 2 block swaps (32-bit, 64-bit, 128-bit, 256-bit
// elements); B = 8 with AVX: three rounds (32-bit, 64-bit, 128-bit). The compilers turned the
// plain loop into scalar stores, which made the layout-changing passes slower than oneDNN's
// reorder they replace (perf: 55 % of batch_norm_apply_blocked).
// (GCC 12 warns that the intrinsics' own undefined start values may be used uninitialised.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <class T, int64_t B>
inline void transpose_tile(const T* src, int64_t ss, T* dst, int64_t ds) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float> && B == 16) {
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
#if defined(__AVX__)
  if constexpr (std::is_same_v<T, float> && B == 8) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ss);
    for (int i = 0; i < 8; i += 2) {  // t[i] = (r[i][0], r[i+1][0], r[i][1], r[i+1][1] | same for 4..5)
      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {  // r[i + c] holds column c (and c + 4) of rows i..i+3
      r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
      r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
      r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
      r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
    }
    for (int c = 0; c < 4; ++c) {
      _mm256_storeu_ps(dst + c * ds, _mm256_permute2f128_ps(r[c], r[c + 4], 0x20));
      _mm256_storeu_ps(dst + (c + 4) * ds, _mm256_permute2f128_ps(r[c], r[c + 4], 0x31));
    }
    return;
  }
#endif
  for (int64_t t = 0; t < B; ++t)
    for (int64_t j = 0; j < B; ++j) dst[j * ds + t] = src[t * ss + j];
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Adds the rows' sums (N · C/B rows of B lanes, row (n, cb) at rows + 2·((n·CB + cb)·B) —
// first the B Σu then the B Σuv) over n in order into sum_u and sum_uv: the rows are computed in
// parallel over every (sample, block), then reduced in this fixed order, so the result does not
// depend on the thread count (splitting only the blocks left one thread idle for the 16 channels
// of ResNet-20's first stage).
void reduce_rows(const std::vector<double>& rows, int64_t N, int64_t C, int64_t B, double* sum_u, double* sum_uv) {
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

template <class T, int64_t B>
void sums(const T* x, const T* center, int64_t N, int64_t C, int64_t S, double* sum_u, double* sum_uu) {
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
  reduce_rows(rows, N, C, B, sum_u, sum_uu);
}

template <class T, int64_t B, FusedActivation A>
void apply(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale, const T* shift) {
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
          for (int64_t j = 0; j < B; ++j) tile[t][j] = act::fused<A>(affine(xb[(s0 + t) * B + j], m[j], a[j], b[j]));
        }
        if (len == B) {
          transpose_tile<T, B>(&tile[0][0], B, yr + s0, S);
        } else {
          for (int64_t j = 0; j < B; ++j)
            for (int64_t t = 0; t < len; ++t) yr[j * S + s0 + t] = tile[t][j];
        }
      }
    }
  });
}

template <class T, int64_t B, FusedActivation A>
void grad_sums(const T* g, const T* x, T* gb, int64_t N, int64_t C, int64_t S, const T* center, const T* mask_scale,
               const T* mask_shift, double* G, double* P) {
  const int64_t CB = C / B;
  std::vector<double> rows(2 * N * C);
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    alignas(64) T tile[B][B];  // tile[t][j]: channel j of the block at position s0 + t
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / CB, cb = i % CB;
      const T* m = center + cb * B;
      const T* ma = A != FusedActivation::None ? mask_scale + cb * B : nullptr;
      const T* mb = A != FusedActivation::None ? mask_shift + cb * B : nullptr;
      const T* gr = g + (n * C + cb * B) * S;  // channel cb·B + j starts at gr + j·S
      const T* xb = x + i * S * B;
      T* out = gb + i * S * B;
      alignas(64) T lg[B] = {}, lp[B] = {};
      for (int64_t s0 = 0; s0 < S; s0 += B) {
        const int64_t len = std::min(B, S - s0);
        if (len == B) {
          transpose_tile<T, B>(gr + s0, S, &tile[0][0], B);
        } else {
          for (int64_t j = 0; j < B; ++j)
            for (int64_t t = 0; t < len; ++t) tile[t][j] = gr[j * S + s0 + t];
        }
        for (int64_t t = 0; t < len; ++t) {
          const T* xt = xb + (s0 + t) * B;
          T* ot = out + (s0 + t) * B;
#pragma omp simd
          for (int64_t j = 0; j < B; ++j) {
            T u = tile[t][j];
            if constexpr (A != FusedActivation::None)
              u = act::fused_passes<A>(affine(xt[j], m[j], ma[j], mb[j])) ? u : T(0);
            ot[j] = u;
            lg[j] += u;
            lp[j] += u * (xt[j] - m[j]);
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
  reduce_rows(rows, N, C, B, G, P);
}

template <class T, int64_t B>
void input_grad(T* g, const T* x, int64_t N, int64_t C, int64_t S, const T* center, const T* a, const T* b,
                const T* k) {
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

// Runs f.template operator()<B>() for block = B ∈ {8, 16}.
template <class F>
void with_block(int64_t block, F&& f) {
  NABLA_CHECK(block == 8 || block == 16, "batch_norm_blocked: the channel block must be 8 or 16, got ", block);
  if (block == 16) return f.template operator()<16>();
  return f.template operator()<8>();
}

}  // namespace

template <class T>
void batch_norm_sums_blocked(const T* x, const T* center, int64_t N, int64_t C, int64_t S, int64_t block,
                             double* sum_u, double* sum_uu) {
  with_block(block, [&]<int64_t B>() { sums<T, B>(x, center, N, C, S, sum_u, sum_uu); });
}

template <class T>
void batch_norm_apply_blocked(const T* x, T* y, int64_t N, int64_t C, int64_t S, int64_t block, const T* center,
                              const T* scale, const T* shift, FusedActivation act) {
  with_block(block, [&]<int64_t B>() {
    with_fused_activation(act, [&]<FusedActivation A>() { apply<T, B, A>(x, y, N, C, S, center, scale, shift); });
  });
}

template <class T>
void batch_norm_grad_sums_blocked(const T* g, const T* x, T* gb, int64_t N, int64_t C, int64_t S, int64_t block,
                                  const T* center, FusedActivation act, const T* act_scale, const T* act_shift,
                                  double* G, double* P) {
  with_block(block, [&]<int64_t B>() {
    with_fused_activation(act, [&]<FusedActivation A>() {
      grad_sums<T, B, A>(g, x, gb, N, C, S, center, act_scale, act_shift, G, P);
    });
  });
}

template <class T>
void batch_norm_input_grad_blocked(T* g, const T* x, int64_t N, int64_t C, int64_t S, int64_t block, const T* center,
                                   const T* a, const T* b, const T* k) {
  with_block(block, [&]<int64_t B>() { input_grad<T, B>(g, x, N, C, S, center, a, b, k); });
}

#define NABLA_INSTANTIATE_BATCH_NORM_BLOCKED(T)                                                                    \
  template void batch_norm_sums_blocked<T>(const T*, const T*, int64_t, int64_t, int64_t, int64_t, double*,      \
                                           double*);                                                               \
  template void batch_norm_apply_blocked<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t, const T*, const T*,  \
                                            const T*, FusedActivation);                                            \
  template void batch_norm_grad_sums_blocked<T>(const T*, const T*, T*, int64_t, int64_t, int64_t, int64_t,        \
                                                const T*, FusedActivation, const T*, const T*, double*, double*);  \
  template void batch_norm_input_grad_blocked<T>(T*, const T*, int64_t, int64_t, int64_t, int64_t, const T*,       \
                                                 const T*, const T*, const T*);
NABLA_INSTANTIATE_BATCH_NORM_BLOCKED(float)
#undef NABLA_INSTANTIATE_BATCH_NORM_BLOCKED

}  // namespace nabla::cpu
