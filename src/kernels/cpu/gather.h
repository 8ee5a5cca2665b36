#pragma once
// gather / scatter / scatter_add kernels. All three walk the positions p of an int64 `index`
// tensor of shape `shape` (rank r ≥ 1) and address "self" at p with p[dim] replaced by index[p]:
//   gather:      out[p] = self[p | dim ← index[p]]
//   scatter:     self[p | dim ← index[p]] = src[p]        (last write in row-major order of p wins)
//   scatter_add: self[p | dim ← index[p]] += src[p]       (accumulated in row-major order of p)
// Strides are in elements and may be arbitrary (non-contiguous operands need no copy). Index
// values must already be validated to lie in [0, self's size along dim).
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// out (shape, out_strides) = self gathered along dim by index (shape, index_strides).
template <class T>
void gather(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index, const std::vector<int64_t>& index_strides,
            const T* self, const std::vector<int64_t>& self_strides, T* out, const std::vector<int64_t>& out_strides);

/// self[p | dim ← index[p]] = src[p] for every p of shape.
template <class T>
void scatter(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index, const std::vector<int64_t>& index_strides,
             T* self, const std::vector<int64_t>& self_strides, const T* src, const std::vector<int64_t>& src_strides);

/// self[p | dim ← index[p]] = value for every p of shape.
template <class T>
void scatter_fill(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index,
                  const std::vector<int64_t>& index_strides, T* self, const std::vector<int64_t>& self_strides, T value);

/// self[p | dim ← index[p]] += src[p] for every p of shape.
template <class T>
void scatter_add(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index,
                 const std::vector<int64_t>& index_strides, T* self, const std::vector<int64_t>& self_strides,
                 const T* src, const std::vector<int64_t>& src_strides);

}  // namespace nabla::cpu
