// data::ClassSubset: the samples of the chosen classes, relabelled in the order of the list.
#include "nabla/data/class_subset.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "nabla/nabla.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

// Ten samples: input i (as a 1-vector), label i % 4.
std::shared_ptr<data::TensorDataset> labelled() {
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < 10; ++i) {
    x.push_back(static_cast<float>(i));
    y.push_back(i % 4);
  }
  return std::make_shared<data::TensorDataset>(from_vector(x, Shape{10, 1}), from_vector(y, Shape{10}));
}

}  // namespace

TEST(ClassSubset, KeepsTheChosenClassesRelabelledInListOrder) {
  const data::ClassSubset s(labelled(), {3, 1});
  // Labels 1 at 1, 5, 9 and 3 at 3, 7: five samples in the dataset's order.
  EXPECT_EQ(s.indices(), (std::vector<int64_t>{1, 3, 5, 7, 9}));
  ASSERT_EQ(s.size(), 5);
  const std::vector<int64_t> expected = {1, 0, 1, 0, 1};  // class 3 is label 0, class 1 label 1
  for (int64_t i = 0; i < s.size(); ++i) {
    const data::Example e = s.get(i);
    EXPECT_EQ(e.input.item(), static_cast<double>(s.indices()[i]));
    EXPECT_EQ(e.target.item<int64_t>(), expected[i]) << i;
  }
  data::Batch b;
  ASSERT_TRUE(s.get_batch({4, 1, 0}, b));
  EXPECT_EQ(b.target.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(b.input.contiguous().to_vector<float>(), (std::vector<float>{9, 3, 1}));
}

TEST(ClassSubset, RejectsBadClassLists) {
  EXPECT_NE(error_of([] { data::ClassSubset(labelled(), {}); }).find("at least one class"), std::string::npos);
  EXPECT_NE(error_of([] { data::ClassSubset(labelled(), {1, 1}); }).find("class 1 is listed twice"), std::string::npos);
  EXPECT_NE(error_of([] { data::ClassSubset(labelled(), {-2}); }).find(">= 0, got -2"), std::string::npos);
  EXPECT_NE(error_of([] { data::ClassSubset(labelled(), {2, 7}); }).find("class 7 has no sample"), std::string::npos);
  const data::ClassSubset s(labelled(), {0});
  EXPECT_NE(error_of([&] { s.get(3); }).find("ClassSubset::get"), std::string::npos);
}
