// cat, stack, split, chunk and pad: values (checked against torch), dtypes, negative dims, errors.
#include <gtest/gtest.h>

#include <limits>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
Tensor iota(const Shape& s, DType dt = DType::Float32) { return arange(0, static_cast<double>(shape_numel(s)), 1, dt).reshape(s); }
// Expects `f` to throw nabla::Error whose message contains every string of `parts`.
template <class F>
void expect_error(F f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    for (const char* p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  }
}
}  // namespace

// ---- cat -------------------------------------------------------------------------------------------

TEST(Cat, AlongLastAndFirstDim) {
  Tensor a = iota({2, 3}), b = arange(6, 10, 1, DType::Float32).reshape({2, 2});
  Tensor c = cat({a, b}, 1);
  EXPECT_EQ(c.shape(), (Shape{2, 5}));
  EXPECT_EQ(values(c), (std::vector<double>{0, 1, 2, 6, 7, 3, 4, 5, 8, 9}));
  EXPECT_EQ(values(cat({a, b}, -1)), values(c));
  Tensor r = cat({a, full({1, 3}, 9.0)}, 0);
  EXPECT_EQ(r.shape(), (Shape{3, 3}));
  EXPECT_EQ(values(r), (std::vector<double>{0, 1, 2, 3, 4, 5, 9, 9, 9}));
}

TEST(Cat, MiddleDimNonContiguousAndThreeInputs) {
  Tensor a = iota({2, 1, 2});
  Tensor b = iota({2, 2, 2}).transpose(0, 2).contiguous().transpose(0, 2);  // same values, permuted strides
  ASSERT_FALSE(b.is_contiguous());
  Tensor c = cat({a, b, a}, 1);
  EXPECT_EQ(c.shape(), (Shape{2, 4, 2}));
  EXPECT_EQ(values(c), (std::vector<double>{0, 1, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 2, 3}));
}

TEST(Cat, PromotesDtypesAsPyTorch) {
  Tensor i = arange(0, 2, 1, DType::Int64), f = tensor({0.5, 1.5});
  Tensor c = cat({i, f});
  EXPECT_EQ(c.dtype(), DType::Float32);
  EXPECT_EQ(values(c), (std::vector<double>{0, 1, 0.5, 1.5}));
  Tensor d = cat({f, ones({1}, DType::Float64)});
  EXPECT_EQ(d.dtype(), DType::Float64);
  Tensor b = cat({full({2}, 1.0, DType::Bool), zeros({1}, DType::Bool)});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(cat({arange(0, 2, 1, DType::Int64), full({1}, 1.0, DType::Bool)}).dtype(), DType::Int64);
}

TEST(Cat, SkipsLegacyEmptyTensors) {
  Tensor c = cat({iota({2, 3}), empty({0})}, 1);
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(cat({empty({0}), empty({0})}).shape(), (Shape{0}));
}

TEST(Cat, LargeParallelCopyMatchesSlices) {
  Tensor a = iota({300, 257}), b = iota({300, 131}) * -1.0;
  Tensor c = cat({a, b}, 1);
  EXPECT_TRUE(allclose(c.narrow(1, 0, 257), a));
  EXPECT_TRUE(allclose(c.narrow(1, 257, 131), b));
  Tensor d = cat({a, a}, 0);
  EXPECT_TRUE(allclose(d.narrow(0, 300, 300), a));
}

TEST(Cat, Errors) {
  expect_error([] { cat({iota({2, 3}), iota({2, 4})}, 0); }, {"cat", "tensor 1", "[2, 3]", "[2, 4]"});
  expect_error([] { cat({iota({2, 3}), iota({2, 3, 1})}, 0); }, {"cat", "same number of dimensions"});
  expect_error([] { cat({iota({2, 3})}, 2); }, {"cat", "dimension out of range"});
  expect_error([] { cat({}, 0); }, {"cat", "non-empty"});
  expect_error([] { cat({scalar_tensor(1.0)}, 0); }, {"cat", "zero-dimensional"});
}

// ---- stack -----------------------------------------------------------------------------------------

