// Transformer layers as PyTorch 1.13+ computes them (the slow path of nn.TransformerEncoderLayer
// and nn.TransformerDecoderLayer; the fused inference path gives the same numbers):
//   post-norm: x = norm1(x + sa(x));        pre-norm: x = x + sa(norm1(x))
//              x = norm2(x + ff(x))                   x = x + ff(norm2(x))
// (the decoder adds the cross-attention block between the two, with norm2, and uses norm3 for ff).
#include "nabla/autograd.h"
#include "nabla/nn/transformer.h"

#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/attention.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::nn {
namespace {

void check_options(const TransformerLayerOptions& o, const char* who) {
  NABLA_CHECK(o.activation == "relu" || o.activation == "gelu", who, ": activation must be \"relu\" or \"gelu\", got \"",
              o.activation, "\"");
  NABLA_CHECK(o.d_model > 0 && o.nhead > 0 && o.d_model % o.nhead == 0, who,
              ": d_model must be positive and divisible by nhead, got d_model=", o.d_model, ", nhead=", o.nhead);
  NABLA_CHECK(o.dim_feedforward > 0, who, ": dim_feedforward must be positive, got ", o.dim_feedforward);
}

MultiheadAttentionOptions attention_options(const TransformerLayerOptions& o) {
  return {.embed_dim = o.d_model, .num_heads = o.nhead, .dropout = o.dropout, .batch_first = o.batch_first};
}

std::shared_ptr<LayerNorm> layer_norm(const TransformerLayerOptions& o) {
  return std::make_shared<LayerNorm>(LayerNormOptions{.normalized_shape = {o.d_model}, .eps = o.layer_norm_eps});
}

Tensor activate(const std::string& activation, const Tensor& x) {
  return activation == "gelu" ? functional::gelu(x) : relu(x);
}

// The feed-forward block: linear2(dropout(activation(linear1(x)))).
Tensor feed_forward(const TransformerLayerOptions& o, Linear& linear1, Dropout& dropout, Linear& linear2,
                    const Tensor& x) {
  return linear2(dropout(activate(o.activation, linear1(x))));
}

}  // namespace

// ---- encoder layer ---------------------------------------------------------------------------------

TransformerEncoderLayer::TransformerEncoderLayer(const TransformerLayerOptions& o) : options(o) {
  check_options(o, "TransformerEncoderLayer");
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(attention_options(o)));
  linear1 = register_module("linear1", std::make_shared<Linear>(o.d_model, o.dim_feedforward));
  dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(o.dim_feedforward, o.d_model));
  norm1 = register_module("norm1", layer_norm(o));
  norm2 = register_module("norm2", layer_norm(o));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const TransformerEncoderMasks& masks) {
  auto sa = [&](const Tensor& x) {
    MultiheadAttentionArgs args{.key_padding_mask = masks.key_padding_mask, .need_weights = false,
                                .attn_mask = masks.mask, .is_causal = masks.is_causal};
    return (*dropout1)((*self_attn)(x, x, x, args).first);
  };
  auto ff = [&](const Tensor& x) { return (*dropout2)(feed_forward(options, *linear1, *dropout, *linear2, x)); };
  Tensor x = src;
  if (options.norm_first) {
    x = add(x, sa((*norm1)(x)));
    return add(x, ff((*norm2)(x)));
  }
  x = (*norm1)(add(x, sa(x)));
  return (*norm2)(add(x, ff(x)));
}

Tensor TransformerEncoderLayer::operator()(const Tensor& src, const TransformerEncoderMasks& masks) {
  Tensor out = forward(src, masks);
  if (has_forward_hooks()) run_forward_hooks({src}, {out});
  return out;
}

// ---- decoder layer ---------------------------------------------------------------------------------

TransformerDecoderLayer::TransformerDecoderLayer(const TransformerLayerOptions& o) : options(o) {
  check_options(o, "TransformerDecoderLayer");
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(attention_options(o)));
  multihead_attn = register_module("multihead_attn", std::make_shared<MultiheadAttention>(attention_options(o)));
  linear1 = register_module("linear1", std::make_shared<Linear>(o.d_model, o.dim_feedforward));
  dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(o.dim_feedforward, o.d_model));
  norm1 = register_module("norm1", layer_norm(o));
  norm2 = register_module("norm2", layer_norm(o));
  norm3 = register_module("norm3", layer_norm(o));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout));
  dropout3 = register_module("dropout3", std::make_shared<Dropout>(o.dropout));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks) {
  NABLA_CHECK(memory.defined(), "TransformerDecoderLayer: memory must be defined");
  auto sa = [&](const Tensor& x) {
    MultiheadAttentionArgs args{.key_padding_mask = masks.tgt_key_padding_mask, .need_weights = false,
                                .attn_mask = masks.tgt_mask, .is_causal = masks.tgt_is_causal};
    return (*dropout1)((*self_attn)(x, x, x, args).first);
  };
  auto ca = [&](const Tensor& x) {
    MultiheadAttentionArgs args{.key_padding_mask = masks.memory_key_padding_mask, .need_weights = false,
                                .attn_mask = masks.memory_mask};
    return (*dropout2)((*multihead_attn)(x, memory, memory, args).first);
  };
  auto ff = [&](const Tensor& x) { return (*dropout3)(feed_forward(options, *linear1, *dropout, *linear2, x)); };
  Tensor x = tgt;
  if (options.norm_first) {
    x = add(x, sa((*norm1)(x)));
    x = add(x, ca((*norm2)(x)));
    return add(x, ff((*norm3)(x)));
  }
  x = (*norm1)(add(x, sa(x)));
  x = (*norm2)(add(x, ca(x)));
  return (*norm3)(add(x, ff(x)));
}

