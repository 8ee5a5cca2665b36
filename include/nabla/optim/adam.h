#pragma once
// Adam and AdamW (decoupled weight decay), both with the AMSGrad variant.
#include <optional>
#include <utility>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of Adam (torch.optim.Adam) and AdamW (torch.optim.AdamW), which differ only in
/// the default weight decay: AdamOptions and AdamWOptions below. Saved as "beta1" and "beta2".
/// (The variant is a bool, not the default value itself: clang 14 has no double template arguments.)
template <bool Decoupled>
struct BasicAdamOptions {
  static constexpr double DefaultWeightDecay = Decoupled ? 1e-2 : 0.0;
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = DefaultWeightDecay;
  bool amsgrad = false;
  bool maximize = false;
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys).
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("beta1", o.betas.first), v("beta2", o.betas.second), v("eps", o.eps);
    v("weight_decay", o.weight_decay), v("amsgrad", o.amsgrad), v("maximize", o.maximize);
  }
  /// The same values as the other variant's options (AdamW runs as Adam with decoupled decay).
  template <bool OtherDecoupled>
  operator BasicAdamOptions<OtherDecoupled>() const {
    return {lr, betas, eps, weight_decay, amsgrad, maximize};
  }
};
using AdamOptions = BasicAdamOptions<false>;
using AdamWOptions = BasicAdamOptions<true>;

/// What one parameter group of Adam or AdamW sets for itself; unset fields take the optimizer's
/// defaults. Betas are given as a pair: {.betas = std::pair{0.9, 0.98}}.
struct AdamGroupOptions {
  std::optional<double> lr;
  std::optional<std::pair<double, double>> betas;
  std::optional<double> eps, weight_decay;
  std::optional<bool> amsgrad, maximize;
  /// `defaults` with the fields set here replaced.
  AdamOptions over(AdamOptions defaults) const;
};

/// PyTorch's Adam: d = g + wd·p, m ← β1·m + (1 − β1)·d, v ← β2·v + (1 − β2)·d²,
/// p ← p − lr/(1 − β1^t)·m/(√v̂/√(1 − β2^t) + eps) with v̂ = v, or with AMSGrad the running
/// maximum of v. State: "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (AMSGrad). Example:
///   optim::Adam opt(model->parameters(), {.lr = 3e-4, .betas = {0.9, 0.98}});
class Adam : public OptimizerWith<AdamOptions, AdamGroupOptions> {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(std::vector<ParamGroup> groups, AdamOptions options = {});
  /// "Adam", or "AdamW" for the decoupled variant (also while constructing it).
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  using Optimizer::step;
  void step() override;

 protected:
  Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled);
  void validate(const AdamOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;

 private:
  bool decoupled_ = false;
};

/// PyTorch's AdamW: p ← p·(1 − lr·wd) first (weight decay decoupled from the adaptive step), then
/// the Adam update without weight decay in the gradient. Its groups hold AdamOptions; only the
/// default weight decay (0.01) differs. Example:
///   optim::AdamW opt(model->parameters(), {.lr = 1e-3, .weight_decay = 0.05});
class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  AdamW(std::vector<ParamGroup> groups, AdamWOptions options = {});
};

}  // namespace nabla::optim
