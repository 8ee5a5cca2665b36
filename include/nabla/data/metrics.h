#pragma once
// Classification metrics over predicted and true class indices, shared by the classic baselines,
// train::evaluate and the `nabla` command. Predictions and targets are 1-d integer tensors of the
// same shape (any integer dtype; they are read as int64).
#include <cstdint>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::data {

/// Fraction of equal entries (0 for empty tensors); raises Error for differing shapes.
double accuracy(const Tensor& predicted, const Tensor& target);

/// Accuracy per true class: entry c is the fraction of the samples of class c predicted as c
/// (recall of class c; NaN for a class with no samples). Targets must lie in [0, num_classes).
std::vector<double> per_class_accuracy(const Tensor& predicted, const Tensor& target, int64_t num_classes);

/// The (num_classes, num_classes) int64 confusion matrix: entry (t, p) counts the samples of true
/// class t predicted as p (sklearn.metrics.confusion_matrix). Classes must lie in [0, num_classes).
Tensor confusion_matrix(const Tensor& predicted, const Tensor& target, int64_t num_classes);

}  // namespace nabla::data
