#pragma once
// Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d, with PyTorch's arguments,
// defaults, parameter names and shapes, and default initialisation.
#include <optional>
#include <string>
#include <utility>

#include "nabla/nn/functional/conv.h"
#include "nabla/nn/module.h"
#include "nabla/nn/summary.h"

namespace nabla::nn {

/// Arguments of Conv1d/2d/3d by name, with torch.nn.Conv*d's names and defaults:
///   nn::Conv2d({.in_channels = 3, .out_channels = 16, .kernel_size = 3, .padding = 1, .bias = false})
/// in_channels, out_channels and kernel_size have no default (left out, they raise Error).
struct ConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  ConvInts kernel_size = 0;
  ConvInts stride = 1;
  ConvPadding padding = 0;  ///< sizes, "same" or "valid"
  ConvInts dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";  ///< "zeros", "reflect", "replicate" or "circular"
};
using Conv1dOptions = ConvOptions;
using Conv2dOptions = ConvOptions;
using Conv3dOptions = ConvOptions;

/// Arguments of ConvTranspose1d/2d/3d by name (torch.nn.ConvTranspose*d's names, order and defaults):
///   nn::ConvTranspose2d({.in_channels = 32, .out_channels = 16, .kernel_size = 3, .stride = 2, .padding = 1,
///                        .output_padding = 1})
struct ConvTransposeOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  ConvInts kernel_size = 0;
  ConvInts stride = 1;
  ConvInts padding = 0;
  ConvInts output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  ConvInts dilation = 1;
  std::string padding_mode = "zeros";  ///< only "zeros" is supported, as in PyTorch
};
using ConvTranspose1dOptions = ConvTransposeOptions;
using ConvTranspose2dOptions = ConvTransposeOptions;
using ConvTranspose3dOptions = ConvTransposeOptions;

/// The one body of Conv1d/2d/3d and ConvTranspose1d/2d/3d (PyTorch's _ConvNd): the arguments as
/// given, expanded to one value per spatial dim, and the parameters
///   weight: [out_channels, in_channels/groups, k…]  (transposed: [in_channels, out_channels/groups, k…])
///   bias:   [out_channels], undefined when bias=false.
/// Both start as U(−1/√fan_in, 1/√fan_in) with fan_in = weight.size(1)·Πk (PyTorch's
/// kaiming_uniform_(a=√5) and its bias rule), from the default generator.
class ConvNd : public UnaryModule, public SummaryGeometry {
 public:
  int64_t in_channels, out_channels;
  IntList kernel_size, stride, padding, dilation, output_padding;
  std::string padding_str;  // "same" or "valid" when padding was given as a string, else empty
  int64_t groups;
  PaddingMode padding_mode;
  bool transposed;
  Tensor weight, bias;

  /// Checks the input's rank and channels, then runs the functional convolution of its dims.
  Tensor forward(const Tensor& input) override;
  /// "Conv2d", "ConvTranspose1d", … from the spatial dims and the kind.
  std::string name() const override;
  std::string extra_repr() const override;
  /// kernel_size, stride, padding and dilation per spatial dim. Transposed convolutions upsample,
  /// which a sliding window cannot describe: they return none.
  std::optional<SpatialGeometry> spatial_geometry() const override;
  /// (weight + bias elements) × output positions; transposed: weight elements × input positions
  /// + bias elements × output positions (each input value is scattered through the whole kernel).
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;
  /// Number of spatial dims (1, 2 or 3).
  int64_t spatial_dims() const { return static_cast<int64_t>(kernel_size.size()); }
  /// PyTorch's reset_parameters(): redraws weight and bias as at construction.
  void reset_parameters();
  /// Raises Error naming the layer, the expected and the received shape when `input` does not
  /// have rank spatial+1 or spatial+2 or the wrong number of channels.
  void check_input(const Tensor& input) const;
  /// Padding as the functional ops take it.
  ConvPadding padding_arg() const { return padding_str.empty() ? ConvPadding(padding) : ConvPadding(padding_str); }

 protected:
  /// A convolution over `spatial` dims.
  ConvNd(int64_t spatial, const ConvOptions& options);
  /// A transposed convolution over `spatial` dims.
  ConvNd(int64_t spatial, const ConvTransposeOptions& options);

 private:
  ConvNd(int64_t spatial, bool transposed, int64_t in_channels, int64_t out_channels, const ConvInts& kernel_size,
         const ConvInts& stride, const ConvPadding& padding, const ConvInts& dilation, const ConvInts& output_padding,
         int64_t groups, bool bias, const std::string& padding_mode);

  int64_t spatial_;
};

/// D-d convolution (torch.nn.Conv1d/2d/3d) over (N, C_in, *spatial) or (C_in, *spatial) inputs,
/// used through the aliases Conv1d, Conv2d, Conv3d. Positional arguments in PyTorch's order, or
/// ConvOptions by name. Example: Conv2d(3, 16, 3, /*stride=*/1, /*padding=*/1) keeps H and W;
/// Conv2d(16, 16, 3, 1, "same", 1, 16) is depthwise.
template <int D>
class Conv : public ConvNd {
 public:
  static_assert(D >= 1 && D <= 3, "Conv<D>: D must be 1, 2 or 3");
  /// PyTorch's positional arguments and defaults.
  Conv(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1, ConvPadding padding = 0,
       ConvInts dilation = 1, int64_t groups = 1, bool bias = true, std::string padding_mode = "zeros")
      : ConvNd(D, ConvOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride), std::move(padding),
                              std::move(dilation), groups, bias, std::move(padding_mode)}) {}
  /// The arguments by name.
  explicit Conv(const ConvOptions& options) : ConvNd(D, options) {}
};
using Conv1d = Conv<1>;
using Conv2d = Conv<2>;
using Conv3d = Conv<3>;

/// D-d transposed convolution (torch.nn.ConvTranspose1d/2d/3d), used through the aliases
/// ConvTranspose1d/2d/3d. ConvTranspose2d(C, C, 2, 2) doubles H and W.
template <int D>
class ConvTranspose : public ConvNd {
 public:
  static_assert(D >= 1 && D <= 3, "ConvTranspose<D>: D must be 1, 2 or 3");
  /// PyTorch's positional arguments and defaults.
  ConvTranspose(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1,
                ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, bool bias = true,
                ConvInts dilation = 1, std::string padding_mode = "zeros")
      : ConvNd(D, ConvTransposeOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride),
                                       std::move(padding), std::move(output_padding), groups, bias, std::move(dilation),
                                       std::move(padding_mode)}) {}
  /// The arguments by name.
  explicit ConvTranspose(const ConvTransposeOptions& options) : ConvNd(D, options) {}
};
using ConvTranspose1d = ConvTranspose<1>;
using ConvTranspose2d = ConvTranspose<2>;
using ConvTranspose3d = ConvTranspose<3>;

}  // namespace nabla::nn
