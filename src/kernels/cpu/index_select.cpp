#include "kernels/cpu/index_select.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

void index_select_rows(const char* x, char* out, int64_t outer, int64_t n, int64_t inner, size_t elem,
                       const int64_t* index, int64_t k) {
  const int64_t rows = outer * k;
  if (rows == 0 || inner == 0) return;
  const size_t block = inner * elem;
  // Single elements (inner == 1, e.g. picking from a vector) are copied as one typed word; a
  // variable-size memcpy call per element would dominate.
  auto copy_rows = [&]<class Word>(int64_t b, int64_t e) {
    int64_t o = b / k, j = b % k;  // row r = o·k + j, advanced without a division per row
    for (int64_t r = b; r < e; ++r) {
      if constexpr (std::is_void_v<Word>)
        std::memcpy(out + r * block, x + (o * n + index[j]) * block, block);
      else
        std::memcpy(out + r * sizeof(Word), x + (o * n + index[j]) * sizeof(Word), sizeof(Word));
      if (++j == k) {
        j = 0;
        ++o;
      }
    }
  };
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / inner), [&](int64_t b, int64_t e) {
    if (block == 8)
      copy_rows.operator()<uint64_t>(b, e);
    else if (block == 4)
      copy_rows.operator()<uint32_t>(b, e);
    else if (block == 1)
      copy_rows.operator()<uint8_t>(b, e);
    else
      copy_rows.operator()<void>(b, e);
  });
}

template <class T>
void index_add_rows(T* x, const T* src, int64_t outer, int64_t n, int64_t inner, const int64_t* index, int64_t k) {
  if (outer * k * inner == 0) return;
  // Split over (outer, inner block): distinct pairs write disjoint parts of x; j runs in order.
  const int64_t block = std::min<int64_t>(inner, 4096);
  const int64_t blocks = (inner + block - 1) / block;
  parallel_for(outer * blocks, std::max<int64_t>(1, kParallelGrain / (k * block)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / blocks, i0 = (t % blocks) * block, i1 = std::min(inner, i0 + block);
      for (int64_t j = 0; j < k; ++j) {
        T* dst = x + (o * n + index[j]) * inner;
        const T* s = src + (o * k + j) * inner;
        for (int64_t i = i0; i < i1; ++i) dst[i] += s[i];
      }
    }
  });
}

template void index_add_rows<float>(float*, const float*, int64_t, int64_t, int64_t, const int64_t*, int64_t);
template void index_add_rows<double>(double*, const double*, int64_t, int64_t, int64_t, const int64_t*, int64_t);
template void index_add_rows<int64_t>(int64_t*, const int64_t*, int64_t, int64_t, int64_t, const int64_t*, int64_t);
template void index_add_rows<int32_t>(int32_t*, const int32_t*, int64_t, int64_t, int64_t, const int64_t*, int64_t);
template void index_add_rows<uint8_t>(uint8_t*, const uint8_t*, int64_t, int64_t, int64_t, const int64_t*, int64_t);

}  // namespace nabla::cpu
