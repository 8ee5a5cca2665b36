#include "nabla/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace nabla::optim {
namespace {

constexpr double kPi = std::numbers::pi;

Tensor vec_tensor(const std::vector<double>& v) {
  return from_vector<double>(v, Shape{static_cast<int64_t>(v.size())});
}

const Tensor& require_key(const nn::StateDict& dict, const std::string& key, const std::string& who) {
  auto it = dict.find(key);
  NABLA_CHECK(it != dict.end(), who, ".load_state_dict: missing key '", key, "'");
  return it->second;
}

// The entries of `dict` under "<prefix>" with the prefix removed.
nn::StateDict sub_dict(const nn::StateDict& dict, const std::string& prefix) {
  nn::StateDict out;
  for (const auto& [k, v] : dict)
    if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v;
  return out;
}

}  // namespace

// ---- LRScheduler -------------------------------------------------------------------------------

LRScheduler::LRScheduler(Optimizer& optimizer, int64_t last_epoch) : optimizer_(&optimizer), last_epoch_(last_epoch) {
  for (size_t i = 0; i < optimizer.num_param_groups(); ++i) {
    ScheduleValues& values = optimizer.schedule_values(i);
    if (last_epoch == -1) {
      if (!values.initial_lr) values.initial_lr = optimizer.lr(i);
    } else {
      NABLA_CHECK(values.initial_lr.has_value(), "lr_scheduler: param 'initial_lr' is not specified in param_groups[",
                  i, "] when resuming an optimizer (last_epoch = ", last_epoch, ")");
    }
    base_lrs_.push_back(*values.initial_lr);
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply_lrs(get_lr());
}

void LRScheduler::step(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  const auto closed = closed_form_lr();
  apply_lrs(closed ? *closed : get_lr());
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (size_t i = 0; i < optimizer_->num_param_groups(); ++i) lrs.push_back(optimizer_->lr(i));
  return lrs;
}

void LRScheduler::apply_lrs(const std::vector<double>& lrs) {
  const size_t groups = optimizer_->num_param_groups();
  NABLA_CHECK(lrs.size() == groups, name(), ": ", lrs.size(), " learning rates for ", groups, " groups");
  for (size_t i = 0; i < groups; ++i) optimizer_->set_lr(i, lrs[i]);
  last_lr_ = group_lrs();
}

nn::StateDict LRScheduler::state_dict() const {
  nn::StateDict dict;
  dict["last_epoch"] = scalar_tensor(static_cast<double>(last_epoch_), DType::Float64);
  dict["_step_count"] = scalar_tensor(static_cast<double>(step_count_), DType::Float64);
  dict["base_lrs"] = vec_tensor(base_lrs_);
  dict["_last_lr"] = vec_tensor(last_lr_);
  save_extra(dict);
  return dict;
}

void LRScheduler::load_state_dict(const nn::StateDict& dict) {
  const std::vector<double> base = require_key(dict, "base_lrs", name()).to_vector<double>();
  const std::vector<double> last = require_key(dict, "_last_lr", name()).to_vector<double>();
  NABLA_CHECK(base.size() == optimizer_->num_param_groups(), name(), ".load_state_dict: state has ", base.size(),
              " base learning rates, the optimizer has ", optimizer_->num_param_groups(), " groups");
  last_epoch_ = static_cast<int64_t>(require_key(dict, "last_epoch", name()).item());
  step_count_ = static_cast<int64_t>(require_key(dict, "_step_count", name()).item());
  base_lrs_ = base;
  last_lr_ = last;
  load_extra(dict);
}

std::vector<double> LRScheduler::scaled_group_lrs(double factor) const {
  std::vector<double> lrs = group_lrs();
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

std::vector<double> LRScheduler::scaled_base_lrs(double factor) const {
  std::vector<double> lrs;
  for (double b : base_lrs_) lrs.push_back(b * factor);
  return lrs;
}

// ---- LambdaLR ----------------------------------------------------------------------------------

LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch)
    : LambdaLR(optimizer, std::vector<Lambda>(optimizer.num_param_groups(), lr_lambda), last_epoch) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), lambdas_(std::move(lr_lambdas)) {
  NABLA_CHECK(lambdas_.size() == optimizer.num_param_groups(), "LambdaLR: expected ",
              optimizer.num_param_groups(), " lr_lambdas, but got ", lambdas_.size());
  for (const auto& f : lambdas_) NABLA_CHECK(static_cast<bool>(f), "LambdaLR: lr_lambda is empty");
  initial_step();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (size_t i = 0; i < base_lrs_.size(); ++i) lrs.push_back(base_lrs_[i] * lambdas_[i](last_epoch_));
  return lrs;
}

