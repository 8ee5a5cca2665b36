#include "kernels/cpu/minmax.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// True when v should replace the current best: v is NaN (and best is not), or v is strictly
// better. Strictness keeps the first occurrence among ties.
template <class T, bool Largest>
inline bool replaces(T v, T best) {
  if (best != best) return false;
  if (v != v) return true;
  return Largest ? v > best : v < best;
}

// Extreme of x[0, n) without NaN handling, plus a flag telling whether a NaN was seen.
// Kept in kLanes independent accumulators so that the loop vectorises as a plain map.
template <class T, bool Largest>
T extreme_serial(const T* x, int64_t n) {
  constexpr int64_t kLanes = 16;
  T lanes[kLanes];
  bool nan_lanes[kLanes];
  for (int64_t l = 0; l < kLanes; ++l) {
    lanes[l] = x[0];
    nan_lanes[l] = false;
  }
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
    for (int64_t l = 0; l < kLanes; ++l) {
      const T v = x[i + l];
      lanes[l] = (Largest ? v > lanes[l] : v < lanes[l]) ? v : lanes[l];
      nan_lanes[l] = nan_lanes[l] | (v != v);
    }
  }
  T best = x[0];
  bool nan = false;
  for (int64_t l = 0; l < kLanes; ++l) {
    best = (Largest ? lanes[l] > best : lanes[l] < best) ? lanes[l] : best;
    nan = nan || nan_lanes[l];
  }
  for (; i < n; ++i) {
    if (x[i] != x[i]) return x[i];
    best = (Largest ? x[i] > best : x[i] < best) ? x[i] : best;
  }
  if (nan)
    for (int64_t j = 0; j < n; ++j)
      if (x[j] != x[j]) return x[j];
  return best;
}

// First index of the extreme of a contiguous row (NaN counts as the extreme).
template <class T, bool Largest>
int64_t arg_extreme_row(const T* x, int64_t n) {
  if (n >= 64) {
    // Two vectorised passes: the value, then its first position.
    const T best = extreme_serial<T, Largest>(x, n);
    if (best != best) {
      for (int64_t r = 0; r < n; ++r)
        if (x[r] != x[r]) return r;
    }
    for (int64_t r = 0; r < n; ++r)
      if (x[r] == best) return r;
    return 0;
  }
  int64_t bi = 0;
  T best = x[0];
  for (int64_t r = 1; r < n; ++r)
    if (replaces<T, Largest>(x[r], best)) {
      best = x[r];
      bi = r;
    }
  return bi;
}

template <class T, bool Largest>
void extreme_along_dim_impl(const T* x, T* values, int64_t* indices, int64_t O, int64_t R, int64_t I) {
  if (I == 1) {
    parallel_for(O, std::max<int64_t>(1, kParallelGrain / R), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const int64_t r = arg_extreme_row<T, Largest>(x + o * R, R);
        indices[o] = r;
        if (values) values[o] = x[o * R + r];
      }
    });
    return;
  }
  // Columns: sweep r in the outer loop and update all i of a block together (vectorised map).
  constexpr int64_t kBlock = 256;
  const int64_t blocks_per_o = (I + kBlock - 1) / kBlock;
  parallel_for(O * blocks_per_o, std::max<int64_t>(1, kParallelGrain / (R * kBlock)), [&](int64_t b, int64_t e) {
    T best[kBlock];
    int64_t arg[kBlock];
    for (int64_t task = b; task < e; ++task) {
      const int64_t o = task / blocks_per_o, i0 = (task % blocks_per_o) * kBlock;
      const int64_t w = std::min(kBlock, I - i0);
      const T* base = x + o * R * I + i0;
      for (int64_t i = 0; i < w; ++i) {
        best[i] = base[i];
        arg[i] = 0;
      }
      for (int64_t r = 1; r < R; ++r) {
        const T* row = base + r * I;
#pragma omp simd
        for (int64_t i = 0; i < w; ++i) {
          const T v = row[i];
          const bool take = replaces<T, Largest>(v, best[i]);
          best[i] = take ? v : best[i];
          arg[i] = take ? r : arg[i];
        }
      }
      for (int64_t i = 0; i < w; ++i) {
        indices[o * I + i0 + i] = arg[i];
        if (values) values[o * I + i0 + i] = best[i];
      }
    }
  });
}

}  // namespace

template <class T>
T reduce_extreme(const T* x, int64_t n, bool largest) {
  // Fixed chunks reduced in parallel, then combined in order: the same result for any thread count.
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<T> partial(chunks);
  parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      const int64_t lo = c * kChunk, len = std::min(kChunk, n - lo);
      partial[c] = largest ? extreme_serial<T, true>(x + lo, len) : extreme_serial<T, false>(x + lo, len);
    }
  });
  T best = partial[0];
  for (int64_t c = 1; c < chunks; ++c) {
    const bool take = largest ? replaces<T, true>(partial[c], best) : replaces<T, false>(partial[c], best);
    if (take) best = partial[c];
  }
  return best;
}

template <class T>
void extreme_along_dim(const T* x, T* values, int64_t* indices, int64_t O, int64_t R, int64_t I, bool largest) {
  if (largest)
    extreme_along_dim_impl<T, true>(x, values, indices, O, R, I);
  else
    extreme_along_dim_impl<T, false>(x, values, indices, O, R, I);
}

template <class T>
void scatter_along_dim(const T* g, const int64_t* indices, T* grad_in, int64_t O, int64_t R, int64_t I) {
  parallel_for(O, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(I, 1)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o)
      for (int64_t i = 0; i < I; ++i) grad_in[(o * R + indices[o * I + i]) * I + i] += g[o * I + i];
  });
}

#define NABLA_INSTANTIATE_MINMAX(T)                                                                         \
  template T reduce_extreme<T>(const T*, int64_t, bool);                                                   \
  template void extreme_along_dim<T>(const T*, T*, int64_t*, int64_t, int64_t, int64_t, bool);
NABLA_INSTANTIATE_MINMAX(float)
NABLA_INSTANTIATE_MINMAX(double)
NABLA_INSTANTIATE_MINMAX(int64_t)
NABLA_INSTANTIATE_MINMAX(bool)
NABLA_INSTANTIATE_MINMAX(uint8_t)
NABLA_INSTANTIATE_MINMAX(int32_t)
#undef NABLA_INSTANTIATE_MINMAX
template void scatter_along_dim<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template void scatter_along_dim<double>(const double*, const int64_t*, double*, int64_t, int64_t, int64_t);

}  // namespace nabla::cpu
