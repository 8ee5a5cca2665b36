#pragma once
// A many-to-one sequence classifier: embedding, a recurrent layer (LSTM or GRU, optionally
// bidirectional), a pooling of its outputs over time and a linear layer to class logits.
// See docs/sequence-models.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

/// Sizes and choices of SequenceClassifier. vocab_size and num_classes are required.
struct SequenceClassifierOptions {
  int64_t vocab_size = 0;
  int64_t num_classes = 0;
  int64_t embed_dim = 32;
  int64_t hidden_size = 64;
  int64_t num_layers = 1;
  std::string cell = "lstm";     ///< "lstm" or "gru"
  std::string pooling = "last";  ///< "last" (final state of every direction) or "mean" (over valid steps)
  bool bidirectional = false;
  int64_t pad_id = 0;  ///< padding id (embedding row kept at zero)
};

/// Logits (B, num_classes) for ids (B, T). "last" pooling reads the top layer's final state of
/// each direction (at each row's own length), "mean" averages the top layer's outputs over the
/// valid steps; either way padding past a row's length changes nothing. Children: embed, rnn
/// ("LSTM" or "GRU"), head.
class SequenceClassifier : public nn::Module {
 public:
  /// Raises Error naming the option for non-positive sizes or an unknown cell or pooling.
  explicit SequenceClassifier(const SequenceClassifierOptions& options);
  std::string name() const override { return "SequenceClassifier"; }
  /// Logits (B, num_classes) for ids tokens (B, T) int64 with per-row lengths (empty: all T).
  Tensor forward(const Tensor& tokens, const std::vector<int64_t>& lengths = {});

  SequenceClassifierOptions options;
  std::shared_ptr<nn::Embedding> embed;
  std::shared_ptr<nn::RNNBase> rnn;
  std::shared_ptr<nn::Linear> head;
};

}  // namespace nabla::models