LambdaLR::Lambda inverse_sqrt_with_warmup(int64_t warmup_steps) {
  NABLA_CHECK(warmup_steps > 0, "inverse_sqrt_with_warmup: warmup_steps must be positive, got ", warmup_steps);
  const double w = static_cast<double>(warmup_steps);
  return [w](int64_t epoch) {
    const double s = static_cast<double>(epoch + 1);
    return std::min(s / w, std::sqrt(w / s));
  };
}

// ---- StepLR / MultiStepLR / ConstantLR / LinearLR / ExponentialLR --------------------------------

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  return scaled_group_lrs(last_epoch_ == 0 || last_epoch_ % step_size_ != 0 ? 1.0 : gamma_);
}

std::optional<std::vector<double>> StepLR::closed_form_lr() const {
  return scaled_base_lrs(std::pow(gamma_, static_cast<double>(last_epoch_ / step_size_)));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  const auto count = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  return scaled_group_lrs(count == 0 ? 1.0 : std::pow(gamma_, static_cast<double>(count)));
}

std::optional<std::vector<double>> MultiStepLR::closed_form_lr() const {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  return scaled_base_lrs(std::pow(gamma_, static_cast<double>(passed)));
}

ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), factor_(factor), total_iters_(total_iters) {
  NABLA_CHECK(factor > 0 && factor <= 1, "ConstantLR: factor must be in (0, 1], got ", factor);
  initial_step();
}

std::vector<double> ConstantLR::get_lr() {
  return scaled_group_lrs(last_epoch_ == 0 ? factor_ : last_epoch_ == total_iters_ ? 1.0 / factor_ : 1.0);
}

std::optional<std::vector<double>> ConstantLR::closed_form_lr() const {
  return scaled_base_lrs(factor_ + (last_epoch_ >= total_iters_ ? 1.0 - factor_ : 0.0));
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters,
                   int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  NABLA_CHECK(start_factor > 0 && start_factor <= 1, "LinearLR: start_factor must be in (0, 1], got ", start_factor);
  NABLA_CHECK(end_factor >= 0 && end_factor <= 1, "LinearLR: end_factor must be in [0, 1], got ", end_factor);
  NABLA_CHECK(total_iters > 0, "LinearLR: total_iters must be positive, got ", total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  if (last_epoch_ == 0) return scaled_group_lrs(start_factor_);
  if (last_epoch_ > total_iters_) return scaled_group_lrs(1.0);
  // Ratio of consecutive factors: f(e)/f(e − 1) with f linear from start to end.
  return scaled_group_lrs(1.0 + (end_factor_ - start_factor_) / (total_iters_ * start_factor_ +
                                                                 (last_epoch_ - 1) * (end_factor_ - start_factor_)));
}

std::optional<std::vector<double>> LinearLR::closed_form_lr() const {
  const double progress = static_cast<double>(std::min(total_iters_, last_epoch_)) / static_cast<double>(total_iters_);
  return scaled_base_lrs(start_factor_ + (end_factor_ - start_factor_) * progress);
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  return scaled_group_lrs(last_epoch_ == 0 ? 1.0 : gamma_);
}

std::optional<std::vector<double>> ExponentialLR::closed_form_lr() const {
  return scaled_base_lrs(std::pow(gamma_, static_cast<double>(last_epoch_)));
}

// ---- CosineAnnealingLR -------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), T_max_(T_max), eta_min_(eta_min) {
  NABLA_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  if (last_epoch_ == 0) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) return *closed_form_lr();
  if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0) {
    // Restart of the periodic schedule: the cosine turns back up from eta_min.
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] += (base_lrs_[i] - eta_min_) * (1 - std::cos(kPi / T)) / 2;
    return lrs;
  }
  // η_e − η_min = (η_{e−1} − η_min)·(1 + cos(πe/T))/(1 + cos(π(e − 1)/T)).
  for (double& lr : lrs)
    lr = (1 + std::cos(kPi * e / T)) / (1 + std::cos(kPi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
  return lrs;
}

std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() const {
  std::vector<double> lrs;
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  for (double b : base_lrs_) lrs.push_back(eta_min_ + (b - eta_min_) * (1 + std::cos(kPi * e / T)) / 2);
  return lrs;
}

// ---- CosineAnnealingWarmRestarts ---------------------------------------------------------------

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult,
                                                         double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), T_0_(T_0), T_i_(T_0), T_mult_(T_mult), eta_min_(eta_min),
      T_cur_(static_cast<double>(last_epoch)) {
  NABLA_CHECK(T_0 > 0, "CosineAnnealingWarmRestarts: expected positive integer T_0, but got ", T_0);
  NABLA_CHECK(T_mult >= 1, "CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got ", T_mult);
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_)
    lrs.push_back(eta_min_ + (b - eta_min_) * (1 + std::cos(kPi * T_cur_ / static_cast<double>(T_i_))) / 2);
  return lrs;
}

