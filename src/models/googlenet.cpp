// GoogLeNet (Inception v1) as torchvision builds it, with its auxiliary classifiers.
#include "nabla/models/googlenet.h"

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/functional/pool.h"
#include "nabla/nn/init.h"
#include "nabla/nn/shape_layers.h"
#include "nabla/ops.h"

namespace nabla::models {

// ---- blocks ---------------------------------------------------------------------------------------

BasicConv2d::BasicConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride, int64_t padding) {
  conv = register_module("conv", std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel_size, stride, padding, 1,
                                                               1, false));
  bn = register_module("bn", std::make_shared<nn::BatchNorm2d>(out_channels, 0.001));
}

Tensor BasicConv2d::forward(const Tensor& input) { return relu((*bn)((*conv)(input))); }

Inception::Inception(int64_t in_channels, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red,
                     int64_t ch5x5, int64_t pool_proj)
    : out_channels_(ch1x1 + ch3x3 + ch5x5 + pool_proj) {
  branch1 = register_module("branch1", std::make_shared<BasicConv2d>(in_channels, ch1x1, 1));
  branch2 = register_module("branch2", std::make_shared<nn::Sequential>(std::make_shared<BasicConv2d>(in_channels, ch3x3red, 1),
                                                                         std::make_shared<BasicConv2d>(ch3x3red, ch3x3, 3, 1, 1)));
  branch3 = register_module("branch3", std::make_shared<nn::Sequential>(std::make_shared<BasicConv2d>(in_channels, ch5x5red, 1),
                                                                         std::make_shared<BasicConv2d>(ch5x5red, ch5x5, 3, 1, 1)));
  branch4 = register_module(
      "branch4", std::make_shared<nn::Sequential>(
                     std::make_shared<nn::MaxPool2d>(nn::MaxPool2dOptions{.kernel_size = 3, .stride = 1, .padding = 1,
                                                                          .ceil_mode = true}),
                     std::make_shared<BasicConv2d>(in_channels, pool_proj, 1)));
}

Tensor Inception::forward(const Tensor& input) {
  return cat({(*branch1)(input), (*branch2)(input), (*branch3)(input), (*branch4)(input)}, 1);
}

InceptionAux::InceptionAux(int64_t in_channels, int64_t num_classes, double dropout_p) {
  conv = register_module("conv", std::make_shared<BasicConv2d>(in_channels, 128, 1));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(2048, 1024));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(1024, num_classes));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(dropout_p));
}

Tensor InceptionAux::forward(const Tensor& input) {
  const Tensor x = (*conv)(nn::functional::adaptive_avg_pool2d(input, 4)).flatten(1);  // (N, 2048)
  return (*fc2)((*dropout)(relu((*fc1)(x))));
}

// ---- GoogLeNet ------------------------------------------------------------------------------------

GoogLeNet::GoogLeNet(const GoogLeNetConfig& c) : config(c) {
  NABLA_CHECK(c.num_classes > 0 && c.in_channels > 0, "GoogLeNet: num_classes and in_channels must be positive, got ",
              c.num_classes, ", ", c.in_channels);
  NABLA_CHECK(!c.transform_input || c.in_channels == 3, "GoogLeNet: transform_input needs 3 input channels, got ",
              c.in_channels);
  auto pool = [](int64_t k) {
    return std::make_shared<nn::MaxPool2d>(nn::MaxPool2dOptions{.kernel_size = k, .stride = 2, .ceil_mode = true});
  };
  conv1 = register_module("conv1", c.small_input ? std::make_shared<BasicConv2d>(c.in_channels, 64, 3, 1, 1)
                                                 : std::make_shared<BasicConv2d>(c.in_channels, 64, 7, 2, 3));
  maxpool1 = register_module("maxpool1", c.small_input ? std::shared_ptr<nn::UnaryModule>(std::make_shared<nn::Identity>())
                                                       : std::shared_ptr<nn::UnaryModule>(pool(3)));
  conv2 = register_module("conv2", std::make_shared<BasicConv2d>(64, 64, 1));
  conv3 = register_module("conv3", std::make_shared<BasicConv2d>(64, 192, 3, 1, 1));
  maxpool2 = register_module("maxpool2", c.small_input ? std::shared_ptr<nn::UnaryModule>(std::make_shared<nn::Identity>())
                                                       : std::shared_ptr<nn::UnaryModule>(pool(3)));
  inception3a = register_module("inception3a", std::make_shared<Inception>(192, 64, 96, 128, 16, 32, 32));
  inception3b = register_module("inception3b", std::make_shared<Inception>(256, 128, 128, 192, 32, 96, 64));
  maxpool3 = register_module("maxpool3", pool(3));
  inception4a = register_module("inception4a", std::make_shared<Inception>(480, 192, 96, 208, 16, 48, 64));
  inception4b = register_module("inception4b", std::make_shared<Inception>(512, 160, 112, 224, 24, 64, 64));
  inception4c = register_module("inception4c", std::make_shared<Inception>(512, 128, 128, 256, 24, 64, 64));
  inception4d = register_module("inception4d", std::make_shared<Inception>(512, 112, 144, 288, 32, 64, 64));
  inception4e = register_module("inception4e", std::make_shared<Inception>(528, 256, 160, 320, 32, 128, 128));
  maxpool4 = register_module("maxpool4", pool(2));
  inception5a = register_module("inception5a", std::make_shared<Inception>(832, 256, 160, 320, 32, 128, 128));
  inception5b = register_module("inception5b", std::make_shared<Inception>(832, 384, 192, 384, 48, 128, 128));
  if (c.aux_logits) {
    aux1 = register_module("aux1", std::make_shared<InceptionAux>(512, c.num_classes, c.dropout_aux));
    aux2 = register_module("aux2", std::make_shared<InceptionAux>(528, c.num_classes, c.dropout_aux));
  }
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(c.dropout));
  fc = register_module("fc", std::make_shared<nn::Linear>(1024, c.num_classes));

  // torchvision's init_weights (BatchNorm already starts at weight 1, bias 0; biases keep their
  // default initialisation, as there).
  NoGradGuard no_grad;
  for (auto& entry : named_modules()) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(entry.second.get())) nn::init::trunc_normal_(conv->weight, 0.0, 0.01, -2, 2);
    else if (auto* linear = dynamic_cast<nn::Linear*>(entry.second.get()))
      nn::init::trunc_normal_(linear->weight, 0.0, 0.01, -2, 2);
  }
}

