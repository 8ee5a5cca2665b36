#pragma once
// Pooling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d,
// AdaptiveMaxPool1d/2d/3d, LPPool1d/2d, MaxUnpool2d — thin Modules over nn::functional (pool.h),
// with PyTorch's constructor arguments, defaults and printed form. They have no parameters.
// Size arguments are one value (all spatial dims) or one per dim: MaxPool2d(2), MaxPool2d({3, 2}).
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

/// Max pooling over `dims` spatial dims (the shared body of MaxPool1d/2d/3d).
class MaxPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  /// An empty stride means stride = kernel_size (PyTorch's stride=None).
  MaxPoolNd(int dims, PoolInts kernel_size, PoolInts stride, PoolInts padding, PoolInts dilation, bool return_indices,
            bool ceil_mode);
  /// The pooled output (also when return_indices; use forward_with_indices to get the indices).
  Tensor forward(const Tensor& input) override;
  /// Output and the flat int64 index of each maximum in its plane (for MaxUnpool).
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  IntList kernel_size, stride, padding, dilation;
  bool return_indices, ceil_mode;

 private:
  int dims_;
};

/// 1-d max pooling of (N, C, L) or (C, L).
class MaxPool1d : public MaxPoolNd {
 public:
  explicit MaxPool1d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, PoolInts dilation = 1,
                     bool return_indices = false, bool ceil_mode = false)
      : MaxPoolNd(1, std::move(kernel_size), std::move(stride), std::move(padding), std::move(dilation), return_indices,
                  ceil_mode) {}
  std::string name() const override { return "MaxPool1d"; }
};
/// 2-d max pooling of (N, C, H, W) or (C, H, W).
class MaxPool2d : public MaxPoolNd {
 public:
  explicit MaxPool2d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, PoolInts dilation = 1,
                     bool return_indices = false, bool ceil_mode = false)
      : MaxPoolNd(2, std::move(kernel_size), std::move(stride), std::move(padding), std::move(dilation), return_indices,
                  ceil_mode) {}
  std::string name() const override { return "MaxPool2d"; }
};
/// 3-d max pooling of (N, C, D, H, W) or (C, D, H, W).
class MaxPool3d : public MaxPoolNd {
 public:
  explicit MaxPool3d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, PoolInts dilation = 1,
                     bool return_indices = false, bool ceil_mode = false)
      : MaxPoolNd(3, std::move(kernel_size), std::move(stride), std::move(padding), std::move(dilation), return_indices,
                  ceil_mode) {}
  std::string name() const override { return "MaxPool3d"; }
};

/// Average pooling over `dims` spatial dims (the shared body of AvgPool1d/2d/3d).
class AvgPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  AvgPoolNd(int dims, PoolInts kernel_size, PoolInts stride, PoolInts padding, bool ceil_mode, bool count_include_pad,
            std::optional<int64_t> divisor_override);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  IntList kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
  std::optional<int64_t> divisor_override;  // not available on AvgPool1d (as PyTorch)

 private:
  int dims_;
};

/// 1-d average pooling.
class AvgPool1d : public AvgPoolNd {
 public:
  explicit AvgPool1d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true)
      : AvgPoolNd(1, std::move(kernel_size), std::move(stride), std::move(padding), ceil_mode, count_include_pad,
                  std::nullopt) {}
  std::string name() const override { return "AvgPool1d"; }
};
/// 2-d average pooling.
class AvgPool2d : public AvgPoolNd {
 public:
  explicit AvgPool2d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true, std::optional<int64_t> divisor_override = std::nullopt)
      : AvgPoolNd(2, std::move(kernel_size), std::move(stride), std::move(padding), ceil_mode, count_include_pad,
                  divisor_override) {}
  std::string name() const override { return "AvgPool2d"; }
};
/// 3-d average pooling.
class AvgPool3d : public AvgPoolNd {
 public:
  explicit AvgPool3d(PoolInts kernel_size, PoolInts stride = {}, PoolInts padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true, std::optional<int64_t> divisor_override = std::nullopt)
      : AvgPoolNd(3, std::move(kernel_size), std::move(stride), std::move(padding), ceil_mode, count_include_pad,
                  divisor_override) {}
  std::string name() const override { return "AvgPool3d"; }
};

