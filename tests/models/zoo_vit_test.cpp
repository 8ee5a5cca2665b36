// The Vision Transformer family (models/vit.h): parameter counts, the forward shape at 224,
// torchvision parity (tests/fixtures/parity/zoo_vit.safetensors, written by
// tools/parity/zoo_vit.py), the small variant, stochastic depth, gradcheck of the blocks in
// float64, the registry entries and the errors.
#include <gtest/gtest.h>

#include "error_of.h"
#include "models/one_thread.h"
#include "models/zoo_parity.h"
#include "nabla/autograd.h"
#include "nabla/models/vit.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/random.h"

using namespace nabla;
using nabla::testing::error_of;

// Full-size models are built as few times as the checks allow (each is 88 M parameters to draw):
// vit_b_32 here, vit_b_16 in the parity test and twice through the registry.
TEST(ZooViT, ParameterCountsAndForwardAt224) {
  EXPECT_EQ(models::vit_small()->num_parameters(), 805130);  // 1×28×28, 10 classes
  manual_seed(0);
  auto vit = models::vit_b_32();
  EXPECT_EQ(vit->num_parameters(), 88224232);
  vit->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*vit)(randn({1, 3, 224, 224})).shape(), (Shape{1, 1000}));
}

TEST(ZooViT, ViTLarge16CountsTorchvisionsParameters) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "304 M parameters (1.2 GB): too slow to draw under AddressSanitizer";
#endif
  EXPECT_EQ(models::vit_l_16()->num_parameters(), 304326632);
}

TEST(ZooViT, ParityWithTorchvisionViTB16At224) {
  auto vit = models::vit_b_16();
  EXPECT_EQ(vit->num_parameters(), 86567656);
  // Also the forward at the published size: torchvision's logits are (1, 1000).
  nabla::testing::expect_zoo_parity(*vit, "zoo_vit.safetensors", "vit_b_16");
}

TEST(ZooViT, ParityWithTorchvisionSmallConfiguration) {
  auto vit = models::vit_small(10, 1, 28, 4);
  nabla::testing::expect_zoo_parity(*vit, "zoo_vit.safetensors", "vit_small");
}

TEST(ZooViT, StateDictKeysAreTorchvisions) {
  auto vit = models::vit_small(10, 1, 28, 4);
  const StateDict sd = vit->state_dict();
  for (const char* key : {"class_token", "conv_proj.weight", "encoder.pos_embedding",
                          "encoder.layers.encoder_layer_0.ln_1.weight",
                          "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
                          "encoder.layers.encoder_layer_0.self_attention.in_proj_bias",
                          "encoder.layers.encoder_layer_0.self_attention.out_proj.weight",
                          "encoder.layers.encoder_layer_5.mlp.0.weight", "encoder.layers.encoder_layer_5.mlp.3.bias",
                          "encoder.ln.bias", "heads.head.weight"})
    EXPECT_TRUE(sd.count(key)) << key;
  EXPECT_EQ(sd.at("encoder.pos_embedding").shape(), (Shape{1, 50, 128}));
}

TEST(ZooViT, InitialisationIsTorchvisions) {
  manual_seed(3);
  auto vit = models::vit_small(10, 1, 28, 4);
  auto all_zero = [](const Tensor& t) { return max(abs(t)).item() == 0.0; };
  EXPECT_TRUE(all_zero(vit->class_token));
  EXPECT_TRUE(all_zero(vit->heads->named_parameters()[0].second));  // head weight
  EXPECT_TRUE(all_zero(vit->conv_proj->bias));
  // conv_proj: truncated normal with std √(1/16), cut at ±2.
  const Tensor w = vit->conv_proj->weight;
  EXPECT_NEAR(nabla::std(w).item(), 0.25, 0.02);
  EXPECT_LE(max(abs(w)).item(), 2.0);
  EXPECT_NEAR(nabla::std(vit->encoder->pos_embedding).item(), 0.02, 0.002);
  // MLP biases N(0, 1e-6²); Xavier-uniform weights bound √(6/(128 + 256)).
  const auto block = std::static_pointer_cast<models::EncoderBlock>((*vit->encoder->layers)[0]);
  const auto fc1 = block->mlp->fc1;
  EXPECT_LT(max(abs(fc1->bias)).item(), 1e-5);
  EXPECT_GT(max(abs(fc1->bias)).item(), 0.0);
  EXPECT_LE(max(abs(fc1->weight)).item(), std::sqrt(6.0 / 384.0));
  EXPECT_GT(max(abs(fc1->weight)).item(), 0.9 * std::sqrt(6.0 / 384.0));
}

