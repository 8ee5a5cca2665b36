// classic::LinearClassifier: loss values by hand, float64 gradient checks, training on separable
// blobs with both schedules, templates and their PNG, and errors naming the method.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "nabla/classic/linear_classifier.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

// Three Gaussian blobs in 4-d around well-separated centres; n points per class.
std::pair<Tensor, Tensor> blobs(int64_t n, uint64_t seed, DType dtype = DType::Float32) {
  Generator gen(seed);
  const double centres[3][4] = {{4, 0, 0, 1}, {0, 4, 0, -1}, {0, 0, 4, 0}};
  std::vector<double> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < 3 * n; ++i) {
    const int64_t c = i % 3;
    for (int f = 0; f < 4; ++f) x.push_back(centres[c][f] + gen.next_normal());
    y.push_back(c);
  }
  return {from_vector(x, Shape{3 * n, 4}).to(dtype), from_vector(y)};
}

}  // namespace

TEST(LinearClassifier, LossValuesByHand) {
  const Tensor s = tensor({{1, 2, 3}, {0, 0, 5}}, DType::Float64);
  const Tensor y = from_vector<int64_t>({0, 2});
  // Row 0 (label 0): margins max(0, 2−1+1) = 2, max(0, 3−1+1) = 3. Row 1 (label 2): 0 + 1 − 5 < 0 → 0.
  EXPECT_NEAR(linear_classifier_loss(s, y, LinearLoss::Hinge).item(), (2 + 3 + 0) / 2.0, 1e-12);
  EXPECT_NEAR(linear_classifier_loss(s, y, LinearLoss::SquaredHinge).item(), (4 + 9 + 0) / 2.0, 1e-12);
  const double l0 = -std::log(std::exp(1) / (std::exp(1) + std::exp(2) + std::exp(3)));
  const double l1 = -std::log(std::exp(5) / (2 + std::exp(5)));
  EXPECT_NEAR(linear_classifier_loss(s, y, LinearLoss::Softmax).item(), (l0 + l1) / 2, 1e-12);
  // The sanity check of the notes: all-zero scores give C − 1 (hinge) and ln C (softmax).
  const Tensor z = zeros({4, 10}, DType::Float64);
  const Tensor yz = from_vector<int64_t>({0, 3, 9, 1});
  EXPECT_NEAR(linear_classifier_loss(z, yz, LinearLoss::Hinge).item(), 9.0, 1e-12);
  EXPECT_NEAR(linear_classifier_loss(z, yz, LinearLoss::Softmax).item(), std::log(10.0), 1e-12);
}

TEST(LinearClassifier, LossGradcheckFloat64) {
  Generator gen(3);
  // Scores spread widely so no margin sits within eps of the hinge's kink.
  const Tensor s = (randn({5, 4}, DType::Float64, &gen) * 3.0).requires_grad_();
  const Tensor y = from_vector<int64_t>({0, 3, 1, 1, 2});
  for (LinearLoss loss : {LinearLoss::Hinge, LinearLoss::SquaredHinge, LinearLoss::Softmax}) {
    const GradcheckResult r =
        gradcheck([&](const std::vector<Tensor>& in) { return linear_classifier_loss(in[0], y, loss); }, {s});
    EXPECT_TRUE(r.ok) << to_string(loss) << ": " << r.message;
  }
}

TEST(LinearClassifier, SeparatesBlobsWithEveryLossAndSchedule) {
  const auto [x, y] = blobs(100, 1);
  const auto [xt, yt] = blobs(50, 2);
  for (LinearLoss loss : {LinearLoss::Hinge, LinearLoss::SquaredHinge, LinearLoss::Softmax})
    for (LRSchedule schedule : {LRSchedule::Step, LRSchedule::Cosine}) {
      LinearClassifier clf({.loss = loss, .epochs = 20, .batch_size = 32, .schedule = schedule, .seed = 5});
      clf.fit(x, y);
      EXPECT_GT(clf.score(xt, yt), 0.95) << to_string(loss);
      EXPECT_EQ(clf.weights().shape(), (Shape{3, 4}));
      EXPECT_EQ(clf.bias().shape(), (Shape{3}));
      ASSERT_EQ(clf.loss_history().size(), 20u);
      EXPECT_LT(clf.loss_history().back(), clf.loss_history().front()) << to_string(loss);
      EXPECT_EQ(clf.predict(xt).dtype(), DType::Int64);
    }
}

