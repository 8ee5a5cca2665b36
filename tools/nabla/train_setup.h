#pragma once
// The pieces a training run is assembled from: model options, optimizer and LR schedule built
// from the config, and the default run name.
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "image_data.h"
#include "nabla/models/registry.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/tensor.h"

namespace nabla::cli {

/// The model to build: its name and options from the config's [model] section, the class count
/// and input shape from the dataset.
models::ModelSpec model_spec(const TrainConfig& config, const ImageData& data);

/// SGD, Adam or AdamW over `params` with the config's optimizer settings.
std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config, const std::vector<Tensor>& params);

/// The config's schedule (null for constant); onecycle and cosine span `total_steps` batches.
std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& config, optim::Optimizer& opt, int64_t total_steps);

/// Whether the schedule steps after every batch (onecycle, cosine, constant with warmup) rather
/// than every epoch.
bool schedule_steps_per_batch(const TrainConfig& config);

/// The warmup in batches: schedule.warmup_steps, or schedule.warmup_epochs × the batches of an
/// epoch (total_steps / train.epochs); raises Error unless it is shorter than the run.
int64_t warmup_steps(const TrainConfig& config, int64_t total_steps);

/// Makes the run directory, the folder of `resume_from` when resuming or else
/// train.out_dir/train.name, and writes the config into it; returns its path. Returns "" and
/// touches nothing when `write_run` is false.
std::string prepare_run_dir(const TrainConfig& config, const std::string& resume_from, bool write_run, bool verbose);

/// "<model>_<YYYYmmdd-HHMMSS>" in local time.
std::string default_run_name(const std::string& model);

}  // namespace nabla::cli
