#pragma once
// nn::init — in-place weight initialisers, as torch.nn.init. Every function fills its tensor
// without recording autograd history (it runs under NoGradGuard), so it may be applied to a
// parameter that requires grad; it returns the tensor. Random numbers come from `gen`, or from
// the default generator (seeded by nabla::manual_seed) when `gen` is null.
#include <optional>
#include <string>
#include <utility>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::nn::init {

/// Recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: linear, conv1d, conv2d,
/// conv3d, conv_transpose1d/2d/3d and sigmoid → 1; tanh → 5/3; relu → √2; leaky_relu →
/// √(2/(1 + slope²)) with `param` the negative slope (default 0.01); selu → 3/4.
/// Unknown names or a non-numeric use raise Error.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

/// (fan_in, fan_out) of a weight of at least 2 dims, as PyTorch's _calculate_fan_in_and_fan_out:
/// fan_in = size(1)·receptive, fan_out = size(0)·receptive, receptive = product of dims 2…
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

/// Fills with `value`.
Tensor& constant_(Tensor& tensor, double value);
/// Fills with 0.
Tensor& zeros_(Tensor& tensor);
/// Fills with 1.
Tensor& ones_(Tensor& tensor);
/// Fills a 2-d tensor with the identity (extra columns or rows stay 0), as torch.nn.init.eye_.
Tensor& eye_(Tensor& tensor);
/// Uniform in [a, b).
Tensor& uniform_(Tensor& tensor, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
/// Normal with the given mean and standard deviation.
Tensor& normal_(Tensor& tensor, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
/// Normal(mean, std) truncated to [a, b], sampled by inverting the normal CDF (PyTorch's method).
Tensor& trunc_normal_(Tensor& tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                      Generator* gen = nullptr);
/// Glorot: U(−r, r) with r = gain·√(6/(fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& tensor, double gain = 1.0, Generator* gen = nullptr);
/// Glorot: N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& tensor, double gain = 1.0, Generator* gen = nullptr);
/// He: U(−r, r) with r = gain·√(3/fan), gain = calculate_gain(nonlinearity, a), fan = fan_in or
/// fan_out (`mode`). kaiming_uniform_(w, √5) is PyTorch's default for Linear and Conv weights.
Tensor& kaiming_uniform_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                         const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// He: N(0, σ²) with σ = gain/√fan.
Tensor& kaiming_normal_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// A (semi-)orthogonal matrix scaled by `gain`: the tensor is viewed as (size(0), numel/size(0));
/// Q of the QR decomposition of a standard normal matrix, with signs fixed so that R has a positive
/// diagonal (a Haar-distributed Q, as PyTorch). Needs at least 2 dims.
Tensor& orthogonal_(Tensor& tensor, double gain = 1.0, Generator* gen = nullptr);

}  // namespace nabla::nn::init
