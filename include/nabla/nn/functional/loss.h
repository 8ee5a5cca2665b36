#pragma once
// Loss functions (torch.nn.functional names, argument order and defaults) and regularisation
// penalties. Every loss is differentiable with respect to its floating-point inputs; class
// weights, pos_weight and integer targets receive no gradient.
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn {

/// How a loss reduces its per-element values: keep them (None), average (Mean) or add (Sum).
/// BatchMean (sum divided by the batch size) is accepted by kl_div only, as in PyTorch.
enum class Reduction { None, Mean, Sum, BatchMean };

/// Parses "none", "mean", "sum" or "batchmean"; raises Error naming the accepted values otherwise.
Reduction reduction_from_string(const std::string& name);
/// "none", "mean", "sum" or "batchmean".
std::string reduction_name(Reduction reduction);

}  // namespace nabla::nn

namespace nabla::nn::functional {

/// Cross-entropy of logits `input` (C), (N, C) or (N, C, d1, …) against either int64 class
/// indices `target` ((), (N) or (N, d1, …)) or class probabilities of input's shape.
/// loss_n = −w_{t_n}·log softmax(x_n)_{t_n}; with label_smoothing ε the target distribution is
/// (1 − ε)·onehot + ε/C. `weight` (C) rescales classes; targets equal to ignore_index contribute
/// nothing. Mean divides by Σ w_{t_n} over non-ignored targets (by the number of positions for
/// probability targets), as PyTorch. The (N, C) index case runs as one fused kernel whose
/// backward is (softmax − onehot)·w_t/Σw directly.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                     int64_t ignore_index = -100, Reduction reduction = Reduction::Mean,
                     double label_smoothing = 0.0);

/// Negative log-likelihood of log-probabilities `input` (C), (N, C) or (N, C, d1, …) for int64
/// class indices `target`: −w_t·input[t]; weight, ignore_index and Mean as cross_entropy.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                int64_t ignore_index = -100, Reduction reduction = Reduction::Mean);

/// Multi-class hinge loss (the multiclass SVM) of scores (N, C) or (C) with int64 targets:
/// loss_n = Σ_{i≠y} max(0, w_y·(margin − x_y + x_i))^p / C, p ∈ {1, 2} (the weight multiplies
/// after the power, as PyTorch). Note the division by C: the course notes' SVM loss
/// Σ_{i≠y} max(0, x_i − x_y + 1) equals this loss times C.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p = 1, double margin = 1.0,
                         const Tensor& weight = Tensor(), Reduction reduction = Reduction::Mean);

/// Binary cross-entropy of probabilities `input` against `target` of the same shape:
/// −w·(y·log x + (1 − y)·log(1 − x)) with both logs clamped to ≥ −100 (PyTorch's choice, so that
/// x ∈ {0, 1} stays finite). `weight` broadcasts to input.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                            Reduction reduction = Reduction::Mean);

/// Binary cross-entropy on logits, computed stably (no sigmoid followed by log):
/// w·[(1 − y)·x + (1 + (pw − 1)·y)·softplus(−x)]. `pos_weight` broadcasts to input (typically (C)
/// for (N, C) input), `weight` too.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                                        Reduction reduction = Reduction::Mean, const Tensor& pos_weight = Tensor());

/// (x − y)² elementwise (input and target broadcast).
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
/// |x − y| elementwise.
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
/// 0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (d = x − y); beta = 0 gives l1_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);
/// 0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta) — smooth_l1_loss times delta.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                  double delta = 1.0);

/// Kullback–Leibler divergence with `input` given as log-probabilities:
/// y·(log y − x) (0 where y = 0), or e^y·(y − x) when log_target. Reduction::BatchMean divides the
/// sum by input.size(0), which is the mathematically correct KL per sample; Mean divides by the
/// number of elements (PyTorch's default, kept for compatibility).
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
              bool log_target = false);

/// 1 − cos(x1, x2) where target is 1, max(0, cos(x1, x2) − margin) where target is −1; x1, x2 are
/// (N, D) or (D), target (N) or ().
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin = 0.0, Reduction reduction = Reduction::Mean);

/// max(0, margin + d(a, p) − d(a, n)) with d(u, v) = ‖u − v + eps‖_p over the last dim; `swap`
/// uses min(d(a, n), d(p, n)) as the negative distance. Inputs (N, D) or (D).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin = 1.0, double p = 2.0, double eps = 1e-6, bool swap = false,
                           Reduction reduction = Reduction::Mean);

/// max(0, −y·(x1 − x2) + margin) with y ∈ {1, −1} (all three broadcast).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin = 0.0, Reduction reduction = Reduction::Mean);

/// Σ_params Σ|p| — add λ·l1_penalty(model->parameters()) to a loss for L1 regularisation.
/// Returns a 0-d tensor of the first parameter's dtype (float32 0 for an empty list).
Tensor l1_penalty(const std::vector<Tensor>& params);
/// Σ_params Σ p² (no ½ factor) — the L2 penalty; its gradient is 2p.
Tensor l2_penalty(const std::vector<Tensor>& params);
/// l1·l1_penalty(params) + l2·l2_penalty(params).
Tensor elastic_net(const std::vector<Tensor>& params, double l1, double l2);

}  // namespace nabla::nn::functional
