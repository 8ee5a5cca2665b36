// Exporter of models::Bert, the zoo's BERT encoder: tokens and segments (N, T) int64 → hidden
// states (N, T, d_model), the batch and the sequence length both dynamic; and of its two heads,
// Bert::mlm_logits and Bert::cls_logits (the roots BertForMaskedLM and
// BertForSequenceClassification). It mirrors Bert::forward and the heads
// (src/models/bert.cpp), TransformerEncoderLayer::forward (src/nn/transformer.cpp) and
// MultiheadAttention::forward (src/nn/attention.cpp) with a key-padding mask; keep them in step.
#include <limits>

#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/models/bert.h"
#include "nabla/nn/transformer.h"

namespace nabla::onnx {

namespace {

// LayerNorm `m` at `path` (its affine weight and bias, as the layer exporter writes it).
std::string layer_norm(GraphBuilder& g, nn::LayerNorm& m, const std::string& path, const std::string& x) {
  return *export_layer(g, m, path, x);
}

// One encoder layer: post-norm x = norm1(x + sa(x)); x = norm2(x + ff(x)), or pre-norm
// x = x + sa(norm1(x)); x = x + ff(norm2(x)); ff = linear2(act(linear1(·))). Dropouts: identities.
std::string encoder_layer(GraphBuilder& g, nn::TransformerEncoderLayer& l, const std::string& path,
                          const std::string& x, const std::string& mask) {
  const nn::TransformerLayerOptions& o = l.options;
  const std::string norm1 = child_path(path, "norm1"), norm2 = child_path(path, "norm2");
  auto sa = [&](const std::string& h) {
    return export_self_attention(g, *l.self_attn, child_path(path, "self_attn"), h, mask);
  };
  auto ff = [&](const std::string& h) {
    std::string y = export_matmul_linear(g, *l.linear1, child_path(path, "linear1"), h);
    y = o.activation == "gelu" ? export_gelu_nodes(g, "none", child_path(path, "activation"), y)
                               : g.node("Relu", {y}, path);
    return export_matmul_linear(g, *l.linear2, child_path(path, "linear2"), y);
  };
  NABLA_CHECK(o.activation == "gelu" || o.activation == "relu", "onnx export: ", path, " (TransformerEncoderLayer)",
              " has no ONNX form for activation '", o.activation, "'");
  if (o.norm_first) {
    const std::string a = g.node("Add", {x, sa(layer_norm(g, *l.norm1, norm1, x))}, path);
    return g.node("Add", {a, ff(layer_norm(g, *l.norm2, norm2, a))}, path);
  }
  const std::string a = layer_norm(g, *l.norm1, norm1, g.node("Add", {x, sa(x)}, path));
  return layer_norm(g, *l.norm2, norm2, g.node("Add", {a, ff(a)}, path));
}

}  // namespace

std::string export_bert(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& tokens,
                        const std::string& segments) {
  auto at = [&path](const std::string& name) { return child_path(path, name); };
  // T as a 1-d value (1) from the tokens' shape (N, T).
  const std::string shape = g.node("Shape", {tokens}, path);
  const std::string length1 = g.node("Slice", {shape, g.ints(path + "/dim1", {1}), g.ints(path + "/dim2", {2})}, path);
  // tok[tokens] + pos[0..T) + seg[segments] (N, T, d).
  const std::string tok = g.node("Gather", {g.param(at("token_embed"), "weight", m.token_embed->weight), tokens},
                                 at("token_embed"), {{"axis", int64_t{0}}});
  const std::string pos = g.node("Slice",
                                 {g.param(at("position_embed"), "weight", m.position_embed->weight),
                                  g.ints(at("position_embed") + "/start", {0}), length1,
                                  g.ints(at("position_embed") + "/axis0", {0})},
                                 at("position_embed"));
  const std::string seg = g.node("Gather", {g.param(at("segment_embed"), "weight", m.segment_embed->weight), segments},
                                 at("segment_embed"), {{"axis", int64_t{0}}});
  std::string h = g.node("Add", {g.node("Add", {tok, pos}, path), seg}, path);
  h = layer_norm(g, *m.embed_norm, at("embed_norm"), h);  // embed_dropout: the identity in eval mode
  // The key-padding mask (N, 1, 1, T): −∞ where tokens == pad_id, 0 elsewhere.
  const std::string key_mask = at("key_padding_mask");
  const std::string pad = g.node(
      "Equal",
      {tokens, g.initializer(key_mask + "/pad_id", scalar_tensor(static_cast<double>(m.options.pad_id), DType::Int64))},
      key_mask);
  std::string mask = g.node("Where",
                            {pad, g.floats(key_mask + "/minus_inf", {-std::numeric_limits<float>::infinity()}, {}),
                             g.floats(key_mask + "/zero", {0.0f}, {})},
                            key_mask);
  mask = g.node("Unsqueeze", {mask, g.ints(key_mask + "/axes", {1, 2})}, key_mask);
  const std::string layers = at("encoder.layers");
  for (size_t i = 0; i < m.encoder->layers->size(); ++i) {
    auto* layer = dynamic_cast<nn::TransformerEncoderLayer*>((*m.encoder->layers)[i].get());
    NABLA_CHECK(layer, "onnx export: ", layers, ".", i, " is not a TransformerEncoderLayer");
    h = encoder_layer(g, *layer, child_path(layers, std::to_string(i)), h, mask);
  }
  if (m.encoder->norm) h = layer_norm(g, *m.encoder->norm, at("encoder.norm"), h);
  return h;
}

std::string export_bert_mlm_head(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& hidden) {
  // LayerNorm(GELU(mlm_transform(h))) · token_embedᵀ + mlm_bias; the output layer reads the
  // token embedding's initializer (tied weights, written once).
  std::string h = export_matmul_linear(g, *m.mlm_transform, child_path(path, "mlm_transform"), hidden);
  h = export_gelu_nodes(g, "none", child_path(path, "mlm_transform"), h);
  h = layer_norm(g, *m.mlm_norm, child_path(path, "mlm_norm"), h);
  const std::string embed = child_path(path, "token_embed");
  const std::string wt = g.node("Transpose", {g.param(embed, "weight", m.token_embed->weight)}, path,
                                {{"perm", std::vector<int64_t>{1, 0}}});
  return g.node("Add", {g.node("MatMul", {h, wt}, path), g.param(path, "mlm_bias", m.mlm_bias)}, path);
}

std::string export_bert_cls_head(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& hidden) {
  // classifier(tanh(pooler(h[:, 0]))): Gather of position 0 on axis 1 (a 0-d index) → (N, d_model).
  const std::string first =
      g.node("Gather", {hidden, g.initializer(path + "/cls_position", scalar_tensor(0.0, DType::Int64))},
             path, {{"axis", int64_t{1}}});
  const std::string pooled =
      g.node("Tanh", {export_matmul_linear(g, *m.pooler, child_path(path, "pooler"), first)}, path);
  return export_matmul_linear(g, *m.classifier, child_path(path, "classifier"), pooled);
}

}  // namespace nabla::onnx
