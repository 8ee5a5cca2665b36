// MultiheadAttention as PyTorch computes it (F.multi_head_attention_forward): project, split the
// embedding into heads, scaled dot-product attention per head with the merged masks, join the
// heads, project out. Every step is a differentiable op, so the gradient comes from their rules.
#include "nabla/autograd.h"
#include "nabla/nn/attention.h"

#include <cmath>
#include <limits>

#include "nabla/nn/functional/attention.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A mask as an additive floating tensor: bool true (= masked) becomes −inf, a floating mask is
// kept. `dtype` is the attention's dtype.
Tensor additive(const Tensor& mask, DType dtype, const char* what) {
  if (mask.dtype() == DType::Bool) return masked_fill(zeros(mask.shape(), dtype), mask, -kInf);
  NABLA_CHECK(mask.dtype() == dtype, "MultiheadAttention: ", what, " must be bool or ", dtype_name(dtype),
              " like the query, got ", dtype_name(mask.dtype()));
  return mask;
}

Tensor add_masks(const Tensor& a, const Tensor& b) { return !a.defined() ? b : !b.defined() ? a : add(a, b); }

}  // namespace

MultiheadAttention::MultiheadAttention(const MultiheadAttentionOptions& o)
    : options(o),
      embed_dim(o.embed_dim),
      num_heads(o.num_heads),
      head_dim(o.num_heads > 0 ? o.embed_dim / o.num_heads : 0),
      kdim(o.kdim.value_or(o.embed_dim)),
      vdim(o.vdim.value_or(o.embed_dim)) {
  NABLA_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0,
              "MultiheadAttention: embed_dim must be positive and divisible by num_heads, got embed_dim=", embed_dim,
              ", num_heads=", num_heads);
  NABLA_CHECK(kdim > 0 && vdim > 0, "MultiheadAttention: kdim and vdim must be positive, got ", kdim, " and ", vdim);
  NABLA_CHECK(o.dropout >= 0.0 && o.dropout <= 1.0, "MultiheadAttention: dropout must be in [0, 1], got ", o.dropout);
  if (packed_projection()) {
    in_proj_weight = empty({3 * embed_dim, embed_dim});
  } else {
    q_proj_weight = empty({embed_dim, embed_dim});
    k_proj_weight = empty({embed_dim, kdim});
    v_proj_weight = empty({embed_dim, vdim});
  }
  if (o.bias) in_proj_bias = empty({3 * embed_dim});
  if (o.add_bias_kv) {
    bias_k = empty({1, 1, embed_dim});
    bias_v = empty({1, 1, embed_dim});
  }
  out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, o.bias));
  reset_parameters();
  // PyTorch's registration order (state_dict key order).
  register_parameter("in_proj_weight", &in_proj_weight);
  register_parameter("q_proj_weight", &q_proj_weight);
  register_parameter("k_proj_weight", &k_proj_weight);
  register_parameter("v_proj_weight", &v_proj_weight);
  register_parameter("in_proj_bias", &in_proj_bias);
  register_parameter("bias_k", &bias_k);
  register_parameter("bias_v", &bias_v);
}

void MultiheadAttention::reset_parameters() {
  NoGradGuard guard;
  if (in_proj_weight.defined()) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
  if (bias_k.defined()) {
    init::xavier_normal_(bias_k);
    init::xavier_normal_(bias_v);
  }
}

