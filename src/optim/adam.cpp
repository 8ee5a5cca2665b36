#include "nabla/optim/adam.h"

#include "kernels/cpu/optim.h"
#include "optim/update_util.h"

namespace nabla::optim {
namespace {
template <class O>
Options adam_options(const O& o) {
  return {{"lr", o.lr},
          {"beta1", o.beta1},
          {"beta2", o.beta2},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"amsgrad", o.amsgrad ? 1.0 : 0.0},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}
}  // namespace

Options AdamOptions::to_options() const { return adam_options(*this); }
Options AdamWOptions::to_options() const { return adam_options(*this); }

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Adam(single_group(std::move(params)), options) {}
Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options.to_options(), false) {}
Adam::Adam(std::vector<ParamGroup> groups, Options options, bool decoupled)
    : Optimizer(std::move(options)), decoupled_(decoupled) {
  init_groups(std::move(groups));
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options) : AdamW(single_group(std::move(params)), options) {}
AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options) : Adam(std::move(groups), options.to_options(), true) {}

void Adam::validate(const Options& o) const {
  const std::string n = name();
  check_option(o.at("lr") >= 0, n, "learning rate", o.at("lr"), "must be >= 0");
  check_option(o.at("eps") >= 0, n, "epsilon", o.at("eps"), "must be >= 0");
  check_option(o.at("beta1") >= 0 && o.at("beta1") < 1, n, "beta parameter at index 0", o.at("beta1"),
               "must be in [0, 1)");
  check_option(o.at("beta2") >= 0 && o.at("beta2") < 1, n, "beta parameter at index 1", o.at("beta2"),
               "must be in [0, 1)");
  check_option(o.at("weight_decay") >= 0, n, "weight_decay", o.at("weight_decay"), "must be >= 0");
}

void Adam::step() {
  for (auto& group : groups_) {
    const Options& o = group.options;
    const bool amsgrad = detail::flag(o, "amsgrad");
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      ParamState& st = state(p);
      Tensor m = detail::buffer(st, "exp_avg", p);
      Tensor v = detail::buffer(st, "exp_avg_sq", p);
      Tensor vmax = amsgrad ? detail::buffer(st, "max_exp_avg_sq", p) : Tensor();
      const double step = detail::increment_step(st);
      const cpu::AdamHyper h{o.at("lr"), o.at("beta1"), o.at("beta2"), o.at("eps"), o.at("weight_decay"),
                             step, amsgrad, detail::flag(o, "maximize"), decoupled_};
      detail::update_param(p, name(), [&]<class T>(Tensor& pc, const Tensor& g) {
        cpu::adam_update<T>(pc.data_ptr<T>(), g.data_ptr<T>(), m.data_ptr<T>(), v.data_ptr<T>(),
                            amsgrad ? vmax.data_ptr<T>() : nullptr, pc.numel(), h);
      });
    }
  }
}

}  // namespace nabla::optim
