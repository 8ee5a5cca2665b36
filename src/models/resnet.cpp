#include "nabla/models/resnet.h"

#include "cnn_util.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/fused.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/pool.h"
#include "nabla/ops.h"

namespace nabla::models {

namespace {

std::shared_ptr<nn::Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t groups = 1) {
  return std::make_shared<nn::Conv2d>(in, out, 3, stride, 1, 1, groups, false);
}

std::shared_ptr<nn::Conv2d> conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return std::make_shared<nn::Conv2d>(in, out, 1, stride, 0, 1, 1, false);
}

void check_block(const char* block, int64_t inplanes, int64_t planes, int64_t stride, int64_t groups,
                 int64_t base_width) {
  NABLA_CHECK(inplanes > 0 && planes > 0 && stride > 0 && groups > 0 && base_width > 0, "models::", block,
              ": inplanes, planes, stride, groups and base_width must be positive, got ", inplanes, ", ", planes,
              ", ", stride, ", ", groups, ", ", base_width);
}

}  // namespace

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::UnaryModule> downsample_,
                       int64_t groups, int64_t base_width) {
  check_block("BasicBlock", inplanes, planes, stride, groups, base_width);
  NABLA_CHECK(groups == 1 && base_width == 64, "models::BasicBlock: only supports groups=1 and base_width=64, got ",
              groups, " and ", base_width);
  conv1 = register_module("conv1", conv3x3(inplanes, planes, stride));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  conv2 = register_module("conv2", conv3x3(planes, planes));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  if (downsample_) downsample = register_module("downsample", std::move(downsample_));
}

namespace {

// The link of a downsample that is a ConvNormActivation without hooks (none for the identity);
// false for any other downsample.
bool downsample_link(const std::shared_ptr<nn::UnaryModule>& downsample, std::optional<nn::ConvBatchNormStep>& link) {
  if (!downsample) return true;
  auto* d = dynamic_cast<nn::ConvNormActivation*>(downsample.get());
  link = d ? d->as_step() : std::nullopt;
  return link.has_value();
}

// Appends the downsample link (when there is one) and `body`, whose first link reads the block's
// input `input` and each next one the previous output, the last adding the shortcut.
bool append_block(std::vector<nn::ConvBatchNormStep>& steps, int input, std::vector<nn::ConvBatchNormStep> body,
                  const std::shared_ptr<nn::UnaryModule>& downsample) {
  std::optional<nn::ConvBatchNormStep> down;
  if (!downsample_link(downsample, down)) return false;
  int shortcut = input;
  if (down) {
    down->input = input;
    steps.push_back(*down);
    shortcut = static_cast<int>(steps.size());  // the downsample's output
  }
  for (size_t i = 0; i < body.size(); ++i) {
    body[i].input = i == 0 ? input : static_cast<int>(steps.size());
    if (i + 1 == body.size()) body[i].add = shortcut;
    steps.push_back(body[i]);
  }
  return true;
}

}  // namespace

bool BasicBlock::append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const {
  if (has_forward_hooks()) return false;
  return append_block(steps, input, {{conv1.get(), bn1.get(), relu.get()}, {conv2.get(), bn2.get(), relu.get()}},
                      downsample);
}

Tensor BasicBlock::forward(const Tensor& x) {
  // relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut): folded convolutions at inference.
  const std::vector<nn::ConvBatchNormStep> body{{conv1.get(), bn1.get(), relu.get()},
                                                {conv2.get(), bn2.get(), relu.get()}};
  std::vector<nn::ConvBatchNormStep> steps;
  if (append_block(steps, 0, body, downsample)) return nn::conv_batch_norm_chain(steps, x);
  return nn::conv_batch_norm_chain(body, x, (*downsample)(x));  // a downsample that is no link
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::UnaryModule> downsample_,
                       int64_t groups, int64_t base_width) {
  check_block("Bottleneck", inplanes, planes, stride, groups, base_width);
  const int64_t width = planes * base_width / 64 * groups;
  conv1 = register_module("conv1", conv1x1(inplanes, width));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(width));
  conv2 = register_module("conv2", conv3x3(width, width, stride, groups));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(width));
  conv3 = register_module("conv3", conv1x1(width, planes * expansion));
  bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes * expansion));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  if (downsample_) downsample = register_module("downsample", std::move(downsample_));
}

