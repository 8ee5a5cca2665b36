#pragma once
// Linear classifiers s = W x + b trained by minibatch SGD: multiclass SVM (hinge or squared
// hinge, margin 1, Weston–Watkins form) or softmax cross-entropy, with L2 regularisation.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::classic {

/// Data loss of a linear classifier.
enum class LinearLoss {
  Hinge,         ///< Σ_{j≠y} max(0, s_j − s_y + 1)
  SquaredHinge,  ///< Σ_{j≠y} max(0, s_j − s_y + 1)²
  Softmax,       ///< −log softmax(s)_y
};

/// Learning-rate schedule over epochs.
enum class LRSchedule {
  Step,    ///< lr × gamma at every multiple of step_epochs
  Cosine,  ///< lr × ½(1 + cos(π·epoch/epochs)), annealed to 0 over the run
};

/// Training settings. lr = 0 picks the loss's default (0.1 softmax, 0.03 hinge, 0.01 squared hinge).
struct LinearClassifierOptions {
  LinearLoss loss = LinearLoss::Softmax;
  double reg = 1e-4;            ///< L2 strength: the loss gets reg·‖W‖² (bias not regularised)
  double lr = 0.0;
  int64_t epochs = 6;
  int64_t batch_size = 256;
  LRSchedule schedule = LRSchedule::Step;
  int64_t step_epochs = 0;      ///< Step: epochs between decays (0 = once, after 3/4 of the epochs)
  double gamma = 0.1;           ///< Step: decay factor
  double init_std = 1e-3;       ///< W starts as N(0, init_std²), b as 0
  uint64_t seed = 0;
  bool verbose = false;         ///< print one line per epoch to stdout
};

/// Parses "hinge"/"svm", "squared_hinge" or "softmax"; raises Error naming the valid names.
LinearLoss parse_linear_loss(const std::string& name);
/// "hinge", "squared_hinge" or "softmax".
std::string to_string(LinearLoss loss);

/// Data loss (batch mean) of scores (N, C) for labels (N,) int64; differentiable.
Tensor linear_classifier_loss(const Tensor& scores, const Tensor& labels, LinearLoss loss);
/// The data loss of near-zero scores: ln C for softmax, C − 1 for the hinge and squared hinge
/// (the notes' sanity check of a freshly initialised classifier). Raises Error for C < 2.
double expected_initial_loss(LinearLoss loss, int64_t num_classes);

/// A multiclass linear classifier, scores = X Wᵀ + b with W of shape (C, D).
/// Example: LinearClassifier clf({.loss = LinearLoss::Hinge}); clf.fit(x, y); clf.score(xt, yt);
class LinearClassifier {
 public:
  explicit LinearClassifier(LinearClassifierOptions options = {});

  /// Trains on x (N, D) float32/float64 and labels y (N,) int64 in [0, num_classes).
  /// num_classes = 0 uses max(y) + 1. Returns *this.
  LinearClassifier& fit(const Tensor& x, const Tensor& y, int64_t num_classes = 0);
  /// Class scores (N, C) for x (N, D).
  Tensor decision_function(const Tensor& x) const;
  /// Predicted labels (N,) int64.
  Tensor predict(const Tensor& x) const;
  /// Fraction of x classified as y.
  double score(const Tensor& x, const Tensor& y) const;

  /// Weights (C, D), float32 (or the dtype of the training data).
  const Tensor& weights() const;
  /// Bias (C,).
  const Tensor& bias() const;
  /// The weights as one image per class: shape (C, *image_shape), e.g. image_shape {1, 28, 28}.
  Tensor templates(const Shape& image_shape) const;
  /// Writes the templates as one PNG grid (nrow per row), each rescaled to [0, 1] by its own
  /// min/max; image_shape is (1, H, W) or (3, H, W). The file is replaced atomically.
  void write_templates_png(const std::string& path, const Shape& image_shape, int64_t nrow = 10) const;
  /// Mean training loss (data + regularisation) of each epoch of the last fit.
  const std::vector<double>& loss_history() const { return loss_history_; }
  /// Mean data loss over the training set with the initial weights (before the first step) of
  /// the last fit; compare with expected_initial_loss. NaN before fit.
  double initial_loss() const { return initial_loss_; }
  const LinearClassifierOptions& options() const { return options_; }
  bool fitted() const { return weights_.defined(); }

 private:
  LinearClassifierOptions options_;
  Tensor weights_, bias_;
  std::vector<double> loss_history_;
  double initial_loss_ = std::nan("");
};

}  // namespace nabla::classic