void CosineAnnealingWarmRestarts::set_epoch(double epoch) {
  NABLA_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: expected non-negative epoch, but got ", epoch);
  const double T0 = static_cast<double>(T_0_), Tm = static_cast<double>(T_mult_);
  if (epoch >= T0) {
    if (T_mult_ == 1) {
      T_cur_ = std::fmod(epoch, T0);
    } else {
      // Restart k starts at T_0·(T_mult^k − 1)/(T_mult − 1); find the last one not after epoch.
      const int64_t n = static_cast<int64_t>(std::log(epoch / T0 * (Tm - 1) + 1) / std::log(Tm));
      T_cur_ = epoch - T0 * (std::pow(Tm, static_cast<double>(n)) - 1) / (Tm - 1);
      T_i_ = T_0_ * static_cast<int64_t>(std::pow(Tm, static_cast<double>(n)));
    }
  } else {
    T_i_ = T_0_;
    T_cur_ = epoch;
  }
  last_epoch_ = static_cast<int64_t>(std::floor(epoch));
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) {
    set_epoch(0);
  } else {
    ++last_epoch_;
    T_cur_ += 1;
    if (T_cur_ >= static_cast<double>(T_i_)) {
      T_cur_ -= static_cast<double>(T_i_);
      T_i_ *= T_mult_;
    }
  }
  apply_lrs(get_lr());
}

void CosineAnnealingWarmRestarts::step(int64_t epoch) {
  set_epoch(static_cast<double>(epoch));
  apply_lrs(get_lr());
}

void CosineAnnealingWarmRestarts::save_extra(nn::StateDict& dict) const {
  dict["T_cur"] = scalar_tensor(T_cur_, DType::Float64);
  dict["T_i"] = scalar_tensor(static_cast<double>(T_i_), DType::Float64);
}

void CosineAnnealingWarmRestarts::load_extra(const nn::StateDict& dict) {
  T_cur_ = require_key(dict, "T_cur", name()).item();
  T_i_ = static_cast<int64_t>(require_key(dict, "T_i", name()).item());
}

// ---- SequentialLR ------------------------------------------------------------------------------

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<LRScheduler*> schedulers, std::vector<int64_t> milestones,
                           int64_t last_epoch)
    : LRScheduler(optimizer, -1), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  NABLA_CHECK(!schedulers_.empty(), "SequentialLR: expects at least one scheduler");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    NABLA_CHECK(schedulers_[i] != nullptr, "SequentialLR: scheduler ", i, " is null");
    NABLA_CHECK(schedulers_[i]->optimizer_ == &optimizer, "SequentialLR: expects all schedulers to belong to the same "
                "optimizer, but got scheduler at index ", i, " (", schedulers_[i]->name(), ") on a different optimizer");
  }
  NABLA_CHECK(milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expects number of schedulers provided to be "
              "one more than the number of milestone points, but got number of schedulers ", schedulers_.size(),
              " and the number of milestones to be equal to ", milestones_.size());
  // As PyTorch: undo the sub-schedulers' initial steps and replay the first one's.
  last_epoch_ = last_epoch + 1;
  for (size_t i = 0; i < optimizer.num_param_groups(); ++i)
    optimizer.set_lr(i, *optimizer.schedule_values(i).initial_lr);
  for (LRScheduler* s : schedulers_) s->last_epoch_ -= 1;
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t idx = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  LRScheduler* s = schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_) s->step(0);
  else s->step();
  last_lr_ = s->get_last_lr();
}

