#pragma once
// Shape layers: Flatten, Unflatten, Identity (no parameters), as PyTorch's.
#include <string>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Flattens dims start_dim..end_dim into one (a view when possible). Default keeps the batch dim:
/// (N, C, H, W) → (N, C·H·W).
class Flatten : public UnaryModule {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};

/// Splits dim `dim` into `unflattened_size` (one entry may be −1, inferred), e.g.
/// Unflatten(1, {16, 5, 5}) turns (N, 400) into (N, 16, 5, 5).
class Unflatten : public UnaryModule {
 public:
  Unflatten(int64_t dim, Shape unflattened_size) : dim(dim), unflattened_size(std::move(unflattened_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Unflatten"; }
  std::string extra_repr() const override;
  int64_t dim;
  Shape unflattened_size;
};

/// Returns its input unchanged (a placeholder, e.g. a removed classifier head).
class Identity : public UnaryModule {
 public:
  Identity() = default;
  Tensor forward(const Tensor& input) override { return input; }
  std::string name() const override { return "Identity"; }
};

}  // namespace nabla::nn