Tensor TransformerDecoderLayer::operator()(const Tensor& tgt, const Tensor& memory,
                                           const TransformerDecoderMasks& masks) {
  Tensor out = forward(tgt, memory, masks);
  if (has_forward_hooks()) run_forward_hooks({tgt, memory}, {out});
  return out;
}

// ---- stacks ----------------------------------------------------------------------------------------

TransformerEncoder::TransformerEncoder(const TransformerLayerOptions& layer, int64_t num_layers, bool final_norm) {
  NABLA_CHECK(num_layers >= 0, "TransformerEncoder: num_layers must be non-negative, got ", num_layers);
  layers = register_module("layers", std::make_shared<ModuleList>());
  for (int64_t i = 0; i < num_layers; ++i) layers->push_back(std::make_shared<TransformerEncoderLayer>(layer));
  if (final_norm) norm = register_module("norm", layer_norm(layer));
}

Tensor TransformerEncoder::forward(const Tensor& src, const TransformerEncoderMasks& masks) {
  Tensor x = src;
  for (const auto& m : *layers) x = (*std::static_pointer_cast<TransformerEncoderLayer>(m))(x, masks);
  return norm ? (*norm)(x) : x;
}

Tensor TransformerEncoder::operator()(const Tensor& src, const TransformerEncoderMasks& masks) {
  Tensor out = forward(src, masks);
  if (has_forward_hooks()) run_forward_hooks({src}, {out});
  return out;
}

TransformerDecoder::TransformerDecoder(const TransformerLayerOptions& layer, int64_t num_layers, bool final_norm) {
  NABLA_CHECK(num_layers >= 0, "TransformerDecoder: num_layers must be non-negative, got ", num_layers);
  layers = register_module("layers", std::make_shared<ModuleList>());
  for (int64_t i = 0; i < num_layers; ++i) layers->push_back(std::make_shared<TransformerDecoderLayer>(layer));
  if (final_norm) norm = register_module("norm", layer_norm(layer));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks) {
  Tensor x = tgt;
  for (const auto& m : *layers) x = (*std::static_pointer_cast<TransformerDecoderLayer>(m))(x, memory, masks);
  return norm ? (*norm)(x) : x;
}

Tensor TransformerDecoder::operator()(const Tensor& tgt, const Tensor& memory, const TransformerDecoderMasks& masks) {
  Tensor out = forward(tgt, memory, masks);
  if (has_forward_hooks()) run_forward_hooks({tgt, memory}, {out});
  return out;
}

// ---- Transformer -----------------------------------------------------------------------------------

Transformer::Transformer(const TransformerOptions& o) : options(o) {
  const TransformerLayerOptions layer{.d_model = o.d_model, .nhead = o.nhead, .dim_feedforward = o.dim_feedforward,
                                      .dropout = o.dropout, .activation = o.activation,
                                      .layer_norm_eps = o.layer_norm_eps, .batch_first = o.batch_first,
                                      .norm_first = o.norm_first};
  encoder = register_module("encoder", std::make_shared<TransformerEncoder>(layer, o.num_encoder_layers, true));
  decoder = register_module("decoder", std::make_shared<TransformerDecoder>(layer, o.num_decoder_layers, true));
  NoGradGuard guard;
  for (auto& [name, p] : named_parameters())
    if (p.dim() > 1) init::xavier_uniform_(p);
}

Tensor Transformer::forward(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks) {
  NABLA_CHECK(src.defined() && tgt.defined() && src.dim() == tgt.dim(), "Transformer: src and tgt must both be ",
              "3-d (batched) or 2-d (unbatched), got src ", src.defined() ? shape_str(src.shape()) : "undefined",
              " and tgt ", tgt.defined() ? shape_str(tgt.shape()) : "undefined");
  const int64_t batch_dim = options.batch_first ? 0 : 1;
  NABLA_CHECK(src.dim() != 3 || src.size(batch_dim) == tgt.size(batch_dim),
              "Transformer: the batch number of src and tgt must be equal, got src ", src.shape(), " and tgt ",
              tgt.shape(), options.batch_first ? " (batch_first)" : "");
  NABLA_CHECK(src.size(-1) == options.d_model && tgt.size(-1) == options.d_model,
              "Transformer: the feature number of src and tgt must be equal to d_model=", options.d_model, ", got src ",
              src.shape(), " and tgt ", tgt.shape());
  Tensor memory = (*encoder)(src, {.mask = masks.src_mask, .key_padding_mask = masks.src_key_padding_mask});
  return (*decoder)(tgt, memory,
                    {.tgt_mask = masks.tgt_mask, .memory_mask = masks.memory_mask,
                     .tgt_key_padding_mask = masks.tgt_key_padding_mask,
                     .memory_key_padding_mask = masks.memory_key_padding_mask, .tgt_is_causal = masks.tgt_is_causal});
}

Tensor Transformer::operator()(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks) {
  Tensor out = forward(src, tgt, masks);
  if (has_forward_hooks()) run_forward_hooks({src, tgt}, {out});
  return out;
}

Tensor Transformer::generate_square_subsequent_mask(int64_t size, DType dtype) {
  return functional::generate_square_subsequent_mask(size, dtype);
}

}  // namespace nabla::nn
