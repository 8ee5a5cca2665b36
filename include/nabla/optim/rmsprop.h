#pragma once
// RMSprop: steps scaled by a running average of squared gradients (optionally centered, with momentum).
#include <optional>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of RMSprop (torch.optim.RMSprop).
struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys).
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("alpha", o.alpha), v("eps", o.eps), v("weight_decay", o.weight_decay);
    v("momentum", o.momentum), v("centered", o.centered), v("maximize", o.maximize);
  }
};

/// What one parameter group of RMSprop sets for itself; unset fields take the optimizer's defaults.
struct RMSpropGroupOptions {
  std::optional<double> lr, alpha, eps, weight_decay, momentum;
  std::optional<bool> centered, maximize;
  /// `defaults` with the fields set here replaced.
  RMSpropOptions over(RMSpropOptions defaults) const;
};

/// PyTorch's RMSprop: d = g + wd·p, v ← α·v + (1 − α)·d²; centered subtracts the square of the
/// running mean gradient ḡ ← α·ḡ + (1 − α)·d; a = √(v [− ḡ²]) + eps; with momentum μ:
/// b ← μ·b + d/a, p ← p − lr·b; else p ← p − lr·d/a. State: "step", "square_avg",
/// "momentum_buffer" (μ > 0), "grad_avg" (centered).
class RMSprop : public OptimizerWith<RMSpropOptions, RMSpropGroupOptions> {
 public:
  RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options = {});
  std::string name() const override { return "RMSprop"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const RMSpropOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;
};

}  // namespace nabla::optim
