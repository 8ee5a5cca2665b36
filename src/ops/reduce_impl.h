#pragma once
// Private helpers for reductions: normalising dim lists and laying the input out as a 2-d
// contiguous (kept, reduced) matrix so that kernels see simple rows.
#include <algorithm>
#include <numeric>

#include "nabla/ops.h"

namespace nabla::detail {

/// Sorted, wrapped, de-duplicated reduction dims (empty input list = all dims).
inline IntList reduction_dims(const Tensor& x, const IntList& dims, const char* op) {
  IntList out;
  if (dims.empty()) {
    out.resize(x.dim());
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, x.dim(), op);
    NABLA_CHECK(std::find(out.begin(), out.end(), w) == out.end(), op, ": dim ", d, " appears multiple times in ", dims);
    out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  if (x.dim() == 0) out.clear();
  return out;
}

/// Output shape of a reduction over `dims` (sorted) with or without keepdim.
inline Shape reduced_shape(const Tensor& x, const IntList& dims, bool keepdim) {
  Shape s;
  for (int64_t d = 0; d < x.dim(); ++d) {
    const bool reduced = std::binary_search(dims.begin(), dims.end(), d);
    if (!reduced)
      s.push_back(x.shape()[d]);
    else if (keepdim)
      s.push_back(1);
  }
  return s;
}

/// Number of elements reduced into each output.
inline int64_t reduced_count(const Tensor& x, const IntList& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= x.shape()[d];
  return n;
}

/// x permuted to (kept dims..., reduced dims...) and made contiguous: a (M, R) row-major block.
inline Tensor kept_then_reduced(const Tensor& x, const IntList& dims) {
  IntList perm;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!std::binary_search(dims.begin(), dims.end(), d)) perm.push_back(d);
  perm.insert(perm.end(), dims.begin(), dims.end());
  return x.permute(perm).contiguous();
}

/// True when the reduced dims are exactly the leading dims of a contiguous x: (R, M) layout.
inline bool reduces_leading_dims(const Tensor& x, const IntList& dims) {
  if (!x.is_contiguous() || dims.empty()) return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != static_cast<int64_t>(i)) return false;
  return true;
}

/// Expands a reduced gradient (shape reduced_shape(x, dims, keepdim)) back over x's shape.
inline Tensor expand_reduced_grad(const Tensor& g, const Shape& in_shape, const IntList& dims, bool keepdim) {
  Tensor gk = g;
  if (!keepdim) {
    Shape ks = in_shape;
    for (int64_t d : dims) ks[d] = 1;
    gk = g.reshape(ks);
  }
  return gk.expand(in_shape);
}

}  // namespace nabla::detail
