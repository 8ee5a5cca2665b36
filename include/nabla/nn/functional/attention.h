#pragma once
// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention) and the masks it
// uses. Shapes: query (…, L, E), key (…, S, E), value (…, S, Ev) → output (…, L, Ev); the leading
// dims broadcast (batch, heads). Masks broadcast to (…, L, S).
#include <optional>
#include <utility>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// Keyword arguments of scaled_dot_product_attention (PyTorch's names and defaults).
struct AttentionOptions {
  /// Broadcastable to (…, L, S). Bool: true where the query may attend to the key (PyTorch's SDPA
  /// convention). Floating: added to the scores (0 to keep, −inf to mask).
  Tensor attn_mask{};
  double dropout_p = 0.0;       ///< dropout on the attention weights (applied whenever > 0)
  bool is_causal = false;       ///< query i attends to keys j ≤ i (top-left aligned); excludes attn_mask
  std::optional<double> scale = std::nullopt;  ///< default 1/√E
  Generator* generator = nullptr;  ///< dropout masks (default generator when null)
};

/// softmax(q·kᵀ·scale + mask)·v with dropout on the weights. A query row whose keys are all masked
/// gets zero weights (and a zero output) rather than NaN, as PyTorch 2.5+ does. Differentiable in
/// query, key, value and a floating mask. Raises Error naming the shapes when E, S or the mask do
/// not fit, or when is_causal is given together with attn_mask.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const AttentionOptions& options = {});

/// scaled_dot_product_attention that also returns the weights (…, L, S) (after dropout, as
/// nn.MultiheadAttention returns them).
std::pair<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& query, const Tensor& key,
                                                                    const Tensor& value,
                                                                    const AttentionOptions& options = {});

/// The causal mask of L queries over S keys as a bool (L, S) tensor: true where j ≤ i.
Tensor causal_mask(int64_t L, int64_t S);

/// torch.nn.Transformer.generate_square_subsequent_mask: a floating (size, size) mask with −inf
/// above the diagonal and 0 on and below it (float32 unless `dtype` is given).
Tensor generate_square_subsequent_mask(int64_t size, DType dtype = DType::Float32);

/// softmax over the last dim of scores that may hold −inf, with rows that are −inf everywhere
/// giving zeros instead of NaN (and no NaN in the gradient).
Tensor masked_softmax(const Tensor& scores);

}  // namespace nabla::nn::functional
