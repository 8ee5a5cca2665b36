// Pooling, resampling and shape layers: values worked by hand or taken from the course notes,
// PyTorch's output-size rules (ceil_mode, padding, dilation), indices, printed forms and errors.
#include "nabla/nn/functional/pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/nabla.h"
#include "nabla/nn/functional/resample.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/resample.h"
#include "nabla/nn/shape_layers.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

// A (1, 1, H, W) float32 image from rows.
Tensor image(std::initializer_list<std::initializer_list<double>> rows) {
  Tensor t = tensor(rows);
  return t.reshape({1, 1, t.size(0), t.size(1)});
}

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

// Valid cross-correlation of a 2-d image with a 2-d filter, stride 1 (to rebuild the notes'
// feature maps from their 6×6 image rather than only copying them).
std::vector<std::vector<double>> correlate(const std::vector<std::vector<double>>& img,
                                           const std::vector<std::vector<double>>& k) {
  const size_t oh = img.size() - k.size() + 1, ow = img[0].size() - k[0].size() + 1;
  std::vector<std::vector<double>> out(oh, std::vector<double>(ow, 0.0));
  for (size_t i = 0; i < oh; ++i)
    for (size_t j = 0; j < ow; ++j)
      for (size_t a = 0; a < k.size(); ++a)
        for (size_t b = 0; b < k[0].size(); ++b) out[i][j] += img[i + a][j + b] * k[a][b];
  return out;
}

// Expects an nabla::Error whose message contains every one of `parts`.
template <class Fn>
void expect_error(Fn&& fn, std::initializer_list<const char*> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

}  // namespace

// ---- oracles from the course notes --------------------------------------------------------------

// 000 (Week 5, "Pooling Layer"): 2×2 filter, stride 2 on the 4×4 feature map.
TEST(PoolOracle, NotesFeatureMapMaxAndAverage) {
  const Tensor fmap = image({{-1, 4, 1, 2}, {0, 1, 3, -2}, {1, 5, -2, 6}, {3, -1, -2, -2}});
  EXPECT_EQ(values(nn::MaxPool2d(2)(fmap)), (std::vector<float>{4, 3, 5, 6}));
  EXPECT_EQ(values(nn::AvgPool2d(2)(fmap)), (std::vector<float>{1, 1, 2, 0}));
  // The positions of the maxima: 4 at (0,1), 3 at (1,2), 5 at (2,1), 6 at (2,3).
  auto [y, idx] = F::max_pool2d_with_indices(fmap, 2);
  EXPECT_EQ(idx.to_vector<int64_t>(), (std::vector<int64_t>{1, 6, 9, 11}));
  EXPECT_EQ(idx.dtype(), DType::Int64);
}

// 001 ("卷积层" + "Pooling – Max Pooling"): the 6×6 image, filters 1 and 2 at stride 1 give two
// 4×4 feature maps; 2×2 max pooling keeps [[3, 0], [3, 1]] and [[-1, 1], [0, 3]].
TEST(PoolOracle, NotesSixBySixImageConvThenPool) {
  const std::vector<std::vector<double>> img = {{1, 0, 0, 0, 0, 1}, {0, 1, 0, 0, 1, 0}, {0, 0, 1, 1, 0, 0},
                                                {1, 0, 0, 0, 1, 0}, {0, 1, 0, 0, 1, 0}, {0, 0, 1, 0, 1, 0}};
  const auto map1 = correlate(img, {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}});
  const auto map2 = correlate(img, {{-1, 1, -1}, {-1, 1, -1}, {-1, 1, -1}});
  // The feature maps printed in the notes.
  EXPECT_EQ(map1, (std::vector<std::vector<double>>{{3, -1, -3, -1}, {-3, 1, 0, -3}, {-3, -3, 0, 1}, {3, -2, -2, -1}}));
  EXPECT_EQ(map2,
            (std::vector<std::vector<double>>{{-1, -1, -1, -1}, {-1, -1, -2, 1}, {-1, -1, -2, 1}, {-1, 0, -4, 3}}));
  std::vector<double> flat;
  for (const auto* m : {&map1, &map2})
    for (const auto& row : *m) flat.insert(flat.end(), row.begin(), row.end());
  const Tensor maps = from_vector(flat, Shape{1, 2, 4, 4});  // one image, two channels
  const Tensor pooled = nn::MaxPool2d(2)(maps);
  EXPECT_EQ(pooled.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(pooled.to_vector<double>(), (std::vector<double>{3, 0, 3, 1, -1, 1, 0, 3}));
  // Average pooling of the same maps: (3 − 1 − 3 + 1)/4 = 0, (−3 − 1 + 0 − 3)/4 = −1.75, …
  EXPECT_EQ(nn::AvgPool2d(2)(maps).to_vector<double>(),
            (std::vector<double>{0, -1.75, -1.25, -0.5, -1, -0.75, -0.75, -0.5}));
}

