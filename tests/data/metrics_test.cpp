#include "nabla/data/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nabla/error.h"

using namespace nabla;

namespace {
Tensor ints(const std::vector<int64_t>& v) { return from_vector(v, Shape{static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(Metrics, Accuracy) {
  EXPECT_DOUBLE_EQ(data::accuracy(ints({0, 1, 2, 2}), ints({0, 1, 1, 2})), 0.75);
  EXPECT_DOUBLE_EQ(data::accuracy(ints({}), ints({})), 0.0);
  EXPECT_THROW(data::accuracy(ints({0, 1}), ints({0})), Error);
}

TEST(Metrics, PerClassAccuracyIsRecallPerTrueClass) {
  const Tensor target = ints({0, 0, 0, 1, 1, 2});
  const Tensor pred = ints({0, 1, 0, 1, 1, 0});
  const std::vector<double> acc = data::per_class_accuracy(pred, target, 4);
  ASSERT_EQ(acc.size(), 4u);
  EXPECT_DOUBLE_EQ(acc[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(acc[1], 1.0);
  EXPECT_DOUBLE_EQ(acc[2], 0.0);
  EXPECT_TRUE(std::isnan(acc[3]));  // no samples of class 3
  EXPECT_THROW(data::per_class_accuracy(pred, target, 2), Error);  // target 2 outside [0, 2)
  EXPECT_THROW(data::per_class_accuracy(pred, target.narrow(0, 0, 5), 4), Error);
}

TEST(Metrics, ConfusionMatrixRowsAreTrueClasses) {
  // sklearn.metrics.confusion_matrix([0,0,0,1,1,2], [0,1,0,1,1,0], labels=[0,1,2]).
  const Tensor m = data::confusion_matrix(ints({0, 1, 0, 1, 1, 0}), ints({0, 0, 0, 1, 1, 2}), 3);
  ASSERT_EQ(m.shape(), (Shape{3, 3}));
  EXPECT_EQ(m.to_vector<int64_t>(), (std::vector<int64_t>{2, 1, 0, 0, 2, 0, 1, 0, 0}));
  EXPECT_THROW(data::confusion_matrix(ints({3}), ints({0}), 3), Error);  // prediction outside [0, 3)
}
