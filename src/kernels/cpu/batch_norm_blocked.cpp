// Batch normalisation on the channel-blocked layout; see batch_norm_blocked.h for the layout.
// The inner loops run over the 16 channels of a block (one vector of float32); the passes that
// change layout (blocked → plain in the forward, plain → blocked in the backward) go through a
// 16 × 16 tile so that both the reads and the writes stay contiguous runs.
#include "kernels/cpu/batch_norm_blocked.h"

#include <algorithm>
#include <cmath>

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

}  // namespace

template <class T>
void batch_norm_sums_blocked(const T* x, const T* center, int64_t N, int64_t C, int64_t S, double* sum_u,
                             double* sum_uu) {
  const int64_t CB = C / B;
  parallel_for(CB, grain_for(N * S * B), [&](int64_t c0, int64_t c1) {
    for (int64_t cb = c0; cb < c1; ++cb) {
      const T* m = center + cb * B;
      double du[B] = {}, duu[B] = {};
      for (int64_t n = 0; n < N; ++n) {
        const T* xr = x + (n * CB + cb) * S * B;
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
        for (int64_t j = 0; j < B; ++j) {
          du[j] += static_cast<double>((lu[0][j] + lu[1][j]) + (lu[2][j] + lu[3][j]));
          duu[j] += static_cast<double>((luu[0][j] + luu[1][j]) + (luu[2][j] + luu[3][j]));
        }
      }
      std::copy(du, du + B, sum_u + cb * B);
      std::copy(duu, duu + B, sum_uu + cb * B);
    }
  });
}

template <class T>
void batch_norm_apply_blocked(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale,
                              const T* shift, bool relu) {
  const int64_t CB = C / B;
  parallel_for(N * CB, grain_for(S * B), [&](int64_t i0, int64_t i1) {
    alignas(64) T tile[B][B];  // tile[j][t]: channel j of the block at position s0 + t
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
            tile[j][t] = relu ? (v > T(0) ? v : T(0)) : v;
          }
        }
        for (int64_t j = 0; j < B; ++j) {
#pragma omp simd
          for (int64_t t = 0; t < len; ++t) yr[j * S + s0 + t] = tile[j][t];
        }
      }
    }
  });
}

template <class T>
void batch_norm_grad_sums_blocked(const T* g, const T* x, T* gb, int64_t N, int64_t C, int64_t S, const T* center,
                                  const T* mask_scale, const T* mask_shift, double* G, double* P) {
  const int64_t CB = C / B;
  parallel_for(CB, grain_for(N * S * B), [&](int64_t c0, int64_t c1) {
    alignas(64) T tile[B][B];  // tile[t][j]: channel j of the block at position s0 + t
    for (int64_t cb = c0; cb < c1; ++cb) {
      const T* m = center + cb * B;
      const T* ma = mask_scale ? mask_scale + cb * B : nullptr;
      const T* mb = mask_shift ? mask_shift + cb * B : nullptr;
      double dG[B] = {}, dP[B] = {};
      for (int64_t n = 0; n < N; ++n) {
        const T* gr = g + (n * C + cb * B) * S;  // channel cb·B + j starts at gr + j·S
        const T* xb = x + (n * CB + cb) * S * B;
        T* out = gb + (n * CB + cb) * S * B;
        alignas(64) T lg[B] = {}, lp[B] = {};
        for (int64_t s0 = 0; s0 < S; s0 += B) {
          const int64_t len = std::min(B, S - s0);
          for (int64_t j = 0; j < B; ++j) {
#pragma omp simd
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
        for (int64_t j = 0; j < B; ++j) {
          dG[j] += static_cast<double>(lg[j]);
          dP[j] += static_cast<double>(lp[j]);
        }
      }
      std::copy(dG, dG + B, G + cb * B);
      std::copy(dP, dP + B, P + cb * B);
    }
  });
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
