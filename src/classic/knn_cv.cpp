// k-fold cross-validation for the number of neighbours k.
#include <algorithm>
#include <cmath>

#include "nabla/classic/knn.h"
#include "nabla/data/kfold.h"
#include "nabla/data/metrics.h"
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
  // Train indices ascending, so that distance ties go to the lower original index.
  const std::vector<data::Fold> split = data::kfold(n, folds, /*shuffle=*/true, seed);
  const int64_t smallest_train = static_cast<int64_t>(split.front().train.size());  // the first fold is a largest
  check_ks(ks, smallest_train, who);
  const int64_t k_max = *std::max_element(ks.begin(), ks.end());
  CrossValidationResult res;
  res.ks = ks;
  res.accuracy.assign(ks.size(), std::vector<double>(static_cast<size_t>(folds)));
  for (size_t f = 0; f < split.size(); ++f) {
    const std::vector<int64_t>& train_idx = split[f].train;
    const std::vector<int64_t>& val_idx = split[f].val;
    KNearestNeighbors model(k_max, metric, weights);
    model.fit(rows(train_idx), index_select(labels, 0, index_tensor(train_idx)));
    const Neighbors nb = model.kneighbors(rows(val_idx), k_max);
    const Tensor target = index_select(labels, 0, index_tensor(val_idx));
    for (size_t i = 0; i < ks.size(); ++i)
      res.accuracy[i][f] = data::accuracy(model.predict_from_neighbors(nb, ks[i]), target);
  }
  return res;
}

}  // namespace

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

}  // namespace nabla::classic
