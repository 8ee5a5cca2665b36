#include "nabla/optim/adagrad.h"

#include "ops/optim_kernels.h"
#include "optim/update_util.h"

namespace nabla::optim {

AdagradOptions AdagradGroupOptions::over(AdagradOptions d) const {
  detail::override_with(d.lr, lr), detail::override_with(d.lr_decay, lr_decay);
  detail::override_with(d.weight_decay, weight_decay);
  detail::override_with(d.initial_accumulator_value, initial_accumulator_value);
  detail::override_with(d.eps, eps), detail::override_with(d.maximize, maximize);
  return d;
}

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(single_group(std::move(params)), options) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options) : OptimizerWith(options) {
  init_groups(std::move(groups));
  // PyTorch creates Adagrad's state eagerly, so it is in the state dict before the first step.
  for (auto& group : groups_)
    for (const Tensor& p : group.params) {
      ParamState& st = state(p);
      st["step"] = scalar_tensor(0.0, DType::Float64);
      st["sum"] = full(p.shape(), group.options.initial_accumulator_value, p.dtype());
    }
}

std::span<const StateEntry> Adagrad::state_entries() const {
  static constexpr StateEntry entries[] = {{"step", false}, {"sum", true}};
  return entries;
}

void Adagrad::validate(const AdagradOptions& o) const {
  check_option(o.lr >= 0, name(), "learning rate", o.lr, "must be >= 0");
  check_option(o.lr_decay >= 0, name(), "lr_decay", o.lr_decay, "must be >= 0");
  check_option(o.weight_decay >= 0, name(), "weight_decay", o.weight_decay, "must be >= 0");
  check_option(o.initial_accumulator_value >= 0, name(), "initial_accumulator_value", o.initial_accumulator_value,
               "must be >= 0");
  check_option(o.eps >= 0, name(), "epsilon", o.eps, "must be >= 0");
}

void Adagrad::step() {
  for_each_param_with_grad([&](const AdagradOptions& o, const Tensor& p, ParamState& st) {
    Tensor sum = detail::buffer(st, "sum", p, o.initial_accumulator_value);
    const double step = detail::increment_step(st);
    const ops::AdagradHyper h{o.lr / (1 + (step - 1) * o.lr_decay), o.weight_decay, o.eps, o.maximize};
    detail::update_param(p, name(), [&](Tensor& pc, const Tensor& g, const char* op) {
      ops::adagrad_step_(pc, g, sum, h, op);
    });
  });
}

}  // namespace nabla::optim
