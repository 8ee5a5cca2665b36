// Next-token sampling: temperature, top-k, top-p, then a Gumbel-max draw.
#include "nabla/nn/functional/sampling.h"

#include <limits>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::nn::functional {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// transformers' TopPLogitsWarper on (N, V) float64 logits: sort ascending, remove the tokens whose
// cumulative probability is <= 1 − top_p, always keep the most probable one (the last column, left
// out of the cumulative sum); the mask goes back to the tokens' positions with scatter.
Tensor top_p_filter(const Tensor& x, double top_p) {
  const int64_t n = x.size(0), v = x.size(1);
  auto [sorted, order] = sort(x, 1, /*descending=*/false);
  const Tensor probs = softmax(sorted, 1);
  const Tensor removed = le(cumsum(probs.narrow(1, 0, v - 1), 1), 1.0 - top_p).to(DType::Float64);
  const Tensor remove = cat({removed, zeros({n, 1}, DType::Float64)}, 1);
  const Tensor mask = scatter(zeros({n, v}, DType::Float64), 1, order, remove);
  return masked_fill(x, ne(mask, 0.0), kNegInf);
}

}  // namespace

Tensor sample_next_token(const Tensor& logits, const SamplingOptions& options) {
  const char* op = "sample_next_token";
  NABLA_CHECK(logits.dim() == 1 || logits.dim() == 2, op, ": expected logits of shape (V) or (N, V), got ",
              logits.shape());
  NABLA_CHECK(is_floating(logits.dtype()), op, ": expected floating-point logits, got ", dtype_name(logits.dtype()));
  NABLA_CHECK(logits.numel() > 0, op, ": logits of shape ", logits.shape(), " are empty");
  NABLA_CHECK(options.temperature >= 0.0, op, ": temperature must be >= 0, got ", options.temperature);
  NABLA_CHECK(options.top_k >= 0, op, ": top_k must be >= 0 (0 keeps all), got ", options.top_k);
  NABLA_CHECK(options.top_p > 0.0 && options.top_p <= 1.0, op, ": top_p must be in (0, 1], got ", options.top_p);
  NoGradGuard no_grad;
  const int64_t v = logits.size(-1);
  Tensor x = logits.detach().reshape({logits.numel() / v, v}).to(DType::Float64);
  Tensor ids;
  if (options.temperature == 0.0) {
    ids = argmax(x, 1);
  } else {
    x = div(x, options.temperature);
    if (options.top_k > 0 && options.top_k < v) {
      const Tensor kth = topk(x, options.top_k, 1).first.narrow(1, options.top_k - 1, 1);
      x = masked_fill(x, lt(x, kth), kNegInf);
    }
    if (options.top_p < 1.0) x = top_p_filter(x, options.top_p);
    // Gumbel-max: argmax(x + G), G = −ln(−ln U), is a draw from softmax(x); filtered tokens
    // (−inf) are never drawn.
    const Tensor u = rand(x.shape(), DType::Float64, options.generator);
    ids = argmax(sub(x, log(neg(log(u)))), 1);
  }
  return logits.dim() == 1 ? ids.reshape(Shape{}) : ids;
}

}  // namespace nabla::nn::functional
