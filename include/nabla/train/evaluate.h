#pragma once
// Classification evaluation of a model over a whole set of inputs: mean cross-entropy loss,
// accuracy, top-k accuracy and the confusion matrix (data::confusion_matrix), with precision and
// recall per class. Used by train::Trainer's default validation and by `nabla eval`.
#include <cstdint>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor.h"

namespace nabla::train {

/// Results of evaluate().
struct EvalResult {
  double loss = 0, acc = 0, topk_acc = 0;
  int64_t k = 1, num_classes = 0, count = 0;
  std::vector<int64_t> confusion;  ///< num_classes × num_classes, row = true class, column = predicted
  /// Of the samples predicted as class c, the fraction that are c (0 when none was predicted).
  std::vector<double> precision() const;
  /// Of the samples of class c, the fraction predicted as c (0 when the class is absent).
  std::vector<double> recall() const;
};

/// Runs `model` in eval mode without gradients over `inputs` (N, …) with int64 class `labels` (N,)
/// in batches of `batch_size` (restoring its mode after). Raises Error when the label count differs
/// from N or a label lies outside [0, num_classes).
EvalResult evaluate(nn::UnaryModule& model, const Tensor& inputs, const Tensor& labels, int64_t num_classes,
                    int64_t batch_size = 500, int64_t k = 5);

/// Softmax probabilities (N, C) of `model` (eval mode, no gradients, mode restored after) over
/// `inputs` in batches of `batch_size`. flip_tta (test-time augmentation): the mean of the
/// probabilities of each image and of its left–right mirror (inputs (N, C, H, W) only).
Tensor predict_proba(nn::UnaryModule& model, const Tensor& inputs, int64_t batch_size = 500, bool flip_tta = false);

/// evaluate()'s results from class probabilities `probs` (N, C) instead of a model: the loss is
/// the mean −log p[label] (probabilities clamped at 1e-12), the prediction argmax p. Used for
/// test-time augmentation and ensembles, whose outputs are averaged probabilities.
EvalResult evaluate_probabilities(const Tensor& probs, const Tensor& labels, int64_t k = 5);

}  // namespace nabla::train
