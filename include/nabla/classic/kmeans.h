#pragma once
// k-means clustering: k-means++ seeding, Lloyd iterations, best of n_init restarts.
#include <cstdint>

#include "nabla/tensor.h"

namespace nabla::classic {

/// Settings of KMeans (defaults as sklearn.cluster.KMeans with n_init=10).
struct KMeansOptions {
  int64_t n_clusters = 8;
  int64_t n_init = 10;      ///< independent runs; the one with the lowest inertia is kept
  int64_t max_iter = 300;   ///< Lloyd iterations per run
  double tol = 1e-4;        ///< stop when Σ‖Δcentre‖² <= tol × mean per-feature variance of x
  uint64_t seed = 0;
};

/// k-means (Lloyd) with k-means++ initialisation; squared distances ‖x‖² − 2 x·c + ‖c‖² by GEMM.
class KMeans {
 public:
  explicit KMeans(KMeansOptions options = {});
  /// Clusters x (N, D) float32/float64, N >= n_clusters.
  KMeans& fit(const Tensor& x);
  /// Index of the nearest centre (N,) int64.
  Tensor predict(const Tensor& x) const;
  /// fit(x) then the labels of the training points.
  Tensor fit_predict(const Tensor& x);
  /// Squared distance of every point to every centre (N, k).
  Tensor transform(const Tensor& x) const;

  /// Centres (k, D), dtype of the training data.
  const Tensor& cluster_centers() const;
  /// Labels of the training points (N,) int64.
  const Tensor& labels() const;
  /// Sum of squared distances of the training points to their centres (best run).
  double inertia() const;
  /// Lloyd iterations of the best run.
  int64_t n_iter() const { return n_iter_; }
  /// Inertia after each Lloyd iteration of the best run (non-increasing).
  const std::vector<double>& inertia_history() const { return history_; }
  bool fitted() const { return centers_.defined(); }

 private:
  KMeansOptions options_;
  Tensor centers_, labels_;
  double inertia_ = 0;
  int64_t n_iter_ = 0;
  std::vector<double> history_;
};

}  // namespace nabla::classic
