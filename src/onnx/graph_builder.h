#pragma once
// GraphBuilder: the ONNX graph being written by export_model. Exporters (export_layers.cpp for
// nn layers, export_zoo.cpp for the zoo's blocks and models) turn one module, applied to the value
// named `x`, into nodes and return the name of the module's output value.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nabla/models/bert.h"
#include "nabla/models/seq2seq.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"
#include "nabla/nn/transformer.h"
#include "nabla/onnx/protobuf.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

/// One node attribute: int, float, string, ints or floats.
struct Attr {
  std::string name;
  std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>> value;
};

/// Input and output shapes of a module's first call, recorded while running the example input.
struct CallShapes {
  Shape input, output;
};

class GraphBuilder {
 public:
  /// A graph for `opset`, with the shapes recorded for each module.
  GraphBuilder(int64_t opset, std::map<const nn::Module*, CallShapes> shapes);

  /// Adds a node `op` on `inputs` with one output, named from `hint`; returns the output's name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                   const std::vector<Attr>& attrs = {});
  /// As node(), with `outputs` outputs.
  std::vector<std::string> node_n(const std::string& op, const std::vector<std::string>& inputs, size_t outputs,
                                  const std::string& hint, const std::vector<Attr>& attrs = {});
  /// Adds `t` (float32 or int64, any layout) as the initializer `name` once; returns `name`.
  std::string initializer(const std::string& name, const Tensor& t);
  /// A 1-d int64 constant initializer (shapes, axes, pads); returns its name.
  std::string ints(const std::string& hint, const std::vector<int64_t>& values);
  /// A float32 constant initializer of shape `dims`; returns its name.
  std::string floats(const std::string& hint, const std::vector<float>& values, const Shape& dims);
  /// The initializer for parameter/buffer `t` of the module at `path` called `name` (state_dict key).
  std::string param(const std::string& path, const std::string& name, const Tensor& t);

  /// Exports `module` (at dotted `path`, "" for the root) applied to `x`; returns the output name.
  /// Raises Error "PATH (Class) has no ONNX form" when no exporter knows the module.
  std::string run(nn::Module& module, const std::string& path, const std::string& x);
  /// Exports child `child` of the module at `path` (path of the child is path.child).
  std::string run_child(nn::Module& child, const std::string& path, const std::string& name, const std::string& x);
  /// Shapes of `module`'s first call; raises Error naming `path` when it was not called.
  const CallShapes& shapes(const nn::Module& module, const std::string& path) const;

  /// Renames the value `from` (the output of the last node, or any value) to `to` in the graph.
  void name_output(const std::string& from, const std::string& to);
  /// Appends field `field` of `out`: the GraphProto with the graph inputs' value infos (in order)
  /// and the output's (already written). Sizes are computed first, so each weight is copied once,
  /// into `out`.
  void write_graph(ProtoWriter& out, uint32_t field, const std::vector<ProtoWriter>& input_infos,
                   const ProtoWriter& output_info) const;

  const int64_t opset;

 private:
  std::string fresh(const std::string& hint);
  std::map<const nn::Module*, CallShapes> shapes_;
  struct Node {
    std::string op, name;
    std::vector<std::string> inputs, outputs;
    std::vector<Attr> attrs;
  };
  std::vector<Node> nodes_;
  // A TensorProto: `head` holds every field but raw_data; raw_data is `bytes` bytes at `data`
  // (kept alive by `tensor`), or already inside `head` for small constants (`data` null).
  struct Initializer {
    ProtoWriter head;
    Tensor tensor;
    const void* data = nullptr;
    size_t bytes = 0;
    size_t size() const;  // of the whole message
  };
  std::vector<Initializer> initializers_;
  std::map<std::string, int> used_names_;
};

/// Child path: "a.b" + "c" → "a.b.c"; "" + "c" → "c".
std::string child_path(const std::string& path, const std::string& name);

/// Exporters of nn layers (Conv2d, Linear, …, Sequential): the output name, or nullopt when
/// `module` is not one of them.
std::optional<std::string> export_layer(GraphBuilder& g, nn::Module& module, const std::string& path,
                                        const std::string& x);
/// Exporters of the model zoo's blocks and models: the output name, or nullopt when not one of them.
std::optional<std::string> export_zoo(GraphBuilder& g, nn::Module& module, const std::string& path,
                                      const std::string& x);

/// Outputs of a recurrent stack: the top layer's outputs (T, N, D·H) and the final states of
/// every layer and direction (L·D, N, H), as PyTorch's (output, h_n); an LSTM's final cell
/// states c_n (L·D, N, H) too ("" for a GRU or RNN).
struct RecurrentOutputs {
  std::string y, h_n, c_n;
};
/// Optional inputs of a recurrent stack, each a value name ("" when absent).
struct RecurrentInputs {
  std::string sequence_lens;  ///< (N) int32: each sequence's length; outputs past it are 0 and the
                              ///< final states those of its last step (ONNX's sequence_lens)
  std::string initial_h;      ///< (L·D, N, H): initial hidden states of every layer and direction
  std::string initial_c;      ///< (L·D, N, H): an LSTM's initial cell states
};
/// An LSTM, GRU or tanh RNN (any layers, either direction) on the time-major value `x` (T, N, I):
/// one ONNX node per layer, the weights reordered to ONNX's gate order; `in` gives the sequence
/// lengths (to every layer) and the initial states (Sliced per layer when there are several).
RecurrentOutputs export_recurrent(GraphBuilder& g, nn::RNNBase& m, const std::string& path, const std::string& x,
                                  const RecurrentInputs& in = {});
