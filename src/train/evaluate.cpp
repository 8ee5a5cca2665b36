#include "nabla/train/evaluate.h"

#include <algorithm>
#include <cmath>

#include "nabla/data/metrics.h"
#include "nabla/error.h"

#include "nabla/autograd.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"

namespace nabla::train {

namespace {

// Per class c: confusion[c][c] over the sum of class c's column (predicted as c: precision) or of
// its row (labelled c: recall); 0 when that sum is 0. confusion is (true, predicted), row-major.
std::vector<double> diagonal_share(const std::vector<int64_t>& confusion, int64_t num_classes, bool column) {
  std::vector<double> out(num_classes, 0.0);
  for (int64_t c = 0; c < num_classes; ++c) {
    int64_t total = 0;
    for (int64_t o = 0; o < num_classes; ++o) total += confusion[column ? o * num_classes + c : c * num_classes + o];
    if (total > 0) out[c] = double(confusion[c * num_classes + c]) / double(total);
  }
  return out;
}

}  // namespace

std::vector<double> EvalResult::precision() const { return diagonal_share(confusion, num_classes, /*column=*/true); }

std::vector<double> EvalResult::recall() const { return diagonal_share(confusion, num_classes, /*column=*/false); }

EvalResult evaluate(nn::UnaryModule& model, const Tensor& inputs, const Tensor& labels, int64_t num_classes,
                    int64_t batch_size, int64_t k) {
  const int64_t n = labels.defined() ? labels.size(0) : 0;
  NABLA_CHECK(n == 0 || (inputs.defined() && inputs.dim() >= 1 && inputs.size(0) == n && labels.dim() == 1), "train::evaluate: expected inputs (N, ...) and labels (N,), got ",
              inputs.defined() ? inputs.shape() : Shape{}, " and ", labels.defined() ? labels.shape() : Shape{});
  NABLA_CHECK(batch_size >= 1 && num_classes >= 1, "train::evaluate: expected batch_size >= 1 and num_classes >= 1, got ",
              batch_size, " and ", num_classes);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EvalResult r;
  r.num_classes = num_classes;
  r.k = std::min(k, num_classes);
  double loss_sum = 0;
  int64_t topk_correct = 0;
  std::vector<int64_t> predicted(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i += batch_size) {
    const int64_t b = std::min(batch_size, n - i);
    const Tensor x = inputs.narrow(0, i, b), y = labels.narrow(0, i, b).contiguous();
    const Tensor logits = model(x);
    loss_sum += nn::functional::cross_entropy(logits, y).item() * double(b);
    const Tensor top = topk(logits, r.k, 1).second.contiguous();
    const int64_t* tp = top.data_ptr<int64_t>();
    const int64_t* yp = y.data_ptr<int64_t>();
    for (int64_t j = 0; j < b; ++j) {
      predicted[static_cast<size_t>(i + j)] = tp[j * r.k];
      for (int64_t t = 0; t < r.k; ++t) topk_correct += tp[j * r.k + t] == yp[j];
    }
  }
  const Tensor pred = from_vector(predicted, Shape{n});
  const Tensor target = n ? labels.to(DType::Int64) : pred;
  r.confusion = data::confusion_matrix(pred, target, num_classes).to_vector<int64_t>();
  r.count = n;
  r.loss = n ? loss_sum / double(n) : 0.0;
  r.acc = data::accuracy(pred, target);
  r.topk_acc = n ? double(topk_correct) / double(n) : 0.0;
  model.train(was_training);
  return r;
}

Tensor predict_proba(nn::UnaryModule& model, const Tensor& inputs, int64_t batch_size, bool flip_tta) {
  NABLA_CHECK(inputs.defined() && inputs.dim() >= 1, "train::predict_proba: expected inputs (N, ...), got ",
              inputs.defined() ? inputs.shape() : Shape{});
  NABLA_CHECK(!flip_tta || inputs.dim() == 4, "train::predict_proba: flip TTA expects images (N, C, H, W), got ",
              inputs.shape());
  NABLA_CHECK(batch_size >= 1, "train::predict_proba: expected batch_size >= 1, got ", batch_size);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const int64_t n = inputs.size(0);
  Tensor mirror;  // column indices W−1 … 0
  if (flip_tta) {
    std::vector<int64_t> cols(static_cast<size_t>(inputs.size(3)));
    for (size_t j = 0; j < cols.size(); ++j) cols[j] = static_cast<int64_t>(cols.size() - 1 - j);
    mirror = from_vector(cols, Shape{inputs.size(3)});
  }
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < n; i += batch_size) {
    const Tensor x = inputs.narrow(0, i, std::min(batch_size, n - i));
    Tensor p = softmax(model(x), 1);
    if (flip_tta) p = (p + softmax(model(index_select(x, 3, mirror)), 1)) * 0.5;
    parts.push_back(p);
  }
  model.train(was_training);
  return parts.empty() ? Tensor() : cat(parts, 0).contiguous();
}

EvalResult evaluate_probabilities(const Tensor& probs, const Tensor& labels, int64_t k) {
  NABLA_CHECK(probs.defined() && labels.defined() && probs.dim() == 2 && labels.dim() == 1 &&
                  probs.size(0) == labels.size(0),
              "train::evaluate_probabilities: expected probabilities (N, C) and labels (N,), got ",
              probs.defined() ? probs.shape() : Shape{}, " and ", labels.defined() ? labels.shape() : Shape{});
  const int64_t n = labels.size(0), num_classes = probs.size(1);
  const Tensor p = probs.to(DType::Float32);
  const Tensor y = labels.to(DType::Int64);
  if (n > 0) {
    const int64_t lo = static_cast<int64_t>(y.min().item()), hi = static_cast<int64_t>(y.max().item());
    NABLA_CHECK(lo >= 0 && hi < num_classes, "train::evaluate_probabilities: labels must lie in [0, ", num_classes,
                "), got ", lo < 0 ? lo : hi);
  }
  EvalResult r;
  r.num_classes = num_classes;
  r.k = std::min(k, num_classes);
  r.count = n;
  if (n == 0) return r;
  NoGradGuard no_grad;
  const Tensor y_col = y.unsqueeze(1);
  r.loss = -log(clamp(gather(p, 1, y_col), 1e-12, std::nullopt)).mean().item();
  const Tensor pred = argmax(p, 1);
  const Tensor top = topk(p, r.k, 1).second;
  r.topk_acc = eq(top, y_col).sum().item() / double(n);
  r.confusion = data::confusion_matrix(pred, y, num_classes).to_vector<int64_t>();
  r.acc = data::accuracy(pred, y);
  return r;
}

}  // namespace nabla::train
