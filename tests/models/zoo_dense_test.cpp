// The zoo's DenseNet, GoogLeNet and SqueezeNet: published parameter counts, output shapes,
// torchvision parity (tools/parity/zoo_dense.py), the small-input variants learning, gradchecks of
// their blocks and their registry entries.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/zoo_parity.h"
#include "models/zoo_test_util.h"
#include "nabla/autograd.h"
#include "nabla/models/densenet.h"
#include "nabla/models/googlenet.h"
#include "nabla/models/squeezenet.h"
#include "nabla/models/registry.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"

using namespace nabla;
using nabla::testing::expect_block_gradcheck;
using nabla::testing::expect_training_lowers_loss;

namespace {

Tensor rnd(const Shape& s, uint64_t seed, DType dtype = DType::Float32) {
  Generator g(seed);
  return randn(s, dtype, &g);
}

// Output shapes (2, 10) of a small-input model on (2, 1, 28, 28) and of its 3-channel twin on
// (2, 3, 32, 32).
void expect_small_shapes(const std::function<std::shared_ptr<nn::UnaryModule>(int64_t in_channels)>& make) {
  NoGradGuard no_grad;
  auto gray = make(1);
  gray->eval();
  EXPECT_EQ((*gray)(rnd({2, 1, 28, 28}, 1)).shape(), (Shape{2, 10}));
  auto color = make(3);
  color->eval();
  EXPECT_EQ((*color)(rnd({2, 3, 32, 32}, 2)).shape(), (Shape{2, 10}));
}

// models::create for a 1×28×28, 10-class data shape gives the small-input variant: the
// parameters of `expected` and (2, 10) logits.
void expect_registry_small(const std::string& name, const nn::Module& expected) {
  auto net = models::create(name, models::DataShape{10, {1, 28, 28}});
  EXPECT_EQ(net->num_parameters(), expected.num_parameters()) << name;
  net->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(rnd({2, 1, 28, 28}, 4)).shape(), (Shape{2, 10})) << name;
}

}  // namespace

// ---- DenseNet -------------------------------------------------------------------------------------

TEST(ZooDenseNet, PublishedParameterCounts) {
  EXPECT_EQ(models::densenet121()->num_parameters(), 7978856);
  EXPECT_EQ(models::densenet161()->num_parameters(), 28681000);
  EXPECT_EQ(models::densenet169()->num_parameters(), 14149480);
  EXPECT_EQ(models::densenet201()->num_parameters(), 20013928);
  // DenseNet-BC k=12, depth 100 (Huang et al.: 0.8 M), counted by torchvision's DenseNet with the
  // 3×3 stem: 769,162 for 3 channels, 768,730 for Fashion-MNIST's one.
  EXPECT_EQ(models::densenet_bc(10, 3)->num_parameters(), 769162);
  EXPECT_EQ(models::densenet_bc(10, 1)->num_parameters(), 768730);
}

TEST(ZooDenseNet, ImageNetForwardShape) {
  auto net = models::densenet121();
  net->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(rnd({1, 3, 224, 224}, 5)).shape(), (Shape{1, 1000}));
}

TEST(ZooDenseNet, TorchvisionParity) {
  auto net = models::densenet121();
  nabla::testing::expect_zoo_parity(*net, "zoo_dense.safetensors", "densenet121");
  auto bc = models::densenet_bc(10, 1);
  nabla::testing::expect_zoo_parity(*bc, "zoo_dense.safetensors", "densenet_bc");
}

TEST(ZooDenseNet, SmallInputVariants) {
  expect_small_shapes([](int64_t c) { return models::densenet_bc(10, c); });
  // densenet121's small variant: the stem is conv0 3×3 alone (no norm0, relu0, pool0). One image
  // only: its first block runs 6 layers of up to 256 channels at 28×28.
  auto small121 = models::densenet121(10, 1, true);
  EXPECT_EQ(small121->features->named_children()[0].first, "conv0");
  EXPECT_EQ(small121->features->named_children()[1].first, "denseblock1");
  small121->eval();
  {
    NoGradGuard no_grad;
    EXPECT_EQ((*small121)(rnd({1, 1, 28, 28}, 11)).shape(), (Shape{1, 10}));
  }
  auto net = models::densenet_bc(10, 1, 12, 22);
  expect_training_lowers_loss(*net, {4, 1, 28, 28}, {.seed = 3, .targets = {0, 3, 5, 7}});
}

