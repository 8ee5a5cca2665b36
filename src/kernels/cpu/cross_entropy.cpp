#include "kernels/cpu/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/vec_math.h"

namespace nabla::cpu {
namespace {

// Rows per thread chunk: a row costs about C exps, so small C needs many rows to pay for a thread.
int64_t row_grain(int64_t C) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(C, 1)); }

template <class T>
T log_sum_exp_row(const T* x, int64_t C) {
  T m = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : m)
  for (int64_t c = 0; c < C; ++c) m = std::max(m, x[c]);
  if (std::isinf(m)) return m;  // all −inf → −inf; a +inf logit → +inf (the loss is then NaN/inf)
  T s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t c = 0; c < C; ++c) s += vec::exp(x[c] - m);
  return m + std::log(s);
}

template <class T>
T softplus_neg(T x) {  // softplus(−x) = log(1 + e^(−x)), stable
  return std::max(-x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

}  // namespace

template <class T>
void softmax_cross_entropy_forward(const T* x, const int64_t* target, const T* weight, int64_t N, int64_t C,
                                   int64_t ignore_index, double label_smoothing, T* loss, T* lse, T* row_weight) {
  const T eps = static_cast<T>(label_smoothing);
  const T keep = T(1) - eps;
  const T spread = eps / static_cast<T>(C);
  parallel_for(N, row_grain(C), [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      const T* row = x + n * C;
      const T l = log_sum_exp_row(row, C);
      lse[n] = l;
      const int64_t t = target[n];
      if (t == ignore_index) {
        loss[n] = 0;
        row_weight[n] = 0;
        continue;
      }
      const T wt = weight ? weight[t] : T(1);
      T out = keep * wt * (l - row[t]);
      if (eps != T(0)) {
        // Σ_c w_c (lse − x_c): the smoothing term spreads ε of the target mass over all classes.
        T s = 0;
        if (weight) {
#pragma omp simd reduction(+ : s)
          for (int64_t c = 0; c < C; ++c) s += weight[c] * (l - row[c]);
        } else {
#pragma omp simd reduction(+ : s)
          for (int64_t c = 0; c < C; ++c) s += l - row[c];
        }
        out += spread * s;
      }
      loss[n] = out;
      row_weight[n] = wt;
    }
  });
}

template <class T>
void softmax_cross_entropy_backward(const T* x, const int64_t* target, const T* weight, const T* lse, const T* g,
                                    int64_t g_stride, T factor, int64_t N, int64_t C, int64_t ignore_index,
                                    double label_smoothing, T* dx) {
  const T eps = static_cast<T>(label_smoothing);
  const T keep = T(1) - eps;
  const T spread = eps / static_cast<T>(C);
  T weight_total = static_cast<T>(C);
  if (weight) {
    weight_total = 0;
    for (int64_t c = 0; c < C; ++c) weight_total += weight[c];
  }
  parallel_for(N, row_grain(C), [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      const T* row = x + n * C;
      T* drow = dx + n * C;
      const int64_t t = target[n];
      if (t == ignore_index) {
        std::fill(drow, drow + C, T(0));
        continue;
      }
      const T s = g[n * g_stride] * factor;
      const T wt = weight ? weight[t] : T(1);
      const T a = s * (keep * wt + spread * weight_total);  // coefficient of p_c
      const T l = lse[n];
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) drow[c] = a * vec::exp(row[c] - l);
      if (eps != T(0)) {
        const T sc = s * spread;
        if (weight) {
#pragma omp simd
          for (int64_t c = 0; c < C; ++c) drow[c] -= sc * weight[c];
        } else {
#pragma omp simd
          for (int64_t c = 0; c < C; ++c) drow[c] -= sc;
        }
      }
      drow[t] -= s * keep * wt;
    }
  });
}

template <class T>
void nll_forward(const T* x, const int64_t* target, const T* weight, int64_t N, int64_t C, int64_t D,
                 int64_t ignore_index, T* out, T* row_weight) {
  parallel_for(N * D, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t n = i / D, d = i % D;
      const int64_t t = target[i];
      if (t == ignore_index) {
        out[i] = 0;
        row_weight[i] = 0;
        continue;
      }
      const T wt = weight ? weight[t] : T(1);
      out[i] = -wt * x[(n * C + t) * D + d];
      row_weight[i] = wt;
    }
  });
}

