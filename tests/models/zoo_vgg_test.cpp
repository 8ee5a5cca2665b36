// VGG, AlexNet and ZFNet (models/vgg.h, models/alexnet.h): torchvision's parameter counts, the
// published output shape, parity with torchvision at full size, nn::summary's bookkeeping, the
// small-input variants and the registry lines.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "nabla/autograd.h"
#include "nabla/models/alexnet.h"
#include "nabla/models/registry.h"
#include "nabla/models/vgg.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/summary.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"
#include "models/zoo_parity.h"
#include "models/zoo_test_util.h"

using namespace nabla;
using nabla::testing::expect_block_gradcheck;
using nabla::testing::expect_training_lowers_loss;

namespace {

using Factory = std::shared_ptr<models::VGG> (*)(int64_t, int64_t, bool);

struct Published {
  const char* name;
  Factory factory;
  int64_t params;  // torchvision's figure at 1000 classes
};

const std::vector<Published>& vggs() {
  static const std::vector<Published> table = {
      {"vgg11", models::vgg11, 132863336}, {"vgg11_bn", models::vgg11_bn, 132868840},
      {"vgg13", models::vgg13, 133047848}, {"vgg13_bn", models::vgg13_bn, 133053736},
      {"vgg16", models::vgg16, 138357544}, {"vgg16_bn", models::vgg16_bn, 138365992},
      {"vgg19", models::vgg19, 143667240}, {"vgg19_bn", models::vgg19_bn, 143678248},
  };
  return table;
}

}  // namespace

// Each published model is built once, through the registry at (3, 224, 224) and 1000 classes: its
// parameter count and torchvision parity (on 1×3×32×32). One test per model.
class ZooVGGPublished : public ::testing::TestWithParam<size_t> {};