void SequentialLR::step(int64_t) {
  throw Error("SequentialLR: step(epoch) is not supported; call step()");
}

nn::StateDict SequentialLR::state_dict() const {
  nn::StateDict dict;
  dict["last_epoch"] = scalar_tensor(static_cast<double>(last_epoch_), DType::Float64);
  dict["_last_lr"] = vec_tensor(last_lr_);
  for (size_t i = 0; i < schedulers_.size(); ++i)
    for (auto& [k, v] : schedulers_[i]->state_dict()) dict["_schedulers." + std::to_string(i) + "." + k] = v;
  return dict;
}

void SequentialLR::load_state_dict(const nn::StateDict& dict) {
  const double last = require_key(dict, "last_epoch", name()).item();
  const std::vector<double> last_lr = require_key(dict, "_last_lr", name()).to_vector<double>();
  for (size_t i = 0; i < schedulers_.size(); ++i)
    schedulers_[i]->load_state_dict(sub_dict(dict, "_schedulers." + std::to_string(i) + "."));
  last_epoch_ = static_cast<int64_t>(last);
  last_lr_ = last_lr;
}

// ---- OneCycleLR --------------------------------------------------------------------------------

OneCycleLR::OneCycleLR(Optimizer& optimizer, OneCycleLROptions options, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), options_(std::move(options)) {
  const OneCycleLROptions& o = options_;
  const size_t num_groups = optimizer.num_param_groups();
  NABLA_CHECK(o.total_steps > 0, "OneCycleLR: expected positive integer total_steps, but got ", o.total_steps);
  NABLA_CHECK(o.pct_start >= 0 && o.pct_start <= 1, "OneCycleLR: expected float between 0 and 1 pct_start, but got ",
              o.pct_start);
  NABLA_CHECK(o.anneal_strategy == "cos" || o.anneal_strategy == "linear",
              "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got '", o.anneal_strategy, "'");
  NABLA_CHECK(o.max_lrs.empty() || o.max_lrs.size() == num_groups, "OneCycleLR: expected ", num_groups,
              " values for max_lr, got ", o.max_lrs.size());
  const double total = static_cast<double>(o.total_steps);
  using V = ScheduleValues;
  if (o.three_phase) {
    phases_ = {{o.pct_start * total - 1, &V::initial_lr, &V::max_lr, &V::max_momentum, &V::base_momentum},
               {2 * o.pct_start * total - 2, &V::max_lr, &V::initial_lr, &V::base_momentum, &V::max_momentum},
               {total - 1, &V::initial_lr, &V::min_lr, &V::max_momentum, &V::max_momentum}};
  } else {
    phases_ = {{o.pct_start * total - 1, &V::initial_lr, &V::max_lr, &V::max_momentum, &V::base_momentum},
               {total - 1, &V::max_lr, &V::min_lr, &V::base_momentum, &V::max_momentum}};
  }
  if (last_epoch == -1) {
    for (size_t i = 0; i < num_groups; ++i) {
      const double max_lr = o.max_lrs.empty() ? o.max_lr : o.max_lrs[i];
      ScheduleValues& values = optimizer.schedule_values(i);
      values.initial_lr = max_lr / o.div_factor;
      values.max_lr = max_lr;
      values.min_lr = *values.initial_lr / o.final_div_factor;
    }
  }
  base_lrs_.clear();
  for (size_t i = 0; i < num_groups; ++i) base_lrs_.push_back(*optimizer.schedule_values(i).initial_lr);
  if (o.cycle_momentum) {
    NABLA_CHECK(optimizer.momentum(0).has_value(), "OneCycleLR: optimizer ", optimizer.name(),
                " must support momentum (momentum or betas) with the cycle_momentum option enabled");
    if (last_epoch == -1)
      for (size_t i = 0; i < num_groups; ++i) {
        optimizer.set_momentum(i, o.max_momentum);
        optimizer.schedule_values(i).max_momentum = o.max_momentum;
        optimizer.schedule_values(i).base_momentum = o.base_momentum;
      }
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy == "cos") return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1);
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step_num = last_epoch_;
  NABLA_CHECK(step_num <= options_.total_steps, "OneCycleLR: tried to step ", step_num + 1,
              " times. The specified number of total steps is ", options_.total_steps);
  // A value the constructor wrote (or the optimizer's state dict restored) into the group.
  auto value = [&](const ScheduleValues& values, std::optional<double> ScheduleValues::*field) {
    NABLA_CHECK((values.*field).has_value(), "OneCycleLR: a parameter group lacks a value the scheduler sets "
                "(initial_lr, max_lr, min_lr, max_momentum, base_momentum); was it constructed with last_epoch = -1?");
    return *(values.*field);
  };
  std::vector<double> lrs;
  for (size_t gi = 0; gi < optimizer_->num_param_groups(); ++gi) {
    const ScheduleValues& g = optimizer_->schedule_values(gi);
    double start_step = 0, lr = 0, momentum = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& ph = phases_[i];
      if (static_cast<double>(step_num) <= ph.end_step || i + 1 == phases_.size()) {
        const double pct = (static_cast<double>(step_num) - start_step) / (ph.end_step - start_step);
        lr = anneal(value(g, ph.start_lr), value(g, ph.end_lr), pct);
        if (options_.cycle_momentum) momentum = anneal(value(g, ph.start_momentum), value(g, ph.end_momentum), pct);
        break;
      }
      start_step = ph.end_step;
    }
    lrs.push_back(lr);
    if (options_.cycle_momentum) optimizer_->set_momentum(gi, momentum);
  }
  return lrs;
}

