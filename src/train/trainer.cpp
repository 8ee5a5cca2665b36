// train::Trainer: epochs of steps, evaluation, metrics, checkpoints, early stopping, callbacks.
#include "nabla/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/autograd.h"
#include "nabla/checkpoint.h"
#include "nabla/error.h"
#include "nabla/models/auxiliary_loss.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/train/evaluate.h"
#include "nabla/train/progress_bar.h"

namespace nabla::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

const std::vector<std::string> kDefaultColumns = {"epoch",   "step",    "lr",           "train_loss", "train_acc",
                                                  "val_loss", "val_acc", "images_per_s", "test_loss",  "test_acc"};

// The epoch records of the earlier part of a resumed run (epochs up to `last_epoch`, no test records).
std::vector<MetricRecord> previous_records(const std::string& run_dir, int64_t last_epoch) {
  std::vector<MetricRecord> out;
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.contains("test_acc") || !j.contains("epoch") || j["epoch"].get<double>() > double(last_epoch))
      continue;
    MetricRecord r;
    for (const auto& [k, v] : j.items())
      if (v.is_number()) r[k] = v.get<double>();
    out.push_back(r);
  }
  return out;
}

void print_epoch(const MetricRecord& rec, int64_t epochs, double seconds) {
  std::printf("epoch %lld/%lld", static_cast<long long>(rec.at("epoch")), static_cast<long long>(epochs));
  for (const auto& [k, v] : rec)
    if (k == "lr" || k.rfind("lr_", 0) == 0) std::printf("  %s %.4g", k.c_str(), v);
  std::printf("  train loss %.4f", rec.at("train_loss"));
  if (rec.count("train_acc")) std::printf(" acc %.2f%%", 100 * rec.at("train_acc"));
  if (rec.count("val_loss")) std::printf("  val loss %.4f", rec.at("val_loss"));
  if (rec.count("val_acc")) std::printf(" acc %.2f%%", 100 * rec.at("val_acc"));
  std::printf("  %.0f img/s  (%.1f s)\n", rec.at("images_per_s"), seconds);
  std::fflush(stdout);
}

}  // namespace

StepFn classification_step(nn::UnaryModule& model, optim::Optimizer& optimizer, ClassificationStepOptions options) {
  return [&model, &optimizer, options](const data::Batch& batch) {
    for (const auto& m : options.frozen)
      if (m->is_training()) m->eval();
    const Tensor logits = model(batch.input);
    Tensor loss = nn::functional::cross_entropy(logits, batch.target, Tensor(), -100, nn::Reduction::Mean,
                                                options.label_smoothing);
    // Models with auxiliary training losses (GoogLeNet's heads) add theirs.
    if (const auto* aux = dynamic_cast<const models::AuxiliaryLoss*>(&model)) {
      const Tensor extra = aux->auxiliary_loss(batch.target);
      if (extra.defined()) loss = add(loss, extra);
    }
    StepResult r;
    r.loss = loss.item();
    r.batch_size = batch.target.size(0);
    if (!std::isfinite(r.loss)) return r;  // nothing is stepped with a non-finite loss
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    NoGradGuard no_grad;
    const Tensor truth = batch.target.dim() == 2 ? argmax(batch.target, 1) : batch.target;
    r.correct = static_cast<int64_t>(eq(argmax(logits.detach(), 1), truth).sum().item());
    return r;
  };
}

EvalFn classification_eval(nn::UnaryModule& model, Tensor inputs, Tensor labels, int64_t num_classes,
                           int64_t batch_size) {
  return [&model, inputs, labels, num_classes, batch_size]() -> MetricRecord {
    const EvalResult r = evaluate(model, inputs, labels, num_classes, batch_size, 1);
    return {{"loss", r.loss}, {"acc", r.acc}};
  };
}

// Sums over one epoch.
struct Trainer::EpochSums {
  double loss_sum = 0;  // sum over samples of the batch-mean loss
  int64_t correct = 0, seen = 0;
  bool has_accuracy = true;
  std::map<std::string, double> extra_sums;
  double seconds = 0;
  bool diverged = false;
  double bad_loss = 0;
};

Trainer::Trainer(nn::Module& model, data::DataLoader& loader, TrainerOptions options)
    : model_(model), loader_(loader), options_(std::move(options)) {
  NABLA_CHECK(options_.epochs >= 1, "train::Trainer: expected epochs >= 1, got ", options_.epochs);
  NABLA_CHECK(options_.early_stopping_patience >= 0, "train::Trainer: expected early_stopping_patience >= 0, got ",
              options_.early_stopping_patience);
  default_columns_ = options_.csv_columns.empty();
  if (default_columns_) options_.csv_columns = kDefaultColumns;
}

