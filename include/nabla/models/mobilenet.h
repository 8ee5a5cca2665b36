#pragma once
// MobileNet v1 (Howard et al. 2017), v2 (Sandler et al. 2018) and v3 (Howard et al. 2019), with
// torchvision 0.14's module structure, parameter names and initialisation for v2 and v3 (v1 is not
// in torchvision; it follows the paper with the same naming style). Each has a width multiplier
// and a small-input variant for 28×28 / 32×32 images: the stem and the first strided stage keep
// the resolution (8× downsampling in all instead of 32×).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/fused.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"

namespace nabla::models {

/// torchvision's _make_divisible: v rounded to the nearest multiple of `divisor` (halves up), at
/// least min_value (default: divisor), and raised by one divisor if that lost more than 10 % of v.
int64_t make_divisible(double v, int64_t divisor, std::optional<int64_t> min_value = std::nullopt);

/// torchvision.ops.Conv2dNormActivation as a Sequential with children "0", "1"[, "2"]:
/// Conv2d(in, out, kernel, stride, padding (kernel − 1)/2·dilation, dilation, groups, bias=false),
/// BatchNorm2d(out, eps, momentum), then `activation`: "relu", "relu6", "hardswish" or "none".
/// (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉) for odd kernels. One folded convolution at
/// inference (nn::ConvNormActivation).
std::shared_ptr<nn::ConvNormActivation> conv_norm_activation(int64_t in_channels, int64_t out_channels,
                                                             int64_t kernel_size, int64_t stride, int64_t groups,
                                                             const std::string& activation, double eps = 1e-5,
                                                             double momentum = 0.1, int64_t dilation = 1);

/// MobileNet v1's block: a depthwise 3×3 convolution (groups = in) with BatchNorm and ReLU, then a
/// pointwise 1×1 convolution to `out` channels with BatchNorm and ReLU. (N, in, H, W) →
/// (N, out, ⌈H/stride⌉, ⌈W/stride⌉). Children "depthwise" and "pointwise", each a
/// conv_norm_activation Sequential.
class DepthwiseSeparableConv : public nn::UnaryModule, public nn::ChainLinks {
 public:
  DepthwiseSeparableConv(int64_t in_channels, int64_t out_channels, int64_t stride);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "DepthwiseSeparableConv"; }
  /// Its two links (nn::ChainLinks); false when a part has hooks.
  bool append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const override;

  std::shared_ptr<nn::Sequential> depthwise, pointwise;
};

/// MobileNet v2's inverted residual (torchvision.models.mobilenetv2.InvertedResidual): "conv" is a
/// Sequential of [1×1 expansion to round(in·expand_ratio) channels with BN and ReLU6, when
/// expand_ratio ≠ 1], a depthwise 3×3 with stride, BN and ReLU6, a linear 1×1 projection to `out`
/// and BatchNorm. (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉); the input is added when
/// stride = 1 and in = out.
class InvertedResidual : public nn::UnaryModule, public nn::ChainLinks {
 public:
  InvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride, int64_t expand_ratio);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "InvertedResidual"; }
  /// Its links (nn::ChainLinks): expansion, depthwise convolution and projection, the input added
  /// by the last when use_res_connect; false when a part has hooks.
  bool append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const override;

  std::shared_ptr<nn::Sequential> conv;
  bool use_res_connect;
};

/// Squeeze-and-excitation (torchvision.ops.SqueezeExcitation): x · scale_activation(fc2(relu(
/// fc1(avgpool(x))))), fc1 a 1×1 Conv2d(C, squeeze_channels), fc2 a 1×1 Conv2d(squeeze_channels, C),
/// both with bias. (N, C, H, W) → (N, C, H, W). `scale_activation` is "hardsigmoid" (MobileNet v3)
/// or "sigmoid" (torchvision's default).
class SqueezeExcitation : public nn::UnaryModule {
 public:
  SqueezeExcitation(int64_t input_channels, int64_t squeeze_channels, const std::string& scale_activation = "sigmoid");
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SqueezeExcitation"; }

  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<nn::Conv2d> fc1, fc2;
  std::shared_ptr<nn::ReLU> activation;
  std::shared_ptr<nn::UnaryModule> scale_activation;
};

/// One row of MobileNet v3's table (torchvision's InvertedResidualConfig): channels are given at
/// width 1.0 and scaled with make_divisible(c·width_mult, 8) by the constructor.
struct InvertedResidualConfig {
  InvertedResidualConfig(int64_t input_channels, int64_t kernel, int64_t expanded_channels, int64_t out_channels,
                         bool use_se, const std::string& activation, int64_t stride, int64_t dilation,
                         double width_mult);
  int64_t input_channels, kernel, expanded_channels, out_channels;
  bool use_se, use_hs;  ///< use_hs: Hardswish ("HS"); otherwise ReLU ("RE")
  int64_t stride, dilation;
};

