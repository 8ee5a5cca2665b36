#pragma once
// Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d, with PyTorch's arguments,
// defaults, parameter names and shapes, and default initialisation.
#include <optional>
#include <string>

#include "nabla/nn/functional/conv.h"
#include "nabla/nn/module.h"
#include "nabla/nn/summary.h"

namespace nabla::nn {

/// What Conv*d and ConvTranspose*d share (PyTorch's _ConvNd): the arguments as given, expanded
/// to one value per spatial dim, and the parameters
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

  std::string extra_repr() const override;
  /// kernel_size, stride, padding and dilation per spatial dim. Transposed convolutions upsample,
  /// which a sliding window cannot describe: they return none.
  std::optional<SpatialGeometry> spatial_geometry() const override;
  /// (weight + bias elements) × output positions; transposed: weight elements × input positions
  /// + bias elements × output positions (each input value is scattered through the whole kernel).
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;
  /// Number of spatial dims (1, 2 or 3).
  int64_t spatial_dims() const { return static_cast<int64_t>(kernel_size.size()); }

 protected:
  ConvNd(const char* layer, int64_t spatial, int64_t in_channels, int64_t out_channels, const ConvInts& kernel_size,
         const ConvInts& stride, const ConvPadding& padding, const ConvInts& dilation, const ConvInts& output_padding,
         int64_t groups, bool bias, const std::string& padding_mode, bool transposed);
  /// Raises Error naming the layer, the expected and the received shape when `input` does not
  /// have rank spatial+1 or spatial+2 or the wrong number of channels.
  void check_input(const Tensor& input) const;
  /// PyTorch's reset_parameters().
  void reset_parameters();
  /// Padding as the functional ops take it.
  ConvPadding padding_arg() const { return padding_str.empty() ? ConvPadding(padding) : ConvPadding(padding_str); }

 private:
  std::string layer_;
};

/// 1-d convolution over (N, C_in, L) or (C_in, L) inputs (torch.nn.Conv1d).
class Conv1d : public ConvNd {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1, ConvPadding padding = 0,
         ConvInts dilation = 1, int64_t groups = 1, bool bias = true, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv1d"; }
};

/// 2-d convolution over (N, C_in, H, W) or (C_in, H, W) inputs (torch.nn.Conv2d).
/// Example: Conv2d(3, 16, 3, /*stride=*/1, /*padding=*/1) keeps H and W; Conv2d(16, 16, 3, 1, "same", 1, 16) is depthwise.
class Conv2d : public ConvNd {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1, ConvPadding padding = 0,
         ConvInts dilation = 1, int64_t groups = 1, bool bias = true, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv2d"; }
};

/// 3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W) inputs (torch.nn.Conv3d).
class Conv3d : public ConvNd {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1, ConvPadding padding = 0,
         ConvInts dilation = 1, int64_t groups = 1, bool bias = true, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv3d"; }
};

/// 1-d transposed convolution (torch.nn.ConvTranspose1d); only padding_mode "zeros" is supported, as in PyTorch.
class ConvTranspose1d : public ConvNd {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1,
                  ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, bool bias = true,
                  ConvInts dilation = 1, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ConvTranspose1d"; }
};

/// 2-d transposed convolution (torch.nn.ConvTranspose2d). ConvTranspose2d(C, C, 2, 2) doubles H and W.
class ConvTranspose2d : public ConvNd {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1,
                  ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, bool bias = true,
                  ConvInts dilation = 1, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ConvTranspose2d"; }
};

/// 3-d transposed convolution (torch.nn.ConvTranspose3d).
class ConvTranspose3d : public ConvNd {
 public:
  ConvTranspose3d(int64_t in_channels, int64_t out_channels, ConvInts kernel_size, ConvInts stride = 1,
                  ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, bool bias = true,
                  ConvInts dilation = 1, const std::string& padding_mode = "zeros");
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ConvTranspose3d"; }
};

}  // namespace nabla::nn
