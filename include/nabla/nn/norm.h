#pragma once
// Normalisation layers: BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d,
// LocalResponseNorm. Names, defaults, parameters and buffers as in PyTorch (weight, bias,
// running_mean, running_var, num_batches_tracked), so PyTorch state dicts load as they are.
#include <optional>
#include <string>
#include <utility>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Arguments of BatchNorm (Instance = false) and InstanceNorm (Instance = true) by name, with
/// torch.nn.BatchNorm*d's and InstanceNorm*d's names and defaults (the two differ only in the
/// defaults of affine and track_running_stats):
///   nn::BatchNorm2d({.num_features = 64, .momentum = std::nullopt})  // cumulative average
template <bool Instance>
struct NormOptions {
  int64_t num_features = 0;                        ///< C, required
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;            ///< std::nullopt: cumulative moving average
  bool affine = !Instance;                         ///< BatchNorm: true, InstanceNorm: false
  bool track_running_stats = !Instance;            ///< BatchNorm: true, InstanceNorm: false
};
using BatchNormOptions = NormOptions<false>;
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;
using InstanceNormOptions = NormOptions<true>;
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;

/// Parameters and running statistics shared by BatchNorm and InstanceNorm (torch's _NormBase).
/// `momentum` has one type across the family: the weight of the new batch statistics in the
/// running ones, or std::nullopt for a cumulative moving average (factor 1/num_batches_tracked).
class NormBase : public UnaryModule {
 public:
  /// Spatial dims in the layer's name (BatchNorm1d: 1).
  int dims() const { return dims_; }
  /// running_mean = 0, running_var = 1, num_batches_tracked = 0.
  void reset_running_stats();
  /// reset_running_stats() and weight = 1, bias = 0.
  void reset_parameters();
  /// "BatchNorm2d", "InstanceNorm1d", … from the family and the spatial dims.
  std::string name() const override;
  /// num_features, eps, momentum, affine and track_running_stats as PyTorch prints them.
  std::string extra_repr() const override;

  int64_t num_features;
  double eps;
  std::optional<double> momentum;  // empty: cumulative moving average
  bool affine, track_running_stats;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  /// Creates and registers weight/bias (when affine) and the running statistics (when tracked),
  /// with PyTorch's names; `family` ("BatchNorm", "InstanceNorm") and `dims` name the layer.
  NormBase(const char* family, int dims, int64_t num_features, double eps, std::optional<double> momentum,
           bool affine, bool track_running_stats);
  /// In training with running stats: counts the batch and returns the running-stat update factor
  /// (momentum, or 1/num_batches_tracked for the cumulative average); otherwise momentum or 0.
  double update_factor(bool count_batch);

 private:
  const char* family_;
  int dims_;
};

/// Shared state and forward of BatchNorm1d/2d/3d (torch.nn.modules.batchnorm._BatchNorm).
/// weight = 1, bias = 0 (when affine); running_mean = 0, running_var = 1 and the int64 scalar
/// num_batches_tracked = 0 (when track_running_stats). In training, batch statistics normalise
/// and update the running stats with `momentum` (std::nullopt: a cumulative average,
/// factor 1/num_batches_tracked); in eval the running stats normalise. Without running stats,
/// batch statistics are used in both modes.
class BatchNormBase : public NormBase {
 public:
  using Options = BatchNormOptions;
  static constexpr int kMaxDims = 3;
  /// Batch norm over inputs of the rank BatchNorm{dims}d accepts.
  BatchNormBase(int dims, const BatchNormOptions& o)
      : NormBase("BatchNorm", dims, o.num_features, o.eps, o.momentum, o.affine, o.track_running_stats) {}
  /// Normalises with batch (training) or running (eval) statistics; updates the running ones in training.
  Tensor forward(const Tensor& input) override;
  /// forward followed by ReLU, in one fused pass (same statistics and running-stat updates).
  Tensor forward_relu(const Tensor& input);
  /// forward followed by ReLU6, in one fused pass (as forward_relu).
  Tensor forward_relu6(const Tensor& input);
  /// What forward passes to F::batch_norm besides the input and the affine parameters.
  struct CallArgs {
    Tensor running_mean, running_var;  ///< undefined when not passed
    bool use_batch_stats = true;
    double momentum = 0.1;  ///< the running statistics' update factor
  };
  /// The arguments of one forward call, with that call's bookkeeping done (num_batches_tracked
  /// counted in training): for callers that run the normalisation themselves (nn::conv_batch_norm
  /// in training). The input's shape is the caller's to check.
  CallArgs begin_call();

 private:
  /// Raises Error naming the layer when the input's rank is not accepted.
  void check_input_dim(const Tensor& input) const;
  /// F::batch_norm or one of its fused forms.
  using Function = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, double,
                              double);
  Tensor run(const Tensor& input, Function f);
};

