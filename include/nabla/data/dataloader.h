#pragma once
// DataLoader: batches a Dataset in the order of a Sampler, optionally with worker threads that
// prefetch into a bounded queue (torch.utils.data.DataLoader). The batches are identical for a
// given seed and epoch whatever num_workers is.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/data/sampler.h"

namespace nabla::data {

/// Turns a list of samples into a batch.
using CollateFn = std::function<Batch(const std::vector<Example>&)>;
/// A transform of a whole batch (MixUp, CutMix) drawing from the Generator it is given.
using BatchTransform = std::function<Batch(const Batch&, Generator&)>;

/// Stacks the inputs and the targets along a new dim 0 (all inputs must share shape and dtype,
/// and so must the targets); undefined targets stay undefined.
Batch default_collate(const std::vector<Example>& examples);

/// Settings of a DataLoader; the defaults are PyTorch's.
struct DataLoaderOptions {
  int64_t batch_size = 1;
  /// Visit the samples in a new random order each epoch (ignored when `sampler` is set).
  bool shuffle = false;
  /// Drop the last, incomplete batch.
  bool drop_last = false;
  /// Seeds the shuffle and every sample's Generator (see sample_seed).
  uint64_t seed = 0;
  /// 0 loads in the calling thread; otherwise this many threads load batches ahead.
  int num_workers = 0;
  /// Batches loaded ahead per worker (the queue holds num_workers·prefetch_factor batches).
  int prefetch_factor = 2;
  /// Custom sample order (e.g. a DistributedSampler); overrides shuffle.
  std::shared_ptr<const Sampler> sampler;
  /// Custom collation; empty means default_collate (or the dataset's get_batch fast path).
  CollateFn collate;
  /// Optional batch-level transform, applied after collation with a Generator seeded from
  /// (seed, epoch, batch number).
  BatchTransform batch_transform;
};

/// Iterates over minibatches of a dataset:
///   for (const Batch& b : loader) { … b.input … b.target … }
/// Each range-for runs one epoch: the current epoch (set_epoch) decides the shuffle and the
/// per-sample Generators, and beginning an epoch advances the current epoch by one, so a plain
/// loop reshuffles every time while set_epoch(e) before a loop reproduces epoch e exactly.
/// An exception raised while loading (in a worker or not) reaches the caller as nabla::Error
/// naming the sample index. Stopping early (break) stops and joins the workers.
class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  /// Number of batches per epoch.
  int64_t size() const;
  /// Chooses the epoch the next iteration runs.
  void set_epoch(uint64_t epoch) { epoch_ = epoch; }
  /// The epoch the next iteration runs.
  uint64_t epoch() const { return epoch_; }
  const DataLoaderOptions& options() const { return options_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }

  struct EpochRun;
  /// Input iterator over the batches of one epoch.
  class Iterator {
   public:
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(std::shared_ptr<EpochRun> run);
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return done_ == other.done_; }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    void fetch();
    std::shared_ptr<EpochRun> run_;
    Batch current_;
    bool done_ = true;
  };
  /// Starts an epoch (workers start here) and returns its first batch.
  Iterator begin();
  Iterator end() { return Iterator(); }

  /// Loads batch `indices` in the calling thread as the loader would (collation, batch
  /// transform); `batch_number` seeds the batch transform, `first_position` the samples.
  Batch load_batch(const std::vector<int64_t>& indices, uint64_t epoch, int64_t batch_number,
                   int64_t first_position) const;

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  BatchSampler batch_sampler_;
  uint64_t epoch_ = 0;
};

}  // namespace nabla::data