TEST(LinearClassifier, SameSeedSameWeightsAndFloat64Training) {
  const auto [x, y] = blobs(40, 4, DType::Float64);
  LinearClassifier a({.epochs = 3, .batch_size = 16, .seed = 9}), b({.epochs = 3, .batch_size = 16, .seed = 9});
  a.fit(x, y);
  b.fit(x, y);
  EXPECT_EQ(a.weights().dtype(), DType::Float64);
  EXPECT_EQ(a.weights().to_vector<double>(), b.weights().to_vector<double>());
}

TEST(LinearClassifier, TemplatesAndPng) {
  const auto [x, y] = blobs(20, 6);
  LinearClassifier clf({.epochs = 2, .batch_size = 10});
  clf.fit(x, y);
  const Tensor t = clf.templates({1, 2, 2});
  EXPECT_EQ(t.shape(), (Shape{3, 1, 2, 2}));
  EXPECT_EQ(t.reshape({3, 4}).to_vector<float>(), clf.weights().to_vector<float>());
  const std::string path = ::testing::TempDir() + "/templates_" + std::to_string(getpid()) + ".png";
  clf.write_templates_png(path, {1, 2, 2}, 3);
  std::ifstream f(path, std::ios::binary);
  char sig[8] = {};
  f.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  std::remove(path.c_str());
  EXPECT_THROW(clf.templates({1, 3, 3}), Error);
}

TEST(LinearClassifier, ErrorsNameTheProblem) {
  const auto [x, y] = blobs(5, 7);
  LinearClassifier clf;
  try {
    clf.predict(x);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not fitted"), std::string::npos);
  }
  try {
    clf.fit(x, from_vector<int64_t>({0, 1}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("15 rows but y has 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(clf.fit(x, y, 2), Error);  // label 2 outside [0, 2)
  EXPECT_THROW(clf.fit(x.reshape({-1}), y), Error);
  clf.fit(x, y);
  try {
    clf.predict(zeros({2, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected x with 4 features"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_linear_loss("logistic"), Error);
  EXPECT_EQ(parse_linear_loss("svm"), LinearLoss::Hinge);
  EXPECT_THROW(LinearClassifier({.epochs = 0}), Error);
}

TEST(LinearClassifier, InitialLossMatchesTheSanityCheck) {
  EXPECT_NEAR(expected_initial_loss(LinearLoss::Softmax, 10), std::log(10.0), 1e-12);
  EXPECT_EQ(expected_initial_loss(LinearLoss::Hinge, 10), 9.0);
  EXPECT_EQ(expected_initial_loss(LinearLoss::SquaredHinge, 3), 2.0);
  EXPECT_THROW(expected_initial_loss(LinearLoss::Softmax, 1), Error);
  const auto [x, y] = blobs(50, 3);
  for (LinearLoss loss : {LinearLoss::Softmax, LinearLoss::Hinge, LinearLoss::SquaredHinge}) {
    LinearClassifier clf({.loss = loss, .epochs = 2});
    EXPECT_TRUE(std::isnan(clf.initial_loss()));
    clf.fit(x, y);
    // Weights N(0, 1e-3²) on features of size ~4 give scores ~1e-2: the loss is within 0.1 of
    // the zero-score value, and training lowers it.
    EXPECT_NEAR(clf.initial_loss(), expected_initial_loss(loss, 3), 0.1) << to_string(loss);
    EXPECT_LT(clf.loss_history().back(), clf.initial_loss()) << to_string(loss);
  }
  // A large initialisation breaks the check: that is what it is for.
  LinearClassifier big({.loss = LinearLoss::Softmax, .epochs = 1, .init_std = 10.0});
  big.fit(x, y);
  EXPECT_GT(std::abs(big.initial_loss() - std::log(3.0)), 1.0);
}