TEST(Stack, NewDimFirstAndLast) {
  Tensor a = tensor({1, 2, 3}), b = tensor({4, 5, 6});
  Tensor s0 = stack({a, b});
  EXPECT_EQ(s0.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(s0), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  Tensor s1 = stack({a, b}, -1);
  EXPECT_EQ(s1.shape(), (Shape{3, 2}));
  EXPECT_EQ(values(s1), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  Tensor sc = stack({scalar_tensor(1.0), scalar_tensor(2.0)});
  EXPECT_EQ(sc.shape(), (Shape{2}));
  expect_error([&] { stack({a, tensor({1, 2})}); }, {"stack", "entry 1"});
  expect_error([&] { stack({a, b}, 2); }, {"stack", "dimension out of range"});
}

// ---- split / chunk ---------------------------------------------------------------------------------

TEST(Split, BySizeIsViews) {
  Tensor x = iota({5, 2});
  auto parts = split(x, 2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(parts[2].shape(), (Shape{1, 2}));
  EXPECT_EQ(values(parts[1]), (std::vector<double>{4, 5, 6, 7}));
  EXPECT_EQ(parts[2].impl().storage, x.impl().storage);  // a view, not a copy
  auto cols = split(x, 1, -1);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(values(cols[1]), (std::vector<double>{1, 3, 5, 7, 9}));
  auto empty_parts = split(empty({0}), 2);
  ASSERT_EQ(empty_parts.size(), 1u);
  EXPECT_EQ(empty_parts[0].shape(), (Shape{0}));
}

TEST(Split, BySizesAndErrors) {
  Tensor x = arange(0, 5, 1, DType::Int64);
  auto parts = split(x, IntList{1, 3, 1});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(parts[2].to_vector<int64_t>(), (std::vector<int64_t>{4}));
  expect_error([&] { split(x, IntList{2, 2}); }, {"split", "sum to 4", "size 5"});
  expect_error([&] { split(x, IntList{6, -1}); }, {"split", "non-negative"});
  expect_error([&] { split(x, 0); }, {"split", "split_size"});
  expect_error([&] { split(x, 2, 1); }, {"split", "dimension out of range"});
}

TEST(Chunk, TorchSemantics) {
  auto c = chunk(arange(0, 6, 1, DType::Int64), 4);  // ceil(6/4) = 2 → three pieces of 2
  ASSERT_EQ(c.size(), 3u);
  for (auto& p : c) EXPECT_EQ(p.shape(), (Shape{2}));
  auto d = chunk(arange(0, 5, 1, DType::Int64), 3);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].to_vector<int64_t>(), (std::vector<int64_t>{4}));
  auto e = chunk(empty({0}), 3);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].shape(), (Shape{0}));
  auto f = chunk(iota({2, 4}), 2, -1);
  EXPECT_EQ(values(f[1]), (std::vector<double>{2, 3, 6, 7}));
  expect_error([] { chunk(iota({4}), 0); }, {"chunk", "greater than 0"});
}

// ---- pad -------------------------------------------------------------------------------------------

TEST(Pad, ConstantWithValueAndCrop) {
  Tensor x = iota({2, 3}, DType::Int64);
  Tensor p = pad(x, {1, 0, 0, 1}, PadMode::Constant, -1);  // torch: [[-1,0,1,2],[-1,3,4,5],[-1,-1,-1,-1]]
  EXPECT_EQ(p.dtype(), DType::Int64);
  EXPECT_EQ(p.shape(), (Shape{3, 4}));
  EXPECT_EQ(p.to_vector<int64_t>(), (std::vector<int64_t>{-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1}));
  Tensor q = pad(iota({2, 2}), {1, -1, 0, 1}, PadMode::Constant, 7);  // torch: [[7,0],[7,2],[7,7]]
  EXPECT_EQ(values(q), (std::vector<double>{7, 0, 7, 2, 7, 7}));
  Tensor last_only = pad(tensor({1, 2}), {2, 1});
  EXPECT_EQ(values(last_only), (std::vector<double>{0, 0, 1, 2, 0}));
}

