#include "nabla/nn/activation.h"

#include <cmath>

#include "nabla/nn/functional/activation.h"
#include "nn/python_repr.h"

namespace nabla::nn {

namespace F = functional;
using detail::py_float;

namespace {
// PyTorch's _get_softmax_dim: the implicit dim of Softmax/LogSoftmax without one.
int64_t softmax_dim(std::optional<int64_t> dim, const Tensor& input) {
  if (dim) return *dim;
  const int64_t nd = input.dim();
  return (nd == 0 || nd == 1 || nd == 3) ? 0 : 1;
}
// Softplus's defaults are Python ints in PyTorch and print without ".0".
std::string number(double v) {
  return v == std::floor(v) && std::fabs(v) < 1e15 ? std::to_string(static_cast<int64_t>(v)) : py_float(v);
}
}  // namespace

Tensor ReLU::forward(const Tensor& input) { return F::relu(input); }

Tensor LeakyReLU::forward(const Tensor& input) { return F::leaky_relu(input, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + py_float(negative_slope); }

Tensor ELU::forward(const Tensor& input) { return F::elu(input, alpha); }
std::string ELU::extra_repr() const { return "alpha=" + py_float(alpha); }

Tensor SELU::forward(const Tensor& input) { return F::selu(input); }

GELU::GELU(std::string approximate) : approximate(std::move(approximate)) {
  NABLA_CHECK(this->approximate == "none" || this->approximate == "tanh", "GELU: approximate must be 'none' or 'tanh', got '",
              this->approximate, "'");
}
Tensor GELU::forward(const Tensor& input) { return F::gelu(input, approximate); }
std::string GELU::extra_repr() const { return "approximate='" + approximate + "'"; }

Tensor SiLU::forward(const Tensor& input) { return F::silu(input); }
Tensor Sigmoid::forward(const Tensor& input) { return F::sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return F::tanh(input); }

Tensor Softplus::forward(const Tensor& input) { return F::softplus(input, beta, threshold); }
std::string Softplus::extra_repr() const { return "beta=" + number(beta) + ", threshold=" + number(threshold); }

Hardtanh::Hardtanh(double min_val, double max_val) : min_val(min_val), max_val(max_val) {
  NABLA_CHECK(max_val > min_val, "Hardtanh: max_val (", max_val, ") must be greater than min_val (", min_val, ")");
}
Tensor Hardtanh::forward(const Tensor& input) { return F::hardtanh(input, min_val, max_val); }
std::string Hardtanh::extra_repr() const { return "min_val=" + py_float(min_val) + ", max_val=" + py_float(max_val); }

Tensor ReLU6::forward(const Tensor& input) { return F::relu6(input); }
Tensor Hardsigmoid::forward(const Tensor& input) { return F::hardsigmoid(input); }
Tensor Hardswish::forward(const Tensor& input) { return F::hardswish(input); }

Tensor Softmax::forward(const Tensor& input) { return F::softmax(input, softmax_dim(dim, input)); }
std::string Softmax::extra_repr() const { return "dim=" + (dim ? std::to_string(*dim) : std::string("None")); }

Tensor LogSoftmax::forward(const Tensor& input) { return F::log_softmax(input, softmax_dim(dim, input)); }
std::string LogSoftmax::extra_repr() const { return "dim=" + (dim ? std::to_string(*dim) : std::string("None")); }

Maxout::Maxout(int64_t pool_size) : pool_size(pool_size) {
  NABLA_CHECK(pool_size >= 1, "Maxout: pool_size must be positive, got ", pool_size);
}
Tensor Maxout::forward(const Tensor& input) {
  NABLA_CHECK(input.dim() >= 2 && input.size(1) % pool_size == 0, "Maxout: expected input of shape (N, C, *) with C "
              "divisible by pool_size=", pool_size, ", got ", input.shape());
  return F::maxout(input, pool_size);
}
std::string Maxout::extra_repr() const { return "pool_size=" + std::to_string(pool_size); }

}  // namespace nabla::nn
