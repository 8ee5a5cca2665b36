// MobileNet v1/v2/v3 and ShuffleNet v2: parameter counts at the published configuration
// (torchvision's figures; v1: Howard et al.'s 4.2 M, counted as Keras's 4,231,976 trainable),
// published output shapes, torchvision parity at full size, the small-input variants, gradcheck of
// every block, and the registry.
#include <gtest/gtest.h>

#include "nabla/autograd.h"
#include "nabla/models/mobilenet.h"
#include "nabla/models/registry.h"
#include "nabla/models/shufflenet.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"
#include "zoo_parity.h"

#include "models/zoo_test_util.h"

using namespace nabla;
using nabla::testing::expect_block_gradcheck;
using nabla::testing::expect_training_lowers_loss;

namespace {

const char* const kNames[] = {"mobilenet_v1",       "mobilenet_v2",       "mobilenet_v3_large", "mobilenet_v3_small",
                              "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"};
const int64_t kPublished[] = {4231976, 3504872, 5483032, 2542856, 1366792, 2278604, 3503624, 7393996};

}  // namespace

TEST(ZooMobile, PublishedParameterCounts) {
  EXPECT_EQ(models::mobilenet_v1()->num_parameters(), 4231976);
  EXPECT_EQ(models::mobilenet_v2()->num_parameters(), 3504872);
  EXPECT_EQ(models::mobilenet_v3_small()->num_parameters(), 2542856);
  EXPECT_EQ(models::mobilenet_v3_large()->num_parameters(), 5483032);
  EXPECT_EQ(models::shufflenet_v2_x0_5()->num_parameters(), 1366792);
  EXPECT_EQ(models::shufflenet_v2_x1_0()->num_parameters(), 2278604);
  EXPECT_EQ(models::shufflenet_v2_x1_5()->num_parameters(), 3503624);
  EXPECT_EQ(models::shufflenet_v2_x2_0()->num_parameters(), 7393996);
  // torchvision's width multipliers: mobilenet_v2(width_mult=0.5) has 1,968,680 parameters,
  // mobilenet_v3_small(width_mult=0.75) 1,653,920.
  EXPECT_EQ(models::mobilenet_v2(1000, 3, false, 0.5)->num_parameters(), 1968680);
  EXPECT_EQ(models::mobilenet_v3_small(1000, 3, false, 0.75)->num_parameters(), 1653920);
}

TEST(ZooMobile, ForwardAtThePublishedSize) {
  NoGradGuard no_grad;
  const Tensor x = randn({1, 3, 224, 224});
  for (const std::shared_ptr<nn::UnaryModule>& m :
       std::vector<std::shared_ptr<nn::UnaryModule>>{models::mobilenet_v1(), models::mobilenet_v2(),
                                                     models::mobilenet_v3_small(), models::shufflenet_v2_x1_0()}) {
    m->eval();
    EXPECT_EQ((*m)(x).shape(), (Shape{1, 1000})) << m->name();
  }
}

TEST(ZooMobile, ParityWithTorchvision) {
  {
    auto m = models::mobilenet_v2();
    nabla::testing::expect_zoo_parity(*m, "zoo_mobile.safetensors", "mobilenet_v2");
  }
  {
    auto m = models::mobilenet_v3_small();
    nabla::testing::expect_zoo_parity(*m, "zoo_mobile.safetensors", "mobilenet_v3_small");
  }
  {
    auto m = models::shufflenet_v2_x1_0();
    nabla::testing::expect_zoo_parity(*m, "zoo_mobile.safetensors", "shufflenet_v2_x1_0");
  }
}

TEST(ZooMobile, SmallInputVariants) {
  NoGradGuard no_grad;
  for (const char* name : {"mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x1_0"}) {
    for (const Shape& in : {Shape{1, 28, 28}, Shape{3, 32, 32}}) {
      auto m = models::create(name, models::DataShape{10, {in[0], in[1], in[2]}});
      m->eval();
      EXPECT_EQ((*m)(randn({2, in[0], in[1], in[2]})).shape(), (Shape{2, 10})) << name;
    }
  }
}

