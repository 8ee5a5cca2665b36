#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.
#include <limits>

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
  Options to_options() const;
};

/// PyTorch's SGD: d = g + wd·p; with momentum μ: b ← μ·b + (1 − dampening)·d (b = d on the first
/// step), d = nesterov ? d + μ·b : b; p ← p − lr·d. State: "momentum_buffer". Example:
///   optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
///   opt.zero_grad(); loss.backward(); opt.step();
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  SGD(std::vector<ParamGroup> groups, SGDOptions options);
  std::string name() const override { return "SGD"; }
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim
