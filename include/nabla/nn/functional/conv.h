#pragma once
// Convolutions as differentiable functions (torch.nn.functional.conv1d/2d/3d and
// conv_transpose1d/2d/3d). The layers in nabla/nn/conv.h wrap them.
#include <initializer_list>
#include <string>

#include "nabla/ops/backend.h"
#include "nabla/tensor.h"

namespace nabla::nn {

/// An `int or tuple` argument of a convolution: one value (used for every spatial dim) or one
/// value per spatial dim. `ConvInts(3)`, `ConvInts{3, 5}`.
struct ConvInts {
  IntList values;
  ConvInts(int v) : values{v} {}
  ConvInts(int64_t v) : values{v} {}
  ConvInts(std::initializer_list<int64_t> v) : values(v) {}
  ConvInts(IntList v) : values(std::move(v)) {}
};

/// Padding of a convolution: sizes (one value, or one per spatial dim) or one of the strings
/// "valid" (no padding) and "same" (output size = input size; stride must be 1). For "same"
/// the total padding d·(k−1) is split with the extra element, when odd, after the input, as
/// PyTorch does.
struct ConvPadding {
  IntList values;    // when mode is empty
  std::string mode;  // "", "same" or "valid"
  ConvPadding(int v) : values{v} {}
  ConvPadding(int64_t v) : values{v} {}
  ConvPadding(std::initializer_list<int64_t> v) : values(v) {}
  ConvPadding(IntList v) : values(std::move(v)) {}
  ConvPadding(const char* m) : mode(m) {}
  ConvPadding(std::string m) : mode(std::move(m)) {}
  bool is_same() const { return mode == "same"; }
};

/// How a convolution pads its input: with zeros, or by reflecting, replicating or wrapping the
/// border (PyTorch's padding_mode "zeros", "reflect", "replicate", "circular").
enum class PaddingMode { Zeros, Reflect, Replicate, Circular };

/// Parses "zeros" / "reflect" / "replicate" / "circular"; anything else raises Error.
PaddingMode padding_mode_from_string(const std::string& mode);
/// The PyTorch name of a padding mode.
std::string to_string(PaddingMode mode);

namespace functional {

/// 1-d convolution (cross-correlation, as in PyTorch). input is (N, C, L) or unbatched (C, L);
/// weight is (K, C/groups, k); bias (K) may be undefined. Output (N, K, L_out) with
/// L_out = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1 (an Error when not positive).
/// `padding_mode` other than Zeros pads the input by reflection/replication/wrapping first
/// (PyTorch exposes this only on the Conv layers; it is also available here).
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
              ConvPadding padding = 0, ConvInts dilation = 1, int64_t groups = 1,
              PaddingMode padding_mode = PaddingMode::Zeros);

/// 2-d convolution. input is (N, C, H, W) or (C, H, W); weight is (K, C/groups, kH, kW).
/// groups = C with K = m·C is a depthwise convolution. Otherwise as conv1d, per spatial dim.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
              ConvPadding padding = 0, ConvInts dilation = 1, int64_t groups = 1,
              PaddingMode padding_mode = PaddingMode::Zeros);

/// 3-d convolution. input is (N, C, D, H, W) or (C, D, H, W); weight is (K, C/groups, kD, kH, kW).
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
              ConvPadding padding = 0, ConvInts dilation = 1, int64_t groups = 1,
              PaddingMode padding_mode = PaddingMode::Zeros);

/// 1-d transposed convolution (the adjoint of conv1d in its input, "deconvolution"). input is
/// (N, C_in, L) or (C_in, L); weight is (C_in, C_out/groups, k). Output length
/// (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1; output_padding must be
/// smaller than stride or dilation.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
                        ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, ConvInts dilation = 1);

/// 2-d transposed convolution; input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kH, kW).
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
                        ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, ConvInts dilation = 1);

/// 3-d transposed convolution; input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out/groups, kD, kH, kW).
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ConvInts stride = 1,
                        ConvInts padding = 0, ConvInts output_padding = 0, int64_t groups = 1, ConvInts dilation = 1);

/// Output size of a convolution along one dim: floor((in + pad_before + pad_after − dilation·(k − 1) − 1) / stride) + 1
/// (may be ≤ 0; the conv functions raise an Error in that case).
int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                         int64_t dilation);

}  // namespace functional

/// The convolution backend setting lives with the other kernel backends (nabla/ops/backend.h);
/// these names keep nn::set_conv_backend(nn::ConvBackend::Im2col) working.
using ops::ConvBackend;
using ops::conv_backend;
using ops::set_conv_backend;

}  // namespace nabla::nn
