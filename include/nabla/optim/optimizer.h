#pragma once
// optim::Optimizer — the base of every optimizer: parameter groups with their own
// hyperparameters, per-parameter state, zero_grad, step, and a state dict that nabla::save can
// write as is (so a checkpoint holds the optimizer next to the model).
//
// State dict layout (all values tensors):
//   "param_groups.<i>.<hyper>"   0-d float64 (lr, momentum, beta1, …; booleans as 0/1), plus the
//                                values schedulers keep in the group (initial_lr, max_lr, …)
//   "param_groups.<i>.params"    1-d int64: indices of the group's parameters, counted over all
//                                groups in order (PyTorch's numbering)
//   "state.<index>.<name>"       per-parameter state as each optimizer declares it (StateEntry):
//                                exp_avg, momentum_buffer, … (the parameter's shape and dtype),
//                                step (0-d float64), …
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <unordered_map>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor.h"

namespace nabla::optim {

/// State of one parameter by name ("momentum_buffer", "exp_avg", "step", …).
using ParamState = std::map<std::string, Tensor>;

/// One entry of an optimizer's per-parameter state as the optimizer declares it: its name (in
/// ParamState and as "state.<index>.<name>" in the state dict) and whether it has the parameter's
/// shape and dtype (checked against the parameter and cast to its dtype when loaded).
struct StateEntry {
  const char* name;
  bool param_shaped;
};

/// Values learning-rate schedulers keep in a parameter group. PyTorch stores them in the group's
/// dict, so they are saved with the optimizer ("param_groups.<i>.initial_lr", …) and restored
/// with it; unset ones are not saved.
struct ScheduleValues {
  std::optional<double> initial_lr, max_lr, min_lr, max_momentum, base_momentum;
};

/// A group's hyperparameters under PyTorch's names, as in the state dict (booleans as 0/1).
using HyperDict = std::map<std::string, double>;

/// Base class of optimizers, independent of their hyperparameter types (what schedulers, the
/// checkpoint code and training loops see). The typed half is OptimizerWith below. An optimizer
/// holds handles to the parameters it updates; replacing a module's parameter tensors (e.g.
/// Module::to(dtype)) after creating the optimizer leaves the optimizer updating the old
/// tensors, as in PyTorch.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Class name as in PyTorch ("SGD", "Adam", …), used in error messages.
  virtual std::string name() const = 0;

  /// Number of parameter groups.
  virtual size_t num_param_groups() const = 0;
  /// The parameters of group `group`.
  virtual const std::vector<Tensor>& group_params(size_t group) const = 0;
  /// The learning rate of group `group` (schedulers read and write it through lr/set_lr).
  virtual double lr(size_t group) const = 0;
  /// Sets the learning rate of group `group`.
  virtual void set_lr(size_t group, double lr) = 0;
  /// The momentum OneCycleLR cycles: "momentum" of SGD and RMSprop, beta1 of Adam and AdamW;
  /// nullopt for optimizers without one (as PyTorch, which looks for "momentum" or "betas").
  virtual std::optional<double> momentum(size_t group) const = 0;
  /// Sets that momentum; raises Error for an optimizer without one.
  virtual void set_momentum(size_t group, double momentum) = 0;
  /// The values schedulers keep in group `group`.
  virtual ScheduleValues& schedule_values(size_t group) = 0;
  virtual const ScheduleValues& schedule_values(size_t group) const = 0;
  /// The group's hyperparameters under PyTorch's names (the state dict's "param_groups.<i>.*").
  virtual HyperDict hyperparameters(size_t group) const = 0;

  /// Resets the gradient of every parameter: to undefined (set_to_none, the default, as
  /// PyTorch ≥ 2.0) or to zeros.
  void zero_grad(bool set_to_none = true);

  /// One update of every parameter that has a gradient (parameters without one are skipped).
  virtual void step() = 0;
  /// Evaluates `closure` (which should zero the gradients, compute the loss and call backward)
  /// with grad mode on, then steps; returns the closure's loss. LBFGS calls it repeatedly.
  virtual Tensor step(const std::function<Tensor()>& closure);

  /// Hyperparameters and state, flattened as described at the top of this header. Tensors are
  /// copies: later steps do not change a state dict already taken.
  nn::StateDict state_dict() const;
  /// Restores hyperparameters and state from state_dict() of an optimizer of the same kind over
  /// parameters of the same shapes in the same group structure. Raises Error (and changes
  /// nothing) on a different number of groups or parameters, unknown or missing keys, invalid
  /// hyperparameters, or state tensors whose shape does not match their parameter, listing
  /// every bad key.
  void load_state_dict(const nn::StateDict& dict);

