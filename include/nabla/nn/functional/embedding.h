#pragma once
// Functional embedding lookup (torch.nn.functional.embedding).
#include <optional>

#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// Rows of weight (num_embeddings, embedding_dim) picked by int64 `indices` of any shape; the
/// result has shape indices.shape + [embedding_dim]. The gradient of weight accumulates the output
/// gradient into the picked rows, except the padding_idx row (negative values count from the end),
/// which gets none. An index outside [0, num_embeddings) raises Error naming the value.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx = std::nullopt);

}  // namespace nabla::nn::functional
