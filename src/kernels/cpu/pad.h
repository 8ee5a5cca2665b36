#pragma once
// Padding kernels over a per-dim index map. Every pad mode (constant, reflect, replicate,
// circular) is one map per dim: for each output position along that dim, the source position
// along the same dim, or −1 for "outside, use the fill value". So
//   out[o_0, …, o_{r−1}] = x[map_0[o_0], …, map_{r−1}[o_{r−1}]]   (fill when any map entry is −1)
// and one forward plus one backward (its adjoint) serve all modes.
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// Per-dim source maps of a pad: maps[d] has out_shape[d] entries in [−1, in_shape[d]).
using PadMaps = std::vector<std::vector<int64_t>>;

/// x is contiguous (in_shape), out is contiguous (out_shape), both of rank r ≥ 1 and
/// maps.size() == r. Writes out[o] = x[map(o)], or `fill` where a map entry is −1.
template <class T>
void pad_forward(const T* x, const std::vector<int64_t>& in_shape, T* out, const std::vector<int64_t>& out_shape,
                 const PadMaps& maps, T fill);

/// Adjoint of pad_forward: gx[map(o)] += g[o] for every o whose map has no −1 entry.
/// g is contiguous (out_shape); gx is contiguous (in_shape) and must be zeroed by the caller.
/// Deterministic: each gx element sums its contributions in row-major order of o.
template <class T>
void pad_backward(const T* g, const std::vector<int64_t>& out_shape, T* gx, const std::vector<int64_t>& in_shape,
                  const PadMaps& maps);

}  // namespace nabla::cpu
