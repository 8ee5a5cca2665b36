#include "nabla/optim/adadelta.h"

#include "kernels/cpu/optim.h"
#include "optim/update_util.h"

namespace nabla::optim {

Options AdadeltaOptions::to_options() const {
  return {{"lr", lr}, {"rho", rho}, {"eps", eps}, {"weight_decay", weight_decay}, {"maximize", maximize ? 1.0 : 0.0}};
}

Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions options)
    : Adadelta(single_group(std::move(params)), options) {}
Adadelta::Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options) : Optimizer(options.to_options()) {
  init_groups(std::move(groups));
}

void Adadelta::validate(const Options& o) const {
  check_option(o.at("lr") >= 0, name(), "learning rate", o.at("lr"), "must be >= 0");
  check_option(o.at("rho") >= 0 && o.at("rho") <= 1, name(), "rho", o.at("rho"), "must be in [0, 1]");
  check_option(o.at("eps") >= 0, name(), "epsilon", o.at("eps"), "must be >= 0");
  check_option(o.at("weight_decay") >= 0, name(), "weight_decay", o.at("weight_decay"), "must be >= 0");
}

void Adadelta::step() {
  for (auto& group : groups_) {
    const Options& o = group.options;
    const cpu::AdadeltaHyper h{o.at("lr"), o.at("rho"), o.at("eps"), o.at("weight_decay"), detail::flag(o, "maximize")};
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& st = state(p);
      Tensor sq = detail::buffer(st, "square_avg", p);
      Tensor acc = detail::buffer(st, "acc_delta", p);
      detail::increment_step(st);
      detail::update_param(p, name(), [&]<class T>(Tensor& pc, const Tensor& g) {
        cpu::adadelta_update<T>(pc.data_ptr<T>(), g.data_ptr<T>(), sq.data_ptr<T>(), acc.data_ptr<T>(), pc.numel(), h);
      });
    }
  }
}

}  // namespace nabla::optim