TEST(ZooDenseNet, BlocksPassGradcheck) {
  models::DenseLayer layer(3, 2, 2, 0.0);
  expect_block_gradcheck(layer, {2, 3, 4, 4}, 7);
  models::DenseBlock block(2, 3, 2, 2, 0.0);
  expect_block_gradcheck(block, {2, 3, 4, 4}, 7);
  models::Transition transition(4, 2);
  expect_block_gradcheck(transition, {2, 4, 4, 4}, 7);
}

TEST(ZooDenseNet, BlockShapesAndErrors) {
  models::DenseBlock block(3, 8, 4, 5, 0.0);
  EXPECT_EQ(block.out_channels(), 8 + 3 * 5);
  NoGradGuard no_grad;
  const Tensor x = rnd({2, 8, 6, 6}, 6);
  const Tensor y = block(x);
  EXPECT_EQ(y.shape(), (Shape{2, 23, 6, 6}));
  // The block's input passes through unchanged as its first channels.
  EXPECT_TRUE(allclose(y.narrow(1, 0, 8), x));
  EXPECT_THROW(models::densenet_bc(10, 1, 12, 101), Error);
  EXPECT_THROW(models::DenseLayer(0, 12, 4, 0.0), Error);
}

// Without a graph a dense block writes its layers' channels into one buffer and each layer runs
// its two convolutions as one inference chain; with a graph, concatenation and the modules. Both
// give the same logits, for one image (the channel prefixes read in place) and for two (copied).
TEST(ZooDenseNet, NoGradInferenceEqualsTheGraphPath) {
  auto net = models::densenet_bc(10, 1, 12, 22);
  {
    NoGradGuard no_grad;  // running statistics away from 0 and 1
    for (uint64_t seed : {21, 22}) (*net)(rnd({4, 1, 28, 28}, seed) * 2.0 + 0.5);
  }
  net->eval();
  for (int64_t batch : {1, 2}) {
    const Tensor x = rnd({batch, 1, 28, 28}, 23);
    const Tensor graph = (*net)(x);  // the parameters require grad: concatenation, modules in turn
    ASSERT_TRUE(graph.requires_grad());
    NoGradGuard no_grad;
    const Tensor fast = (*net)(x);
    EXPECT_TRUE(allclose(fast, graph.detach(), 1e-4, 1e-5)) << "batch " << batch;
  }
}

TEST(ZooDenseNet, Registry) {
  expect_registry_small("densenet_bc", *models::densenet_bc(10, 1));
  // The larger ones are built (and counted) without a forward pass: their small variants run
  // their dense blocks at 28×28 and 14×14, too costly for this suite.
  // Their counts follow from the published ones: conv0 7×7×3 → 3×3×1, no norm0 (2 per initial
  // feature), a classifier of 10 instead of 1000 outputs on the final features.
  const models::DataShape small{10, {1, 28, 28}};
  auto small_count = [](int64_t published, int64_t init, int64_t final_features) {
    return published - init * 3 * 49 + init * 9 - 2 * init - 990 * (final_features + 1);
  };
  EXPECT_EQ(models::create("densenet121", small)->num_parameters(), small_count(7978856, 64, 1024));
  EXPECT_EQ(models::create("densenet161", small)->num_parameters(), small_count(28681000, 96, 2208));
  EXPECT_EQ(models::create("densenet169", small)->num_parameters(), small_count(14149480, 64, 1664));
  EXPECT_EQ(models::create("densenet201", small)->num_parameters(), small_count(20013928, 64, 1920));
  EXPECT_EQ(models::create("densenet121", models::DataShape{1000, {3, 224, 224}})->num_parameters(), 7978856);
  EXPECT_EQ(models::create("densenet_bc", small)->num_parameters(), 768730);
  EXPECT_EQ(models::create("densenet_bc", models::DataShape{10, {1, 28, 28}},
                           models::OptionValues{{"growth_rate", int64_t{24}}, {"depth", int64_t{40}}})
                ->num_parameters(),
            models::densenet_bc(10, 1, 24, 40)->num_parameters());
  EXPECT_THROW(models::create("densenet_bc", models::DataShape{10, {1, 28, 28}}, models::OptionValues{{"depth", int64_t{50}}}),
               Error);
}

// ---- GoogLeNet ------------------------------------------------------------------------------------

TEST(ZooGoogLeNet, PublishedParameterCounts) {
  EXPECT_EQ(models::googlenet()->num_parameters(), 6624904);
  // With torchvision's auxiliary heads (its GoogLeNet default, aux_logits=True).
  EXPECT_EQ(models::googlenet(1000, 3, false, true)->num_parameters(), 13004888);
}

