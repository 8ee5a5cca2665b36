#pragma once
// Adadelta: RMSprop-like steps whose scale comes from a running average of past updates.
#include <optional>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of Adadelta (torch.optim.Adadelta).
struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  bool maximize = false;
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys).
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("rho", o.rho), v("eps", o.eps), v("weight_decay", o.weight_decay), v("maximize", o.maximize);
  }
};

/// What one parameter group of Adadelta sets for itself; unset fields take the optimizer's defaults.
struct AdadeltaGroupOptions {
  std::optional<double> lr, rho, eps, weight_decay;
  std::optional<bool> maximize;
  /// `defaults` with the fields set here replaced.
  AdadeltaOptions over(AdadeltaOptions defaults) const;
};

/// PyTorch's Adadelta: d = g + wd·p, v ← ρ·v + (1 − ρ)·d², δ = √(u + eps)/√(v + eps)·d,
/// u ← ρ·u + (1 − ρ)·δ², p ← p − lr·δ. State: "step", "square_avg", "acc_delta".
class Adadelta : public OptimizerWith<AdadeltaOptions, AdadeltaGroupOptions> {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {});
  Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options = {});
  std::string name() const override { return "Adadelta"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const AdadeltaOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;
};

}  // namespace nabla::optim
