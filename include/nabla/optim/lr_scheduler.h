#pragma once
// Learning-rate schedulers (torch.optim.lr_scheduler). A scheduler sets the "lr" of each
// parameter group of an optimizer; call scheduler.step() once per epoch (or iteration) after
// optimizer.step(). Each follows PyTorch's chainable (recursive) update, so the sequences match
// PyTorch's, including its behaviour when several schedulers act on one optimizer.
//   optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9});
//   optim::CosineAnnealingLR sched(opt, /*T_max=*/100);
//   for (int epoch = 0; epoch < 100; ++epoch) { train_one_epoch(); sched.step(); }
// The optimizer must outlive its schedulers.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

/// Base of the epoch-indexed schedulers. State dict keys: "last_epoch", "_step_count",
/// "base_lrs", "_last_lr" (float64 tensors) plus each scheduler's own counters.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// Class name as in PyTorch ("StepLR", …).
  virtual std::string name() const = 0;
  /// Advances one epoch and writes the new learning rates into the optimizer's groups.
  virtual void step();
  /// Jumps to `epoch`, using the closed form when the scheduler has one (PyTorch's
  /// step(epoch), deprecated there; SequentialLR uses it to restart a scheduler at 0).
  virtual void step(int64_t epoch);
  /// The learning rates set by the last step, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() const { return *optimizer_; }

  /// Counters and learning rates (hyperparameters are given again at construction).
  virtual nn::StateDict state_dict() const;
  /// Restores state_dict(); raises Error naming missing keys or a different group count.
  virtual void load_state_dict(const nn::StateDict& dict);

 protected:
  /// Records base learning rates: with last_epoch = −1 each group's "initial_lr" is set to its
  /// lr when absent; otherwise every group must already have "initial_lr" (resuming).
  LRScheduler(Optimizer& optimizer, int64_t last_epoch);
  /// PyTorch's _initial_step: resets the step counter and steps once. The most-derived
  /// constructor calls it last (virtual calls do not reach derived classes from a base constructor).
  void initial_step();
  /// New learning rates for last_epoch_ (chainable form: may read the groups' current lr).
  virtual std::vector<double> get_lr() = 0;
  /// Learning rates as a function of last_epoch_ alone, where a closed form exists.
  virtual std::optional<std::vector<double>> closed_form_lr() const { return std::nullopt; }
  /// Every group's current lr times `factor` (the chainable step of a multiplicative schedule).
  std::vector<double> scaled_group_lrs(double factor) const;
  /// Every base lr times `factor` (the closed form of a multiplicative schedule).
  std::vector<double> scaled_base_lrs(double factor) const;
  /// Writes lrs into the groups and records them as the last learning rates.
  void apply_lrs(const std::vector<double>& lrs);
  /// Current lr of every group.
  std::vector<double> group_lrs() const;
  /// Hooks for subclass counters in the state dict.
  virtual void save_extra(nn::StateDict&) const {}
  virtual void load_extra(const nn::StateDict&) {}

  Optimizer* optimizer_;
  std::vector<double> base_lrs_, last_lr_;
  int64_t last_epoch_;
  int64_t step_count_ = 0;

  friend class SequentialLR;
};

/// lr = base_lr·λ(epoch) with one function for all groups or one per group.
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch = -1);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch = -1);
  std::string name() const override { return "LambdaLR"; }

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lambdas_;
};

/// Multiplies the lr by gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);
  std::string name() const override { return "StepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t step_size_;
  double gamma_;
};

/// Multiplies the lr by gamma at each milestone epoch (a milestone listed k times: gamma^k).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1, int64_t last_epoch = -1);
  std::string name() const override { return "MultiStepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  std::vector<int64_t> milestones_;  // sorted
  double gamma_;
};

/// Multiplies the lr by factor until epoch total_iters, then restores it.
class ConstantLR : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5, int64_t last_epoch = -1);
  std::string name() const override { return "ConstantLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double factor_;
  int64_t total_iters_;
};

