#pragma once
// Training checkpoints: model, optimizer, LR scheduler, random generators and counters in one
// safetensors file, written atomically, from which training resumes bit for bit.
//   nabla::Checkpoint ckpt{.model = net.get(), .optimizer = &opt, .scheduler = &sched};
//   ckpt.epoch = epoch; ckpt.global_step = step;
//   nabla::save_checkpoint("run/last.safetensors", ckpt);
//   ...                                     // later, with freshly built objects:
//   nabla::load_checkpoint("run/last.safetensors", ckpt);   // fills them and the counters
// Several optimizers and schedulers (a GAN's) are saved by name:
//   nabla::Checkpoint gan{.model = &gan_module, .optimizers = {{"generator", &opt_g}, {"discriminator", &opt_d}}};
// See docs/checkpoints.md for the file layout.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/random.h"

namespace nabla {

/// Version of the checkpoint layout written by save_checkpoint. Version 2 added named optimizers
/// and schedulers; load accepts versions 1 and 2 (a version 1 file is read as one without names).
inline constexpr int64_t kCheckpointFormatVersion = 2;
/// The oldest version load_checkpoint and read_checkpoint_metadata accept.
inline constexpr int64_t kCheckpointOldestFormatVersion = 1;

/// What a checkpoint holds. The pointers name the live objects to save from or load into; a
/// null pointer leaves that part out. The counters and user JSON are copied in and out.
struct Checkpoint {
  nn::Module* model = nullptr;                   ///< tensors "model.<state_dict key>"
  optim::Optimizer* optimizer = nullptr;         ///< tensors "optimizer.<state_dict key>"
  optim::LRScheduler* scheduler = nullptr;       ///< tensors "scheduler.<state_dict key>"
  /// Further optimizers by name (non-empty, no '.'): tensors "optimizer.<name>.<state_dict key>".
  std::map<std::string, optim::Optimizer*> optimizers;
  /// Further schedulers by name (non-empty, no '.'): tensors "scheduler.<name>.<state_dict key>".
  std::map<std::string, optim::LRScheduler*> schedulers;
  optim::ReduceLROnPlateau* plateau = nullptr;   ///< tensors "plateau.<state_dict key>"
  bool default_generator = true;                 ///< saves/restores default_generator() as "rng.default"
  std::map<std::string, Generator*> generators;  ///< extra generators, "rng.<name>" (e.g. a data loader's)

  int64_t epoch = 0;
  int64_t global_step = 0;
  std::optional<double> best_metric;
  std::map<std::string, int64_t> counters;  ///< any further integers by name
  std::string user_json = "{}";             ///< free-form JSON value (must parse)
};

/// The counters and description of a checkpoint file, without touching any tensor.
struct CheckpointMetadata {
  int64_t version = 0;
  int64_t epoch = 0;
  int64_t global_step = 0;
  std::optional<double> best_metric;
  std::map<std::string, int64_t> counters;
  std::string user_json;              ///< the user JSON, compact
  std::string optimizer, scheduler;   ///< the unnamed ones' class names ("SGD", "StepLR"); empty when absent
  std::map<std::string, std::string> optimizers, schedulers;  ///< the named ones' class names by name
  bool has_model = false, has_plateau = false;
  std::vector<std::string> generators;  ///< saved generator names ("default", …)
};

/// Writes every part `ckpt` points at to `path` as one safetensors file, replaced atomically
/// (temporary file, fsync, rename): a failure leaves any previous file untouched and no partial
/// file. Raises Error when user_json does not parse, a pointer in a map is null, or an optimizer
/// or scheduler name is invalid (see check_checkpoint_name) or collides with a key of the
/// unnamed one's state.
void save_checkpoint(const std::string& path, const Checkpoint& ckpt);

/// Reads `path` and restores into the objects `ckpt` points at (model by its strict
/// load_state_dict), the generators, and the counters and user JSON of `ckpt`. Every part
/// `ckpt` asks for must be in the file, named optimizers and schedulers by name and class; with
/// `strict`, every part in the file must be asked for (errors name the missing and unexpected
/// optimizers and schedulers).
/// Before anything is modified the file is checked; errors name the file and the missing,
/// unexpected or mis-shaped keys. Corrupt or truncated files raise Error.
void load_checkpoint(const std::string& path, Checkpoint& ckpt, bool strict = true);

/// Raises Error (naming `where`) unless `name` can name an optimizer or scheduler in a
/// checkpoint: non-empty and without '.', so that "optimizer.<name>.<key>" splits back.
void check_checkpoint_name(const std::string& where, const std::string& name);

/// The metadata of a checkpoint (reads the file and checks its format and version).
CheckpointMetadata read_checkpoint_metadata(const std::string& path);

}  // namespace nabla
