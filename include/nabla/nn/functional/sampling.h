#pragma once
// Drawing the next token from a language model's logits: greedy, temperature, top-k and top-p
// (nucleus) sampling, with Hugging Face's rules (docs/text.md, "Sampling").
#include <cstdint>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// How sample_next_token filters and draws.
struct SamplingOptions {
  /// Logits are divided by this; 0 means greedy (argmax; top_k and top_p are then unused).
  double temperature = 1.0;
  /// Keep only tokens whose logit is at least the k-th largest (ties at the k-th are kept);
  /// 0 keeps all.
  int64_t top_k = 0;
  /// Keep the smallest set of most probable tokens whose probability reaches top_p (at least one
  /// token), as transformers' TopPLogitsWarper; 1 keeps all.
  double top_p = 1.0;
  /// The random stream; null: the default generator.
  Generator* generator = nullptr;
};

/// One token id per row of `logits`, (V) or (N, V), floating point: a 0-d int64 for (V), (N)
/// int64 for (N, V). Applies temperature, then top-k, then top-p (Hugging Face's order), then
/// draws from softmax of what is left. The same generator state gives the same ids. Not
/// differentiable. Error for temperature < 0, top_k < 0, top_p outside (0, 1], or logits of
/// another rank or dtype.
Tensor sample_next_token(const Tensor& logits, const SamplingOptions& options = {});

}  // namespace nabla::nn::functional
