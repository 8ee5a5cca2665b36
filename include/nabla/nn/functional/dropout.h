#pragma once
// Functional dropout family (torch.nn.functional.dropout, dropout2d, alpha_dropout, and timm's
// drop_path). p is the probability of dropping. Masks are drawn from `gen`, or from the default
// generator (deterministic under nabla::manual_seed) when it is null. p outside [0, 1] raises Error.
#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// Inverted dropout: in training each element is zeroed with probability p and the kept ones are
/// scaled by 1/(1 − p) (so the expectation is unchanged); p = 1 gives zeros. Identity when not
/// training or p = 0. Differentiable (the gradient is masked and scaled the same way).
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, Generator* gen = nullptr);

/// Channel dropout for (N, C, H, W) or unbatched (C, H, W) input: whole channels are zeroed with
/// probability p, the others scaled by 1/(1 − p). (A 3-d input is read as (C, H, W), the
/// semantics PyTorch announces for it; PyTorch 1.13 still reads it as (N, C, L).)
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true, Generator* gen = nullptr);

/// Alpha dropout for SELU networks (keeps zero mean and unit variance): a dropped element is set
/// to −α' with α' = λ·α ≈ 1.7581 (SELU's saturation value), then the affine map a·x + b restores
/// the moments: a = ((1 − p)(1 + p·α'²))^(−1/2), b = a·α'·p. Identity when not training.
Tensor alpha_dropout(const Tensor& input, double p = 0.5, bool training = false, Generator* gen = nullptr);

/// Stochastic depth: each sample (dim 0) of the residual branch `input` is zeroed with probability
/// p; kept samples are scaled by 1/(1 − p) when scale_by_keep. Identity when not training or p = 0.
Tensor drop_path(const Tensor& input, double p = 0.0, bool training = false, bool scale_by_keep = true,
                 Generator* gen = nullptr);

}  // namespace nabla::nn::functional
