#pragma once
// L-BFGS with an optional strong-Wolfe line search (torch.optim.LBFGS, after minFunc).
#include <string>
#include <type_traits>

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
  /// Calls v(name, field) for each field under PyTorch's name (the state dict's keys);
  /// line_search_fn is saved as "line_search_strong_wolfe" = 0/1.
  template <class O, class V>
  static void fields(O& o, V&& v) {
    v("lr", o.lr), v("max_iter", o.max_iter), v("max_eval", o.max_eval), v("tolerance_grad", o.tolerance_grad);
    v("tolerance_change", o.tolerance_change), v("history_size", o.history_size);
    v("line_search_strong_wolfe", detail::NumberView{[&o] { return o.line_search_fn.empty() ? 0.0 : 1.0; },
                                                     [&o](double x) {
                                                       if constexpr (!std::is_const_v<O>)
                                                         o.line_search_fn = x != 0 ? "strong_wolfe" : "";
                                                     }});
  }
};

/// LBFGS has no per-group options: PyTorch's LBFGS allows a single parameter group.
struct LBFGSGroupOptions {
  /// `defaults`, unchanged.
  LBFGSOptions over(LBFGSOptions defaults) const { return defaults; }
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
class LBFGS : public OptimizerWith<LBFGSOptions, LBFGSGroupOptions> {
 public:
  LBFGS(std::vector<Tensor> params, LBFGSOptions options = {});
  std::string name() const override { return "LBFGS"; }
  /// Raises Error: LBFGS needs a closure.
  void step() override;
  /// Runs the iterations described above; returns the loss of the first closure evaluation.
  Tensor step(const std::function<Tensor()>& closure) override;

 protected:
  void validate(const LBFGSOptions& options) const override;
  std::span<const StateEntry> state_entries() const override;
};

}  // namespace nabla::optim
