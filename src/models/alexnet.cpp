#include "nabla/models/alexnet.h"

#include "nabla/error.h"
#include "nabla/models/zoo_common.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"

namespace nabla::models {

AlexNet::AlexNet(std::shared_ptr<nn::Sequential> features_, std::shared_ptr<nn::UnaryModule> avgpool_,
                 std::shared_ptr<nn::Sequential> classifier_, std::string name)
    : name_(std::move(name)) {
  NABLA_CHECK(features_ && avgpool_ && classifier_, "models::AlexNet: features, avgpool and classifier must be given");
  features = register_module("features", std::move(features_));
  avgpool = register_module("avgpool", std::move(avgpool_));
  classifier = register_module("classifier", std::move(classifier_));
}

Tensor AlexNet::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4, "models::", name_, ": expected input (N, C, H, W), got shape ", x.shape());
  return (*classifier)((*avgpool)((*features)(x)).flatten(1));
}

namespace {

void check_sizes(const char* model, int64_t num_classes, int64_t in_channels) {
  NABLA_CHECK(num_classes > 0 && in_channels > 0, "models::", model,
              ": num_classes and in_channels must be positive, got ", num_classes, " and ", in_channels);
}

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding) {
  return std::make_shared<nn::Conv2d>(in, out, k, stride, padding);
}

std::shared_ptr<nn::MaxPool2d> pool(int64_t padding = 0) { return std::make_shared<nn::MaxPool2d>(3, 2, padding); }

std::shared_ptr<nn::ReLU> relu() { return std::make_shared<nn::ReLU>(); }

// avgpool and classifier: 256·pool² → hidden → hidden → num_classes, with AlexNet's dropouts.
std::shared_ptr<AlexNet> assemble(std::shared_ptr<nn::Sequential> features, int64_t pool_size, int64_t hidden,
                                  int64_t num_classes, const char* name) {
  auto classifier = std::make_shared<nn::Sequential>(
      std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(256 * pool_size * pool_size, hidden), relu(),
      std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(hidden, hidden), relu(),
      std::make_shared<nn::Linear>(hidden, num_classes));
  return std::make_shared<AlexNet>(std::move(features), std::make_shared<nn::AdaptiveAvgPool2d>(pool_size),
                                   std::move(classifier), name);
}

}  // namespace

std::shared_ptr<AlexNet> alexnet(int64_t num_classes, int64_t in_channels, bool small_input) {
  check_sizes("alexnet", num_classes, in_channels);
  auto features = std::make_shared<nn::Sequential>(
      small_input ? conv(in_channels, 64, 3, 1, 1) : conv(in_channels, 64, 11, 4, 2), relu(), pool(),
      conv(64, 192, 5, 1, 2), relu(), pool(), conv(192, 384, 3, 1, 1), relu(), conv(384, 256, 3, 1, 1), relu(),
      conv(256, 256, 3, 1, 1), relu(), pool());
  return assemble(features, small_input ? 2 : 6, small_input ? 1024 : 4096, num_classes, "AlexNet");
}

std::shared_ptr<AlexNet> zfnet(int64_t num_classes, int64_t in_channels, bool small_input) {
  check_sizes("zfnet", num_classes, in_channels);
  auto lrn = [] { return std::make_shared<nn::LocalResponseNorm>(5, 1e-4, 0.75, 2.0); };
  auto features = std::make_shared<nn::Sequential>(
      small_input ? conv(in_channels, 96, 3, 1, 1) : conv(in_channels, 96, 7, 2, 1), relu(), pool(1), lrn(),
      small_input ? conv(96, 256, 5, 1, 2) : conv(96, 256, 5, 2, 0), relu(), pool(1), lrn(),
      conv(256, 384, 3, 1, 1), relu(), conv(384, 384, 3, 1, 1), relu(), conv(384, 256, 3, 1, 1), relu(), pool());
  return assemble(features, small_input ? 2 : 6, small_input ? 1024 : 4096, num_classes, "ZFNet");
}

std::vector<ModelEntry> alexnet_entries() {
  return {
      make_entry<AlexNetOptions>("alexnet", "AlexNet (torchvision's single-GPU version)",
                                 [](const DataShape& s, const AlexNetOptions& o) {
                                   return alexnet(s.num_classes, image_channels(s, "alexnet"),
                                                  use_small_stem(o.stem, s, "alexnet"));
                                 }),
      make_entry<AlexNetOptions>("zfnet", "ZFNet (Zeiler & Fergus 2013) in AlexNet's layout",
                                 [](const DataShape& s, const AlexNetOptions& o) {
                                   return zfnet(s.num_classes, image_channels(s, "zfnet"),
                                                use_small_stem(o.stem, s, "zfnet"));
                                 }),
  };
}

}  // namespace nabla::models
