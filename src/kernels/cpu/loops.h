#pragma once
// Strided N-operand loops: the iteration machinery under every elementwise kernel.
// A loop visits a shape in row-major order; each operand has its own byte strides (0 for a
// broadcast dim). Adjacent dims that are contiguous for every operand are merged, so the
// common cases reduce to one long row, which the row kernel can vectorise.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// Below this many elements a loop runs on one thread (thread start-up costs more than it saves).
constexpr int64_t kParallelGrain = 32768;

/// Geometry of an N-operand loop after merging dims: sizes[d], strides[op][d] in bytes.
template <size_t N>
struct LoopGeometry {
  std::vector<int64_t> sizes;
  std::array<std::vector<int64_t>, N> strides;
};

/// Merges dims that are contiguous for all operands; drops size-1 dims.
template <size_t N>
LoopGeometry<N> coalesce(const std::vector<int64_t>& shape, const std::array<std::vector<int64_t>, N>& byte_strides) {
  LoopGeometry<N> g;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!g.sizes.empty()) {
      bool mergeable = true;
      for (size_t op = 0; op < N; ++op)
        if (g.strides[op].back() != byte_strides[op][d] * shape[d]) mergeable = false;
      if (mergeable) {
        g.sizes.back() *= shape[d];
        for (size_t op = 0; op < N; ++op) g.strides[op].back() = byte_strides[op][d];
        continue;
      }
    }
    g.sizes.push_back(shape[d]);
    for (size_t op = 0; op < N; ++op) g.strides[op].push_back(byte_strides[op][d]);
  }
  if (g.sizes.empty()) {  // 0-d or all-ones: one element
    g.sizes.push_back(1);
    for (size_t op = 0; op < N; ++op) g.strides[op].push_back(0);
  }
  return g;
}

/// True when every operand walks `shape` as one row (dense, or fully broadcast with stride 0),
/// i.e. coalesce() would merge all dims; then `row_strides[op]` gets each operand's byte stride
/// along that row. Allocation-free: this common case skips building a LoopGeometry, whose
/// vectors cost more than the arithmetic of an op on a tiny tensor.
template <size_t N>
bool is_single_row(const std::vector<int64_t>& shape, const std::array<std::vector<int64_t>, N>& byte_strides,
                   std::array<int64_t, N>& row_strides) {
  for (size_t op = 0; op < N; ++op) {
    bool inner_seen = false;
    int64_t expected = 0;  // stride the next outer non-1 dim must have to merge
    row_strides[op] = 0;
    for (size_t d = shape.size(); d-- > 0;) {
      if (shape[d] == 1) continue;
      if (!inner_seen) {
        inner_seen = true;
        row_strides[op] = byte_strides[op][d];
      } else if (byte_strides[op][d] != expected) {
        return false;
      }
      expected = byte_strides[op][d] * shape[d];
    }
  }
  return true;
}

/// Calls row(ptrs, inner_strides, n) for every innermost row of `shape`, where ptrs[op] points at
/// the row's first element of operand op and inner_strides[op] is its byte stride along the row.
/// Rows are distributed over OpenMP threads when the loop is large. `base` holds each operand's
/// start address; `byte_strides[op]` its strides in bytes (same rank as shape).
template <size_t N, class Row>
void for_each_row(const std::vector<int64_t>& shape, std::array<char*, N> base,
                  const std::array<std::vector<int64_t>, N>& byte_strides, Row&& row) {
  int64_t total = 1;
  for (auto s : shape) total *= s;
  if (total == 0) return;
  const bool serial = total < kParallelGrain || omp_in_parallel() || omp_get_max_threads() == 1;

  // One long row (the whole loop when it coalesces to one dim): split it into contiguous pieces.
  auto run_single_row = [&](int64_t inner, const std::array<int64_t, N>& inner_strides) {
    if (serial) {
      row(base, inner_strides, inner);
      return;
    }
#pragma omp parallel
    {
      const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
      const int64_t chunk = (inner + nt - 1) / nt;
      const int64_t b = std::min(inner, t * chunk), e = std::min(inner, b + chunk);
      if (b < e) {
        std::array<char*, N> ptrs;
        for (size_t op = 0; op < N; ++op) ptrs[op] = base[op] + b * inner_strides[op];
        row(ptrs, inner_strides, e - b);
      }
    }
  };
  {
    std::array<int64_t, N> row_strides;
    if (is_single_row<N>(shape, byte_strides, row_strides)) {
      run_single_row(total, row_strides);
      return;
    }
  }

  LoopGeometry<N> g = coalesce<N>(shape, byte_strides);
  const int64_t nd = static_cast<int64_t>(g.sizes.size());
  const int64_t inner = g.sizes.back();
  const int64_t rows = total / inner;
  std::array<int64_t, N> inner_strides;
  for (size_t op = 0; op < N; ++op) inner_strides[op] = g.strides[op].back();

  auto run_rows = [&](int64_t begin, int64_t end) {
    // Multi-index of row `begin` over the outer dims.
    std::vector<int64_t> idx(nd > 1 ? nd - 1 : 0, 0);
    int64_t r = begin;
    for (int64_t d = nd - 2; d >= 0; --d) {
      idx[d] = r % g.sizes[d];
      r /= g.sizes[d];
    }
    std::array<char*, N> ptrs;
    for (size_t op = 0; op < N; ++op) {
      char* p = base[op];
      for (int64_t d = 0; d < nd - 1; ++d) p += idx[d] * g.strides[op][d];
      ptrs[op] = p;
    }
    for (int64_t rr = begin; rr < end; ++rr) {
      row(ptrs, inner_strides, inner);
      // advance the odometer
      for (int64_t d = nd - 2; d >= 0; --d) {
        ++idx[d];
        for (size_t op = 0; op < N; ++op) ptrs[op] += g.strides[op][d];
        if (idx[d] < g.sizes[d]) break;
        for (size_t op = 0; op < N; ++op) ptrs[op] -= g.strides[op][d] * g.sizes[d];
        idx[d] = 0;
      }
    }
  };

  if (serial) {
    run_rows(0, rows);
    return;
  }
  if (rows == 1) {
    run_single_row(inner, inner_strides);
    return;
  }
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t chunk = (rows + nt - 1) / nt;
    const int64_t b = std::min(rows, t * chunk), e = std::min(rows, b + chunk);
    if (b < e) run_rows(b, e);
  }
}

/// Runs f(begin, end) over [0, n) split across threads when n·cost_per_item is large.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= grain || omp_in_parallel() || omp_get_max_threads() == 1) {
    if (n > 0) f(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t chunk = (n + nt - 1) / nt;
    const int64_t b = std::min(n, t * chunk), e = std::min(n, b + chunk);
    if (b < e) f(b, e);
  }
}

}  // namespace nabla::cpu