template <class T>
void nll_backward(const int64_t* target, const T* weight, const T* g, int64_t g_stride, T factor, int64_t N,
                  int64_t C, int64_t D, int64_t ignore_index, T* dx) {
  parallel_for(N * D, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t t = target[i];
      if (t == ignore_index) continue;
      const int64_t n = i / D, d = i % D;
      const T wt = weight ? weight[t] : T(1);
      dx[(n * C + t) * D + d] = -wt * g[i * g_stride] * factor;
    }
  });
}

template <class T>
void binary_cross_entropy_forward(const T* x, const T* y, T* loss, int64_t n) {
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T log_x = std::max(std::log(x[i]), T(-100));
      const T log_1mx = std::max(std::log1p(-x[i]), T(-100));
      loss[i] = -(y[i] * log_x + (T(1) - y[i]) * log_1mx);
    }
  });
}

template <class T>
void binary_cross_entropy_backward(const T* g, const T* x, const T* y, T* dx, T* dy, int64_t n) {
  // loss = −(y log x + (1−y) log(1−x)):  ∂/∂x = −y/x + (1−y)/(1−x) = (x − y)/(x(1 − x));
  // ∂/∂y = −log x + log(1 − x).
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (dx) dx[i] = g[i] * (x[i] - y[i]) / std::max((T(1) - x[i]) * x[i], T(1e-12));
      if (dy) {
        const T log_x = std::max(std::log(x[i]), T(-100));
        const T log_1mx = std::max(std::log1p(-x[i]), T(-100));
        dy[i] = g[i] * (log_1mx - log_x);
      }
    }
  });
}

template <class T>
void bce_with_logits_forward(const T* x, const T* y, const T* pw, T* loss, int64_t n) {
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T lw = pw ? T(1) + (pw[i] - T(1)) * y[i] : T(1);
      loss[i] = (T(1) - y[i]) * x[i] + lw * softplus_neg(x[i]);
    }
  });
}

template <class T>
void bce_with_logits_backward(const T* g, const T* x, const T* y, const T* pw, T* dx, T* dy, T* dpw, int64_t n) {
  // loss = (1 − y)x + l·softplus(−x), l = 1 + (pw − 1)y, softplus'(−x) = −σ(−x) = σ(x) − 1:
  //   ∂/∂x = (1 − y) + l(σ(x) − 1) = l·σ(x) − pw·y
  //   ∂/∂y = −x + (pw − 1)·softplus(−x),   ∂/∂pw = y·softplus(−x)
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T p = pw ? pw[i] : T(1);
      const T lw = T(1) + (p - T(1)) * y[i];
      if (dx) dx[i] = g[i] * (lw * vec::sigmoid(x[i]) - p * y[i]);
      if (dy || dpw) {
        const T sp = softplus_neg(x[i]);
        if (dy) dy[i] = g[i] * (-x[i] + (p - T(1)) * sp);
        if (dpw) dpw[i] = g[i] * y[i] * sp;
      }
    }
  });
}

#define NABLA_INSTANTIATE_CROSS_ENTROPY(T)                                                                          \
  template void softmax_cross_entropy_forward<T>(const T*, const int64_t*, const T*, int64_t, int64_t, int64_t,     \
                                                 double, T*, T*, T*);                                               \
  template void softmax_cross_entropy_backward<T>(const T*, const int64_t*, const T*, const T*, const T*, int64_t, \
                                                  T, int64_t, int64_t, int64_t, double, T*);                         \
  template void nll_forward<T>(const T*, const int64_t*, const T*, int64_t, int64_t, int64_t, int64_t, T*, T*);    \
  template void nll_backward<T>(const int64_t*, const T*, const T*, int64_t, T, int64_t, int64_t, int64_t,         \
                                int64_t, T*);                                                                      \
  template void binary_cross_entropy_forward<T>(const T*, const T*, T*, int64_t);                                  \
  template void binary_cross_entropy_backward<T>(const T*, const T*, const T*, T*, T*, int64_t);                   \
  template void bce_with_logits_forward<T>(const T*, const T*, const T*, T*, int64_t);                             \
  template void bce_with_logits_backward<T>(const T*, const T*, const T*, const T*, T*, T*, T*, int64_t);

NABLA_INSTANTIATE_CROSS_ENTROPY(float)
NABLA_INSTANTIATE_CROSS_ENTROPY(double)
#undef NABLA_INSTANTIATE_CROSS_ENTROPY

}  // namespace nabla::cpu
