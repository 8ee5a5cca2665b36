#pragma once
// optim::Optimizer — the base of every optimizer: parameter groups with their own
// hyperparameters, per-parameter state, zero_grad, step, and a state dict that nabla::save can
// write as is (so a checkpoint holds the optimizer next to the model).
//
// State dict layout (all values tensors):
//   "param_groups.<i>.<hyper>"   0-d float64 (lr, momentum, beta1, …; booleans as 0/1)
//   "param_groups.<i>.params"    1-d int64: indices of the group's parameters, counted over all
//                                groups in order (PyTorch's numbering)
//   "state.<index>.<name>"       per-parameter state: momentum_buffer, exp_avg, exp_avg_sq,
//                                max_exp_avg_sq, sum, square_avg, acc_delta, grad_avg (the
//                                parameter's shape and dtype), step (0-d float64), …
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor.h"

namespace nabla::optim {

/// Hyperparameters of a parameter group under PyTorch's names ("lr", "momentum",
/// "weight_decay", …). Booleans are stored as 0/1; Adam's betas as "beta1" and "beta2".
using Options = std::map<std::string, double>;

/// Parameters that share hyperparameters. Options missing from a group are filled in from the
/// optimizer's defaults when the group is added. Example:
///   optim::SGD opt(std::vector<optim::ParamGroup>{{body->parameters(), {}}, {head->parameters(), {{"lr", 0.01}}}},
///                  {.lr = 0.1});
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
  /// The hyperparameter `key`; raises Error listing the available keys when absent.
  double get(const std::string& key) const;
  /// True when the group has hyperparameter `key`.
  bool has(const std::string& key) const { return options.count(key) != 0; }
  /// Sets or creates a hyperparameter (schedulers use this for "lr").
  void set(const std::string& key, double value) { options[key] = value; }
};

/// State of one parameter by name ("momentum_buffer", "exp_avg", "step", …).
using ParamState = std::map<std::string, Tensor>;

/// Base class of optimizers. Subclasses implement step() (and validate()); the base owns groups,
/// state and (de)serialisation. An optimizer holds handles to the parameters it updates;
/// replacing a module's parameter tensors (e.g. Module::to(dtype)) after creating the optimizer
/// leaves the optimizer updating the old tensors, as in PyTorch.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Class name as in PyTorch ("SGD", "Adam", …), used in error messages.
  virtual std::string name() const = 0;

  /// Adds a group: every parameter must be a floating-point leaf that is in no other group; its
  /// options are validated (a negative lr raises Error naming the optimizer and the value) and
  /// completed from the defaults.
  void add_param_group(ParamGroup group);
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  /// The hyperparameters given at construction.
  const Options& defaults() const { return defaults_; }

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
  /// nothing) on a different number of groups or parameters, unknown keys, or state tensors
  /// whose shape does not match their parameter, listing every bad key.
  void load_state_dict(const nn::StateDict& dict);

  /// The state of one of this optimizer's parameters (empty before its first step).
  ParamState& state(const Tensor& param);
  /// All parameters in group order (the indices used by state_dict).
  std::vector<Tensor> all_params() const;

 protected:
  explicit Optimizer(Options defaults) : defaults_(std::move(defaults)) {}
  /// Adds `groups` after checking the defaults; call at the end of a subclass constructor.
  void init_groups(std::vector<ParamGroup> groups);
  /// Raises Error naming the optimizer and the value when a hyperparameter is invalid.
  virtual void validate(const Options& options) const = 0;
  /// Per-parameter state entries that must have the parameter's shape (checked on load).
  virtual std::vector<std::string> param_shaped_state() const {
    return {"momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "sum", "square_avg", "acc_delta", "grad_avg"};
  }
  /// Hyperparameter names every group must hold (the defaults' keys).
  std::vector<std::string> option_names() const;

  std::vector<ParamGroup> groups_;
  Options defaults_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

/// Wraps a list of parameters as a single group (for optimizer constructors).
std::vector<ParamGroup> single_group(std::vector<Tensor> params);

/// Raises Error "<optimizer>: invalid <what> value: <value> (…)" unless `ok`.
void check_option(bool ok, const std::string& optimizer, const char* what, double value, const char* rule);

}  // namespace nabla::optim