Trainer& Trainer::set_optimizer(optim::Optimizer* optimizer) {
  optimizer_ = optimizer;
  return *this;
}

Trainer& Trainer::add_optimizer(const std::string& name, optim::Optimizer* optimizer) {
  check_checkpoint_name("train::Trainer::add_optimizer", name);
  NABLA_CHECK(optimizer != nullptr, "train::Trainer::add_optimizer: optimizer '", name, "' is a null pointer");
  for (const auto& [n, o] : named_optimizers_)
    NABLA_CHECK(n != name, "train::Trainer::add_optimizer: an optimizer named '", name, "' was already added");
  named_optimizers_.emplace_back(name, optimizer);
  return *this;
}

optim::Optimizer* Trainer::optimizer(const std::string& name) {
  std::string names;
  for (const auto& [n, o] : named_optimizers_) {
    if (n == name) return o;
    names += (names.empty() ? "'" : ", '") + n + "'";
  }
  throw Error(str_cat("train::Trainer::optimizer: no optimizer named '", name, "' (added: ",
                      names.empty() ? "none" : names, ")"));
}

Trainer& Trainer::set_scheduler(optim::LRScheduler* scheduler, bool per_batch) {
  if (!schedules_.empty() && schedules_.front().name.empty()) schedules_.erase(schedules_.begin());
  if (scheduler) schedules_.insert(schedules_.begin(), Schedule{"", scheduler, per_batch});
  return *this;
}

Trainer& Trainer::add_scheduler(const std::string& name, optim::LRScheduler* scheduler, bool per_batch) {
  check_checkpoint_name("train::Trainer::add_scheduler", name);
  NABLA_CHECK(scheduler != nullptr, "train::Trainer::add_scheduler: scheduler '", name, "' is a null pointer");
  for (const Schedule& s : schedules_)
    NABLA_CHECK(s.name != name, "train::Trainer::add_scheduler: a scheduler named '", name, "' was already added");
  schedules_.push_back(Schedule{name, scheduler, per_batch});
  return *this;
}

void Trainer::step_schedulers(bool per_batch) {
  for (const Schedule& s : schedules_)
    if (s.per_batch == per_batch) s.scheduler->step();
}

Checkpoint Trainer::checkpoint_parts() const {
  Checkpoint ck;
  ck.model = &model_;
  ck.optimizer = optimizer_;
  for (const auto& [name, opt] : named_optimizers_) ck.optimizers[name] = opt;
  for (const Schedule& s : schedules_) {
    if (s.name.empty()) ck.scheduler = s.scheduler;
    else ck.schedulers[s.name] = s.scheduler;
  }
  return ck;
}

Trainer& Trainer::set_step(StepFn step) {
  step_ = std::move(step);
  return *this;
}

Trainer& Trainer::set_eval(EvalFn eval) {
  eval_ = std::move(eval);
  return *this;
}

Trainer& Trainer::add_callback(std::shared_ptr<Callback> callback) {
  NABLA_CHECK(callback != nullptr, "train::Trainer::add_callback: expected a callback, got null");
  callbacks_.push_back(std::move(callback));
  return *this;
}

Trainer& Trainer::set_checkpoint_json(std::function<std::string(const MetricRecord&)> make_json) {
  checkpoint_json_ = std::move(make_json);
  return *this;
}

const std::vector<MetricRecord>& Trainer::records() const { return metrics_ ? metrics_->records() : restored_; }

std::string Trainer::last_checkpoint_path() const {
  return options_.run_dir.empty() ? "" : options_.run_dir + "/last.safetensors";
}

std::string Trainer::best_checkpoint_path() const {
  return options_.run_dir.empty() ? "" : options_.run_dir + "/best.safetensors";
}

void Trainer::resume(const std::string& path) {
  NABLA_CHECK(std::filesystem::exists(path), "train::Trainer::resume: checkpoint '", path, "' does not exist");
  Checkpoint ck = checkpoint_parts();
  load_checkpoint(path, ck);
  epoch_ = ck.epoch;
  global_step_ = ck.global_step;
  best_ = ck.best_metric;
  NABLA_CHECK(ck.counters.count("loader_epoch"), "train::Trainer::resume: '", path,
              "' has no loader_epoch counter (was it written by a Trainer?)");
  loader_.set_epoch(static_cast<uint64_t>(ck.counters.at("loader_epoch")));
  if (ck.counters.count("epochs_without_improvement"))
    epochs_without_improvement_ = ck.counters.at("epochs_without_improvement");
  if (!options_.run_dir.empty()) restored_ = previous_records(options_.run_dir, epoch_);
}