// 001 ("Pooling 前后对比"): 2×2 max pooling, stride 2.
TEST(PoolOracle, NotesBeforeAfterPooling) {
  const Tensor x = image({{1, 1, 2, 4}, {5, 6, 7, 8}, {3, 2, 1, 0}, {1, 1, 3, 4}});
  EXPECT_EQ(values(F::max_pool2d(x, 2, 2)), (std::vector<float>{6, 8, 3, 4}));
}

// 001: 3×3 max pooling at stride 2 on a 7×7 input gives 3×3 outputs (O11 … O33), each the
// maximum of its window; a [32×32×10] volume pooled 2×2/2 gives [16×16×10]; "Average POOL
// 4×4×10 to 10 neurons" is global average pooling.
TEST(PoolOracle, NotesPoolingShapes) {
  const Tensor x = arange(49.0).to(DType::Float32).reshape({1, 1, 7, 7});
  const Tensor y = nn::MaxPool2d(3, 2)(x);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(values(y), (std::vector<float>{16, 18, 20, 30, 32, 34, 44, 46, 48}));  // bottom-right of each window
  EXPECT_EQ(nn::MaxPool2d(2, 2)(zeros({1, 10, 32, 32})).shape(), (Shape{1, 10, 16, 16}));
  const Tensor fmap = randn({1, 10, 4, 4});
  const Tensor pooled = nn::Flatten()(nn::AdaptiveAvgPool2d(1)(fmap));
  EXPECT_EQ(pooled.shape(), (Shape{1, 10}));
  const auto means = fmap.mean({2, 3}).reshape({1, 10});
  EXPECT_TRUE(allclose(pooled, means, 1e-6, 1e-6));
}

// ---- output sizes -------------------------------------------------------------------------------

TEST(Pool, OutputSizesFollowPyTorch) {
  auto len = [](int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
    return F::max_pool1d(zeros({1, 1, in}), k, s, p, d, ceil).size(-1);
  };
  EXPECT_EQ(len(5, 2, 2, 0, 1, false), 2);
  EXPECT_EQ(len(5, 2, 2, 0, 1, true), 3);  // the last, partial window is kept
  EXPECT_EQ(len(5, 2, 2, 1, 1, true), 3);  // ceil gives 4, but window 4 would start in the right padding
  EXPECT_EQ(len(6, 3, 2, 1, 1, true), 4);
  EXPECT_EQ(len(11, 3, 2, 1, 2, false), 5);  // dilation 2: effective kernel 5
  EXPECT_EQ(len(7, 3, 1, 0, 1, false), 5);   // overlapping windows (kernel > stride)
  EXPECT_EQ(F::avg_pool2d(zeros({2, 3, 8, 7}), 3, 2, 1, true).shape(), (Shape{2, 3, 5, 4}));
  EXPECT_EQ(F::max_pool3d(zeros({1, 2, 4, 6, 5}), {2, 3, 2}, {1, 2, 2}, {1, 1, 0}, 1, true).shape(),
            (Shape{1, 2, 5, 4, 3}));
  EXPECT_EQ(F::max_pool2d(zeros({3, 5, 5}), 2).shape(), (Shape{3, 2, 2}));        // unbatched
  EXPECT_EQ(F::max_pool2d(zeros({0, 3, 4, 4}), 2).shape(), (Shape{0, 3, 2, 2}));  // empty batch
}

// ---- max pooling ----------------------------------------------------------------------------------

