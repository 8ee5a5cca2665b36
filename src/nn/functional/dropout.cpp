// Dropout family: a random keep-mask (already scaled) times the input, so the gradient is the same
// mask times the output gradient (through mul's rule).
#include "nabla/nn/functional/dropout.h"

#include <cmath>

#include "nabla/ops.h"
#include "ops/nn_util.h"

namespace nabla::nn::functional {
namespace {

void check_probability(double p, const char* op) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, op, ": dropout probability has to be between 0 and 1, but got ", p);
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool training, Generator* gen) {
  check_probability(p, "dropout");
  if (!training || p == 0.0 || input.numel() == 0) return input;
  NABLA_CHECK(is_floating(input.dtype()), "dropout: input must be floating point, got ", dtype_name(input.dtype()));
  if (p == 1.0) return mul(input, 0.0);
  return mul(input, ops::dropout_keep_mask(input.shape(), 1.0 - p, 1.0 / (1.0 - p), input.dtype(), gen));
}

Tensor dropout2d(const Tensor& input, double p, bool training, Generator* gen) {
  check_probability(p, "dropout2d");
  NABLA_CHECK(input.dim() == 3 || input.dim() == 4, "dropout2d: expected 3-d (C, H, W) or 4-d (N, C, H, W) input, got shape ",
              input.shape());
  if (!training || p == 0.0 || input.numel() == 0) return input;
  NABLA_CHECK(is_floating(input.dtype()), "dropout2d: input must be floating point, got ", dtype_name(input.dtype()));
  if (p == 1.0) return mul(input, 0.0);
  Shape mask_shape = input.shape();  // one draw per channel, broadcast over H and W
  mask_shape[mask_shape.size() - 1] = 1;
  mask_shape[mask_shape.size() - 2] = 1;
  return mul(input, ops::dropout_keep_mask(mask_shape, 1.0 - p, 1.0 / (1.0 - p), input.dtype(), gen));
}

Tensor alpha_dropout(const Tensor& input, double p, bool training, Generator* gen) {
  check_probability(p, "alpha_dropout");
  if (!training || p == 0.0 || input.numel() == 0) return input;
  NABLA_CHECK(is_floating(input.dtype()), "alpha_dropout: input must be floating point, got ",
              dtype_name(input.dtype()));
  if (p == 1.0) return mul(input, 0.0);
  // With keep-mask m ∈ {0, 1}: y = a·(m·x + (1 − m)·(−α')) + b = (a·m)·x + (a·α'·(m − 1) + b).
  constexpr double alpha = 1.7580993408473766;  // SELU's λ·α
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1.0) * (1.0 - p));
  const double b = a * alpha * p;
  const Tensor keep = ops::dropout_keep_mask(input.shape(), 1.0 - p, 1.0, input.dtype(), gen);
  return add(mul(input, mul(keep, a)), add(mul(keep, a * alpha), b - a * alpha));
}

Tensor drop_path(const Tensor& input, double p, bool training, bool scale_by_keep, Generator* gen) {
  check_probability(p, "drop_path");
  if (!training || p == 0.0 || input.numel() == 0) return input;
  NABLA_CHECK(input.dim() >= 1, "drop_path: expected an input with a batch dim, got shape ", input.shape());
  NABLA_CHECK(is_floating(input.dtype()), "drop_path: input must be floating point, got ", dtype_name(input.dtype()));
  const double keep = 1.0 - p;
  Shape mask_shape(static_cast<size_t>(input.dim()), 1);
  mask_shape[0] = input.size(0);
  const double scale = (keep > 0.0 && scale_by_keep) ? 1.0 / keep : 1.0;
  return mul(input, ops::dropout_keep_mask(mask_shape, keep, scale, input.dtype(), gen));
}

}  // namespace nabla::nn::functional
