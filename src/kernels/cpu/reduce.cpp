#include "kernels/cpu/reduce.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

// Rows longer than this are cut into blocks of this many elements; block sums are added in
// block order. Blocks of one row can then run on different threads (a full sum is one row), and
// because the block size is fixed, the result does not depend on the thread count.
constexpr int64_t kSumBlock = 16384;

template <class T>
T sum_contiguous(const T* x, int64_t n) {
  T acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int64_t r = 0; r < n; ++r) acc += x[r];
  return acc;
}

template <class T>
void sum_rows(const T* x, T* out, int64_t M, int64_t R) {
  if (R <= kSumBlock) {
    parallel_for(M, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
      for (int64_t m = b; m < e; ++m) out[m] = sum_contiguous(x + m * R, R);
    });
    return;
  }
  // Work item i = (row i / nb, block i % nb) writes partial[i].
  const int64_t nb = (R + kSumBlock - 1) / kSumBlock;
  std::vector<T> partial(static_cast<size_t>(M * nb));
  parallel_for(M * nb, std::max<int64_t>(1, kParallelGrain / kSumBlock), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t m = i / nb, k = i % nb;
      const int64_t begin = k * kSumBlock, len = std::min(kSumBlock, R - begin);
      partial[i] = sum_contiguous(x + m * R + begin, len);
    }
  });
  for (int64_t m = 0; m < M; ++m) {
    T acc = 0;
    for (int64_t k = 0; k < nb; ++k) acc += partial[m * nb + k];
    out[m] = acc;
  }
}

template <class T>
void sum_cols(const T* x, T* out, int64_t R, int64_t M) {
  // Split the columns across threads; each thread streams all rows of its column block.
  parallel_for(M, std::max<int64_t>(16, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
    T* o = out + b;
    const int64_t w = e - b;
    std::memset(static_cast<void*>(o), 0, w * sizeof(T));
    for (int64_t r = 0; r < R; ++r) {
      const T* row = x + r * M + b;
#pragma omp simd
      for (int64_t m = 0; m < w; ++m) o[m] += row[m];
    }
  });
}

template void sum_rows<float>(const float*, float*, int64_t, int64_t);
template void sum_rows<double>(const double*, double*, int64_t, int64_t);
template void sum_rows<int64_t>(const int64_t*, int64_t*, int64_t, int64_t);
template void sum_rows<int32_t>(const int32_t*, int32_t*, int64_t, int64_t);
template void sum_rows<uint8_t>(const uint8_t*, uint8_t*, int64_t, int64_t);
template void sum_cols<float>(const float*, float*, int64_t, int64_t);
template void sum_cols<double>(const double*, double*, int64_t, int64_t);
template void sum_cols<int64_t>(const int64_t*, int64_t*, int64_t, int64_t);
template void sum_cols<int32_t>(const int32_t*, int32_t*, int64_t, int64_t);
template void sum_cols<uint8_t>(const uint8_t*, uint8_t*, int64_t, int64_t);

// v·0 is 0 for a finite v and NaN for a NaN or an infinity, so the sum of the products is 0 exactly
// when every value is finite (one vectorised pass, no branch per element).
template <class T>
bool all_finite(const T* x, int64_t n) {
  T acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < n; ++i) acc += x[i] * T(0);
  return acc == T(0);
}

template bool all_finite<float>(const float*, int64_t);
template bool all_finite<double>(const double*, int64_t);

}  // namespace nabla::cpu
