#pragma once
// Activation layers (torch.nn): ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Sigmoid, Tanh, Softplus,
// Hardtanh, ReLU6, Hardsigmoid, Hardswish, Softmax, LogSoftmax, and Maxout (not in PyTorch). Elementwise ones accept any shape.
#include <optional>
#include <string>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// max(x, 0).
class ReLU : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU"; }
};

/// x for x > 0, negative_slope·x otherwise.
class LeakyReLU : public UnaryModule {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};

/// x for x > 0, alpha·(eˣ − 1) otherwise.
class ELU : public UnaryModule {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;
};

/// Self-normalising ELU: scale·elu(x, alpha) with alpha ≈ 1.6733, scale ≈ 1.0507.
class SELU : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "SELU"; }
};

/// x·Φ(x); approximate "tanh" uses ½x·(1 + tanh(√(2/π)(x + 0.044715x³))).
class GELU : public UnaryModule {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override;
  std::string approximate;
};

/// x·σ(x) (swish).
class SiLU : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "SiLU"; }
};

/// 1/(1 + e^−x).
class Sigmoid : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sigmoid"; }
};

/// tanh(x).
class Tanh : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Tanh"; }
};

/// log(1 + e^(βx))/β, linear where βx > threshold.
class Softplus : public UnaryModule {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  double beta, threshold;
};

/// clamp(x, min_val, max_val).
class Hardtanh : public UnaryModule {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Hardtanh"; }
  std::string extra_repr() const override;
  double min_val, max_val;
};

/// min(max(x, 0), 6) (MobileNet v2's activation).
class ReLU6 : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU6"; }
};

/// relu6(x + 3)/6 (MobileNet v3's gate in squeeze-excitation).
class Hardsigmoid : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Hardsigmoid"; }
};

/// x·relu6(x + 3)/6 (MobileNet v3's activation).
class Hardswish : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Hardswish"; }
};

/// Softmax along `dim`. Without a dim, PyTorch's legacy choice: dim 0 for 0-, 1- and 3-d inputs,
/// dim 1 otherwise.
class Softmax : public UnaryModule {
 public:
  explicit Softmax(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  std::optional<int64_t> dim;
};

/// log(softmax(x)) along `dim` (same default rule as Softmax).
class LogSoftmax : public UnaryModule {
 public:
  explicit LogSoftmax(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;
  std::optional<int64_t> dim;
};

/// Maxout(k): the maximum over groups of k consecutive features of dim 1, (N, C, *) →
/// (N, C/k, *). PyTorch has no Maxout layer; this is Goodfellow et al.'s unit applied to the
/// outputs of the preceding layer (e.g. Linear(in, k·out) → Maxout(k)).
class Maxout : public UnaryModule {
 public:
  explicit Maxout(int64_t pool_size);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Maxout"; }
  std::string extra_repr() const override;
  int64_t pool_size;
};

}  // namespace nabla::nn
