#pragma once
// Window tables for the "full windows" fast path of max and average pooling (no padding, every
// window inside the input, see PoolGeometry::all_windows_full).
//
// The output of a chunk of L consecutive planes is one contiguous run of L·out_plane elements,
// and output t of the run reads the input at start[t] + tap[j] for the window taps j (both
// relative to the chunk's first input element). A kernel then loops over taps (outer, in
// PyTorch's row-major order, which fixes tie-breaking and summation order) and over the whole run
// (inner): a long, branch-free loop that the compiler vectorises with gathers, whatever the
// output row length (LeNet's 5-wide rows would leave a per-row loop scalar).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {

struct FullWindowTable {
  int64_t chunk_planes = 1;       // L
  std::vector<int32_t> start;     // L·out_plane window starts, relative to the chunk's input
  std::vector<int32_t> position;  // the same starts within their own plane (for indices)
  std::vector<int32_t> tap;       // offsets of the window's taps from its start, row-major
};

/// Builds the table for `g` (which must satisfy all_windows_full()) with chunks of about
/// `target_outputs` outputs.
inline FullWindowTable full_window_table(const PoolGeometry& g, int64_t target_outputs = 1024) {
  FullWindowTable t;
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  t.chunk_planes = std::max<int64_t>(1, std::min(g.planes, target_outputs / std::max<int64_t>(out_plane, 1)));
  const int64_t H = g.in[1], W = g.in[2];
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw)
        t.tap.push_back(static_cast<int32_t>(((kd * g.dilation[0]) * H + kh * g.dilation[1]) * W + kw * g.dilation[2]));
  t.start.reserve(t.chunk_planes * out_plane);
  for (int64_t p = 0; p < t.chunk_planes; ++p)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t pos = ((od * g.stride[0]) * H + oh * g.stride[1]) * W + ow * g.stride[2];
          t.start.push_back(static_cast<int32_t>(p * in_plane + pos));
          t.position.push_back(static_cast<int32_t>(pos));
        }
  return t;
}

/// True when chunk offsets fit the table's 32-bit entries.
inline bool full_window_table_fits(const PoolGeometry& g, int64_t target_outputs = 1024) {
  const int64_t chunk = std::max<int64_t>(1, target_outputs / std::max<int64_t>(g.out_plane(), 1));
  return (chunk + 1) * g.in_plane() < (int64_t{1} << 31);
}

/// Touches `n` elements from x line by line before a run gathers from them: a sequential sweep the
/// hardware prefetcher streams from memory, where the gathers alone would wait on each line.
template <class T>
inline void prefetch_run(const T* x, int64_t n) {
  constexpr int64_t kLine = 64 / sizeof(T);
  for (int64_t i = 0; i < n; i += kLine) __builtin_prefetch(x + i);
}

}  // namespace nabla::cpu