  /// The state of one of this optimizer's parameters (empty before its first step).
  ParamState& state(const Tensor& param);
  /// All parameters in group order (the indices used by state_dict).
  std::vector<Tensor> all_params() const;

 protected:
  Optimizer() = default;
  /// The per-parameter state this optimizer keeps (the only names load_state_dict accepts).
  virtual std::span<const StateEntry> state_entries() const = 0;
  /// Appends to `bad` the state dict keys of `saved` (one dict per group, scheduler values
  /// removed) that name no hyperparameter of this optimizer, and those of its hyperparameters
  /// that a dict lacks.
  virtual void check_hyperparameter_names(const std::vector<HyperDict>& saved, std::vector<std::string>& bad) const = 0;
  /// Replaces every group's hyperparameters with `saved` (names already checked). Raises Error
  /// naming the optimizer and the value, and changes nothing, when a value is invalid.
  virtual void load_hyperparameters(const std::vector<HyperDict>& saved) = 0;
  /// Raises Error unless every parameter of a new group `index` is a defined floating-point
  /// leaf that is in no group yet.
  void check_new_params(const std::vector<Tensor>& params, size_t index) const;

  std::unordered_map<const TensorImpl*, ParamState> state_;
};

/// Raises Error "<optimizer>: invalid <what> value: <value> (…)" unless `ok`.
void check_option(bool ok, const std::string& optimizer, const char* what, double value, const char* rule);

namespace detail {

/// A hyperparameter saved as a number but held as something else (LBFGS's line_search_fn is
/// saved as "line_search_strong_wolfe" = 0/1): how to read it as a number and set it from one.
struct NumberView {
  std::function<double()> get;
  std::function<void(double)> set;
};

/// A hyperparameter as the state dict saves it (a float64 number; booleans as 0/1).
inline double hyper_to_number(double v) { return v; }
inline double hyper_to_number(bool v) { return v ? 1.0 : 0.0; }
inline double hyper_to_number(int64_t v) { return static_cast<double>(v); }
inline double hyper_to_number(const NumberView& v) { return v.get(); }
/// Sets a hyperparameter from its state dict number.
inline void hyper_from_number(double& field, double x) { field = x; }
inline void hyper_from_number(bool& field, double x) { field = x != 0.0; }
inline void hyper_from_number(int64_t& field, double x) { field = static_cast<int64_t>(x); }
inline void hyper_from_number(NumberView&& field, double x) { field.set(x); }

/// Replaces `field` (a default) with the group's own value when the group sets one.
template <class T>
void override_with(T& field, const std::optional<T>& group_value) {
  if (group_value) field = *group_value;
}

}  // namespace detail

/// The typed half of an optimizer. `Options` is its hyperparameter struct with PyTorch's
/// defaults (SGDOptions, …); it lists its fields under PyTorch's names in a static
/// `fields(options, visitor)`. `GroupOptions` holds the same fields as std::optional: what one
/// parameter group sets for itself, applied over the defaults by `GroupOptions::over(defaults)`.
///
/// Why optional fields in the group and not a full Options per group: PyTorch merges a group's
/// dict over the optimizer's defaults key by key, so {head->parameters(), {.lr = 0.01}} must keep
/// the optimizer's momentum, not the struct's default of 0. A full struct cannot tell "not given"
/// from "given the default value"; an optional can, and designated initialisers still read
/// naturally. Each group then holds the resolved full Options, so step() reads plain fields.
///
/// Subclasses implement name(), step(), validate() and state_entries(), and call init_groups()
/// at the end of their constructors (virtual calls do not reach them from a base constructor).
template <class OptionsT, class GroupOptionsT>
class OptimizerWith : public Optimizer {
 public:
  using Options = OptionsT;
  using GroupOptions = GroupOptionsT;

  /// Parameters and the hyperparameters they set for themselves; the rest come from the
  /// optimizer's defaults. Example: {body->parameters(), {}}, {head->parameters(), {.lr = 0.01}}.
  struct ParamGroup {
    std::vector<Tensor> params;
    GroupOptions options = {};
  };
  /// A parameter group as the optimizer holds it: every hyperparameter resolved, and the values
  /// schedulers keep in it.
  struct Group {
    std::vector<Tensor> params;
    Options options;
    ScheduleValues schedule = {};
  };

