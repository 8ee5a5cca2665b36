// Small real runs of the classic baselines on Fashion-MNIST with thresholds: a linear SVM on
// pixels and on HOG features, trained on 3 000 images and scored on 1 000 test images.
// Skipped when Debian's dataset-fashion-mnist is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "nabla/classic.h"
#include "nabla/io/idx.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

const char* kDir = "/usr/share/datasets/fashion-mnist";

// The first n images (n, 784) float32 in [0, 1] and labels (n,) int64 of a split.
std::pair<Tensor, Tensor> load(const std::string& prefix, int64_t n) {
  const io::IdxArray img = io::read_idx(std::string(kDir) + "/" + prefix + "-images-idx3-ubyte.gz");
  const io::IdxArray lab = io::read_idx(std::string(kDir) + "/" + prefix + "-labels-idx1-ubyte.gz");
  const Tensor x = div(img.data.narrow(0, 0, n).reshape({n, 784}), 255.0);  // uint8 / 255 is float32
  const Tensor y = lab.data.narrow(0, 0, n).to(DType::Int64);
  return {x, y};
}

}  // namespace

TEST(ClassicFashionMNIST, LinearSVMOnPixelsAndHOG) {
  if (!std::filesystem::exists(std::string(kDir) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto [xtr, ytr] = load("train", 3000);
  const auto [xte, yte] = load("t10k", 1000);
  const Tensor mean_image = xtr.mean({0}, true);
  const double scale = 1.0 / nabla::std(xtr - mean_image).item();
  LinearClassifier pixels({.loss = LinearLoss::Hinge, .epochs = 8, .batch_size = 128,
                           .schedule = LRSchedule::Cosine});
  pixels.fit((xtr - mean_image) * scale, ytr, 10);
  const double pixel_acc = pixels.score((xte - mean_image) * scale, yte);
  EXPECT_GT(pixel_acc, 0.76);

  Tensor htr = hog_batch(xtr.reshape({-1, 28, 28})), hte = hog_batch(xte.reshape({-1, 28, 28}));
  const Tensor mu = htr.mean({0}, true), sd = nabla::std(htr, {0}, 1, true) + 1e-6;
  LinearClassifier hogs({.loss = LinearLoss::Hinge, .epochs = 8, .batch_size = 128, .schedule = LRSchedule::Cosine});
  hogs.fit((htr - mu) / sd, ytr, 10);
  const double hog_acc = hogs.score((hte - mu) / sd, yte);
  EXPECT_GT(hog_acc, 0.80);
  std::printf("pixels %.4f  HOG %.4f\n", pixel_acc, hog_acc);
  EXPECT_GT(hog_acc, pixel_acc);  // HOG's edge statistics beat raw pixels for a linear model
}
