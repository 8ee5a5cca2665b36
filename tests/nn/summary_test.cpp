// nn::summary: the notes' conv arithmetic, receptive fields, bottleneck and depthwise-separable
// parameter counts, AlexNet's FC layers, the table text and errors.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn.h"

using namespace nabla;

namespace {
std::shared_ptr<nn::Sequential> seq(std::vector<std::shared_ptr<nn::UnaryModule>> modules) {
  return std::make_shared<nn::Sequential>(std::move(modules));
}
}  // namespace

// Ex 1 of note 000: 65×77×3 input, 18 filters 5×5, stride 3, no padding.
TEST(Summary, NotesEx1ConvArithmetic) {
  auto net = seq({std::make_shared<nn::Conv2d>(3, 18, 5, 3)});
  nn::ModelSummary s = nn::summary(*net, {3, 65, 77});
  ASSERT_EQ(s.rows.size(), 1u);
  const nn::SummaryRow& conv = s.rows[0];
  EXPECT_EQ(conv.name, "0");
  EXPECT_EQ(conv.type, "Conv2d");
  EXPECT_EQ(conv.output_shape, (Shape{1, 18, 21, 25}));
  EXPECT_EQ(conv.params / 18, 76);                 // weights per filter, bias included
  EXPECT_EQ(shape_numel(conv.output_shape), 9450);  // neurons
  EXPECT_EQ(conv.multiply_adds, 718200);            // connections
  EXPECT_EQ(conv.params, 1368);
  EXPECT_EQ(s.total_params, 1368);
  EXPECT_EQ(s.total_multiply_adds, 718200);
  EXPECT_EQ(conv.receptive_field, (IntList{5, 5}));
  EXPECT_EQ(conv.jump, (IntList{3, 3}));
}

TEST(Summary, NotesFiveFilters380Parameters) {
  auto net = seq({std::make_shared<nn::Conv2d>(3, 5, 5)});
  nn::ModelSummary s = nn::summary(*net, {3, 32, 32});
  EXPECT_EQ(s.total_params, 380);
  EXPECT_EQ(s.trainable_params, 380);
  EXPECT_EQ(s.rows[0].output_shape, (Shape{1, 5, 28, 28}));
}

TEST(Summary, StackedThreeByThreeReceptiveFields) {
  auto net = seq({std::make_shared<nn::Conv2d>(1, 4, 3), std::make_shared<nn::ReLU>(),
                  std::make_shared<nn::Conv2d>(4, 4, 3), std::make_shared<nn::ReLU>(),
                  std::make_shared<nn::Conv2d>(4, 4, 3)});
  nn::ModelSummary s = nn::summary(*net, {1, 16, 16});
  ASSERT_EQ(s.rows.size(), 5u);
  EXPECT_EQ(s.rows[0].receptive_field, (IntList{3, 3}));
  EXPECT_EQ(s.rows[1].receptive_field, (IntList{3, 3}));  // ReLU keeps it
  EXPECT_EQ(s.rows[2].receptive_field, (IntList{5, 5}));
  EXPECT_EQ(s.rows[4].receptive_field, (IntList{7, 7}));
  EXPECT_EQ(s.rows[4].jump, (IntList{1, 1}));
}

TEST(Summary, ReceptiveFieldWithStrideDilationAndPooling) {
  // conv 3 s2 → R 3, J 2; maxpool 2 s2 → R 3 + 1·2 = 5, J 4; conv 3 d2 → R 5 + 2·2·4 = 21, J 4.
  auto net = seq({std::make_shared<nn::Conv2d>(1, 2, 3, 2, 1), std::make_shared<nn::MaxPool2d>(2),
                  std::make_shared<nn::Conv2d>(2, 2, nn::ConvInts{3, 1}, 1, 0, 2)});
  nn::ModelSummary s = nn::summary(*net, {1, 32, 32});
  EXPECT_EQ(s.rows[0].receptive_field, (IntList{3, 3}));
  EXPECT_EQ(s.rows[1].receptive_field, (IntList{5, 5}));
  EXPECT_EQ(s.rows[1].jump, (IntList{4, 4}));
  EXPECT_EQ(s.rows[1].multiply_adds, 0);
  EXPECT_EQ(s.rows[2].receptive_field, (IntList{21, 5}));
  EXPECT_EQ(s.rows[2].jump, (IntList{4, 4}));
}

// Note 000, GoogLeNet: a 5×5 conv from 128 to 256 channels ("128x5x5x256") vs a 1×1 bottleneck
// to 32 channels first ("128x1x1x32 + 32x5x5x256"); no biases, 28×28 maps.
TEST(Summary, NotesGoogLeNetBottleneck) {
  auto direct = seq({std::make_shared<nn::Conv2d>(128, 256, 5, 1, 2, 1, 1, /*bias=*/false)});
  auto bottleneck = seq({std::make_shared<nn::Conv2d>(128, 32, 1, 1, 0, 1, 1, false),
                         std::make_shared<nn::Conv2d>(32, 256, 5, 1, 2, 1, 1, false)});
  nn::ModelSummary a = nn::summary(*direct, {128, 28, 28});
  nn::ModelSummary b = nn::summary(*bottleneck, {128, 28, 28});
  EXPECT_EQ(a.total_params, 819200);
  EXPECT_EQ(b.total_params, 208896);
  EXPECT_EQ(b.rows[0].params, 4096);
  EXPECT_EQ(a.total_multiply_adds, int64_t{819200} * 28 * 28);
  EXPECT_EQ(b.total_multiply_adds, int64_t{208896} * 28 * 28);
  EXPECT_EQ(b.rows[1].output_shape, (Shape{1, 256, 28, 28}));
}

