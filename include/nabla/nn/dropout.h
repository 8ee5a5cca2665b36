#pragma once
// Dropout layers: Dropout, Dropout2d, AlphaDropout, DropPath. Active in training mode only;
// identity in eval mode. p is the drop probability.
#include "nabla/nn/module.h"

namespace nabla::nn {

/// Inverted dropout (functional::dropout): kept units scaled by 1/(1 − p) in training.
class Dropout : public UnaryModule {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;
};

/// Zeroes whole channels of (N, C, H, W) / (C, H, W) inputs (functional::dropout2d).
class Dropout2d : public UnaryModule {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p;
};

/// Dropout that keeps SELU's self-normalising mean and variance (functional::alpha_dropout).
class AlphaDropout : public UnaryModule {
 public:
  explicit AlphaDropout(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AlphaDropout"; }
  std::string extra_repr() const override;
  double p;
};

/// Stochastic depth (timm's DropPath): drops the whole residual branch per sample with
/// probability drop_prob, scaling kept samples by 1/(1 − drop_prob) when scale_by_keep.
class DropPath : public UnaryModule {
 public:
  explicit DropPath(double drop_prob = 0.0, bool scale_by_keep = true);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "DropPath"; }
  std::string extra_repr() const override;
  double drop_prob;
  bool scale_by_keep;
};

}  // namespace nabla::nn
