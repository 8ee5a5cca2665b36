#pragma once
// The plots of a run directory: training curves and the test confusion matrix, as SVG.
#include <string>
#include <vector>

#include "nabla/train/evaluate.h"
#include "nabla/train/lr_finder.h"

namespace nabla::cli {

/// Writes <dir>/curves_loss.svg and <dir>/curves_accuracy.svg (train and validation per epoch;
/// validation series may be empty). Nothing is written when `epochs` is empty.
void write_curves(const std::string& dir, const std::vector<double>& epochs, const std::vector<double>& train_loss,
                  const std::vector<double>& val_loss, const std::vector<double>& train_acc,
                  const std::vector<double>& val_acc);

/// Writes <dir>/confusion_matrix.svg (row = true class, column = predicted).
void write_confusion(const std::string& dir, const train::EvalResult& result, const std::vector<std::string>& class_names);

/// Writes <dir>/lr_find.csv (lr,loss) and <dir>/lr_find.svg (log-scale lr axis).
void write_lr_find(const std::string& dir, const train::LrFindResult& result);

}  // namespace nabla::cli
