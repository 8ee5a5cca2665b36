#pragma once
// GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", Inception v1) with torchvision's
// module structure and state_dict names, its two auxiliary classifiers and their training loss.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/auxiliary_loss.h"
#include "nabla/models/registry.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"

namespace nabla::models {

/// torchvision's BasicConv2d: conv (no bias), bn (BatchNorm2d, eps 0.001), ReLU.
/// (N, in, H, W) → (N, out, H', W') with the convolution's geometry.
class BasicConv2d : public nn::UnaryModule {
 public:
  /// A kernel_size × kernel_size convolution with this stride and padding.
  BasicConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0);
  /// relu(bn(conv(x))).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "BasicConv2d"; }

  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::BatchNorm2d> bn;
};

/// The Inception module (torchvision's Inception): four branches on the same input, concatenated
/// along the channels: (N, in, H, W) → (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W).
///   branch1: BasicConv2d 1×1 → ch1x1
///   branch2: BasicConv2d 1×1 → ch3x3red, BasicConv2d 3×3 → ch3x3
///   branch3: BasicConv2d 1×1 → ch5x5red, BasicConv2d 3×3 → ch5x5 (torchvision's 3×3, not the
///            paper's 5×5: its known deviation, kept for state_dict compatibility)
///   branch4: MaxPool2d 3×3 stride 1 padding 1 (ceil mode), BasicConv2d 1×1 → pool_proj
class Inception : public nn::UnaryModule {
 public:
  /// The branches' widths in torchvision's (and the paper's table's) order.
  Inception(int64_t in_channels, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red, int64_t ch5x5,
            int64_t pool_proj);
  /// The four branches' outputs concatenated along the channels.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Inception"; }
  /// The number of channels of the output.
  int64_t out_channels() const { return out_channels_; }

  std::shared_ptr<BasicConv2d> branch1;
  std::shared_ptr<nn::Sequential> branch2, branch3, branch4;

 private:
  int64_t out_channels_;
};

/// An auxiliary classifier (torchvision's InceptionAux) on an intermediate feature map:
/// adaptive average pooling to 4×4, conv BasicConv2d 1×1 → 128, flatten (2048), fc1 Linear →
/// 1024, ReLU, dropout, fc2 Linear → num_classes. (N, in, H, W) → (N, num_classes).
class InceptionAux : public nn::UnaryModule {
 public:
  /// A head on `in_channels` channels; `dropout` is the probability before fc2 (0.7 in torchvision).
  InceptionAux(int64_t in_channels, int64_t num_classes, double dropout = 0.7);
  /// The auxiliary logits.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "InceptionAux"; }

  std::shared_ptr<BasicConv2d> conv;
  std::shared_ptr<nn::Linear> fc1, fc2;
  std::shared_ptr<nn::Dropout> dropout;
};

/// GoogLeNet's settings (torchvision's GoogLeNet arguments, plus the input channels and stem).
struct GoogLeNetConfig {
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  bool aux_logits = true;        ///< build aux1 and aux2 (torchvision's GoogLeNet default)
  bool transform_input = false;  ///< re-normalise ImageNet-normalised input as the original weights expect
  double dropout = 0.2;          ///< before fc
  double dropout_aux = 0.7;      ///< inside the auxiliary heads
  /// false: conv1 7×7 stride 2 padding 3, maxpool1 and maxpool2 (3×3 stride 2, ceil mode);
  /// true: conv1 3×3 stride 1 padding 1, maxpool1 and maxpool2 are Identity (28×28 and 32×32
  /// inputs reach the Inception modules at full resolution, as CIFAR GoogLeNets do).
  bool small_input = false;
};

/// GoogLeNet as torchvision builds it: conv1, maxpool1, conv2, conv3, maxpool2, inception3a/3b,
/// maxpool3, inception4a-4e, maxpool4, inception5a/5b, avgpool, dropout, fc, with the auxiliary
/// heads aux1 (after inception4a) and aux2 (after inception4d) when config.aux_logits.
/// (N, C, H, W) → (N, num_classes): forward always returns the main logits. A training-mode
/// forward with auxiliary heads also computes their logits and keeps them (aux_logits1/2) for
/// auxiliary_loss, torchvision's recipe: loss = main + 0.3·(aux1 + aux2). In eval mode the heads
/// do not run, as in torchvision. Initialised as torchvision (init_weights): Conv2d and Linear
/// weights trunc_normal(0, 0.01, −2, 2), BatchNorm weight 1 bias 0.
class GoogLeNet : public nn::UnaryModule, public AuxiliaryLoss {
 public:
  /// Builds the network; non-positive sizes raise Error.
  explicit GoogLeNet(const GoogLeNetConfig& config);
  /// The main logits (N, num_classes); see the class comment for the auxiliary logits.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "GoogLeNet"; }
  /// 0.3 · (cross_entropy(aux_logits1, target) + cross_entropy(aux_logits2, target)) of the last
  /// forward; undefined when it made no auxiliary logits (eval mode or no heads).
  Tensor auxiliary_loss(const Tensor& target) const override;

  GoogLeNetConfig config;
  std::shared_ptr<BasicConv2d> conv1, conv2, conv3;
  std::shared_ptr<nn::UnaryModule> maxpool1, maxpool2;
  std::shared_ptr<nn::MaxPool2d> maxpool3, maxpool4;
  std::shared_ptr<Inception> inception3a, inception3b, inception4a, inception4b, inception4c, inception4d, inception4e,
      inception5a, inception5b;
  std::shared_ptr<InceptionAux> aux1, aux2;  ///< null without auxiliary heads
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<nn::Dropout> dropout;
  std::shared_ptr<nn::Linear> fc;
  /// The auxiliary heads' logits of the last training-mode forward (torchvision's
  /// GoogLeNetOutputs.aux_logits1/2); undefined after an eval-mode forward.
  Tensor aux_logits1, aux_logits2;
};

/// GoogLeNet with torchvision's defaults except the auxiliary heads, which `aux_logits` chooses:
/// 6,624,904 parameters without them (torchvision's aux_logits=False), 13,004,888 with them.
/// small_input: the 3×3 stride-1 stem without maxpool1 and maxpool2 (GoogLeNetConfig).
std::shared_ptr<GoogLeNet> googlenet(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false,
                                     bool aux_logits = false);

/// Registry options of googlenet.
struct GoogLeNetOptions {
  std::string stem = "auto";
  bool aux_logits = false;
  bool transform_input = false;
  double dropout = 0.2;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet (7x7 stride-2 conv and two max pools) or small (3x3 stride-1 conv, no pools)");
    v("aux_logits", aux_logits, "auxiliary classifiers after inception4a/4d, adding 0.3 x their losses in training");
    v("transform_input", transform_input, "re-normalise ImageNet-normalised inputs (torchvision's transform_input)");
    v("dropout", dropout, "dropout before the final Linear");
  }
};

/// The registry line of googlenet.
std::vector<ModelEntry> googlenet_entries();

}  // namespace nabla::models