/// Scales the lr linearly from start_factor·base to end_factor·base over total_iters epochs (warmup).
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5,
           int64_t last_epoch = -1);
  std::string name() const override { return "LinearLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

/// Multiplies the lr by gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);
  std::string name() const override { return "ExponentialLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double gamma_;
};

/// Cosine annealing from base_lr to eta_min over T_max epochs (then back up, periodically):
/// closed form η = eta_min + (base − eta_min)(1 + cos(π·epoch/T_max))/2; stepping uses PyTorch's
/// recursive form, which agrees with it when this scheduler alone sets the lr.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0, int64_t last_epoch = -1);
  std::string name() const override { return "CosineAnnealingLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

/// SGDR: cosine annealing restarted every T_i epochs, T_0 first and multiplied by T_mult after
/// each restart. State adds "T_cur" and "T_i".
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult = 1, double eta_min = 0.0,
                              int64_t last_epoch = -1);
  std::string name() const override { return "CosineAnnealingWarmRestarts"; }
  void step() override;
  /// Jumps to a (possibly fractional, here integral) epoch, locating its restart period.
  void step(int64_t epoch) override;

 protected:
  std::vector<double> get_lr() override;
  void save_extra(nn::StateDict& dict) const override;
  void load_extra(const nn::StateDict& dict) override;

 private:
  void set_epoch(double epoch);
  int64_t T_0_, T_i_, T_mult_;
  double eta_min_, T_cur_;
};

/// Runs `schedulers` one after another, switching at the milestones (warmup chaining):
///   optim::LinearLR warmup(opt, 0.1, 1.0, 5);  optim::CosineAnnealingLR cosine(opt, 95);
///   optim::SequentialLR sched(opt, {&warmup, &cosine}, {5});
/// The schedulers must act on `optimizer` and outlive the SequentialLR. Each one restarts from
/// epoch 0 (closed form) at its milestone. State: its own counters plus "_schedulers.<i>.…".
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<LRScheduler*> schedulers, std::vector<int64_t> milestones,
               int64_t last_epoch = -1);
  std::string name() const override { return "SequentialLR"; }
  void step() override;
  void step(int64_t epoch) override;
  nn::StateDict state_dict() const override;
  void load_state_dict(const nn::StateDict& dict) override;

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }

 private:
  std::vector<LRScheduler*> schedulers_;
  std::vector<int64_t> milestones_;
};

/// Options of OneCycleLR (torch.optim.lr_scheduler.OneCycleLR). max_lrs, when non-empty, gives one
/// maximum per group instead of max_lr; likewise base_momentums / max_momentums.
struct OneCycleLROptions {
  double max_lr = 0.0;
  int64_t total_steps = 0;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  ///< "cos" or "linear"
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool three_phase = false;
  std::vector<double> max_lrs = {};
};

/// The 1cycle policy: lr rises from max_lr/div_factor to max_lr during the first pct_start of
/// total_steps, then anneals to initial_lr/final_div_factor (three_phase: back to initial_lr
/// first); momentum (SGD/RMSprop "momentum", or Adam's "beta1") cycles inversely between
/// max_momentum and base_momentum. Step it once per batch; stepping beyond total_steps raises Error.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, OneCycleLROptions options, int64_t last_epoch = -1);
  std::string name() const override { return "OneCycleLR"; }

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step;
    std::optional<double> ScheduleValues::*start_lr, ScheduleValues::*end_lr, ScheduleValues::*start_momentum,
        ScheduleValues::*end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  OneCycleLROptions options_;
  std::vector<Phase> phases_;
};

/// lr factor for LambdaLR: linear warmup over warmup_steps, then decay ∝ 1/√step (the Transformer
/// schedule): min((e + 1)/warmup_steps, √(warmup_steps/(e + 1))) for epoch e.
LambdaLR::Lambda inverse_sqrt_with_warmup(int64_t warmup_steps);

/// Options of ReduceLROnPlateau (torch.optim.lr_scheduler.ReduceLROnPlateau). min_lrs, when
/// non-empty, gives one floor per group instead of min_lr.
struct ReduceLROnPlateauOptions {
  std::string mode = "min";            ///< "min": lower metric is better; "max": higher is better
  double factor = 0.1;                 ///< new lr = lr·factor
  int64_t patience = 10;               ///< epochs without improvement tolerated
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  ///< "rel": relative to best; "abs": absolute
  int64_t cooldown = 0;                ///< epochs to wait after a reduction
  double min_lr = 0.0;
  std::vector<double> min_lrs = {};
  double eps = 1e-8;                   ///< smaller lr changes are ignored
};

/// Reduces the learning rate when a metric has stopped improving for `patience` epochs:
///   optim::ReduceLROnPlateau sched(opt, {.factor = 0.5, .patience = 3});
///   sched.step(validation_loss);
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  /// Records `metric` for the next epoch and reduces the lr if it is time.
  void step(double metric);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  /// Best metric seen, epochs without improvement, cooldown left, epoch and last lrs.
  nn::StateDict state_dict() const;
  void load_state_dict(const nn::StateDict& dict);

 private:
  bool is_better(double a, double best) const;
  Optimizer* optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_, last_lr_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
};

}  // namespace nabla::optim