// Note 001: 3 input channels, 3×3 kernel, 8 output channels, no bias.
TEST(Summary, NotesDepthwiseSeparable) {
  auto normal = seq({std::make_shared<nn::Conv2d>(3, 8, 3, 1, 1, 1, 1, false)});
  auto separable = seq({std::make_shared<nn::Conv2d>(3, 3, 3, 1, 1, 1, /*groups=*/3, false),
                        std::make_shared<nn::Conv2d>(3, 8, 1, 1, 0, 1, 1, false)});
  EXPECT_EQ(nn::summary(*normal, {3, 10, 10}).total_params, 216);
  nn::ModelSummary s = nn::summary(*separable, {3, 10, 10});
  EXPECT_EQ(s.total_params, 51);
  EXPECT_EQ(s.rows[0].params, 27);
  EXPECT_EQ(s.total_multiply_adds, 51 * 100);
}

TEST(Summary, NotesAlexNetFullyConnected) {
  auto head = seq({std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(9216, 4096),
                   std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(4096, 4096)});
  nn::ModelSummary s = nn::summary(*head, {256, 6, 6});
  ASSERT_EQ(s.rows.size(), 4u);
  EXPECT_EQ(s.rows[0].output_shape, (Shape{1, 9216}));
  EXPECT_EQ(s.rows[1].params, 37752832);
  EXPECT_EQ(s.rows[3].params, 16781312);
  EXPECT_EQ(s.rows[1].multiply_adds, 37752832);
  EXPECT_TRUE(s.rows[1].receptive_field.empty());
  EXPECT_EQ(s.param_bytes, (37752832 + 16781312) * 4);
}

TEST(Summary, NestedNamesFrozenParamsAndRestoredModes) {
  auto features = seq({std::make_shared<nn::Conv2d>(1, 2, 3), std::make_shared<nn::BatchNorm2d>(2)});
  auto net = seq({});
  net->push_back("features", features);
  net->push_back("drop", std::make_shared<nn::Dropout>(0.5));
  features->operator[](0)->requires_grad_(false);
  net->train();
  nn::ModelSummary s = nn::summary(*net, {1, 5, 5});
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.rows[0].name, "features.0");
  EXPECT_EQ(s.rows[1].name, "features.1");
  EXPECT_EQ(s.rows[1].type, "BatchNorm2d");
  EXPECT_EQ(s.rows[2].name, "drop");
  EXPECT_EQ(s.total_params, 20 + 4);
  EXPECT_EQ(s.trainable_params, 4);
  EXPECT_EQ(s.rows[0].trainable_params, 0);
  EXPECT_TRUE(net->is_training());
  EXPECT_TRUE(features->operator[](1)->is_training());
  // The hooks are gone: a second summary gives the same rows, not twice as many.
  EXPECT_EQ(nn::summary(*net, {1, 5, 5}).rows.size(), 3u);
}

TEST(Summary, TableText) {
  manual_seed(0);
  auto net = seq({std::make_shared<nn::Conv2d>(1, 2, 3), std::make_shared<nn::ReLU>(), std::make_shared<nn::Flatten>(),
                  std::make_shared<nn::Linear>(8, 3)});
  const std::string expected =
      "================================================================================\n"
      "Layer (type)  Output shape  Param #  Trainable  Mult-adds  Receptive field  Jump\n"
      "================================================================================\n"
      "0 (Conv2d)    [1, 2, 2, 2]       20         20         80              3x3   1x1\n"
      "1 (ReLU)      [1, 2, 2, 2]        0          0          0              3x3   1x1\n"
      "2 (Flatten)   [1, 8]              0          0          0                -     -\n"
      "3 (Linear)    [1, 3]             27         27         27                -     -\n"
      "================================================================================\n"
      "Input shape: [1, 1, 4, 4]\n"
      "Total params: 47\n"
      "Trainable params: 47\n"
      "Non-trainable params: 0\n"
      "Total mult-adds: 107\n"
      "--------------------------------------------------------------------------------\n"
      "Input size (MB): 0.00\n"
      "Forward pass size (MB): 0.00\n"
      "Params size (MB): 0.00\n"
      "Estimated total size (MB): 0.00\n"
      "================================================================================\n";
  EXPECT_EQ(nn::summary(*net, {1, 4, 4}).to_string(), expected);
}

TEST(Summary, ThousandsSeparatorsAndFloat64) {
  auto net = seq({std::make_shared<nn::Linear>(1000, 1000)});
  net->to(DType::Float64);
  nn::ModelSummary s = nn::summary(*net, {1000}, DType::Float64);
  EXPECT_EQ(s.param_bytes, 1001000 * 8);
  EXPECT_NE(s.to_string().find("1,001,000"), std::string::npos);
}

TEST(Summary, ErrorsComeFromTheLayer) {
  auto net = seq({std::make_shared<nn::Conv2d>(3, 4, 3)});
  try {
    nn::summary(*net, {1, 8, 8});  // wrong channel count
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Conv2d"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nn::summary(*net, {3, 8}), Error);      // wrong rank
  EXPECT_THROW(nn::summary(*net, {3, 0, 8}), Error);   // empty size
  // After an error the hooks are removed and the mode restored.
  EXPECT_TRUE(net->is_training());
  EXPECT_EQ(nn::summary(*net, {3, 8, 8}).rows.size(), 1u);
}