void Trainer::open_writers() {
  if (options_.run_dir.empty() || metrics_) return;
  std::filesystem::create_directories(options_.run_dir);
  metrics_ = std::make_unique<MetricsLogger>(options_.run_dir, options_.csv_columns);
  for (const auto& r : restored_) log_record(r);
  if (options_.tensorboard) summary_ = std::make_unique<SummaryWriter>(options_.run_dir);
}

void Trainer::log_record(const MetricRecord& record) {
  if (default_columns_) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : record) keys.push_back(k);
    metrics_->add_columns(keys);
  }
  metrics_->log(record);
}

void Trainer::save(const std::string& path, const MetricRecord& record) const {
  Checkpoint ck = checkpoint_parts();
  ck.epoch = epoch_;
  ck.global_step = global_step_;
  ck.best_metric = best_;
  ck.counters["loader_epoch"] = static_cast<int64_t>(loader_.epoch());
  ck.counters["epochs_without_improvement"] = epochs_without_improvement_;
  ck.user_json = checkpoint_json_ ? checkpoint_json_(record) : "{}";
  save_checkpoint(path, ck);
}

MetricRecord Trainer::current_lrs() const {
  MetricRecord lrs;
  if (optimizer_) lrs["lr"] = optimizer_->lr(0);
  for (const auto& [name, opt] : named_optimizers_) lrs["lr_" + name] = opt->lr(0);
  return lrs;
}

void Trainer::report_divergence(double loss, int64_t epoch) const {
  const std::string last = last_checkpoint_path();
  const bool have_last = !last.empty() && std::filesystem::exists(last);
  std::string lrs;
  for (const auto& [k, v] : current_lrs()) lrs += str_cat(lrs.empty() ? " (" : ", ", k, " ", v);
  if (!lrs.empty()) lrs += ")";
  std::fprintf(stderr, "%s: the loss became %s at epoch %lld, step %lld%s; stopping. The last good checkpoint is %s\n",
               options_.name.c_str(), std::isnan(loss) ? "NaN" : "infinite", static_cast<long long>(epoch),
               static_cast<long long>(global_step_ + 1), lrs.c_str(),
               have_last ? last.c_str() : "(none: it diverged in the first epoch)");
}

Trainer::EpochSums Trainer::run_epoch(int64_t epoch, int64_t first_step, double run_start_s) {
  model_.train();
  EpochSums st;
  std::unique_ptr<ProgressBar> bar;
  if (options_.progress)
    bar = std::make_unique<ProgressBar>(stderr, isatty(fileno(stderr)) != 0, options_.progress_interval_s);
  const int64_t steps_per_epoch = loader_.size(), total_steps = steps_per_epoch * options_.epochs;
  int64_t step_in_epoch = 0;
  const auto epoch_start = Clock::now();
  for (const data::Batch& batch : loader_) {
    const StepResult r = step_(batch);
    if (!std::isfinite(r.loss)) {
      st.diverged = true;
      st.bad_loss = r.loss;
      break;
    }
    if (global_step_ + 1 < total_steps) step_schedulers(/*per_batch=*/true);
    const int64_t b = r.batch_size > 0 ? r.batch_size : batch.target.defined() ? batch.target.size(0) : 1;
    if (r.correct < 0) st.has_accuracy = false;
    else st.correct += r.correct;
    st.loss_sum += r.loss * double(b);
    for (const auto& [k, v] : r.extra) st.extra_sums[k] += v * double(b);
    st.seen += b;
    ++step_in_epoch;
    ++global_step_;
    for (auto& c : callbacks_) c->on_batch_end(*this, r);
    if (!bar) continue;
    ProgressState ps;
    ps.epoch = epoch;
    ps.epochs = options_.epochs;
    ps.step = step_in_epoch;
    ps.steps = steps_per_epoch;
    ps.loss = st.loss_sum / double(st.seen);
    ps.acc = st.has_accuracy ? double(st.correct) / double(st.seen) : 0.0;
    ps.show_acc = st.has_accuracy;
    ps.unit = options_.sample_unit;
    ps.images_per_s = double(st.seen) / seconds_since(epoch_start);
    ps.eta_s = (seconds_since(Clock::time_point{}) - run_start_s) / double(global_step_ - first_step) *
               double(total_steps - global_step_);
    bar->update(ps);
  }
  if (bar) bar->finish_line();
  st.seconds = seconds_since(epoch_start);
  return st;
}

