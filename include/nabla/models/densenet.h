#pragma once
// DenseNet (Huang et al., "Densely Connected Convolutional Networks"): torchvision's densenet121,
// 161, 169 and 201 with its module structure and state_dict names, and DenseNet-BC for small
// images (growth rate 12, depth 100, compression 0.5, three dense blocks).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"

namespace nabla::models {

/// One dense layer (torchvision's _DenseLayer): (N, C_in, H, W) → (N, growth_rate, H, W) by
///   norm1 BN(C_in), relu1, conv1 1×1 → bn_size·growth_rate (the bottleneck),
///   norm2 BN, relu2, conv2 3×3 padding 1 → growth_rate, then dropout with drop_rate in training.
/// Its input is the concatenation of every earlier feature map of the block.
class DenseLayer : public nn::UnaryModule {
 public:
  /// A layer reading `in_channels` channels and adding `growth_rate` (convolutions without bias).
  DenseLayer(int64_t in_channels, int64_t growth_rate, int64_t bn_size, double drop_rate);
  /// The new feature maps (N, growth_rate, H, W).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "_DenseLayer"; }

  std::shared_ptr<nn::BatchNorm2d> norm1, norm2;
  std::shared_ptr<nn::ReLU> relu1, relu2;
  std::shared_ptr<nn::Conv2d> conv1, conv2;
  double drop_rate;
};

/// A dense block (torchvision's _DenseBlock): layers "denselayer1", … each reading the
/// concatenation of the block's input and every earlier layer's output; returns that
/// concatenation after the last layer: (N, C, H, W) → (N, C + num_layers·growth_rate, H, W).
class DenseBlock : public nn::UnaryModule {
 public:
  /// `num_layers` dense layers on `in_channels` input channels.
  DenseBlock(int64_t num_layers, int64_t in_channels, int64_t bn_size, int64_t growth_rate, double drop_rate);
  /// The block's input followed by every layer's new feature maps, along the channels.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "_DenseBlock"; }
  /// The number of channels the block returns.
  int64_t out_channels() const { return out_channels_; }

  std::vector<std::shared_ptr<DenseLayer>> layers;

 private:
  int64_t out_channels_;
};

/// A transition between dense blocks (torchvision's _Transition): norm, relu, conv 1×1 without
/// bias, pool AvgPool2d(2, 2), applied in that order: (N, C_in, H, W) → (N, C_out, H/2, W/2).
class Transition : public nn::UnaryModule {
 public:
  /// BN(in_channels), ReLU, 1×1 convolution to out_channels, 2×2 average pooling.
  Transition(int64_t in_channels, int64_t out_channels);
  /// pool(conv(relu(norm(x)))).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "_Transition"; }

  std::shared_ptr<nn::BatchNorm2d> norm;
  std::shared_ptr<nn::ReLU> relu;
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::AvgPool2d> pool;
};

/// The shape of a DenseNet: what torchvision's DenseNet constructor takes, plus the stem, the
/// input channels and the compression of the transitions.
struct DenseNetConfig {
  int64_t growth_rate = 32;
  std::vector<int64_t> block_config = {6, 12, 24, 16};  ///< dense layers per block
  int64_t num_init_features = 64;                       ///< channels of conv0
  int64_t bn_size = 4;                                  ///< bottleneck width in units of growth_rate
  double drop_rate = 0;
  double compression = 0.5;  ///< a transition keeps floor(compression · C) channels
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  /// false: torchvision's stem conv0 7×7 stride 2 padding 3, norm0, relu0, pool0 (max 3×3 stride
  /// 2 padding 1); true: conv0 3×3 stride 1 padding 1 alone (Huang et al.'s CIFAR stem).
  bool small_input = false;
};

/// DenseNet (torchvision's DenseNet): features (a Sequential: conv0[, norm0, relu0, pool0],
/// denseblock1, transition1, …, denseblockB, norm5), then ReLU, global average pooling and the
/// Linear `classifier`. (N, in_channels, H, W) → (N, num_classes). Initialised as torchvision:
/// convolutions kaiming_normal_, BatchNorm weight 1 bias 0, Linear bias 0.
class DenseNet : public nn::UnaryModule {
 public:
  /// Builds the network described by `config`; non-positive sizes raise Error.
  explicit DenseNet(const DenseNetConfig& config);
  /// The logits (N, num_classes).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "DenseNet"; }

  DenseNetConfig config;
  std::shared_ptr<nn::Sequential> features;
  std::shared_ptr<nn::Linear> classifier;
};

/// torchvision's densenet121 (k = 32, blocks 6-12-24-16, 64 initial features): 7,978,856
/// parameters at 3 channels and 1000 classes. small_input: the 3×3 stride-1 stem without pool0.
std::shared_ptr<DenseNet> densenet121(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// torchvision's densenet161 (k = 48, blocks 6-12-36-24, 96 initial features): 28,681,000 parameters.
std::shared_ptr<DenseNet> densenet161(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// torchvision's densenet169 (k = 32, blocks 6-12-32-32): 14,149,480 parameters.
std::shared_ptr<DenseNet> densenet169(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);
/// torchvision's densenet201 (k = 32, blocks 6-12-48-32): 20,013,928 parameters.
std::shared_ptr<DenseNet> densenet201(int64_t num_classes = 1000, int64_t in_channels = 3, bool small_input = false);

/// DenseNet-BC for small images (Huang et al.): three dense blocks of (depth − 4)/6 bottleneck
/// layers each, 2·growth_rate initial features, transitions keeping `compression` of the
/// channels; small_input (the default) is the 3×3 stem of the paper's CIFAR models. k = 12,
/// depth 100 has 769,162 parameters at 3 channels and 10 classes. depth − 4 must be a positive
/// multiple of 6.
std::shared_ptr<DenseNet> densenet_bc(int64_t num_classes = 10, int64_t in_channels = 3, int64_t growth_rate = 12,
                                      int64_t depth = 100, double compression = 0.5, bool small_input = true);

/// Registry options of densenet121/161/169/201.
struct DenseNetOptions {
  std::string stem = "auto";
  double drop_rate = 0;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet (7x7 stride-2 conv and max pool) or small (3x3 stride-1 conv, no pool)");
    v("drop_rate", drop_rate, "dropout after each dense layer");
  }
};

/// Registry options of densenet_bc (their defaults differ from torchvision's DenseNets).
struct DenseNetBCOptions {
  std::string stem = "auto";
  int64_t growth_rate = 12;
  int64_t depth = 100;
  double compression = 0.5;
  double drop_rate = 0;

  /// Calls v(key, field, help) for every field, in declaration order.
  template <class V>
  void visit(V&& v) {
    v("stem", stem, "auto, imagenet (7x7 stride-2 conv and max pool) or small (3x3 stride-1 conv)");
    v("growth_rate", growth_rate, "k: channels each dense layer adds");
    v("depth", depth, "layers counted as in the paper: 3 blocks of (depth - 4) / 6 bottleneck layers");
    v("compression", compression, "fraction of the channels a transition keeps");
    v("drop_rate", drop_rate, "dropout after each dense layer");
  }
};

/// The registry lines of densenet121, densenet161, densenet169, densenet201 and densenet_bc.
std::vector<ModelEntry> densenet_entries();

}  // namespace nabla::models
