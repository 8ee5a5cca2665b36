#include "nabla/optim/adagrad.h"

#include "kernels/cpu/optim.h"
#include "optim/update_util.h"

namespace nabla::optim {

Options AdagradOptions::to_options() const {
  return {{"lr", lr}, {"lr_decay", lr_decay}, {"weight_decay", weight_decay},
          {"initial_accumulator_value", initial_accumulator_value}, {"eps", eps}, {"maximize", maximize ? 1.0 : 0.0}};
}

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(single_group(std::move(params)), options) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options) : Optimizer(options.to_options()) {
  init_groups(std::move(groups));
  // PyTorch creates Adagrad's state eagerly, so it is in the state dict before the first step.
  for (auto& group : groups_)
    for (const Tensor& p : group.params) {
      ParamState& st = state(p);
      st["step"] = scalar_tensor(0.0, DType::Float64);
      st["sum"] = full(p.shape(), group.options.at("initial_accumulator_value"), p.dtype());
    }
}

void Adagrad::validate(const Options& o) const {
  check_option(o.at("lr") >= 0, name(), "learning rate", o.at("lr"), "must be >= 0");
  check_option(o.at("lr_decay") >= 0, name(), "lr_decay", o.at("lr_decay"), "must be >= 0");
  check_option(o.at("weight_decay") >= 0, name(), "weight_decay", o.at("weight_decay"), "must be >= 0");
  check_option(o.at("initial_accumulator_value") >= 0, name(), "initial_accumulator_value",
               o.at("initial_accumulator_value"), "must be >= 0");
  check_option(o.at("eps") >= 0, name(), "epsilon", o.at("eps"), "must be >= 0");
}

void Adagrad::step() {
  for (auto& group : groups_) {
    const Options& o = group.options;
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& st = state(p);
      Tensor sum = detail::buffer(st, "sum", p, o.at("initial_accumulator_value"));
      const double step = detail::increment_step(st);
      const cpu::AdagradHyper h{o.at("lr") / (1 + (step - 1) * o.at("lr_decay")), o.at("weight_decay"), o.at("eps"),
                                detail::flag(o, "maximize")};
      detail::update_param(p, name(), [&]<class T>(Tensor& pc, const Tensor& g) {
        cpu::adagrad_update<T>(pc.data_ptr<T>(), g.data_ptr<T>(), sum.data_ptr<T>(), pc.numel(), h);
      });
    }
  }
}

}  // namespace nabla::optim
