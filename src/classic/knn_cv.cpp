// k-fold cross-validation for the number of neighbours k.
#include <algorithm>
#include <cmath>

#include "nabla/classic/knn.h"
#include "nabla/error.h"
#include "nabla/ops/index.h"
#include "nabla/random.h"

namespace nabla::classic {
namespace {

void check_ks(const std::vector<int64_t>& ks, int64_t smallest_train, const char* who) {
  NABLA_CHECK(!ks.empty(), who, ": expected at least one candidate k, got none");
  for (int64_t k : ks)
    NABLA_CHECK(k >= 1 && k <= smallest_train, who, ": expected every k in [1, ", smallest_train,
                "] (the smallest training split), got ", ks);
}

// The indices outside fold f, ascending (so that distance ties go to the lower original index).
std::vector<int64_t> complement(const std::vector<std::vector<int64_t>>& folds, size_t f, int64_t n) {
  std::vector<char> in_fold(static_cast<size_t>(n), 0);
  for (int64_t i : folds[f]) in_fold[i] = 1;
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(n) - folds[f].size());
  for (int64_t i = 0; i < n; ++i)
    if (!in_fold[i]) out.push_back(i);
  return out;
}

Tensor index_tensor(const std::vector<int64_t>& idx) {
  return from_vector(idx, Shape{static_cast<int64_t>(idx.size())});
}

// Runs the folds: rows(indices) picks feature rows of the training data as the model's input.
template <class Rows>
CrossValidationResult run_folds(int64_t n, const Tensor& labels, const std::vector<int64_t>& ks, int64_t folds,
                                Metric metric, uint64_t seed, Weights weights, Rows&& rows) {
  constexpr const char* who = "cross_validate_k";
  NABLA_CHECK(labels.defined() && labels.dim() == 1 && labels.dtype() == DType::Int64 && labels.size(0) == n, who,
              ": expected labels as a 1-d int64 tensor with ", n, " entries (one per row)");
  std::vector<std::vector<int64_t>> split = kfold_indices(n, folds, seed);
  const int64_t smallest_train = n - static_cast<int64_t>(split.front().size());
  check_ks(ks, smallest_train, who);
  const int64_t k_max = *std::max_element(ks.begin(), ks.end());
  CrossValidationResult res;
  res.ks = ks;
  res.accuracy.assign(ks.size(), std::vector<double>(static_cast<size_t>(folds)));
  for (size_t f = 0; f < split.size(); ++f) {
    std::vector<int64_t> train_idx = complement(split, f, n);
    std::vector<int64_t> val_idx = split[f];
    std::sort(val_idx.begin(), val_idx.end());
    KNearestNeighbors model(k_max, metric, weights);
    model.fit(rows(train_idx), index_select(labels, 0, index_tensor(train_idx)));
    const Neighbors nb = model.kneighbors(rows(val_idx), k_max);
    const Tensor target = index_select(labels, 0, index_tensor(val_idx));
    for (size_t i = 0; i < ks.size(); ++i)
      res.accuracy[i][f] = accuracy_score(model.predict_from_neighbors(nb, ks[i]), target);
  }
  return res;
}

}  // namespace

std::vector<std::vector<int64_t>> kfold_indices(int64_t n, int64_t folds, uint64_t seed) {
  NABLA_CHECK(folds >= 2 && folds <= n, "kfold_indices: expected 2 <= folds <= n = ", n, ", got folds = ", folds);
  // Fisher–Yates with nabla's generator: the same seed gives the same folds on every platform.
  Generator gen(seed);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(gen.next_u64() % static_cast<uint64_t>(i + 1));
    std::swap(perm[i], perm[j]);
  }
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(folds));
  const int64_t base = n / folds, extra = n % folds;
  int64_t pos = 0;
  for (int64_t f = 0; f < folds; ++f) {
    const int64_t size = base + (f < extra ? 1 : 0);
    out[f].assign(perm.begin() + pos, perm.begin() + pos + size);
    pos += size;
  }
  return out;
}

