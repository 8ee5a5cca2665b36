#pragma once
// Model checkpoints of the `nabla` command: the state dict as safetensors with the model name and
// options (and training facts) in the metadata, so `nabla eval` / `nabla predict` can rebuild
// the model from the file alone.
//
// Seam: full training checkpoints (optimizer state, RNG, exact resume) belong to the library's
// checkpoint module; when it lands, save_checkpoint/load_checkpoint become thin calls to it and
// the metadata keys below stay.
#include <map>
#include <memory>
#include <string>

#include "nabla/models/registry.h"
#include "nabla/nn/module.h"

namespace nabla::cli {

/// Writes `model`'s state dict to `path` atomically, with models::to_metadata(name, options)
/// plus `extra` (epoch, val_acc, normalisation, …) as metadata.
void save_checkpoint(const std::string& path, const nn::Module& model, const std::string& model_name,
                     const models::ModelOptions& options, const std::map<std::string, std::string>& extra);

/// A model rebuilt from a checkpoint, in eval mode, with the file's metadata.
struct LoadedModel {
  std::shared_ptr<nn::Module> model;
  std::string name;
  models::ModelOptions options;
  std::map<std::string, std::string> metadata;
};

/// Reads a checkpoint written by save_checkpoint; errors name the file.
LoadedModel load_checkpoint(const std::string& path);

}  // namespace nabla::cli
