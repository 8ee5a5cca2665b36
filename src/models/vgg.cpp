#include "nabla/models/vgg.h"

#include <map>

#include "cnn_util.h"
#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/fused.h"
#include "nabla/nn/init.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/pool.h"

namespace nabla::models {

VGG::VGG(std::shared_ptr<nn::Sequential> features_, std::shared_ptr<nn::UnaryModule> avgpool_,
         std::shared_ptr<nn::Sequential> classifier_) {
  NABLA_CHECK(features_ && avgpool_ && classifier_, "models::VGG: features, avgpool and classifier must be given");
  features = register_module("features", std::move(features_));
  avgpool = register_module("avgpool", std::move(avgpool_));
  classifier = register_module("classifier", std::move(classifier_));
}

Tensor VGG::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4, "models::VGG: expected input (N, C, H, W), got shape ", x.shape());
  // run_chained: at inference each convolution → (BatchNorm →) ReLU runs as one oneDNN convolution
  // and consecutive ones keep their results in oneDNN's layout (nabla/nn/fused.h).
  return (*classifier)((*avgpool)(nn::run_chained(*features, x)).flatten(1));
}

std::shared_ptr<VGG> vgg(const std::string& cfg, bool batch_norm, int64_t num_classes, int64_t in_channels,
                         bool small_input) {
  static const std::map<std::string, std::vector<int64_t>> cfgs = {
      {"A", {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}},
      {"B", {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}},
      {"D", {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}},
      {"E", {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0}},
  };
  const auto it = cfgs.find(cfg);
  NABLA_CHECK(it != cfgs.end(), "models::vgg: cfg must be A, B, D or E, got '", cfg, "'");
  NABLA_CHECK(num_classes > 0 && in_channels > 0, "models::vgg: num_classes and in_channels must be positive, got ",
              num_classes, " and ", in_channels);
  std::vector<int64_t> layers = it->second;
  if (small_input) layers.pop_back();  // the last max-pool
  auto features = std::make_shared<nn::Sequential>();
  int64_t c = in_channels;
  for (int64_t v : layers) {
    if (v == 0) {
      features->push_back(std::make_shared<nn::MaxPool2d>(2, 2));
      continue;
    }
    features->push_back(std::make_shared<nn::Conv2d>(c, v, 3, 1, 1));
    if (batch_norm) features->push_back(std::make_shared<nn::BatchNorm2d>(v));
    features->push_back(std::make_shared<nn::ReLU>());
    c = v;
  }
  const int64_t pool = small_input ? 1 : 7, hidden = small_input ? 512 : 4096;
  auto classifier = std::make_shared<nn::Sequential>(
      std::make_shared<nn::Linear>(512 * pool * pool, hidden), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(hidden, hidden), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(hidden, num_classes));
  auto model = std::make_shared<VGG>(features, std::make_shared<nn::AdaptiveAvgPool2d>(pool), classifier);
  detail::init_convs_kaiming(*model);
  model->apply([](nn::Module& m) {
    if (auto* linear = dynamic_cast<nn::Linear*>(&m)) {
      nn::init::normal_(linear->weight, 0.0, 0.01);
      nn::init::zeros_(linear->bias);
    }
  });
  return model;
}

std::shared_ptr<VGG> vgg11(int64_t n, int64_t c, bool s) { return vgg("A", false, n, c, s); }
std::shared_ptr<VGG> vgg11_bn(int64_t n, int64_t c, bool s) { return vgg("A", true, n, c, s); }
std::shared_ptr<VGG> vgg13(int64_t n, int64_t c, bool s) { return vgg("B", false, n, c, s); }
std::shared_ptr<VGG> vgg13_bn(int64_t n, int64_t c, bool s) { return vgg("B", true, n, c, s); }
std::shared_ptr<VGG> vgg16(int64_t n, int64_t c, bool s) { return vgg("D", false, n, c, s); }
std::shared_ptr<VGG> vgg16_bn(int64_t n, int64_t c, bool s) { return vgg("D", true, n, c, s); }
std::shared_ptr<VGG> vgg19(int64_t n, int64_t c, bool s) { return vgg("E", false, n, c, s); }
std::shared_ptr<VGG> vgg19_bn(int64_t n, int64_t c, bool s) { return vgg("E", true, n, c, s); }

std::vector<ModelEntry> vgg_entries() {
  std::vector<ModelEntry> out;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"vgg11", "A"}, {"vgg13", "B"}, {"vgg16", "D"}, {"vgg19", "E"}};
  for (const auto& entry : names)
    for (bool bn : {false, true}) {
      const std::string name = entry.first + (bn ? "_bn" : ""), cfg = entry.second;
      out.push_back(make_entry<VGGOptions>(
          name, "VGG configuration " + cfg + (bn ? " with BatchNorm" : "") + " (torchvision)",
          [name, cfg, bn](const DataShape& s, const VGGOptions& o) {
            return vgg(cfg, bn, s.num_classes, image_channels(s, name), use_small_stem(o.stem, s, name));
          }));
    }
  return out;
}

}  // namespace nabla::models