TEST(ZooGoogLeNet, ImageNetForwardShape) {
  auto net = models::googlenet();
  net->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*net)(rnd({1, 3, 224, 224}, 5)).shape(), (Shape{1, 1000}));
}

TEST(ZooGoogLeNet, TorchvisionParity) {
  auto net = models::googlenet();
  nabla::testing::expect_zoo_parity(*net, "zoo_dense.safetensors", "googlenet");
  auto with_aux = models::googlenet(1000, 3, false, true);
  nabla::testing::expect_zoo_parity(*with_aux, "zoo_dense.safetensors", "googlenet_aux");
}

// The auxiliary tests run the ImageNet stem on 32×32 inputs (Inception modules at 4×4 down to
// 1×1): the same graph as at 224, at a small cost.
TEST(ZooGoogLeNet, AuxiliaryLogitsAndLoss) {
  auto net = models::googlenet(10, 1, false, true);
  const Tensor x = rnd({2, 1, 32, 32}, 8);
  const Tensor y = from_vector(std::vector<int64_t>{1, 4});
  net->train();
  const Tensor logits = (*net)(x);
  EXPECT_EQ(logits.shape(), (Shape{2, 10}));
  ASSERT_TRUE(net->aux_logits1.defined());
  EXPECT_EQ(net->aux_logits1.shape(), (Shape{2, 10}));
  EXPECT_EQ(net->aux_logits2.shape(), (Shape{2, 10}));
  const double expected = 0.3 * (nn::functional::cross_entropy(net->aux_logits1, y).item() +
                                 nn::functional::cross_entropy(net->aux_logits2, y).item());
  const Tensor aux = net->auxiliary_loss(y);
  EXPECT_NEAR(aux.item(), expected, 1e-6);
  // The auxiliary loss reaches the heads' parameters.
  aux.backward();
  ASSERT_TRUE(net->aux1->fc2->weight.grad().defined());
  EXPECT_GT(abs(net->aux1->fc2->weight.grad()).sum().item(), 0.0);
  // Eval mode runs no heads, as torchvision: no auxiliary logits and no auxiliary loss.
  net->eval();
  NoGradGuard no_grad;
  (*net)(x);
  EXPECT_FALSE(net->aux_logits1.defined());
  EXPECT_FALSE(net->auxiliary_loss(y).defined());
  // Without heads there is never an auxiliary loss.
  auto plain = models::googlenet(10, 1, false, false);
  (*plain)(x);
  EXPECT_FALSE(plain->auxiliary_loss(y).defined());
}

TEST(ZooGoogLeNet, TrainingStepAddsTheAuxiliaryLoss) {
  // train::classification_step (what `nabla train` runs) adds 0.3·(aux1 + aux2) to the main loss.
  models::GoogLeNetConfig c;
  c.num_classes = 10;
  c.in_channels = 1;
  c.dropout = 0;
  c.dropout_aux = 0;
  auto net = std::make_shared<models::GoogLeNet>(c);
  const data::Batch batch{rnd({2, 1, 32, 32}, 10), from_vector(std::vector<int64_t>{2, 9})};
  net->train();
  double expected = 0;
  {
    NoGradGuard no_grad;
    expected = nn::functional::cross_entropy((*net)(batch.input), batch.target).item() +
               net->auxiliary_loss(batch.target).item();
  }
  optim::SGD opt(net->parameters(), {.lr = 0.01});
  const train::StepResult r = train::classification_step(*net, opt)(batch);
  EXPECT_NEAR(r.loss, expected, 1e-5);
}

