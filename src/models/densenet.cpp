// DenseNet: torchvision's densenet121/161/169/201 and DenseNet-BC for small images.
#include "nabla/models/densenet.h"

#include <cmath>

#include "cnn_util.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/fused.h"
#include "nabla/nn/functional/dropout.h"
#include "nabla/nn/functional/pool.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::models {

// ---- DenseLayer, DenseBlock, Transition ---------------------------------------------------------

DenseLayer::DenseLayer(int64_t in_channels, int64_t growth_rate, int64_t bn_size, double drop_rate)
    : drop_rate(drop_rate) {
  NABLA_CHECK(in_channels > 0 && growth_rate > 0 && bn_size > 0, "DenseLayer: in_channels, growth_rate and bn_size ",
              "must be positive, got ", in_channels, ", ", growth_rate, ", ", bn_size);
  NABLA_CHECK(drop_rate >= 0 && drop_rate < 1, "DenseLayer: drop_rate must be in [0, 1), got ", drop_rate);
  norm1 = register_module("norm1", std::make_shared<nn::BatchNorm2d>(in_channels));
  relu1 = register_module("relu1", std::make_shared<nn::ReLU>());
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, bn_size * growth_rate, 1, 1, 0, 1, 1, false));
  norm2 = register_module("norm2", std::make_shared<nn::BatchNorm2d>(bn_size * growth_rate));
  relu2 = register_module("relu2", std::make_shared<nn::ReLU>());
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(bn_size * growth_rate, growth_rate, 3, 1, 1, 1, 1, false));
}

Tensor DenseLayer::forward(const Tensor& input) {
  // BatchNorm and ReLU in one pass (detail::bn_relu): one read and one write of each map instead of
  // two. conv1 → norm2 → relu2 is a convolution → BatchNorm → ReLU link (nn::conv_batch_norm): one
  // op on oneDNN's blocked layout in training; at inference norm2 is folded into conv1 and conv2
  // joins the chain, so the bottleneck stays in oneDNN's layout (two reorders fewer per layer).
  const Tensor h = detail::bn_relu(*norm1, *relu1, input);
  const std::vector<nn::ConvBatchNormStep> links = {{conv1.get(), norm2.get(), relu2.get()}, {conv2.get()}};
  const Tensor out = nn::conv_batch_norm_chain_folds(links, h, Tensor())
                         ? nn::conv_batch_norm_chain(links, h)
                         : (*conv2)(nn::conv_batch_norm(*conv1, *norm2, h, relu2.get()));
  return drop_rate > 0 ? nn::functional::dropout(out, drop_rate, is_training()) : out;
}

DenseBlock::DenseBlock(int64_t num_layers, int64_t in_channels, int64_t bn_size, int64_t growth_rate, double drop_rate) {
  NABLA_CHECK(num_layers > 0, "DenseBlock: num_layers must be positive, got ", num_layers);
  for (int64_t i = 0; i < num_layers; ++i) {
    layers.push_back(std::make_shared<DenseLayer>(in_channels + i * growth_rate, growth_rate, bn_size, drop_rate));
    register_module("denselayer" + std::to_string(i + 1), layers.back());
  }
  out_channels_ = in_channels + num_layers * growth_rate;
}

Tensor DenseBlock::forward(const Tensor& input) {
  if (!autograd::grad_enabled() && input.dim() == 4) {
    // Without a graph the layers write their channels into one buffer of the block's output, so
    // no concatenation copies the growing maps again for every layer. A layer reads the channel
    // prefix in place (contiguous for one image; the convolution copies it otherwise).
    int64_t channels = input.size(1);
    for (auto& layer : layers) channels += layer->conv2->out_channels;
    Tensor out = empty({input.size(0), channels, input.size(2), input.size(3)},
                       input.options().requires_grad(false));
    out.narrow(1, 0, input.size(1)).copy_(input);
    int64_t c = input.size(1);
    for (auto& layer : layers) {
      const Tensor y = (*layer)(out.narrow(1, 0, c));
      out.narrow(1, c, y.size(1)).copy_(y);
      c += y.size(1);
    }
    return out;
  }
  std::vector<Tensor> features = {input};
  for (auto& layer : layers) features.push_back((*layer)(features.size() == 1 ? input : cat(features, 1)));
  return cat(features, 1);
}

