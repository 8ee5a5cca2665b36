// Exporters of the generic Transformer modules: nn::TransformerEncoderLayer, nn::TransformerEncoder
// and nn::MultiheadAttention as self-attention (query = key = value), on batched inputs (N, L, E)
// with batch_first, else (L, N, E). models::Bert (export_bert.cpp) writes its encoder through the
// same functions with its key-padding mask. They mirror TransformerEncoderLayer::forward and
// TransformerEncoder::forward (src/nn/transformer.cpp) and MultiheadAttention::forward
// (src/nn/attention.cpp); keep them in step. The graph is the unary forward: masks given at call
// time (mask, key_padding_mask, is_causal) cannot be graph inputs here and are not exported.
#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/transformer.h"

namespace nabla::onnx {

namespace {

// LayerNorm `m` at `path` (its affine weight and bias, as the layer exporter writes it).
std::string layer_norm(GraphBuilder& g, nn::LayerNorm& m, const std::string& path, const std::string& x) {
  return *export_layer(g, m, path, x);
}

// The recorded input of `m` at `path` must be batched (rank 3): the graph's batch and sequence
// dims are symbolic, and an unbatched (L, E) call has no batch to make symbolic.
void check_batched(GraphBuilder& g, const nn::Module& m, const std::string& path) {
  const Shape& in = g.shapes(m, path).input;
  NABLA_CHECK(in.size() == 3, "onnx export: ", path.empty() ? std::string("the model") : path, " (", m.name(),
              ") has no ONNX form for input ", shape_str(in),
              ": only batched inputs ((N, L, E) with batch_first, else (L, N, E)) are exported");
}

}  // namespace

std::string export_encoder_layer(GraphBuilder& g, nn::TransformerEncoderLayer& l, const std::string& path,
                                 const std::string& x, const std::string& mask) {
  // Post-norm x = norm1(x + sa(x)); x = norm2(x + ff(x)), or pre-norm x = x + sa(norm1(x));
  // x = x + ff(norm2(x)); ff = linear2(act(linear1(·))). Dropouts: identities in eval mode. Only
  // the attention depends on the layout (export_self_attention transposes when not batch_first).
  const nn::TransformerLayerOptions& o = l.options;
  NABLA_CHECK(o.activation == "gelu" || o.activation == "relu", "onnx export: ",
              path.empty() ? std::string("the model") : path, " (TransformerEncoderLayer) has no ONNX form for activation '",
              o.activation, "'");
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
  if (o.norm_first) {
    const std::string a = g.node("Add", {x, sa(layer_norm(g, *l.norm1, norm1, x))}, path);
    return g.node("Add", {a, ff(layer_norm(g, *l.norm2, norm2, a))}, path);
  }
  const std::string a = layer_norm(g, *l.norm1, norm1, g.node("Add", {x, sa(x)}, path));
  return layer_norm(g, *l.norm2, norm2, g.node("Add", {a, ff(a)}, path));
}

std::string export_transformer_encoder(GraphBuilder& g, nn::TransformerEncoder& m, const std::string& path,
                                       const std::string& x, const std::string& mask) {
  const std::string layers = child_path(path, "layers");
  std::string h = x;
  for (size_t i = 0; i < m.layers->size(); ++i) {
    auto* layer = dynamic_cast<nn::TransformerEncoderLayer*>((*m.layers)[i].get());
    NABLA_CHECK(layer, "onnx export: ", layers, ".", i, " is not a TransformerEncoderLayer");
    h = export_encoder_layer(g, *layer, child_path(layers, std::to_string(i)), h, mask);
  }
  if (m.norm) h = layer_norm(g, *m.norm, child_path(path, "norm"), h);
  return h;
}

std::optional<std::string> export_transformer(GraphBuilder& g, nn::Module& module, const std::string& path,
                                              const std::string& x) {
  if (auto* m = dynamic_cast<nn::TransformerEncoderLayer*>(&module)) {
    check_batched(g, *m, path);
    return export_encoder_layer(g, *m, path, x);
  }
  if (auto* m = dynamic_cast<nn::TransformerEncoder*>(&module)) {
    check_batched(g, *m, path);
    return export_transformer_encoder(g, *m, path, x);
  }
  if (auto* m = dynamic_cast<nn::MultiheadAttention*>(&module)) {
    check_batched(g, *m, path);
    return export_self_attention(g, *m, path, x);
  }
  return std::nullopt;
}

}  // namespace nabla::onnx
