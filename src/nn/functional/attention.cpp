// Scaled dot-product attention, composed of differentiable ops (matmul, softmax, dropout), so its
// gradient, and its second derivative, come from their rules:
//   scores  S = q·kᵀ·scale + mask          (…, L, S)
//   weights P = softmax(S) (dropout)       (…, L, S)
//   output  O = P·v                        (…, L, Ev)
#include "nabla/nn/functional/attention.h"

#include <cmath>
#include <limits>

#include "nabla/autograd.h"
#include "nabla/nn/functional/dropout.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

void check_inputs(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o) {
  constexpr const char* op = "scaled_dot_product_attention";
  NABLA_CHECK(q.defined() && k.defined() && v.defined(), op, ": query, key and value must be defined");
  NABLA_CHECK(q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2, op,
              ": query (…, L, E), key (…, S, E) and value (…, S, Ev) need at least 2 dims, got query ", q.shape(),
              ", key ", k.shape(), ", value ", v.shape());
  NABLA_CHECK(is_floating(q.dtype()) && q.dtype() == k.dtype() && q.dtype() == v.dtype(), op,
              ": query, key and value must share one floating dtype, got ", dtype_name(q.dtype()), ", ",
              dtype_name(k.dtype()), ", ", dtype_name(v.dtype()));
  NABLA_CHECK(q.size(-1) == k.size(-1), op, ": query and key must have the same last dim E, got query ", q.shape(),
              " and key ", k.shape());
  NABLA_CHECK(k.size(-2) == v.size(-2), op, ": key and value must have the same length S (dim -2), got key ",
              k.shape(), " and value ", v.shape());
  NABLA_CHECK(o.dropout_p >= 0.0 && o.dropout_p <= 1.0, op, ": dropout_p must be in [0, 1], got ", o.dropout_p);
  NABLA_CHECK(!(o.is_causal && o.attn_mask.defined()), op,
              ": is_causal and attn_mask exclude each other (put the causal part into attn_mask)");
  if (o.attn_mask.defined()) {
    const Tensor& m = o.attn_mask;
    NABLA_CHECK(m.dtype() == DType::Bool || m.dtype() == q.dtype(), op, ": attn_mask must be bool or ",
                dtype_name(q.dtype()), " like the query, got ", dtype_name(m.dtype()));
    NABLA_CHECK(m.dim() >= 1 && (m.size(-1) == k.size(-2) || m.size(-1) == 1) &&
                    (m.dim() < 2 || m.size(-2) == q.size(-2) || m.size(-2) == 1),
                op, ": attn_mask of shape ", m.shape(), " does not broadcast to (…, L, S) = (…, ", q.size(-2), ", ",
                k.size(-2), ")");
  }
}

// The forward when no graph is recorded and nothing is masked but (optionally) causally: the
// blocked kernel (ops::attention_forward) keeps the scores of one block of rows at a time, takes the
// scale as the GEMM's alpha, computes scale·q·kᵀ only on and below the diagonal when causal, and
// keeps no weights. Leading dims are broadcast and flattened into one batch dim.
Tensor attention_no_grad(const Tensor& q, const Tensor& k, const Tensor& v, double scale, bool causal) {
  const Shape qb(q.shape().begin(), q.shape().end() - 2), kb(k.shape().begin(), k.shape().end() - 2),
      vb(v.shape().begin(), v.shape().end() - 2);
  const Shape batch =
      broadcast_shapes(broadcast_shapes(qb, kb, "scaled_dot_product_attention"), vb, "scaled_dot_product_attention");
  auto flat = [&batch](const Tensor& t) {
    Shape s = batch;
    s.insert(s.end(), {t.size(-2), t.size(-1)});
    return t.expand(s).reshape({-1, t.size(-2), t.size(-1)}).contiguous();
  };
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {q.size(-2), v.size(-1)});
  if (shape_numel(out_shape) == 0) return zeros(out_shape, q.dtype());
  return ops::attention_forward(flat(q), flat(k), flat(v), /*heads=*/1, scale, causal).reshape(out_shape);
}

}  // namespace

Tensor causal_mask(int64_t L, int64_t S) {
  NABLA_CHECK(L >= 0 && S >= 0, "causal_mask: sizes must be non-negative, got ", L, " and ", S);
  Tensor i = arange(0.0, static_cast<double>(L), 1.0, DType::Int64).unsqueeze(1);
  Tensor j = arange(0.0, static_cast<double>(S), 1.0, DType::Int64).unsqueeze(0);
  return le(j, i);
}

Tensor generate_square_subsequent_mask(int64_t size, DType dtype) {
  NABLA_CHECK(is_floating(dtype), "generate_square_subsequent_mask: dtype must be floating, got ", dtype_name(dtype));
  return masked_fill(zeros({size, size}, dtype), logical_not(causal_mask(size, size)),
                     -std::numeric_limits<double>::infinity());
}

Tensor masked_softmax(const Tensor& scores) {
  // A row that is −inf everywhere would give 0/0. Such rows are computed on zeros (finite, so no
  // NaN reaches the gradient either) and then set to zero.
  Tensor dead = eq(std::get<0>(max(scores.detach(), -1, /*keepdim=*/true)), -std::numeric_limits<double>::infinity());
  Tensor weights = softmax(where(dead, 0.0, scores), -1);
  return where(dead, 0.0, weights);
}

std::pair<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& query, const Tensor& key,
                                                                    const Tensor& value,
                                                                    const AttentionOptions& options) {
  check_inputs(query, key, value, options);
  const double scale = options.scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
  Tensor scores = matmul(mul(query, scale), key.transpose(-2, -1));  // (…, L, S)
  Tensor weights;
  if (options.is_causal && key.size(-2) > 0) {
    // Top-left aligned, every query row keeps key 0: no row is masked everywhere, so the plain
    // softmax is safe (and saves masked_softmax's four extra passes and graph nodes).
    scores = masked_fill(scores, logical_not(causal_mask(query.size(-2), key.size(-2))),
                         -std::numeric_limits<double>::infinity());
    weights = softmax(scores, -1);
  } else if (options.is_causal || options.attn_mask.defined()) {
    const Tensor& m = options.attn_mask;
    if (options.is_causal)
      scores = masked_fill(scores, logical_not(causal_mask(query.size(-2), key.size(-2))),
                           -std::numeric_limits<double>::infinity());
    else if (m.dtype() == DType::Bool)
      scores = masked_fill(scores, logical_not(m), -std::numeric_limits<double>::infinity());
    else
      scores = add(scores, m);
    weights = masked_softmax(scores);
  } else {
    weights = softmax(scores, -1);
  }
  if (options.dropout_p > 0.0) weights = dropout(weights, options.dropout_p, /*training=*/true, options.generator);
  return {matmul(weights, value), weights};
}

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const AttentionOptions& options) {
  const bool needs_graph = autograd::grad_enabled() && (query.requires_grad() || key.requires_grad() || value.requires_grad());
  if (!needs_graph && !options.attn_mask.defined() && options.dropout_p == 0.0) {
    check_inputs(query, key, value, options);
    if (key.size(-2) > 0)
      return attention_no_grad(query, key, value,
                               options.scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1)))),
                               options.is_causal);
  }
  return scaled_dot_product_attention_with_weights(query, key, value, options).first;
}

}  // namespace nabla::nn::functional
