#include "kernels/cpu/pad.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/loops.h"
#include "nabla/half.h"

namespace nabla::cpu {
namespace {

// A run of the last dim's map: out positions [out_begin, out_begin+length) read source positions
// src, src+1, … (or are fill when src == −1). Runs turn the inner loop into memcpy/fill.
struct Run {
  int64_t out_begin, length, src;
};

std::vector<Run> runs_of(const std::vector<int64_t>& map) {
  std::vector<Run> runs;
  for (int64_t j = 0; j < static_cast<int64_t>(map.size()); ++j) {
    if (!runs.empty()) {
      Run& r = runs.back();
      const bool extends = r.src < 0 ? map[j] < 0 : map[j] == r.src + r.length;
      if (extends) {
        ++r.length;
        continue;
      }
    }
    runs.push_back({j, 1, map[j] < 0 ? -1 : map[j]});
  }
  return runs;
}

// Visits output rows [begin, end) (a row = all dims but the last), calling
// row(out_row_offset, src_row_offset) with src_row_offset −1 when the row lies in the fill region.
template <class Row>
void visit_rows(const std::vector<int64_t>& in_shape, const std::vector<int64_t>& out_shape, const PadMaps& maps,
                int64_t begin, int64_t end, Row&& row) {
  const int64_t r = static_cast<int64_t>(out_shape.size());
  const int64_t last = out_shape[r - 1];
  std::vector<int64_t> in_stride(r, 1);
  for (int64_t d = r - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * in_shape[d + 1];
  // Multi-index of row `begin` over dims 0..r−2.
  std::vector<int64_t> idx(r > 1 ? r - 1 : 0, 0);
  for (int64_t d = r - 2, rem = begin; d >= 0; --d) {
    idx[d] = rem % out_shape[d];
    rem /= out_shape[d];
  }
  for (int64_t row_i = begin; row_i < end; ++row_i) {
    int64_t src = 0;
    for (int64_t d = 0; d < r - 1; ++d) {
      const int64_t m = maps[d][idx[d]];
      if (m < 0) {
        src = -1;
        break;
      }
      src += m * in_stride[d];
    }
    row(row_i * last, src);
    for (int64_t d = r - 2; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

int64_t product(const std::vector<int64_t>& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t d = from; d < to; ++d) p *= s[d];
  return p;
}

}  // namespace

template <class T>
void pad_forward(const T* x, const std::vector<int64_t>& in_shape, T* out, const std::vector<int64_t>& out_shape,
                 const PadMaps& maps, T fill) {
  const size_t r = out_shape.size();
  const int64_t last = out_shape[r - 1];
  const int64_t rows = product(out_shape, 0, r - 1);
  if (rows * last == 0) return;
  const std::vector<Run> runs = runs_of(maps[r - 1]);
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / last), [&](int64_t b, int64_t e) {
    visit_rows(in_shape, out_shape, maps, b, e, [&](int64_t out_off, int64_t src_off) {
      T* o = out + out_off;
      if (src_off < 0) {
        std::fill(o, o + last, fill);
        return;
      }
      const T* s = x + src_off;
      for (const Run& run : runs) {
        if (run.src < 0)
          std::fill(o + run.out_begin, o + run.out_begin + run.length, fill);
        else
          std::memcpy(o + run.out_begin, s + run.src, run.length * sizeof(T));
      }
    });
  });
}

template <class T>
void pad_backward(const T* g, const std::vector<int64_t>& out_shape, T* gx, const std::vector<int64_t>& in_shape,
                  const PadMaps& maps) {
  const size_t r = out_shape.size();
  const int64_t last = out_shape[r - 1];
  const int64_t rows = product(out_shape, 0, r - 1);
  if (rows * last == 0) return;
  const std::vector<Run> runs = runs_of(maps[r - 1]);
  // Leading dims with an identity map split the work into independent groups (they write
  // disjoint parts of gx), which may run in parallel; inside a group rows go in order.
  size_t lead = 0;
  while (lead + 1 < r && in_shape[lead] == out_shape[lead]) {
    bool identity = true;
    for (int64_t i = 0; i < out_shape[lead]; ++i) identity = identity && maps[lead][i] == i;
    if (!identity) break;
    ++lead;
  }
  const int64_t groups = product(out_shape, 0, lead);
  const int64_t rows_per_group = rows / groups;
  parallel_for(groups, std::max<int64_t>(1, kParallelGrain / (rows_per_group * last)), [&](int64_t b, int64_t e) {
    visit_rows(in_shape, out_shape, maps, b * rows_per_group, e * rows_per_group, [&](int64_t out_off, int64_t src_off) {
      if (src_off < 0) return;
      const T* go = g + out_off;
      T* s = gx + src_off;
      for (const Run& run : runs) {
        if (run.src < 0) continue;
        for (int64_t t = 0; t < run.length; ++t) s[run.src + t] += go[run.out_begin + t];
      }
    });
  });
}

#define NABLA_PAD_FORWARD(T)                                                                                \
  template void pad_forward<T>(const T*, const std::vector<int64_t>&, T*, const std::vector<int64_t>&,      \
                               const PadMaps&, T);
NABLA_PAD_FORWARD(float)
NABLA_PAD_FORWARD(double)
NABLA_PAD_FORWARD(int64_t)
NABLA_PAD_FORWARD(bool)
NABLA_PAD_FORWARD(uint8_t)
NABLA_PAD_FORWARD(int32_t)
NABLA_PAD_FORWARD(bfloat16)
NABLA_PAD_FORWARD(float16)
#undef NABLA_PAD_FORWARD
template void pad_backward<float>(const float*, const std::vector<int64_t>&, float*, const std::vector<int64_t>&,
                                  const PadMaps&);
template void pad_backward<double>(const double*, const std::vector<int64_t>&, double*, const std::vector<int64_t>&,
                                   const PadMaps&);

}  // namespace nabla::cpu
