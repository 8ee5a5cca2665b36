#pragma once
// Adagrad: per-coordinate step sizes from the accumulated squared gradients.
#include <optional>

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
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys).
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("lr_decay", o.lr_decay), v("weight_decay", o.weight_decay);
    v("initial_accumulator_value", o.initial_accumulator_value), v("eps", o.eps), v("maximize", o.maximize);
  }
};

/// What one parameter group of Adagrad sets for itself; unset fields take the optimizer's defaults.
struct AdagradGroupOptions {
  std::optional<double> lr, lr_decay, weight_decay, initial_accumulator_value, eps;
  std::optional<bool> maximize;
  /// `defaults` with the fields set here replaced.
  AdagradOptions over(AdagradOptions defaults) const;
};

/// PyTorch's Adagrad: d = g + wd·p, s ← s + d², p ← p − lr/(1 + (t − 1)·lr_decay)·d/(√s + eps).
/// State: "step", "sum" (created at construction, filled with initial_accumulator_value).
class Adagrad : public OptimizerWith<AdagradOptions, AdagradGroupOptions> {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions options = {});
  std::string name() const override { return "Adagrad"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const AdagradOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;
};

}  // namespace nabla::optim