Tensor GoogLeNet::forward(const Tensor& input) {
  Tensor x = input;
  if (config.transform_input) {
    NABLA_CHECK(x.dim() == 4 && x.size(1) == 3, "GoogLeNet: transform_input expects (N, 3, H, W) input, got ", x.shape());
    // torchvision's _transform_input: from ImageNet normalisation to (x − 0.5)/0.5 per channel.
    const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    std::vector<Tensor> channels;
    for (int64_t ch = 0; ch < 3; ++ch)
      channels.push_back(add(mul(x.narrow(1, ch, 1), std[ch] / 0.5), (mean[ch] - 0.5) / 0.5));
    x = cat(channels, 1);
  }
  const bool heads = aux1 && is_training();
  aux_logits1 = Tensor();
  aux_logits2 = Tensor();
  x = (*maxpool2)((*conv3)((*conv2)((*maxpool1)((*conv1)(x)))));
  x = (*maxpool3)((*inception3b)((*inception3a)(x)));
  x = (*inception4a)(x);
  if (heads) aux_logits1 = (*aux1)(x);
  x = (*inception4d)((*inception4c)((*inception4b)(x)));
  if (heads) aux_logits2 = (*aux2)(x);
  x = (*maxpool4)((*inception4e)(x));
  x = (*inception5b)((*inception5a)(x));
  return (*fc)((*dropout)((*avgpool)(x).flatten(1)));
}

Tensor GoogLeNet::auxiliary_loss(const Tensor& target) const {
  if (!aux_logits1.defined()) return Tensor();
  using nn::functional::cross_entropy;
  return mul(add(cross_entropy(aux_logits1, target), cross_entropy(aux_logits2, target)), 0.3);
}

std::shared_ptr<GoogLeNet> googlenet(int64_t num_classes, int64_t in_channels, bool small_input, bool aux_logits) {
  GoogLeNetConfig c;
  c.num_classes = num_classes;
  c.in_channels = in_channels;
  c.small_input = small_input;
  c.aux_logits = aux_logits;
  return std::make_shared<GoogLeNet>(c);
}

std::vector<ModelEntry> googlenet_entries() {
  return {make_entry<GoogLeNetOptions>(
      "googlenet", "GoogLeNet / Inception v1 (torchvision; 6.62 M parameters without the auxiliary heads)",
      [](const DataShape& s, const GoogLeNetOptions& o) {
        NABLA_CHECK(o.dropout >= 0 && o.dropout < 1, "models::create: googlenet option 'dropout' must be in [0, 1), got ",
                    o.dropout);
        GoogLeNetConfig c;
        c.num_classes = s.num_classes;
        c.in_channels = image_channels(s, "googlenet");
        c.small_input = use_small_stem(o.stem, s, "googlenet");
        c.aux_logits = o.aux_logits;
        c.transform_input = o.transform_input;
        c.dropout = o.dropout;
        return std::make_shared<GoogLeNet>(c);
      })};
}

}  // namespace nabla::models