Transition::Transition(int64_t in_channels, int64_t out_channels) {
  norm = register_module("norm", std::make_shared<nn::BatchNorm2d>(in_channels));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  conv = register_module("conv", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1, 1, 0, 1, 1, false));
  pool = register_module("pool", std::make_shared<nn::AvgPool2d>(2, 2));
}

Tensor Transition::forward(const Tensor& input) { return (*pool)((*conv)(detail::bn_relu(*norm, *relu, input))); }

// ---- DenseNet -----------------------------------------------------------------------------------

DenseNet::DenseNet(const DenseNetConfig& c) : config(c) {
  NABLA_CHECK(c.growth_rate > 0 && c.num_init_features > 0 && c.bn_size > 0 && c.num_classes > 0 && c.in_channels > 0,
              "DenseNet: growth_rate, num_init_features, bn_size, num_classes and in_channels must be positive, got ",
              c.growth_rate, ", ", c.num_init_features, ", ", c.bn_size, ", ", c.num_classes, ", ", c.in_channels);
  NABLA_CHECK(!c.block_config.empty(), "DenseNet: block_config must name at least one block");
  NABLA_CHECK(c.compression > 0 && c.compression <= 1, "DenseNet: compression must be in (0, 1], got ", c.compression);
  features = register_module("features", std::make_shared<nn::Sequential>());
  if (c.small_input) {
    features->push_back("conv0", std::make_shared<nn::Conv2d>(c.in_channels, c.num_init_features, 3, 1, 1, 1, 1, false));
  } else {
    features->push_back("conv0", std::make_shared<nn::Conv2d>(c.in_channels, c.num_init_features, 7, 2, 3, 1, 1, false));
    features->push_back("norm0", std::make_shared<nn::BatchNorm2d>(c.num_init_features));
    features->push_back("relu0", std::make_shared<nn::ReLU>());
    features->push_back("pool0", std::make_shared<nn::MaxPool2d>(3, 2, 1));
  }
  int64_t channels = c.num_init_features;
  for (size_t i = 0; i < c.block_config.size(); ++i) {
    auto block = std::make_shared<DenseBlock>(c.block_config[i], channels, c.bn_size, c.growth_rate, c.drop_rate);
    features->push_back("denseblock" + std::to_string(i + 1), block);
    channels = block->out_channels();
    if (i + 1 < c.block_config.size()) {
      const auto out = static_cast<int64_t>(std::floor(c.compression * static_cast<double>(channels)));
      features->push_back("transition" + std::to_string(i + 1), std::make_shared<Transition>(channels, out));
      channels = out;
    }
  }
  features->push_back("norm5", std::make_shared<nn::BatchNorm2d>(channels));
  classifier = register_module("classifier", std::make_shared<nn::Linear>(channels, c.num_classes));

  // torchvision's initialisation (BatchNorm already starts at weight 1, bias 0).
  NoGradGuard no_grad;
  for (auto& [name, m] : named_modules()) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(m.get())) nn::init::kaiming_normal_(conv->weight);
    else if (auto* linear = dynamic_cast<nn::Linear*>(m.get())) nn::init::zeros_(linear->bias);
  }
}

Tensor DenseNet::forward(const Tensor& input) {
  const Tensor f = relu((*features)(input));
  return (*classifier)(nn::functional::adaptive_avg_pool2d(f, 1).flatten(1));
}

namespace {

std::shared_ptr<DenseNet> torchvision_densenet(int64_t growth_rate, std::vector<int64_t> blocks, int64_t init_features,
                                               int64_t num_classes, int64_t in_channels, bool small_input) {
  DenseNetConfig c;
  c.growth_rate = growth_rate;
  c.block_config = std::move(blocks);
  c.num_init_features = init_features;
  c.num_classes = num_classes;
  c.in_channels = in_channels;
  c.small_input = small_input;
  return std::make_shared<DenseNet>(c);
}

}  // namespace

