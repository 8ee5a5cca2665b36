#pragma once
// Reductions over dim lists (empty list = all dims) and the softmax family.
#include <optional>
#include <utility>

#include "nabla/tensor.h"

namespace nabla {

Tensor sum(const Tensor& x, const IntList& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const IntList& dims = {}, bool keepdim = false);
/// Variance Σ(x − mean)² / max(0, N − correction) over dims (empty = all), with Bessel's
/// correction (1) by default, as torch.var.
Tensor var(const Tensor& x, const IntList& dims = {}, int64_t correction = 1, bool keepdim = false);
/// Standard deviation: √var(x, dims, correction, keepdim). Both need a floating-point x.
Tensor std(const Tensor& x, const IntList& dims = {}, int64_t correction = 1, bool keepdim = false);
/// Largest/smallest element overall. The gradient goes to the max (split evenly among ties).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
/// Values and int64 indices along `dim` (first occurrence on ties, NaN counts as the extreme);
/// the gradient is routed to the returned index.
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
/// Index of the first maximum/minimum (NaN counts as one), into the flattened x when dim is absent.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// log Σ exp(x) along dims (empty = all), computed stably; integer x computes in float32.
Tensor logsumexp(const Tensor& x, const IntList& dims, bool keepdim = false);
/// Cumulative sum along `dim` (torch.cumsum): y_r = Σ_{s ≤ r} x_s. The result has `dtype` when
/// given (x is converted first), else x's dtype, with integer and bool inputs summed in int64.
/// Floating sums run in double. The gradient is the reverse cumulative sum of g.
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// e^x / Σ e^x along dim (stable: shifted by the max). Floating-point x only.
Tensor softmax(const Tensor& x, int64_t dim);
/// log(softmax(x, dim)) computed directly as (x − max) − log Σ e^(x − max).
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace nabla
