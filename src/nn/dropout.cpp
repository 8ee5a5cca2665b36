#include "nabla/nn/dropout.h"

#include "nabla/nn/functional/dropout.h"
#include "nn/python_repr.h"

namespace nabla::nn {
namespace {
double checked_p(double p, const char* layer) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, layer, ": dropout probability has to be between 0 and 1, but got ", p);
  return p;
}
}  // namespace

Dropout::Dropout(double p) : p(checked_p(p, "Dropout")) {}
Tensor Dropout::forward(const Tensor& input) { return functional::dropout(input, p, is_training()); }
std::string Dropout::extra_repr() const { return str_cat("p=", detail::py_float(p), ", inplace=False"); }

Dropout2d::Dropout2d(double p) : p(checked_p(p, "Dropout2d")) {}
Tensor Dropout2d::forward(const Tensor& input) {
  NABLA_CHECK(input.dim() == 3 || input.dim() == 4, "Dropout2d: expected 3-d (C, H, W) or 4-d (N, C, H, W) input, got shape ",
              input.shape());
  return functional::dropout2d(input, p, is_training());
}
std::string Dropout2d::extra_repr() const { return str_cat("p=", detail::py_float(p), ", inplace=False"); }

AlphaDropout::AlphaDropout(double p) : p(checked_p(p, "AlphaDropout")) {}
Tensor AlphaDropout::forward(const Tensor& input) { return functional::alpha_dropout(input, p, is_training()); }
std::string AlphaDropout::extra_repr() const { return str_cat("p=", detail::py_float(p), ", inplace=False"); }

DropPath::DropPath(double drop_prob, bool scale_by_keep)
    : drop_prob(checked_p(drop_prob, "DropPath")), scale_by_keep(scale_by_keep) {}
Tensor DropPath::forward(const Tensor& input) {
  return functional::drop_path(input, drop_prob, is_training(), scale_by_keep);
}
// timm prints "drop_prob=0.100" (three decimals).
std::string DropPath::extra_repr() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "drop_prob=%.3f", drop_prob);
  return buf;
}

}  // namespace nabla::nn
