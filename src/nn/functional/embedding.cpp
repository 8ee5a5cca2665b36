// Embedding lookup: a row gather forward, a row scatter-add backward that skips padding_idx.
#include "nabla/nn/functional/embedding.h"

#include <cstring>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  NABLA_CHECK(weight.dim() == 2, "embedding: weight must be 2-d (num_embeddings, embedding_dim), got shape ",
              weight.shape());
  NABLA_CHECK(indices.dtype() == DType::Int64, "embedding: indices must be int64, got ", dtype_name(indices.dtype()),
              " of shape ", indices.shape());
  NABLA_CHECK(is_floating(weight.dtype()), "embedding: weight must be floating point, got ", dtype_name(weight.dtype()));
  const int64_t num = weight.size(0), dim = weight.size(1);
  if (padding_idx) {
    NABLA_CHECK(*padding_idx >= -num && *padding_idx < num, "embedding: padding_idx ", *padding_idx,
                " must be within num_embeddings (", num, ")");
    if (*padding_idx < 0) *padding_idx += num;
  }
  const Tensor idx = indices.contiguous();
  const int64_t n = idx.numel();
  const Tensor w = weight.detach().contiguous();
  Shape out_shape = indices.shape();
  out_shape.push_back(dim);
  Tensor out = ops::embedding_forward(idx, w, out_shape);
  if (!autograd::needs_grad({weight})) return out;
  // ∂L/∂W[r] = Σ over positions i with index r of G[i] (rows of the output gradient), and 0 for
  // r = padding_idx. Positions are visited in order, so duplicates accumulate deterministically.
  const int64_t pad = padding_idx.value_or(-1);
  const DType dt = weight.dtype();
  autograd::record(out, "embedding", {weight}, [idx, num, dim, n, pad, dt](const Tensor& g_in) {
    const Tensor g = g_in.contiguous();
    Tensor gw = ops::embedding_backward(g, idx, num, dim, pad);
    return std::vector<Tensor>{gw};
  });
  return out;
}

}  // namespace nabla::nn::functional
