// Sequential, random, weighted, distributed and batch samplers.
#include "nabla/data/sampler.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "data/random_util.h"
#include "nabla/data/dataset.h"
#include "nabla/error.h"

namespace nabla::data {

SequentialSampler::SequentialSampler(int64_t n) : n_(n) {
  NABLA_CHECK(n >= 0, "SequentialSampler: expected a non-negative size, got ", n);
}

std::vector<int64_t> SequentialSampler::indices(uint64_t) const {
  std::vector<int64_t> v(n_);
  for (int64_t i = 0; i < n_; ++i) v[i] = i;
  return v;
}

RandomSampler::RandomSampler(int64_t n, bool replacement, int64_t num_samples, uint64_t seed)
    : n_(n), num_samples_(num_samples < 0 ? n : num_samples), replacement_(replacement), seed_(seed) {
  NABLA_CHECK(n >= 0, "RandomSampler: expected a non-negative size, got ", n);
  NABLA_CHECK(replacement || num_samples < 0 || num_samples == n,
              "RandomSampler: num_samples (", num_samples, ") may differ from the dataset size (", n,
              ") only with replacement");
  NABLA_CHECK(!replacement || n > 0 || num_samples_ == 0, "RandomSampler: cannot draw from an empty dataset");
}

std::vector<int64_t> RandomSampler::indices(uint64_t epoch) const {
  Generator gen(sample_seed(seed_, epoch, ~uint64_t{0}));
  if (!replacement_) return detail::permutation(n_, gen);
  std::vector<int64_t> v(num_samples_);
  for (auto& i : v) i = detail::uniform_int(gen, 0, n_);
  return v;
}

WeightedRandomSampler::WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement,
                                             uint64_t seed)
    : weights_(std::move(weights)), num_samples_(num_samples), replacement_(replacement), seed_(seed) {
  NABLA_CHECK(num_samples >= 0, "WeightedRandomSampler: num_samples must be non-negative, got ", num_samples);
  double total = 0;
  int64_t positive = 0;
  for (size_t i = 0; i < weights_.size(); ++i) {
    NABLA_CHECK(std::isfinite(weights_[i]) && weights_[i] >= 0, "WeightedRandomSampler: weight ", i,
                " must be finite and non-negative, got ", weights_[i]);
    total += weights_[i];
    positive += weights_[i] > 0;
    cumulative_.push_back(total);
  }
  NABLA_CHECK(num_samples == 0 || total > 0, "WeightedRandomSampler: the weights sum to 0");
  NABLA_CHECK(replacement || num_samples <= positive, "WeightedRandomSampler: cannot draw ", num_samples,
              " samples without replacement from ", positive, " positive weights");
}

std::vector<int64_t> WeightedRandomSampler::indices(uint64_t epoch) const {
  Generator gen(sample_seed(seed_, epoch, ~uint64_t{0}));
  std::vector<int64_t> v;
  v.reserve(num_samples_);
  if (replacement_) {
    const double total = cumulative_.back();
    for (int64_t k = 0; k < num_samples_; ++k) {
      const double u = gen.next_double() * total;
      auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      int64_t i = std::min<int64_t>(it - cumulative_.begin(), static_cast<int64_t>(weights_.size()) - 1);
      while (weights_[i] == 0 && i > 0) --i;  // u landed exactly on a boundary
      v.push_back(i);
    }
    return v;
  }
  // Efraimidis–Spirakis: sorting by key u^(1/w) descending gives the order of successive
  // weighted draws without replacement. Keys compared as log(u)/w.
  std::vector<std::pair<double, int64_t>> keys;
  for (size_t i = 0; i < weights_.size(); ++i) {
    const double u = gen.next_double();
    if (weights_[i] > 0) keys.emplace_back(std::log(std::max(u, 1e-300)) / weights_[i], static_cast<int64_t>(i));
  }
  std::partial_sort(keys.begin(), keys.begin() + num_samples_, keys.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int64_t k = 0; k < num_samples_; ++k) v.push_back(keys[k].second);
  return v;
}

DistributedSampler::DistributedSampler(int64_t n, int64_t num_replicas, int64_t rank, bool shuffle, uint64_t seed,
                                       bool drop_last)
    : n_(n), num_replicas_(num_replicas), rank_(rank), shuffle_(shuffle), drop_last_(drop_last), seed_(seed) {
  NABLA_CHECK(num_replicas >= 1, "DistributedSampler: num_replicas must be >= 1, got ", num_replicas);
  NABLA_CHECK(rank >= 0 && rank < num_replicas, "DistributedSampler: rank must lie in [0, ", num_replicas - 1,
              "], got ", rank);
  NABLA_CHECK(n >= 0, "DistributedSampler: expected a non-negative size, got ", n);
  if (drop_last && n % num_replicas != 0)
    num_samples_ = (n - num_replicas + num_replicas - 1) / num_replicas;  // ceil((n − R)/R)
  else
    num_samples_ = (n + num_replicas - 1) / num_replicas;
  if (num_samples_ < 0) num_samples_ = 0;
  NABLA_CHECK(drop_last || n > 0 || num_samples_ == 0, "DistributedSampler: empty dataset");
}

std::vector<int64_t> DistributedSampler::indices(uint64_t epoch) const {
  std::vector<int64_t> all;
  if (shuffle_) {
    Generator gen(sample_seed(seed_, epoch, ~uint64_t{0}));
    all = detail::permutation(n_, gen);
  } else {
    all = SequentialSampler(n_).indices(epoch);
  }
  const int64_t total = num_samples_ * num_replicas_;
  if (static_cast<int64_t>(all.size()) < total) {
    const int64_t base = static_cast<int64_t>(all.size());
    for (int64_t k = 0; static_cast<int64_t>(all.size()) < total; ++k) all.push_back(all[k % base]);
  } else {
    all.resize(total);
  }
  std::vector<int64_t> mine;
  mine.reserve(num_samples_);
  for (int64_t k = rank_; k < total; k += num_replicas_) mine.push_back(all[k]);
  return mine;
}

BatchSampler::BatchSampler(std::shared_ptr<const Sampler> sampler, int64_t batch_size, bool drop_last)
    : sampler_(std::move(sampler)), batch_size_(batch_size), drop_last_(drop_last) {
  NABLA_CHECK(sampler_ != nullptr, "BatchSampler: the sampler is null");
  NABLA_CHECK(batch_size >= 1, "BatchSampler: batch_size must be >= 1, got ", batch_size);
}

std::vector<std::vector<int64_t>> BatchSampler::batches(uint64_t epoch) const {
  std::vector<int64_t> idx = sampler_->indices(epoch);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < idx.size(); start += batch_size_) {
    const size_t end = std::min(idx.size(), start + static_cast<size_t>(batch_size_));
    if (drop_last_ && end - start < static_cast<size_t>(batch_size_)) break;
    out.emplace_back(idx.begin() + start, idx.begin() + end);
  }
  return out;
}

int64_t BatchSampler::size() const {
  const int64_t n = sampler_->size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

}  // namespace nabla::data
