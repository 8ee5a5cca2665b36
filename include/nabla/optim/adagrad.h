#pragma once
// Adagrad: per-coordinate step sizes from the accumulated squared gradients.
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of Adagrad (torch.optim.Adagrad).
struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;
  Options to_options() const;
};

/// PyTorch's Adagrad: d = g + wd·p, s ← s + d², p ← p − lr/(1 + (t − 1)·lr_decay)·d/(√s + eps).
/// State: "step", "sum" (created at construction, filled with initial_accumulator_value).
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions options = {});
  std::string name() const override { return "Adagrad"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim
