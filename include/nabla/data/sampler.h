#pragma once
// Samplers: the order in which a DataLoader visits a dataset, as torch.utils.data. A sampler is
// stateless: indices(epoch) is a pure function of its settings and the epoch.
#include <cstdint>
#include <memory>
#include <vector>

namespace nabla::data {

/// Produces the dataset indices of one epoch.
class Sampler {
 public:
  virtual ~Sampler() = default;
  /// The indices visited in epoch `epoch`.
  virtual std::vector<int64_t> indices(uint64_t epoch) const = 0;
  /// Number of indices per epoch.
  virtual int64_t size() const = 0;
};

/// 0, 1, …, n−1.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t n);
  std::vector<int64_t> indices(uint64_t epoch) const override;
  int64_t size() const override { return n_; }

 private:
  int64_t n_;
};

/// A permutation of 0..n−1 drawn from a Generator seeded by (seed, epoch), so each epoch is
/// reshuffled reproducibly; with replacement, num_samples uniform draws (default n).
class RandomSampler : public Sampler {
 public:
  RandomSampler(int64_t n, bool replacement = false, int64_t num_samples = -1, uint64_t seed = 0);
  std::vector<int64_t> indices(uint64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  int64_t n_, num_samples_;
  bool replacement_;
  uint64_t seed_;
};

/// Index i drawn with probability weights[i] / Σ weights (weights need not sum to 1). Without
/// replacement each index appears at most once, drawn in the order of successive weighted draws
/// (as torch.multinomial); num_samples must not exceed the number of positive weights.
class WeightedRandomSampler : public Sampler {
 public:
  WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement = true, uint64_t seed = 0);
  std::vector<int64_t> indices(uint64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  std::vector<double> weights_, cumulative_;
  int64_t num_samples_;
  bool replacement_;
  uint64_t seed_;
};

/// The share of rank `rank` among `num_replicas` processes (torch DistributedSampler): the
/// (shuffled with (seed, epoch), or sequential) indices are padded by repeating from the start
/// to a multiple of num_replicas (or truncated when drop_last), and rank r takes r, r+R, r+2R, …
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(int64_t n, int64_t num_replicas, int64_t rank, bool shuffle = true, uint64_t seed = 0,
                     bool drop_last = false);
  std::vector<int64_t> indices(uint64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  int64_t n_, num_replicas_, rank_, num_samples_;
  bool shuffle_, drop_last_;
  uint64_t seed_;
};

/// Groups a sampler's indices into batches of batch_size (the last one smaller unless drop_last).
class BatchSampler {
 public:
  BatchSampler(std::shared_ptr<const Sampler> sampler, int64_t batch_size, bool drop_last = false);
  /// The batches of epoch `epoch`.
  std::vector<std::vector<int64_t>> batches(uint64_t epoch) const;
  /// Number of batches per epoch.
  int64_t size() const;

 private:
  std::shared_ptr<const Sampler> sampler_;
  int64_t batch_size_;
  bool drop_last_;
};

}  // namespace nabla::data
