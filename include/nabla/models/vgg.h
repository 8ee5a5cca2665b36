#pragma once
// VGG (Simonyan & Zisserman 2014), configurations A, B, D, E with and without BatchNorm, with
// torchvision's module structure and parameter names, and a small-input variant.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// torchvision's VGG: features (3×3 convolutions with padding 1, [BatchNorm2d], ReLU, and 2×2
/// max-pools) → avgpool (adaptive, 7×7) → flatten → classifier (Linear 512·7·7 → 4096, ReLU,
/// Dropout(0.5), Linear 4096 → 4096, ReLU, Dropout(0.5), Linear 4096 → num_classes).
/// (N, C, H, W) → (N, num_classes). Initialised as torchvision's: convolutions from
/// kaiming_normal_(fan_out, relu) with zero biases, BatchNorm weight 1 and bias 0, Linear weights
/// from N(0, 0.01²) with zero biases.
class VGG : public nn::UnaryModule {
 public:
  /// The three parts; `features` ends with 512 channels and `avgpool` gives the size `classifier`
  /// expects.
  VGG(std::shared_ptr<nn::Sequential> features, std::shared_ptr<nn::UnaryModule> avgpool,
      std::shared_ptr<nn::Sequential> classifier);
  /// classifier(flatten(avgpool(features(x)))).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "VGG"; }

  std::shared_ptr<nn::Sequential> features, classifier;
  std::shared_ptr<nn::UnaryModule> avgpool;
};

/// VGG of a layer list (torchvision's cfgs: an output channel count per 3×3 conv, 0 for a max-pool):
/// "A" (vgg11), "B" (vgg13), "D" (vgg16) or "E" (vgg19). Small input: the last max-pool is left
/// out (a 28×28 input reaches the last convolutions at 1×1, 32×32 at 2×2), avgpool is global
/// (1×1) and the classifier's hidden width is 512 instead of 4096 (same names and layout).
std::shared_ptr<VGG> vgg(const std::string& cfg, bool batch_norm, int64_t num_classes = 1000, int64_t in_channels = 3,
                         bool small_input = false);

/// VGG-11 (configuration A), 132,863,336 parameters at 1000 classes.
std::shared_ptr<VGG> vgg11(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-11 with BatchNorm, 132,868,840 parameters.
std::shared_ptr<VGG> vgg11_bn(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-13 (configuration B), 133,047,848 parameters.
std::shared_ptr<VGG> vgg13(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-13 with BatchNorm, 133,053,736 parameters.
std::shared_ptr<VGG> vgg13_bn(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-16 (configuration D), 138,357,544 parameters.
std::shared_ptr<VGG> vgg16(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-16 with BatchNorm, 138,365,992 parameters.
std::shared_ptr<VGG> vgg16_bn(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-19 (configuration E), 143,667,240 parameters.
std::shared_ptr<VGG> vgg19(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// VGG-19 with BatchNorm, 143,678,248 parameters.
std::shared_ptr<VGG> vgg19_bn(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);

/// The registry options of the VGG family.
struct VGGOptions {
  std::string stem = "auto";

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto (small below 64 pixels), imagenet or small (no last max-pool, global pool, 512-wide classifier)");
  }
};

}  // namespace nabla::models
