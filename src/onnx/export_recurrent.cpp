// Exporters of recurrent layers (LSTM, GRU, tanh RNN) and of models::SequenceClassifier, the
// zoo's model built on them. ONNX's recurrent operators take one layer each and other gate orders
// than PyTorch's: i, o, f, c for an LSTM (PyTorch i, f, g, o) and z, r, h for a GRU (PyTorch
// r, z, n, with linear_before_reset = 1 for PyTorch's reset gate); the weights are written
// reordered, as new initializers named after the layer (`rnn/W_l0`, …).
#include "graph_builder.h"
#include "gates.h"
#include "nabla/error.h"
#include "nabla/models/sequence_classifier.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/recurrent.h"
#include "nabla/ops.h"

namespace nabla::onnx {

namespace {

// The registered parameter `name` of `m` (undefined when absent, e.g. biases with bias=false).
Tensor parameter(const nn::Module& m, const std::string& name) {
  for (const auto& [n, t] : m.named_parameters(false))
    if (n == name) return t.detach();
  return Tensor();
}

}  // namespace

RecurrentOutputs export_recurrent(GraphBuilder& g, nn::RNNBase& m, const std::string& path, const std::string& x,
                                  const RecurrentInputs& in) {
  const nn::RNNOptions& o = m.options;
  const std::string kind = m.name();
  NABLA_CHECK(kind == "LSTM" || kind == "GRU" || (kind == "RNN" && o.nonlinearity == "tanh"),
              (path.empty() ? std::string("the model") : path), " (", kind,
              ") has no ONNX form here: only LSTM, GRU and the tanh RNN are exported");
  const int64_t G = kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1, H = o.hidden_size, D = o.bidirectional ? 2 : 1;
  // PyTorch's gate blocks in ONNX's order.
  const std::vector<int64_t> order = kind == "LSTM"  ? std::vector<int64_t>{0, 3, 1, 2}
                                     : kind == "GRU" ? std::vector<int64_t>{1, 0, 2}
                                                     : std::vector<int64_t>{0};
  NABLA_CHECK(in.initial_c.empty() || kind == "LSTM", "onnx export: ", path, " (", kind,
              ") has no cell state; initial_c is for an LSTM");
  std::string input = x;  // (T, N, I) for layer 0, then (T, N, D·H)
  std::vector<std::string> finals, final_cells;
  // Layer l's initial states: rows l·D … (l+1)·D − 1 of the stack's (L·D, N, H).
  auto initial = [&](const std::string& states, int64_t l, const std::string& hint) {
    if (states.empty() || o.num_layers == 1) return states;
    return g.node("Slice",
                  {states, g.ints(hint + "/start", {l * D}), g.ints(hint + "/end", {(l + 1) * D}),
                   g.ints(hint + "/axis0", {0})},
                  hint);
  };
  for (int64_t l = 0; l < o.num_layers; ++l) {
    std::vector<Tensor> w, r, b;
    for (int64_t d = 0; d < D; ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      w.push_back(reorder_gates(parameter(m, "weight_ih" + suffix), order));
      r.push_back(reorder_gates(parameter(m, "weight_hh" + suffix), order));
      const Tensor b_ih = parameter(m, "bias_ih" + suffix), b_hh = parameter(m, "bias_hh" + suffix);
      b.push_back(b_ih.defined() ? cat({reorder_gates(b_ih, order), reorder_gates(b_hh, order)}, 0)
                                 : zeros({2 * G * H}));
    }
    const std::string layer = path + "/l" + std::to_string(l);
    std::vector<Attr> attrs = {{"hidden_size", H}, {"direction", std::string(D == 2 ? "bidirectional" : "forward")}};
    if (kind == "GRU") attrs.push_back({"linear_before_reset", int64_t{1}});
    // Inputs X, W, R, B, sequence_lens, initial_h, initial_c; absent optional ones named "",
    // trailing ones left out.
    std::vector<std::string> inputs = {input, g.initializer(path + "/W_l" + std::to_string(l), stack(w, 0)),
                                       g.initializer(path + "/R_l" + std::to_string(l), stack(r, 0)),
                                       g.initializer(path + "/B_l" + std::to_string(l), stack(b, 0)),
                                       in.sequence_lens, initial(in.initial_h, l, layer + "/initial_h"),
                                       initial(in.initial_c, l, layer + "/initial_c")};
    while (inputs.back().empty()) inputs.pop_back();
    const auto outs = g.node_n(kind, inputs, kind == "LSTM" ? 3 : 2, layer, attrs);
    finals.push_back(outs[1]);  // Y_h (D, N, H)
    if (kind == "LSTM") final_cells.push_back(outs[2]);  // Y_c (D, N, H)
    // Y (T, D, N, H) → (T, N, D, H) → (T, N, D·H): the next layer's input.
    const std::string y = g.node("Transpose", {outs[0]}, layer, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
    input = g.node("Reshape", {y, g.ints(layer + "/shape", {0, 0, -1})}, layer);
  }
  auto layers = [&](const std::vector<std::string>& states) {
    if (states.empty()) return std::string();
    return states.size() == 1 ? states[0] : g.node("Concat", states, path, {{"axis", int64_t{0}}});
  };
  return {input, layers(finals), layers(final_cells)};
}

std::optional<std::string> export_sequence_model(GraphBuilder& g, nn::Module& module, const std::string& path,
                                                 const std::string& x) {
  auto* m = dynamic_cast<models::SequenceClassifier*>(&module);
  if (!m) return std::nullopt;
  const auto& o = m->options;
  const int64_t D = o.bidirectional ? 2 : 1;
  // tokens (B, T) → embeddings (B, T, E) → time-major (T, B, E).
  const std::string e = g.run_child(*m->embed, path, "embed", x);
  const std::string t = g.node("Transpose", {e}, path, {{"perm", std::vector<int64_t>{1, 0, 2}}});
  const RecurrentOutputs r = export_recurrent(g, *m->rnn, child_path(path, "rnn"), t);
  std::string pooled;
  if (o.pooling == "last") {
    // The top layer's final states (D, B, H) → (B, D, H) → (B, D·H), as the C++ forward.
    const std::string top =
        g.node("Slice",
               {r.h_n, g.ints(path + "/top_start", {(o.num_layers - 1) * D}),
                g.ints(path + "/top_end", {o.num_layers * D}), g.ints(path + "/axis0", {0})},
               path);
    const std::string rows = g.node("Transpose", {top}, path, {{"perm", std::vector<int64_t>{1, 0, 2}}});
    pooled = g.node("Reshape", {rows, g.ints(path + "/pooled_shape", {0, -1})}, path);
  } else {
    // Every row has all T steps in an exported graph (no lengths): the mean over time.
    pooled = g.node("ReduceMean", {r.y}, path, {{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}});
  }
  // head: Linear on (B, D·H) (SequenceClassifier calls its forward directly, so no shapes were
  // recorded for it; none are needed).
  const std::string head = child_path(path, "head");
  std::vector<std::string> in = {pooled, g.param(head, "weight", m->head->weight)};
  if (m->head->bias.defined()) in.push_back(g.param(head, "bias", m->head->bias));
  return g.node("Gemm", in, head, {{"transB", int64_t{1}}});
}

}  // namespace nabla::onnx
