#include "kernels/cpu/sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// Strict orders with NaN as the largest value.
template <class T>
bool less_nan_last(T a, T b) {
  return is_nan(b) ? !is_nan(a) : a < b;
}
template <class T>
bool greater_nan_first(T a, T b) {
  return is_nan(a) ? !is_nan(b) : a > b;
}

// Runs f(line_values, line_positions, out_line_offset...) per line: copies each strided line of x
// into a contiguous buffer `vals`, hands f a position permutation `pos` to order, then writes the
// first `count` ordered entries to values/indices (stride inner).
template <class T, class Order>
void for_each_line(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, int64_t count,
                   Order order) {
  const int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  parallel_for(lines, std::max<int64_t>(1, kParallelGrain / (n * 8)), [&](int64_t b, int64_t e) {
    std::vector<T> vals(n);
    std::vector<int64_t> pos(n);
    for (int64_t line = b; line < e; ++line) {
      const int64_t o = line / inner, i = line % inner;
      const T* src = x + o * n * inner + i;
      for (int64_t j = 0; j < n; ++j) vals[j] = src[j * inner];
      std::iota(pos.begin(), pos.end(), int64_t{0});
      order(vals, pos);
      T* vo = values + o * count * inner + i;
      int64_t* io = indices + o * count * inner + i;
      for (int64_t j = 0; j < count; ++j) {
        vo[j * inner] = vals[pos[j]];
        io[j * inner] = pos[j];
      }
    }
  });
}

}  // namespace

template <class T>
void sort_lines(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, bool descending) {
  for_each_line(x, values, indices, outer, n, inner, n, [descending](const std::vector<T>& v, std::vector<int64_t>& pos) {
    if (descending)
      std::stable_sort(pos.begin(), pos.end(), [&](int64_t a, int64_t b) { return greater_nan_first(v[a], v[b]); });
    else
      std::stable_sort(pos.begin(), pos.end(), [&](int64_t a, int64_t b) { return less_nan_last(v[a], v[b]); });
  });
}

template <class T>
void topk_lines(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, int64_t k,
                bool largest, bool sorted) {
  if (k == 0) return;
  for_each_line(x, values, indices, outer, n, inner, k, [=](const std::vector<T>& v, std::vector<int64_t>& pos) {
    // A total order (value, then position) makes the selection deterministic.
    auto before = [&](int64_t a, int64_t b) {
      const bool ab = largest ? greater_nan_first(v[a], v[b]) : less_nan_last(v[a], v[b]);
      const bool ba = largest ? greater_nan_first(v[b], v[a]) : less_nan_last(v[b], v[a]);
      return ab || (!ba && a < b);
    };
    if (k < n) std::nth_element(pos.begin(), pos.begin() + (k - 1), pos.end(), before);
    if (sorted)
      std::sort(pos.begin(), pos.begin() + k, before);
    else
      std::sort(pos.begin(), pos.begin() + k);
  });
}

#define NABLA_SORT(T)                                                                                     \
  template void sort_lines<T>(const T*, T*, int64_t*, int64_t, int64_t, int64_t, bool);                   \
  template void topk_lines<T>(const T*, T*, int64_t*, int64_t, int64_t, int64_t, int64_t, bool, bool);
NABLA_SORT(float)
NABLA_SORT(double)
NABLA_SORT(int64_t)
NABLA_SORT(bool)
NABLA_SORT(uint8_t)
NABLA_SORT(int32_t)
#undef NABLA_SORT

}  // namespace nabla::cpu