std::shared_ptr<DenseNet> densenet121(int64_t num_classes, int64_t in_channels, bool small_input) {
  return torchvision_densenet(32, {6, 12, 24, 16}, 64, num_classes, in_channels, small_input);
}

std::shared_ptr<DenseNet> densenet161(int64_t num_classes, int64_t in_channels, bool small_input) {
  return torchvision_densenet(48, {6, 12, 36, 24}, 96, num_classes, in_channels, small_input);
}

std::shared_ptr<DenseNet> densenet169(int64_t num_classes, int64_t in_channels, bool small_input) {
  return torchvision_densenet(32, {6, 12, 32, 32}, 64, num_classes, in_channels, small_input);
}

std::shared_ptr<DenseNet> densenet201(int64_t num_classes, int64_t in_channels, bool small_input) {
  return torchvision_densenet(32, {6, 12, 48, 32}, 64, num_classes, in_channels, small_input);
}

std::shared_ptr<DenseNet> densenet_bc(int64_t num_classes, int64_t in_channels, int64_t growth_rate, int64_t depth,
                                      double compression, bool small_input) {
  NABLA_CHECK(depth > 4 && (depth - 4) % 6 == 0, "densenet_bc: depth - 4 must be a positive multiple of 6 ",
              "(3 blocks of bottleneck layers of 2 convolutions each), got depth ", depth);
  DenseNetConfig c;
  c.growth_rate = growth_rate;
  const int64_t n = (depth - 4) / 6;
  c.block_config = {n, n, n};
  c.num_init_features = 2 * growth_rate;
  c.compression = compression;
  c.num_classes = num_classes;
  c.in_channels = in_channels;
  c.small_input = small_input;
  return std::make_shared<DenseNet>(c);
}

// ---- registry -----------------------------------------------------------------------------------

namespace {

using TorchvisionFactory = std::shared_ptr<DenseNet> (*)(int64_t, int64_t, bool);

// Sets the dropout of every dense layer of `net` (the registry's drop_rate option).
std::shared_ptr<DenseNet> with_drop_rate(std::shared_ptr<DenseNet> net, double drop_rate, const std::string& name) {
  NABLA_CHECK(drop_rate >= 0 && drop_rate < 1, "models::create: ", name, " option 'drop_rate' must be in [0, 1), got ",
              drop_rate);
  net->config.drop_rate = drop_rate;
  for (auto& entry : net->named_modules())
    if (auto* layer = dynamic_cast<DenseLayer*>(entry.second.get())) layer->drop_rate = drop_rate;
  return net;
}

ModelEntry torchvision_entry(const std::string& name, const std::string& help, TorchvisionFactory make) {
  return make_entry<DenseNetOptions>(name, help, [make, name](const DataShape& s, const DenseNetOptions& o) {
    return with_drop_rate(make(s.num_classes, image_channels(s, name), use_small_stem(o.stem, s, name)), o.drop_rate,
                          name);
  });
}

}  // namespace

std::vector<ModelEntry> densenet_entries() {
  return {
      torchvision_entry("densenet121", "DenseNet-121 (torchvision, k=32, 7.98 M parameters at 224x224)", densenet121),
      torchvision_entry("densenet161", "DenseNet-161 (torchvision, k=48, 28.7 M parameters)", densenet161),
      torchvision_entry("densenet169", "DenseNet-169 (torchvision, k=32, 14.1 M parameters)", densenet169),
      torchvision_entry("densenet201", "DenseNet-201 (torchvision, k=32, 20.0 M parameters)", densenet201),
      make_entry<DenseNetBCOptions>(
          "densenet_bc", "DenseNet-BC for small images (Huang et al.; k=12, depth 100: 0.77 M parameters)",
          [](const DataShape& s, const DenseNetBCOptions& o) {
            const std::string name = "densenet_bc";
            return with_drop_rate(densenet_bc(s.num_classes, image_channels(s, name), o.growth_rate, o.depth,
                                              o.compression, use_small_stem(o.stem, s, name)),
                                  o.drop_rate, name);
          }),
  };
}

}  // namespace nabla::models
