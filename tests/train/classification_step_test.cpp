// train::classification_step's options: label smoothing and probability (MixUp/CutMix) targets.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/train/trainer.h"

using namespace nabla;

namespace {

struct Fixture {
  std::shared_ptr<nn::Linear> model;
  std::unique_ptr<optim::SGD> opt;
  Tensor x;
  explicit Fixture(uint64_t seed) {
    manual_seed(seed);
    model = std::make_shared<nn::Linear>(4, 3);
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
    x = randn({6, 4});
  }
};

}  // namespace

TEST(ClassificationStep, LabelSmoothingIsCrossEntropysOwn) {
  Fixture f(11);
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 2, 1, 0}, Shape{6});
  double expected = 0;
  {
    NoGradGuard no_grad;
    expected = nn::functional::cross_entropy((*f.model)(f.x), y, Tensor(), -100, nn::Reduction::Mean, 0.2).item();
  }
  const train::StepResult plain = train::classification_step(*Fixture(11).model, *Fixture(11).opt)({f.x, y});
  const train::StepResult smooth = train::classification_step(*f.model, *f.opt, {.label_smoothing = 0.2})({f.x, y});
  EXPECT_NEAR(smooth.loss, expected, 1e-6);
  EXPECT_GT(std::abs(smooth.loss - plain.loss), 1e-3);
}

TEST(ClassificationStep, ProbabilityTargetsCountHitsAgainstTheirArgmax) {
  Fixture f(12);
  // Mixed targets: the argmax is the dominant class of each row.
  const Tensor soft = from_vector(std::vector<float>{0.7f, 0.3f, 0, 0, 0.4f, 0.6f, 0.5f, 0, 0.5f,
                                                     1, 0, 0, 0, 1, 0, 0, 0.2f, 0.8f},
                                  Shape{6, 3});
  Tensor predicted;
  {
    NoGradGuard no_grad;
    predicted = argmax((*f.model)(f.x), 1);
  }
  const Tensor hard = argmax(soft, 1);
  const int64_t hits = static_cast<int64_t>(eq(predicted, hard).sum().item());
  const train::StepResult r = train::classification_step(*f.model, *f.opt)({f.x, soft});
  EXPECT_EQ(r.correct, hits);
  EXPECT_EQ(r.batch_size, 6);
  EXPECT_TRUE(std::isfinite(r.loss));
}
