// Layer normalisation kernels; see layer_norm.h for shapes and formulas.
#include "kernels/cpu/layer_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

int64_t grain_for(int64_t elements_per_item) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, elements_per_item));
}

}  // namespace

template <class T>
void layer_norm_forward(const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t R, int64_t D,
                        double eps) {
  parallel_for(R, grain_for(D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * D;
      T* yr = y + r * D;
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < D; ++j) s += xr[j];
      const double mu_d = D > 0 ? s / static_cast<double>(D) : 0.0;
      const T mu = static_cast<T>(mu_d);
      double ss = 0;
#pragma omp simd reduction(+ : ss)
      for (int64_t j = 0; j < D; ++j) {
        const double d = static_cast<double>(xr[j]) - mu_d;
        ss += d * d;
      }
      const T rs = static_cast<T>(1.0 / std::sqrt((D > 0 ? ss / static_cast<double>(D) : 0.0) + eps));
      mean[r] = mu;
      rstd[r] = rs;
      if (gamma && beta) {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
      } else if (gamma) {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) yr[j] = (xr[j] - mu) * rs * gamma[j];
      } else if (beta) {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) yr[j] = (xr[j] - mu) * rs + beta[j];
      } else {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) yr[j] = (xr[j] - mu) * rs;
      }
    }
  });
}

template <class T>
void layer_norm_input_grad(const T* g, const T* x, const T* mean, const T* rstd, const T* gamma, T* dx, int64_t R,
                           int64_t D) {
  parallel_for(R, grain_for(D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* gr = g + r * D;
      const T* xr = x + r * D;
      T* dr = dx + r * D;
      const T mu = mean[r], rs = rstd[r];
      double sh = 0, shx = 0;  // Σh and Σh·x̂
      if (gamma) {
#pragma omp simd reduction(+ : sh, shx)
        for (int64_t j = 0; j < D; ++j) {
          const T h = gr[j] * gamma[j];
          sh += h;
          shx += h * ((xr[j] - mu) * rs);
        }
      } else {
#pragma omp simd reduction(+ : sh, shx)
        for (int64_t j = 0; j < D; ++j) {
          sh += gr[j];
          shx += gr[j] * ((xr[j] - mu) * rs);
        }
      }
      const T mh = static_cast<T>(sh / static_cast<double>(D)), mhx = static_cast<T>(shx / static_cast<double>(D));
      if (gamma) {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) dr[j] = rs * (gr[j] * gamma[j] - mh - (xr[j] - mu) * rs * mhx);
      } else {
#pragma omp simd
        for (int64_t j = 0; j < D; ++j) dr[j] = rs * (gr[j] - mh - (xr[j] - mu) * rs * mhx);
      }
    }
  });
}

template <class T>
void layer_norm_param_grad(const T* g, const T* x, const T* mean, const T* rstd, T* dgamma, T* dbeta, int64_t R,
                           int64_t D) {
  // Threads own column blocks; each walks all rows in order over its block (vectorised along the
  // row), accumulating in double.
  parallel_for(D, grain_for(R), [&](int64_t j0, int64_t j1) {
    const int64_t w = j1 - j0;
    std::vector<double> sg(dgamma ? w : 0, 0.0), sb(dbeta ? w : 0, 0.0);
    double* sgp = sg.data();
    double* sbp = sb.data();
    for (int64_t r = 0; r < R; ++r) {
      const T* gr = g + r * D + j0;
      const T* xr = x + r * D + j0;
      const T mu = mean[r], rs = rstd[r];
      if (dgamma) {
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) sgp[j] += gr[j] * ((xr[j] - mu) * rs);
      }
      if (dbeta) {
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) sbp[j] += gr[j];
      }
    }
    for (int64_t j = 0; j < w; ++j) {
      if (dgamma) dgamma[j0 + j] = static_cast<T>(sg[j]);
      if (dbeta) dbeta[j0 + j] = static_cast<T>(sb[j]);
    }
  });
}

#define NABLA_INSTANTIATE_LAYER_NORM(T)                                                                           \
  template void layer_norm_forward<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, int64_t, double);        \
  template void layer_norm_input_grad<T>(const T*, const T*, const T*, const T*, const T*, T*, int64_t, int64_t); \
  template void layer_norm_param_grad<T>(const T*, const T*, const T*, const T*, T*, T*, int64_t, int64_t);
NABLA_INSTANTIATE_LAYER_NORM(float)
NABLA_INSTANTIATE_LAYER_NORM(double)
#undef NABLA_INSTANTIATE_LAYER_NORM

}  // namespace nabla::cpu
