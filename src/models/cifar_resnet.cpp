#include "nabla/models/cifar_resnet.h"

#include "cnn_util.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/fused.h"
#include "nabla/nn/init.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/pool.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

std::shared_ptr<nn::Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return std::make_shared<nn::Conv2d>(in, out, 3, stride, 1, 1, 1, false);
}

}  // namespace

// ---- ResNet for CIFAR ----------------------------------------------------------------------------

PadShortcut::PadShortcut(int64_t in_channels_, int64_t out_channels_)
    : in_channels(in_channels_), out_channels(out_channels_) {
  NABLA_CHECK(in_channels > 0 && out_channels >= in_channels,
              "models::PadShortcut: needs 0 < in_channels <= out_channels, got ", in_channels, " and ", out_channels);
}

Tensor PadShortcut::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4 && x.size(1) == in_channels, "models::PadShortcut: expected input (N, ", in_channels,
              ", H, W), got shape ", x.shape());
  const Tensor sub = x.slice(2, 0, x.size(2), 2).slice(3, 0, x.size(3), 2);
  const int64_t extra = out_channels - in_channels;
  return pad(sub, {0, 0, 0, 0, extra / 2, extra - extra / 2});
}

std::string PadShortcut::extra_repr() const {
  return "in_channels=" + std::to_string(in_channels) + ", out_channels=" + std::to_string(out_channels);
}

CifarResNet::CifarResNet(int64_t depth_, int64_t num_classes, int64_t in_channels_)
    : depth(depth_), in_channels(in_channels_) {
  NABLA_CHECK(depth >= 8 && (depth - 2) % 6 == 0, "models::CifarResNet: depth must be 6n + 2 (20, 32, 44, 56, 110), got ",
              depth);
  NABLA_CHECK(num_classes > 0 && in_channels > 0,
              "models::CifarResNet: num_classes and in_channels must be positive, got ", num_classes, " and ",
              in_channels);
  const int64_t n = (depth - 2) / 6;
  conv1 = register_module("conv1", conv3x3(in_channels, 16));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(16));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  int64_t inplanes = 16;
  auto make_layer = [&](int64_t planes, int64_t stride) {
    auto layer = std::make_shared<nn::Sequential>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t s = i == 0 ? stride : 1;
      std::shared_ptr<nn::UnaryModule> shortcut;
      if (s != 1 || inplanes != planes) shortcut = std::make_shared<PadShortcut>(inplanes, planes);
      layer->push_back(std::make_shared<BasicBlock>(inplanes, planes, s, shortcut));
      inplanes = planes;
    }
    return layer;
  };
  layer1 = register_module("layer1", make_layer(16, 1));
  layer2 = register_module("layer2", make_layer(32, 2));
  layer3 = register_module("layer3", make_layer(64, 2));
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  fc = register_module("fc", std::make_shared<nn::Linear>(64, num_classes));
  detail::init_convs_kaiming(*this);
}

Tensor CifarResNet::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4 && x.size(1) == in_channels, "models::CifarResNet: expected input (N, ", in_channels,
              ", H, W), got shape ", x.shape());
  Tensor h = nn::conv_batch_norm(*conv1, *bn1, x, relu.get());
  // The blocks as chains at inference (activations stay in oneDNN's layout between blocks; a block
  // with a padding shortcut runs on its own).
  h = nn::run_chained(detail::stage_blocks({layer1.get(), layer2.get(), layer3.get()}), h);
  return (*fc)((*avgpool)(h).flatten(1));
}

std::shared_ptr<CifarResNet> resnet20(int64_t num_classes, int64_t in_channels) {
  return std::make_shared<CifarResNet>(20, num_classes, in_channels);
}
std::shared_ptr<CifarResNet> resnet32(int64_t num_classes, int64_t in_channels) {
  return std::make_shared<CifarResNet>(32, num_classes, in_channels);
}
std::shared_ptr<CifarResNet> resnet44(int64_t num_classes, int64_t in_channels) {
  return std::make_shared<CifarResNet>(44, num_classes, in_channels);
}
std::shared_ptr<CifarResNet> resnet56(int64_t num_classes, int64_t in_channels) {
  return std::make_shared<CifarResNet>(56, num_classes, in_channels);
}
std::shared_ptr<CifarResNet> resnet110(int64_t num_classes, int64_t in_channels) {
  return std::make_shared<CifarResNet>(110, num_classes, in_channels);
}

// ---- Wide ResNet ---------------------------------------------------------------------------------

