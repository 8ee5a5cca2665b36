#pragma once
// Pooling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d,
// AdaptiveMaxPool1d/2d/3d, LPPool1d/2d, MaxUnpool2d — thin Modules over nn::functional (pool.h),
// with PyTorch's constructor arguments, defaults and printed form. They have no parameters.
// Size arguments are one value (all spatial dims) or one per dim: MaxPool2d(2), MaxPool2d({3, 2}, {2, 1}).
// Arguments by name: MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = true}).
// Errors raised by forward name the layer and its arguments, e.g.
//   "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): max_pool2d: …".
#include <optional>
#include <string>
#include <utility>

#include "nabla/nn/functional/pool.h"
#include "nabla/nn/module.h"
#include "nabla/nn/summary.h"

namespace nabla::nn {

/// One size for every spatial dim (2) or one per dim ({3, 2}); see functional/pool.h.
using functional::PoolInts;

/// Arguments of MaxPool1d/2d/3d by name (torch.nn.MaxPool*d's names and defaults):
///   nn::MaxPool2d(nn::MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = true})
struct MaxPoolOptions {
  PoolInts kernel_size = {};     ///< required
  PoolInts stride = {};          ///< empty: = kernel_size (PyTorch's None)
  PoolInts padding = 0;
  PoolInts dilation = 1;
  bool return_indices = false;   ///< use forward_with_indices to get them
  bool ceil_mode = false;
};
using MaxPool1dOptions = MaxPoolOptions;
using MaxPool2dOptions = MaxPoolOptions;
using MaxPool3dOptions = MaxPoolOptions;

/// Arguments of AvgPool1d/2d/3d by name (torch.nn.AvgPool*d's names and defaults).
struct AvgPoolOptions {
  PoolInts kernel_size = {};                ///< required
  PoolInts stride = {};                     ///< empty: = kernel_size
  PoolInts padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;  ///< AvgPool2d/3d only, as in PyTorch
};
using AvgPool1dOptions = AvgPoolOptions;
using AvgPool2dOptions = AvgPoolOptions;
using AvgPool3dOptions = AvgPoolOptions;

/// Arguments of LPPool1d/2d by name (torch.nn.LPPool*d's names and defaults).
struct LPPoolOptions {
  double norm_type = 0;   ///< p, required (non-zero)
  PoolInts kernel_size = {};  ///< required
  PoolInts stride = {};   ///< empty: = kernel_size (printed as None)
  bool ceil_mode = false;
};
using LPPool1dOptions = LPPoolOptions;
using LPPool2dOptions = LPPoolOptions;

/// Max pooling over `dims` spatial dims: the one body of MaxPool1d/2d/3d.
class MaxPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  /// Checks the arguments (kernel_size given); an empty stride means stride = kernel_size.
  MaxPoolNd(int dims, const MaxPoolOptions& options);
  /// The pooled output (also when return_indices; use forward_with_indices to get the indices).
  Tensor forward(const Tensor& input) override;
  /// Output and the flat int64 index of each maximum in its plane (for MaxUnpool).
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  /// "MaxPool1d", "MaxPool2d" or "MaxPool3d".
  std::string name() const override;
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  IntList kernel_size, stride, padding, dilation;
  bool return_indices, ceil_mode;

 private:
  int dims_;
};

/// D-d max pooling of (N, C, *spatial) or (C, *spatial), used through MaxPool1d/2d/3d.
template <int D>
class MaxPool : public MaxPoolNd {
 public:
  /// PyTorch's positional arguments and defaults.
  explicit MaxPool(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, PoolInts dilation = 1,
                   bool return_indices = false, bool ceil_mode = false)
      : MaxPoolNd(D, MaxPoolOptions{std::move(kernel_size), std::move(stride), std::move(padding), std::move(dilation),
                                    return_indices, ceil_mode}) {}
  /// The arguments by name.
  explicit MaxPool(const MaxPoolOptions& options) : MaxPoolNd(D, options) {}
};
using MaxPool1d = MaxPool<1>;
using MaxPool2d = MaxPool<2>;
using MaxPool3d = MaxPool<3>;

/// Average pooling over `dims` spatial dims: the one body of AvgPool1d/2d/3d.
class AvgPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  /// Checks the arguments (kernel_size given, no divisor_override in 1-d).
  AvgPoolNd(int dims, const AvgPoolOptions& options);
  /// The averaged output (functional::avg_pool{1,2,3}d); errors name the layer and its arguments.
  Tensor forward(const Tensor& input) override;
  /// "AvgPool1d", "AvgPool2d" or "AvgPool3d".
  std::string name() const override;
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  IntList kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
  std::optional<int64_t> divisor_override = std::nullopt;  // not available on AvgPool1d (as PyTorch)

 private:
  int dims_;
};