TEST(ZooViT, SmallVariantTrainsOn28And32) {
  OneThread one_thread;  // a small model: one thread is faster than a team on a busy machine
  manual_seed(1);
  auto vit = models::create("vit_small", {10, {1, 28, 28}});
  EXPECT_EQ(vit->num_parameters(), 805130);
  {
    NoGradGuard no_grad;
    EXPECT_EQ((*vit)(randn({2, 1, 28, 28})).shape(), (Shape{2, 10}));
    auto rgb = models::create("vit_small", {10, {3, 32, 32}});
    EXPECT_EQ(rgb->num_parameters(), 811146);
    EXPECT_EQ((*rgb)(randn({2, 3, 32, 32})).shape(), (Shape{2, 10}));
  }
  const Tensor x = randn({8, 1, 28, 28});
  const Tensor y = randint(0, 10, {8});
  optim::SGD opt(vit->parameters(), {.lr = 0.05, .momentum = 0.9});
  double first = 0, last = 0;
  for (int step = 0; step < 6; ++step) {
    const Tensor loss = nn::functional::cross_entropy((*vit)(x), y);
    if (step == 0) first = loss.item();
    last = loss.item();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  EXPECT_NEAR(first, std::log(10.0), 1e-6);  // the head starts at zero
  EXPECT_LT(last, first - 0.1);
}

TEST(ZooViT, DropPathIsStochasticDepthWithLinearRates) {
  OneThread one_thread;
  manual_seed(2);
  auto plain = models::vit_small(10, 1, 28, 4);
  auto deep = models::vit_small(10, 1, 28, 4, 0.25);
  const StateDict a = plain->state_dict(), b = deep->state_dict();
  ASSERT_EQ(a.size(), b.size());  // DropPath has no parameters
  deep->load_state_dict(a);
  auto block = [&](int i) { return std::static_pointer_cast<models::EncoderBlock>((*deep->encoder->layers)[i]); };
  EXPECT_EQ(block(0)->drop_path, nullptr);
  ASSERT_NE(block(5)->drop_path, nullptr);
  EXPECT_DOUBLE_EQ(block(5)->drop_path->drop_prob, 0.25);
  EXPECT_DOUBLE_EQ(block(1)->drop_path->drop_prob, 0.05);
  {
    NoGradGuard no_grad;
    for (auto& [k, t] : deep->named_parameters()) nn::init::normal_(t, 0.0, 0.05);
    plain->load_state_dict(deep->state_dict());
  }
  const Tensor x = randn({4, 1, 28, 28});
  plain->eval();
  deep->eval();
  NoGradGuard no_grad;
  EXPECT_TRUE(allclose((*plain)(x), (*deep)(x)));  // identity in eval mode
  deep->train();
  EXPECT_FALSE(allclose((*plain)(x), (*deep)(x), 1e-4, 1e-4));  // whole branches dropped in training
}

TEST(ZooViT, GradcheckEncoderBlockFloat64) {
  OneThread one_thread;
  manual_seed(4);
  models::EncoderBlock block(2, 4, 6, 0.0, 0.0);
  block.to(DType::Float64);
  const Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_();
  auto r = nn::gradcheck_module(block, [&](const std::vector<Tensor>& v) { return block(v[0]); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(ZooViT, GradcheckPatchEmbeddingAndWholeModelFloat64) {
  OneThread one_thread;
  manual_seed(5);
  models::ViTConfig c{.image_size = 4, .patch_size = 2, .num_layers = 1, .num_heads = 2, .hidden_dim = 4,
                      .mlp_dim = 6, .num_classes = 3, .in_channels = 2};
  models::VisionTransformer vit(c);
  vit.to(DType::Float64);
  {
    NoGradGuard no_grad;  // the class token and head start at zero; make every path count
    nn::init::normal_(vit.class_token, 0.0, 0.5);
    for (auto& [k, t] : vit.heads->named_parameters()) nn::init::normal_(t, 0.0, 0.5);
  }
  const Tensor x = randn({2, 2, 4, 4}, DType::Float64).requires_grad_();
  const Tensor tokens = vit.patch_tokens(x);
  EXPECT_EQ(tokens.shape(), (Shape{2, 4, 4}));
  auto r = nn::gradcheck_module(*vit.conv_proj, [&](const std::vector<Tensor>& v) { return vit.patch_tokens(v[0]); },
                                {x});
  EXPECT_TRUE(r.ok) << r.message;
  r = nn::gradcheck_module(vit, [&](const std::vector<Tensor>& v) { return vit(v[0]); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(ZooViT, PatchTokensAreTheConvolutionInRowMajorPatchOrder) {
  manual_seed(6);
  models::VisionTransformer vit({.image_size = 8, .patch_size = 4, .num_layers = 1, .num_heads = 1,
                                 .hidden_dim = 2, .mlp_dim = 2, .num_classes = 2, .in_channels = 1});
  NoGradGuard no_grad;
  const Tensor x = randn({1, 1, 8, 8});
  const Tensor tokens = vit.patch_tokens(x);  // (1, 4, 2)
  const Tensor w = vit.conv_proj->weight.reshape({2, 16});
  // Patch 1 is the top-right 4×4 block.
  const Tensor patch = x.select(0, 0).select(0, 0).slice(0, 0, 4).slice(1, 4, 8).reshape({16, 1});
  const Tensor expected = matmul(w, patch).reshape({2}) + vit.conv_proj->bias;
  EXPECT_TRUE(allclose(tokens.select(0, 0).select(0, 1), expected, 1e-5, 1e-6));
}

TEST(ZooViT, RegistryEntries) {
  // The small stem of vit_b_16: patches of 4 on 28×28, the same encoder.
  for (const char* name : {"vit_b_16", "vit_small"}) {
    auto m = models::create(name, {10, {1, 28, 28}});
    EXPECT_EQ(m->num_parameters(), name == std::string("vit_small") ? 805130 : 85115914) << name;
    NoGradGuard no_grad;
    EXPECT_EQ((*m)(randn({1, 1, 28, 28})).shape(), (Shape{1, 10})) << name;
  }
  EXPECT_EQ(models::create("vit_b_16", {1000, {3, 224, 224}})->num_parameters(), 86567656);
  EXPECT_EQ(models::create("vit_small", {1000, {3, 224, 224}})->num_parameters(), 1047912);  // patch 16 at 224
  auto p7 = models::create("vit_small", {10, {1, 28, 28}}, models::ViTOptions{.patch_size = 7});
  EXPECT_EQ(std::static_pointer_cast<models::VisionTransformer>(p7)->seq_length, 17);
}

TEST(ZooViT, ErrorsNameTheModelAndShapes) {
  auto vit = models::vit_small();
  EXPECT_NE(error_of([&] { (*vit)(zeros({2, 1, 32, 32})); }).find("VisionTransformer: expected input (N, 1, 28, 28), got [2, 1, 32, 32]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { models::vit_small(10, 1, 30, 4); }).find("image_size 30 must be divisible by patch_size 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] { models::create("vit_small", {10, {1, 28, 32}}); }).find("vit_small needs square images, got 28x32"),
            std::string::npos);
  models::EncoderBlock block(2, 4, 6, 0.0, 0.0);
  EXPECT_NE(error_of([&] { block(zeros({2, 3, 5})); }).find("EncoderBlock: expected (batch_size, seq_length, 4)"),
            std::string::npos);
}
