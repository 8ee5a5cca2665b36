#pragma once
// nn::MultiheadAttention (torch.nn.MultiheadAttention): PyTorch's parameter names, shapes and
// masks, so a PyTorch state_dict loads as is.
//   nn::MultiheadAttention attn({.embed_dim = 64, .num_heads = 4, .batch_first = true});
//   auto [out, weights] = attn(x, x, x, {.key_padding_mask = pad});
#include <optional>
#include <utility>

#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

/// Constructor arguments of MultiheadAttention (PyTorch's names and defaults).
struct MultiheadAttentionOptions {
  int64_t embed_dim = 0;
  int64_t num_heads = 1;          ///< must divide embed_dim
  double dropout = 0.0;           ///< on the attention weights, in training mode
  bool bias = true;               ///< in_proj_bias and out_proj.bias
  bool add_bias_kv = false;       ///< learned bias_k, bias_v appended to the keys and values
  bool add_zero_attn = false;     ///< a zero key and value appended
  std::optional<int64_t> kdim = std::nullopt;  ///< key features (default embed_dim)
  std::optional<int64_t> vdim = std::nullopt;  ///< value features (default embed_dim)
  bool batch_first = false;       ///< inputs (N, L, E) instead of (L, N, E)
};

/// Per-call arguments of MultiheadAttention::forward (PyTorch's keyword arguments).
struct MultiheadAttentionArgs {
  /// (N, S) or (S): bool, true = this key is padding and is ignored; or floating, added.
  Tensor key_padding_mask{};
  bool need_weights = true;          ///< also return the attention weights
  /// (L, S) or (N·num_heads, L, S): bool, true = not allowed to attend; or floating, added.
  Tensor attn_mask{};
  bool average_attn_weights = true;  ///< weights averaged over heads (N, L, S), else (N, H, L, S)
  bool is_causal = false;            ///< a causal mask (query i sees keys j ≤ i); excludes attn_mask
};

/// Multi-head attention: out = concat_h(softmax(q_h·k_hᵀ/√d_h + mask)·v_h)·W_oᵀ + b_o with
/// q_h, k_h, v_h the projections of query, key and value for head h (d_h = embed_dim / num_heads).
/// Inputs (L, N, E_q), (S, N, kdim), (S, N, vdim) — (N, ·, ·) with batch_first, or unbatched
/// (L, E_q) — give (output (L, N, E), weights (N, L, S) or (N, H, L, S), undefined unless
/// need_weights). A query whose keys are all masked gets zero weights and a zero attention result.
/// Parameters: in_proj_weight (3E, E) and in_proj_bias (3E) when kdim = vdim = E, else
/// q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim) and in_proj_bias;
/// out_proj (Linear E→E); bias_k, bias_v (1, 1, E) with add_bias_kv. Initialisation as PyTorch:
/// Xavier-uniform projections, zero biases, bias_k/bias_v Xavier-normal. Without a graph, weights,
/// masks (the causal one aside) or appended keys, the heads run in one fused kernel that reads the
/// projections in place (docs/nn-attention.md); the result equals the composite's up to rounding.
class MultiheadAttention : public Module {
 public:
  explicit MultiheadAttention(const MultiheadAttentionOptions& options);
  /// PyTorch's leading positional arguments.
  MultiheadAttention(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttention(MultiheadAttentionOptions{.embed_dim = embed_dim, .num_heads = num_heads}) {}
  /// Redraws the parameters as at construction.
  void reset_parameters();
  /// (attention output, weights); see the class comment for shapes. Raises Error naming the
  /// shapes when the inputs or masks do not fit.
  std::pair<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const MultiheadAttentionArgs& args = {});
  /// forward, then the forward hooks with ({query, key, value}, {output[, weights]}).
  std::pair<Tensor, Tensor> operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                       const MultiheadAttentionArgs& args = {});
  std::string name() const override { return "MultiheadAttention"; }
  /// Whether query, key and value share embed_dim (one packed in_proj_weight).
  bool packed_projection() const { return kdim == embed_dim && vdim == embed_dim; }

  MultiheadAttentionOptions options;
  int64_t embed_dim, num_heads, head_dim, kdim, vdim;
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias, bias_k, bias_v;
  std::shared_ptr<Linear> out_proj;
};

}  // namespace nabla::nn
