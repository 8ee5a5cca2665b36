#pragma once
// Checkpoints of the `nabla` command, written by train::Trainer (nabla::save_checkpoint: model,
// optimizer, scheduler, the default generator, epoch / global step / best validation accuracy,
// the data loader's epoch), with in the user JSON the model name and options, the input normalisation and
// the resolved config (as TOML), so that `nabla train --resume` continues exactly and
// `nabla eval` / `nabla predict` rebuild the model from the file alone.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "image_data.h"
#include "nabla/models/registry.h"
#include "nabla/nn/module.h"

namespace nabla::cli {

/// What a training checkpoint describes besides the tensors.
struct RunInfo {
  models::ModelSpec model;  ///< name, data shape and options
  Normalization norm;
  TrainConfig config;  ///< train.out_dir is not stored: a run continues where its checkpoint lies
  double val_acc = 0;  ///< validation accuracy of this checkpoint's epoch
  std::vector<std::string> class_names;  ///< of the dataset, in label order
};

/// The user JSON of a run checkpoint (what train::Trainer writes beside the tensors).
std::string run_checkpoint_json(const RunInfo& info);

/// Reads the RunInfo of a checkpoint written by `nabla train`; errors name the file.
RunInfo read_run_info(const std::string& path);
/// The RunInfo in `user_json` (a checkpoint's user JSON); `path` names its file in errors.
RunInfo parse_run_info(const std::string& user_json, const std::string& path);
/// The metadata key under which `nabla export` stores run_checkpoint_json in an ONNX file.
inline constexpr const char* kOnnxRunKey = "nabla.run";

/// A model rebuilt from a checkpoint, in eval mode, with its description.
struct LoadedModel {
  std::shared_ptr<nn::UnaryModule> model;
  models::ModelSpec spec;  ///< name, data shape and options
  Normalization norm;
  int64_t epoch = 0;
  RunInfo info;  ///< the whole description (config, class names)
};

/// Rebuilds the model of a checkpoint written by `nabla train` (model part only), or loads an
/// ONNX model (a path ending in .onnx): its run description is the one `nabla export` stored; a
/// file without one is taken as a Fashion-MNIST classifier with the default normalisation.
LoadedModel load_model_checkpoint(const std::string& path);

}  // namespace nabla::cli