// ---- ReduceLROnPlateau -------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(&optimizer), options_(std::move(options)) {
  const auto& o = options_;
  NABLA_CHECK(o.factor < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got ", o.factor);
  NABLA_CHECK(o.mode == "min" || o.mode == "max", "ReduceLROnPlateau: mode '", o.mode, "' is unknown (min or max)");
  NABLA_CHECK(o.threshold_mode == "rel" || o.threshold_mode == "abs", "ReduceLROnPlateau: threshold mode '",
              o.threshold_mode, "' is unknown (rel or abs)");
  const size_t n = optimizer.num_param_groups();
  NABLA_CHECK(o.min_lrs.empty() || o.min_lrs.size() == n, "ReduceLROnPlateau: expected ", n, " min_lrs, got ",
              o.min_lrs.size());
  min_lrs_ = o.min_lrs.empty() ? std::vector<double>(n, o.min_lr) : o.min_lrs;
  best_ = o.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) last_lr_.push_back(optimizer.lr(i));
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const auto& o = options_;
  if (o.mode == "min" && o.threshold_mode == "rel") return a < best * (1.0 - o.threshold);
  if (o.mode == "min") return a < best - o.threshold;
  if (o.threshold_mode == "rel") return a > best * (o.threshold + 1.0);
  return a > best + o.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // ignore bad epochs during cooldown
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t i = 0; i < optimizer_->num_param_groups(); ++i) {
      const double old_lr = optimizer_->lr(i);
      const double new_lr = std::max(old_lr * options_.factor, min_lrs_[i]);
      if (old_lr - new_lr > options_.eps) optimizer_->set_lr(i, new_lr);
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (size_t i = 0; i < optimizer_->num_param_groups(); ++i) last_lr_.push_back(optimizer_->lr(i));
}

nn::StateDict ReduceLROnPlateau::state_dict() const {
  return {{"best", scalar_tensor(best_, DType::Float64)},
          {"num_bad_epochs", scalar_tensor(static_cast<double>(num_bad_epochs_), DType::Float64)},
          {"cooldown_counter", scalar_tensor(static_cast<double>(cooldown_counter_), DType::Float64)},
          {"last_epoch", scalar_tensor(static_cast<double>(last_epoch_), DType::Float64)},
          {"_last_lr", vec_tensor(last_lr_)}};
}

void ReduceLROnPlateau::load_state_dict(const nn::StateDict& dict) {
  const std::string who = "ReduceLROnPlateau";
  const double best = require_key(dict, "best", who).item();
  const double bad = require_key(dict, "num_bad_epochs", who).item();
  const double cooldown = require_key(dict, "cooldown_counter", who).item();
  const double last = require_key(dict, "last_epoch", who).item();
  last_lr_ = require_key(dict, "_last_lr", who).to_vector<double>();
  best_ = best;
  num_bad_epochs_ = static_cast<int64_t>(bad);
  cooldown_counter_ = static_cast<int64_t>(cooldown);
  last_epoch_ = static_cast<int64_t>(last);
}

}  // namespace nabla::optim