TEST(ZooGoogLeNet, TransformInputAsTorchvision) {
  // transform_input maps ImageNet-normalised channels to (x - 0.5) / 0.5: feeding the mapped input
  // to a copy without the transform gives the same logits.
  models::GoogLeNetConfig c;
  c.num_classes = 5;
  c.aux_logits = false;
  c.transform_input = true;
  manual_seed(3);
  auto a = std::make_shared<models::GoogLeNet>(c);
  c.transform_input = false;
  auto b = std::make_shared<models::GoogLeNet>(c);
  b->load_state_dict(a->state_dict());
  a->eval();
  b->eval();
  NoGradGuard no_grad;
  const Tensor x = rnd({1, 3, 32, 32}, 9);
  const double scale[3] = {0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5}, shift[3] = {(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5,
                                                                               (0.406 - 0.5) / 0.5};
  std::vector<Tensor> ch;
  for (int64_t i = 0; i < 3; ++i) ch.push_back(x.narrow(1, i, 1) * scale[i] + shift[i]);
  EXPECT_TRUE(allclose((*a)(x), (*b)(cat(ch, 1)), 1e-4, 1e-5));
  c.in_channels = 1;
  c.transform_input = true;
  EXPECT_THROW(models::GoogLeNet{c}, Error);
}

TEST(ZooGoogLeNet, SmallInputVariant) {
  expect_small_shapes([](int64_t c) { return models::googlenet(10, c, true); });
  auto net = models::googlenet(10, 1, true);
  EXPECT_EQ(net->conv1->conv->kernel_size, (IntList{3, 3}));
  expect_training_lowers_loss(*net, {4, 1, 28, 28}, {.lr = 0.02, .steps = 2, .seed = 3, .targets = {0, 3, 5, 7}});
}

TEST(ZooGoogLeNet, BlocksPassGradcheck) {
  models::BasicConv2d conv(2, 3, 3, 1, 1);
  expect_block_gradcheck(conv, {2, 2, 4, 4}, 7);
  models::Inception inception(3, 2, 2, 3, 1, 2, 2);
  EXPECT_EQ(inception.out_channels(), 2 + 3 + 2 + 2);
  expect_block_gradcheck(inception, {2, 3, 4, 4}, 7);
  // The head's widths are fixed (128 channels, fc1 2048 → 1024): only the input's gradient and
  // fc2's bias are checked numerically (through every layer of the head), to keep it small.
  models::InceptionAux aux(2, 3, 0.0);
  aux.requires_grad_(false);
  aux.fc2->bias.requires_grad_(true);
  expect_block_gradcheck(aux, {2, 2, 6, 6}, 7);
}

TEST(ZooGoogLeNet, Registry) {
  expect_registry_small("googlenet", *models::googlenet(10, 1, true));
  EXPECT_EQ(models::create("googlenet", models::DataShape{1000, {3, 224, 224}})->num_parameters(), 6624904);
  EXPECT_EQ(models::create("googlenet", models::DataShape{1000, {3, 224, 224}},
                           models::OptionValues{{"aux_logits", true}})
                ->num_parameters(),
            13004888);
}

// ---- SqueezeNet -----------------------------------------------------------------------------------

TEST(ZooSqueezeNet, PublishedParameterCounts) {
  EXPECT_EQ(models::squeezenet1_0()->num_parameters(), 1248424);
  EXPECT_EQ(models::squeezenet1_1()->num_parameters(), 1235496);
}

TEST(ZooSqueezeNet, ImageNetForwardShape) {
  for (auto net : {models::squeezenet1_0(), models::squeezenet1_1()}) {
    net->eval();
    NoGradGuard no_grad;
    EXPECT_EQ((*net)(rnd({1, 3, 224, 224}, 5)).shape(), (Shape{1, 1000}));
  }
}

TEST(ZooSqueezeNet, TorchvisionParity) {
  auto v10 = models::squeezenet1_0();
  nabla::testing::expect_zoo_parity(*v10, "zoo_dense.safetensors", "squeezenet1_0");
  auto v11 = models::squeezenet1_1();
  nabla::testing::expect_zoo_parity(*v11, "zoo_dense.safetensors", "squeezenet1_1");
}

TEST(ZooSqueezeNet, SmallInputVariants) {
  expect_small_shapes([](int64_t c) { return models::squeezenet1_0(10, c, true); });
  expect_small_shapes([](int64_t c) { return models::squeezenet1_1(10, c, true); });
  auto net = models::squeezenet1_1(10, 1, true);
  expect_training_lowers_loss(*net, {4, 1, 28, 28}, {.lr = 0.01, .steps = 6, .seed = 3, .targets = {0, 3, 5, 7}});
  EXPECT_THROW(models::SqueezeNet("1_2"), Error);
}

TEST(ZooSqueezeNet, FirePassesGradcheck) {
  models::Fire fire(3, 2, 2, 3);
  expect_block_gradcheck(fire, {2, 3, 4, 4}, 7);
}

TEST(ZooSqueezeNet, Registry) {
  expect_registry_small("squeezenet1_0", *models::squeezenet1_0(10, 1, true));
  expect_registry_small("squeezenet1_1", *models::squeezenet1_1(10, 1, true));
  EXPECT_EQ(models::create("squeezenet1_0", models::DataShape{1000, {3, 224, 224}})->num_parameters(), 1248424);
  EXPECT_EQ(models::create("squeezenet1_1", models::DataShape{1000, {3, 224, 224}})->num_parameters(), 1235496);
}
