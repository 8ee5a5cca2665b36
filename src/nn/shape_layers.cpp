// Shape layers: Flatten and Unflatten over Tensor::flatten / Tensor::unflatten.
#include "nabla/nn/shape_layers.h"

namespace nabla::nn {

Tensor Flatten::forward(const Tensor& input) {
  try {
    return input.flatten(start_dim, end_dim);
  } catch (const Error& e) {
    throw Error(str_cat("Flatten(", extra_repr(), "): input shape ", input.shape(), ": ", e.what()));
  }
}

std::string Flatten::extra_repr() const { return str_cat("start_dim=", start_dim, ", end_dim=", end_dim); }

Tensor Unflatten::forward(const Tensor& input) {
  try {
    return input.unflatten(dim, unflattened_size);
  } catch (const Error& e) {
    throw Error(str_cat("Unflatten(", extra_repr(), "): input shape ", input.shape(), ": ", e.what()));
  }
}

std::string Unflatten::extra_repr() const {
  std::string s = "(";
  for (size_t i = 0; i < unflattened_size.size(); ++i) s += (i ? ", " : "") + std::to_string(unflattened_size[i]);
  if (unflattened_size.size() == 1) s += ",";
  return str_cat("dim=", dim, ", unflattened_size=", s, ")");
}

}  // namespace nabla::nn
