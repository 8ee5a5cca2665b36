#include "nabla/nn/linear.h"

#include <cmath>

#include "nabla/nn/functional/linear.h"
#include "nabla/nn/init.h"

namespace nabla::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : in_features(in_features), out_features(out_features) {
  NABLA_CHECK(in_features >= 0 && out_features >= 0, "Linear: in_features and out_features must be non-negative, got ",
              in_features, " and ", out_features);
  weight = empty({out_features, in_features});
  if (with_bias) bias = empty({out_features});
  reset_parameters();
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
}

void Linear::reset_parameters() {
  // kaiming_uniform_(a=√5): gain √(2/(1+5)) = √(1/3), bound gain·√(3/fan_in) = 1/√fan_in.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& input) {
  NABLA_CHECK(input.dim() >= 1 && input.size(-1) == in_features, "Linear: expected input of shape [*, ", in_features,
              "] (in_features=", in_features, "), got ", input.shape());
  return functional::linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  return str_cat("in_features=", in_features, ", out_features=", out_features, ", bias=", bias.defined() ? "True" : "False");
}

int64_t Linear::multiply_adds(const Shape& /*input*/, const Shape& output) const {
  const int64_t rows = out_features > 0 ? shape_numel(output) / out_features : 0;
  return (weight.numel() + (bias.defined() ? bias.numel() : 0)) * rows;
}

}  // namespace nabla::nn
