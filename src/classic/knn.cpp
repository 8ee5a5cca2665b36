// k-nearest-neighbour classification: the search runs in ops::knn_search (src/ops), this file
// holds the model (training index and labels) and the vote.
#include "nabla/classic/knn.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/error.h"
#include "ops/knn_search.h"

namespace nabla::classic {
namespace {

ops::KnnMetric knn_metric(Metric metric) { return metric == Metric::L1 ? ops::KnnMetric::L1 : ops::KnnMetric::L2; }

}  // namespace

Metric parse_metric(const std::string& name) {
  if (name == "l1" || name == "manhattan") return Metric::L1;
  if (name == "l2" || name == "euclidean") return Metric::L2;
  throw Error(str_cat("parse_metric: expected \"l1\", \"manhattan\", \"l2\" or \"euclidean\", got \"", name, "\""));
}

std::string metric_name(Metric metric) { return metric == Metric::L1 ? "l1" : "l2"; }

KNearestNeighbors::KNearestNeighbors(int64_t n_neighbors, Metric metric, Weights weights)
    : k_(n_neighbors), metric_(metric), weights_(weights) {
  NABLA_CHECK(n_neighbors >= 1, "KNearestNeighbors: expected n_neighbors >= 1, got ", n_neighbors);
}

void KNearestNeighbors::fit_labels(const Tensor& y, int64_t n, const char* who) {
  NABLA_CHECK(y.defined() && y.dim() == 1 && y.dtype() == DType::Int64, who,
              ": expected labels as a 1-d int64 tensor, got ",
              y.defined() ? str_cat("shape ", y.shape(), " dtype ", dtype_name(y.dtype())) : std::string("undefined"));
  NABLA_CHECK(y.size(0) == n, who, ": expected ", n, " labels (one per training row), got ", y.size(0));
  NABLA_CHECK(n >= 1, who, ": expected at least one training row, got 0");
  Tensor yc = y.contiguous();
  const int64_t* p = yc.data_ptr<int64_t>();
  labels_.assign(p, p + n);
  int64_t max_label = 0;
  for (int64_t i = 0; i < n; ++i) {
    NABLA_CHECK(p[i] >= 0, who, ": expected labels >= 0, got ", p[i], " at row ", i);
    max_label = std::max(max_label, p[i]);
  }
  num_classes_ = max_label + 1;
}

KNearestNeighbors& KNearestNeighbors::fit(const Tensor& x, const Tensor& y) {
  constexpr const char* who = "KNearestNeighbors::fit";
  auto index = std::make_shared<ops::KnnIndex>(ops::knn_prepare(x, knn_metric(metric_), who));
  fit_labels(y, index->rows, who);
  n_ = index->rows;
  d_ = index->cols;
  index_ = std::move(index);
  return *this;
}

Neighbors KNearestNeighbors::kneighbors(const Tensor& x, int64_t k) const {
  constexpr const char* who = "KNearestNeighbors::kneighbors";
  NABLA_CHECK(index_ != nullptr, who, ": call fit() first");
  auto [distances, indices] = ops::knn_search(*index_, x, k == 0 ? k_ : k, who);
  return {distances, indices};
}

Tensor KNearestNeighbors::vote_table(const Neighbors& nb, int64_t k) const {
  constexpr const char* who = "KNearestNeighbors::predict_from_neighbors";
  NABLA_CHECK(n_ > 0, who, ": call fit() first");
  NABLA_CHECK(nb.indices.defined() && nb.distances.defined() && nb.indices.dim() == 2 &&
                  nb.indices.dtype() == DType::Int64 && nb.distances.shape() == nb.indices.shape(),
              who, ": expected indices (M, k) int64 and distances of the same shape");
  if (k == 0) k = k_;
  NABLA_CHECK(k >= 1 && k <= nb.indices.size(1), who, ": expected 1 <= k <= ", nb.indices.size(1), ", got ", k);
  const int64_t m = nb.indices.size(0), kk = nb.indices.size(1), c = num_classes_;
  Tensor idx = nb.indices.contiguous();
  Tensor dst = nb.distances.to(DType::Float64).contiguous();
  const int64_t* ip = idx.data_ptr<int64_t>();
  const double* dp = dst.data_ptr<double>();
  // Columns: c votes, then c summed distances, then c first positions (for the tie rule).
  Tensor out = zeros({m, 3 * c}, DType::Float64);
  double* op = out.data_ptr<double>();
  for (int64_t r = 0; r < m; ++r) {
    double* votes = op + r * 3 * c;
    double* dsum = votes + c;
    double* first = dsum + c;
    std::fill(first, first + c, std::numeric_limits<double>::infinity());
    bool any_zero = false;
    if (weights_ == Weights::Distance)
      for (int64_t j = 0; j < k; ++j) any_zero = any_zero || dp[r * kk + j] == 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t t = ip[r * kk + j];
      NABLA_CHECK(t >= 0 && t < n_, who, ": neighbour index ", t, " out of range for ", n_, " training rows");
      const int64_t cls = labels_[t];
      const double dist = dp[r * kk + j];
      double w = 1.0;
      if (weights_ == Weights::Distance) w = any_zero ? (dist == 0.0 ? 1.0 : 0.0) : 1.0 / dist;
      votes[cls] += w;
      dsum[cls] += dist;
      first[cls] = std::min(first[cls], static_cast<double>(j));
    }
  }
  return out;
}

Tensor KNearestNeighbors::predict_proba_from_neighbors(const Neighbors& nb, int64_t k) const {
  Tensor stats = vote_table(nb, k);
  const int64_t m = stats.size(0), c = num_classes_;
  const double* sp = stats.data_ptr<double>();
  Tensor out = empty({m, c});
  float* op = out.data_ptr<float>();
  for (int64_t r = 0; r < m; ++r) {
    const double* votes = sp + r * 3 * c;
    double total = 0;
    for (int64_t cls = 0; cls < c; ++cls) total += votes[cls];
    for (int64_t cls = 0; cls < c; ++cls) op[r * c + cls] = static_cast<float>(votes[cls] / total);
  }
  return out;
}

Tensor KNearestNeighbors::predict_from_neighbors(const Neighbors& nb, int64_t k) const {
  Tensor stats = vote_table(nb, k);
  const int64_t m = stats.size(0), c = num_classes_;
  const double* sp = stats.data_ptr<double>();
  Tensor out = empty({m}, DType::Int64);
  int64_t* op = out.data_ptr<int64_t>();
  for (int64_t r = 0; r < m; ++r) {
    const double* votes = sp + r * 3 * c;
    const double* dsum = votes + c;
    const double* first = dsum + c;
    int64_t best = -1;
    for (int64_t cls = 0; cls < c; ++cls) {
      if (std::isinf(first[cls])) continue;  // no neighbour of this class
      if (best < 0 || votes[cls] > votes[best] ||
          (votes[cls] == votes[best] &&
           (dsum[cls] < dsum[best] || (dsum[cls] == dsum[best] && first[cls] < first[best]))))
        best = cls;
    }
    op[r] = best;
  }
  return out;
}

Tensor KNearestNeighbors::predict(const Tensor& x) const { return predict_from_neighbors(kneighbors(x)); }

Tensor KNearestNeighbors::predict_proba(const Tensor& x) const { return predict_proba_from_neighbors(kneighbors(x)); }

}  // namespace nabla::classic
