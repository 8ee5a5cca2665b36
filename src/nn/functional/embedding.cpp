// Embedding lookup: a row gather forward, a row scatter-add backward that skips padding_idx.
#include "nabla/nn/functional/embedding.h"

#include <cstring>

#include "kernels/cpu/loops.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

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
  const int64_t* ip = idx.data_ptr<int64_t>();
  const int64_t n = idx.numel();
  for (int64_t i = 0; i < n; ++i)
    NABLA_CHECK(ip[i] >= 0 && ip[i] < num, "embedding: index ", ip[i], " is out of range for an embedding of ", num,
                " rows (valid: 0 to ", num - 1, ")");
  const Tensor w = weight.detach().contiguous();
  Shape out_shape = indices.shape();
  out_shape.push_back(dim);
  Tensor out = empty(out_shape, weight.dtype());
  {
    const char* src = static_cast<const char*>(w.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    const size_t row = static_cast<size_t>(dim) * w.element_size();
    cpu::parallel_for(n, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(dim, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) std::memcpy(dst + i * row, src + ip[i] * row, row);
    });
  }
  if (!autograd::needs_grad({weight})) return out;
  // ∂L/∂W[r] = Σ over positions i with index r of G[i] (rows of the output gradient), and 0 for
  // r = padding_idx. Positions are visited in order, so duplicates accumulate deterministically.
  const int64_t pad = padding_idx.value_or(-1);
  const DType dt = weight.dtype();
  autograd::record(out, "embedding", {weight}, [idx, num, dim, n, pad, dt](const Tensor& g_in) {
    const Tensor g = g_in.contiguous();
    Tensor gw = zeros({num, dim}, dt);
    dispatch_floating(dt, "embedding", [&]<class T>() {
      const int64_t* ip = idx.data_ptr<int64_t>();
      const T* gp = g.data_ptr<T>();
      T* wp = gw.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        if (ip[i] == pad) continue;
        T* dst = wp + ip[i] * dim;
        const T* src = gp + i * dim;
#pragma omp simd
        for (int64_t j = 0; j < dim; ++j) dst[j] += src[j];
      }
    });
    return std::vector<Tensor>{gw};
  });
  return out;
}

}  // namespace nabla::nn::functional
