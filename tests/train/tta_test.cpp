// train::predict_proba (with flip test-time augmentation) and train::evaluate_probabilities,
// the pieces of `train.tta`, `nabla eval --tta` and checkpoint ensembles.
#include <gtest/gtest.h>

#include <cmath>

#include "error_of.h"
#include "nabla/nabla.h"
#include "nabla/train/evaluate.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

// (N, 1, 2, 3) images → 3 classes through a Linear over the flattened pixels: not mirror-symmetric.
std::shared_ptr<nn::Sequential> tiny_model() {
  manual_seed(5);
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(6, 3));
}

}  // namespace

TEST(Tta, FlipAveragesTheProbabilitiesOfTheImageAndItsMirror) {
  auto model = tiny_model();
  manual_seed(6);
  const Tensor x = randn({5, 1, 2, 3});
  // The mirror by hand: column j of each row becomes column 2 − j.
  Tensor mirrored = x.clone().contiguous();
  const float* s = x.contiguous().data_ptr<float>();
  float* m = mirrored.data_ptr<float>();
  for (int64_t r = 0; r < 5 * 2; ++r)
    for (int64_t j = 0; j < 3; ++j) m[r * 3 + j] = s[r * 3 + 2 - j];
  NoGradGuard no_grad;
  const Tensor plain = softmax((*model)(x), 1), flipped = softmax((*model)(mirrored), 1);
  EXPECT_TRUE(allclose(train::predict_proba(*model, x, 2), plain, 1e-6, 1e-7));
  EXPECT_TRUE(allclose(train::predict_proba(*model, x, 2, /*flip_tta=*/true), (plain + flipped) * 0.5, 1e-6, 1e-7));
  EXPECT_FALSE(allclose(plain, flipped, 1e-3, 1e-4));  // the model does tell the two apart
  EXPECT_TRUE(model->is_training());                   // the mode is restored
  EXPECT_NE(error_of([&] { train::predict_proba(*model, randn({2, 6}), 2, true); }).find("flip TTA expects images"),
            std::string::npos);
}

TEST(Tta, EvaluatingProbabilitiesAgreesWithEvaluatingTheModel) {
  auto model = tiny_model();
  manual_seed(7);
  const Tensor x = randn({40, 1, 2, 3});
  std::vector<int64_t> y;
  for (int i = 0; i < 40; ++i) y.push_back(i % 3);
  const Tensor labels = from_vector(y, Shape{40});
  const train::EvalResult direct = train::evaluate(*model, x, labels, 3, 16, 2);
  const train::EvalResult via = train::evaluate_probabilities(train::predict_proba(*model, x, 16), labels, 2);
  EXPECT_NEAR(via.loss, direct.loss, 1e-5);
  EXPECT_DOUBLE_EQ(via.acc, direct.acc);
  EXPECT_DOUBLE_EQ(via.topk_acc, direct.topk_acc);
  EXPECT_EQ(via.confusion, direct.confusion);
  EXPECT_EQ(via.count, 40);
}

TEST(Tta, EvaluateProbabilitiesByHand) {
  // Three samples, two classes: right (0.8), wrong (0.3 for the label), right (0.6).
  const Tensor p = from_vector(std::vector<float>{0.8f, 0.2f, 0.7f, 0.3f, 0.4f, 0.6f}, Shape{3, 2});
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 1}, Shape{3});
  const train::EvalResult r = train::evaluate_probabilities(p, y, 1);
  EXPECT_NEAR(r.acc, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.loss, -(std::log(0.8) + std::log(0.3) + std::log(0.6)) / 3, 1e-6);
  EXPECT_EQ(r.confusion, (std::vector<int64_t>{1, 0, 1, 1}));
  EXPECT_NE(error_of([&] { train::evaluate_probabilities(p, from_vector(std::vector<int64_t>{0, 2, 1}, Shape{3})); })
                .find("labels must lie in [0, 2), got 2"),
            std::string::npos);
}