/// Exporters of the zoo's sequence models (SequenceClassifier): the output name, or nullopt.
std::optional<std::string> export_sequence_model(GraphBuilder& g, nn::Module& module, const std::string& path,
                                                 const std::string& x);

/// models::Seq2Seq on the graph inputs `source` (N, S) int64, `lengths` (N) int64 (each source
/// row's length, 1 ≤ length ≤ S) and `target` (N, T) int64 (the decoder's teacher-forced inputs):
/// the logits (N, T, tgt_vocab), N, S and T dynamic. The encoder GRU reads the lengths as
/// sequence_lens, its final state starts the decoder GRU (initial_h), and the attention masks the
/// source steps past each length (src/onnx/export_seq2seq.cpp).
std::string export_seq2seq(GraphBuilder& g, models::Seq2Seq& m, const std::string& source, const std::string& lengths,
                           const std::string& target);

/// The exporter of models::GPT (tokens (N, T) int64 → logits (N, T, V), T dynamic, the causal
/// mask built from T in the graph): the output name, or nullopt when `module` is not a GPT.
std::optional<std::string> export_language_model(GraphBuilder& g, nn::Module& module, const std::string& path,
                                                 const std::string& x);

/// models::Bert at dotted `path` ("" for the root; its parameters are initializers named
/// path.token_embed.weight, …) on the graph inputs `tokens` and `segments` ((N, T) int64 each, N
/// and T dynamic): the hidden states (N, T, d_model), padding ids masked as keys
/// (src/onnx/export_bert.cpp).
std::string export_bert(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& tokens,
                        const std::string& segments);
/// Bert::mlm_logits of `m` (at `path`) on the hidden states `hidden` (N, T, d_model): the
/// masked-LM logits (N, T, vocab_size), the output layer tied to path.token_embed.weight.
std::string export_bert_mlm_head(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& hidden);
/// Bert::cls_logits of `m` (at `path`) on the hidden states `hidden` (N, T, d_model): the [CLS]
/// logits (N, num_classes) from position 0 through the pooler (Tanh) and the classifier.
std::string export_bert_cls_head(GraphBuilder& g, models::Bert& m, const std::string& path, const std::string& hidden);

/// GELU of `x`: 0.5·x·(1 + erf(x/√2)) for approximate "none", the tanh form for "tanh".
std::string export_gelu_nodes(GraphBuilder& g, const std::string& approximate, const std::string& path,
                              const std::string& x);

/// Self-attention (query = key = value = `x`: (N, L, E) with batch_first, else (L, N, E), which is
/// transposed to (N, L, E) and back) as MatMul, Softmax, Transpose and Reshape nodes; `mask`, when
/// not empty, names an additive mask broadcast to the scores (N, H, L, L) (e.g. (N, 1, 1, L) for
/// padded keys). Returns the attention output in `x`'s layout (the weights are not exported).
/// Raises Error naming `path` for bias_k/bias_v, add_zero_attn or separate q/k/v projections.
std::string export_self_attention(GraphBuilder& g, nn::MultiheadAttention& m, const std::string& path,
                                  const std::string& x, const std::string& mask = "");

/// nn::TransformerEncoderLayer `l` at `path` on `x` in its layout, as it computes (post- or
/// pre-norm, ReLU or exact GELU, dropouts as identities); `mask` as for export_self_attention.
/// Raises Error naming `path` for another activation.
std::string export_encoder_layer(GraphBuilder& g, nn::TransformerEncoderLayer& l, const std::string& path,
                                 const std::string& x, const std::string& mask = "");
/// nn::TransformerEncoder `m` at `path` on `x`: every layer with the same `mask`, then the final
/// norm when it has one (parameters path.layers.0.…, path.norm.…).
std::string export_transformer_encoder(GraphBuilder& g, nn::TransformerEncoder& m, const std::string& path,
                                       const std::string& x, const std::string& mask = "");
/// Exporters of the generic Transformer modules on one batched input, without masks:
/// TransformerEncoderLayer, TransformerEncoder and MultiheadAttention as self-attention. The
/// output name, or nullopt when `module` is none of them; Error naming `path` for an unbatched
/// (L, E) input.
std::optional<std::string> export_transformer(GraphBuilder& g, nn::Module& module, const std::string& path,
                                              const std::string& x);

/// Linear `m` as (…, in) @ Wᵀ (+ b) with MatMul (and Add): any input rank, where Gemm takes only
/// matrices.
std::string export_matmul_linear(GraphBuilder& g, nn::Linear& m, const std::string& path, const std::string& x);

}  // namespace nabla::onnx
