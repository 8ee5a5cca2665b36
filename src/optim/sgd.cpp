#include "nabla/optim/sgd.h"

#include "kernels/cpu/optim.h"
#include "optim/update_util.h"

namespace nabla::optim {

Options SGDOptions::to_options() const {
  return {{"lr", lr}, {"momentum", momentum}, {"dampening", dampening}, {"weight_decay", weight_decay},
          {"nesterov", nesterov ? 1.0 : 0.0}, {"maximize", maximize ? 1.0 : 0.0}};
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : SGD(single_group(std::move(params)), options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options) : Optimizer(options.to_options()) {
  init_groups(std::move(groups));
}

void SGD::validate(const Options& o) const {
  const double lr = o.at("lr");
  NABLA_CHECK(!std::isnan(lr), "SGD: a learning rate is required, e.g. SGD(params, {.lr = 0.01})");
  check_option(lr >= 0, name(), "learning rate", lr, "must be >= 0");
  check_option(o.at("momentum") >= 0, name(), "momentum", o.at("momentum"), "must be >= 0");
  check_option(o.at("weight_decay") >= 0, name(), "weight_decay", o.at("weight_decay"), "must be >= 0");
  NABLA_CHECK(!(detail::flag(o, "nesterov") && (o.at("momentum") <= 0 || o.at("dampening") != 0)),
              "SGD: Nesterov momentum requires a momentum and zero dampening (momentum = ", o.at("momentum"),
              ", dampening = ", o.at("dampening"), ")");
}

void SGD::step() {
  for (auto& group : groups_) {
    const Options& o = group.options;
    const cpu::SgdHyper h{o.at("lr"), o.at("momentum"), o.at("dampening"), o.at("weight_decay"),
                          detail::flag(o, "nesterov"), detail::flag(o, "maximize")};
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& st = state(p);
      const bool first = !st.count("momentum_buffer");
      Tensor buf = h.momentum != 0 ? detail::buffer(st, "momentum_buffer", p) : Tensor();
      detail::update_param(p, name(), [&]<class T>(Tensor& pc, const Tensor& g) {
        cpu::sgd_update<T>(pc.data_ptr<T>(), g.data_ptr<T>(), buf.defined() ? buf.data_ptr<T>() : nullptr, pc.numel(),
                           h, first);
      });
    }
  }
}

}  // namespace nabla::optim