/// MobileNet v3's block (torchvision.models.mobilenetv3.InvertedResidual): "block" is a Sequential
/// of [1×1 expansion with BN (eps 1e-3) and the activation, when expanded ≠ input channels], a
/// depthwise k×k with stride, BN and the activation, [SqueezeExcitation to
/// make_divisible(expanded/4, 8) with a Hardsigmoid gate], and a 1×1 projection with BN.
/// (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉); the input is added when stride = 1 and in = out.
class InvertedResidualV3 : public nn::UnaryModule {
 public:
  explicit InvertedResidualV3(const InvertedResidualConfig& config);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "InvertedResidual"; }

  std::shared_ptr<nn::Sequential> block;
  bool use_res_connect;
};

/// MobileNet v1: "features" (a 3×3 stride-2 stem to 32·α channels with BN and ReLU, then 13
/// DepthwiseSeparableConv blocks to 1024·α), global average pooling, and "classifier"
/// (Dropout, Linear). At 224×224, 1000 classes, α = 1: 4,231,976 parameters.
class MobileNetV1 : public nn::UnaryModule {
 public:
  MobileNetV1(int64_t num_classes, int64_t in_channels, bool small_input, double width_mult, double dropout);
  /// (N, in_channels, H, W) → (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MobileNetV1"; }

  std::shared_ptr<nn::Sequential> features, classifier;
};

/// MobileNet v2 (torchvision.models.MobileNetV2): "features" (stem, 17 InvertedResidual blocks,
/// 1×1 conv to 1280·max(1, α)), global average pooling, "classifier" (Dropout, Linear).
class MobileNetV2 : public nn::UnaryModule {
 public:
  MobileNetV2(int64_t num_classes, int64_t in_channels, bool small_input, double width_mult, double dropout);
  /// (N, in_channels, H, W) → (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MobileNetV2"; }

  std::shared_ptr<nn::Sequential> features, classifier;
};

/// MobileNet v3 (torchvision.models.MobileNetV3): "features" (Hardswish stem, the table's
/// InvertedResidualV3 blocks, 1×1 conv to 6× the last block's channels), "avgpool", "classifier"
/// (Linear, Hardswish, Dropout, Linear). BatchNorm eps 1e-3, momentum 0.01 throughout.
class MobileNetV3 : public nn::UnaryModule {
 public:
  MobileNetV3(const std::vector<InvertedResidualConfig>& settings, int64_t last_channel, int64_t num_classes,
              int64_t in_channels, bool small_input, double dropout);
  /// (N, in_channels, H, W) → (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MobileNetV3"; }

  std::shared_ptr<nn::Sequential> features, classifier;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
};

/// MobileNet v1 (Howard et al. 2017): 4,231,976 parameters at 224×224, 1000 classes, width 1.0.
std::shared_ptr<MobileNetV1> mobilenet_v1(int64_t num_classes = 1000, int64_t in_channels = 3,
                                          bool small_input = false, double width_mult = 1.0, double dropout = 0.2);
/// MobileNet v2 (torchvision.models.mobilenet_v2): 3,504,872 parameters at the defaults.
std::shared_ptr<MobileNetV2> mobilenet_v2(int64_t num_classes = 1000, int64_t in_channels = 3,
                                          bool small_input = false, double width_mult = 1.0, double dropout = 0.2);
/// MobileNet v3 small (torchvision.models.mobilenet_v3_small): 2,542,856 parameters at the defaults.
std::shared_ptr<MobileNetV3> mobilenet_v3_small(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                bool small_input = false, double width_mult = 1.0,
                                                double dropout = 0.2);
/// MobileNet v3 large (torchvision.models.mobilenet_v3_large): 5,483,032 parameters at the defaults.
std::shared_ptr<MobileNetV3> mobilenet_v3_large(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                bool small_input = false, double width_mult = 1.0,
                                                double dropout = 0.2);

/// The registry options of the MobileNets.
struct MobileNetOptions {
  std::string stem = "auto";
  double width_mult = 1.0;
  double dropout = 0.2;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet or small (stride-1 stem and first strided stage, for 28x28/32x32)");
    v("width_mult", width_mult, "width multiplier of every layer's channels");
    v("dropout", dropout, "dropout probability before the last Linear");
  }
};

/// The registry lines of mobilenet_v1, mobilenet_v2, mobilenet_v3_small and mobilenet_v3_large.
std::vector<ModelEntry> mobilenet_entries();

}  // namespace nabla::models
