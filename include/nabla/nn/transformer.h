#pragma once
// Transformer layers (torch.nn.TransformerEncoderLayer, TransformerDecoderLayer,
// TransformerEncoder, TransformerDecoder, Transformer) with PyTorch's child names, so a PyTorch
// state_dict loads as is, post-norm (the paper's) or pre-norm (norm_first).
//   nn::TransformerEncoder enc({.d_model = 64, .nhead = 4, .dim_feedforward = 128, .batch_first = true}, 2);
//   Tensor y = enc(x, {.key_padding_mask = pad});
#include <string>

#include "nabla/nn/attention.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/norm.h"

namespace nabla::nn {

/// Constructor arguments of the encoder and decoder layers (PyTorch's names and defaults).
struct TransformerLayerOptions {
  int64_t d_model = 512;
  int64_t nhead = 8;
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  ///< "relu" or "gelu"
  double layer_norm_eps = 1e-5;
  bool batch_first = false;         ///< (N, L, E) instead of (L, N, E)
  bool norm_first = false;          ///< pre-norm: x + f(norm(x)) instead of norm(x + f(x))
};

/// Masks of an encoder (layer) call; see MultiheadAttentionArgs for their conventions.
struct TransformerEncoderMasks {
  Tensor mask{};              ///< (L, L) or (N·nhead, L, L) attention mask
  Tensor key_padding_mask{};  ///< (N, L): true = padding
  bool is_causal = false;     ///< a causal mask; excludes `mask`
};

/// Masks of a decoder (layer) call.
struct TransformerDecoderMasks {
  Tensor tgt_mask{};                 ///< (T, T) or (N·nhead, T, T) self-attention mask
  Tensor memory_mask{};              ///< (T, S) or (N·nhead, T, S) cross-attention mask
  Tensor tgt_key_padding_mask{};     ///< (N, T)
  Tensor memory_key_padding_mask{};  ///< (N, S)
  bool tgt_is_causal = false;        ///< a causal self-attention mask; excludes tgt_mask
};

/// Self-attention and a feed-forward block, each with dropout, a residual and LayerNorm:
/// post-norm x = norm1(x + sa(x)); x = norm2(x + ff(x)), pre-norm x = x + sa(norm1(x));
/// x = x + ff(norm2(x)), with ff(x) = linear2(dropout(activation(linear1(x)))). Children:
/// self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2. Unary (masks optional),
/// so it can sit in a Sequential.
class TransformerEncoderLayer : public UnaryModule {
 public:
  explicit TransformerEncoderLayer(const TransformerLayerOptions& options);
  /// PyTorch's leading positional arguments.
  TransformerEncoderLayer(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayer(TransformerLayerOptions{.d_model = d_model, .nhead = nhead}) {}
  Tensor forward(const Tensor& src) override { return forward(src, {}); }
  /// src (L, N, E) — (N, L, E) with batch_first, or unbatched (L, E) — to the same shape.
  Tensor forward(const Tensor& src, const TransformerEncoderMasks& masks);
  using UnaryModule::operator();
  /// forward with masks, then the forward hooks with ({src}, {output}).
  Tensor operator()(const Tensor& src, const TransformerEncoderMasks& masks);
  std::string name() const override { return "TransformerEncoderLayer"; }

  TransformerLayerOptions options;
  std::shared_ptr<MultiheadAttention> self_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2;
  std::shared_ptr<LayerNorm> norm1, norm2;
};

/// Self-attention over the target, cross-attention to the encoder's memory, and a feed-forward
/// block, each with dropout, a residual and LayerNorm (post- or pre-norm as the encoder layer).
/// Children: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1,
/// dropout2, dropout3.
class TransformerDecoderLayer : public Module {
 public:
  explicit TransformerDecoderLayer(const TransformerLayerOptions& options);
  /// PyTorch's leading positional arguments.
  TransformerDecoderLayer(int64_t d_model, int64_t nhead)
      : TransformerDecoderLayer(TransformerLayerOptions{.d_model = d_model, .nhead = nhead}) {}
  /// tgt (T, N, E) and memory (S, N, E) (batch-first or unbatched alike) to tgt's shape.
  Tensor forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks = {});
  /// forward, then the forward hooks with ({tgt, memory}, {output}).
  Tensor operator()(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks = {});
  std::string name() const override { return "TransformerDecoderLayer"; }

