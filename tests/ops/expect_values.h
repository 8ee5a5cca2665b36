#pragma once
// Shared assertions for op value tests: compare a tensor with expected numbers, NaN and Inf aware.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::testing {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Expects t's elements (row-major) to equal `expected` within a relative tolerance;
/// NaN must match NaN and ±Inf must match exactly.
inline void expect_floats(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> v = t.to_vector<double>();
  ASSERT_EQ(v.size(), expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(v[i])) << "element " << i;
    else if (std::isinf(expected[i]))
      EXPECT_EQ(v[i], expected[i]) << "element " << i;
    else
      EXPECT_NEAR(v[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "element " << i;
  }
}

}  // namespace nabla::testing