/// Arguments of LayerNorm by name (torch.nn.LayerNorm's names and defaults).
struct LayerNormOptions {
  Shape normalized_shape = {};     ///< trailing dims to normalise over, required
  double eps = 1e-5;
  bool elementwise_affine = true;
};

/// Normalises over the trailing normalized_shape dims of each sample; weight = 1 and bias = 0 of
/// shape normalized_shape when elementwise_affine.
class LayerNorm : public UnaryModule {
 public:
  /// PyTorch's positional arguments and defaults.
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
      : LayerNorm(LayerNormOptions{std::move(normalized_shape), eps, elementwise_affine}) {}
  /// The arguments by name.
  explicit LayerNorm(const LayerNormOptions& options);
  /// weight = 1, bias = 0.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight, bias;
};

/// Arguments of GroupNorm by name (torch.nn.GroupNorm's names and defaults).
struct GroupNormOptions {
  int64_t num_groups = 0;    ///< required
  int64_t num_channels = 0;  ///< required, divisible by num_groups
  double eps = 1e-5;
  bool affine = true;
};

/// Normalises each (sample, group of num_channels/num_groups channels); per-channel weight = 1 and
/// bias = 0 when affine. num_channels must be divisible by num_groups.
class GroupNorm : public UnaryModule {
 public:
  /// PyTorch's positional arguments and defaults.
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true)
      : GroupNorm(GroupNormOptions{num_groups, num_channels, eps, affine}) {}
  /// The arguments by name.
  explicit GroupNorm(const GroupNormOptions& options);
  /// weight = 1, bias = 0.
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
/// momentum = std::nullopt gives a cumulative moving average as in BatchNorm (PyTorch 2 treats
/// None as 0 here, which freezes the running stats; 1.13 rejects it).
class InstanceNormBase : public NormBase {
 public:
  using Options = InstanceNormOptions;
  static constexpr int kMaxDims = 2;
  /// Instance norm over inputs of rank dims + 2 (batched) or dims + 1.
  InstanceNormBase(int dims, const InstanceNormOptions& o)
      : NormBase("InstanceNorm", dims, o.num_features, o.eps, o.momentum, o.affine, o.track_running_stats) {}
  /// Normalises each (sample, channel) over its spatial dims (running stats in eval when tracked).
  Tensor forward(const Tensor& input) override;
};

/// The one body of BatchNorm1d ((N, C) or (N, C, L)), BatchNorm2d ((N, C, H, W)), BatchNorm3d
/// ((N, C, D, H, W)), InstanceNorm1d ((N, C, L) or (C, L)) and InstanceNorm2d ((N, C, H, W) or
/// (C, H, W)): Base (BatchNormBase or InstanceNormBase) over D spatial dims.
template <class Base, int D>
class NormLayer : public Base {
 public:
  using Options = typename Base::Options;
  static_assert(D >= 1 && D <= Base::kMaxDims, "NormLayer<Base, D>: unsupported number of spatial dims");
  /// PyTorch's positional arguments and defaults (affine and track_running_stats: true for
  /// BatchNorm, false for InstanceNorm).
  explicit NormLayer(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                     bool affine = Options{}.affine, bool track_running_stats = Options{}.track_running_stats)
      : Base(D, Options{num_features, eps, momentum, affine, track_running_stats}) {}
  /// The arguments by name.
  explicit NormLayer(const Options& options) : Base(D, options) {}
};
using BatchNorm1d = NormLayer<BatchNormBase, 1>;
using BatchNorm2d = NormLayer<BatchNormBase, 2>;
using BatchNorm3d = NormLayer<BatchNormBase, 3>;
using InstanceNorm1d = NormLayer<InstanceNormBase, 1>;
using InstanceNorm2d = NormLayer<InstanceNormBase, 2>;

/// Arguments of LocalResponseNorm by name (torch.nn.LocalResponseNorm's names and defaults).
struct LocalResponseNormOptions {
  int64_t size = 0;  ///< channels in the window, required
  double alpha = 1e-4;
  double beta = 0.75;
  double k = 1.0;
};

/// Local response normalisation across channels (AlexNet): see functional::local_response_norm.
class LocalResponseNorm : public UnaryModule {
 public:
  /// PyTorch's positional arguments and defaults.
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
      : LocalResponseNorm(LocalResponseNormOptions{size, alpha, beta, k}) {}
  /// The arguments by name.
  explicit LocalResponseNorm(const LocalResponseNormOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LocalResponseNorm"; }
  std::string extra_repr() const override;

  int64_t size;
  double alpha, beta, k;
};

}  // namespace nabla::nn
