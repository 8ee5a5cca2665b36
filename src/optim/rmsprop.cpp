#include "nabla/optim/rmsprop.h"

#include "ops/optim_kernels.h"
#include "optim/update_util.h"

namespace nabla::optim {

RMSpropOptions RMSpropGroupOptions::over(RMSpropOptions d) const {
  detail::override_with(d.lr, lr), detail::override_with(d.alpha, alpha), detail::override_with(d.eps, eps);
  detail::override_with(d.weight_decay, weight_decay), detail::override_with(d.momentum, momentum);
  detail::override_with(d.centered, centered), detail::override_with(d.maximize, maximize);
  return d;
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(single_group(std::move(params)), options) {}
RMSprop::RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options) : OptimizerWith(options) {
  init_groups(std::move(groups));
}

std::span<const StateEntry> RMSprop::state_entries() const {
  static constexpr StateEntry entries[] = {
      {"step", false}, {"square_avg", true}, {"momentum_buffer", true}, {"grad_avg", true}};
  return entries;
}

void RMSprop::validate(const RMSpropOptions& o) const {
  check_option(o.lr >= 0, name(), "learning rate", o.lr, "must be >= 0");
  check_option(o.eps >= 0, name(), "epsilon", o.eps, "must be >= 0");
  check_option(o.momentum >= 0, name(), "momentum", o.momentum, "must be >= 0");
  check_option(o.weight_decay >= 0, name(), "weight_decay", o.weight_decay, "must be >= 0");
  check_option(o.alpha >= 0, name(), "alpha", o.alpha, "must be >= 0");
}

void RMSprop::step() {
  for_each_param_with_grad([&](const RMSpropOptions& o, const Tensor& p, ParamState& st) {
    const ops::RmspropHyper h{o.lr, o.alpha, o.eps, o.weight_decay, o.momentum, o.centered, o.maximize};
    Tensor sq = detail::buffer(st, "square_avg", p);
    Tensor buf = h.momentum > 0 ? detail::buffer(st, "momentum_buffer", p) : Tensor();
    Tensor ga = h.centered ? detail::buffer(st, "grad_avg", p) : Tensor();
    detail::increment_step(st);
    detail::update_param(p, name(), [&](Tensor& pc, const Tensor& g, const char* op) {
      ops::rmsprop_step_(pc, g, sq, ga, buf, h, op);
    });
  });
}

}  // namespace nabla::optim
