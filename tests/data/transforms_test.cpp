// Transforms: exact values on small known images, determinism, and MixUp/CutMix targets paired
// with cross-entropy on probability targets.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/data.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"

using namespace nabla;
using namespace nabla::data;
using namespace nabla::data::transforms;

namespace {
/// 1×3×3 image 1..9.
Tensor small_image() { return arange(1.0, 10.0, 1.0, DType::Float32).reshape({1, 3, 3}); }
std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }
}  // namespace

TEST(Transforms, ToTensorAndNormalize) {
  Generator gen(0);
  Tensor raw = tensor({{0, 255}, {51, 102}});  // (H, W)
  Tensor t = ToTensor()(raw, gen);
  EXPECT_EQ(t.shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(values(t), (std::vector<float>{0.f, 1.f, 0.2f, 0.4f}));
  Tensor rgb = tensor({0.5, 0.5, 1.0, 0.0}).reshape({2, 1, 2});
  Tensor n = Normalize({0.5, 0.25}, {0.5, 0.25})(rgb, gen);
  EXPECT_EQ(values(n), (std::vector<float>{0, 0, 3, -1}));
  EXPECT_THROW(Normalize({0.5, 0.5, 0.5}, {1})(rgb, gen), Error);
  EXPECT_THROW(Normalize({0}, {0}), Error);
}

TEST(Transforms, PadModesAndCrop) {
  Tensor img = small_image();
  EXPECT_EQ(values(pad_image(img, {1, 0, 0, 0}, PaddingMode::Constant, 7)),
            (std::vector<float>{7, 1, 2, 3, 7, 4, 5, 6, 7, 7, 8, 9}));
  EXPECT_EQ(values(pad_image(img, {2, 0, 0, 0}, PaddingMode::Reflect)),
            (std::vector<float>{3, 2, 1, 2, 3, 6, 5, 4, 5, 6, 9, 8, 7, 8, 9}));
  EXPECT_EQ(values(pad_image(img, {2, 0, 0, 0}, PaddingMode::Symmetric)),
            (std::vector<float>{2, 1, 1, 2, 3, 5, 4, 4, 5, 6, 8, 7, 7, 8, 9}));
  EXPECT_EQ(values(pad_image(img, {0, 1, 0, 0}, PaddingMode::Edge)),
            (std::vector<float>{1, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(values(crop_image(img, 1, 1, 2, 2)), (std::vector<float>{5, 6, 8, 9}));
  EXPECT_THROW(crop_image(img, 2, 2, 2, 2), Error);
  EXPECT_THROW(pad_image(img, {3, 0, 0, 0}, PaddingMode::Reflect), Error);
}

TEST(Transforms, RandomCropIsAWindowOfThePaddedImage) {
  Tensor img = small_image();
  Tensor padded = pad_image(img, {1, 1, 1, 1});
  std::set<std::vector<float>> seen;
  for (uint64_t s = 0; s < 200; ++s) {
    Generator gen(s);
    Tensor c = RandomCrop(3, 1)(img, gen);
    ASSERT_EQ(c.shape(), (Shape{1, 3, 3}));
    seen.insert(values(c));
  }
  EXPECT_EQ(seen.size(), 9u);  // all 3×3 offsets of the 5×5 padded image
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 3; ++j) EXPECT_EQ(seen.count(values(crop_image(padded, i, j, 3, 3))), 1u);
}

TEST(Transforms, FlipAndRotation90) {
  Tensor img = small_image();
  EXPECT_EQ(values(hflip_image(img)), (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7}));
  Generator gen(0);
  EXPECT_EQ(values(RandomHorizontalFlip(1.0)(img, gen)), values(hflip_image(img)));
  EXPECT_EQ(values(RandomHorizontalFlip(0.0)(img, gen)), values(img));
  // Counter-clockwise by 90°: out[i][j] = in[j][W − 1 − i] (torch.rot90(x, 1, [1, 2])).
  const std::vector<float> ccw = {3, 6, 9, 2, 5, 8, 1, 4, 7};
  EXPECT_EQ(values(rotate_image(img, 90, Interpolation::Nearest)), ccw);
  std::vector<float> bil = values(rotate_image(img, 90, Interpolation::Bilinear));
  for (size_t k = 0; k < ccw.size(); ++k) EXPECT_NEAR(bil[k], ccw[k], 1e-5);
  EXPECT_EQ(values(rotate_image(img, -90)), (std::vector<float>{7, 4, 1, 8, 5, 2, 9, 6, 3}));
  EXPECT_EQ(values(rotate_image(img, 180)), (std::vector<float>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
  // 45° on a 2×2 image: corners come from outside and take the fill value.
  Tensor sq = ones({1, 4, 4});
  std::vector<float> r45 = values(rotate_image(sq, 45, Interpolation::Nearest, -1));
  EXPECT_EQ(r45[0], -1);
  EXPECT_EQ(r45[5], 1);
  Generator g2(3);
  Tensor r = RandomRotation(90, 90)(img, g2);
  EXPECT_EQ(values(r), ccw);
}

TEST(Transforms, ResizeAndRandomResizedCrop) {
  Tensor img = tensor({{0, 2}, {4, 6}}).reshape({1, 2, 2});
  // Bilinear, align_corners false: 2 → 4 gives source positions −0.25 (clamped 0), 0.25, 0.75, 1.25.
  Tensor r = resize_image(img, 1, 4);
  EXPECT_EQ(r.shape(), (Shape{1, 1, 4}));
  Tensor big = rand({3, 20, 30});
  for (uint64_t s = 0; s < 20; ++s) {
    Generator gen(s);
    auto [top, left, h, w] = RandomResizedCrop::get_params(20, 30, {0.08, 1.0}, {0.75, 4.0 / 3.0}, gen);
    EXPECT_TRUE(top >= 0 && left >= 0 && top + h <= 20 && left + w <= 30);
    const double area = static_cast<double>(h * w) / 600.0;
    EXPECT_GE(area, 0.06);
    Generator g2(s);
    EXPECT_EQ(RandomResizedCrop(8, 8)(big, g2).shape(), (Shape{3, 8, 8}));
  }
  // Impossible ratio range: the fallback is the centre crop clamped to the ratio.
  Generator gen(0);
  auto p = RandomResizedCrop::get_params(10, 40, {0.99, 1.0}, {1.0, 1.0}, gen);
  EXPECT_EQ(p, (std::array<int64_t, 4>{0, 15, 10, 10}));
}

TEST(Transforms, ColorJitterFormulas) {
  Tensor rgb = tensor({0.2, 0.8, 0.4, 0.4, 0.6, 0.6}).reshape({3, 1, 2});
  EXPECT_EQ(values(adjust_brightness(rgb, 2.0)), (std::vector<float>{0.4f, 1.0f, 0.8f, 0.8f, 1.0f, 1.0f}));
  // Grey pixels: 0.2989·0.2 + 0.587·0.4 + 0.114·0.6 and 0.2989·0.8 + 0.587·0.4 + 0.114·0.6.
  const double g0 = 0.2989 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6, g1 = 0.2989 * 0.8 + 0.587 * 0.4 + 0.114 * 0.6;
  const double mean = (g0 + g1) / 2;
  std::vector<float> c = values(adjust_contrast(rgb, 0.5));
  EXPECT_NEAR(c[0], 0.5 * 0.2 + 0.5 * mean, 1e-6);
  EXPECT_NEAR(c[5], 0.5 * 0.6 + 0.5 * mean, 1e-6);
  std::vector<float> s = values(adjust_saturation(rgb, 0.0));
  EXPECT_NEAR(s[0], g0, 1e-6);
  EXPECT_NEAR(s[3], g1, 1e-6);
  EXPECT_NEAR(s[4], g0, 1e-6);
  Generator a(5), b(5);
  ColorJitter jitter(0.4, 0.4, 0.4);
  Tensor j1 = jitter(rgb, a), j2 = jitter(rgb, b);
  EXPECT_EQ(values(j1), values(j2));
  for (float v : values(j1)) EXPECT_TRUE(v >= 0 && v <= 1);
}

TEST(Transforms, RandomErasingAndCutout) {
  Tensor img = ones({3, 10, 10});
  Generator gen(1);
  Tensor e = RandomErasing(1.0, {0.1, 0.1}, {1.0, 1.0}, 0.0)(img, gen);
  // area 10 with ratio 1 → round(√10) = 3: a 3×3 box per channel.
  EXPECT_NEAR(e.sum().item(), 300 - 27, 1e-6);
  EXPECT_EQ(img.sum().item(), 300);  // the input is untouched
  Generator g2(2);
  Tensor c = Cutout(4)(img, g2);
  const double erased = 300 - c.sum().item();
  EXPECT_GT(erased, 0);
  EXPECT_LE(erased, 48);
  Generator g3(3);
  EXPECT_EQ(RandomErasing(0.0)(img, g3).sum().item(), 300);
}

TEST(Transforms, ComposeAndMeanStd) {
  Tensor x = cat({zeros({2, 1, 2, 2}), full({2, 1, 2, 2}, 255.0)}, 1);  // 2 images, channels 0 and 255
  x.select(0, 1).select(0, 0).fill_(51);
  auto ds = std::make_shared<TensorDataset>(x, Tensor());
  TransformDataset scaled(ds, Compose({ToTensor(), RandomHorizontalFlip(0.5)}));
  auto [mean, stdev] = compute_mean_std(scaled);
  ASSERT_EQ(mean.size(), 2u);
  EXPECT_NEAR(mean[0], 0.1, 1e-6);   // half the pixels 0, half 0.2
  EXPECT_NEAR(stdev[0], 0.1, 1e-6);
  EXPECT_NEAR(mean[1], 1.0, 1e-6);
  EXPECT_NEAR(stdev[1], 0.0, 1e-6);
  Tensor mean_image = compute_mean_image(*ds);
  EXPECT_NEAR(mean_image.select(0, 0).sum().item(), 4 * 25.5, 1e-4);
  Generator gen(0);
  Tensor centred = SubtractMeanImage(mean_image)(x[0], gen);
  EXPECT_NEAR(centred.select(0, 0).sum().item(), -4 * 25.5, 1e-4);
}

TEST(Transforms, MixUpTargetsPairWithCrossEntropy) {
  Tensor x = rand({4, 1, 4, 4}), y = tensor({0, 2, 1, 2}, DType::Int64);
  Generator gen(7);
  Batch mixed = MixUp(3, 0.4)({x, y}, gen);
  ASSERT_EQ(mixed.target.shape(), (Shape{4, 3}));
  std::vector<float> t = values(mixed.target);
  const double lam = t[0];  // row 0 mixes class 0 (λ) with rolled row 3's class 2 (1 − λ)
  EXPECT_NEAR(t[2], 1 - lam, 1e-6);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(t[i * 3] + t[i * 3 + 1] + t[i * 3 + 2], 1.0, 1e-6);
  std::vector<float> xi = values(x), xm = values(mixed.input);
  EXPECT_NEAR(xm[0], lam * xi[0] + (1 - lam) * xi[3 * 16], 1e-5);
  // cross_entropy with probability targets = λ·CE(y) + (1 − λ)·CE(y rolled).
  Tensor logits = randn({4, 3});
  Tensor rolled = tensor({2, 0, 2, 1}, DType::Int64);
  const double soft = nn::functional::cross_entropy(logits, mixed.target).item();
  const double hard = lam * nn::functional::cross_entropy(logits, y).item() +
                      (1 - lam) * nn::functional::cross_entropy(logits, rolled).item();
  EXPECT_NEAR(soft, hard, 1e-5);
}

TEST(Transforms, CutMixPastesABoxAndAdjustsLambda) {
  Tensor x = cat({zeros({1, 1, 8, 8}), ones({1, 1, 8, 8})}, 0);
  Tensor y = tensor({0, 1}, DType::Int64);
  for (uint64_t s = 0; s < 10; ++s) {
    Generator gen(s);
    Batch b = CutMix(2, 1.0)({x, y}, gen);
    const double pasted = b.input[0].sum().item() / 64.0;  // fraction of image 0 taken from image 1
    std::vector<float> t = values(b.target);
    EXPECT_NEAR(t[0], 1 - pasted, 1e-6);
    EXPECT_NEAR(t[1], pasted, 1e-6);
    EXPECT_NEAR(b.input[1].sum().item() / 64.0, 1 - pasted, 1e-6);
  }
  EXPECT_THROW(CutMix(2)({x, tensor({0, 5}, DType::Int64)}, *std::make_unique<Generator>(0)), Error);
}

TEST(Transforms, BatchTransformInLoaderIsDeterministic) {
  std::vector<int64_t> labels = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
  Generator data_gen(1);
  auto ds = std::make_shared<TensorDataset>(rand({12, 1, 4, 4}, DType::Float32, &data_gen), from_vector(labels));
  std::vector<std::vector<float>> runs;
  for (int workers : {0, 3}) {
    DataLoaderOptions opt;
    opt.batch_size = 4;
    opt.shuffle = true;
    opt.num_workers = workers;
    opt.batch_transform = CutMix(3);
    DataLoader loader(ds, opt);
    std::vector<float> all;
    for (const Batch& b : loader) {
      EXPECT_EQ(b.target.shape(), (Shape{4, 3}));
      for (float v : b.input.to_vector<float>()) all.push_back(v);
    }
    runs.push_back(all);
  }
  EXPECT_EQ(runs[0], runs[1]);
}