std::vector<double> CrossValidationResult::mean() const {
  std::vector<double> out;
  for (const auto& row : accuracy) {
    double s = 0;
    for (double a : row) s += a;
    out.push_back(row.empty() ? 0.0 : s / static_cast<double>(row.size()));
  }
  return out;
}

std::vector<double> CrossValidationResult::std() const {
  const std::vector<double> mu = mean();
  std::vector<double> out;
  for (size_t i = 0; i < accuracy.size(); ++i) {
    const auto& row = accuracy[i];
    if (row.size() < 2) {
      out.push_back(0.0);
      continue;
    }
    double s = 0;
    for (double a : row) s += (a - mu[i]) * (a - mu[i]);
    out.push_back(std::sqrt(s / static_cast<double>(row.size() - 1)));
  }
  return out;
}

int64_t CrossValidationResult::best_k() const {
  NABLA_CHECK(!ks.empty(), "CrossValidationResult::best_k: no candidate k");
  const std::vector<double> mu = mean();
  size_t best = 0;
  for (size_t i = 1; i < ks.size(); ++i)
    if (mu[i] > mu[best] || (mu[i] == mu[best] && ks[i] < ks[best])) best = i;
  return ks[best];
}

CrossValidationResult cross_validate_k(const Tensor& train, const Tensor& labels, const std::vector<int64_t>& ks,
                                       int64_t folds, Metric metric, uint64_t seed, Weights weights) {
  NABLA_CHECK(train.defined() && train.dim() == 2, "cross_validate_k: expected a 2-d (N, D) tensor, got shape ",
              train.defined() ? train.shape() : Shape{});
  return run_folds(train.size(0), labels, ks, folds, metric, seed, weights,
                   [&](const std::vector<int64_t>& idx) { return index_select(train, 0, index_tensor(idx)); });
}

double accuracy_score(const Tensor& predicted, const Tensor& target) {
  NABLA_CHECK(predicted.defined() && target.defined() && predicted.dim() == 1 && predicted.shape() == target.shape(),
              "accuracy_score: expected two 1-d tensors of the same shape, got ",
              predicted.defined() ? predicted.shape() : Shape{}, " and ", target.defined() ? target.shape() : Shape{});
  if (predicted.numel() == 0) return 0.0;
  const Tensor p = predicted.to(DType::Int64).contiguous(), t = target.to(DType::Int64).contiguous();
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* tp = t.data_ptr<int64_t>();
  int64_t hits = 0;
  for (int64_t i = 0; i < p.numel(); ++i) hits += pp[i] == tp[i];
  return static_cast<double>(hits) / static_cast<double>(p.numel());
}

std::vector<double> per_class_accuracy(const Tensor& predicted, const Tensor& target, int64_t num_classes) {
  NABLA_CHECK(predicted.defined() && target.defined() && predicted.dim() == 1 && predicted.shape() == target.shape(),
              "per_class_accuracy: expected two 1-d tensors of the same shape, got ",
              predicted.defined() ? predicted.shape() : Shape{}, " and ", target.defined() ? target.shape() : Shape{});
  NABLA_CHECK(num_classes >= 1, "per_class_accuracy: expected num_classes >= 1, got ", num_classes);
  const Tensor p = predicted.to(DType::Int64).contiguous(), t = target.to(DType::Int64).contiguous();
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* tp = t.data_ptr<int64_t>();
  std::vector<int64_t> hits(static_cast<size_t>(num_classes), 0), counts(static_cast<size_t>(num_classes), 0);
  for (int64_t i = 0; i < p.numel(); ++i) {
    NABLA_CHECK(tp[i] >= 0 && tp[i] < num_classes, "per_class_accuracy: expected targets in [0, ", num_classes,
                "), got ", tp[i], " at index ", i);
    ++counts[tp[i]];
    hits[tp[i]] += pp[i] == tp[i];
  }
  std::vector<double> out(static_cast<size_t>(num_classes));
  for (int64_t c = 0; c < num_classes; ++c)
    out[c] = counts[c] > 0 ? static_cast<double>(hits[c]) / static_cast<double>(counts[c]) : std::nan("");
  return out;
}

}  // namespace nabla::classic