TEST(Pool, MaxPoolTiesNaNAndPadding) {
  // Ties: the first position of each window (row-major) wins, as PyTorch.
  auto [y, idx] = F::max_pool2d_with_indices(ones({1, 1, 4, 4}), 2);
  EXPECT_EQ(idx.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 8, 10}));
  // The same on rows of 8 outputs (the direct 2×2 row path).
  auto [y8, idx8] = F::max_pool2d_with_indices(ones({1, 1, 2, 16}), 2);
  EXPECT_EQ(idx8.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4, 6, 8, 10, 12, 14}));
  // NaN propagates.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = image({{1, nan, 3, 4}, {5, 6, 7, 8}});
  const auto v = values(F::max_pool2d(x, 2));
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 8.f);
  Tensor row = zeros({1, 1, 2, 16});
  row.data_ptr<float>()[17] = static_cast<float>(nan);  // second row, second column: window 0
  auto [yn, in] = F::max_pool2d_with_indices(row, 2);
  EXPECT_TRUE(std::isnan(values(yn)[0]));
  EXPECT_EQ(in.to_vector<int64_t>()[0], 17);
  // Padding is −inf: an all-negative border window returns its in-bounds maximum.
  const Tensor neg = image({{-5, -4, -3}, {-2, -1, -6}, {-7, -8, -9}});
  EXPECT_EQ(values(F::max_pool2d(neg, 3, 1, 1)), (std::vector<float>{-1, -1, -1, -1, -1, -1, -1, -1, -1}));
  auto [y2, i2] = F::max_pool2d_with_indices(neg, 2, 2, 1);  // windows of 1, 2, 2 and 4 elements
  EXPECT_EQ(values(y2), (std::vector<float>{-5, -3, -2, -1}));
  EXPECT_EQ(i2.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 3, 4}));
}

TEST(Pool, MaxPoolBackwardRoutesToArgmax) {
  Tensor x = image({{-1, 4, 1, 2}, {0, 1, 3, -2}, {1, 5, -2, 6}, {3, -1, -2, -2}}).requires_grad_();
  F::max_pool2d(x, 2).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<float>{0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0}));
  // Overlapping windows: an element that is the maximum of several windows collects them all.
  Tensor z = tensor({0, 9, 1, 2}).reshape({1, 1, 4}).requires_grad_();
  F::max_pool1d(z, 2, 1).sum().backward();  // windows [0 9] [9 1] [1 2]
  EXPECT_EQ(values(z.grad()), (std::vector<float>{0, 2, 0, 1}));
}

TEST(Pool, NonContiguousInputAndFloat64) {
  const Tensor base = randn({2, 3, 6, 5}, DType::Float64);
  const Tensor xt = base.transpose(2, 3);  // (2, 3, 5, 6), non-contiguous
  ASSERT_FALSE(xt.is_contiguous());
  const Tensor y = F::max_pool2d(xt, 2, 1, 1);
  EXPECT_EQ(y.dtype(), DType::Float64);
  EXPECT_TRUE(allclose(y, F::max_pool2d(xt.contiguous(), 2, 1, 1)));
  EXPECT_TRUE(allclose(F::avg_pool2d(xt, 3, 2, 1, true), F::avg_pool2d(xt.contiguous(), 3, 2, 1, true)));
}

// ---- average pooling ------------------------------------------------------------------------------

TEST(Pool, AvgPoolPaddingDivisors) {
  const Tensor x = tensor({1, 2, 3, 4}).reshape({1, 1, 4});
  // Padded zeros count by default: (0 + 1 + 2)/3 = 1 … (3 + 4 + 0)/3 = 7/3.
  const auto with_pad = values(F::avg_pool1d(x, 3, 1, 1));
  EXPECT_FLOAT_EQ(with_pad[0], 1.f);
  EXPECT_FLOAT_EQ(with_pad[3], 7.f / 3);
  // count_include_pad=false divides by the in-bounds count: (1 + 2)/2 … (3 + 4)/2.
  EXPECT_EQ(values(F::avg_pool1d(x, 3, 1, 1, false, false)), (std::vector<float>{1.5, 2, 3, 3.5}));
  // divisor_override replaces every divisor.
  EXPECT_EQ(values(F::avg_pool2d(image({{1, 2}, {3, 4}}), 2, {}, 0, false, true, 2)), (std::vector<float>{5}));
  // ceil_mode: the window past the end is divided by its size clipped to the padded input.
  EXPECT_EQ(values(F::avg_pool1d(tensor({1, 2, 3, 4, 5}).reshape({1, 1, 5}), 2, 2, 0, true)),
            (std::vector<float>{1.5, 3.5, 5}));
}

// ---- adaptive pooling -----------------------------------------------------------------------------

