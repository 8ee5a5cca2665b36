#pragma once
// Loss modules (torch.nn.*Loss): thin Modules over nn::functional losses. Options are aggregates,
// so they read like PyTorch keyword arguments:
//   auto loss_fn = std::make_shared<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions{.label_smoothing = 0.1});
//   Tensor loss = (*loss_fn)(logits, labels);
// Class weights and pos_weight are registered as buffers (state dict key "weight", "pos_weight"),
// so Module::to(dtype) converts them with the model.
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

/// Base of the two-input losses: forward(input, target) and operator()(input, target). A loss is a
/// Module (buffers, state dict, printing, hooks) but not a UnaryModule: it cannot sit in a Sequential.
class Loss : public Module {
 public:
  /// Computes the loss of `input` against `target`.
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  /// forward, then the forward hooks with ({input, target}, {loss}).
  Tensor operator()(const Tensor& input, const Tensor& target);
  Reduction reduction = Reduction::Mean;
};

/// A loss configured by an options struct, kept whole as `options` (as LibTorch's loss modules):
/// its `weight` (and `pos_weight`, where the struct has one) are registered as buffers, and
/// Loss::reduction starts as options.reduction (the one forward uses).
template <class Options>
class LossWithOptions : public Loss {
 public:
  explicit LossWithOptions(Options o) : options(std::move(o)) {
    reduction = options.reduction;
    register_buffer("weight", &options.weight);
    if constexpr (requires { options.pos_weight; }) register_buffer("pos_weight", &options.pos_weight);
  }
  Options options;
};

struct CrossEntropyLossOptions {
  Tensor weight{};                 ///< (C) class weights, or undefined
  int64_t ignore_index = -100;   ///< targets with this value contribute nothing
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;  ///< ε in [0, 1]
};
/// Softmax cross-entropy of logits against class indices or probabilities (see functional::cross_entropy).
class CrossEntropyLoss : public LossWithOptions<CrossEntropyLossOptions> {
 public:
  explicit CrossEntropyLoss(CrossEntropyLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "CrossEntropyLoss"; }
};

struct NLLLossOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
};
/// Negative log-likelihood of log-probabilities (see functional::nll_loss).
class NLLLoss : public LossWithOptions<NLLLossOptions> {
 public:
  explicit NLLLoss(NLLLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "NLLLoss"; }
};

struct MultiMarginLossOptions {
  int64_t p = 1;          ///< 1 (hinge) or 2 (squared hinge)
  double margin = 1.0;
  Tensor weight{};
  Reduction reduction = Reduction::Mean;
};
/// Multi-class hinge loss, the multiclass SVM (see functional::multi_margin_loss; divides by C).
class MultiMarginLoss : public LossWithOptions<MultiMarginLossOptions> {
 public:
  explicit MultiMarginLoss(MultiMarginLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "MultiMarginLoss"; }
};

struct BCELossOptions {
  Tensor weight{};  ///< broadcasts to the input
  Reduction reduction = Reduction::Mean;
};
/// Binary cross-entropy of probabilities (see functional::binary_cross_entropy).
class BCELoss : public LossWithOptions<BCELossOptions> {
 public:
  explicit BCELoss(BCELossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCELoss"; }
};

struct BCEWithLogitsLossOptions {
  Tensor weight{};
  Reduction reduction = Reduction::Mean;
  Tensor pos_weight{};  ///< weight of positive examples, broadcast along the last dims (typically (C))
};
/// Sigmoid + binary cross-entropy in one stable expression (see functional::binary_cross_entropy_with_logits).
class BCEWithLogitsLoss : public LossWithOptions<BCEWithLogitsLossOptions> {
 public:
  explicit BCEWithLogitsLoss(BCEWithLogitsLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCEWithLogitsLoss"; }
};

/// Mean squared error.
class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::Mean);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "MSELoss"; }
};

/// Mean absolute error.
class L1Loss : public Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::Mean);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "L1Loss"; }
};

/// Quadratic below beta, linear above (see functional::smooth_l1_loss).
class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(Reduction reduction = Reduction::Mean, double beta = 1.0);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "SmoothL1Loss"; }
  double beta;
};

/// Quadratic below delta, delta-scaled linear above (see functional::huber_loss).
class HuberLoss : public Loss {
 public:
  explicit HuberLoss(Reduction reduction = Reduction::Mean, double delta = 1.0);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "HuberLoss"; }
  double delta;
};

/// KL divergence of a target distribution from log-probabilities `input`; use Reduction::BatchMean
/// for the per-sample KL (see functional::kl_div).
class KLDivLoss : public Loss {
 public:
  explicit KLDivLoss(Reduction reduction = Reduction::Mean, bool log_target = false);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "KLDivLoss"; }
  bool log_target;
};

/// Base of the three-input losses: forward(a, b, c).
class Loss3 : public Module {
 public:
  /// Computes the loss of the three inputs (their meaning is the subclass's).
  virtual Tensor forward(const Tensor& a, const Tensor& b, const Tensor& c) = 0;
  /// forward, then the forward hooks with ({a, b, c}, {loss}).
  Tensor operator()(const Tensor& a, const Tensor& b, const Tensor& c);
  Reduction reduction = Reduction::Mean;
};

/// forward(input1, input2, target): cosine similarity loss with ±1 targets.
class CosineEmbeddingLoss : public Loss3 {
 public:
  explicit CosineEmbeddingLoss(double margin = 0.0, Reduction reduction = Reduction::Mean);
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) override;
  std::string name() const override { return "CosineEmbeddingLoss"; }
  double margin;
};

/// forward(input1, input2, target): max(0, −y·(x1 − x2) + margin).
class MarginRankingLoss : public Loss3 {
 public:
  explicit MarginRankingLoss(double margin = 0.0, Reduction reduction = Reduction::Mean);
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) override;
  std::string name() const override { return "MarginRankingLoss"; }
  double margin;
};

struct TripletMarginLossOptions {
  double margin = 1.0;
  double p = 2.0;
  double eps = 1e-6;
  bool swap = false;
  Reduction reduction = Reduction::Mean;
};
/// forward(anchor, positive, negative): max(0, margin + d(a, p) − d(a, n)).
class TripletMarginLoss : public Loss3 {
 public:
  explicit TripletMarginLoss(TripletMarginLossOptions options = {});
  Tensor forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) override;
  std::string name() const override { return "TripletMarginLoss"; }
  TripletMarginLossOptions options;
};

}  // namespace nabla::nn
