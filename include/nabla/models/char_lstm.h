#pragma once
// A char-rnn-style language model: Embedding -> multi-layer LSTM -> Dropout -> Linear to the
// vocabulary. It is a CausalLM (docs/nn-recurrent.md, "A character language model"): forward runs from a zero state, forward_cached
// carries (h, c) between calls for generation, and forward_state takes and returns the state
// explicitly for truncated backpropagation through time (the caller detaches what it carries).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "nabla/models/language_model.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

/// Sizes of a CharLSTM. vocab_size is required; dropout acts between LSTM layers and on the last
/// layer's output (training mode only), as PyTorch's word_language_model example.
struct CharLSTMOptions {
  int64_t vocab_size = -1;
  int64_t embedding_dim = 64;
  int64_t hidden_size = 256;
  int64_t num_layers = 2;
  double dropout = 0.0;

  /// Calls v(key, field, help) for every field set by configs (vocab_size comes from the data).
  template <class V>
  void visit(V&& v) {
    v("embedding_dim", embedding_dim, "char_lstm: embedding size");
    v("hidden_size", hidden_size, "char_lstm: LSTM hidden size");
    v("num_layers", num_layers, "char_lstm: LSTM layers");
    v("dropout", dropout, "dropout between LSTM layers and before the decoder");
  }
};

/// Embedding (V, E) -> LSTM (E, H, layers, batch_first) -> Dropout -> Linear (H, V).
/// Parameters: embedding.weight, lstm.* (PyTorch's names), decoder.weight, decoder.bias.
class CharLSTM : public CausalLM {
 public:
  /// Raises Error naming the option for a non-positive size or dropout outside [0, 1).
  explicit CharLSTM(CharLSTMOptions options);

  /// Logits (B, T, V) for ids (B, T) from a zero state; the cache is left alone.
  Tensor forward(const Tensor& tokens) override;
  /// Logits (B, T, V) for ids (B, T) from `state` ((h, c), each (layers, B, H); zeros when
  /// absent), and the state after the last step, still attached to the graph. Truncated BPTT
  /// carries detach_state(new state) into the next chunk.
  std::pair<Tensor, nn::LSTMState> forward_state(const Tensor& tokens,
                                                 const std::optional<nn::LSTMState>& state = std::nullopt);

  int64_t vocab_size() const override { return options.vocab_size; }
  /// 0: a recurrent model takes sequences of any length.
  int64_t context_length() const override { return 0; }
  /// Forgets the carried state.
  void reset_cache() override { cache_.reset(); }
  /// Logits (B, T, V) continuing from the carried (h, c), which then holds the state after these
  /// tokens (detached). Error when B differs from the carried state's batch size.
  Tensor forward_cached(const Tensor& tokens) override;

  std::string name() const override { return "CharLSTM"; }
  std::string extra_repr() const override;

  CharLSTMOptions options;
  std::shared_ptr<nn::Embedding> embedding;
  std::shared_ptr<nn::LSTM> lstm;
  std::shared_ptr<nn::Dropout> dropout;
  std::shared_ptr<nn::Linear> decoder;

 private:
  void check_tokens(const Tensor& tokens, const char* op) const;
  std::optional<nn::LSTMState> cache_;
};

/// (h.detach(), c.detach()): the state's values without its history, carried between the chunks
/// of truncated BPTT so that each backward stops at its chunk.
nn::LSTMState detach_state(const nn::LSTMState& state);

}  // namespace nabla::models
