#pragma once
// Gate blocks of recurrent weights, shared by ONNX export and import (the two sides reorder
// between PyTorch's gate order and ONNX's).
#include <cstdint>
#include <vector>

#include "nabla/ops.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

/// The gate blocks of a (G·H, …) tensor in another order: block j of the result is block
/// blocks[j] of `w`.
inline Tensor reorder_gates(const Tensor& w, const std::vector<int64_t>& blocks) {
  const int64_t H = w.size(0) / static_cast<int64_t>(blocks.size());
  std::vector<Tensor> parts;
  for (int64_t b : blocks) parts.push_back(w.narrow(0, b * H, H));
  return cat(parts, 0);
}

}  // namespace nabla::onnx
