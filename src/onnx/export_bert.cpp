// Exporter of models::Bert, the zoo's BERT encoder: tokens and segments (N, T) int64 → hidden
// states (N, T, d_model), the batch and the sequence length both dynamic; and of its two heads,
// Bert::mlm_logits and Bert::cls_logits (the roots BertForMaskedLM and
// BertForSequenceClassification). It mirrors Bert::forward and the heads
// (src/models/bert.cpp); the encoder is written by export_transformer_encoder
// (export_transformer.cpp) with the key-padding mask; keep them in step.
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
  return export_transformer_encoder(g, *m.encoder, at("encoder"), h, mask);  // the layers, then its norm
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
