#pragma once
// Checkpoints of the `nabla` command, written with nabla::save_checkpoint: model, optimizer,
// scheduler, the default generator, epoch / global step / best validation accuracy, the data
// loader's epoch, and in the user JSON the model name and options, the input normalisation and
// the resolved config (as TOML), so that `nabla train --resume` continues exactly and
// `nabla eval` / `nabla predict` rebuild the model from the file alone.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "fashion_data.h"
#include "nabla/models/registry.h"
#include "nabla/nn/module.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"

namespace nabla::cli {

/// The live objects and counters of a training run that a checkpoint holds.
struct RunState {
  nn::Module* model = nullptr;
  optim::Optimizer* optimizer = nullptr;
  optim::LRScheduler* scheduler = nullptr;  ///< null for a constant learning rate
  int64_t epoch = 0, global_step = 0;
  int64_t loader_epoch = 0;                 ///< the DataLoader epoch the next epoch runs (its shuffle)
  std::optional<double> best_val_acc;
};

/// What a training checkpoint describes besides the tensors.
struct RunInfo {
  std::string model_name;
  models::ModelOptions options;
  Normalization norm;
  TrainConfig config;  ///< train.out_dir is not stored: a run continues where its checkpoint lies
  double val_acc = 0;  ///< validation accuracy of this checkpoint's epoch
};

/// Writes `state` and `info` to `path` atomically (nabla::save_checkpoint).
void save_run_checkpoint(const std::string& path, const RunState& state, const RunInfo& info);

/// Reads the RunInfo of a checkpoint written by save_run_checkpoint; errors name the file.
RunInfo read_run_info(const std::string& path);

/// Restores model, optimizer, scheduler, the default generator and the counters into `state`
/// (built from read_run_info(path).config); errors name the file and what does not fit.
void load_run_checkpoint(const std::string& path, RunState& state);

/// A model rebuilt from a checkpoint, in eval mode, with its description.
struct LoadedModel {
  std::shared_ptr<nn::UnaryModule> model;
  std::string name;
  models::ModelOptions options;
  Normalization norm;
  int64_t epoch = 0;
};

/// Rebuilds the model of a checkpoint written by save_run_checkpoint (model part only).
LoadedModel load_model_checkpoint(const std::string& path);

}  // namespace nabla::cli
