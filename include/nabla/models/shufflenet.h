#pragma once
// ShuffleNet v2 (Ma et al. 2018) with torchvision 0.14's module structure, parameter names and
// (PyTorch default) initialisation, at widths 0.5×, 1.0×, 1.5× and 2.0×, and a small-input variant
// for 28×28 / 32×32 images: the stem convolution has stride 1 and the max pooling is left out
// (8× downsampling in all instead of 32×).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// Channel shuffle (Zhang et al., ShuffleNet): (N, C, H, W) viewed as (N, groups, C/groups, H, W),
/// dims 1 and 2 swapped, and flattened back, so channel g·(C/groups) + i moves to i·groups + g.
/// C must be divisible by groups. Differentiable (a view, a transpose and a copy).
Tensor channel_shuffle(const Tensor& x, int64_t groups);

/// channel_shuffle as a module (no parameters).
class ChannelShuffle : public nn::UnaryModule {
 public:
  explicit ChannelShuffle(int64_t groups);
  Tensor forward(const Tensor& x) override { return channel_shuffle(x, groups); }
  std::string name() const override { return "ChannelShuffle"; }
  std::string extra_repr() const override { return "groups=" + std::to_string(groups); }
  int64_t groups;
};

/// ShuffleNet v2's unit (torchvision.models.shufflenetv2.InvertedResidual), out = 2·b channels:
///   stride 1 (in = out): split the channels in halves x1, x2; cat(x1, branch2(x2)).
///   stride 2: cat(branch1(x), branch2(x)), branch1 = depthwise 3×3 stride 2, BN, 1×1 to b, BN, ReLU.
/// branch2 = 1×1 to b, BN, ReLU, depthwise 3×3 with stride, BN, 1×1, BN, ReLU; then
/// channel_shuffle(·, 2). (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉).
class ShuffleInvertedResidual : public nn::UnaryModule {
 public:
  ShuffleInvertedResidual(int64_t in_channels, int64_t out_channels, int64_t stride);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "InvertedResidual"; }

  int64_t stride;
  std::shared_ptr<nn::Sequential> branch1, branch2;  ///< branch1 is empty for stride 1
};

/// ShuffleNet v2 (torchvision.models.ShuffleNetV2): "conv1" (3×3 stride 2, BN, ReLU), "maxpool"
/// (3×3 stride 2), "stage2"–"stage4" (a stride-2 unit, then repeats − 1 stride-1 units), "conv5"
/// (1×1, BN, ReLU), global average pooling and "fc".
class ShuffleNetV2 : public nn::UnaryModule {
 public:
  /// stages_repeats: 3 values; stages_out_channels: 5 (conv1, stage2–4, conv5).
  ShuffleNetV2(const std::vector<int64_t>& stages_repeats, const std::vector<int64_t>& stages_out_channels,
               int64_t num_classes, int64_t in_channels, bool small_input);
  /// (N, in_channels, H, W) → (N, num_classes).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ShuffleNetV2"; }

  std::shared_ptr<nn::Sequential> conv1, stage2, stage3, stage4, conv5;
  std::shared_ptr<nn::UnaryModule> maxpool;  ///< MaxPool2d(3, 2, 1), or Identity for small inputs
  std::shared_ptr<nn::Linear> fc;
};

/// ShuffleNet v2 0.5× (torchvision): 1,366,792 parameters at 224×224, 1000 classes.
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x0_5(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                 bool small_input = false);
/// ShuffleNet v2 1.0× (torchvision): 2,278,604 parameters at 224×224, 1000 classes.
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x1_0(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                 bool small_input = false);
/// ShuffleNet v2 1.5× (torchvision): 3,503,624 parameters at 224×224, 1000 classes.
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x1_5(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                 bool small_input = false);
/// ShuffleNet v2 2.0× (torchvision): 7,393,996 parameters at 224×224, 1000 classes.
std::shared_ptr<ShuffleNetV2> shufflenet_v2_x2_0(int64_t num_classes = 1000, int64_t in_channels = 3,
                                                 bool small_input = false);

/// The registry options of ShuffleNet v2.
struct ShuffleNetOptions {
  std::string stem = "auto";

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet or small (stride-1 stem without max pooling, for 28x28/32x32)");
  }
};

/// The registry lines of shufflenet_v2_x0_5, _x1_0, _x1_5 and _x2_0.
std::vector<ModelEntry> shufflenet_entries();

}  // namespace nabla::models
