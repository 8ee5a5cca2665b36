// Exporter of models::GPT, the zoo's causal language model: tokens (N, T) int64 → logits (N, T, V)
// with the batch and the sequence length both dynamic. It mirrors GPT::forward and
// CausalSelfAttention::forward (src/models/gpt.cpp) without a cache; keep them in step.
#include <cmath>
#include <limits>

#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/models/gpt.h"
#include "nabla/ops.h"

namespace nabla::onnx {

namespace {

// A 0-d int64 constant (Range's start and delta).
std::string int_scalar(GraphBuilder& g, const std::string& name, int64_t v) {
  return g.initializer(name, scalar_tensor(static_cast<double>(v), DType::Int64));
}

// The additive causal mask (T, T) of the graph's tokens: 0 where key j ≤ query i, −∞ above the
// diagonal, as the top-left aligned is_causal mask of scaled_dot_product_attention. Built from T
// (Shape → Range), so it is right for every length the graph is run with.
std::string causal_mask(GraphBuilder& g, const std::string& path, const std::string& length) {
  const std::string hint = child_path(path, "causal_mask");
  const std::string positions =
      g.node("Range", {int_scalar(g, hint + "/zero", 0), length, int_scalar(g, hint + "/one", 1)}, hint);  // (T)
  const std::string queries = g.node("Unsqueeze", {positions, g.ints(hint + "/axis1", {1})}, hint);    // (T, 1)
  const std::string keys = g.node("Unsqueeze", {positions, g.ints(hint + "/axis0", {0})}, hint);       // (1, T)
  const std::string future = g.node("Greater", {keys, queries}, hint);                                  // (T, T) bool
  return g.node("Where",
                {future, g.floats(hint + "/minus_inf", {-std::numeric_limits<float>::infinity()}, {}),
                 g.floats(hint + "/zero_f", {0.0f}, {})},
                hint);
}

// CausalSelfAttention on x (N, T, C): c_attn (N, T, 3C) → q, k, v (N, H, T, D) →
// softmax((q/√D) kᵀ + mask) v → (N, T, C) → c_proj.
std::string causal_self_attention(GraphBuilder& g, models::CausalSelfAttention& m, const std::string& path,
                                  const std::string& x, const std::string& mask) {
  const int64_t C = m.n_embd, H = m.n_head, D = C / H;
  std::string qkv = export_matmul_linear(g, *m.c_attn, child_path(path, "c_attn"), x);
  // (N, T, 3C) → (N, T, 3, H, D) → (3, N, H, T, D): the split of c_attn's output into q, k, v by C.
  qkv = g.node("Reshape", {qkv, g.ints(path + "/qkv_shape", {0, 0, 3, H, D})}, path);
  qkv = g.node("Transpose", {qkv}, path, {{"perm", std::vector<int64_t>{2, 0, 3, 1, 4}}});
  const auto parts = g.node_n("Split", {qkv}, 3, path, {{"axis", int64_t{0}}});
  const std::string axis0 = g.ints(path + "/axis0", {0});
  std::string q = g.node("Squeeze", {parts[0], axis0}, path);
  const std::string k = g.node("Squeeze", {parts[1], axis0}, path);
  const std::string v = g.node("Squeeze", {parts[2], axis0}, path);
  q = g.node("Mul", {q, g.floats(path + "/scale", {static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)))}, {})},
             path);
  const std::string kt = g.node("Transpose", {k}, path, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  const std::string scores = g.node("Add", {g.node("MatMul", {q, kt}, path), mask}, path);  // (N, H, T, T)
  const std::string weights = g.node("Softmax", {scores}, path, {{"axis", int64_t{-1}}});
  std::string y = g.node("MatMul", {weights, v}, path);                                     // (N, H, T, D)
  y = g.node("Transpose", {y}, path, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});         // (N, T, H, D)
  y = g.node("Reshape", {y, g.ints(path + "/merge_shape", {0, 0, C})}, path);               // (N, T, C)
  return export_matmul_linear(g, *m.c_proj, child_path(path, "c_proj"), y);  // resid_dropout: the identity in eval mode
}

// x + attn(ln_1(x)), then + mlp(ln_2(·)): c_proj(GELU(c_fc(·))).
std::string block(GraphBuilder& g, models::GPTBlock& b, const std::string& path, const std::string& x,
                  const std::string& mask) {
  const std::string a = g.node(
      "Add",
      {x, causal_self_attention(g, *b.attn, child_path(path, "attn"), g.run_child(*b.ln_1, path, "ln_1", x), mask)},
      path);
  const std::string mlp = child_path(path, "mlp");
  std::string h = g.run_child(*b.ln_2, path, "ln_2", a);
  h = export_matmul_linear(g, *b.mlp->c_fc, child_path(mlp, "c_fc"), h);
  h = g.run_child(*b.mlp->gelu, mlp, "gelu", h);
  h = export_matmul_linear(g, *b.mlp->c_proj, child_path(mlp, "c_proj"), h);
  return g.node("Add", {a, h}, path);
}

}  // namespace

std::optional<std::string> export_language_model(GraphBuilder& g, nn::Module& module, const std::string& path,
                                                 const std::string& x) {
  auto* m = dynamic_cast<models::GPT*>(&module);
  if (!m) return std::nullopt;
  const std::string transformer = child_path(path, "transformer");
  // T as a 1-d (1) and a 0-d value, from the tokens' shape (N, T).
  const std::string shape = g.node("Shape", {x}, path);
  const std::string length1 =
      g.node("Slice", {shape, g.ints(path + "/dim1", {1}), g.ints(path + "/dim2", {2})}, path);  // (1)
  const std::string length = g.node("Squeeze", {length1, g.ints(path + "/axis0", {0})}, path);  // ()
  // wte(tokens) (N, T, C) + wpe rows 0..T-1 (T, C).
  const std::string wte = g.param(child_path(transformer, "wte"), "weight", m->wte->weight);
  const std::string tokens = g.node("Gather", {wte, x}, child_path(transformer, "wte"), {{"axis", int64_t{0}}});
  const std::string wpe_path = child_path(transformer, "wpe");
  const std::string positions =
      g.node("Slice",
             {g.param(wpe_path, "weight", m->wpe->weight), g.ints(wpe_path + "/start", {0}), length1,
              g.ints(wpe_path + "/axis0", {0})},
             wpe_path);
  std::string h = g.node("Add", {tokens, positions}, transformer);  // drop: the identity in eval mode
  const std::string mask = causal_mask(g, path, length);
  const std::string blocks = child_path(transformer, "h");
  for (size_t i = 0; i < m->blocks.size(); ++i)
    h = block(g, *m->blocks[i], child_path(blocks, std::to_string(i)), h, mask);
  h = g.run_child(*m->ln_f, transformer, "ln_f", h);
  // lm_head: its weight is wte's (tied), so the graph reads that one initializer again.
  const std::string head = child_path(path, "lm_head");
  NABLA_CHECK(!m->lm_head->bias.defined(), "onnx export: ", head, " has a bias; GPT's lm_head has none");
  const std::string weight =
      m->lm_head->weight.is_same(m->wte->weight) ? wte : g.param(head, "weight", m->lm_head->weight);
  const std::string wt = g.node("Transpose", {weight}, head, {{"perm", std::vector<int64_t>{1, 0}}});
  return g.node("MatMul", {h, wt}, head);  // (N, T, V)
}

}  // namespace nabla::onnx
