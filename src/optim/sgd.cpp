#include "nabla/optim/sgd.h"

#include "ops/optim_kernels.h"
#include "optim/update_util.h"

namespace nabla::optim {

SGDOptions SGDGroupOptions::over(SGDOptions d) const {
  detail::override_with(d.lr, lr), detail::override_with(d.momentum, momentum);
  detail::override_with(d.dampening, dampening), detail::override_with(d.weight_decay, weight_decay);
  detail::override_with(d.nesterov, nesterov), detail::override_with(d.maximize, maximize);
  return d;
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : SGD(single_group(std::move(params)), options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options) : OptimizerWith(options) {
  init_groups(std::move(groups));
}

std::span<const StateEntry> SGD::state_entries() const {
  static constexpr StateEntry entries[] = {{"momentum_buffer", true}};
  return entries;
}

void SGD::validate(const SGDOptions& o) const {
  NABLA_CHECK(!std::isnan(o.lr), "SGD: a learning rate is required, e.g. SGD(params, {.lr = 0.01})");
  check_option(o.lr >= 0, name(), "learning rate", o.lr, "must be >= 0");
  check_option(o.momentum >= 0, name(), "momentum", o.momentum, "must be >= 0");
  check_option(o.weight_decay >= 0, name(), "weight_decay", o.weight_decay, "must be >= 0");
  NABLA_CHECK(!(o.nesterov && (o.momentum <= 0 || o.dampening != 0)),
              "SGD: Nesterov momentum requires a momentum and zero dampening (momentum = ", o.momentum,
              ", dampening = ", o.dampening, ")");
}

void SGD::step() {
  for_each_param_with_grad([&](const SGDOptions& o, const Tensor& p, ParamState& st) {
    const ops::SgdHyper h{o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, o.maximize};
    const bool first = !st.count("momentum_buffer");
    Tensor buf = h.momentum != 0 ? detail::buffer(st, "momentum_buffer", p) : Tensor();
    detail::update_param(p, name(), [&](Tensor& pc, const Tensor& g, const char* op) {
      ops::sgd_step_(pc, g, buf, h, first, op);
    });
  });
}

}  // namespace nabla::optim
