#pragma once
// nn::Embedding — a lookup table of learnable vectors.
#include <optional>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Arguments of Embedding by name (torch.nn.Embedding's names and defaults, for the arguments
/// nabla supports): nn::Embedding({.num_embeddings = 1000, .embedding_dim = 64, .padding_idx = 0}).
struct EmbeddingOptions {
  int64_t num_embeddings = 0;          ///< rows of the table, required
  int64_t embedding_dim = 0;           ///< size of each vector, required
  std::optional<int64_t> padding_idx = std::nullopt;  ///< row kept at zero, without gradient
};

/// A table weight (num_embeddings, embedding_dim) initialised N(0, 1), as PyTorch; int64 indices
/// of any shape → indices.shape + [embedding_dim]. The padding_idx row (negative counts from the
/// end) starts at zero and receives no gradient. Out-of-range indices raise Error naming the value.
class Embedding : public UnaryModule {
 public:
  /// PyTorch's positional arguments and defaults.
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt)
      : Embedding(EmbeddingOptions{num_embeddings, embedding_dim, padding_idx}) {}
  /// The arguments by name.
  explicit Embedding(const EmbeddingOptions& options);
  /// An Embedding holding a copy of `weight` (2-d), frozen (requires_grad false) when `freeze`.
  static std::shared_ptr<Embedding> from_pretrained(const Tensor& weight, bool freeze = true,
                                                    std::optional<int64_t> padding_idx = std::nullopt);
  /// Redraws weight from N(0, 1) and zeroes the padding row.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;

  int64_t num_embeddings, embedding_dim;
  std::optional<int64_t> padding_idx;  // normalised to [0, num_embeddings)
  Tensor weight;
};

}  // namespace nabla::nn