  /// Adds a group: every parameter must be a floating-point leaf that is in no other group; its
  /// options are completed from the defaults and validated (a negative lr raises Error naming
  /// the optimizer and the value).
  void add_param_group(ParamGroup group) {
    const size_t index = groups_.size();
    NABLA_CHECK(!group.params.empty(), name(), ": parameter group ", index, " has no parameters");
    const Options resolved = group.options.over(defaults_);
    validate(resolved);
    check_new_params(group.params, index);
    groups_.push_back(Group{std::move(group.params), resolved});
  }
  /// The groups with their resolved hyperparameters, e.g. param_groups()[1].options.lr.
  std::vector<Group>& param_groups() { return groups_; }
  const std::vector<Group>& param_groups() const { return groups_; }
  /// The hyperparameters given at construction.
  const Options& defaults() const { return defaults_; }

  size_t num_param_groups() const override { return groups_.size(); }
  const std::vector<Tensor>& group_params(size_t group) const override { return at(group).params; }
  double lr(size_t group) const override { return at(group).options.lr; }
  void set_lr(size_t group, double lr) override { at(group).options.lr = lr; }
  std::optional<double> momentum(size_t group) const override {
    if constexpr (requires(Options o) { o.momentum; }) return at(group).options.momentum;
    else if constexpr (requires(Options o) { o.betas.first; }) return at(group).options.betas.first;
    else return std::nullopt;
  }
  void set_momentum(size_t group, double momentum) override {
    if constexpr (requires(Options o) { o.momentum; }) at(group).options.momentum = momentum;
    else if constexpr (requires(Options o) { o.betas.first; }) at(group).options.betas.first = momentum;
    else NABLA_CHECK(false, name(), ": has no momentum to set");
  }
  ScheduleValues& schedule_values(size_t group) override { return at(group).schedule; }
  const ScheduleValues& schedule_values(size_t group) const override { return at(group).schedule; }
  HyperDict hyperparameters(size_t group) const override {
    HyperDict dict;
    Options::fields(at(group).options, [&](const char* key, const auto& v) { dict[key] = detail::hyper_to_number(v); });
    return dict;
  }

 protected:
  explicit OptimizerWith(Options defaults) : defaults_(std::move(defaults)) {}
  /// Raises Error naming the optimizer and the value when a hyperparameter is invalid.
  virtual void validate(const Options& options) const = 0;

  /// Adds `groups` after checking the defaults; call at the end of a subclass constructor.
  void init_groups(std::vector<ParamGroup> groups) {
    validate(defaults_);
    size_t total = 0;
    for (const auto& g : groups) total += g.params.size();
    NABLA_CHECK(total > 0, name(), ": optimizer got an empty parameter list");
    for (auto& g : groups) add_param_group(std::move(g));
  }
  /// Wraps a list of parameters as a single group taking the defaults.
  static std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
    return {ParamGroup{std::move(params), {}}};
  }

  /// Calls f(options, param, state) for every parameter that has a gradient, group by group:
  /// the loop every step() runs.
  template <class F>
  void for_each_param_with_grad(F&& f) {
    for (Group& g : groups_)
      for (const Tensor& p : g.params)
        if (p.grad().defined()) f(static_cast<const Options&>(g.options), p, state(p));
  }

  void check_hyperparameter_names(const std::vector<HyperDict>& saved, std::vector<std::string>& bad) const override {
    const HyperDict known = hyperparameters(0);
    for (size_t gi = 0; gi < saved.size(); ++gi) {
      const std::string prefix = "param_groups." + std::to_string(gi) + ".";
      for (const auto& [key, v] : known)
        if (!saved[gi].count(key)) bad.push_back(prefix + key + " (missing)");
      for (const auto& [key, v] : saved[gi])
        if (!known.count(key)) bad.push_back(prefix + key + " (not a hyperparameter of " + name() + ")");
    }
  }
  void load_hyperparameters(const std::vector<HyperDict>& saved) override {
    std::vector<Options> loaded;
    for (const HyperDict& dict : saved) {
      Options o = defaults_;
      Options::fields(o, [&](const char* key, auto&& field) {
        detail::hyper_from_number(std::forward<decltype(field)>(field), dict.at(key));
      });
      validate(o);
      loaded.push_back(std::move(o));
    }
    for (size_t gi = 0; gi < loaded.size(); ++gi) groups_.at(gi).options = loaded[gi];
  }

  std::vector<Group> groups_;
  Options defaults_;

 private:
  Group& at(size_t group) {
    NABLA_CHECK(group < groups_.size(), name(), ": no parameter group ", group, " (has ", groups_.size(), ")");
    return groups_[group];
  }
  const Group& at(size_t group) const { return const_cast<OptimizerWith*>(this)->at(group); }
};

}  // namespace nabla::optim
