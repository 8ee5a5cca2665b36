#pragma once
// nn::Linear — the fully connected layer.
#include "nabla/nn/module.h"
#include "nabla/nn/summary.h"

namespace nabla::nn {

/// y = x·Wᵀ + b (torch.nn.Linear). weight is (out_features, in_features) and bias (out_features);
/// both start as U(−1/√in_features, 1/√in_features), PyTorch's default (kaiming_uniform_ with
/// a = √5 for the weight). Input (*, in_features) → output (*, out_features).
class Linear : public UnaryModule, public SummaryGeometry {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  /// Redraws weight and bias as at construction.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;
  /// (weight + bias elements) × rows of the input (every dim but the last).
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;

  int64_t in_features, out_features;
  Tensor weight, bias;
};

}  // namespace nabla::nn
