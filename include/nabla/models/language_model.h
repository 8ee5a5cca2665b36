#pragma once
// The interface every causal language model of the zoo implements (GPT, the character LSTM), and
// generation on top of it. Training sees a plain unary module: tokens (B, T) -> logits (B, T, V).
// Generation feeds tokens step by step through a cache of what the model has already seen: the
// keys and values of every attention layer for a Transformer, the carried (h, c) for a recurrent
// model. forward_cached over a sequence split into any pieces gives the logits of forward on the
// whole sequence (tested for every model).
#include <cstdint>

#include "nabla/nn/functional/sampling.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// A causal (next-token) language model over a vocabulary of vocab_size() ids.
class CausalLM : public nn::UnaryModule {
 public:
  /// Logits (B, T, V) float for token ids (B, T) int64; ignores and leaves the cache alone.
  Tensor forward(const Tensor& tokens) override = 0;
  /// The vocabulary size V.
  virtual int64_t vocab_size() const = 0;
  /// The longest sequence forward accepts; 0 for no limit (recurrent models).
  virtual int64_t context_length() const = 0;
  /// Empties the generation cache; the next forward_cached starts a new sequence.
  virtual void reset_cache() = 0;
  /// Logits (B, T, V) for ids (B, T) that continue the sequence held in the cache, which then
  /// holds them too. The batch size must stay the same until reset_cache. Error when the cache
  /// would grow past context_length().
  virtual Tensor forward_cached(const Tensor& tokens) = 0;
};

/// How generate continues a prompt.
struct GenerateOptions {
  int64_t max_new_tokens = 100;
  /// Temperature, top-k, top-p and the random stream (nn::functional::sample_next_token).
  nn::functional::SamplingOptions sampling{};
  /// Feed one token per step through the cache (true) or rerun forward on the whole window
  /// (false; slower, the reference the cache is tested against).
  bool use_cache = true;
};

/// Continues `prompt`, ids (T) or (B, T) int64 with T ≥ 1, by max_new_tokens sampled tokens and
/// returns prompt + new ids in the prompt's rank. When the sequence outgrows context_length(),
/// the window keeps the last context_length() tokens (the cache is rebuilt from that window).
/// Runs without recording gradients and resets the model's cache before and after. Error for an
/// empty prompt or an id outside [0, vocab_size()).
Tensor generate(CausalLM& model, const Tensor& prompt, const GenerateOptions& options = {});

}  // namespace nabla::models