bool Bottleneck::append_links(std::vector<nn::ConvBatchNormStep>& steps, int input) const {
  if (has_forward_hooks()) return false;
  return append_block(steps, input,
                      {{conv1.get(), bn1.get(), relu.get()},
                       {conv2.get(), bn2.get(), relu.get()},
                       {conv3.get(), bn3.get(), relu.get()}},
                      downsample);
}

Tensor Bottleneck::forward(const Tensor& x) {
  const std::vector<nn::ConvBatchNormStep> body{
      {conv1.get(), bn1.get(), relu.get()}, {conv2.get(), bn2.get(), relu.get()}, {conv3.get(), bn3.get(), relu.get()}};
  std::vector<nn::ConvBatchNormStep> steps;
  if (append_block(steps, 0, body, downsample)) return nn::conv_batch_norm_chain(steps, x);
  return nn::conv_batch_norm_chain(body, x, (*downsample)(x));  // a downsample that is no link
}

ResNet::ResNet(const ResNetConfig& c) : config(c) {
  NABLA_CHECK(c.layers.size() == 4, "models::ResNet: layers must list 4 stages, got ", c.layers.size());
  for (int64_t n : c.layers) NABLA_CHECK(n > 0, "models::ResNet: every stage needs at least one block, got ", n);
  NABLA_CHECK(c.num_classes > 0 && c.in_channels > 0, "models::ResNet: num_classes and in_channels must be positive, got ",
              c.num_classes, " and ", c.in_channels);
  conv1 = register_module("conv1", c.small_input ? std::make_shared<nn::Conv2d>(c.in_channels, 64, 3, 1, 1, 1, 1, false)
                                                 : std::make_shared<nn::Conv2d>(c.in_channels, 64, 7, 2, 3, 1, 1, false));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(64));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  if (!c.small_input) maxpool = register_module("maxpool", std::make_shared<nn::MaxPool2d>(3, 2, 1));
  const int64_t expansion = c.bottleneck ? Bottleneck::expansion : BasicBlock::expansion;
  int64_t inplanes = 64;
  auto make_layer = [&](int64_t planes, int64_t blocks, int64_t stride) {
    auto layer = std::make_shared<nn::Sequential>();
    for (int64_t i = 0; i < blocks; ++i) {
      const int64_t s = i == 0 ? stride : 1;
      std::shared_ptr<nn::UnaryModule> downsample;
      if (i == 0 && (stride != 1 || inplanes != planes * expansion))
        downsample = std::make_shared<nn::ConvNormActivation>(conv1x1(inplanes, planes * expansion, stride),
                                                              std::make_shared<nn::BatchNorm2d>(planes * expansion));
      if (c.bottleneck)
        layer->push_back(std::make_shared<Bottleneck>(inplanes, planes, s, downsample, c.groups, c.width_per_group));
      else
        layer->push_back(std::make_shared<BasicBlock>(inplanes, planes, s, downsample, c.groups, c.width_per_group));
      inplanes = planes * expansion;
    }
    return layer;
  };
  layer1 = register_module("layer1", make_layer(64, c.layers[0], 1));
  layer2 = register_module("layer2", make_layer(128, c.layers[1], 2));
  layer3 = register_module("layer3", make_layer(256, c.layers[2], 2));
  layer4 = register_module("layer4", make_layer(512, c.layers[3], 2));
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  fc = register_module("fc", std::make_shared<nn::Linear>(512 * expansion, c.num_classes));

  detail::init_convs_kaiming(*this);
  if (c.zero_init_residual) {
    NoGradGuard no_grad;
    apply([](nn::Module& m) {
      if (auto* b = dynamic_cast<Bottleneck*>(&m)) b->bn3->weight.zero_();
      if (auto* b = dynamic_cast<BasicBlock*>(&m)) b->bn2->weight.zero_();
    });
  }
}

Tensor ResNet::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4 && x.size(1) == config.in_channels, "models::ResNet: expected input (N, ",
              config.in_channels, ", H, W), got shape ", x.shape());
  Tensor h = nn::conv_batch_norm(*conv1, *bn1, x, relu.get());
  if (maxpool) h = (*maxpool)(h);
  // The four stages' blocks as one chain at inference (activations stay in oneDNN's layout).
  h = nn::run_chained(detail::stage_blocks({layer1.get(), layer2.get(), layer3.get(), layer4.get()}), h);
  return (*fc)((*avgpool)(h).flatten(1));
}

