#pragma once
// nabla::data datasets: the Example/Batch pair, the abstract Dataset and its in-memory and
// composing implementations (TensorDataset, Subset, ConcatDataset, TransformDataset), and
// random_split. Names and behaviour follow torch.utils.data.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::data {

/// One sample: an input (e.g. an image (C, H, W)) and its target (e.g. a 0-d int64 class index).
struct Example {
  Tensor input;
  Tensor target;
};

/// A minibatch: inputs and targets stacked along a new leading dim.
struct Batch {
  Tensor input;
  Tensor target;
};

/// The seed of one sample's Generator: a SplitMix64 hash of (seed, epoch, index). Random
/// transforms draw only from a Generator seeded this way, so a sample's augmentation depends on
/// these three numbers alone, never on thread scheduling.
uint64_t sample_seed(uint64_t seed, uint64_t epoch, uint64_t index);

/// A map-style dataset: size() samples, addressed by index 0..size()-1.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Number of samples.
  virtual int64_t size() const = 0;
  /// Sample `index` (raises Error when out of range). Deterministic.
  virtual Example get(int64_t index) const = 0;
  /// Sample `index` with any randomness (augmentation) drawn from `gen`. The default ignores gen.
  virtual Example sample(int64_t index, Generator& gen) const;
  /// Fast path for a whole batch without randomness: fills `out` with the stacked samples and
  /// returns true, or returns false when the dataset has no such path (the default).
  virtual bool get_batch(const std::vector<int64_t>& indices, Batch& out) const;
};

/// Raises Error naming `who` when index is outside [0, size).
void check_index(const char* who, int64_t index, int64_t size);

/// Samples are slices along dim 0 of in-memory tensors (torch.utils.data.TensorDataset).
/// get_batch gathers a batch with one index_select per tensor.
class TensorDataset : public Dataset {
 public:
  /// `inputs` and `targets` must have the same size along dim 0; targets may be undefined.
  TensorDataset(Tensor inputs, Tensor targets);
  int64_t size() const override;
  Example get(int64_t index) const override;
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 protected:
  TensorDataset() = default;
  /// For subclasses that load their tensors in their own constructor.
  void set_tensors(Tensor inputs, Tensor targets);

 private:
  Tensor inputs_, targets_;
};

/// The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset).
class Subset : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Example sample(int64_t index, Generator& gen) const override;
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  const std::vector<int64_t>& indices() const { return indices_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

/// Datasets one after the other (torch.utils.data.ConcatDataset).
class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<std::shared_ptr<const Dataset>> datasets);
  int64_t size() const override { return offsets_.empty() ? 0 : offsets_.back(); }
  Example get(int64_t index) const override;
  Example sample(int64_t index, Generator& gen) const override;

 private:
  std::pair<size_t, int64_t> locate(int64_t index) const;
  std::vector<std::shared_ptr<const Dataset>> datasets_;
  std::vector<int64_t> offsets_;  // cumulative sizes
};

/// A transform of one tensor that may draw random numbers from the Generator it is given.
using Transform = std::function<Tensor(const Tensor&, Generator&)>;

/// Applies `transform` to each sample's input, and `target_transform` (optional) to its target.
/// get(i) draws from a Generator seeded with sample_seed(0, 0, i); a DataLoader calls sample()
/// with a Generator seeded from (seed, epoch, position).
class TransformDataset : public Dataset {
 public:
  TransformDataset(std::shared_ptr<const Dataset> dataset, Transform transform, Transform target_transform = {});
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override;
  Example sample(int64_t index, Generator& gen) const override;

 private:
  std::shared_ptr<const Dataset> dataset_;
  Transform transform_, target_transform_;
};

/// Splits into non-overlapping Subsets of the given lengths (which must sum to the size), from a
/// random permutation seeded with `seed` (torch.utils.data.random_split).
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<int64_t>& lengths, uint64_t seed = 0);
/// As above with fractions summing to 1: lengths floor(f·n), the remainder handed out one by one
/// round-robin from the first split (PyTorch's rule).
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<double>& fractions, uint64_t seed = 0);

}  // namespace nabla::data