WideBasic::WideBasic(int64_t in_planes, int64_t out_planes, int64_t stride, double p) {
  NABLA_CHECK(in_planes > 0 && out_planes > 0 && stride > 0, "models::WideBasic: in_planes, out_planes and stride ",
              "must be positive, got ", in_planes, ", ", out_planes, ", ", stride);
  NABLA_CHECK(p >= 0 && p < 1, "models::WideBasic: dropout must be in [0, 1), got ", p);
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(in_planes));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  conv1 = register_module("conv1", conv3x3(in_planes, out_planes, stride));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(out_planes));
  if (p > 0) dropout = register_module("dropout", std::make_shared<nn::Dropout>(p));
  conv2 = register_module("conv2", conv3x3(out_planes, out_planes));
  if (stride != 1 || in_planes != out_planes)
    shortcut = register_module("shortcut", std::make_shared<nn::Conv2d>(in_planes, out_planes, 1, stride, 0, 1, 1, false));
}

Tensor WideBasic::forward(const Tensor& x) {
  const Tensor a = detail::bn_relu(*bn1, *relu, x);
  Tensor h = detail::bn_relu(*bn2, *relu, (*conv1)(a));
  if (dropout) h = (*dropout)(h);
  h = (*conv2)(h);
  return add(h, shortcut ? (*shortcut)(a) : x);
}

WideResNet::WideResNet(int64_t depth_, int64_t widen_factor_, double p, int64_t num_classes, int64_t in_channels_)
    : depth(depth_), widen_factor(widen_factor_), in_channels(in_channels_) {
  NABLA_CHECK(depth >= 10 && (depth - 4) % 6 == 0, "models::WideResNet: depth must be 6n + 4 (16, 22, 28, 40), got ",
              depth);
  NABLA_CHECK(widen_factor > 0 && num_classes > 0 && in_channels > 0, "models::WideResNet: widen_factor, num_classes ",
              "and in_channels must be positive, got ", widen_factor, ", ", num_classes, ", ", in_channels);
  const int64_t n = (depth - 4) / 6;
  conv1 = register_module("conv1", conv3x3(in_channels, 16));
  int64_t in_planes = 16;
  auto make_layer = [&](int64_t planes, int64_t stride) {
    auto layer = std::make_shared<nn::Sequential>();
    for (int64_t i = 0; i < n; ++i) {
      layer->push_back(std::make_shared<WideBasic>(in_planes, planes, i == 0 ? stride : 1, p));
      in_planes = planes;
    }
    return layer;
  };
  layer1 = register_module("layer1", make_layer(16 * widen_factor, 1));
  layer2 = register_module("layer2", make_layer(32 * widen_factor, 2));
  layer3 = register_module("layer3", make_layer(64 * widen_factor, 2));
  bn = register_module("bn", std::make_shared<nn::BatchNorm2d>(in_planes));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  auto linear = std::make_shared<nn::Linear>(in_planes, num_classes);
  fc = register_module("fc", linear);
  detail::init_convs_kaiming(*this);
  nn::init::zeros_(linear->bias);
}

Tensor WideResNet::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4 && x.size(1) == in_channels, "models::WideResNet: expected input (N, ", in_channels,
              ", H, W), got shape ", x.shape());
  Tensor h = (*layer3)((*layer2)((*layer1)((*conv1)(x))));
  h = detail::bn_relu(*bn, *relu, h);
  return (*fc)((*avgpool)(h).flatten(1));
}

// ---- registry ----------------------------------------------------------------------------------

namespace {

ModelEntry fixed_entry(const char* name, int64_t depth) {
  const std::string model = name;
  return make_entry<FixedCifarResNetOptions>(
      name, "ResNet-" + std::to_string(depth) + " for CIFAR (He et al. 2016), option-A shortcuts",
      [model, depth](const DataShape& s, const FixedCifarResNetOptions&) {
        return std::make_shared<CifarResNet>(depth, s.num_classes, image_channels(s, model));
      });
}

}  // namespace

std::vector<ModelEntry> cifar_resnet_entries() {
  return {
      fixed_entry("resnet20", 20),
      fixed_entry("resnet32", 32),
      fixed_entry("resnet44", 44),
      fixed_entry("resnet56", 56),
      fixed_entry("resnet110", 110),
      make_entry<CifarResNetOptions>("cifar_resnet", "ResNet for CIFAR (He et al. 2016) of any depth 6n + 2",
                                     [](const DataShape& s, const CifarResNetOptions& o) {
                                       return std::make_shared<CifarResNet>(o.depth, s.num_classes,
                                                                            image_channels(s, "cifar_resnet"));
                                     }),
      make_entry<WideResNetOptions>("wrn", "Wide ResNet WRN-depth-widen_factor (Zagoruyko & Komodakis 2016)",
                                    [](const DataShape& s, const WideResNetOptions& o) {
                                      return std::make_shared<WideResNet>(o.depth, o.widen_factor, o.dropout,
                                                                          s.num_classes, image_channels(s, "wrn"));
                                    }),
  };
}

}  // namespace nabla::models
