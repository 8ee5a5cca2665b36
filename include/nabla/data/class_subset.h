#pragma once
// ClassSubset: the samples of a classification dataset whose label is one of a chosen list of
// classes, with the labels renumbered 0..k−1 in the order of that list. It is how a task is cut
// out of a dataset: transfer learning trains on Fashion-MNIST classes 0–4 and then fine-tunes on
// classes 5–9, each as its own 5-class problem.
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data {

/// The samples of `dataset` (integer class targets) whose label is in `classes`, in the
/// dataset's order; the target of a sample of class classes[j] becomes j (int64).
class ClassSubset : public Dataset {
 public:
  /// Reads every label of `dataset` once. Raises Error when `classes` is empty, holds a negative
  /// or repeated value, or a class has no sample.
  ClassSubset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> classes);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Example sample(int64_t index, Generator& gen) const override;
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  /// The chosen classes, in label order of this subset (new label j is classes()[j]).
  const std::vector<int64_t>& classes() const { return classes_; }
  /// Indices into the underlying dataset, in order.
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  Tensor remap(const Tensor& target) const;
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> classes_;
  std::vector<int64_t> new_label_;  // by original label; −1 when not chosen
  std::vector<int64_t> indices_;
};

}  // namespace nabla::data
