// The ResNet family (models/resnet.h): torchvision's parameter counts, the published output shape,
// parity with torchvision at full size, the small-input variant, gradcheck of the blocks, and the
// registry lines.
#include <gtest/gtest.h>

#include <string>

#include "nabla/autograd.h"
#include "nabla/models/registry.h"
#include "nabla/models/resnet.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"
#include "models/zoo_parity.h"
#include "models/zoo_test_util.h"

using namespace nabla;
using nabla::testing::expect_block_gradcheck;
using nabla::testing::expect_training_lowers_loss;

namespace {

using Factory = std::shared_ptr<models::ResNet> (*)(int64_t, int64_t, bool, bool);

struct Published {
  const char* name;
  Factory factory;
  int64_t params;  // torchvision's figure at 1000 classes
};

const std::vector<Published>& published() {
  static const std::vector<Published> table = {
      {"resnet18", models::resnet18, 11689512},          {"resnet34", models::resnet34, 21797672},
      {"resnet50", models::resnet50, 25557032},          {"resnet101", models::resnet101, 44549160},
      {"resnet152", models::resnet152, 60192808},        {"wide_resnet50_2", models::wide_resnet50_2, 68883240},
      {"resnext50_32x4d", models::resnext50_32x4d, 25028904},
  };
  return table;
}

}  // namespace

// Each published model is built once, through the registry at (3, 224, 224) and 1000 classes: its
// parameter count, torchvision parity (on 1×3×64×64) and one forward at 224. One test per model.
class ZooResNetPublished : public ::testing::TestWithParam<size_t> {};

TEST_P(ZooResNetPublished, CountParityAndOutputShape) {
  const Published& m = published()[GetParam()];
  auto net = models::create(m.name, models::DataShape{1000, {3, 224, 224}});
  EXPECT_EQ(net->num_parameters(), m.params) << m.name;
  nabla::testing::expect_zoo_parity(*net, "zoo_resnet.safetensors", m.name);
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(randn({1, 3, 224, 224})).shape(), (Shape{1, 1000})) << m.name;
}

INSTANTIATE_TEST_SUITE_P(Models, ZooResNetPublished, ::testing::Range<size_t>(0, 7),
                         [](const ::testing::TestParamInfo<size_t>& info) { return std::string(published()[info.param].name); });

TEST(ZooResNet, SmallInputVariant) {
  // conv1 becomes 3x3 (64·C·9 weights instead of 64·3·49); fc has 10 outputs.
  auto net = models::resnet18(10, 1, true);
  EXPECT_EQ(net->num_parameters(), 11689512 - 64 * 3 * 49 + 64 * 1 * 9 - 512 * 990 - 990);
  EXPECT_EQ(net->maxpool, nullptr);
  {
    NoGradGuard no_grad;
    net->eval();
    EXPECT_EQ((*net)(randn({2, 1, 28, 28})).shape(), (Shape{2, 10}));
    auto rgb = models::resnet50(10, 3, true);
    rgb->eval();
    EXPECT_EQ((*rgb)(randn({2, 3, 32, 32})).shape(), (Shape{2, 10}));
  }
  expect_training_lowers_loss(*net, {4, 1, 28, 28});
  EXPECT_THROW((*net)(randn({2, 3, 28, 28})), Error);
}

TEST(ZooResNet, ZeroInitResidual) {
  auto basic = models::resnet18(10, 3, true, true);
  auto* b = dynamic_cast<models::BasicBlock*>((*basic->layer1)[0].get());
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->bn2->weight.abs().sum().item<double>(), 0.0);
  EXPECT_EQ(b->bn1->weight.sum().item<double>(), 64.0);
  auto bottleneck = models::resnet50(10, 3, true, true);
  auto* n = dynamic_cast<models::Bottleneck*>((*bottleneck->layer4)[2].get());
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->bn3->weight.abs().sum().item<double>(), 0.0);
}

TEST(ZooResNet, BlocksGradcheck) {
  auto run = [](nn::UnaryModule& block, const Shape& shape) {
    block.to(DType::Float64);
    Generator g(3);
    const Tensor x = randn(shape, DType::Float64, &g).requires_grad_();
    const auto r = nn::gradcheck_module(block, [&](const std::vector<Tensor>& v) { return block(v[0]); }, {x});
    EXPECT_TRUE(r.ok) << block.name() << ": " << r.message;
  };
  // Identity shortcut, then a strided one through conv1x1 + BN; BatchNorm in training mode.
  models::BasicBlock basic(3, 3);
  run(basic, {2, 3, 4, 4});
  auto down = std::make_shared<nn::Sequential>(std::make_shared<nn::Conv2d>(2, 4, 1, 2, 0, 1, 1, false),
                                               std::make_shared<nn::BatchNorm2d>(4));
  models::BasicBlock strided(2, 4, 2, down);
  run(strided, {2, 2, 4, 4});
  // ResNeXt-style grouped bottleneck: width = 2·32/64·2 = 2, output 4·2 = 8 channels.
  auto down8 = std::make_shared<nn::Sequential>(std::make_shared<nn::Conv2d>(4, 8, 1, 1, 0, 1, 1, false),
                                                std::make_shared<nn::BatchNorm2d>(8));
  models::Bottleneck bottleneck(4, 2, 1, down8, 2, 32);
  EXPECT_EQ(bottleneck.conv2->groups, 2);
  run(bottleneck, {2, 4, 3, 3});
}

TEST(ZooResNet, Registry) {
  // The factories at 1000 classes equal the registry's models (PublishedModels) in size.
  EXPECT_EQ(models::resnet18()->num_parameters(), 11689512);
  EXPECT_EQ(models::resnext50_32x4d()->num_parameters(), 25028904);
  for (const auto& m : published()) {
    auto small = models::create(m.name, models::DataShape{10, {1, 28, 28}});
    // The small stem: conv1 is 64×1×3×3 and fc has 10 outputs.
    const int64_t fc_in = m.params == 11689512 || m.params == 21797672 ? 512 : 2048;
    EXPECT_EQ(small->num_parameters(), m.params - 64 * 3 * 49 + 64 * 9 - fc_in * 990 - 990) << m.name;
    NoGradGuard no_grad;
    small->eval();
    EXPECT_EQ((*small)(randn({1, 1, 28, 28})).shape(), (Shape{1, 10})) << m.name;
  }
  // The stem option overrides the size rule.
  EXPECT_EQ(models::create("resnet18", {10, {3, 32, 32}}, models::ResNetOptions{.stem = "imagenet"})->num_parameters(),
            models::resnet18(10, 3, false)->num_parameters());
  EXPECT_THROW(models::create("resnet18", {10, {3, 32, 32}}, models::ResNetOptions{.stem = "tiny"}), Error);
}
