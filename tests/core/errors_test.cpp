// Every class of misuse raises nabla::Error naming the op and the offending shapes or values.
#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
// Runs f, expects a nabla::Error whose message contains every fragment.
template <class F>
void expect_error(F f, std::initializer_list<const char*> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    for (const char* frag : fragments)
      EXPECT_NE(std::string(e.what()).find(frag), std::string::npos) << "message: " << e.what() << "\nmissing: " << frag;
  }
}
}  // namespace

TEST(Errors, ShapeMismatch) {
  expect_error([] { add(ones({2, 3}), ones({4})); }, {"add", "[2, 3]", "[4]"});
  expect_error([] { mm(ones({2, 3}), ones({2, 3})); }, {"mm", "[2, 3]"});
  expect_error([] { ones({2, 3}).view({5}); }, {"view", "[5]", "6"});
  expect_error([] { ones({2, 3}).expand({4, 3, 2}); }, {"expand", "[4, 3, 2]"});
}

TEST(Errors, DtypeMismatch) {
  expect_error([] { mm(ones({2, 2}), ones({2, 2}, DType::Float64)); }, {"mm", "float32", "float64"});
  expect_error([] { ones({2}, DType::Int64).requires_grad_(); }, {"requires_grad_", "int64"});
  expect_error([] { ones({2}).data_ptr<double>(); }, {"data_ptr", "float32", "float64"});
  expect_error([] { mean(ones({2}, DType::Int64)); }, {"mean", "int64"});
}

TEST(Errors, BadDimension) {
  expect_error([] { ones({2, 3}).sum({2}); }, {"sum", "dimension out of range", "2"});
  expect_error([] { ones({2, 3}).transpose(0, 5); }, {"transpose", "5"});
  expect_error([] { ones({2, 3}).permute({0, 0}); }, {"permute", "repeated"});
}

TEST(Errors, IndexOutOfRange) {
  expect_error([] { ones({2, 3}).select(1, 3); }, {"select", "index 3", "size 3"});
  expect_error([] { ones({2, 3}).narrow(1, 2, 2); }, {"narrow", "2"});
  expect_error([] { ones({2, 3}).item(); }, {"item", "6 elements"});
}

TEST(Errors, BackwardThroughFreedGraph) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = (x * x).sum();
  y.backward();
  expect_error([&] { y.backward(); }, {"second time", "retain_graph"});
}

TEST(Errors, InplaceOnLeafAndModifiedSavedTensor) {
  Tensor w = ones({2}).requires_grad_();
  expect_error([&] { w.mul_(2.0); }, {"mul_", "leaf"});
  Tensor a = w * 1.0;
  Tensor b = a * a;
  a.add_(1.0);
  expect_error([&] { b.sum().backward(); }, {"mul", "in-place"});
}

TEST(Errors, AbsurdShapes) {
  expect_error([] { empty({0, int64_t{1} << 40, int64_t{1} << 40}); }, {"empty", "too many elements"});
  expect_error([] { zeros({-1, 2}); }, {"negative dimension"});
  EXPECT_EQ(empty({0, 5}).numel(), 0);
}
