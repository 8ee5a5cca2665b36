#include "kernels/cpu/gather.h"

#include <algorithm>

#include "kernels/cpu/loops.h"
#include "nabla/half.h"

namespace nabla::cpu {
namespace {

// One operand's offsets, split around `dim`: outer[o] for the row-major multi-index o over
// dims [0, dim), inner[i] for i over dims (dim, r), and the stride along dim.
struct SplitOffsets {
  std::vector<int64_t> outer, inner;
  int64_t along = 0;
};

std::vector<int64_t> offsets_over(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, size_t from,
                                  size_t to) {
  std::vector<int64_t> offs{0};
  for (size_t d = from; d < to; ++d) {
    std::vector<int64_t> next;
    next.reserve(offs.size() * shape[d]);
    for (int64_t base : offs)
      for (int64_t i = 0; i < shape[d]; ++i) next.push_back(base + i * strides[d]);
    offs = std::move(next);
  }
  return offs;
}

SplitOffsets split_offsets(const std::vector<int64_t>& shape, int64_t dim, const std::vector<int64_t>& strides) {
  return {offsets_over(shape, strides, 0, dim), offsets_over(shape, strides, dim + 1, shape.size()), strides[dim]};
}

// Calls body(index_offset, self_offset_without_dim, other_offset) for every position of shape.
// Work is split over (outer, inner block) pairs: different pairs touch disjoint elements of
// self, and within a pair positions go in increasing index along dim, so scatter stays
// deterministic (last write / summation order fixed) whatever the thread count.
template <class Body>
void visit(const std::vector<int64_t>& shape, int64_t dim, const std::vector<int64_t>& index_strides,
           const std::vector<int64_t>& self_strides, const std::vector<int64_t>& other_strides, Body body) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  if (numel == 0) return;
  const SplitOffsets I = split_offsets(shape, dim, index_strides), S = split_offsets(shape, dim, self_strides),
                     O = split_offsets(shape, dim, other_strides);
  const int64_t outer = static_cast<int64_t>(I.outer.size()), inner = static_cast<int64_t>(I.inner.size());
  const int64_t n = shape[dim];
  if (inner == 1) {  // dim is the last non-trivial dim: walk along it with plain strides
    parallel_for(outer, std::max<int64_t>(1, kParallelGrain / n), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const int64_t io = I.outer[o] + I.inner[0], so = S.outer[o] + S.inner[0], oo = O.outer[o] + O.inner[0];
        for (int64_t j = 0; j < n; ++j) body(io + j * I.along, so, oo + j * O.along);
      }
    });
    return;
  }
  const int64_t block = std::min<int64_t>(inner, 2048);
  const int64_t blocks = (inner + block - 1) / block;
  parallel_for(outer * blocks, std::max<int64_t>(1, kParallelGrain / (n * block)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / blocks, i0 = (t % blocks) * block, i1 = std::min(inner, i0 + block);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t i = i0; i < i1; ++i)
          body(I.outer[o] + j * I.along + I.inner[i], S.outer[o] + S.inner[i], O.outer[o] + j * O.along + O.inner[i]);
    }
  });
}

}  // namespace

template <class T>
void gather(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index, const std::vector<int64_t>& index_strides,
            const T* self, const std::vector<int64_t>& self_strides, T* out, const std::vector<int64_t>& out_strides) {
  const int64_t along = self_strides[dim];
  visit(shape, dim, index_strides, self_strides, out_strides,
        [&](int64_t io, int64_t so, int64_t oo) { out[oo] = self[so + index[io] * along]; });
}

template <class T>
void scatter(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index, const std::vector<int64_t>& index_strides,
             T* self, const std::vector<int64_t>& self_strides, const T* src, const std::vector<int64_t>& src_strides) {
  const int64_t along = self_strides[dim];
  visit(shape, dim, index_strides, self_strides, src_strides,
        [&](int64_t io, int64_t so, int64_t oo) { self[so + index[io] * along] = src[oo]; });
}

template <class T>
void scatter_fill(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index,
                  const std::vector<int64_t>& index_strides, T* self, const std::vector<int64_t>& self_strides, T value) {
  const int64_t along = self_strides[dim];
  visit(shape, dim, index_strides, self_strides, index_strides,
        [&](int64_t io, int64_t so, int64_t) { self[so + index[io] * along] = value; });
}

template <class T>
void scatter_add(const std::vector<int64_t>& shape, int64_t dim, const int64_t* index,
                 const std::vector<int64_t>& index_strides, T* self, const std::vector<int64_t>& self_strides,
                 const T* src, const std::vector<int64_t>& src_strides) {
  const int64_t along = self_strides[dim];
  visit(shape, dim, index_strides, self_strides, src_strides,
        [&](int64_t io, int64_t so, int64_t oo) { self[so + index[io] * along] += src[oo]; });
}

using Strides = std::vector<int64_t>;
#define NABLA_GATHER_SCATTER(T)                                                                                   \
  template void gather<T>(const Strides&, int64_t, const int64_t*, const Strides&, const T*, const Strides&, T*,  \
                          const Strides&);                                                                        \
  template void scatter<T>(const Strides&, int64_t, const int64_t*, const Strides&, T*, const Strides&, const T*, \
                           const Strides&);                                                                       \
  template void scatter_fill<T>(const Strides&, int64_t, const int64_t*, const Strides&, T*, const Strides&, T);
NABLA_GATHER_SCATTER(float)
NABLA_GATHER_SCATTER(double)
NABLA_GATHER_SCATTER(int64_t)
NABLA_GATHER_SCATTER(bool)
NABLA_GATHER_SCATTER(uint8_t)
NABLA_GATHER_SCATTER(int32_t)
NABLA_GATHER_SCATTER(bfloat16)
NABLA_GATHER_SCATTER(float16)
#undef NABLA_GATHER_SCATTER
template void scatter_add<float>(const Strides&, int64_t, const int64_t*, const Strides&, float*, const Strides&,
                                 const float*, const Strides&);
template void scatter_add<double>(const Strides&, int64_t, const int64_t*, const Strides&, double*, const Strides&,
                                  const double*, const Strides&);
template void scatter_add<int64_t>(const Strides&, int64_t, const int64_t*, const Strides&, int64_t*, const Strides&,
                                   const int64_t*, const Strides&);
template void scatter_add<int32_t>(const Strides&, int64_t, const int64_t*, const Strides&, int32_t*, const Strides&,
                                   const int32_t*, const Strides&);
template void scatter_add<uint8_t>(const Strides&, int64_t, const int64_t*, const Strides&, uint8_t*, const Strides&,
                                   const uint8_t*, const Strides&);

}  // namespace nabla::cpu
