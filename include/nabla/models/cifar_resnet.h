#pragma once
// The ResNets of the CIFAR experiments: He et al. 2016 §4.2 (ResNet-20/32/44/56/110, three stages
// of 16/32/64 channels, basic blocks, option-A shortcuts) and Wide ResNet WRN-d-k (Zagoruyko &
// Komodakis 2016, pre-activation blocks, optional dropout). Both take any channel count and image
// size (they end in a global average pool); they are built for 28×28 and 32×32 inputs.
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/models/registry.h"
#include "nabla/models/resnet.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// The parameter-free "option A" shortcut of He et al. (2016, §4.2) for a block that halves the
/// size and widens from in_channels to out_channels: keeps every second row and column
/// (x[:, :, ::2, ::2]) and pads the channels with zeros, (out − in)/2 before and the rest after.
/// (N, in_channels, H, W) → (N, out_channels, ⌈H/2⌉, ⌈W/2⌉).
class PadShortcut : public nn::UnaryModule {
 public:
  PadShortcut(int64_t in_channels, int64_t out_channels);
  /// The subsampled, zero-padded input.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "PadShortcut"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels;
};

/// ResNet for CIFAR (He et al. 2016, §4.2): conv1 3×3 (in_channels → 16) → bn1 → relu → layer1..3
/// (n BasicBlocks each, 16/32/64 channels, stride 1/2/2, option-A shortcuts) → global average
/// pool → fc, with depth = 6n + 2. (N, in_channels, H, W) → (N, num_classes). Initialised as
/// torchvision's ResNet (kaiming_normal_ fan_out). 10 classes: ResNet-20 has 269,722 parameters,
/// ResNet-56 853,018, ResNet-110 1,727,962 (option B's 1×1 conv + BN shortcuts would add 2,752).
class CifarResNet : public nn::UnaryModule {
 public:
  /// depth must be 6n + 2 (20, 32, 44, 56, 110, …).
  CifarResNet(int64_t depth, int64_t num_classes = 10, int64_t in_channels = 3);
  /// Logits (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "CifarResNet"; }

  int64_t depth, in_channels;
  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::UnaryModule> relu, avgpool, fc;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3;
};

/// ResNet-20 for CIFAR (n = 3), 269,722 parameters at 10 classes and 3 channels.
std::shared_ptr<CifarResNet> resnet20(int64_t num_classes = 10, int64_t in_channels = 3);
/// ResNet-32 for CIFAR (n = 5), 464,154 parameters.
std::shared_ptr<CifarResNet> resnet32(int64_t num_classes = 10, int64_t in_channels = 3);
/// ResNet-44 for CIFAR (n = 7), 658,586 parameters.
std::shared_ptr<CifarResNet> resnet44(int64_t num_classes = 10, int64_t in_channels = 3);
/// ResNet-56 for CIFAR (n = 9), 853,018 parameters.
std::shared_ptr<CifarResNet> resnet56(int64_t num_classes = 10, int64_t in_channels = 3);
/// ResNet-110 for CIFAR (n = 18), 1,727,962 parameters.
std::shared_ptr<CifarResNet> resnet110(int64_t num_classes = 10, int64_t in_channels = 3);

/// The pre-activation block of Wide ResNet: bn1 → relu → conv1 3×3(stride) → bn2 → relu →
/// [dropout] → conv2 3×3, plus the shortcut: the input itself when the shape is kept, else a 1×1
/// conv(stride) (`shortcut`) of relu(bn1(x)). Convolutions have no bias.
/// (N, in_planes, H, W) → (N, out_planes, H/stride, W/stride).
class WideBasic : public nn::UnaryModule {
 public:
  WideBasic(int64_t in_planes, int64_t out_planes, int64_t stride = 1, double dropout = 0.0);
  /// conv2(dropout(relu(bn2(conv1(relu(bn1(x))))))) + shortcut.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "WideBasic"; }

  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<nn::Conv2d> conv1, conv2, shortcut;  // shortcut: null when the shape is kept
  std::shared_ptr<nn::UnaryModule> relu, dropout;      // dropout: null when p = 0
};

/// Wide ResNet WRN-depth-widen_factor (Zagoruyko & Komodakis 2016): conv1 3×3 (in_channels → 16)
/// → layer1..3 (n WideBasic blocks each, 16k/32k/64k channels, stride 1/2/2) → bn → relu → global
/// average pool → fc, with depth = 6n + 4. Convolutions start from kaiming_normal_ (fan_out),
/// BatchNorm from weight 1 and bias 0, fc's bias from 0. 10 classes: WRN-28-10 has 36,479,194
/// parameters, WRN-40-4 8,949,210, WRN-16-4 2,748,890.
class WideResNet : public nn::UnaryModule {
 public:
  WideResNet(int64_t depth = 28, int64_t widen_factor = 10, double dropout = 0.0, int64_t num_classes = 10,
             int64_t in_channels = 3);
  /// Logits (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "WideResNet"; }

  int64_t depth, widen_factor, in_channels;
  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3;
  std::shared_ptr<nn::BatchNorm2d> bn;
  std::shared_ptr<nn::UnaryModule> relu, avgpool, fc;
};

/// The registry options of "cifar_resnet": the depth, 6n + 2.
struct CifarResNetOptions {
  int64_t depth = 20;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("depth", depth, "6n + 2 layers: 20, 32, 44, 56, 110");
  }
};

/// resnet20 … resnet110 of the registry have no options (the name fixes the depth).
struct FixedCifarResNetOptions {
  /// Calls v(key, field, help) for every field: there are none.
  template <class V>
  void visit(V&&) {}
};

/// The registry options of "wrn".
struct WideResNetOptions {
  int64_t depth = 28;
  int64_t widen_factor = 10;
  double dropout = 0.0;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("depth", depth, "6n + 4 layers: 16, 28, 40");
    v("widen_factor", widen_factor, "channel multiplier k");
    v("dropout", dropout, "dropout between the two convolutions of each block");
  }
};

}  // namespace nabla::models
