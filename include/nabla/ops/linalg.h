#pragma once
// Matrix products through BLAS.
#include "nabla/tensor.h"

namespace nabla {

/// torch.matmul semantics: 1-d·1-d dot, 2-d mm, batched with broadcasting of batch dims,
/// 1-d operands promoted (and the added dim removed afterwards).
Tensor matmul(const Tensor& a, const Tensor& b);
/// (n, k)·(k, m) → (n, m).
Tensor mm(const Tensor& a, const Tensor& b);
/// (B, n, k)·(B, k, m) → (B, n, m).
Tensor bmm(const Tensor& a, const Tensor& b);

}  // namespace nabla