/// D-d average pooling, used through AvgPool1d/2d/3d.
template <int D>
class AvgPool : public AvgPoolNd {
 public:
  /// PyTorch's positional arguments and defaults (AvgPool1d raises Error on a divisor_override).
  explicit AvgPool(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, bool ceil_mode = false,
                   bool count_include_pad = true, std::optional<int64_t> divisor_override = std::nullopt)
      : AvgPoolNd(D, AvgPoolOptions{std::move(kernel_size), std::move(stride), std::move(padding), ceil_mode,
                                    count_include_pad, divisor_override}) {}
  /// The arguments by name.
  explicit AvgPool(const AvgPoolOptions& options) : AvgPoolNd(D, options) {}
};
using AvgPool1d = AvgPool<1>;
using AvgPool2d = AvgPool<2>;
using AvgPool3d = AvgPool<3>;

/// Adaptive average or max pooling to a fixed output size: the one body of the Adaptive* layers.
class AdaptivePoolNd : public UnaryModule {
 public:
  /// Pools `dims` spatial dims to output_size, by maximum when `max`, else by average.
  AdaptivePoolNd(int dims, bool max, PoolInts output_size, bool return_indices);
  /// The pooled output of shape (N, C, *output_size).
  Tensor forward(const Tensor& input) override;
  /// Max variants only: output and the flat int64 index of each maximum in its plane.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  /// "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", ….
  std::string name() const override;
  std::string extra_repr() const override;

  IntList output_size;
  bool return_indices;  // max variants only

 private:
  int dims_;
  bool max_;
};

/// Averages (N, C, *spatial) over adaptive windows to (N, C, *output_size); used through
/// AdaptiveAvgPool1d/2d/3d. AdaptiveAvgPool2d({1}) is global average pooling.
template <int D>
class AdaptiveAvgPool : public AdaptivePoolNd {
 public:
  /// Output size: one value for every spatial dim or one per dim.
  explicit AdaptiveAvgPool(PoolInts output_size) : AdaptivePoolNd(D, false, std::move(output_size), false) {}
};
using AdaptiveAvgPool1d = AdaptiveAvgPool<1>;
using AdaptiveAvgPool2d = AdaptiveAvgPool<2>;
using AdaptiveAvgPool3d = AdaptiveAvgPool<3>;

/// Maximum of (N, C, *spatial) over adaptive windows; used through AdaptiveMaxPool1d/2d/3d.
template <int D>
class AdaptiveMaxPool : public AdaptivePoolNd {
 public:
  /// Output size: one value for every spatial dim or one per dim.
  explicit AdaptiveMaxPool(PoolInts output_size, bool return_indices = false)
      : AdaptivePoolNd(D, true, std::move(output_size), return_indices) {}
};
using AdaptiveMaxPool1d = AdaptiveMaxPool<1>;
using AdaptiveMaxPool2d = AdaptiveMaxPool<2>;
using AdaptiveMaxPool3d = AdaptiveMaxPool<3>;

/// Power-average pooling (Σ_window x^p)^(1/p): the one body of LPPool1d/2d.
class LPPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  /// Checks the arguments (norm_type non-zero, kernel_size given).
  LPPoolNd(int dims, const LPPoolOptions& options);
  /// (Σ_window x^p)^(1/p) (functional::lp_pool{1,2}d).
  Tensor forward(const Tensor& input) override;
  /// "LPPool1d" or "LPPool2d".
  std::string name() const override;
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  double norm_type;
  IntList kernel_size, stride;  // empty stride: = kernel_size (printed as None)
  bool ceil_mode;

 private:
  int dims_;
};

/// D-d power-average pooling, used through LPPool1d/2d.
template <int D>
class LPPool : public LPPoolNd {
 public:
  static_assert(D == 1 || D == 2, "LPPool<D>: D must be 1 or 2");
  /// PyTorch's positional arguments and defaults.
  LPPool(double norm_type, PoolInts kernel_size, PoolInts stride = {}, bool ceil_mode = false)
      : LPPoolNd(D, LPPoolOptions{norm_type, std::move(kernel_size), std::move(stride), ceil_mode}) {}
  /// The arguments by name.
  explicit LPPool(const LPPoolOptions& options) : LPPoolNd(D, options) {}
};
using LPPool1d = LPPool<1>;
using LPPool2d = LPPool<2>;

/// Partial inverse of MaxPool2d: forward(input, indices[, output_size]) places each input value
/// at the position its index (from MaxPool2d::forward_with_indices) names, zeros elsewhere.
class MaxUnpool2d : public UnaryModule {
 public:
  explicit MaxUnpool2d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0);
  using UnaryModule::operator();
  /// Unpooling needs the indices: raises Error pointing at forward(input, indices). It stays a
  /// UnaryModule so that it can be listed (and printed) in a Sequential, as in PyTorch.
  Tensor forward(const Tensor& input) override;
  /// Places each value of `input` where `indices` (from MaxPool2d) points; output_size picks
  /// among the sizes that pooling maps to the input's size.
  Tensor forward(const Tensor& input, const Tensor& indices, const std::optional<IntList>& output_size = std::nullopt);
  /// forward(input, indices, output_size), then the forward hooks with ({input, indices}, {output}).
  Tensor operator()(const Tensor& input, const Tensor& indices, const std::optional<IntList>& output_size = std::nullopt);
  std::string name() const override { return "MaxUnpool2d"; }
  std::string extra_repr() const override;

  IntList kernel_size, stride, padding;  // two values each, as PyTorch stores them
};

}  // namespace nabla::nn
