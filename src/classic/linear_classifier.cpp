#include "nabla/classic/linear_classifier.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "classic/check.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "nabla/viz.h"

namespace nabla::classic {

LinearLoss parse_linear_loss(const std::string& name) {
  if (name == "hinge" || name == "svm") return LinearLoss::Hinge;
  if (name == "squared_hinge") return LinearLoss::SquaredHinge;
  if (name == "softmax") return LinearLoss::Softmax;
  throw Error("parse_linear_loss: unknown loss '" + name + "' (valid: hinge, svm, squared_hinge, softmax)");
}

std::string to_string(LinearLoss loss) {
  switch (loss) {
    case LinearLoss::Hinge: return "hinge";
    case LinearLoss::SquaredHinge: return "squared_hinge";
    case LinearLoss::Softmax: return "softmax";
  }
  return "?";
}

Tensor linear_classifier_loss(const Tensor& scores, const Tensor& labels, LinearLoss loss) {
  NABLA_CHECK(scores.dim() == 2, "linear_classifier_loss: expected scores (N, C), got shape ", scores.shape());
  NABLA_CHECK(labels.dim() == 1 && labels.size(0) == scores.size(0) && labels.dtype() == DType::Int64,
              "linear_classifier_loss: expected int64 labels of shape (", scores.size(0), "), got shape ",
              labels.shape(), " dtype ", dtype_name(labels.dtype()));
  const double n = static_cast<double>(scores.size(0));
  if (loss == LinearLoss::Softmax) return neg(gather(log_softmax(scores, 1), 1, labels.unsqueeze(1)).mean());
  // Weston–Watkins hinge with margin Δ = 1. The correct class's own term is max(0, Δ) = Δ (or Δ²)
  // for every example with zero gradient, so it is summed with the others and subtracted once.
  const Tensor correct = gather(scores, 1, labels.unsqueeze(1));
  const Tensor margins = relu(scores - correct + 1.0);
  if (loss == LinearLoss::Hinge) return margins.sum() / n - 1.0;
  return (margins * margins).sum() / n - 1.0;
}

LinearClassifier::LinearClassifier(LinearClassifierOptions options) : options_(options) {
  NABLA_CHECK(options_.epochs > 0, "LinearClassifier: epochs must be positive, got ", options_.epochs);
  NABLA_CHECK(options_.batch_size > 0, "LinearClassifier: batch_size must be positive, got ", options_.batch_size);
  NABLA_CHECK(options_.lr >= 0, "LinearClassifier: lr must be >= 0 (0 = default), got ", options_.lr);
  NABLA_CHECK(options_.reg >= 0, "LinearClassifier: reg must be >= 0, got ", options_.reg);
  NABLA_CHECK(options_.step_epochs >= 0, "LinearClassifier: step_epochs must be >= 0, got ", options_.step_epochs);
}

namespace {

double default_lr(LinearLoss loss) {
  switch (loss) {
    case LinearLoss::Softmax: return 0.1;
    case LinearLoss::Hinge: return 0.03;
    case LinearLoss::SquaredHinge: return 0.01;
  }
  return 0.1;
}

// Learning rate of `epoch` (0-based) under the options' schedule.
double scheduled_lr(const LinearClassifierOptions& o, double base, int64_t epoch) {
  if (o.schedule == LRSchedule::Cosine)
    return base * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(epoch) / static_cast<double>(o.epochs)));
  const int64_t step = o.step_epochs > 0 ? o.step_epochs : std::max<int64_t>(1, o.epochs * 3 / 4 + 1);
  return base * std::pow(o.gamma, static_cast<double>(epoch / step));
}

}  // namespace

