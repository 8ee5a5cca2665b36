#include "nabla/data/class_subset.h"

#include <algorithm>
#include <string>

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::data {

namespace {

// The labels of samples [begin, end) of `d` as int64 values: one get_batch where the dataset
// has the fast path, else one get() per sample.
std::vector<int64_t> labels_of(const Dataset& d, int64_t begin, int64_t end) {
  std::vector<int64_t> idx;
  for (int64_t i = begin; i < end; ++i) idx.push_back(i);
  Batch b;
  if (d.get_batch(idx, b)) return b.target.to(DType::Int64).contiguous().to_vector<int64_t>();
  std::vector<int64_t> out;
  for (int64_t i : idx) out.push_back(static_cast<int64_t>(d.get(i).target.item()));
  return out;
}

}  // namespace

ClassSubset::ClassSubset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> classes)
    : dataset_(std::move(dataset)), classes_(std::move(classes)) {
  NABLA_CHECK(dataset_ != nullptr, "ClassSubset: the dataset is null");
  NABLA_CHECK(!classes_.empty(), "ClassSubset: expected at least one class");
  for (size_t j = 0; j < classes_.size(); ++j) {
    const int64_t c = classes_[j];
    NABLA_CHECK(c >= 0, "ClassSubset: classes must be >= 0, got ", c);
    if (static_cast<size_t>(c) >= new_label_.size()) new_label_.resize(static_cast<size_t>(c) + 1, -1);
    NABLA_CHECK(new_label_[c] < 0, "ClassSubset: class ", c, " is listed twice");
    new_label_[c] = static_cast<int64_t>(j);
  }
  std::vector<int64_t> count(classes_.size(), 0);
  const int64_t n = dataset_->size(), chunk = 4096;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const std::vector<int64_t> labels = labels_of(*dataset_, begin, std::min(n, begin + chunk));
    for (size_t k = 0; k < labels.size(); ++k) {
      const int64_t y = labels[k];
      if (y < 0 || y >= static_cast<int64_t>(new_label_.size()) || new_label_[y] < 0) continue;
      indices_.push_back(begin + static_cast<int64_t>(k));
      ++count[new_label_[y]];
    }
  }
  for (size_t j = 0; j < classes_.size(); ++j)
    NABLA_CHECK(count[j] > 0, "ClassSubset: class ", classes_[j], " has no sample among the ", n, " of the dataset");
}

Tensor ClassSubset::remap(const Tensor& target) const {
  std::vector<int64_t> y = target.to(DType::Int64).contiguous().to_vector<int64_t>();
  for (auto& v : y) v = new_label_[v];  // every index was chosen for its label
  return from_vector(y, target.shape());
}

Example ClassSubset::get(int64_t index) const {
  check_index("ClassSubset::get", index, size());
  Example e = dataset_->get(indices_[index]);
  e.target = remap(e.target);
  return e;
}

Example ClassSubset::sample(int64_t index, Generator& gen) const {
  check_index("ClassSubset::sample", index, size());
  Example e = dataset_->sample(indices_[index], gen);
  e.target = remap(e.target);
  return e;
}

bool ClassSubset::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  std::vector<int64_t> mapped(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    check_index("ClassSubset::get_batch", indices[k], size());
    mapped[k] = indices_[indices[k]];
  }
  if (!dataset_->get_batch(mapped, out)) return false;
  out.target = remap(out.target);
  return true;
}

}  // namespace nabla::data
