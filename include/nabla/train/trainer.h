#pragma once
// train::Trainer: the epoch loop of a training run as a library object. It owns no model and no
// data: it drives a step function over a DataLoader, then an evaluation function, and around them
// does what every run needs — learning-rate schedule, metrics (metrics.jsonl/.csv, TensorBoard),
// the progress bar, the NaN stop, checkpoints (last and best) with exact resume, early stopping,
// the learning-rate range test — with callbacks for anything else.
//
// The step is a function so that models that are not "one tensor in, logits out" train with the
// same loop: a GAN's step runs two optimizers, a detector's step sums a dict of losses. The default
// step (classification_step) is forward, cross-entropy, backward, optimizer step.
//
// Example:
//   train::Trainer trainer(*model, loader, {.epochs = 10, .run_dir = "runs/mlp", .progress = true});
//   trainer.set_optimizer(&opt).set_scheduler(sched.get(), /*per_batch=*/false);
//   trainer.set_step(train::classification_step(*model, opt));
//   trainer.set_eval(train::classification_eval(*model, val_x, val_y, 10));
//   const train::FitResult r = trainer.fit();
// Several optimizers and schedules (a GAN's) are added by name, and all are checkpointed:
//   trainer.add_optimizer("generator", &opt_g).add_optimizer("discriminator", &opt_d);
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/checkpoint.h"
#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/lr_finder.h"
#include "nabla/train/metrics_logger.h"
#include "nabla/train/summary_writer.h"

namespace nabla::train {

/// What one training step reports to the loop.
struct StepResult {
  double loss = 0;          ///< the batch's loss (watched by the NaN stop; averaged into train_loss)
  int64_t batch_size = 0;   ///< samples in the batch (weights the epoch means)
  int64_t correct = -1;     ///< correctly classified samples; negative when the step has no accuracy
  std::map<std::string, double> extra{};  ///< further batch-mean values, averaged per epoch as train_<name>
};

/// One training step over a batch: compute losses, backpropagate, step the optimizer(s). A step
/// that finds a non-finite loss should return it without stepping (the loop then stops).
using StepFn = std::function<StepResult(const data::Batch&)>;

/// An evaluation: metrics by name without prefix ("loss", "acc"); the Trainer records them as
/// val_<name>.
using EvalFn = std::function<MetricRecord()>;

/// Options of classification_step.
struct ClassificationStepOptions {
  /// Cross-entropy's label smoothing ε: the target distribution is (1 − ε)·target + ε/C.
  double label_smoothing = 0.0;
  /// Modules put back in eval mode before every forward pass (the Trainer puts the whole model
  /// in train mode each epoch): a frozen backbone's BatchNorm keeps its running statistics and
  /// its Dropout stays off, so a linear probe sees fixed features.
  std::vector<std::shared_ptr<nn::Module>> frozen{};
};

/// The default step for a classifier: logits = model(input), cross_entropy(logits, target) (plus
/// the model's auxiliary_loss(target) when it implements models::AuxiliaryLoss), zero_grad,
/// backward, step; counts argmax hits. Targets are int64 class indices (N) or class
/// probabilities (N, C) (MixUp/CutMix batches: a hit is argmax logits = argmax target). A
/// non-finite loss is returned unstepped.
StepFn classification_step(nn::UnaryModule& model, optim::Optimizer& optimizer, ClassificationStepOptions options = {});

/// The default evaluation of a classifier on fixed tensors: train::evaluate's loss and accuracy
/// as {"loss", "acc"}. The tensors are held by value (shared storage).
EvalFn classification_eval(nn::UnaryModule& model, Tensor inputs, Tensor labels, int64_t num_classes,
                           int64_t batch_size = 500);

/// How a Trainer runs.
struct TrainerOptions {
  int64_t epochs = 1;
  /// Stop after this epoch although `epochs` is larger (0: no stop); schedules still span `epochs`.
  int64_t stop_after_epoch = 0;
  /// Where metrics.jsonl/.csv, TensorBoard events and last/best.safetensors go; empty: nothing is
  /// written (no checkpoints, no resume).
  std::string run_dir{};
  bool tensorboard = true;   ///< with run_dir: scalars per epoch and parameter histograms
  bool histograms = true;
  /// Columns of metrics.csv and keys of metrics.jsonl; a record with another key raises Error.
  /// Empty: epoch, step, lr, train_loss, train_acc, val_loss, val_acc, images_per_s, test_loss,
  /// test_acc, and every further key a record brings (lr_<name>, a step's train_<extra>, a
  /// callback's), appended as it first appears.
  std::vector<std::string> csv_columns{};
  bool progress = false;     ///< a progress bar on stderr (redrawn in place on a terminal)
  /// What the progress bar counts per second: a StepResult::batch_size unit ("img", "tok").
  std::string sample_unit = "img";
  double progress_interval_s = 10;
  bool print_epochs = false; ///< a line per epoch on stdout
  /// The metric that picks the best checkpoint and drives early stopping, and whether larger is
  /// better. When an epoch's record lacks it, the train_ metric of the same name is used.
  std::string monitor = "val_acc";
  bool monitor_max = true;
  /// Stop when the monitored metric has not improved by more than min_delta for this many epochs
  /// (0: never).
  int64_t early_stopping_patience = 0;
  double early_stopping_min_delta = 0;
  /// Names the run in messages ("nabla train: the loss became NaN …").
  std::string name = "train";
};

class Trainer;

/// Hooks into the loop; override what you need. on_epoch_end may add entries to the record before
/// it is logged and checkpointed; any hook may call Trainer::request_stop().
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Trainer&) {}
  virtual void on_epoch_begin(Trainer&, int64_t /*epoch*/) {}
  virtual void on_batch_end(Trainer&, const StepResult&) {}
  virtual void on_epoch_end(Trainer&, MetricRecord& /*record*/) {}
  virtual void on_train_end(Trainer&) {}
};

