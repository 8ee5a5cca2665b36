#include "nabla/optim/adadelta.h"

#include "ops/optim_kernels.h"
#include "optim/update_util.h"

namespace nabla::optim {

AdadeltaOptions AdadeltaGroupOptions::over(AdadeltaOptions d) const {
  detail::override_with(d.lr, lr), detail::override_with(d.rho, rho), detail::override_with(d.eps, eps);
  detail::override_with(d.weight_decay, weight_decay), detail::override_with(d.maximize, maximize);
  return d;
}

Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions options)
    : Adadelta(single_group(std::move(params)), options) {}
Adadelta::Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options) : OptimizerWith(options) {
  init_groups(std::move(groups));
}

std::span<const StateEntry> Adadelta::state_entries() const {
  static constexpr StateEntry entries[] = {{"step", false}, {"square_avg", true}, {"acc_delta", true}};
  return entries;
}

void Adadelta::validate(const AdadeltaOptions& o) const {
  check_option(o.lr >= 0, name(), "learning rate", o.lr, "must be >= 0");
  check_option(o.rho >= 0 && o.rho <= 1, name(), "rho", o.rho, "must be in [0, 1]");
  check_option(o.eps >= 0, name(), "epsilon", o.eps, "must be >= 0");
  check_option(o.weight_decay >= 0, name(), "weight_decay", o.weight_decay, "must be >= 0");
}

void Adadelta::step() {
  for_each_param_with_grad([&](const AdadeltaOptions& o, const Tensor& p, ParamState& st) {
    const ops::AdadeltaHyper h{o.lr, o.rho, o.eps, o.weight_decay, o.maximize};
    Tensor sq = detail::buffer(st, "square_avg", p);
    Tensor acc = detail::buffer(st, "acc_delta", p);
    detail::increment_step(st);
    detail::update_param(p, name(), [&](Tensor& pc, const Tensor& g, const char* op) {
      ops::adadelta_step_(pc, g, sq, acc, h, op);
    });
  });
}

}  // namespace nabla::optim
