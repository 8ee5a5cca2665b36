#pragma once
// Adadelta: RMSprop-like steps whose scale comes from a running average of past updates.
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of Adadelta (torch.optim.Adadelta).
struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  bool maximize = false;
  Options to_options() const;
};

/// PyTorch's Adadelta: d = g + wd·p, v ← ρ·v + (1 − ρ)·d², δ = √(u + eps)/√(v + eps)·d,
/// u ← ρ·u + (1 − ρ)·δ², p ← p − lr·δ. State: "step", "square_avg", "acc_delta".
class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {});
  Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options = {});
  std::string name() const override { return "Adadelta"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim
