#pragma once
// Adam and AdamW (decoupled weight decay), both with the AMSGrad variant.
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of Adam (torch.optim.Adam); betas = (beta1, beta2).
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
  Options to_options() const;
};

/// PyTorch's Adam: d = g + wd·p, m ← β1·m + (1 − β1)·d, v ← β2·v + (1 − β2)·d²,
/// p ← p − lr/(1 − β1^t)·m/(√v̂/√(1 − β2^t) + eps) with v̂ = v, or with AMSGrad the running
/// maximum of v. State: "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (AMSGrad). Example:
///   optim::Adam opt(model->parameters(), {.lr = 3e-4});
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(std::vector<ParamGroup> groups, AdamOptions options = {});
  /// "Adam", or "AdamW" for the decoupled variant (also while constructing it).
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  using Optimizer::step;
  void step() override;

 protected:
  Adam(std::vector<ParamGroup> groups, Options options, bool decoupled);
  void validate(const Options& options) const override;

 private:
  bool decoupled_ = false;
};

/// Hyperparameters of AdamW (torch.optim.AdamW): as Adam but weight_decay defaults to 0.01.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
  Options to_options() const;
};

/// PyTorch's AdamW: p ← p·(1 − lr·wd) first (weight decay decoupled from the adaptive step), then
/// the Adam update without weight decay in the gradient. Example:
///   optim::AdamW opt(model->parameters(), {.lr = 1e-3, .weight_decay = 0.05});
class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  AdamW(std::vector<ParamGroup> groups, AdamWOptions options = {});
};

}  // namespace nabla::optim