std::pair<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query_in, const Tensor& key_in,
                                                      const Tensor& value_in, const MultiheadAttentionArgs& args) {
  constexpr const char* op = "MultiheadAttention";
  NABLA_CHECK(query_in.defined() && key_in.defined() && value_in.defined(), op, ": query, key and value must be defined");
  const bool batched = query_in.dim() == 3;
  NABLA_CHECK((batched || query_in.dim() == 2) && key_in.dim() == query_in.dim() && value_in.dim() == query_in.dim(),
              op, ": query, key and value must all be 3-d (batched) or all 2-d (unbatched), got query ",
              query_in.shape(), ", key ", key_in.shape(), ", value ", value_in.shape());
  NABLA_CHECK(!(args.is_causal && args.attn_mask.defined()), op,
              ": is_causal and attn_mask exclude each other (put the causal part into attn_mask)");
  // Work in the caller's layout, (L, N, E) or (N, L, E) (an unbatched input as N = 1): the
  // projections then read contiguous rows and the result needs no transpose copy; the heads are
  // strided views either way.
  const bool seq_first = batched && !options.batch_first;
  const int64_t bd = seq_first ? 1 : 0, sd = 1 - bd;  // batch dim, sequence dim
  auto to_3d = [&](const Tensor& t) { return batched ? t : t.unsqueeze(0); };
  const Tensor query = to_3d(query_in), key = to_3d(key_in), value = to_3d(value_in);
  const int64_t L = query.size(sd), N = query.size(bd), S = key.size(sd), E = embed_dim, H = num_heads;
  NABLA_CHECK(query.size(2) == E, op, ": query must have embed_dim=", E, " features, got shape ", query_in.shape());
  NABLA_CHECK(key.size(2) == kdim && value.size(2) == vdim, op, ": key and value must have kdim=", kdim,
              " and vdim=", vdim, " features, got key ", key_in.shape(), " and value ", value_in.shape());
  NABLA_CHECK(key.size(bd) == N && value.size(bd) == N && value.size(sd) == S, op,
              ": key and value must have the query's batch size and the same length, got query ", query_in.shape(),
              ", key ", key_in.shape(), ", value ", value_in.shape(), options.batch_first ? " (batch_first)" : "");
  NABLA_CHECK(is_floating(query.dtype()) && key.dtype() == query.dtype() && value.dtype() == query.dtype(), op,
              ": query, key and value must share one floating dtype");
  const DType dtype = query.dtype();

  // Projections, in the input's layout: (·, ·, E) with L or S at dim sd.
  Tensor q, k, v;
  std::vector<Tensor> b = in_proj_bias.defined() ? chunk(in_proj_bias, 3, 0) : std::vector<Tensor>(3);
  if (packed_projection()) {
    if (query_in.is_same(key_in) && key_in.is_same(value_in)) {
      std::vector<Tensor> qkv = chunk(functional::linear(query, in_proj_weight, in_proj_bias), 3, -1);
      q = qkv[0], k = qkv[1], v = qkv[2];
    } else {
      std::vector<Tensor> w = chunk(in_proj_weight, 3, 0);
      q = functional::linear(query, w[0], b[0]);
      k = functional::linear(key, w[1], b[1]);
      v = functional::linear(value, w[2], b[2]);
    }
  } else {
    q = functional::linear(query, q_proj_weight, b[0]);
    k = functional::linear(key, k_proj_weight, b[1]);
    v = functional::linear(value, v_proj_weight, b[2]);
  }

  // No graph, no weights, nothing masked but causally, no appended keys: one fused kernel reads
  // the heads of q, k and v in place through their strides and writes them joined, without the
  // scores of more than a block of rows (ops::attention_forward).
  const bool dropout = is_training() && options.dropout > 0.0;
  if (!args.need_weights && !dropout && !args.attn_mask.defined() && !args.key_padding_mask.defined() &&
      !bias_k.defined() && !options.add_zero_attn && S > 0 && !q.requires_grad() && !k.requires_grad() &&
      !v.requires_grad()) {
    auto batch_major = [&](const Tensor& t) { return seq_first ? t.transpose(0, 1) : t; };  // (N, ·, ·)
    Tensor out = ops::attention_forward(batch_major(q), batch_major(k), batch_major(v), H,
                                        1.0 / std::sqrt(static_cast<double>(head_dim)), args.is_causal);
    out = (*out_proj)(seq_first ? out.transpose(0, 1) : out);
    return {batched ? out : out.squeeze(0), Tensor()};
  }

  // Masks as one additive tensor broadcastable to (N, H, L, S).
  Tensor mask;
  if (args.attn_mask.defined()) {
    const Tensor& m = args.attn_mask;
    if (m.dim() == 2) {
      NABLA_CHECK(m.size(0) == L && m.size(1) == S, op, ": 2-d attn_mask must be (L, S) = (", L, ", ", S, "), got ",
                  m.shape());
      mask = additive(m, dtype, "attn_mask").view({1, 1, L, S});
    } else {
      NABLA_CHECK(m.dim() == 3 && m.size(0) == N * H && m.size(1) == L && m.size(2) == S, op,
                  ": 3-d attn_mask must be (N*num_heads, L, S) = (", N * H, ", ", L, ", ", S, "), got ", m.shape());
      mask = additive(m, dtype, "attn_mask").reshape({N, H, L, S});
    }
  }
  if (args.is_causal)
    mask = additive(logical_not(functional::causal_mask(L, S)), dtype, "causal mask").view({1, 1, L, S});
  if (args.key_padding_mask.defined()) {
    const Tensor& m = args.key_padding_mask;
    const bool fits = batched ? (m.dim() == 2 && m.size(0) == N && m.size(1) == S) : (m.dim() == 1 && m.size(0) == S);
    NABLA_CHECK(fits, op, ": key_padding_mask must be ", batched ? str_cat("(N, S) = (", N, ", ", S, ")") : str_cat("(S) = (", S, ")"),
                ", got ", m.shape());
    mask = add_masks(mask, additive(m, dtype, "key_padding_mask").reshape({N, 1, 1, S}));
  }

  // Appended keys: bias_k/bias_v, then a zero key/value. They are never masked.
  int64_t extra = 0;
  if (bias_k.defined()) {
    const Shape one_key = seq_first ? Shape{1, N, E} : Shape{N, 1, E};  // bias_k is (1, 1, E)
    k = cat({k, bias_k.expand(one_key)}, sd);
    v = cat({v, bias_v.expand(one_key)}, sd);
    ++extra;
  }
  // Heads: → (N, H, ·, head_dim), a view (matmul reads it through its strides).
  auto heads = [&](const Tensor& t) {
    if (seq_first) return t.reshape({t.size(0), N, H, head_dim}).permute({1, 2, 0, 3});
    return t.reshape({N, t.size(1), H, head_dim}).permute({0, 2, 1, 3});
  };
  q = heads(q), k = heads(k), v = heads(v);
  if (options.add_zero_attn) {
    k = cat({k, zeros({N, H, 1, head_dim}, dtype)}, 2);
    v = cat({v, zeros({N, H, 1, head_dim}, dtype)}, 2);
    ++extra;
  }
  if (mask.defined() && extra > 0) {
    Shape pad_shape = mask.shape();
    pad_shape.back() = extra;
    mask = cat({mask, zeros(pad_shape, dtype)}, -1);
  }

  functional::AttentionOptions attention{.attn_mask = mask, .dropout_p = is_training() ? options.dropout : 0.0};
  auto [out, weights] = functional::scaled_dot_product_attention_with_weights(q, k, v, attention);
  // Join the heads back into the input's layout.
  out = seq_first ? out.permute({2, 0, 1, 3}).reshape({L, N, E}) : out.permute({0, 2, 1, 3}).reshape({N, L, E});
  out = (*out_proj)(out);
  if (!batched) out = out.squeeze(0);

  if (!args.need_weights) return {out, Tensor()};
  if (args.average_attn_weights) weights = mean(weights, {1});  // (N, L, S')
  if (!batched) weights = weights.squeeze(0);
  return {out, weights};
}

std::pair<Tensor, Tensor> MultiheadAttention::operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                                         const MultiheadAttentionArgs& args) {
  auto result = forward(query, key, value, args);
  if (has_forward_hooks()) {
    std::vector<Tensor> outputs = {result.first};
    if (result.second.defined()) outputs.push_back(result.second);
    run_forward_hooks({query, key, value}, outputs);
  }
  return result;
}

}  // namespace nabla::nn