namespace {

std::shared_ptr<ResNet> make_resnet(bool bottleneck, std::vector<int64_t> layers, int64_t num_classes,
                                    int64_t in_channels, bool small_input, bool zero_init_residual,
                                    int64_t groups = 1, int64_t width_per_group = 64) {
  ResNetConfig c;
  c.bottleneck = bottleneck;
  c.layers = std::move(layers);
  c.num_classes = num_classes;
  c.in_channels = in_channels;
  c.groups = groups;
  c.width_per_group = width_per_group;
  c.zero_init_residual = zero_init_residual;
  c.small_input = small_input;
  return std::make_shared<ResNet>(c);
}

}  // namespace

std::shared_ptr<ResNet> resnet18(int64_t num_classes, int64_t in_channels, bool small_input, bool zero_init_residual) {
  return make_resnet(false, {2, 2, 2, 2}, num_classes, in_channels, small_input, zero_init_residual);
}
std::shared_ptr<ResNet> resnet34(int64_t num_classes, int64_t in_channels, bool small_input, bool zero_init_residual) {
  return make_resnet(false, {3, 4, 6, 3}, num_classes, in_channels, small_input, zero_init_residual);
}
std::shared_ptr<ResNet> resnet50(int64_t num_classes, int64_t in_channels, bool small_input, bool zero_init_residual) {
  return make_resnet(true, {3, 4, 6, 3}, num_classes, in_channels, small_input, zero_init_residual);
}
std::shared_ptr<ResNet> resnet101(int64_t num_classes, int64_t in_channels, bool small_input, bool zero_init_residual) {
  return make_resnet(true, {3, 4, 23, 3}, num_classes, in_channels, small_input, zero_init_residual);
}
std::shared_ptr<ResNet> resnet152(int64_t num_classes, int64_t in_channels, bool small_input, bool zero_init_residual) {
  return make_resnet(true, {3, 8, 36, 3}, num_classes, in_channels, small_input, zero_init_residual);
}
std::shared_ptr<ResNet> wide_resnet50_2(int64_t num_classes, int64_t in_channels, bool small_input,
                                        bool zero_init_residual) {
  return make_resnet(true, {3, 4, 6, 3}, num_classes, in_channels, small_input, zero_init_residual, 1, 128);
}
std::shared_ptr<ResNet> resnext50_32x4d(int64_t num_classes, int64_t in_channels, bool small_input,
                                        bool zero_init_residual) {
  return make_resnet(true, {3, 4, 6, 3}, num_classes, in_channels, small_input, zero_init_residual, 32, 4);
}

// ---- registry ----------------------------------------------------------------------------------

namespace {

using ResNetFactory = std::shared_ptr<ResNet> (*)(int64_t, int64_t, bool, bool);

ModelEntry resnet_entry(const char* name, const char* help, ResNetFactory factory) {
  const std::string model = name;
  return make_entry<ResNetOptions>(name, help, [factory, model](const DataShape& s, const ResNetOptions& o) {
    return factory(s.num_classes, image_channels(s, model), use_small_stem(o.stem, s, model), o.zero_init_residual);
  });
}

}  // namespace

std::vector<ModelEntry> resnet_entries() {
  return {
      resnet_entry("resnet18", "ResNet-18 (torchvision), BasicBlock [2, 2, 2, 2]", resnet18),
      resnet_entry("resnet34", "ResNet-34 (torchvision), BasicBlock [3, 4, 6, 3]", resnet34),
      resnet_entry("resnet50", "ResNet-50 (torchvision), Bottleneck [3, 4, 6, 3]", resnet50),
      resnet_entry("resnet101", "ResNet-101 (torchvision), Bottleneck [3, 4, 23, 3]", resnet101),
      resnet_entry("resnet152", "ResNet-152 (torchvision), Bottleneck [3, 8, 36, 3]", resnet152),
      resnet_entry("wide_resnet50_2", "Wide ResNet-50-2 (torchvision), bottleneck width x2", wide_resnet50_2),
      resnet_entry("resnext50_32x4d", "ResNeXt-50 32x4d (torchvision), 32 groups of width 4", resnext50_32x4d),
  };
}

}  // namespace nabla::models
