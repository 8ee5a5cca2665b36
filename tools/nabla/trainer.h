#pragma once
// Training as a callable function: `nabla train` runs it once, `nabla search` once per trial and
// fold. train_model loads the data (or uses data already loaded), builds model, optimizer and
// schedule from the config, trains with per-epoch validation and, when asked, writes the run
// directory and evaluates the best checkpoint on the test set.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "image_data.h"

namespace nabla::cli {

/// How train_model runs, beyond the config.
struct TrainOptions {
  /// Print the data/model lines, the initial loss, a progress bar and a line per epoch.
  bool verbose = true;
  /// Write runs/<name>/ (config, metrics, TensorBoard, checkpoints, plots) and evaluate the best
  /// checkpoint on the test set. Off: nothing is written and the test set is not touched.
  bool write_run = true;
  /// Continue from this checkpoint (written by a previous run of the same config) in its directory.
  std::string resume_from;
  /// Stop after this epoch although train.epochs is larger (0: no stop); the schedule still spans
  /// train.epochs. Simulates an interrupted run (tests of --resume).
  int64_t stop_after_epoch = 0;
  /// Data already loaded with the config's data.name / dir / val_size / seed (null: load it).
  const ImageData* data = nullptr;
  /// Replace the split: train on these and validate on those indices of the training file
  /// (k-fold cross-validation). data.train_subset still applies to `train_indices`.
  std::optional<std::vector<int64_t>> train_indices, val_indices;
  /// The command that started the run, stated in its final report (report.txt).
  std::string command_line;
};

/// What a training run produced.
struct TrainResult {
  int status = 0;                 ///< 0 ok, 1 test accuracy below train.min_test_acc, 2 diverged
  bool diverged = false;
  int64_t epochs_done = 0, global_step = 0;
  double best_val_acc = NAN;      ///< best per-epoch validation accuracy (train accuracy without a validation set)
  double last_val_acc = NAN, last_val_loss = NAN, last_train_loss = NAN;
  double test_acc = NAN, test_loss = NAN;  ///< with write_run, of the best checkpoint
  double test_acc_tta = NAN;      ///< with train.tta: the test accuracy with flip test-time augmentation
  std::vector<std::string> reinitialized;  ///< train.init: head tensors re-initialised (shape differed)
  double seconds = 0;
  std::string run_dir;            ///< empty without write_run
};

/// Trains as `config` and `options` say (see docs/cli.md). Errors of the config or data raise Error.
TrainResult train_model(const TrainConfig& config, const TrainOptions& options);

}  // namespace nabla::cli
