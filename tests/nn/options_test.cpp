// Layer options filled by name (C++20 designated initialisers): the same layer as the positional
// constructor, PyTorch's defaults for what is left out, errors for missing required arguments,
// and one momentum type across the norm layers.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "nabla/nabla.h"
#include "nabla/nn.h"

using namespace nabla;

namespace {
// Runs f and expects an Error whose message contains `part`.
template <class F>
void expect_error_with(F&& f, const std::string& part) {
  try {
    f();
    FAIL() << "expected an Error containing " << part;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(LayerOptions, ConvolutionsByName) {
  nn::Conv2d named({.in_channels = 3, .out_channels = 16, .kernel_size = 3, .padding = 1, .bias = false});
  nn::Conv2d positional(3, 16, 3, 1, 1, 1, 1, false);
  EXPECT_EQ(named.extra_repr(), positional.extra_repr());
  EXPECT_EQ(named.name(), "Conv2d");
  EXPECT_FALSE(named.bias.defined());
  nn::Conv1d c1(nn::Conv1dOptions{.in_channels = 2, .out_channels = 4, .kernel_size = 3, .padding = "same",
                                  .padding_mode = "reflect"});
  EXPECT_EQ(c1.extra_repr(), nn::Conv1d(2, 4, 3, 1, "same", 1, 1, true, "reflect").extra_repr());
  EXPECT_EQ(c1(randn({1, 2, 7})).shape(), (Shape{1, 4, 7}));
  nn::Conv3d c3({.in_channels = 4, .out_channels = 4, .kernel_size = {1, 3, 3}, .groups = 2});
  EXPECT_EQ(c3.name(), "Conv3d");
  EXPECT_EQ(c3.weight.shape(), (Shape{4, 2, 1, 3, 3}));
  nn::ConvTranspose2d up({.in_channels = 32, .out_channels = 16, .kernel_size = 3, .stride = 2, .padding = 1,
                          .output_padding = 1});
  EXPECT_EQ(up.extra_repr(), nn::ConvTranspose2d(32, 16, 3, 2, 1, 1).extra_repr());
  EXPECT_EQ(up(randn({1, 32, 5, 5})).shape(), (Shape{1, 16, 10, 10}));
  EXPECT_EQ(nn::ConvTranspose1d({.in_channels = 1, .out_channels = 1, .kernel_size = 2}).name(), "ConvTranspose1d");
  // Left-out required arguments name themselves.
  expect_error_with([] { nn::Conv2d(nn::Conv2dOptions{.in_channels = 1, .out_channels = 2}); }, "kernel_size");
  expect_error_with([] { nn::Conv2d(nn::Conv2dOptions{.kernel_size = 3}); }, "in_channels");
}

TEST(LayerOptions, PoolingByName) {
  nn::MaxPool2d typed(nn::MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = true});
  nn::MaxPool2d braced({.kernel_size = 3, .stride = 2, .ceil_mode = true});
  const std::string expected = "kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=True";
  EXPECT_EQ(typed.extra_repr(), expected);
  EXPECT_EQ(braced.extra_repr(), expected);
  EXPECT_EQ(nn::MaxPool2d(3, 2, 0, 1, false, true).extra_repr(), expected);
  EXPECT_EQ(typed(zeros({1, 1, 6, 6})).shape(), (Shape{1, 1, 3, 3}));  // ceil((6 − 3)/2) + 1
  EXPECT_EQ(nn::MaxPool1d(nn::MaxPool1dOptions{.kernel_size = 2}).stride, (IntList{2}));  // None → kernel_size
  EXPECT_EQ(nn::MaxPool3d(nn::MaxPool3dOptions{.kernel_size = 2}).name(), "MaxPool3d");

  nn::AvgPool2d avg({.kernel_size = 2, .count_include_pad = false, .divisor_override = 3});
  EXPECT_EQ(avg.divisor_override, std::optional<int64_t>(3));
  EXPECT_FALSE(avg.count_include_pad);
  EXPECT_NEAR(avg(ones({1, 1, 2, 2})).item(), 4.0 / 3.0, 1e-6);
  EXPECT_EQ(nn::AvgPool1d(nn::AvgPool1dOptions{.kernel_size = 2, .stride = 1}).extra_repr(),
            nn::AvgPool1d(2, 1).extra_repr());
  expect_error_with([] { nn::AvgPool1d(nn::AvgPool1dOptions{.kernel_size = 2, .divisor_override = 2}); },
                    "divisor_override");

  nn::LPPool2d lp({.norm_type = 2, .kernel_size = 3, .stride = 2});
  EXPECT_EQ(lp.extra_repr(), nn::LPPool2d(2, 3, 2).extra_repr());
  EXPECT_EQ(nn::LPPool1d(nn::LPPool1dOptions{.norm_type = 1, .kernel_size = 2}).name(), "LPPool1d");
  expect_error_with([] { nn::LPPool2d(nn::LPPool2dOptions{.kernel_size = 2}); }, "norm_type");
  expect_error_with([] { nn::MaxPool2d(nn::MaxPool2dOptions{}); }, "MaxPool2d: kernel_size is required");
  EXPECT_EQ(nn::AdaptiveMaxPool3d(1).name(), "AdaptiveMaxPool3d");
  EXPECT_EQ(nn::AdaptiveAvgPool1d(4).name(), "AdaptiveAvgPool1d");
}

TEST(LayerOptions, UpsampleAndEmbeddingByName) {
  nn::Upsample up({.scale_factor = {2.0}, .mode = "bilinear", .align_corners = true});
  EXPECT_EQ(up.extra_repr(), "scale_factor=2.0, mode=bilinear");
  EXPECT_EQ(up.align_corners, std::optional<bool>(true));
  const Tensor x = arange(4.0).to(DType::Float32).reshape({1, 1, 2, 2});
  EXPECT_TRUE(allclose(up(x), nn::Upsample(std::nullopt, std::vector<double>{2.0}, "bilinear", true)(x)));
  EXPECT_EQ(nn::Upsample(nn::UpsampleOptions{.size = {3, 5}})(x).shape(), (Shape{1, 1, 3, 5}));

  nn::Embedding e({.num_embeddings = 10, .embedding_dim = 3, .padding_idx = -1});
  EXPECT_EQ(e.padding_idx, std::optional<int64_t>(9));
  EXPECT_EQ(e.extra_repr(), nn::Embedding(10, 3, 9).extra_repr());
}

TEST(LayerOptions, NormsByName) {
  nn::BatchNorm2d bn({.num_features = 4, .momentum = std::nullopt, .affine = false});
  EXPECT_EQ(bn.extra_repr(), "4, eps=1e-05, momentum=None, affine=False, track_running_stats=True");
  EXPECT_EQ(bn.extra_repr(), nn::BatchNorm2d(4, 1e-5, std::nullopt, false).extra_repr());
  EXPECT_EQ(nn::BatchNorm1d(nn::BatchNorm1dOptions{.num_features = 3}).extra_repr(), nn::BatchNorm1d(3).extra_repr());
  EXPECT_EQ(nn::BatchNorm3d(nn::BatchNorm3dOptions{.num_features = 3}).name(), "BatchNorm3d");

  nn::InstanceNorm2d in({.num_features = 2, .eps = 1e-3, .affine = true});
  EXPECT_EQ(in.extra_repr(), "2, eps=0.001, momentum=0.1, affine=True, track_running_stats=False");
  EXPECT_EQ(nn::InstanceNorm1d(nn::InstanceNorm1dOptions{.num_features = 2}).name(), "InstanceNorm1d");

  nn::GroupNorm gn({.num_groups = 2, .num_channels = 4, .affine = false});
  EXPECT_EQ(gn.extra_repr(), nn::GroupNorm(2, 4, 1e-5, false).extra_repr());
  expect_error_with([] { nn::GroupNorm(nn::GroupNormOptions{.num_channels = 4}); }, "GroupNorm");

  nn::LayerNorm ln(nn::LayerNormOptions{.normalized_shape = {2, 3}, .elementwise_affine = false});
  EXPECT_EQ(ln.extra_repr(), nn::LayerNorm({2, 3}, 1e-5, false).extra_repr());
  EXPECT_FALSE(ln.weight.defined());

  nn::LocalResponseNorm lrn({.size = 5, .alpha = 1e-4, .beta = 0.75, .k = 2.0});
  EXPECT_EQ(lrn.extra_repr(), nn::LocalResponseNorm(5, 1e-4, 0.75, 2.0).extra_repr());
}

// momentum is std::optional<double> across the norm layers; std::nullopt is the cumulative
// moving average (factor 1/num_batches_tracked) in BatchNorm and InstanceNorm alike.
TEST(LayerOptions, MomentumNoneIsACumulativeAverage) {
  const Tensor a = full({2, 1, 3}, 1.0), b = full({2, 1, 3}, 4.0);
  nn::BatchNorm1d bn({.num_features = 1, .momentum = std::nullopt});
  nn::InstanceNorm1d in({.num_features = 1, .momentum = std::nullopt, .track_running_stats = true});
  for (nn::NormBase* norm : {static_cast<nn::NormBase*>(&bn), static_cast<nn::NormBase*>(&in)}) {
    SCOPED_TRACE(norm->name());
    auto& layer = static_cast<nn::UnaryModule&>(*norm);
    layer(a);
    EXPECT_NEAR(norm->running_mean.item(), 1.0, 1e-6);  // 0 + (1 − 0)/1
    layer(b);
    EXPECT_NEAR(norm->running_mean.item(), 2.5, 1e-6);  // 1 + (4 − 1)/2
    EXPECT_EQ(norm->num_batches_tracked.item(), 2.0);
  }
  // With a momentum, InstanceNorm keeps PyTorch's bookkeeping (no batch count).
  nn::InstanceNorm1d fixed({.num_features = 1, .track_running_stats = true});
  fixed(a);
  EXPECT_NEAR(fixed.running_mean.item(), 0.1, 1e-6);
  EXPECT_EQ(fixed.num_batches_tracked.item(), 0.0);
  static_assert(std::is_same_v<decltype(nn::BatchNormOptions::momentum), decltype(nn::InstanceNormOptions::momentum)>);
  static_assert(std::is_same_v<decltype(nn::NormBase::momentum), std::optional<double>>);
}
