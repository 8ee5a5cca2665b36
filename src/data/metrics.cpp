#include "nabla/data/metrics.h"

#include <cmath>

#include "nabla/error.h"

namespace nabla::data {

namespace {

// Checks the pair and returns both as contiguous int64 tensors.
std::pair<Tensor, Tensor> as_int64_pair(const Tensor& predicted, const Tensor& target, const char* who) {
  NABLA_CHECK(predicted.defined() && target.defined() && predicted.dim() == 1 && predicted.shape() == target.shape(),
              who, ": expected two 1-d tensors of the same shape, got ", predicted.defined() ? predicted.shape() : Shape{},
              " and ", target.defined() ? target.shape() : Shape{});
  return {predicted.to(DType::Int64).contiguous(), target.to(DType::Int64).contiguous()};
}

void check_class(int64_t value, int64_t num_classes, int64_t i, const char* who, const char* what) {
  NABLA_CHECK(value >= 0 && value < num_classes, who, ": expected ", what, " in [0, ", num_classes, "), got ", value,
              " at index ", i);
}

}  // namespace

double accuracy(const Tensor& predicted, const Tensor& target) {
  const auto [p, t] = as_int64_pair(predicted, target, "accuracy");
  if (p.numel() == 0) return 0.0;
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* tp = t.data_ptr<int64_t>();
  int64_t hits = 0;
  for (int64_t i = 0; i < p.numel(); ++i) hits += pp[i] == tp[i];
  return static_cast<double>(hits) / static_cast<double>(p.numel());
}

Tensor confusion_matrix(const Tensor& predicted, const Tensor& target, int64_t num_classes) {
  NABLA_CHECK(num_classes >= 1, "confusion_matrix: expected num_classes >= 1, got ", num_classes);
  const auto [p, t] = as_int64_pair(predicted, target, "confusion_matrix");
  Tensor out = zeros({num_classes, num_classes}, DType::Int64);
  int64_t* m = out.data_ptr<int64_t>();
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* tp = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < p.numel(); ++i) {
    check_class(tp[i], num_classes, i, "confusion_matrix", "targets");
    check_class(pp[i], num_classes, i, "confusion_matrix", "predictions");
    ++m[tp[i] * num_classes + pp[i]];
  }
  return out;
}

std::vector<double> per_class_accuracy(const Tensor& predicted, const Tensor& target, int64_t num_classes) {
  NABLA_CHECK(num_classes >= 1, "per_class_accuracy: expected num_classes >= 1, got ", num_classes);
  const auto [p, t] = as_int64_pair(predicted, target, "per_class_accuracy");
  const int64_t* pp = p.data_ptr<int64_t>();
  const int64_t* tp = t.data_ptr<int64_t>();
  std::vector<int64_t> hits(static_cast<size_t>(num_classes), 0), counts(static_cast<size_t>(num_classes), 0);
  for (int64_t i = 0; i < p.numel(); ++i) {
    check_class(tp[i], num_classes, i, "per_class_accuracy", "targets");
    ++counts[tp[i]];
    hits[tp[i]] += pp[i] == tp[i];
  }
  std::vector<double> out(static_cast<size_t>(num_classes));
  for (int64_t c = 0; c < num_classes; ++c)
    out[c] = counts[c] > 0 ? static_cast<double>(hits[c]) / static_cast<double>(counts[c]) : std::nan("");
  return out;
}

}  // namespace nabla::data