  TransformerLayerOptions options;
  std::shared_ptr<MultiheadAttention> self_attn, multihead_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2, dropout3;
  std::shared_ptr<LayerNorm> norm1, norm2, norm3;
};

/// num_layers encoder layers built from the same options ("layers.0", …), then an optional final
/// LayerNorm ("norm"; PyTorch's nn.Transformer adds one, usual with norm_first).
class TransformerEncoder : public UnaryModule {
 public:
  TransformerEncoder(const TransformerLayerOptions& layer, int64_t num_layers, bool final_norm = false);
  Tensor forward(const Tensor& src) override { return forward(src, {}); }
  /// The layers in turn, each with the same masks, then the norm.
  Tensor forward(const Tensor& src, const TransformerEncoderMasks& masks);
  using UnaryModule::operator();
  /// forward with masks, then the forward hooks with ({src}, {output}).
  Tensor operator()(const Tensor& src, const TransformerEncoderMasks& masks);
  std::string name() const override { return "TransformerEncoder"; }

  std::shared_ptr<ModuleList> layers;
  std::shared_ptr<LayerNorm> norm;  ///< null without final_norm
};

/// num_layers decoder layers ("layers.0", …) and an optional final LayerNorm ("norm").
class TransformerDecoder : public Module {
 public:
  TransformerDecoder(const TransformerLayerOptions& layer, int64_t num_layers, bool final_norm = false);
  /// The layers in turn over the same memory and masks, then the norm.
  Tensor forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks = {});
  /// forward, then the forward hooks with ({tgt, memory}, {output}).
  Tensor operator()(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks = {});
  std::string name() const override { return "TransformerDecoder"; }

  std::shared_ptr<ModuleList> layers;
  std::shared_ptr<LayerNorm> norm;  ///< null without final_norm
};

/// Constructor arguments of Transformer (PyTorch's names and defaults).
struct TransformerOptions {
  int64_t d_model = 512;
  int64_t nhead = 8;
  int64_t num_encoder_layers = 6;
  int64_t num_decoder_layers = 6;
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;
};

/// Masks of a Transformer call.
struct TransformerMasks {
  Tensor src_mask{}, tgt_mask{}, memory_mask{};
  Tensor src_key_padding_mask{}, tgt_key_padding_mask{}, memory_key_padding_mask{};
  bool tgt_is_causal = false;  ///< a causal target mask; excludes tgt_mask
};

/// The encoder–decoder Transformer: encoder (with its final norm) over src, decoder (with its
/// final norm) over tgt and the encoder's output. Children "encoder", "decoder"; every parameter
/// with more than one dim starts Xavier-uniform, as PyTorch's _reset_parameters.
class Transformer : public Module {
 public:
  explicit Transformer(const TransformerOptions& options = {});
  /// src (S, N, E), tgt (T, N, E) (or batch-first, or unbatched) → (T, N, E).
  Tensor forward(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks = {});
  /// forward, then the forward hooks with ({src, tgt}, {output}).
  Tensor operator()(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks = {});
  std::string name() const override { return "Transformer"; }
  /// torch.nn.Transformer.generate_square_subsequent_mask: (size, size), −inf above the diagonal.
  static Tensor generate_square_subsequent_mask(int64_t size, DType dtype = DType::Float32);

  TransformerOptions options;
  std::shared_ptr<TransformerEncoder> encoder;
  std::shared_ptr<TransformerDecoder> decoder;
};

}  // namespace nabla::nn
