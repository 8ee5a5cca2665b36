#include "nabla/train/evaluate.h"

#include <gtest/gtest.h>

using namespace nabla;

// Precision divides the diagonal by each predicted column's total, recall by each true row's.
TEST(EvalResult, PrecisionAndRecallFromTheConfusionMatrix) {
  train::EvalResult r;
  r.num_classes = 4;
  r.confusion = {2, 1, 0, 0,   // true class 0
                 0, 3, 1, 0,   // true class 1
                 2, 0, 1, 0,   // true class 2
                 0, 0, 0, 0};  // class 3: never present, never predicted
  const std::vector<double> p = r.precision(), rc = r.recall();
  ASSERT_EQ(p.size(), 4u);
  ASSERT_EQ(rc.size(), 4u);
  EXPECT_DOUBLE_EQ(p[0], 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(p[1], 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(p[2], 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(p[3], 0.0);
  EXPECT_DOUBLE_EQ(rc[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(rc[1], 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(rc[2], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(rc[3], 0.0);
}