TEST(ZooMobile, SmallVariantsLearnAFixedBatch) {
  // Half width keeps the test quick; the structure is the published one. MobileNet v3's head
  // (Linear weights N(0, 0.01²) through Hardswish) starts slower: it gets a larger step.
  const std::pair<const char*, double> cases[] = {
      {"mobilenet_v2", 0.05}, {"mobilenet_v3_small", 0.2}, {"shufflenet_v2_x0_5", 0.05}};
  for (const auto& c : cases) {
    const char* name = c.first;
    SCOPED_TRACE(name);
    manual_seed(7);
    auto m = models::create(name, models::DataShape{10, {1, 28, 28}},
                            models::OptionValues{{"dropout", 0.0}, {"width_mult", 0.5}});
    const Tensor x = randn({6, 1, 28, 28});
    const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 3, 4, 5}, Shape{6});
    optim::SGD opt(m->parameters(), {.lr = c.second, .momentum = 0.9});
    double first = 0, last = 0;
    for (int step = 0; step < 8; ++step) {
      opt.zero_grad();
      const Tensor loss = nn::functional::cross_entropy((*m)(x), y);
      loss.backward();
      opt.step();
      (step == 0 ? first : last) = loss.item();
    }
    EXPECT_LT(last, first * 0.9);
  }
}

TEST(ZooMobile, BlocksGradcheck) {
  expect_block_gradcheck(*std::make_shared<models::DepthwiseSeparableConv>(2, 3, 2), {2, 2, 5, 5}, 1);
  expect_block_gradcheck(*std::make_shared<models::InvertedResidual>(3, 3, 1, 2), {2, 3, 4, 4}, 2);
  expect_block_gradcheck(*std::make_shared<models::InvertedResidual>(2, 4, 2, 1), {2, 2, 5, 5}, 3);
  expect_block_gradcheck(*std::make_shared<models::SqueezeExcitation>(4, 2, "hardsigmoid"), {2, 4, 3, 3}, 4);
  expect_block_gradcheck(*std::make_shared<models::SqueezeExcitation>(4, 2), {2, 4, 3, 3}, 5);
  expect_block_gradcheck(
      *std::make_shared<models::InvertedResidualV3>(models::InvertedResidualConfig(8, 3, 16, 8, true, "HS", 1, 1, 1.0)),
      {2, 8, 3, 3}, 6);
  expect_block_gradcheck(
      *std::make_shared<models::InvertedResidualV3>(models::InvertedResidualConfig(8, 5, 8, 16, false, "RE", 2, 1, 1.0)),
      {2, 8, 5, 5}, 7);
  expect_block_gradcheck(*std::make_shared<models::ShuffleInvertedResidual>(4, 4, 1), {2, 4, 3, 3}, 8);
  expect_block_gradcheck(*std::make_shared<models::ShuffleInvertedResidual>(4, 8, 2), {2, 4, 5, 5}, 9);
  expect_block_gradcheck(*std::make_shared<models::ChannelShuffle>(3), {2, 6, 2, 2}, 10);
}

TEST(ZooMobile, ChannelShuffleInterleavesGroups) {
  const Tensor x = arange(0, 6, 1, DType::Float32).reshape({1, 6, 1, 1});
  EXPECT_EQ(models::channel_shuffle(x, 2).to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(models::channel_shuffle(x, 3).to_vector<float>(), (std::vector<float>{0, 2, 4, 1, 3, 5}));
  EXPECT_THROW(models::channel_shuffle(x, 4), Error);
  EXPECT_EQ(models::ChannelShuffle(2).to_string(), "ChannelShuffle(groups=2)");
}

TEST(ZooMobile, MakeDivisibleMatchesTorchvision) {
  EXPECT_EQ(models::make_divisible(32 * 0.5, 8), 16);
  EXPECT_EQ(models::make_divisible(24 * 0.75, 8), 24);  // 18 rounds to 16, < 0.9·18: up to 24
  EXPECT_EQ(models::make_divisible(96 / 4, 8), 24);
  EXPECT_EQ(models::make_divisible(3, 8), 8);
  EXPECT_EQ(models::make_divisible(1280 * 1.4, 8), 1792);
}

TEST(ZooMobile, RegistryBuildsEveryModel) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    SCOPED_TRACE(kNames[i]);
    EXPECT_GT(models::create(kNames[i], models::DataShape{10, {1, 28, 28}})->num_parameters(), 0);
    EXPECT_EQ(models::create(kNames[i], models::DataShape{1000, {3, 224, 224}})->num_parameters(), kPublished[i]);
  }
  // width_mult reaches the factory; a bad stem names the model.
  EXPECT_EQ(models::create("mobilenet_v2", models::DataShape{1000, {3, 224, 224}}, models::OptionValues{{"width_mult", 0.5}})
                ->num_parameters(),
            1968680);
  EXPECT_THROW(models::create("shufflenet_v2_x1_0", models::DataShape{10, {1, 28, 28}},
                              models::OptionValues{{"stem", std::string("tiny")}}),
               Error);
  EXPECT_THROW(models::mobilenet_v2(10, 3, false, 0.0), Error);
  EXPECT_THROW(models::ShuffleInvertedResidual(4, 6, 1), Error);
}
