#include "kernels/cpu/sqrt.h"

#include <cmath>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// Why intrinsics: with errno semantics (GCC's default, we do not build with -fno-math-errno)
// every std::sqrt carries a scalar branch that calls libm to set errno for negative inputs, so
// a plain loop neither vectorises nor pipelines (measured ~20x slower than the vector form).
// The vector sqrt instructions give the same IEEE, correctly rounded values; only the errno
// side effect is dropped. 256-bit AVX when the build targets it (memory bandwidth, not the sqrt
// unit, limits wider vectors), else SSE2; other targets fall back to the scalar loop.
void sqrt_range(const float* x, float* y, int64_t n, bool reciprocal) {
  int64_t i = 0;
#if defined(__AVX__)
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    const __m256 s = _mm256_sqrt_ps(_mm256_loadu_ps(x + i));
    _mm256_storeu_ps(y + i, reciprocal ? _mm256_div_ps(one, s) : s);
  }
#elif defined(__SSE2__)
  const __m128 one = _mm_set1_ps(1.0f);
  for (; i + 4 <= n; i += 4) {
    const __m128 s = _mm_sqrt_ps(_mm_loadu_ps(x + i));
    _mm_storeu_ps(y + i, reciprocal ? _mm_div_ps(one, s) : s);
  }
#endif
  for (; i < n; ++i) y[i] = reciprocal ? 1.0f / std::sqrt(x[i]) : std::sqrt(x[i]);
}

void sqrt_range(const double* x, double* y, int64_t n, bool reciprocal) {
  int64_t i = 0;
#if defined(__AVX__)
  const __m256d one = _mm256_set1_pd(1.0);
  for (; i + 4 <= n; i += 4) {
    const __m256d s = _mm256_sqrt_pd(_mm256_loadu_pd(x + i));
    _mm256_storeu_pd(y + i, reciprocal ? _mm256_div_pd(one, s) : s);
  }
#elif defined(__SSE2__)
  const __m128d one = _mm_set1_pd(1.0);
  for (; i + 2 <= n; i += 2) {
    const __m128d s = _mm_sqrt_pd(_mm_loadu_pd(x + i));
    _mm_storeu_pd(y + i, reciprocal ? _mm_div_pd(one, s) : s);
  }
#endif
  for (; i < n; ++i) y[i] = reciprocal ? 1.0 / std::sqrt(x[i]) : std::sqrt(x[i]);
}

}  // namespace

template <class T>
void sqrt_contiguous(const T* x, T* y, int64_t n, bool reciprocal) {
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) { sqrt_range(x + b, y + b, e - b, reciprocal); });
}

template void sqrt_contiguous<float>(const float*, float*, int64_t, bool);
template void sqrt_contiguous<double>(const double*, double*, int64_t, bool);

}  // namespace nabla::cpu
