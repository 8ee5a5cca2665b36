#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.
#include <limits>
#include <optional>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of SGD (torch.optim.SGD). lr has no default: leaving it unset raises Error.
struct SGDOptions {
  double lr = std::numeric_limits<double>::quiet_NaN();
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys).
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("momentum", o.momentum), v("dampening", o.dampening), v("weight_decay", o.weight_decay);
    v("nesterov", o.nesterov), v("maximize", o.maximize);
  }
};

/// What one parameter group of SGD sets for itself; unset fields take the optimizer's defaults.
struct SGDGroupOptions {
  std::optional<double> lr, momentum, dampening, weight_decay;
  std::optional<bool> nesterov, maximize;
  /// `defaults` with the fields set here replaced.
  SGDOptions over(SGDOptions defaults) const;
};

/// PyTorch's SGD: d = g + wd·p; with momentum μ: b ← μ·b + (1 − dampening)·d (b = d on the first
/// step), d = nesterov ? d + μ·b : b; p ← p − lr·d. State: "momentum_buffer". Example:
///   optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
///   opt.zero_grad(); loss.backward(); opt.step();
/// With parameter groups (the head keeps momentum 0.9 and gets its own lr):
///   optim::SGD opt({{body->parameters(), {}}, {head->parameters(), {.lr = 0.01}}}, {.lr = 0.1, .momentum = 0.9});
class SGD : public OptimizerWith<SGDOptions, SGDGroupOptions> {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  SGD(std::vector<ParamGroup> groups, SGDOptions options);
  std::string name() const override { return "SGD"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const SGDOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;
};

}  // namespace nabla::optim
