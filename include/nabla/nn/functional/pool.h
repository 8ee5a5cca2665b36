#pragma once
// nn::functional pooling: max / average pooling (1-d, 2-d, 3-d), adaptive pooling, power-average
// pooling and max unpooling, with PyTorch's argument names, order, defaults and output sizes.
//
// Size arguments (PoolInts) hold one value, used for every spatial dim, or one per spatial dim:
// max_pool2d(x, 2) or max_pool2d(x, {3, 2}, {2, 1}). An empty stride ({}) means "= kernel_size".
// Inputs are (N, C, *spatial) or unbatched (C, *spatial). Output size along a dim:
//   floor_or_ceil((in + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1,
// where with ceil_mode the last window must start inside the input or the left padding
// (else it is dropped). A non-positive output size raises Error naming the op, the input shape
// and the parameters. Floating-point inputs only (float32, float64); every op is differentiable.
#include <initializer_list>
#include <optional>
#include <utility>

#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// A pooling size argument: one value for every spatial dim (`2`) or one per dim (`{3, 2}`);
/// empty (`{}`) means "not given" (a stride then equals the kernel size).
struct PoolInts {
  IntList values;
  PoolInts() = default;
  PoolInts(int v) : values{v} {}
  PoolInts(int64_t v) : values{v} {}
  PoolInts(std::initializer_list<int64_t> v) : values(v) {}
  PoolInts(IntList v) : values(std::move(v)) {}
};

// ---- max pooling ---------------------------------------------------------------------------

/// 1-d max pooling of (N, C, L) or (C, L). dilation spaces the window taps; padding is −inf.
Tensor max_pool1d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, const PoolInts& dilation = 1, bool ceil_mode = false);
/// 2-d max pooling of (N, C, H, W) or (C, H, W).
Tensor max_pool2d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, const PoolInts& dilation = 1, bool ceil_mode = false);
/// 3-d max pooling of (N, C, D, H, W) or (C, D, H, W).
Tensor max_pool3d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, const PoolInts& dilation = 1, bool ceil_mode = false);

/// Max pooling that also returns, per output, the flat int64 index of the maximum within its
/// (spatial) plane — PyTorch's return_indices=True; the indices feed max_unpool*.
/// Ties go to the first position in row-major order; NaN propagates.
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride = {}, const PoolInts& padding = 0,
                                                  const PoolInts& dilation = 1, bool ceil_mode = false);
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride = {}, const PoolInts& padding = 0,
                                                  const PoolInts& dilation = 1, bool ceil_mode = false);
std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride = {}, const PoolInts& padding = 0,
                                                  const PoolInts& dilation = 1, bool ceil_mode = false);

// ---- average pooling ------------------------------------------------------------------------

/// 1-d average pooling. Padding counts as zeros in the divisor when count_include_pad; windows
/// that ceil_mode extends past the padded input are divided by their clipped size.
Tensor avg_pool1d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, bool ceil_mode = false, bool count_include_pad = true);
/// 2-d average pooling; divisor_override (non-zero) replaces every window's divisor.
Tensor avg_pool2d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
/// 3-d average pooling.
Tensor avg_pool3d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride = {},
                  const PoolInts& padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

// ---- adaptive pooling -------------------------------------------------------------------------

/// Average over windows chosen so that the output has `output_size` (window o along a dim of
/// size I covers [floor(o·I/O), ceil((o+1)·I/O)), as PyTorch). output_size: one value per
/// spatial dim, or one value for all.
Tensor adaptive_avg_pool1d(const Tensor& input, const PoolInts& output_size);
Tensor adaptive_avg_pool2d(const Tensor& input, const PoolInts& output_size);
Tensor adaptive_avg_pool3d(const Tensor& input, const PoolInts& output_size);
/// Maximum over the adaptive windows.
Tensor adaptive_max_pool1d(const Tensor& input, const PoolInts& output_size);
Tensor adaptive_max_pool2d(const Tensor& input, const PoolInts& output_size);
Tensor adaptive_max_pool3d(const Tensor& input, const PoolInts& output_size);
/// Adaptive max pooling returning the flat int64 index of each maximum within its plane.
std::pair<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const PoolInts& output_size);
std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const PoolInts& output_size);
std::pair<Tensor, Tensor> adaptive_max_pool3d_with_indices(const Tensor& input, const PoolInts& output_size);

// ---- power-average pooling ------------------------------------------------------------------

/// (Σ_window x^p)^(1/p) over 1-d windows (no padding), as PyTorch:
/// (avg_pool(x^p) · kernel_volume)^(1/p). p = ∞ is max pooling in the limit; p = 1 sum pooling.
Tensor lp_pool1d(const Tensor& input, double norm_type, const PoolInts& kernel_size, const PoolInts& stride = {},
                 bool ceil_mode = false);
/// 2-d power-average pooling.
Tensor lp_pool2d(const Tensor& input, double norm_type, const PoolInts& kernel_size, const PoolInts& stride = {},
                 bool ceil_mode = false);

// ---- unpooling ----------------------------------------------------------------------------------

/// Partial inverse of max_pool2d: places input[n, c, i] at flat position indices[n, c, i] of a
/// zero (H_out, W_out) plane. Default output size (in − 1)·stride − 2·pad + kernel per dim;
/// `output_size` (2 values, or the full 4-d / 3-d shape) may pick a size within stride of it.
/// indices must come from max_pool2d_with_indices (same shape as input); an index outside the
/// output plane raises Error. Where overlapping windows shared a maximum an index repeats: the
/// output holds the last such input, and the gradient dL/dx[i] = dL/dy[indices[i]] reaches every
/// one of them (PyTorch's rule).
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const PoolInts& kernel_size,
                    const PoolInts& stride = {}, const PoolInts& padding = 0,
                    const std::optional<IntList>& output_size = std::nullopt);

}  // namespace nabla::nn::functional
