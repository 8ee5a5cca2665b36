#pragma once
// AlexNet (Krizhevsky et al. 2012, torchvision's single-GPU version) and ZFNet (Zeiler & Fergus
// 2013), with torchvision's AlexNet structure and parameter names, and small-input variants.
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/models/registry.h"
#include "nabla/nn/module.h"

namespace nabla::models {

/// torchvision's AlexNet layout: features (convolutions, ReLU, 3×3 stride-2 max-pools) →
/// avgpool (adaptive) → flatten → classifier (Dropout(0.5), Linear, ReLU, Dropout(0.5), Linear,
/// ReLU, Linear). (N, C, H, W) → (N, num_classes). PyTorch's default initialisation.
class AlexNet : public nn::UnaryModule {
 public:
  /// The three parts; `name` is what name() returns ("AlexNet", "ZFNet").
  AlexNet(std::shared_ptr<nn::Sequential> features, std::shared_ptr<nn::UnaryModule> avgpool,
          std::shared_ptr<nn::Sequential> classifier, std::string name = "AlexNet");
  /// classifier(flatten(avgpool(features(x)))).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return name_; }

  std::shared_ptr<nn::Sequential> features, classifier;
  std::shared_ptr<nn::UnaryModule> avgpool;

 private:
  std::string name_;
};

/// torchvision's AlexNet: conv 11×11/4 (64) → pool → conv 5×5 (192) → pool → conv 3×3 (384, 256,
/// 256) → pool → avgpool 6×6 → 9216 → 4096 → 4096 → num_classes; 61,100,840 parameters at 1000
/// classes (FC6, classifier.1, alone 37,752,832). Small input: conv1 is 3×3 stride 1 padding 1,
/// avgpool is 2×2 and the classifier is 1024 → 1024 → 1024 → num_classes (28×28 reaches the
/// avgpool at 2×2, 32×32 at 3×3).
std::shared_ptr<AlexNet> alexnet(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);

/// ZFNet (Zeiler & Fergus 2013, Fig. 3): conv 7×7/2 (96) → ReLU → max-pool 3×3/2 (padding 1) →
/// LRN → conv 5×5/2 (256) → ReLU → max-pool 3×3/2 (padding 1) → LRN → conv 3×3 (384, 384, 256) →
/// max-pool 3×3/2 → avgpool 6×6 → 9216 → 4096 → 4096 → num_classes, in AlexNet's layout
/// (224 → 110 → 55 → 26 → 13 → 6, as in the paper); 62,357,608 parameters at 1000 classes. The
/// LRN is LocalResponseNorm(5, 1e-4, 0.75, 2), Krizhevsky's. Small input: conv1 3×3/1, conv2
/// 5×5/1 padding 2, otherwise as alexnet's small variant.
std::shared_ptr<AlexNet> zfnet(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);

/// The registry options of alexnet and zfnet.
struct AlexNetOptions {
  std::string stem = "auto";

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto (small below 64 pixels), imagenet or small (3x3/1 first conv, 2x2 avgpool, 1024-wide classifier)");
  }
};

}  // namespace nabla::models
