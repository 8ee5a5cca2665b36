#pragma once
// One epoch of training: forward, loss, backward, optimizer step, per-batch schedule step and
// the progress display, stopping at the first non-finite loss.
#include <chrono>
#include <cstdint>
#include <string>

#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/progress_bar.h"

namespace nabla::cli {

/// Everything one epoch of training touches.
struct TrainLoop {
  nn::UnaryModule& model;
  optim::Optimizer& opt;
  optim::LRScheduler* sched;  ///< may be null (constant lr)
  bool per_batch_schedule;
  data::DataLoader& loader;
  train::ProgressBar* bar;    ///< null: no progress display
  int64_t epochs, total_steps, steps_per_epoch;
  int64_t first_step;         ///< global step at the start of this process (for the ETA)
  std::chrono::steady_clock::time_point run_start;
  std::string last_checkpoint;  ///< named in the divergence message ("" when none is written)
};

/// Sums over one epoch.
struct EpochStats {
  double loss_sum = 0;  ///< sum over images of the batch-mean loss
  int64_t correct = 0, seen = 0;
  double seconds = 0;
  bool diverged = false;  ///< a non-finite loss stopped the epoch; nothing was stepped with it
};

/// One pass over the loader's current epoch; advances `global_step` per batch.
EpochStats train_epoch(TrainLoop& loop, int64_t epoch, int64_t& global_step);

}  // namespace nabla::cli
