#pragma once
// Range check of class labels with tensor ops, shared by the metrics and the batch mixes.
#include <optional>

#include "nabla/ops.h"

namespace nabla::data::detail {

/// The flat index of the first element of the int64 tensor `labels` outside [0, num_classes), or
/// nullopt when all are inside. Tensor ops scan; nothing is read unless a label is bad.
inline std::optional<int64_t> first_label_outside(const Tensor& labels, int64_t num_classes) {
  const Tensor bad = logical_or(lt(labels, 0.0), ge(labels, static_cast<double>(num_classes)));
  if (sum(bad).item() == 0) return std::nullopt;
  return argmax(bad.reshape({-1}).to(DType::Int64)).item<int64_t>();
}

}  // namespace nabla::data::detail