TEST(Pool, AdaptiveWindowsNonDivisible) {
  // Windows of 5 → 3: [0, 2), [1, 4), [3, 5).
  const Tensor x = tensor({1, 2, 3, 4, 5}).reshape({1, 1, 5});
  EXPECT_EQ(values(F::adaptive_avg_pool1d(x, 3)), (std::vector<float>{1.5, 3, 4.5}));
  auto [m, idx] = F::adaptive_max_pool1d_with_indices(x, 3);
  EXPECT_EQ(values(m), (std::vector<float>{2, 4, 5}));
  EXPECT_EQ(idx.to_vector<int64_t>(), (std::vector<int64_t>{1, 3, 4}));
  // Output larger than the input repeats elements.
  EXPECT_EQ(values(F::adaptive_avg_pool1d(tensor({1, 2}).reshape({1, 1, 2}), 3)), (std::vector<float>{1, 1.5, 2}));
  EXPECT_EQ(F::adaptive_max_pool2d(zeros({2, 3, 7, 9}), {3, 4}).shape(), (Shape{2, 3, 3, 4}));
  EXPECT_EQ(nn::AdaptiveAvgPool3d(2)(zeros({4, 5, 6, 7})).shape(), (Shape{4, 2, 2, 2}));
  // Global average pooling (blocks of planes; plane sizes below, at and above a vector's lanes).
  for (int64_t side : {3, 4, 5, 8}) {
    const Tensor g = randn({3, 37, side, side}, DType::Float64);
    EXPECT_TRUE(allclose(F::adaptive_avg_pool2d(g, 1), g.mean({2, 3}, true), 1e-12, 1e-12)) << side;
  }
}

// ---- power-average pooling and unpooling ------------------------------------------------------------

TEST(Pool, LPPool) {
  // p = 2 on 2×2 windows: the Euclidean norm of each window.
  const Tensor x = image({{3, 4, 1, 0}, {0, 0, 2, 2}});
  const auto y = values(nn::LPPool2d(2, 2)(x));
  EXPECT_FLOAT_EQ(y[0], 5.f);
  EXPECT_FLOAT_EQ(y[1], 3.f);
  // p = 1 is sum pooling.
  EXPECT_EQ(values(F::lp_pool1d(tensor({1, 2, 3, 4}).reshape({1, 1, 4}), 1, 2)), (std::vector<float>{3, 7}));
}

TEST(Pool, MaxUnpoolInvertsTheSelection) {
  const Tensor fmap = image({{-1, 4, 1, 2}, {0, 1, 3, -2}, {1, 5, -2, 6}, {3, -1, -2, -2}});
  auto pool = std::make_shared<nn::MaxPool2d>(2, nn::PoolInts{}, 0, 1, true);
  auto [y, idx] = pool->forward_with_indices(fmap);
  nn::MaxUnpool2d unpool(2);
  const Tensor back = unpool(y, idx);
  EXPECT_EQ(values(back), (std::vector<float>{0, 4, 0, 0, 0, 0, 3, 0, 0, 5, 0, 6, 0, 0, 0, 0}));
  // output_size may add up to stride − 1 rows/columns; indices then address the larger plane.
  EXPECT_EQ(unpool.forward(y, idx, IntList{5, 5}).shape(), (Shape{1, 1, 5, 5}));
  EXPECT_EQ(unpool.forward(y, idx, IntList{1, 1, 5, 4}).shape(), (Shape{1, 1, 5, 4}));
}

// ---- interpolation and pixel shuffle ---------------------------------------------------------------

