// SqueezeNet 1.0 and 1.1 as torchvision builds them.
#include "nabla/models/squeezenet.h"

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/init.h"
#include "nabla/nn/pool.h"
#include "nabla/ops.h"

namespace nabla::models {

Fire::Fire(int64_t inplanes, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes) {
  squeeze = register_module("squeeze", std::make_shared<nn::Conv2d>(inplanes, squeeze_planes, 1));
  squeeze_activation = register_module("squeeze_activation", std::make_shared<nn::ReLU>());
  expand1x1 = register_module("expand1x1", std::make_shared<nn::Conv2d>(squeeze_planes, expand1x1_planes, 1));
  expand1x1_activation = register_module("expand1x1_activation", std::make_shared<nn::ReLU>());
  expand3x3 = register_module("expand3x3", std::make_shared<nn::Conv2d>(squeeze_planes, expand3x3_planes, 3, 1, 1));
  expand3x3_activation = register_module("expand3x3_activation", std::make_shared<nn::ReLU>());
}

Tensor Fire::forward(const Tensor& input) {
  const Tensor s = (*squeeze_activation)((*squeeze)(input));
  return cat({(*expand1x1_activation)((*expand1x1)(s)), (*expand3x3_activation)((*expand3x3)(s))}, 1);
}

SqueezeNet::SqueezeNet(const std::string& version, int64_t num_classes, int64_t in_channels, double dropout,
                       bool small_input) {
  NABLA_CHECK(version == "1_0" || version == "1_1", "SqueezeNet: unsupported version '", version,
              "': 1_0 or 1_1 expected");
  NABLA_CHECK(num_classes > 0 && in_channels > 0, "SqueezeNet: num_classes and in_channels must be positive, got ",
              num_classes, ", ", in_channels);
  NABLA_CHECK(dropout >= 0 && dropout < 1, "SqueezeNet: dropout must be in [0, 1), got ", dropout);
  auto pool = [] {
    return std::make_shared<nn::MaxPool2d>(nn::MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = true});
  };
  auto fire = [](int64_t in, int64_t s, int64_t e) { return std::make_shared<Fire>(in, s, e, e); };
  const int64_t stem_out = version == "1_0" ? 96 : 64;
  features = register_module("features", std::make_shared<nn::Sequential>());
  if (small_input) features->push_back(std::make_shared<nn::Conv2d>(in_channels, stem_out, 3, 1, 1));
  else features->push_back(std::make_shared<nn::Conv2d>(in_channels, stem_out, version == "1_0" ? 7 : 3, 2));
  features->push_back(std::make_shared<nn::ReLU>());
  features->push_back(pool());
  if (version == "1_0") {
    for (auto m : std::vector<std::shared_ptr<nn::UnaryModule>>{
             fire(96, 16, 64), fire(128, 16, 64), fire(128, 32, 128), pool(), fire(256, 32, 128), fire(256, 48, 192),
             fire(384, 48, 192), fire(384, 64, 256), pool(), fire(512, 64, 256)})
      features->push_back(m);
  } else {
    for (auto m : std::vector<std::shared_ptr<nn::UnaryModule>>{
             fire(64, 16, 64), fire(128, 16, 64), pool(), fire(128, 32, 128), fire(256, 32, 128), pool(),
             fire(256, 48, 192), fire(384, 48, 192), fire(384, 64, 256), fire(512, 64, 256)})
      features->push_back(m);
  }
  auto final_conv = std::make_shared<nn::Conv2d>(512, num_classes, 1);
  classifier = register_module("classifier", std::make_shared<nn::Sequential>(
                                                 std::make_shared<nn::Dropout>(dropout), final_conv,
                                                 std::make_shared<nn::ReLU>(), std::make_shared<nn::AdaptiveAvgPool2d>(1)));

  // torchvision's initialisation.
  NoGradGuard no_grad;
  for (auto& entry : named_modules()) {
    auto* conv = dynamic_cast<nn::Conv2d*>(entry.second.get());
    if (!conv) continue;
    if (conv == final_conv.get()) nn::init::normal_(conv->weight, 0.0, 0.01);
    else nn::init::kaiming_uniform_(conv->weight);
    nn::init::zeros_(conv->bias);
  }
}

Tensor SqueezeNet::forward(const Tensor& input) { return (*classifier)((*features)(input)).flatten(1); }

std::shared_ptr<SqueezeNet> squeezenet1_0(int64_t num_classes, int64_t in_channels, bool small_input) {
  return std::make_shared<SqueezeNet>("1_0", num_classes, in_channels, 0.5, small_input);
}

std::shared_ptr<SqueezeNet> squeezenet1_1(int64_t num_classes, int64_t in_channels, bool small_input) {
  return std::make_shared<SqueezeNet>("1_1", num_classes, in_channels, 0.5, small_input);
}

namespace {

ModelEntry squeezenet_entry(const std::string& version, const std::string& help) {
  const std::string name = "squeezenet" + version;
  return make_entry<SqueezeNetOptions>(name, help, [version, name](const DataShape& s, const SqueezeNetOptions& o) {
    return std::make_shared<SqueezeNet>(version, s.num_classes, image_channels(s, name), o.dropout,
                                        use_small_stem(o.stem, s, name));
  });
}

}  // namespace

std::vector<ModelEntry> squeezenet_entries() {
  return {squeezenet_entry("1_0", "SqueezeNet 1.0 (torchvision; 1.25 M parameters)"),
          squeezenet_entry("1_1", "SqueezeNet 1.1 (torchvision; 1.24 M parameters, fewer multiply-adds)")};
}

}  // namespace nabla::models
