#pragma once
// Private batching helpers of nabla::data: row gathers and stacks by plain memory copies.
#include <cstdint>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::data::detail {

/// Rows `indices` of a contiguous tensor along dim 0, as a new contiguous tensor.
Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices);

/// Stacks tensors of equal shape and dtype along a new dim 0; `what` names them in errors.
Tensor stack_tensors(const std::vector<Tensor>& tensors, const char* what);

}  // namespace nabla::data::detail