TEST(Resample, NearestAndBilinearValues) {
  const Tensor x = image({{1, 2}, {3, 4}});
  EXPECT_EQ(values(nn::Upsample(std::nullopt, std::vector<double>{2})(x)),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  // align_corners=true: the corners stay, the centre is the mean.
  const auto ac = values(F::interpolate(image({{0, 1}, {2, 3}}), IntList{3, 3}, std::nullopt, "bilinear", true));
  EXPECT_EQ(ac, (std::vector<float>{0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}));
  // align_corners=false, 1-d ×2: sources −0.25→0, 0.25, 0.75, 1.25→clamped.
  const auto lin =
      values(F::interpolate(tensor({1, 2}).reshape({1, 1, 2}), std::nullopt, std::vector<double>{2}, "linear", false));
  EXPECT_EQ(lin, (std::vector<float>{1, 1.25, 1.75, 2}));
  // Downsampling by nearest picks floor(dst · in/out).
  EXPECT_EQ(values(F::interpolate(tensor({0, 1, 2, 3, 4, 5}).reshape({1, 1, 6}), IntList{4})),
            (std::vector<float>{0, 1, 3, 4}));
}

TEST(Resample, PixelShuffleRoundTrip) {
  const Tensor x = arange(8.0).to(DType::Float32).reshape({1, 8, 1, 1});
  const Tensor y = nn::PixelShuffle(2)(x);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
  const Tensor z = randn({2, 3, 18, 4, 5});
  EXPECT_TRUE(allclose(F::pixel_unshuffle(F::pixel_shuffle(z, 3), 3), z));
  EXPECT_EQ(nn::PixelUnshuffle(2)(zeros({3, 4, 6})).shape(), (Shape{12, 2, 3}));
}

// ---- shape layers and printed forms -----------------------------------------------------------

TEST(ShapeLayers, FlattenUnflattenIdentity) {
  const Tensor x = randn({2, 16, 5, 5});
  const Tensor f = nn::Flatten()(x);
  EXPECT_EQ(f.shape(), (Shape{2, 400}));
  EXPECT_EQ(nn::Flatten(0, 1)(x).shape(), (Shape{32, 5, 5}));
  EXPECT_EQ(nn::Unflatten(1, {16, -1, 5})(f).shape(), (Shape{2, 16, 5, 5}));
  EXPECT_TRUE(nn::Identity()(x).is_same(x));
}

TEST(PoolRepr, MatchesPyTorch) {
  nn::Sequential s;
  s.push_back(std::make_shared<nn::MaxPool2d>(2));
  s.push_back(std::make_shared<nn::AvgPool1d>(2));
  s.push_back(std::make_shared<nn::LPPool2d>(2, 3));
  s.push_back(std::make_shared<nn::Upsample>(std::nullopt, std::vector<double>{2}));
  s.push_back(std::make_shared<nn::Upsample>(IntList{3, 4}, std::nullopt, "bilinear"));
  s.push_back(std::make_shared<nn::MaxUnpool2d>(2));
  s.push_back(std::make_shared<nn::Flatten>());
  s.push_back(std::make_shared<nn::Unflatten>(1, Shape{2, 5}));
  s.push_back(std::make_shared<nn::Identity>());
  s.push_back(std::make_shared<nn::AdaptiveAvgPool2d>(nn::PoolInts{5, 7}));
  // The text PyTorch 1.13 prints for the same Sequential.
  EXPECT_EQ(s.to_string(),
            "Sequential(\n"
            "  (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            "  (1): AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))\n"
            "  (2): LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)\n"
            "  (3): Upsample(scale_factor=2.0, mode=nearest)\n"
            "  (4): Upsample(size=(3, 4), mode=bilinear)\n"
            "  (5): MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))\n"
            "  (6): Flatten(start_dim=1, end_dim=-1)\n"
            "  (7): Unflatten(dim=1, unflattened_size=(2, 5))\n"
            "  (8): Identity()\n"
            "  (9): AdaptiveAvgPool2d(output_size=(5, 7))\n"
            ")");
  EXPECT_EQ(s.num_parameters(), 0);
}

// ---- errors ----------------------------------------------------------------------------------------

TEST(PoolErrors, WrongRankNamesLayerExpectedAndReceived) {
  expect_error(
      [] {
        nn::MaxPool2d(2)(zeros({4, 4}));
      },
      {"MaxPool2d", "kernel_size=2", "expected a 3-d", "4-d", "[4, 4]"});
  expect_error([] { nn::AvgPool1d(2)(zeros({1, 2, 3, 4})); }, {"AvgPool1d", "expected a 2-d", "[1, 2, 3, 4]"});
  expect_error([] { nn::AdaptiveAvgPool2d(1)(zeros({5})); }, {"AdaptiveAvgPool2d", "[5]"});
  expect_error([] { F::max_pool3d(zeros({1, 2, 3, 4}).reshape({2, 12}), 2); }, {"max_pool3d", "[2, 12]"});
  expect_error(
      [] {
        nn::Upsample(std::nullopt, std::vector<double>{2}, "bilinear")(zeros({1, 2, 3}));
      },
      {"Upsample", "bilinear", "4-d", "[1, 2, 3]"});
  expect_error([] { nn::PixelShuffle(2)(zeros({4, 4})); }, {"PixelShuffle", "[4, 4]"});
  expect_error([] { nn::Flatten(2)(zeros({3, 4})); }, {"Flatten", "[3, 4]"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 4, 4}, DType::Int64), 2); }, {"max_pool2d", "floating", "int64"});
  expect_error([] { F::max_pool2d(zeros({1, 0, 4, 4}), 2); }, {"max_pool2d", "[1, 0, 4, 4]"});
}