/// Adaptive average or max pooling to a fixed output size (shared body of the Adaptive* layers).
class AdaptivePoolNd : public UnaryModule {
 public:
  AdaptivePoolNd(int dims, bool max, PoolInts output_size, bool return_indices);
  Tensor forward(const Tensor& input) override;
  /// Max variants only: output and the flat int64 index of each maximum in its plane.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;

  IntList output_size;
  bool return_indices;  // max variants only

 private:
  int dims_;
  bool max_;
};

/// Averages (N, C, L) over adaptive windows to (N, C, output_size).
class AdaptiveAvgPool1d : public AdaptivePoolNd {
 public:
  explicit AdaptiveAvgPool1d(PoolInts output_size) : AdaptivePoolNd(1, false, std::move(output_size), false) {}
  std::string name() const override { return "AdaptiveAvgPool1d"; }
};
/// Averages (N, C, H, W) to (N, C, *output_size); AdaptiveAvgPool2d({1}) is global average pooling.
class AdaptiveAvgPool2d : public AdaptivePoolNd {
 public:
  explicit AdaptiveAvgPool2d(PoolInts output_size) : AdaptivePoolNd(2, false, std::move(output_size), false) {}
  std::string name() const override { return "AdaptiveAvgPool2d"; }
};
/// Averages (N, C, D, H, W) to (N, C, *output_size).
class AdaptiveAvgPool3d : public AdaptivePoolNd {
 public:
  explicit AdaptiveAvgPool3d(PoolInts output_size) : AdaptivePoolNd(3, false, std::move(output_size), false) {}
  std::string name() const override { return "AdaptiveAvgPool3d"; }
};
/// Maximum of (N, C, L) over adaptive windows.
class AdaptiveMaxPool1d : public AdaptivePoolNd {
 public:
  explicit AdaptiveMaxPool1d(PoolInts output_size, bool return_indices = false)
      : AdaptivePoolNd(1, true, std::move(output_size), return_indices) {}
  std::string name() const override { return "AdaptiveMaxPool1d"; }
};
/// Maximum of (N, C, H, W) over adaptive windows.
class AdaptiveMaxPool2d : public AdaptivePoolNd {
 public:
  explicit AdaptiveMaxPool2d(PoolInts output_size, bool return_indices = false)
      : AdaptivePoolNd(2, true, std::move(output_size), return_indices) {}
  std::string name() const override { return "AdaptiveMaxPool2d"; }
};
/// Maximum of (N, C, D, H, W) over adaptive windows.
class AdaptiveMaxPool3d : public AdaptivePoolNd {
 public:
  explicit AdaptiveMaxPool3d(PoolInts output_size, bool return_indices = false)
      : AdaptivePoolNd(3, true, std::move(output_size), return_indices) {}
  std::string name() const override { return "AdaptiveMaxPool3d"; }
};

/// Power-average pooling (Σ_window x^p)^(1/p) (shared body of LPPool1d/2d).
class LPPoolNd : public UnaryModule, public SummaryGeometry {
 public:
  LPPoolNd(int dims, double norm_type, PoolInts kernel_size, PoolInts stride, bool ceil_mode);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  /// Window geometry for receptive fields (pooling has no weights: multiply_adds is 0).
  std::optional<SpatialGeometry> spatial_geometry() const override;

  double norm_type;
  IntList kernel_size, stride;  // empty stride: = kernel_size (printed as None)
  bool ceil_mode;

 private:
  int dims_;
};

/// 1-d power-average pooling.
class LPPool1d : public LPPoolNd {
 public:
  LPPool1d(double norm_type, PoolInts kernel_size, PoolInts stride = {}, bool ceil_mode = false)
      : LPPoolNd(1, norm_type, std::move(kernel_size), std::move(stride), ceil_mode) {}
  std::string name() const override { return "LPPool1d"; }
};
/// 2-d power-average pooling.
class LPPool2d : public LPPoolNd {
 public:
  LPPool2d(double norm_type, PoolInts kernel_size, PoolInts stride = {}, bool ceil_mode = false)
      : LPPoolNd(2, norm_type, std::move(kernel_size), std::move(stride), ceil_mode) {}
  std::string name() const override { return "LPPool2d"; }
};

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