/// What fit() did.
struct FitResult {
  int64_t epochs_done = 0;      ///< the last completed epoch
  int64_t global_step = 0;
  bool diverged = false;        ///< a non-finite loss stopped the run
  bool stopped_early = false;   ///< early stopping or a callback's request_stop
  std::optional<double> best;   ///< best value of the monitored metric
  MetricRecord last;            ///< the last epoch's record
  double seconds = 0;
};

/// The training loop. Holds references: model, loader, optimizer and scheduler must outlive it.
class Trainer {
 public:
  /// `model` is checkpointed and put in train mode each epoch; `loader` supplies the batches.
  Trainer(nn::Module& model, data::DataLoader& loader, TrainerOptions options = {});

  /// The (unnamed) optimizer: checkpointed as "optimizer.*", its lr(0) recorded as "lr"; the one
  /// the default step and lr_find() drive. Null removes it (a step that manages its own).
  Trainer& set_optimizer(optim::Optimizer* optimizer);
  /// Adds an optimizer by name (non-empty, no '.', not yet used): checkpointed as
  /// "optimizer.<name>.*" and restored by resume(), its lr(0) recorded as "lr_<name>". The step
  /// function does the stepping; this is how a GAN's two optimizers are both saved.
  Trainer& add_optimizer(const std::string& name, optim::Optimizer* optimizer);
  /// The (unnamed) schedule (null: none), checkpointed as "scheduler.*". per_batch: stepped after
  /// each batch (OneCycle, cosine over steps) except the run's very last; else after each epoch.
  Trainer& set_scheduler(optim::LRScheduler* scheduler, bool per_batch);
  /// Adds a schedule by name (non-empty, no '.', not yet used), checkpointed as
  /// "scheduler.<name>.*" and stepped like set_scheduler's, after it, in the order added.
  Trainer& add_scheduler(const std::string& name, optim::LRScheduler* scheduler, bool per_batch);
  /// The step (default: classification_step of the model, when it is a UnaryModule, and the optimizer).
  Trainer& set_step(StepFn step);
  /// The evaluation run after each epoch (default: none).
  Trainer& set_eval(EvalFn eval);
  /// Adds a callback, called in the order added.
  Trainer& add_callback(std::shared_ptr<Callback> callback);
  /// The user JSON written into each checkpoint, from the epoch's record (default "{}").
  Trainer& set_checkpoint_json(std::function<std::string(const MetricRecord&)> make_json);

