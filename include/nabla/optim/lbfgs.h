#pragma once
// L-BFGS with an optional strong-Wolfe line search (torch.optim.LBFGS, after minFunc).
#include <string>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Hyperparameters of LBFGS (torch.optim.LBFGS). max_eval ≤ 0 means max_iter·5/4.
struct LBFGSOptions {
  double lr = 1.0;
  int64_t max_iter = 20;
  int64_t max_eval = 0;
  double tolerance_grad = 1e-7;
  double tolerance_change = 1e-9;
  int64_t history_size = 100;
  std::string line_search_fn = {};  ///< "" (fixed step lr) or "strong_wolfe"
  Options to_options() const;
};

/// Limited-memory BFGS. Each step(closure) runs up to max_iter iterations: the search direction
/// comes from the two-loop recursion over the last history_size (s, y) pairs, scaled by
/// H = sᵀy/yᵀy; the step length is lr (the first iteration min(1, 1/‖g‖₁)·lr), or is chosen by
/// a strong-Wolfe line search (c1 = 1e−4, c2 = 0.9, cubic interpolation, ≤ 25 evaluations).
/// Stops early when max|g| ≤ tolerance_grad, or the step or the loss change is below
/// tolerance_change, or max_eval evaluations were spent. Only one parameter group is allowed.
/// The closure must zero the gradients, compute the loss, call backward and return the loss:
///   optim::LBFGS opt(model->parameters(), {.line_search_fn = "strong_wolfe"});
///   opt.step([&] { opt.zero_grad(); Tensor l = loss_fn(model->forward(x), y); l.backward(); return l; });
/// Its internal vectors are kept in float64. State (on the first parameter): "d", "t",
/// "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "n_iter", "func_evals".
class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<Tensor> params, LBFGSOptions options = {});
  std::string name() const override { return "LBFGS"; }
  /// Raises Error: LBFGS needs a closure.
  void step() override;
  /// Runs the iterations described above; returns the loss of the first closure evaluation.
  Tensor step(const std::function<Tensor()>& closure) override;

 protected:
  void validate(const Options& options) const override;
  std::vector<std::string> param_shaped_state() const override { return {}; }
};

}  // namespace nabla::optim
