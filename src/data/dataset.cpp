// Dataset, TensorDataset, Subset, ConcatDataset, TransformDataset and random_split.
#include "nabla/data/dataset.h"

#include <algorithm>
#include <cmath>

#include "data/collate.h"
#include "data/random_util.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::data {

namespace {
uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

uint64_t sample_seed(uint64_t seed, uint64_t epoch, uint64_t index) {
  return splitmix(splitmix(splitmix(seed) ^ epoch) ^ index);
}

void check_index(const char* who, int64_t index, int64_t size) {
  NABLA_CHECK(index >= 0 && index < size, who, ": index ", index, " is out of range for a dataset of size ", size);
}

Example Dataset::sample(int64_t index, Generator&) const { return get(index); }
bool Dataset::get_batch(const std::vector<int64_t>&, Batch&) const { return false; }

// ---- TensorDataset -------------------------------------------------------------------------------

TensorDataset::TensorDataset(Tensor inputs, Tensor targets) { set_tensors(std::move(inputs), std::move(targets)); }

void TensorDataset::set_tensors(Tensor inputs, Tensor targets) {
  NABLA_CHECK(inputs.defined() && inputs.dim() >= 1, "TensorDataset: expected inputs with at least one dim, got ",
              inputs.defined() ? shape_str(inputs.shape()) : std::string("an undefined tensor"));
  if (targets.defined())
    NABLA_CHECK(targets.dim() >= 1 && targets.size(0) == inputs.size(0),
                "TensorDataset: inputs and targets must have the same size along dim 0, got ",
                shape_str(inputs.shape()), " and ", shape_str(targets.shape()));
  inputs_ = inputs.detach().contiguous();
  targets_ = targets.defined() ? targets.detach().contiguous() : Tensor();
}

int64_t TensorDataset::size() const { return inputs_.defined() ? inputs_.size(0) : 0; }

Example TensorDataset::get(int64_t index) const {
  check_index("TensorDataset::get", index, size());
  return {inputs_.select(0, index), targets_.defined() ? targets_.select(0, index) : Tensor()};
}

bool TensorDataset::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  for (int64_t i : indices) check_index("TensorDataset::get_batch", i, size());
  out.input = detail::gather_rows(inputs_, indices);
  out.target = targets_.defined() ? detail::gather_rows(targets_, indices) : Tensor();
  return true;
}

// ---- Subset ----------------------------------------------------------------------------------------

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  NABLA_CHECK(dataset_ != nullptr, "Subset: the dataset is null");
  const int64_t n = dataset_->size();
  for (int64_t i : indices_) check_index("Subset", i, n);
}

Example Subset::get(int64_t index) const {
  check_index("Subset::get", index, size());
  return dataset_->get(indices_[index]);
}

Example Subset::sample(int64_t index, Generator& gen) const {
  check_index("Subset::sample", index, size());
  return dataset_->sample(indices_[index], gen);
}

bool Subset::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  std::vector<int64_t> mapped(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    check_index("Subset::get_batch", indices[k], size());
    mapped[k] = indices_[indices[k]];
  }
  return dataset_->get_batch(mapped, out);
}

// ---- ConcatDataset -----------------------------------------------------------------------------------

ConcatDataset::ConcatDataset(std::vector<std::shared_ptr<const Dataset>> datasets) : datasets_(std::move(datasets)) {
  NABLA_CHECK(!datasets_.empty(), "ConcatDataset: expected at least one dataset");
  int64_t total = 0;
  for (size_t k = 0; k < datasets_.size(); ++k) {
    NABLA_CHECK(datasets_[k] != nullptr, "ConcatDataset: dataset ", k, " is null");
    total += datasets_[k]->size();
    offsets_.push_back(total);
  }
}

std::pair<size_t, int64_t> ConcatDataset::locate(int64_t index) const {
  check_index("ConcatDataset", index, size());
  const size_t k = std::upper_bound(offsets_.begin(), offsets_.end(), index) - offsets_.begin();
  return {k, k == 0 ? index : index - offsets_[k - 1]};
}

Example ConcatDataset::get(int64_t index) const {
  auto [k, local] = locate(index);
  return datasets_[k]->get(local);
}

Example ConcatDataset::sample(int64_t index, Generator& gen) const {
  auto [k, local] = locate(index);
  return datasets_[k]->sample(local, gen);
}

// ---- TransformDataset ----------------------------------------------------------------------------------

TransformDataset::TransformDataset(std::shared_ptr<const Dataset> dataset, Transform transform,
                                   Transform target_transform)
    : dataset_(std::move(dataset)), transform_(std::move(transform)), target_transform_(std::move(target_transform)) {
  NABLA_CHECK(dataset_ != nullptr, "TransformDataset: the dataset is null");
}

Example TransformDataset::get(int64_t index) const {
  Generator gen(sample_seed(0, 0, static_cast<uint64_t>(index)));
  return sample(index, gen);
}

Example TransformDataset::sample(int64_t index, Generator& gen) const {
  Example ex = dataset_->sample(index, gen);
  if (transform_) ex.input = transform_(ex.input, gen);
  if (target_transform_ && ex.target.defined()) ex.target = target_transform_(ex.target, gen);
  return ex;
}

// ---- random_split ------------------------------------------------------------------------------------------

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<int64_t>& lengths, uint64_t seed) {
  NABLA_CHECK(dataset != nullptr, "random_split: the dataset is null");
  int64_t total = 0;
  for (int64_t len : lengths) {
    NABLA_CHECK(len >= 0, "random_split: lengths must be non-negative, got ", lengths);
    total += len;
  }
  NABLA_CHECK(total == dataset->size(), "random_split: lengths ", lengths, " sum to ", total,
              " but the dataset has ", dataset->size(), " samples");
  Generator gen(sample_seed(seed, 0, 0));
  std::vector<int64_t> perm = detail::permutation(total, gen);
  std::vector<std::shared_ptr<Subset>> out;
  int64_t start = 0;
  for (int64_t len : lengths) {
    out.push_back(std::make_shared<Subset>(dataset, std::vector<int64_t>(perm.begin() + start, perm.begin() + start + len)));
    start += len;
  }
  return out;
}

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<double>& fractions, uint64_t seed) {
  NABLA_CHECK(dataset != nullptr, "random_split: the dataset is null");
  NABLA_CHECK(!fractions.empty(), "random_split: expected at least one fraction");
  double sum = 0;
  for (double f : fractions) {
    NABLA_CHECK(f >= 0 && f <= 1, "random_split: fractions must lie in [0, 1], got ", fractions);
    sum += f;
  }
  NABLA_CHECK(std::abs(sum - 1.0) < 1e-6, "random_split: fractions must sum to 1, got ", fractions, " (sum ", sum, ")");
  const int64_t n = dataset->size();
  std::vector<int64_t> lengths;
  int64_t assigned = 0;
  for (double f : fractions) {
    lengths.push_back(static_cast<int64_t>(std::floor(f * static_cast<double>(n))));
    assigned += lengths.back();
  }
  for (int64_t r = 0; r < n - assigned; ++r) lengths[r % lengths.size()] += 1;
  return random_split(std::move(dataset), lengths, seed);
}

}  // namespace nabla::data
