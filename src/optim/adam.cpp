#include "nabla/optim/adam.h"

#include "ops/optim_kernels.h"
#include "optim/update_util.h"

namespace nabla::optim {

AdamOptions AdamGroupOptions::over(AdamOptions d) const {
  detail::override_with(d.lr, lr), detail::override_with(d.betas, betas), detail::override_with(d.eps, eps);
  detail::override_with(d.weight_decay, weight_decay), detail::override_with(d.amsgrad, amsgrad);
  detail::override_with(d.maximize, maximize);
  return d;
}

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Adam(single_group(std::move(params)), options) {}
Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options, false) {}
Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled)
    : OptimizerWith(options), decoupled_(decoupled) {
  init_groups(std::move(groups));
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options) : AdamW(single_group(std::move(params)), options) {}
AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options) : Adam(std::move(groups), options, true) {}

std::span<const StateEntry> Adam::state_entries() const {
  static constexpr StateEntry entries[] = {
      {"step", false}, {"exp_avg", true}, {"exp_avg_sq", true}, {"max_exp_avg_sq", true}};
  return entries;
}

void Adam::validate(const AdamOptions& o) const {
  const std::string n = name();
  check_option(o.lr >= 0, n, "learning rate", o.lr, "must be >= 0");
  check_option(o.eps >= 0, n, "epsilon", o.eps, "must be >= 0");
  const auto [beta1, beta2] = o.betas;
  check_option(beta1 >= 0 && beta1 < 1, n, "beta parameter at index 0", beta1, "must be in [0, 1)");
  check_option(beta2 >= 0 && beta2 < 1, n, "beta parameter at index 1", beta2, "must be in [0, 1)");
  check_option(o.weight_decay >= 0, n, "weight_decay", o.weight_decay, "must be >= 0");
}

void Adam::step() {
  for_each_param_with_grad([&](const AdamOptions& o, const Tensor& p, ParamState& st) {
    Tensor m = detail::buffer(st, "exp_avg", p);
    Tensor v = detail::buffer(st, "exp_avg_sq", p);
    Tensor vmax = o.amsgrad ? detail::buffer(st, "max_exp_avg_sq", p) : Tensor();
    const double step = detail::increment_step(st);
    const ops::AdamHyper h{o.lr,  o.betas.first, o.betas.second, o.eps, o.weight_decay,
                           step, o.amsgrad,     o.maximize,     decoupled_};
    detail::update_param(p, name(), [&](Tensor& pc, const Tensor& g, const char* op) {
      ops::adam_step_(pc, g, m, v, vmax, h, op);
    });
  });
}

}  // namespace nabla::optim
