#pragma once
// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_). Both act in place on the
// .grad of each parameter and skip parameters without a gradient.
#include <limits>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn::utils {

/// Rescales the gradients so that their joint norm is at most max_norm: the total norm is the
/// norm_type-norm of the per-parameter gradient norms (norm_type = ∞ for the largest |g|), and
/// every gradient is multiplied by min(1, max_norm/(total + 1e−6)), as PyTorch does. Returns the
/// total norm before clipping (0-d, the gradients' dtype). With error_if_nonfinite a NaN or
/// infinite total raises Error instead of clipping. Example:
///   loss.backward(); nn::utils::clip_grad_norm_(model->parameters(), 1.0); opt.step();
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient element into [−clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace nabla::nn::utils

namespace nabla::nn {
using utils::clip_grad_norm_;
using utils::clip_grad_value_;
}  // namespace nabla::nn
