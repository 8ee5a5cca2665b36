#include "kernels/cpu/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/vec_math.h"

namespace nabla::cpu {
namespace {

// Max of a contiguous row (a NaN may be missed here; it still turns the row into NaN later).
// Sixteen running maxima, one per lane: an element-wise max the compiler turns into vector
// instructions (a `simd reduction(max)` over std::max stayed scalar, 3 % of a ViT forward).
template <class T>
T row_max(const T* x, int64_t n) {
  constexpr int64_t L = 16;
  T lanes[L];
  std::fill(lanes, lanes + L, -std::numeric_limits<T>::infinity());
  int64_t r = 0;
  for (; r + L <= n; r += L)
#pragma omp simd
    for (int64_t j = 0; j < L; ++j) lanes[j] = x[r + j] > lanes[j] ? x[r + j] : lanes[j];
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < L; ++j) m = std::max(m, lanes[j]);
  for (; r < n; ++r) m = std::max(m, x[r]);
  return m;
}

// One contiguous row (I = 1).
template <class T>
void softmax_row(const T* x, T* y, int64_t R, bool log) {
  const T m = row_max(x, R);
  T s = 0;
  if (log) {
#pragma omp simd reduction(+ : s)
    for (int64_t r = 0; r < R; ++r) s += vec::exp(x[r] - m);
    // (x − m) − log s, not x − (m + log s): the latter rounds the shift at the scale of m.
    const T log_s = std::log(s);
#pragma omp simd
    for (int64_t r = 0; r < R; ++r) y[r] = (x[r] - m) - log_s;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t r = 0; r < R; ++r) {
      const T e = vec::exp(x[r] - m);
      y[r] = e;
      s += e;
    }
    const T inv = T(1) / s;
#pragma omp simd
    for (int64_t r = 0; r < R; ++r) y[r] *= inv;
  }
}

// A block of w ≤ kBlock columns of one outer slice (I > 1): x points at (o, 0, i0), rows I apart.
constexpr int64_t kBlock = 256;

template <class T>
void softmax_columns(const T* x, T* y, int64_t R, int64_t I, int64_t w, bool log) {
  T m[kBlock], s[kBlock];
  for (int64_t i = 0; i < w; ++i) {
    m[i] = -std::numeric_limits<T>::infinity();
    s[i] = 0;
  }
  for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
    for (int64_t i = 0; i < w; ++i) m[i] = std::max(m[i], x[r * I + i]);
  }
  for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
    for (int64_t i = 0; i < w; ++i) {
      const T e = vec::exp(x[r * I + i] - m[i]);
      if (!log) y[r * I + i] = e;
      s[i] += e;
    }
  }
  if (log) {
#pragma omp simd
    for (int64_t i = 0; i < w; ++i) s[i] = vec::log(s[i]);
    for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
      for (int64_t i = 0; i < w; ++i) y[r * I + i] = (x[r * I + i] - m[i]) - s[i];
    }
  } else {
    for (int64_t i = 0; i < w; ++i) s[i] = T(1) / s[i];
    for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
      for (int64_t i = 0; i < w; ++i) y[r * I + i] *= s[i];
    }
  }
}

template <class T>
void softmax_backward_row(const T* g, const T* y, T* dx, int64_t R, bool log) {
  T s = 0;
  if (log) {
#pragma omp simd reduction(+ : s)
    for (int64_t r = 0; r < R; ++r) s += g[r];
#pragma omp simd
    for (int64_t r = 0; r < R; ++r) dx[r] = g[r] - vec::exp(y[r]) * s;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t r = 0; r < R; ++r) s += g[r] * y[r];
#pragma omp simd
    for (int64_t r = 0; r < R; ++r) dx[r] = y[r] * (g[r] - s);
  }
}

template <class T>
void softmax_backward_columns(const T* g, const T* y, T* dx, int64_t R, int64_t I, int64_t w, bool log) {
  T s[kBlock];
  for (int64_t i = 0; i < w; ++i) s[i] = 0;
  for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
    for (int64_t i = 0; i < w; ++i) s[i] += log ? g[r * I + i] : g[r * I + i] * y[r * I + i];
  }
  for (int64_t r = 0; r < R; ++r) {
#pragma omp simd
    for (int64_t i = 0; i < w; ++i) {
      const int64_t k = r * I + i;
      dx[k] = log ? g[k] - vec::exp(y[k]) * s[i] : y[k] * (g[k] - s[i]);
    }
  }
}

// Runs row(o) for every slice when I = 1, or block(o, i0, w) over column blocks, in parallel.
template <class Row, class Block>
void over_slices(int64_t O, int64_t R, int64_t I, Row row, Block block) {
  if (I == 1) {
    parallel_for(O, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) row(o);
    });
    return;
  }
  const int64_t blocks = (I + kBlock - 1) / kBlock;
  parallel_for(O * blocks, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R * kBlock, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t t = b; t < e; ++t) {
                   const int64_t o = t / blocks, i0 = (t % blocks) * kBlock;
                   block(o, i0, std::min(kBlock, I - i0));
                 }
               });
}

}  // namespace

template <class T>
void softmax_forward(const T* x, T* y, int64_t O, int64_t R, int64_t I, bool log) {
  over_slices(
      O, R, I, [&](int64_t o) { softmax_row(x + o * R, y + o * R, R, log); },
      [&](int64_t o, int64_t i0, int64_t w) {
        const int64_t off = o * R * I + i0;
        softmax_columns(x + off, y + off, R, I, w, log);
      });
}

template <class T>
void softmax_backward(const T* g, const T* y, T* dx, int64_t O, int64_t R, int64_t I, bool log) {
  over_slices(
      O, R, I, [&](int64_t o) { softmax_backward_row(g + o * R, y + o * R, dx + o * R, R, log); },
      [&](int64_t o, int64_t i0, int64_t w) {
        const int64_t off = o * R * I + i0;
        softmax_backward_columns(g + off, y + off, dx + off, R, I, w, log);
      });
}

template <class T>
void logsumexp_rows(const T* x, T* out, int64_t M, int64_t R) {
  parallel_for(M, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
    for (int64_t m = b; m < e; ++m) {
      const T* row = x + m * R;
      T mx = row_max(row, R);
      if (std::isinf(mx)) mx = 0;
      T s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t r = 0; r < R; ++r) s += vec::exp(row[r] - mx);
      out[m] = std::log(s) + mx;
    }
  });
}

template void softmax_forward<float>(const float*, float*, int64_t, int64_t, int64_t, bool);
template void softmax_forward<double>(const double*, double*, int64_t, int64_t, int64_t, bool);
template void softmax_backward<float>(const float*, const float*, float*, int64_t, int64_t, int64_t, bool);
template void softmax_backward<double>(const double*, const double*, double*, int64_t, int64_t, int64_t, bool);
template void logsumexp_rows<float>(const float*, float*, int64_t, int64_t);
template void logsumexp_rows<double>(const double*, double*, int64_t, int64_t);

}  // namespace nabla::cpu
