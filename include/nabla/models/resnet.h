#pragma once
// ResNet (He et al. 2015), Wide ResNet-50-2 and ResNeXt-50 32×4d with torchvision's module
// structure and parameter names, and a small-input variant for 28×28 / 32×32 images.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/fused.h"
#include "nabla/nn/conv.h"
#include "nabla/models/registry.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"

namespace nabla::models {

/// torchvision's BasicBlock: conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the shortcut
/// (identity, or `downsample` applied to the input), then ReLU. (N, inplanes, H, W) →
/// (N, planes, H/stride, W/stride). Children: conv1, bn1, relu, conv2, bn2[, downsample]. The
/// downsample may be any unary module (torchvision's conv1×1+BN Sequential, or a parameter-free
/// shortcut). groups must be 1 and base_width 64, as in torchvision.
class BasicBlock : public nn::UnaryModule, public nn::ChainLinks {
 public:
  static constexpr int64_t expansion = 1;
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::UnaryModule> downsample = nullptr, int64_t groups = 1, int64_t base_width = 64);
  /// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "BasicBlock"; }
  /// Its links for a chain folded at inference (nn::ChainLinks): the convolutions with their
  /// BatchNorms, the shortcut added by the last; false when the downsample is not a
  /// ConvNormActivation or the block has hooks.
  bool append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const override;

  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<nn::UnaryModule> relu, downsample;  // downsample: null for the identity
};

/// torchvision's Bottleneck (ResNet v1.5: the stride is on the 3×3 conv): conv1×1 → BN → ReLU →
/// conv3×3(stride, groups) → BN → ReLU → conv1×1 → BN, plus the shortcut, then ReLU.
/// (N, inplanes, H, W) → (N, 4·planes, H/stride, W/stride); the inner width is
/// ⌊planes·base_width/64⌋·groups (ResNeXt: groups 32, base_width 4; Wide ResNet-50-2: base_width
/// 128). Children: conv1, bn1, conv2, bn2, conv3, bn3, relu[, downsample].
class Bottleneck : public nn::UnaryModule, public nn::ChainLinks {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::UnaryModule> downsample = nullptr, int64_t groups = 1, int64_t base_width = 64);
  /// relu(bn3(conv3(…conv1(x)…)) + shortcut(x)).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Bottleneck"; }
  /// Its links for a chain folded at inference (nn::ChainLinks): the convolutions with their
  /// BatchNorms, the shortcut added by the last; false when the downsample is not a
  /// ConvNormActivation or the block has hooks.
  bool append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const override;

  std::shared_ptr<nn::Conv2d> conv1, conv2, conv3;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2, bn3;
  std::shared_ptr<nn::UnaryModule> relu, downsample;
};

/// What a ResNet is built from (torchvision's ResNet arguments, plus the input channels and the
/// small-input stem).
struct ResNetConfig {
  bool bottleneck = false;                ///< Bottleneck blocks (ResNet-50 and up) or BasicBlock
  std::vector<int64_t> layers = {2, 2, 2, 2};  ///< blocks per stage (4 stages: 64, 128, 256, 512 planes)
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t groups = 1;                     ///< of the bottleneck's 3×3 conv (ResNeXt)
  int64_t width_per_group = 64;           ///< base_width of the bottleneck (Wide ResNet: 128)
  bool zero_init_residual = false;        ///< last BN of each block starts at weight 0 (torchvision's option)
  /// Small-input stem: conv1 is 3×3 stride 1 padding 1 and there is no max-pool (the CIFAR
  /// convention), so a 32×32 input reaches the last stage at 4×4. Same parameter names.
  bool small_input = false;
};

/// torchvision's ResNet: conv1 (7×7 stride 2) → bn1 → relu → maxpool (3×3 stride 2) → layer1..4
/// → avgpool (global) → flatten → fc. (N, in_channels, H, W) → (N, num_classes). Convolutions are
/// initialised with kaiming_normal_(fan_out, relu), BatchNorm with weight 1 and bias 0, fc as
/// nn::Linear, as in torchvision.
class ResNet : public nn::UnaryModule {
 public:
  explicit ResNet(const ResNetConfig& config);
  /// Logits (N, num_classes) of images (N, in_channels, H, W).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ResNet"; }

  ResNetConfig config;
  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::UnaryModule> relu, maxpool, avgpool, fc;  // maxpool: null with the small stem
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3, layer4;
};

/// The registry options of the ResNet family (resnet18 … resnext50_32x4d).
struct ResNetOptions {
  std::string stem = "auto";
  bool zero_init_residual = false;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto (small below 64 pixels), imagenet (7x7/2 conv + max-pool) or small (3x3/1 conv, no pool)");
    v("zero_init_residual", zero_init_residual, "start the last BatchNorm of every residual block at weight 0");
  }
};

/// ResNet-18: BasicBlock, [2, 2, 2, 2]; 11,689,512 parameters at 1000 classes.
std::shared_ptr<ResNet> resnet18(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                 bool zero_init_residual = false);
/// ResNet-34: BasicBlock, [3, 4, 6, 3]; 21,797,672 parameters.
std::shared_ptr<ResNet> resnet34(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                 bool zero_init_residual = false);
/// ResNet-50: Bottleneck, [3, 4, 6, 3]; 25,557,032 parameters.
std::shared_ptr<ResNet> resnet50(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                 bool zero_init_residual = false);
/// ResNet-101: Bottleneck, [3, 4, 23, 3]; 44,549,160 parameters.
std::shared_ptr<ResNet> resnet101(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                  bool zero_init_residual = false);
/// ResNet-152: Bottleneck, [3, 8, 36, 3]; 60,192,808 parameters.
std::shared_ptr<ResNet> resnet152(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                  bool zero_init_residual = false);
/// Wide ResNet-50-2: ResNet-50 with bottleneck width ×2 (width_per_group 128); 68,883,240 parameters.
std::shared_ptr<ResNet> wide_resnet50_2(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                        bool zero_init_residual = false);
/// ResNeXt-50 32×4d: ResNet-50 with 32 groups of width 4; 25,028,904 parameters.
std::shared_ptr<ResNet> resnext50_32x4d(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                        bool zero_init_residual = false);

}  // namespace nabla::models