TEST(Pad, OverflowingOrNegativeSizesRaiseErrors) {
  const int64_t huge = std::numeric_limits<int64_t>::max() - 1;
  expect_error([&] { pad(iota({2, 3}), {huge, huge}); }, {"pad", "overflows", "dimension 1"});
  expect_error([] { pad(iota({2, 3}), {-2, -2}); }, {"pad", "negative output size", "dimension 1"});
  expect_error([] { pad(iota({2, 3}), {int64_t{1} << 40, int64_t{1} << 40, int64_t{1} << 40, 0}); },
               {"empty", "too many elements"});
}

TEST(Pad, Reflect2d) {
  Tensor x = iota({1, 3, 3});
  Tensor p = pad(x, {1, 1, 2, 0}, PadMode::Reflect);
  EXPECT_EQ(p.shape(), (Shape{1, 5, 5}));
  EXPECT_EQ(values(p), (std::vector<double>{7, 6, 7, 8, 7, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 7, 6, 7, 8, 7}));
  // Negative reflect padding: torch gives [4, 3, 2, 1, 0, 1, 2] for arange(5) with (4, −2).
  EXPECT_EQ(values(pad(iota({5}), {4, -2}, PadMode::Reflect)), (std::vector<double>{4, 3, 2, 1, 0, 1, 2}));
}

TEST(Pad, Replicate2d) {
  Tensor p = pad(iota({1, 3, 3}), {2, 0, 1, 1}, PadMode::Replicate);
  EXPECT_EQ(values(p), (std::vector<double>{0, 0, 0, 1, 2, 0, 0, 0, 1, 2, 3, 3, 3, 4, 5, 6, 6, 6, 7, 8, 6, 6, 6, 7, 8}));
  EXPECT_EQ(values(pad(iota({5}), {-1, 5}, PadMode::Replicate)), (std::vector<double>{1, 2, 3, 4, 4, 4, 4, 4, 4}));
}

TEST(Pad, Circular) {
  Tensor p = pad(iota({1, 3, 3}), {1, 2, 0, 1}, PadMode::Circular);
  EXPECT_EQ(p.shape(), (Shape{1, 4, 6}));
  EXPECT_EQ(values(p), (std::vector<double>{2, 0, 1, 2, 0, 1, 5, 3, 4, 5, 3, 4, 8, 6, 7, 8, 6, 7, 2, 0, 1, 2, 0, 1}));
  // Cropping first, then wrapping within what is left (torch: [1, 2, 3, 4, 1, 2]).
  EXPECT_EQ(values(pad(iota({5}), {-1, 2}, PadMode::Circular)), (std::vector<double>{1, 2, 3, 4, 1, 2}));
}

TEST(Pad, NonContiguousAndBoolInputs) {
  Tensor x = iota({3, 2}).t();  // [[0, 2, 4], [1, 3, 5]]
  EXPECT_EQ(values(pad(x, {0, 1}, PadMode::Replicate)), (std::vector<double>{0, 2, 4, 4, 1, 3, 5, 5}));
  Tensor b = pad(full({2}, 1.0, DType::Bool), {1, 1});
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{false, true, true, false}));
}

TEST(Pad, Errors) {
  Tensor x = iota({1, 5});
  expect_error([&] { pad(x, {1, 2, 3}); }, {"pad", "divisible by 2"});
  expect_error([&] { pad(x, {1, 1, 1, 1, 1, 1}); }, {"pad", "dimensions"});
  expect_error([&] { pad(x, {5, 0}, PadMode::Reflect); }, {"pad", "reflect", "size 5"});
  expect_error([&] { pad(x, {6, 0}, PadMode::Circular); }, {"pad", "circular", "more than once"});
  expect_error([&] { pad(x, {-3, -3}); }, {"pad", "negative output size"});
  expect_error([&] { pad(x, {1, 1}, PadMode::Reflect, 2.0); }, {"pad", "fill value"});
  expect_error([] { pad(empty({2, 0}), {1, 1}, PadMode::Replicate); }, {"pad", "non-empty"});
}
