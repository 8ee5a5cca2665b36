#include "nabla/data/metrics.h"

#include <cmath>

#include "data/label_check.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::data {

namespace {

// Checks the pair and returns both as contiguous int64 tensors.
std::pair<Tensor, Tensor> as_int64_pair(const Tensor& predicted, const Tensor& target, const char* who) {
  NABLA_CHECK(predicted.defined() && target.defined() && predicted.dim() == 1 && predicted.shape() == target.shape(),
              who, ": expected two 1-d tensors of the same shape, got ", predicted.defined() ? predicted.shape() : Shape{},
              " and ", target.defined() ? target.shape() : Shape{});
  return {predicted.to(DType::Int64).contiguous(), target.to(DType::Int64).contiguous()};
}

// Raises an Error naming `who`, `what` and the first offending index unless every value of the
// 1-d int64 tensor `v` is in [0, num_classes).
void check_classes(const Tensor& v, int64_t num_classes, const char* who, const char* what) {
  if (const std::optional<int64_t> i = detail::first_label_outside(v, num_classes))
    throw Error(str_cat(who, ": expected ", what, " in [0, ", num_classes, "), got ", v[*i].item<int64_t>(),
                        " at index ", *i));
}

// Per-class counts: out[k] = Σ_i values[i] over the i with index[i] = k (int64, `size` classes).
Tensor count_by(const Tensor& index, const Tensor& values, int64_t size) {
  return index_add(zeros({size}, DType::Int64), 0, index, values);
}

}  // namespace

double accuracy(const Tensor& predicted, const Tensor& target) {
  const auto [p, t] = as_int64_pair(predicted, target, "accuracy");
  if (p.numel() == 0) return 0.0;
  return sum(eq(p, t)).item() / static_cast<double>(p.numel());
}

Tensor confusion_matrix(const Tensor& predicted, const Tensor& target, int64_t num_classes) {
  NABLA_CHECK(num_classes >= 1, "confusion_matrix: expected num_classes >= 1, got ", num_classes);
  const auto [p, t] = as_int64_pair(predicted, target, "confusion_matrix");
  check_classes(t, num_classes, "confusion_matrix", "targets");
  check_classes(p, num_classes, "confusion_matrix", "predictions");
  const Tensor cell = t * scalar_tensor(static_cast<double>(num_classes), DType::Int64) + p;  // (target, prediction)
  return count_by(cell, ones({p.numel()}, DType::Int64), num_classes * num_classes).reshape({num_classes, num_classes});
}

std::vector<double> per_class_accuracy(const Tensor& predicted, const Tensor& target, int64_t num_classes) {
  NABLA_CHECK(num_classes >= 1, "per_class_accuracy: expected num_classes >= 1, got ", num_classes);
  const auto [p, t] = as_int64_pair(predicted, target, "per_class_accuracy");
  check_classes(t, num_classes, "per_class_accuracy", "targets");
  const std::vector<int64_t> counts = count_by(t, ones({t.numel()}, DType::Int64), num_classes).to_vector<int64_t>();
  const std::vector<int64_t> hits = count_by(t, eq(p, t).to(DType::Int64), num_classes).to_vector<int64_t>();
  std::vector<double> out(static_cast<size_t>(num_classes));
  for (int64_t c = 0; c < num_classes; ++c)
    out[c] = counts[c] > 0 ? static_cast<double>(hits[c]) / static_cast<double>(counts[c]) : std::nan("");
  return out;
}

}  // namespace nabla::data
