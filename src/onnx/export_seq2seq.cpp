// Exporter of models::Seq2Seq, the zoo's encoder–decoder with Luong attention: source ids (N, S),
// source lengths (N) and teacher-forced target ids (N, T) → logits (N, T, tgt_vocab), with N, S
// and T dynamic. It mirrors Seq2Seq::forward, encode and attend (src/models/seq2seq.cpp); keep
// them in step.
#include <limits>

#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/models/seq2seq.h"
#include "nabla/ops.h"

namespace nabla::onnx {

namespace {

constexpr int64_t kOnnxInt32 = 6;  // TensorProto.DataType INT32: the type of sequence_lens

// Embedding `e` (at `path`) of the ids `tokens` (N, L), time-major: (L, N, E).
std::string embed_time_major(GraphBuilder& g, nn::Embedding& e, const std::string& path, const std::string& tokens) {
  const std::string x = g.node("Gather", {g.param(path, "weight", e.weight), tokens}, path, {{"axis", int64_t{0}}});
  return g.node("Transpose", {x}, path, {{"perm", std::vector<int64_t>{1, 0, 2}}});
}

// (L, N, H) → (N, L, H).
std::string batch_major(GraphBuilder& g, const std::string& x, const std::string& path) {
  return g.node("Transpose", {x}, path, {{"perm", std::vector<int64_t>{1, 0, 2}}});
}

// The additive source mask (N, 1, S): −∞ at the steps s ≥ length of each row, 0 elsewhere, S
// from the source's shape (N, S); as detail::padding_mask.
std::string source_mask(GraphBuilder& g, const std::string& source, const std::string& lengths) {
  const std::string hint = "source_mask";
  const std::string shape = g.node("Shape", {source}, hint);
  const std::string s = g.node("Gather", {shape, g.initializer(hint + "/dim1", scalar_tensor(1.0, DType::Int64))},
                               hint, {{"axis", int64_t{0}}});  // () S
  const std::string steps = g.node("Range",
                                   {g.initializer(hint + "/zero", scalar_tensor(0.0, DType::Int64)), s,
                                    g.initializer(hint + "/one", scalar_tensor(1.0, DType::Int64))},
                                   hint);                                                              // (S)
  const std::string rows = g.node("Unsqueeze", {steps, g.ints(hint + "/axis0", {0})}, hint);          // (1, S)
  const std::string limits = g.node("Unsqueeze", {lengths, g.ints(hint + "/axis1", {1})}, hint);      // (N, 1)
  const std::string past = g.node("GreaterOrEqual", {rows, limits}, hint);                            // (N, S)
  const std::string mask = g.node("Where",
                                  {past, g.floats(hint + "/minus_inf", {-std::numeric_limits<float>::infinity()}, {}),
                                   g.floats(hint + "/zero_f", {0.0f}, {})},
                                  hint);
  return g.node("Unsqueeze", {mask, g.ints(hint + "/axis1_mask", {1})}, hint);  // (N, 1, S)
}

}  // namespace

std::string export_seq2seq(GraphBuilder& g, models::Seq2Seq& m, const std::string& source, const std::string& lengths,
                           const std::string& target) {
  NABLA_CHECK(m.encoder->options.num_layers == 1 && !m.encoder->options.bidirectional &&
                  m.decoder->options.num_layers == 1 && !m.decoder->options.bidirectional,
              "onnx export: Seq2Seq's encoder and decoder must be one-layer, one-direction GRUs (its forward "
              "hands the encoder's final state to the decoder as it is)");
  // Encoder: GRU over the embedded source with sequence_lens; outputs past a row's length are 0
  // and its final state is that of its last step, as the C++ GRU with lengths.
  const std::string lens32 = g.node("Cast", {lengths}, "encoder", {{"to", kOnnxInt32}});
  RecurrentInputs encoder_in;
  encoder_in.sequence_lens = lens32;
  const RecurrentOutputs enc = export_recurrent(
      g, *m.encoder, "encoder", embed_time_major(g, *m.src_embed, "src_embed", source), encoder_in);
  const std::string memory = batch_major(g, enc.y, "encoder");  // (N, S, H)
  // Decoder: GRU over the embedded target inputs from the encoder's final state (1, N, H).
  RecurrentInputs decoder_in;
  decoder_in.initial_h = enc.h_n;
  const RecurrentOutputs dec = export_recurrent(g, *m.decoder, "decoder",
                                                embed_time_major(g, *m.tgt_embed, "tgt_embed", target), decoder_in);
  const std::string h = batch_major(g, dec.y, "decoder");  // (N, T, H)
  // scores (N, T, S) = h · (W_a m)ᵀ + mask; softmax over the source; context (N, T, H).
  const std::string keys = export_matmul_linear(g, *m.attn, "attn", memory);
  const std::string kt = g.node("Transpose", {keys}, "attn", {{"perm", std::vector<int64_t>{0, 2, 1}}});
  const std::string scores =
      g.node("Add", {g.node("MatMul", {h, kt}, "attn"), source_mask(g, source, lengths)}, "attn");
  const std::string weights = g.node("Softmax", {scores}, "attn", {{"axis", int64_t{-1}}});
  const std::string context = g.node("MatMul", {weights, memory}, "attn");
  // logits = out(tanh(combine([context; h]))).
  const std::string joined = g.node("Concat", {context, h}, "combine", {{"axis", int64_t{-1}}});
  const std::string combined = g.node("Tanh", {export_matmul_linear(g, *m.combine, "combine", joined)}, "combine");
  return export_matmul_linear(g, *m.out, "out", combined);
}

}  // namespace nabla::onnx
