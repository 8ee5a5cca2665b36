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
  EXPECT_EQ(models::create("mlp", {}, models::MLPOptions{{128, 64}})->num_parameters(),
            784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  EXPECT_EQ(models::create("lenet5")->num_parameters(), 61706);
  EXPECT_EQ(models::create("lenet5", {}, models::LeNet5Options{.batch_norm = true})->num_parameters(), 61706 + 44);
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

TEST(Models, ShapesComeFromTheData) {
  // The MLP's input size is the product of the input shape: 20 features, 3 classes.
  const models::DataShape features{3, {20}};
  auto net = models::create("mlp", features, models::MLPOptions{{8}});
  EXPECT_EQ(net->num_parameters(), 20 * 8 + 8 + 8 * 3 + 3);
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(randn({5, 20})).shape(), (Shape{5, 3}));
  // LeNet-5 needs 28x28 images; feature vectors are an error naming the shape.
  try {
    models::create("lenet5", features);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[20]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(models::create("lenet5", {10, {1, 32, 32}}), Error);
  // Options of another model are ignored; a value of the wrong type is an error.
  EXPECT_EQ(models::create("lenet5", {}, models::OptionValues{{"hidden", std::vector<int64_t>{5}}})->num_parameters(), 61706);
  EXPECT_THROW(models::create("lenet5", {}, models::OptionValues{{"batch_norm", int64_t{1}}}), Error);
}

TEST(Models, MetadataRoundTrip) {
  models::ModelSpec spec{"mlp", {7, {3, 8, 8}}, models::option_values(models::MLPOptions{{300, 100}, 0.25})};
  const auto meta = models::to_metadata(spec);
  const auto back = models::from_metadata(meta, "x.safetensors");
  EXPECT_EQ(back.name, "mlp");
  EXPECT_EQ(back.data.num_classes, 7);
  EXPECT_EQ(back.data.input_shape, (std::vector<int64_t>{3, 8, 8}));
  models::MLPOptions o;
  models::read_options(o, back.options, "mlp");
  EXPECT_EQ(o.hidden, (std::vector<int64_t>{300, 100}));
  EXPECT_DOUBLE_EQ(o.dropout, 0.25);
  EXPECT_THROW(models::from_metadata({}, "x.safetensors"), Error);
  auto bad = meta;
  bad["num_classes"] = "seven";
  EXPECT_THROW(models::from_metadata(bad, "x.safetensors"), Error);
  bad = meta;
  bad["model"] = "resnet9000";
  EXPECT_THROW(models::from_metadata(bad, "x.safetensors"), Error);
}

TEST(Models, MetadataOfTheSharedOptionsStillReads) {
  // What checkpoints held before options were per model: every field of every model, and the
  // input as in_channels and image_size.
  const std::map<std::string, std::string> old = {{"model", "lenet5"},     {"num_classes", "10"}, {"in_channels", "3"},
                                                  {"image_size", "28"},    {"hidden", "256"},     {"batch_norm", "true"},
                                                  {"dropout", "0"}};
  const auto spec = models::from_metadata(old, "old.safetensors");
  EXPECT_EQ(spec.data.input_shape, (std::vector<int64_t>{3, 28, 28}));
  EXPECT_EQ(spec.options.size(), 1u);  // lenet5's own: batch_norm
  EXPECT_TRUE(std::get<bool>(spec.options.at("batch_norm")));
  EXPECT_EQ(models::create(spec.name, spec.data, spec.options)->num_parameters(), 61706 + 300 + 44);
}

TEST(Models, RegistryIsOneTable) {
  std::vector<std::string> names;
  for (const auto& e : models::model_registry()) {
    names.push_back(e.name);
    EXPECT_FALSE(e.help.empty()) << e.name;
    auto net = models::create(e.name, {4, {3, 28, 28}});
    EXPECT_EQ(net->forward(randn({2, 3, 28, 28})).shape(), (Shape{2, 4})) << e.name;
    // Every options field is a metadata key; the metadata holds only these and the data shape.
    EXPECT_EQ(models::to_metadata({e.name, {}, {}}).size(), e.fields.size() + 3) << e.name;
    for (const auto& f : e.fields) EXPECT_FALSE(f.help.empty()) << e.name << "." << f.key;
  }
  EXPECT_EQ(models::model_names(), names);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // A key shared by two models has one type.
  for (const auto& a : models::model_registry())
    for (const auto& b : models::model_registry())
      for (const auto& fa : a.fields)
        for (const auto& fb : b.fields)
          if (fa.key == fb.key) EXPECT_EQ(fa.default_value.index(), fb.default_value.index()) << fa.key;
  auto bad = models::to_metadata({"mlp", {}, {}});
  bad["hidden"] = "10,x";
  EXPECT_THROW(models::from_metadata(bad, "x.safetensors"), Error);
  EXPECT_THROW(models::create("resnet999"), Error);
}
