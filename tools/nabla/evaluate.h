#pragma once
// Classification metrics over a whole image set: loss, accuracy, top-k accuracy, confusion
// matrix, per-class precision and recall.
#include <cstdint>
#include <vector>

#include "fashion_data.h"
#include "nabla/nn/module.h"

namespace nabla::cli {

/// Results of evaluate().
struct EvalResult {
  double loss = 0, acc = 0, topk_acc = 0;
  int64_t k = 1, num_classes = 0, count = 0;
  std::vector<int64_t> confusion;  ///< num_classes × num_classes, row = true class, column = predicted
  /// Of the images predicted as class c, the fraction that are c (0 when none was predicted).
  std::vector<double> precision() const;
  /// Of the images of class c, the fraction predicted as c (0 when the class is absent).
  std::vector<double> recall() const;
};

/// Runs `model` in eval mode without gradients over `set` in batches (restoring its mode after).
EvalResult evaluate(nn::UnaryModule& model, const ImageSet& set, int64_t num_classes, int64_t batch_size = 500,
                    int64_t k = 5);

}  // namespace nabla::cli