LinearClassifier& LinearClassifier::fit(const Tensor& x, const Tensor& y, int64_t num_classes) {
  const char* fn = "LinearClassifier::fit";
  detail::check_matrix(x, fn);
  NABLA_CHECK(num_classes >= 0, fn, ": num_classes must be >= 0, got ", num_classes);
  detail::check_labels(y, x.size(0), 0, fn);
  const int64_t n = x.size(0), d = x.size(1);
  const int64_t classes = num_classes > 0 ? num_classes : max(y).item<int64_t>() + 1;
  detail::check_labels(y, n, classes, fn);
  NABLA_CHECK(classes >= 2, fn, ": need at least 2 classes, got ", classes);

  Generator gen(options_.seed);
  const Tensor xs = x.detach().contiguous(), ys = y.contiguous();
  Tensor w = (randn({classes, d}, x.dtype(), &gen) * options_.init_std).requires_grad_();
  Tensor b = zeros({classes}, x.dtype()).requires_grad_();
  {
    NoGradGuard no_grad;  // the sanity check of the notes: the loss before any step
    initial_loss_ = linear_classifier_loss(matmul(xs, w.t()) + b, ys, options_.loss).item();
  }
  const double base_lr = options_.lr > 0 ? options_.lr : default_lr(options_.loss);
  const int64_t batch = std::min(options_.batch_size, n);
  loss_history_.clear();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < options_.epochs; ++epoch) {
    const double lr = scheduled_lr(options_, base_lr, epoch);
    const Tensor perm = randperm(n, &gen);
    double total = 0;
    int64_t batches = 0;
    // Only full batches: a short last batch would weigh its few examples more than the others.
    for (int64_t i = 0; i + batch <= n; i += batch) {
      const Tensor idx = perm.narrow(0, i, batch);
      const Tensor xb = index_select(xs, 0, idx), yb = index_select(ys, 0, idx);
      Tensor loss = linear_classifier_loss(matmul(xb, w.t()) + b, yb, options_.loss);
      if (options_.reg > 0) loss = loss + (w * w).sum() * options_.reg;
      w.zero_grad();
      b.zero_grad();
      loss.backward();
      {
        NoGradGuard no_grad;
        w.sub_(w.grad() * lr);
        b.sub_(b.grad() * lr);
      }
      total += loss.item();
      ++batches;
    }
    loss_history_.push_back(total / static_cast<double>(std::max<int64_t>(batches, 1)));
    if (options_.verbose) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("[%s] epoch %lld  lr %.4g  loss %.4f  (%.1f s)\n", to_string(options_.loss).c_str(),
                  static_cast<long long>(epoch + 1), lr, loss_history_.back(), secs);
      std::fflush(stdout);
    }
  }
  weights_ = w.detach();
  bias_ = b.detach();
  return *this;
}

double expected_initial_loss(LinearLoss loss, int64_t num_classes) {
  NABLA_CHECK(num_classes >= 2, "expected_initial_loss: need at least 2 classes, got ", num_classes);
  if (loss == LinearLoss::Softmax) return std::log(static_cast<double>(num_classes));
  return static_cast<double>(num_classes - 1);  // every margin term is max(0, ~0 + 1) = 1 (squared: 1)
}

Tensor LinearClassifier::decision_function(const Tensor& x) const {
  const char* fn = "LinearClassifier::decision_function";
  NABLA_CHECK(fitted(), fn, ": the classifier is not fitted (call fit first)");
  detail::check_matrix(x, fn);
  NABLA_CHECK(x.size(1) == weights_.size(1), fn, ": expected x with ", weights_.size(1),
              " features (as in fit), got shape ", x.shape());
  NoGradGuard no_grad;
  return matmul(x.to(weights_.dtype()), weights_.t()) + bias_;
}

Tensor LinearClassifier::predict(const Tensor& x) const { return argmax(decision_function(x), 1); }

double LinearClassifier::score(const Tensor& x, const Tensor& y) const {
  const Tensor pred = predict(x);
  detail::check_labels(y, x.size(0), 0, "LinearClassifier::score");
  return eq(pred, y).to(DType::Float64).mean().item();
}

const Tensor& LinearClassifier::weights() const {
  NABLA_CHECK(fitted(), "LinearClassifier::weights: the classifier is not fitted (call fit first)");
  return weights_;
}

const Tensor& LinearClassifier::bias() const {
  NABLA_CHECK(fitted(), "LinearClassifier::bias: the classifier is not fitted (call fit first)");
  return bias_;
}

Tensor LinearClassifier::templates(const Shape& image_shape) const {
  const Tensor& w = weights();
  NABLA_CHECK(shape_numel(image_shape) == w.size(1), "LinearClassifier::templates: image shape ", image_shape,
              " has ", shape_numel(image_shape), " elements but the weights have ", w.size(1), " features");
  Shape shape{w.size(0)};
  shape.insert(shape.end(), image_shape.begin(), image_shape.end());
  return w.reshape(shape);
}

void LinearClassifier::write_templates_png(const std::string& path, const Shape& image_shape, int64_t nrow) const {
  NABLA_CHECK(image_shape.size() == 3 && (image_shape[0] == 1 || image_shape[0] == 3),
              "LinearClassifier::write_templates_png: expected image_shape (1, H, W) or (3, H, W), got ", image_shape);
  NABLA_CHECK(nrow >= 1, "LinearClassifier::write_templates_png: nrow must be >= 1, got ", nrow);
  viz::write_png(path, viz::make_grid(templates(image_shape).to(DType::Float32), nrow, 2, true));
}

}  // namespace nabla::classic