TEST(PoolErrors, NonPositiveOutputAndBadArguments) {
  expect_error(
      [] {
        nn::MaxPool2d(3)(zeros({1, 1, 2, 2}));
      },
      {"MaxPool2d", "output size", "not positive", "[1, 1, 2, 2]", "kernel_size [3, 3]"});
  expect_error([] { F::avg_pool1d(zeros({1, 1, 2}), 5); }, {"avg_pool1d", "not positive", "[1, 1, 2]"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 8, 8}), 3, 1, 2); }, {"max_pool2d", "half of kernel_size"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 8, 8}), 0); }, {"max_pool2d", "kernel_size must be positive"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 8, 8}), 2, 0); }, {"max_pool2d", "stride must be positive"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 8, 8}), 2, 2, 0, 0); }, {"max_pool2d", "dilation"});
  expect_error([] { F::max_pool2d(zeros({1, 1, 8, 8}), {2, 2, 2}); }, {"max_pool2d", "kernel_size", "[2, 2, 2]"});
  expect_error([] { F::avg_pool2d(zeros({1, 1, 8, 8}), 2, {}, 0, false, true, 0); }, {"divisor_override"});
  expect_error([] { F::adaptive_avg_pool2d(zeros({1, 1, 8, 8}), {0, 2}); }, {"adaptive_avg_pool2d", "positive"});
  expect_error([] { F::lp_pool2d(zeros({1, 1, 8, 8}), 0, 2); }, {"lp_pool2d", "norm_type"});
}

TEST(PoolErrors, InterpolateArguments) {
  const Tensor x = zeros({1, 1, 4, 4});
  expect_error([&] { F::interpolate(x, IntList{8, 8}, std::vector<double>{2}); }, {"interpolate", "only one"});
  expect_error([&] { F::interpolate(x); }, {"interpolate", "either size or scale_factor"});
  expect_error([&] { F::interpolate(x, IntList{8}, std::nullopt, "bicubic"); }, {"interpolate", "bicubic"});
  expect_error([&] { F::interpolate(x, IntList{8}, std::nullopt, "nearest", true); }, {"align_corners"});
  expect_error([&] { F::interpolate(x, std::nullopt, std::vector<double>{0.1}); }, {"interpolate", "not positive"});
  expect_error([&] { F::interpolate(x, IntList{8, 8, 8}); }, {"interpolate", "size", "[8, 8, 8]"});
  expect_error([&] { F::interpolate(zeros({4, 4}), IntList{8}); }, {"interpolate", "[4, 4]"});
}

TEST(PoolErrors, PixelShuffleAndUnpool) {
  expect_error([] { F::pixel_shuffle(zeros({1, 6, 2, 2}), 2); }, {"pixel_shuffle", "divisible", "[1, 6, 2, 2]"});
  expect_error([] { F::pixel_unshuffle(zeros({1, 1, 3, 4}), 2); }, {"pixel_unshuffle", "divisible"});
  const Tensor x = ones({1, 1, 2, 2});
  const Tensor idx = tensor({{0, 1}, {2, 99}}, DType::Int64).reshape({1, 1, 2, 2});
  expect_error([&] { F::max_unpool2d(x, idx, 2); }, {"max_unpool2d", "invalid max index 99"});
  expect_error([&] { F::max_unpool2d(x, idx.reshape({1, 4}), 2); }, {"max_unpool2d", "indices", "[1, 4]"});
  expect_error([&] { F::max_unpool2d(x, idx.to(DType::Float32), 2); }, {"max_unpool2d", "int64"});
  expect_error(
      [&] {
        F::max_unpool2d(x, zeros({1, 1, 2, 2}, DType::Int64), 2, 2, 0, IntList{7, 4});
      },
      {"max_unpool2d", "invalid output_size"});
  expect_error([&] { nn::MaxUnpool2d(2)(x); }, {"MaxUnpool2d", "indices"});
}