TEST_P(ZooVGGPublished, CountAndParity) {
  const Published& m = vggs()[GetParam()];
  auto net = models::create(m.name, models::DataShape{1000, {3, 224, 224}});
  EXPECT_EQ(net->num_parameters(), m.params) << m.name;
  nabla::testing::expect_zoo_parity(*net, "zoo_vgg.safetensors", m.name);
  if (std::string(m.name) == "vgg11_bn") {  // one forward at 224: the layout is shared by all eight
    NoGradGuard no_grad;
    EXPECT_EQ((*net)(randn({1, 3, 224, 224})).shape(), (Shape{1, 1000}));
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ZooVGGPublished, ::testing::Range<size_t>(0, 8),
                         [](const ::testing::TestParamInfo<size_t>& info) { return std::string(vggs()[info.param].name); });

// AlexNet and ZFNet at 224: counts, parity, and nn::summary's bookkeeping (its forward pass at
// 1×3×224×224 also checks the output shape).
TEST(ZooVGG, AlexNetAndZFNet) {
  auto alex = models::create("alexnet", models::DataShape{1000, {3, 224, 224}});
  EXPECT_EQ(alex->num_parameters(), 61100840);
  nabla::testing::expect_zoo_parity(*alex, "zoo_vgg.safetensors", "alexnet");
  const nn::ModelSummary s = nn::summary(*alex, {3, 224, 224});
  EXPECT_EQ(s.total_params, 61100840);
  EXPECT_EQ(s.rows.back().output_shape, (Shape{1, 1000}));
  bool found = false;
  for (const auto& row : s.rows) {
    if (row.name != "classifier.1") continue;
    found = true;
    EXPECT_EQ(row.type, "Linear");
    EXPECT_EQ(row.params, 37752832);  // FC6: 9216·4096 + 4096
    EXPECT_EQ(row.output_shape, (Shape{1, 4096}));
  }
  EXPECT_TRUE(found);

  // ZFNet: conv 3·96·49+96, 96·256·25+256, 256·384·9+384, 384·384·9+384, 384·256·9+256, then
  // AlexNet's classifier: 9216·4096+4096, 4096·4096+4096, 4096·1000+1000.
  auto zf = models::create("zfnet", models::DataShape{1000, {3, 224, 224}});
  EXPECT_EQ(zf->num_parameters(), 14208 + 614656 + 885120 + 1327488 + 884992 + 37752832 + 16781312 + 4097000);
  EXPECT_EQ(zf->num_parameters(), 62357608);
  // Its feature maps follow the paper: 110 after conv1, 55 after pool1, 26, 13, and 6.
  const nn::ModelSummary z = nn::summary(*zf, {3, 224, 224});
  std::map<std::string, Shape> shapes;
  for (const auto& row : z.rows) shapes[row.name] = row.output_shape;
  EXPECT_EQ(shapes["features.0"], (Shape{1, 96, 110, 110}));
  EXPECT_EQ(shapes["features.2"], (Shape{1, 96, 55, 55}));
  EXPECT_EQ(shapes["features.4"], (Shape{1, 256, 26, 26}));
  EXPECT_EQ(shapes["features.6"], (Shape{1, 256, 13, 13}));
  EXPECT_EQ(shapes["features.14"], (Shape{1, 256, 6, 6}));
  EXPECT_EQ(z.rows.back().output_shape, (Shape{1, 1000}));
}

TEST(ZooVGG, SmallInputVariants) {
  {
    NoGradGuard no_grad;
    for (auto net : {std::shared_ptr<nn::UnaryModule>(models::vgg11(10, 1, true)),
                     std::shared_ptr<nn::UnaryModule>(models::alexnet(10, 1, true)),
                     std::shared_ptr<nn::UnaryModule>(models::zfnet(10, 1, true))}) {
      net->eval();
      EXPECT_EQ((*net)(randn({2, 1, 28, 28})).shape(), (Shape{2, 10})) << net->name();
    }
    for (auto net : {std::shared_ptr<nn::UnaryModule>(models::vgg16_bn(10, 3, true)),
                     std::shared_ptr<nn::UnaryModule>(models::alexnet(10, 3, true)),
                     std::shared_ptr<nn::UnaryModule>(models::zfnet(10, 3, true))}) {
      net->eval();
      EXPECT_EQ((*net)(randn({2, 3, 32, 32})).shape(), (Shape{2, 10})) << net->name();
    }
  }
  // VGG-11 small: the convolutions of configuration A on one channel, then 512 → 512 → 512 → 10.
  const int64_t convs = (1 * 64 + 64 * 128 + 128 * 256 + 256 * 256 + 256 * 512 + 3 * 512 * 512) * 9 +
                        (64 + 128 + 256 * 2 + 512 * 4);
  EXPECT_EQ(models::vgg11(10, 1, true)->num_parameters(), convs + 512 * 513 * 2 + 513 * 10);
  auto vgg = models::vgg11_bn(10, 1, true);
  expect_training_lowers_loss(*vgg, {4, 1, 28, 28}, {.lr = 0.01, .seed = 13, .targets = {1, 2, 3, 4}, .train_mode = false});
  auto alex = models::alexnet(10, 1, true);
  expect_training_lowers_loss(*alex, {4, 1, 28, 28}, {.lr = 0.01, .seed = 13, .targets = {1, 2, 3, 4}, .train_mode = false});
}

TEST(ZooVGG, Registry) {
  // The factories at 1000 classes equal the registry's models (PublishedModels) in size.
  EXPECT_EQ(models::vgg11()->num_parameters(), 132863336);
  EXPECT_EQ(models::zfnet()->num_parameters(), 62357608);
  for (const char* name : {"alexnet", "zfnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
                           "vgg19_bn"}) {
    auto small = models::create(name, models::DataShape{10, {1, 28, 28}});
    NoGradGuard no_grad;
    small->eval();
    EXPECT_EQ((*small)(randn({1, 1, 28, 28})).shape(), (Shape{1, 10})) << name;
  }
}
