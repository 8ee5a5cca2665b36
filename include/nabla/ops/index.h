#pragma once
// Indexing ops: gather/scatter, index_select, masked_fill, one_hot, topk, sort.
#include <utility>

#include "nabla/tensor.h"

namespace nabla {

/// out[i][j] = x[i][index[i][j]] (for dim=1), index is int64 with x's rank and no larger than x
/// outside dim; out has index's shape. Index values outside [0, x.size(dim)) raise Error.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
/// Copy of x with src written at index along dim (last write wins on duplicates). src has x's
/// dtype and is at least as large as index in every dim (only its leading part is read).
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, double value);
/// Copy of x with src added at index along dim (duplicates accumulate).
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
/// Rows (along dim) picked by a 1-d int64 index.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
/// Copy of x with row j of `source` added at row index[j] along dim (duplicates accumulate);
/// source has x's shape with dim replaced by index.numel().
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source);
/// Copy of x with `value` where mask (bool, broadcast to x) is true.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
/// int64 labels (any shape) → int64 one-hot with a trailing dim of num_classes (-1: max+1).
Tensor one_hot(const Tensor& labels, int64_t num_classes = -1);
/// k largest (or smallest) values along dim and their int64 indices, sorted when `sorted`
/// (otherwise in increasing position). NaN counts as the largest value; ties prefer the lower
/// position. Raises Error when k is not in [0, x.size(dim)].
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                               bool sorted = true);
/// Values sorted along dim and the permutation indices (stable: equal values keep their order;
/// NaN counts as the largest value, as in PyTorch).
std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);

}  // namespace nabla
