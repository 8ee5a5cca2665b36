#include "kernels/cpu/reduce.h"

#include <cstring>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

template <class T>
void sum_rows(const T* x, T* out, int64_t M, int64_t R) {
  parallel_for(M, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
    for (int64_t m = b; m < e; ++m) {
      const T* row = x + m * R;
      T acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t r = 0; r < R; ++r) acc += row[r];
      out[m] = acc;
    }
  });
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
template void sum_cols<float>(const float*, float*, int64_t, int64_t);
template void sum_cols<double>(const double*, double*, int64_t, int64_t);
template void sum_cols<int64_t>(const int64_t*, int64_t*, int64_t, int64_t);

}  // namespace nabla::cpu
