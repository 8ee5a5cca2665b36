// The CIFAR ResNets and Wide ResNet (models/cifar_resnet.h): parameter counts, shapes on 28×28 and
// 32×32 inputs, the option-A shortcut, training steps, gradcheck of the blocks, registry lines.
#include <gtest/gtest.h>

#include "nabla/autograd.h"
#include "nabla/models/cifar_resnet.h"
#include "nabla/models/registry.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"

#include "models/zoo_test_util.h"

using namespace nabla;
using nabla::testing::expect_block_gradcheck;
using nabla::testing::expect_training_lowers_loss;

namespace {

}  // namespace

// Option A counted by hand: conv1 3·16·9 + bn 32; each block 2 convs + 2 BNs; fc 64·10 + 10.
// ResNet-20 = 269,722 (≈ 0.27 M), ResNet-56 = 853,018 (≈ 0.85 M) as in He et al. 2016, Table 6.
TEST(ZooCifarResNet, ParameterCounts) {
  EXPECT_EQ(models::resnet20()->num_parameters(), 269722);
  EXPECT_EQ(models::resnet32()->num_parameters(), 464154);
  EXPECT_EQ(models::resnet44()->num_parameters(), 658586);
  EXPECT_EQ(models::resnet56()->num_parameters(), 853018);
  EXPECT_EQ(models::resnet110()->num_parameters(), 1727962);
  // One input channel: conv1 loses 2·16·9 weights.
  EXPECT_EQ(models::resnet20(10, 1)->num_parameters(), 269722 - 2 * 16 * 9);
  // Wide ResNet: WRN-28-10 ≈ 36.5 M and WRN-40-4 ≈ 8.9 M (Zagoruyko & Komodakis 2016, Table 5).
  EXPECT_EQ(models::WideResNet(28, 10).num_parameters(), 36479194);
  EXPECT_EQ(models::WideResNet(40, 4).num_parameters(), 8949210);
  EXPECT_EQ(models::WideResNet(16, 4).num_parameters(), 2748890);
  EXPECT_THROW(models::CifarResNet(21), Error);
  EXPECT_THROW(models::WideResNet(27, 4), Error);
}

TEST(ZooCifarResNet, ShapesOnSmallImages) {
  NoGradGuard no_grad;
  auto net = models::resnet20(10, 1);
  net->eval();
  EXPECT_EQ((*net)(randn({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  auto rgb = models::resnet56(10, 3);
  rgb->eval();
  EXPECT_EQ((*rgb)(randn({2, 3, 32, 32})).shape(), (Shape{2, 10}));
  models::WideResNet wrn(16, 2, 0.3, 10, 1);
  wrn.eval();
  EXPECT_EQ(wrn(randn({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  EXPECT_THROW((*net)(randn({2, 3, 28, 28})), Error);
}

TEST(ZooCifarResNet, PadShortcutSubsamplesAndPadsChannels) {
  models::PadShortcut s(2, 6);
  const Tensor x = arange(0, 2 * 2 * 3 * 3).reshape({2, 2, 3, 3}).to(DType::Float32);
  const Tensor y = s(x);
  ASSERT_EQ(y.shape(), (Shape{2, 6, 2, 2}));
  // Channels 0-1 and 4-5 are zeros; channel 2 is input channel 0 at rows/cols 0 and 2.
  EXPECT_EQ(y.narrow(1, 0, 2).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(y.narrow(1, 4, 2).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(y.narrow(0, 0, 1).narrow(1, 2, 1).flatten().to_vector<double>(), (std::vector<double>{0, 2, 6, 8}));
  EXPECT_EQ(y.narrow(0, 1, 1).narrow(1, 3, 1).flatten().to_vector<double>(), (std::vector<double>{27, 29, 33, 35}));
  EXPECT_EQ(s.num_parameters(), 0);
}

TEST(ZooCifarResNet, TrainingLowersTheLoss) {
  auto net = models::resnet20(10, 1);
  expect_training_lowers_loss(*net, {4, 1, 28, 28}, {.seed = 11, .targets = {0, 2, 4, 6}});
  models::WideResNet wrn(10, 1, 0.0, 10, 3);
  expect_training_lowers_loss(wrn, {4, 3, 32, 32}, {.seed = 11, .targets = {0, 2, 4, 6}});
}

TEST(ZooCifarResNet, BlocksGradcheck) {
  // Option-A basic block (16 → 32 style, here 2 → 4), BatchNorm in training mode.
  models::BasicBlock a(2, 4, 2, std::make_shared<models::PadShortcut>(2, 4));
  expect_block_gradcheck(a, {2, 2, 4, 4});
  // Pre-activation blocks: identity shortcut and a strided 1×1 conv shortcut.
  models::WideBasic same(3, 3);
  expect_block_gradcheck(same, {2, 3, 3, 3});
  models::WideBasic wider(2, 4, 2);
  ASSERT_NE(wider.shortcut, nullptr);
  expect_block_gradcheck(wider, {2, 2, 4, 4});
}

TEST(ZooCifarResNet, Registry) {
  for (const char* name : {"resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "cifar_resnet"}) {
    auto net = models::create(name, models::DataShape{10, {1, 28, 28}});
    NoGradGuard no_grad;
    net->eval();
    EXPECT_EQ((*net)(randn({1, 1, 28, 28})).shape(), (Shape{1, 10})) << name;
  }
  EXPECT_EQ(models::create("resnet56", models::DataShape{10, {3, 32, 32}})->num_parameters(), 853018);
  EXPECT_EQ(models::create("cifar_resnet", {10, {3, 32, 32}}, models::CifarResNetOptions{.depth = 56})->num_parameters(),
            853018);
  // At 1000 classes only fc grows: 64·990 + 990 more.
  EXPECT_EQ(models::create("resnet20", models::DataShape{1000, {3, 224, 224}})->num_parameters(), 269722 + 65 * 990);
  EXPECT_EQ(models::create("wrn", models::DataShape{10, {3, 32, 32}})->num_parameters(), 36479194);
  auto wrn = models::create("wrn", models::DataShape{10, {1, 28, 28}},
                            models::WideResNetOptions{.depth = 16, .widen_factor = 4, .dropout = 0.3});
  NoGradGuard no_grad;
  wrn->eval();
  EXPECT_EQ((*wrn)(randn({1, 1, 28, 28})).shape(), (Shape{1, 10}));
  EXPECT_THROW(models::create("wrn", {10, {3, 32, 32}}, models::WideResNetOptions{.depth = 30}), Error);
}
