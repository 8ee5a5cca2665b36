#pragma once
// SqueezeNet (Iandola et al.) 1.0 and 1.1 with torchvision's module structure and state_dict names.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"

namespace nabla::models {

/// The fire module (torchvision's Fire): squeeze 1×1 conv → squeeze_planes, ReLU, then two
/// expand convolutions on the squeezed map, expand1x1 (1×1) and expand3x3 (3×3 padding 1), each
/// with a ReLU, concatenated along the channels:
/// (N, inplanes, H, W) → (N, expand1x1_planes + expand3x3_planes, H, W).
class Fire : public nn::UnaryModule {
 public:
  /// A fire module with these widths (the convolutions have biases).
  Fire(int64_t inplanes, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes);
  /// cat(relu(expand1x1(s)), relu(expand3x3(s))) with s = relu(squeeze(x)).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Fire"; }

  std::shared_ptr<nn::Conv2d> squeeze, expand1x1, expand3x3;
  std::shared_ptr<nn::ReLU> squeeze_activation, expand1x1_activation, expand3x3_activation;
};

/// SqueezeNet (torchvision's SqueezeNet): `features` (a Sequential of the stem convolution,
/// ReLU, max pools 3×3 stride 2 in ceil mode and eight Fire modules) and `classifier`
/// (Dropout(dropout), final_conv 1×1 → num_classes, ReLU, AdaptiveAvgPool2d(1)), flattened:
/// (N, C, H, W) → (N, num_classes). Initialised as torchvision: kaiming_uniform_ convolutions,
/// final_conv normal(0, 0.01), biases 0.
class SqueezeNet : public nn::UnaryModule {
 public:
  /// version "1_0" (stem conv 7×7 stride 2 → 96) or "1_1" (conv 3×3 stride 2 → 64, pools earlier);
  /// small_input: the stem convolution is 3×3 stride 1 padding 1 instead (same widths, same
  /// pools), for 28×28 and 32×32 images. Another version raises Error.
  SqueezeNet(const std::string& version, int64_t num_classes = 1000, int64_t in_channels = 3, double dropout = 0.5,
             bool small_input = false);
  /// The logits (N, num_classes): the classifier's pooled class maps, flattened.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "SqueezeNet"; }

  std::shared_ptr<nn::Sequential> features, classifier;
};

/// torchvision's squeezenet1_0: 1,248,424 parameters at 3 channels and 1000 classes.
std::shared_ptr<SqueezeNet> squeezenet1_0(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// torchvision's squeezenet1_1: 1,235,496 parameters, 2.4× fewer multiply-adds than 1.0.
std::shared_ptr<SqueezeNet> squeezenet1_1(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);

/// Registry options of squeezenet1_0 and squeezenet1_1.
struct SqueezeNetOptions {
  std::string stem = "auto";
  double dropout = 0.5;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet (stride-2 stem convolution) or small (3x3 stride-1 stem convolution)");
    v("dropout", dropout, "dropout before the final convolution");
  }
};

/// The registry lines of squeezenet1_0 and squeezenet1_1.
std::vector<ModelEntry> squeezenet_entries();

}  // namespace nabla::models
