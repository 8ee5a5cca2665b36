#pragma once
// Reductions over dim lists (empty list = all dims) and the softmax family.
#include <optional>
#include <utility>

#include "nabla/tensor.h"

namespace nabla {

Tensor sum(const Tensor& x, const IntList& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const IntList& dims = {}, bool keepdim = false);
/// Variance with Bessel's correction by default (correction=1), as torch.var.
Tensor var(const Tensor& x, const IntList& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const IntList& dims = {}, int64_t correction = 1, bool keepdim = false);
/// Largest/smallest element overall. The gradient goes to the max (split evenly among ties).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
/// Values and indices along `dim`; the gradient is routed to the (first) arg-max.
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
/// Index of the first maximum (flattened when dim is absent).
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// log Σ exp(x) along dims, computed stably.
Tensor logsumexp(const Tensor& x, const IntList& dims, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace nabla
