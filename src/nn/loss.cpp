#include "nabla/nn/loss.h"

namespace nabla::nn {

namespace F = functional;

Tensor Loss::operator()(const Tensor& input, const Tensor& target) {
  Tensor loss = forward(input, target);
  if (has_forward_hooks()) run_forward_hooks({input, target}, {loss});
  return loss;
}

Tensor Loss3::operator()(const Tensor& a, const Tensor& b, const Tensor& c) {
  Tensor loss = forward(a, b, c);
  if (has_forward_hooks()) run_forward_hooks({a, b, c}, {loss});
  return loss;
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyLossOptions o) : LossWithOptions(std::move(o)) {}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, options.weight, options.ignore_index, reduction, options.label_smoothing);
}

NLLLoss::NLLLoss(NLLLossOptions o) : LossWithOptions(std::move(o)) {}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, options.weight, options.ignore_index, reduction);
}

MultiMarginLoss::MultiMarginLoss(MultiMarginLossOptions o) : LossWithOptions(std::move(o)) {
  NABLA_CHECK(options.p == 1 || options.p == 2, "MultiMarginLoss: only p == 1 and p == 2 supported, got p = ",
              options.p);
}
Tensor MultiMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::multi_margin_loss(input, target, options.p, options.margin, options.weight, reduction);
}

BCELoss::BCELoss(BCELossOptions o) : LossWithOptions(std::move(o)) {}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, options.weight, reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(BCEWithLogitsLossOptions o) : LossWithOptions(std::move(o)) {}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, options.weight, reduction, options.pos_weight);
}

MSELoss::MSELoss(Reduction r) { reduction = r; }
Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return F::mse_loss(input, target, reduction); }

L1Loss::L1Loss(Reduction r) { reduction = r; }
Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return F::l1_loss(input, target, reduction); }

SmoothL1Loss::SmoothL1Loss(Reduction r, double beta_) : beta(beta_) { reduction = r; }
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, reduction, beta);
}

HuberLoss::HuberLoss(Reduction r, double delta_) : delta(delta_) { reduction = r; }
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return F::huber_loss(input, target, reduction, delta);
}

KLDivLoss::KLDivLoss(Reduction r, bool log_target_) : log_target(log_target_) { reduction = r; }
Tensor KLDivLoss::forward(const Tensor& input, const Tensor& target) {
  return F::kl_div(input, target, reduction, log_target);
}

CosineEmbeddingLoss::CosineEmbeddingLoss(double margin_, Reduction r) : margin(margin_) { reduction = r; }
Tensor CosineEmbeddingLoss::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return F::cosine_embedding_loss(input1, input2, target, margin, reduction);
}

MarginRankingLoss::MarginRankingLoss(double margin_, Reduction r) : margin(margin_) { reduction = r; }
Tensor MarginRankingLoss::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return F::margin_ranking_loss(input1, input2, target, margin, reduction);
}

TripletMarginLoss::TripletMarginLoss(TripletMarginLossOptions options_) : options(options_) {
  reduction = options.reduction;
}
Tensor TripletMarginLoss::forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
  return F::triplet_margin_loss(anchor, positive, negative, options.margin, options.p, options.eps, options.swap,
                                reduction);
}

}  // namespace nabla::nn
