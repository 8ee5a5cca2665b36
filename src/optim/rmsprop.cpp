#include "nabla/optim/rmsprop.h"

#include "kernels/cpu/optim.h"
#include "optim/update_util.h"

namespace nabla::optim {

Options RMSpropOptions::to_options() const {
  return {{"lr", lr}, {"alpha", alpha}, {"eps", eps}, {"weight_decay", weight_decay}, {"momentum", momentum},
          {"centered", centered ? 1.0 : 0.0}, {"maximize", maximize ? 1.0 : 0.0}};
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(single_group(std::move(params)), options) {}
RMSprop::RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options) : Optimizer(options.to_options()) {
  init_groups(std::move(groups));
}

void RMSprop::validate(const Options& o) const {
  check_option(o.at("lr") >= 0, name(), "learning rate", o.at("lr"), "must be >= 0");
  check_option(o.at("eps") >= 0, name(), "epsilon", o.at("eps"), "must be >= 0");
  check_option(o.at("momentum") >= 0, name(), "momentum", o.at("momentum"), "must be >= 0");
  check_option(o.at("weight_decay") >= 0, name(), "weight_decay", o.at("weight_decay"), "must be >= 0");
  check_option(o.at("alpha") >= 0, name(), "alpha", o.at("alpha"), "must be >= 0");
}

void RMSprop::step() {
  for (auto& group : groups_) {
    const Options& o = group.options;
    const cpu::RmspropHyper h{o.at("lr"), o.at("alpha"), o.at("eps"), o.at("weight_decay"), o.at("momentum"),
                              detail::flag(o, "centered"), detail::flag(o, "maximize")};
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& st = state(p);
      Tensor sq = detail::buffer(st, "square_avg", p);
      Tensor buf = h.momentum > 0 ? detail::buffer(st, "momentum_buffer", p) : Tensor();
      Tensor ga = h.centered ? detail::buffer(st, "grad_avg", p) : Tensor();
      detail::increment_step(st);
      detail::update_param(p, name(), [&]<class T>(Tensor& pc, const Tensor& g) {
        cpu::rmsprop_update<T>(pc.data_ptr<T>(), g.data_ptr<T>(), sq.data_ptr<T>(),
                               ga.defined() ? ga.data_ptr<T>() : nullptr, buf.defined() ? buf.data_ptr<T>() : nullptr,
                               pc.numel(), h);
      });
    }
  }
}

}  // namespace nabla::optim
