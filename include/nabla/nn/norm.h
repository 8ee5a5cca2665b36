#pragma once
// Normalisation layers: BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d,
// LocalResponseNorm. Names, defaults, parameters and buffers as in PyTorch (weight, bias,
// running_mean, running_var, num_batches_tracked), so PyTorch state dicts load as they are.
#include <optional>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Parameters and running statistics shared by BatchNorm and InstanceNorm (torch's _NormBase).
class NormBase : public UnaryModule {
 public:
  /// running_mean = 0, running_var = 1, num_batches_tracked = 0.
  void reset_running_stats();
  /// reset_running_stats() and weight = 1, bias = 0.
  void reset_parameters();

  int64_t num_features;
  double eps;
  std::optional<double> momentum;  // empty: cumulative moving average
  bool affine, track_running_stats;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  /// Creates and registers weight/bias (when affine) and the running statistics (when tracked),
  /// with PyTorch's names; `layer` names the family in errors.
  NormBase(const char* layer, int64_t num_features, double eps, std::optional<double> momentum, bool affine,
           bool track_running_stats);
};

/// Shared state and forward of BatchNorm1d/2d/3d (torch.nn.modules.batchnorm._BatchNorm).
/// weight = 1, bias = 0 (when affine); running_mean = 0, running_var = 1 and the int64 scalar
/// num_batches_tracked = 0 (when track_running_stats). In training, batch statistics normalise
/// and update the running stats with `momentum` (std::nullopt: a cumulative average,
/// factor 1/num_batches_tracked); in eval the running stats normalise. Without running stats,
/// batch statistics are used in both modes.
class BatchNormBase : public NormBase {
 public:
  BatchNormBase(int64_t num_features, double eps, std::optional<double> momentum, bool affine,
                bool track_running_stats)
      : NormBase("BatchNorm", num_features, eps, momentum, affine, track_running_stats) {}
  Tensor forward(const Tensor& input) override;
  /// forward followed by ReLU, in one fused pass (same statistics and running-stat updates).
  Tensor forward_relu(const Tensor& input);
  std::string extra_repr() const override;

 protected:
  /// Raises Error naming the layer when the input's rank is not accepted.
  virtual void check_input_dim(const Tensor& input) const = 0;

 private:
  Tensor run(const Tensor& input, bool relu);
};

/// Batch norm over (N, C) or (N, C, L) inputs.
class BatchNorm1d : public BatchNormBase {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm1d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};

/// Batch norm over (N, C, H, W) inputs.
class BatchNorm2d : public BatchNormBase {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm2d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};

/// Batch norm over (N, C, D, H, W) inputs.
class BatchNorm3d : public BatchNormBase {
 public:
  explicit BatchNorm3d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm3d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};

/// Normalises over the trailing normalized_shape dims of each sample; weight = 1 and bias = 0 of
/// shape normalized_shape when elementwise_affine.
class LayerNorm : public UnaryModule {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight, bias;
};

/// Normalises each (sample, group of num_channels/num_groups channels); per-channel weight = 1 and
/// bias = 0 when affine. num_channels must be divisible by num_groups.
class GroupNorm : public UnaryModule {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;

  int64_t num_groups, num_channels;
  double eps;
  bool affine;
  Tensor weight, bias;
};

/// Shared state and forward of InstanceNorm1d/2d: each (sample, channel) is normalised over its
/// spatial dims. Defaults affine = false and track_running_stats = false, as PyTorch. With
/// running stats, eval mode normalises with them. Unbatched inputs (no N dim) are accepted.
class InstanceNormBase : public NormBase {
 public:
  InstanceNormBase(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats)
      : NormBase("InstanceNorm", num_features, eps, momentum, affine, track_running_stats) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

 protected:
  /// Rank of a batched input (3 for InstanceNorm1d, 4 for InstanceNorm2d).
  virtual int64_t batched_dim() const = 0;
};

/// Instance norm over (N, C, L) or (C, L) inputs.
class InstanceNorm1d : public InstanceNormBase {
 public:
  explicit InstanceNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false,
                          bool track_running_stats = false)
      : InstanceNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "InstanceNorm1d"; }

 protected:
  int64_t batched_dim() const override { return 3; }
};

/// Instance norm over (N, C, H, W) or (C, H, W) inputs.
class InstanceNorm2d : public InstanceNormBase {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false,
                          bool track_running_stats = false)
      : InstanceNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "InstanceNorm2d"; }

 protected:
  int64_t batched_dim() const override { return 4; }
};

/// Local response normalisation across channels (AlexNet): see functional::local_response_norm.
class LocalResponseNorm : public UnaryModule {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LocalResponseNorm"; }
  std::string extra_repr() const override;

  int64_t size;
  double alpha, beta, k;
};

}  // namespace nabla::nn
