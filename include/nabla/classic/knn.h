#pragma once
// k-nearest-neighbour classification: exact brute-force search with L1 or L2 distances.
//
// Feature rows are (N, D) tensors. uint8 rows (image pixels, e.g. Fashion-MNIST) take an exact
// fast path: L1 sums absolute byte differences in
// integers (AVX-512BW / AVX2 `sad` where the build targets them), and L2 evaluates
// ‖a‖² + ‖b‖² − 2a·b exactly: where the build targets AVX-512 VNNI (and D ≤ 33 025, so that
// squared distances fit int32), with integer dot products (`vpdpbusd`) against training rows
// packed once at fit(); otherwise with SGEMM over slices of the feature dimension short enough
// that every partial dot product is an exactly representable integer. Either way the results
// equal a double-precision brute-force search. Float rows use the same formula in float32
// (clamped at 0), like PyTorch's `torch.cdist` and scikit-learn's brute-force search.
//
// Neighbours are ordered by (distance, training index): equal distances go to the lower index.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::ops {
struct KnnIndex;
}  // namespace nabla::ops

namespace nabla::classic {

/// Distance between feature rows: L1 = Σ|a−b| (Manhattan), L2 = √Σ(a−b)² (Euclidean).
enum class Metric { L1, L2 };

/// How neighbours vote: Uniform gives each one vote; Distance weighs each by 1/distance (when a
/// query has neighbours at distance 0, only those vote, each with weight 1; scikit-learn's rule).
enum class Weights { Uniform, Distance };

/// "l1"/"manhattan" or "l2"/"euclidean" (case-sensitive); anything else raises Error.
Metric parse_metric(const std::string& name);
/// "l1" or "l2".
std::string metric_name(Metric metric);

/// Reads a uint8 IDX image file (N, H, W) (plain or gzip, e.g. Fashion-MNIST) as a uint8 tensor
/// (N', H·W) of the first N' = min(limit, N) images (limit 0 = all). Raises Error naming the file
/// for another dtype or shape, or a negative limit.
Tensor read_idx_images(const std::string& path, int64_t limit = 0);
/// Reads a uint8 IDX label file (N) as int64 (N',), the first N' = min(limit, N) (limit 0 = all).
Tensor read_idx_labels(const std::string& path, int64_t limit = 0);

/// The k nearest training rows of each query: distances (M, k) float64 (L1 or Euclidean
/// distances, ascending; float64 so that the exact byte path loses nothing) and indices (M, k)
/// int64 into the training set.
struct Neighbors {
  Tensor distances;
  Tensor indices;
};

/// Brute-force k-nearest-neighbour classifier (scikit-learn's KNeighborsClassifier with
/// algorithm='brute'). fit() stores the training set; queries compute every distance, blocked so
/// that memory stays bounded, and keep the k smallest per query with a partial selection.
///
/// Vote and tie rule: each class sums its neighbours' votes (1, or 1/distance); the class with the
/// largest total wins. Among classes with equal totals, the one whose neighbours lie at the
/// smallest summed distance wins; if that also ties, the class of the nearest neighbour (in
/// (distance, index) order) among the tied classes wins.
///
/// Labels are int64 in [0, C); C is the largest training label + 1 (classes absent from the
/// training set simply never win). Work is split over OpenMP threads by query rows.
class KNearestNeighbors {
 public:
  /// k = n_neighbors ≥ 1; raises Error otherwise.
  explicit KNearestNeighbors(int64_t n_neighbors = 5, Metric metric = Metric::L2, Weights weights = Weights::Uniform);

  /// Stores training rows x (N, D) and labels y (N,) int64 ≥ 0: uint8 rows take the exact byte
  /// path, any other real dtype is converted to float32. Raises Error for bad shapes, dtypes,
  /// negative labels or N = 0.
  KNearestNeighbors& fit(const Tensor& x, const Tensor& y);

  /// The k nearest training rows of each query row of x (M, D); k = 0 means n_neighbors.
  /// Raises Error when not fitted, when D differs from the training data, or k > N.
  /// uint8 queries against float training rows are converted to float; other queries against
  /// uint8 training rows raise Error (pass uint8 queries).
  Neighbors kneighbors(const Tensor& x, int64_t k = 0) const;

  /// Predicted class per query row, (M,) int64.
  Tensor predict(const Tensor& x) const;

  /// Class probabilities per query row, (M, C) float32: each class's share of the vote.
  Tensor predict_proba(const Tensor& x) const;

  /// Predicted classes from precomputed neighbours (only the first k columns are used, k =
  /// n_neighbors when 0): lets cross-validation search once with the largest k.
  Tensor predict_from_neighbors(const Neighbors& nb, int64_t k = 0) const;
  /// Class probabilities (M, C) from precomputed neighbours; k as in predict_from_neighbors.
  Tensor predict_proba_from_neighbors(const Neighbors& nb, int64_t k = 0) const;

  int64_t n_neighbors() const { return k_; }
  Metric metric() const { return metric_; }
  Weights weights() const { return weights_; }
  /// Number of classes C (largest training label + 1); 0 before fit.
  int64_t num_classes() const { return num_classes_; }
  /// Number of stored training rows; 0 before fit.
  int64_t num_samples() const { return n_; }

 private:
  void fit_labels(const Tensor& y, int64_t n, const char* who);
  // (M, 3C) float64: per class the vote total, the summed distance, the first neighbour position.
  Tensor vote_table(const Neighbors& nb, int64_t k) const;

  int64_t k_;
  Metric metric_;
  Weights weights_;
  int64_t n_ = 0, d_ = 0, num_classes_ = 0;
  std::shared_ptr<const ops::KnnIndex> index_;  // the prepared training rows (src/ops/knn_search.h)
  std::vector<int64_t> labels_;
};

/// Accuracy of k-NN for each candidate k and each fold: accuracy[i][f] is the accuracy with
/// ks[i] neighbours on fold f, trained on the other folds.
struct CrossValidationResult {
  std::vector<int64_t> ks;
  std::vector<std::vector<double>> accuracy;
  /// Mean accuracy over folds, per k.
  std::vector<double> mean() const;
  /// Standard deviation over folds per k (unbiased, n−1, as torch.std; 0 for one fold).
  std::vector<double> std() const;
  /// The k with the highest mean accuracy (the smallest such k on ties).
  int64_t best_k() const;
};

/// k-fold cross-validation of k over data::kfold(n, folds, shuffle = true, seed) (notes: choose k on validation folds, never on the test set).
/// Each fold runs one neighbour search with the largest k and scores every k from it.
/// Raises Error for empty or non-positive ks, a k larger than a training split, or bad folds.
CrossValidationResult cross_validate_k(const Tensor& train, const Tensor& labels, const std::vector<int64_t>& ks,
                                       int64_t folds, Metric metric, uint64_t seed = 0,
                                       Weights weights = Weights::Uniform);

/// The accuracy-vs-k plot of a cross-validation (SVG): the mean over folds and mean ± one
/// standard deviation, per k. `title` defaults to "k-NN cross-validation (<folds> folds)".
std::string cross_validation_svg(const CrossValidationResult& cv, const std::string& title = "");

}  // namespace nabla::classic
