#include "evaluate.h"

#include "nabla/autograd.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"

namespace nabla::cli {

std::vector<double> EvalResult::precision() const {
  std::vector<double> out(num_classes, 0.0);
  for (int64_t c = 0; c < num_classes; ++c) {
    int64_t predicted = 0;
    for (int64_t t = 0; t < num_classes; ++t) predicted += confusion[t * num_classes + c];
    if (predicted > 0) out[c] = double(confusion[c * num_classes + c]) / double(predicted);
  }
  return out;
}

std::vector<double> EvalResult::recall() const {
  std::vector<double> out(num_classes, 0.0);
  for (int64_t c = 0; c < num_classes; ++c) {
    int64_t actual = 0;
    for (int64_t p = 0; p < num_classes; ++p) actual += confusion[c * num_classes + p];
    if (actual > 0) out[c] = double(confusion[c * num_classes + c]) / double(actual);
  }
  return out;
}

EvalResult evaluate(nn::UnaryModule& model, const ImageSet& set, int64_t num_classes, int64_t batch_size, int64_t k) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EvalResult r;
  r.num_classes = num_classes;
  r.k = std::min(k, num_classes);
  r.confusion.assign(num_classes * num_classes, 0);
  double loss_sum = 0;
  int64_t correct = 0, topk_correct = 0;
  const int64_t n = set.size();
  for (int64_t i = 0; i < n; i += batch_size) {
    const int64_t b = std::min(batch_size, n - i);
    const Tensor x = set.images.narrow(0, i, b), y = set.labels.narrow(0, i, b).contiguous();
    const Tensor logits = model(x);
    loss_sum += nn::functional::cross_entropy(logits, y).item() * double(b);
    const Tensor top = topk(logits, r.k, 1).second.contiguous();
    const int64_t* tp = top.data_ptr<int64_t>();
    const int64_t* yp = y.data_ptr<int64_t>();
    for (int64_t j = 0; j < b; ++j) {
      const int64_t pred = tp[j * r.k];
      r.confusion[yp[j] * num_classes + pred] += 1;
      correct += pred == yp[j];
      for (int64_t t = 0; t < r.k; ++t) topk_correct += tp[j * r.k + t] == yp[j];
    }
  }
  r.count = n;
  r.loss = n ? loss_sum / double(n) : 0.0;
  r.acc = n ? double(correct) / double(n) : 0.0;
  r.topk_acc = n ? double(topk_correct) / double(n) : 0.0;
  model.train(was_training);
  return r;
}

}  // namespace nabla::cli