  /// Restores model, every optimizer and scheduler (strictly: the checkpoint must hold exactly
  /// those set and added), generator, counters and the loader's epoch from a checkpoint written by a Trainer, and (with a run_dir) the earlier epochs' metric records, so
  /// that fit() continues exactly where that run was (the same checkpoints, byte for byte).
  void resume(const std::string& checkpoint_path);

  /// Runs epochs from the one after the last completed up to options.epochs (or stop_after_epoch).
  FitResult fit();

  /// The learning-rate range test with the optimizer and loader (changes the weights: run it on a
  /// fresh model, or reload after). Needs set_optimizer and a UnaryModule model.
  LrFindResult lr_find(double min_lr = 1e-6, double max_lr = 10.0, int64_t steps = 200);

  /// Ends fit() after the current epoch (from a callback).
  void request_stop() { stop_requested_ = true; }

  nn::Module& model() { return model_; }
  data::DataLoader& loader() { return loader_; }
  optim::Optimizer* optimizer() { return optimizer_; }
  /// The optimizer added under `name`; raises Error listing the names when there is none.
  optim::Optimizer* optimizer(const std::string& name);
  const TrainerOptions& options() const { return options_; }
  int64_t epoch() const { return epoch_; }              ///< last completed epoch
  int64_t global_step() const { return global_step_; }  ///< optimizer steps so far
  std::optional<double> best() const { return best_; }  ///< best monitored value so far
  /// The records logged so far (including those restored by resume); empty without run_dir.
  const std::vector<MetricRecord>& records() const;
  /// The metrics files (null before fit() or without run_dir): log further records (a test
  /// result) after fit().
  MetricsLogger* metrics_logger() { return metrics_.get(); }
  /// The TensorBoard writer (null before fit(), without run_dir or with tensorboard off).
  SummaryWriter* summary_writer() { return summary_.get(); }
  /// Paths of the checkpoints ("" without run_dir).
  std::string last_checkpoint_path() const;
  std::string best_checkpoint_path() const;

 private:
  struct EpochSums;
  EpochSums run_epoch(int64_t epoch, int64_t first_step, double run_start_s);
  void save(const std::string& path, const MetricRecord& record) const;
  void report_divergence(double loss, int64_t epoch) const;
  Checkpoint checkpoint_parts() const;
  MetricRecord current_lrs() const;  // "lr" and "lr_<name>": each optimizer's lr(0)
  void step_schedulers(bool per_batch);

  nn::Module& model_;
  data::DataLoader& loader_;
  TrainerOptions options_;
  optim::Optimizer* optimizer_ = nullptr;
  /// A schedule and when it is stepped; an empty name is set_scheduler's.
  struct Schedule {
    std::string name;
    optim::LRScheduler* scheduler;
    bool per_batch;
  };
  std::vector<std::pair<std::string, optim::Optimizer*>> named_optimizers_;  // in the order added
  std::vector<Schedule> schedules_;  // set_scheduler's first, then the added ones in order
  StepFn step_;
  EvalFn eval_;
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::function<std::string(const MetricRecord&)> checkpoint_json_;
  void open_writers();
  void log_record(const MetricRecord& record);
  bool default_columns_ = false;  // csv_columns was left empty: columns grow with the records
  std::unique_ptr<MetricsLogger> metrics_;
  std::unique_ptr<SummaryWriter> summary_;
  std::vector<MetricRecord> restored_;
  int64_t epoch_ = 0, global_step_ = 0;
  std::optional<double> best_;
  int64_t epochs_without_improvement_ = 0;
  bool stop_requested_ = false;
};

}  // namespace nabla::train