FitResult Trainer::fit() {
  if (!step_) {
    auto* unary = dynamic_cast<nn::UnaryModule*>(&model_);
    NABLA_CHECK(unary && optimizer_, "train::Trainer::fit: without set_step the model must be a single-tensor ",
                "module (nn::UnaryModule) and set_optimizer must name its optimizer");
    step_ = classification_step(*unary, *optimizer_);
  }
  NABLA_CHECK(loader_.size() > 0, "train::Trainer::fit: the data loader yields no batch");
  const auto start = Clock::now();
  const double run_start_s = seconds_since(Clock::time_point{});
  const int64_t first_step = global_step_;
  open_writers();
  FitResult result;
  stop_requested_ = false;
  for (auto& c : callbacks_) c->on_train_begin(*this);
  const int64_t last_epoch =
      options_.stop_after_epoch > 0 ? std::min(options_.stop_after_epoch, options_.epochs) : options_.epochs;
  for (int64_t epoch = epoch_ + 1; epoch <= last_epoch && !stop_requested_; ++epoch) {
    for (auto& c : callbacks_) c->on_epoch_begin(*this, epoch);
    const MetricRecord lrs_at_start = current_lrs();
    const EpochSums st = run_epoch(epoch, first_step, run_start_s);
    if (st.diverged) {
      report_divergence(st.bad_loss, epoch);
      result.diverged = true;
      break;
    }
    step_schedulers(/*per_batch=*/false);
    MetricRecord rec = {{"epoch", double(epoch)},
                        {"step", double(global_step_)},
                        {"train_loss", st.loss_sum / double(st.seen)},
                        {"images_per_s", double(st.seen) / st.seconds}};
    rec.insert(lrs_at_start.begin(), lrs_at_start.end());
    if (st.has_accuracy) rec["train_acc"] = double(st.correct) / double(st.seen);
    for (const auto& [k, v] : st.extra_sums) rec["train_" + k] = v / double(st.seen);
    if (eval_)
      for (const auto& [k, v] : eval_()) rec["val_" + k] = v;
    for (auto& c : callbacks_) c->on_epoch_end(*this, rec);
    epoch_ = epoch;
    if (options_.print_epochs) print_epoch(rec, options_.epochs, st.seconds);

    // The monitored value: the metric itself, else its train_ counterpart (no validation set).
    std::string key = options_.monitor;
    if (!rec.count(key) && key.rfind("val_", 0) == 0) key = "train_" + key.substr(4);
    bool improved = false;
    if (rec.count(key)) {
      const double v = rec.at(key);
      improved = !best_ || (options_.monitor_max ? v > *best_ : v < *best_);
      const bool by_delta = !best_ || (options_.monitor_max ? v > *best_ + options_.early_stopping_min_delta
                                                            : v < *best_ - options_.early_stopping_min_delta);
      epochs_without_improvement_ = by_delta ? 0 : epochs_without_improvement_ + 1;
      if (improved) best_ = v;
    }
    if (options_.early_stopping_patience > 0 && epochs_without_improvement_ >= options_.early_stopping_patience) {
      result.stopped_early = true;
      stop_requested_ = true;
    }
    result.last = rec;
    if (metrics_) {
      log_record(rec);
      if (summary_) {
        for (const auto& [k, v] : rec)
          if (k != "epoch" && k != "step") summary_->add_scalar(k, v, global_step_);
        if (options_.histograms)
          for (const auto& [pname, p] : model_.named_parameters()) summary_->add_histogram(pname, p, global_step_);
      }
      save(last_checkpoint_path(), rec);
      if (improved) save(best_checkpoint_path(), rec);
    }
  }
  if (stop_requested_ && !result.diverged) result.stopped_early = true;
  for (auto& c : callbacks_) c->on_train_end(*this);
  result.epochs_done = epoch_;
  result.global_step = global_step_;
  result.best = best_;
  result.seconds = seconds_since(start);
  return result;
}

LrFindResult Trainer::lr_find(double min_lr, double max_lr, int64_t steps) {
  auto* unary = dynamic_cast<nn::UnaryModule*>(&model_);
  NABLA_CHECK(unary && optimizer_, "train::Trainer::lr_find: needs a single-tensor model (nn::UnaryModule) and ",
              "set_optimizer");
  return lr_range_test(*unary, *optimizer_, loader_, min_lr, max_lr, steps);
}

}  // namespace nabla::train
