#include <gtest/gtest.h>

#include <algorithm>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/lenet.h"
#include "nabla/models/mlp.h"
#include "nabla/models/registry.h"
#include "nabla/ops.h"
#include "nabla/random.h"

using namespace nabla;

// LeNet-5 counted by hand: conv1 6·(1·5·5)+6 = 156, conv2 16·(6·5·5)+16 = 2416,
// fc1 400·120+120 = 48120, fc2 120·84+84 = 10164, fc3 84·10+10 = 850; total 61706.
TEST(Models, LeNet5ShapesAndParameterCount) {
  auto net = models::lenet5();
  EXPECT_EQ(net->num_parameters(), 61706);
  NoGradGuard no_grad;
  const Tensor out = (*net)(randn({3, 1, 28, 28}));
  EXPECT_EQ(out.shape(), (Shape{3, 10}));
}

TEST(Models, LeNet5WithBatchNormAndOtherSizes) {
  // Each BatchNorm2d adds a weight and a bias per channel: 2·6 + 2·16 = 44.
  EXPECT_EQ(models::lenet5(10, 1, true)->num_parameters(), 61706 + 44);
  // Three input channels: conv1 gains 6·2·25 weights; 5 classes: fc3 loses 5·85.
  auto net = models::lenet5(5, 3);
  EXPECT_EQ(net->num_parameters(), 61706 + 300 - 425);
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(randn({2, 3, 28, 28})).shape(), (Shape{2, 5}));
}

TEST(Models, MlpShapesAndParameterCount) {
  auto net = models::mlp({784, 256, 10});
  EXPECT_EQ(net->num_parameters(), 784 * 256 + 256 + 256 * 10 + 10);
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(randn({4, 1, 28, 28})).shape(), (Shape{4, 10}));
  EXPECT_THROW(models::mlp({784}), Error);
  EXPECT_THROW(models::mlp({784, 0, 10}), Error);
}

TEST(Models, RegistryCreatesByNameAndListsNamesOnError) {
  models::ModelOptions o;
  o.hidden = {128, 64};
  EXPECT_EQ(models::create("mlp", o)->num_parameters(), 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  EXPECT_EQ(models::create("lenet5")->num_parameters(), 61706);
  try {
    models::create("resnet9000");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("resnet9000"), std::string::npos) << msg;
    EXPECT_NE(msg.find("lenet5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("mlp"), std::string::npos) << msg;
  }
}

TEST(Models, MetadataRoundTrip) {
  models::ModelOptions o;
  o.num_classes = 7;
  o.hidden = {300, 100};
  o.batch_norm = true;
  o.dropout = 0.25;
  const auto meta = models::to_metadata("mlp", o);
  const auto [name, back] = models::from_metadata(meta, "x.safetensors");
  EXPECT_EQ(name, "mlp");
  EXPECT_EQ(back.num_classes, 7);
  EXPECT_EQ(back.hidden, (std::vector<int64_t>{300, 100}));
  EXPECT_TRUE(back.batch_norm);
  EXPECT_DOUBLE_EQ(back.dropout, 0.25);
  EXPECT_THROW(models::from_metadata({}, "x.safetensors"), Error);
  auto bad = meta;
  bad["num_classes"] = "seven";
  EXPECT_THROW(models::from_metadata(bad, "x.safetensors"), Error);
}

TEST(Models, RegistryIsOneTable) {
  std::vector<std::string> names;
  for (const auto& e : models::model_registry()) {
    names.push_back(e.name);
    EXPECT_FALSE(e.help.empty()) << e.name;
    models::ModelOptions o;
    o.in_channels = 3;
    o.num_classes = 4;
    auto net = models::create(e.name, o);
    EXPECT_EQ(net->forward(randn({2, 3, 28, 28})).shape(), (Shape{2, 4})) << e.name;
  }
  EXPECT_EQ(models::model_names(), names);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // Every ModelOptions field is a metadata key, and the metadata holds nothing else but "model".
  models::ModelOptions o;
  size_t fields = 0;
  o.visit([&](const char*, auto&) { ++fields; });
  EXPECT_EQ(models::to_metadata("mlp", o).size(), fields + 1);
  auto bad = models::to_metadata("mlp", o);
  bad["hidden"] = "10,x";
  EXPECT_THROW(models::from_metadata(bad, "x.safetensors"), Error);
  EXPECT_THROW(models::create("resnet999"), Error);
}
