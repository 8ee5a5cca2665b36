// gather, scatter, scatter_add, index_select, index_add, masked_fill(_), one_hot, sort, topk:
// values (checked against torch), dtypes, negative dims, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
std::vector<int64_t> ints(const Tensor& t) { return t.to_vector<int64_t>(); }
Tensor idx(std::initializer_list<std::initializer_list<double>> rows) { return tensor(rows, DType::Int64); }
Tensor idx(std::initializer_list<double> v) { return tensor(v, DType::Int64); }
template <class F>
void expect_error(F f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    for (const char* p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  }
}
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- gather ----------------------------------------------------------------------------------------

TEST(Gather, AlongBothDims) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(values(gather(x, 1, idx({{2, 0}, {1, 1}}))), (std::vector<double>{3, 1, 5, 5}));
  EXPECT_EQ(values(gather(x, -1, idx({{2, 0}, {1, 1}}))), (std::vector<double>{3, 1, 5, 5}));
  Tensor g0 = gather(x, 0, idx({{1, 0, 1}}));
  EXPECT_EQ(g0.shape(), (Shape{1, 3}));
  EXPECT_EQ(values(g0), (std::vector<double>{4, 2, 6}));
}

TEST(Gather, NonContiguousAndIntegerInputs) {
  Tensor x = tensor({{1, 4}, {2, 5}, {3, 6}}).t();  // [[1,2,3],[4,5,6]], strided
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_EQ(values(gather(x, 1, idx({{2, 0}, {1, 1}}))), (std::vector<double>{3, 1, 5, 5}));
  Tensor xi = tensor({{1, 2, 3}, {4, 5, 6}}, DType::Int64);
  Tensor gi = gather(xi, 1, idx({0, 2}).reshape({2, 1}));
  EXPECT_EQ(gi.dtype(), DType::Int64);
  EXPECT_EQ(ints(gi), (std::vector<int64_t>{1, 6}));
}

TEST(Gather, LargeMatchesIndexSelectPerRow) {
  const int64_t rows = 64, cols = 1000;
  Tensor x = randn({rows, cols});
  Tensor index = randint(0, cols, {rows, 700});
  Tensor g = gather(x, 1, index);
  for (int64_t r : {0L, 17L, 63L})
    EXPECT_TRUE(allclose(g.select(0, r), index_select(x.select(0, r), 0, index.select(0, r))));
}

TEST(Gather, Errors) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_error([&] { gather(x, 1, idx({5}).reshape({1, 1})); }, {"gather", "index 5", "size 3"});
  expect_error([&] { gather(x, 1, idx({-1}).reshape({1, 1})); }, {"gather", "index -1"});
  expect_error([&] { gather(x, 1, tensor({0.0}).reshape({1, 1})); }, {"gather", "int64"});
  expect_error([&] { gather(x, 1, idx({0})); }, {"gather", "same number of dimensions"});
  expect_error([&] { gather(x, 1, idx({0, 0, 0}).reshape({3, 1})); }, {"gather", "larger"});
  expect_error([&] { gather(x, 2, idx({0}).reshape({1, 1})); }, {"gather", "dimension out of range"});
}

// ---- scatter / scatter_add ---------------------------------------------------------------------------

TEST(Scatter, TensorAndScalarSources) {
  Tensor z = zeros({2, 4});
  Tensor index = idx({{3, 0}, {1, 1}});
  Tensor src = tensor({{1, 2}, {3, 4}});
  // Duplicates: the last write wins (torch: [[2,0,0,1],[0,4,0,0]]).
  EXPECT_EQ(values(scatter(z, 1, index, src)), (std::vector<double>{2, 0, 0, 1, 0, 4, 0, 0}));
  EXPECT_EQ(values(scatter(z, 1, index, 9.0)), (std::vector<double>{9, 0, 0, 9, 0, 9, 0, 0}));
  // src larger than index: only its leading part is read (torch: [[0,2],[0,0],[1,0]]).
  Tensor big = tensor({{1, 2, 9}, {3, 4, 9}});
  EXPECT_EQ(values(scatter(zeros({3, 2}), 0, idx({{2, 0}}), big)), (std::vector<double>{0, 2, 0, 0, 1, 0}));
  EXPECT_EQ(values(z), (std::vector<double>(8, 0.0)));  // out of place
  Tensor zi = zeros({3}, DType::Int64);
  EXPECT_EQ(ints(scatter(zi, 0, idx({2}), 7.0)), (std::vector<int64_t>{0, 0, 7}));
}

TEST(Scatter, AddAccumulatesDuplicates) {
  Tensor out = scatter_add(ones({2, 4}), -1, idx({{3, 0}, {1, 1}}), tensor({{1, 2}, {3, 4}}));
  EXPECT_EQ(values(out), (std::vector<double>{3, 1, 1, 2, 1, 8, 1, 1}));
  Tensor counts = scatter_add(zeros({3}, DType::Int64), 0, idx({0, 2, 2, 2}), ones({4}, DType::Int64));
  EXPECT_EQ(ints(counts), (std::vector<int64_t>{1, 0, 3}));
}

TEST(Scatter, Errors) {
  Tensor z = zeros({2, 3});
  expect_error([&] { scatter(z, 1, idx({3}).reshape({1, 1}), tensor({1}).reshape({1, 1})); }, {"scatter", "index 3", "size 3"});
  expect_error([&] { scatter(z, 1, idx({0}).reshape({1, 1}), tensor({1}, DType::Float64).reshape({1, 1})); }, {"scatter", "dtype"});
  expect_error([&] { scatter_add(z, 1, idx({{0, 1}}), tensor({1}).reshape({1, 1})); }, {"scatter_add", "larger than src"});
  expect_error([&] { scatter_add(z, 0, idx({7}).reshape({1, 1}), tensor({1}).reshape({1, 1})); }, {"scatter_add", "index 7", "size 2"});
}

// ---- index_select / index_add ---------------------------------------------------------------------------

TEST(IndexSelect, RowsColumnsAndRepeats) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(values(index_select(x, 0, idx({1, 1, 0}))), (std::vector<double>{4, 5, 6, 4, 5, 6, 1, 2, 3}));
  Tensor c = index_select(x, -1, idx({2, 0}));
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(c), (std::vector<double>{3, 1, 6, 4}));
  EXPECT_EQ(values(index_select(x.t(), 0, idx({2}))), (std::vector<double>{3, 6}));  // non-contiguous input
  Tensor b = index_select(tensor({1, 0, 1}, DType::Bool), 0, idx({1, 2}));
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{false, true}));
  EXPECT_EQ(index_select(x, 0, empty({0}, DType::Int64)).shape(), (Shape{0, 3}));
}

TEST(IndexSelect, LargeParallel) {
  Tensor x = arange(0, 200000, 1, DType::Float64).reshape({1000, 200});
  Tensor index = arange(999, -1, -1, DType::Int64);
  Tensor y = index_select(x, 0, index);
  EXPECT_DOUBLE_EQ(y.select(0, 0).select(0, 5).item(), 999 * 200 + 5);
  EXPECT_DOUBLE_EQ(y.select(0, 999).select(0, 7).item(), 7);
}

TEST(IndexSelect, Errors) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_error([&] { index_select(x, 0, idx({2})); }, {"index_select", "index 2", "size 2"});
  expect_error([&] { index_select(x, 0, idx({0}).reshape({1, 1})); }, {"index_select", "vector"});
  expect_error([&] { index_select(x, 0, tensor({0.0})); }, {"index_select", "int64"});
}

TEST(IndexAdd, AccumulatesRows) {
  Tensor out = index_add(zeros({3, 2}), 0, idx({2, 0, 2}), tensor({{1, 2}, {3, 4}, {5, 6}}));
  EXPECT_EQ(values(out), (std::vector<double>{3, 4, 0, 0, 6, 8}));
  expect_error([] { index_add(zeros({3, 2}), 0, idx({0}), ones({2, 2})); }, {"index_add", "source"});
}

// ---- masked_fill -------------------------------------------------------------------------------------

TEST(MaskedFill, BroadcastMaskAndDtypes) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor row_mask = tensor({1, 0, 1}, DType::Bool);
  EXPECT_EQ(values(masked_fill(x, row_mask, -1)), (std::vector<double>{-1, 2, -1, -1, 5, -1}));
  Tensor col_mask = tensor({0, 1}, DType::Bool).reshape({2, 1});
  EXPECT_EQ(values(masked_fill(x, col_mask, 0)), (std::vector<double>{1, 2, 3, 0, 0, 0}));
  // x broadcast against a larger mask, as torch.masked_fill.
  Tensor wide = masked_fill(tensor({1, 2, 3}), col_mask, 9);
  EXPECT_EQ(wide.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(wide), (std::vector<double>{1, 2, 3, 9, 9, 9}));
  Tensor xi = masked_fill(arange(0, 3, 1, DType::Int64), row_mask, 7);
  EXPECT_EQ(ints(xi), (std::vector<int64_t>{7, 1, 7}));
  expect_error([&] { masked_fill(x, ones({3}), 0); }, {"masked_fill", "bool"});
  expect_error([&] { masked_fill(x, ones({4}, DType::Bool), 0); }, {"masked_fill", "broadcast"});
}

TEST(MaskedFill, InPlace) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor same = x;
  x.masked_fill_(tensor({0, 1, 0}, DType::Bool), 0.5);
  EXPECT_EQ(values(same), (std::vector<double>{1, 0.5, 3, 4, 0.5, 6}));
  Tensor col = x.select(1, 0);  // in place on a strided view
  col.masked_fill_(tensor({1, 1}, DType::Bool), -2);
  EXPECT_EQ(values(x), (std::vector<double>{-2, 0.5, 3, -2, 0.5, 6}));
  expect_error([&] { x.masked_fill_(ones({2, 2}, DType::Bool), 0); }, {"masked_fill_"});
  Tensor leaf = ones({2}).requires_grad_();
  expect_error([&] { leaf.masked_fill_(tensor({1, 0}, DType::Bool), 0); }, {"masked_fill_", "leaf"});
}

TEST(MaskedFill, InPlaceRecordsGradient) {
  Tensor w = tensor({1, 2, 3}).requires_grad_();
  Tensor y = w * 2.0;
  y.masked_fill_(tensor({0, 1, 0}, DType::Bool), 10);
  EXPECT_EQ(values(y), (std::vector<double>{2, 10, 6}));
  y.sum().backward();
  EXPECT_EQ(values(w.grad()), (std::vector<double>{2, 0, 2}));
}

// ---- one_hot -----------------------------------------------------------------------------------------

TEST(OneHot, ValuesShapesAndErrors) {
  Tensor o = one_hot(idx({0, 2, 1}));
  EXPECT_EQ(o.dtype(), DType::Int64);
  EXPECT_EQ(o.shape(), (Shape{3, 3}));
  EXPECT_EQ(ints(o), (std::vector<int64_t>{1, 0, 0, 0, 0, 1, 0, 1, 0}));
  Tensor o2 = one_hot(idx({1, 0}).reshape({2, 1}), 4);
  EXPECT_EQ(o2.shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(ints(o2), (std::vector<int64_t>{0, 1, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(one_hot(empty({0}, DType::Int64), 3).shape(), (Shape{0, 3}));
  expect_error([] { one_hot(idx({0, -2})); }, {"one_hot", "-2"});
  expect_error([] { one_hot(idx({0, 5}), 3); }, {"one_hot", "5", "num_classes 3"});
  expect_error([] { one_hot(tensor({0.0})); }, {"one_hot", "int64"});
  expect_error([] { one_hot(empty({0}, DType::Int64)); }, {"one_hot", "empty"});
}

// ---- sort / topk ---------------------------------------------------------------------------------------

TEST(Sort, AscendingDescendingStable) {
  auto [v, i] = sort(tensor({3, 1, 2, 1}));
  EXPECT_EQ(values(v), (std::vector<double>{1, 1, 2, 3}));
  EXPECT_EQ(ints(i), (std::vector<int64_t>{1, 3, 2, 0}));  // stable: the first 1 comes first
  auto [vd, id] = sort(tensor({3, 1, 2, 1}), -1, true);
  EXPECT_EQ(values(vd), (std::vector<double>{3, 2, 1, 1}));
  EXPECT_EQ(ints(id), (std::vector<int64_t>{0, 2, 1, 3}));
  auto [v0, i0] = sort(tensor({{3, 1, 2}, {0, 5, -1}}), 0, true);  // torch values
  EXPECT_EQ(values(v0), (std::vector<double>{3, 5, 2, 0, 1, -1}));
  EXPECT_EQ(ints(i0), (std::vector<int64_t>{0, 1, 0, 1, 0, 1}));
}

TEST(Sort, NaNIsLargestAndOtherDtypes) {
  Tensor x = tensor({2, kNaN, 1, 2}, DType::Float64);
  auto [vd, id] = sort(x, 0, true);  // torch: [nan, 2, 2, 1], [1, 0, 3, 2]
  EXPECT_TRUE(std::isnan(values(vd)[0]));
  EXPECT_EQ(ints(id), (std::vector<int64_t>{1, 0, 3, 2}));
  auto [va, ia] = sort(x);
  EXPECT_EQ(ints(ia), (std::vector<int64_t>{2, 0, 3, 1}));
  EXPECT_TRUE(std::isnan(values(va)[3]));
  auto [vi, ii] = sort(tensor({5, -3, 0}, DType::Int64));
  EXPECT_EQ(ints(vi), (std::vector<int64_t>{-3, 0, 5}));
  EXPECT_EQ(ints(ii), (std::vector<int64_t>{1, 2, 0}));
  auto [vb, ib] = sort(tensor({1, 0, 1, 0}, DType::Bool));
  EXPECT_EQ(vb.to_vector<bool>(), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(ints(ib), (std::vector<int64_t>{1, 3, 0, 2}));
  expect_error([] { sort(tensor({1, 2}), 1); }, {"sort", "dimension out of range"});
}

TEST(Sort, LargeMatchesTopk) {
  Tensor x = randn({64, 2000}, DType::Float64);
  auto [v, i] = sort(x, 1, true);
  auto [tv, ti] = topk(x, 2000, 1);
  EXPECT_TRUE(allclose(v, tv));
  EXPECT_EQ(ints(i), ints(ti));
  EXPECT_TRUE(allclose(gather(x, 1, i), v));
}

TEST(Topk, LargestSmallestAndUnsorted) {
  Tensor x = tensor({{3, 1, 2, 7}, {0, 5, -1, 4}});
  auto [v, i] = topk(x, 2, 1);  // torch: [[7,3],[5,4]], [[3,0],[1,3]]
  EXPECT_EQ(values(v), (std::vector<double>{7, 3, 5, 4}));
  EXPECT_EQ(ints(i), (std::vector<int64_t>{3, 0, 1, 3}));
  auto [vs, is] = topk(x, 3, -1, /*largest=*/false);  // torch: [[1,2,3],[-1,0,4]], [[1,2,0],[2,0,3]]
  EXPECT_EQ(values(vs), (std::vector<double>{1, 2, 3, -1, 0, 4}));
  EXPECT_EQ(ints(is), (std::vector<int64_t>{1, 2, 0, 2, 0, 3}));
  auto [vu, iu] = topk(x, 2, 1, true, /*sorted=*/false);  // unsorted: in order of position
  EXPECT_EQ(values(vu), (std::vector<double>{3, 7, 5, 4}));
  EXPECT_EQ(ints(iu), (std::vector<int64_t>{0, 3, 1, 3}));
  auto [v0, i0] = topk(x, 1, 0);
  EXPECT_EQ(values(v0), (std::vector<double>{3, 5, 2, 7}));
  EXPECT_EQ(ints(i0), (std::vector<int64_t>{0, 1, 0, 0}));
}

TEST(Topk, NaNTiesAndErrors) {
  Tensor x = tensor({1, kNaN, 3, 3}, DType::Float64);
  auto [v, i] = topk(x, 2);  // torch: [nan, 3], [1, 2 or 3]; ties go to the lower position here
  EXPECT_TRUE(std::isnan(values(v)[0]));
  EXPECT_EQ(ints(i), (std::vector<int64_t>{1, 2}));
  auto [vs, is] = topk(x, 2, 0, false);  // NaN is the largest, so never among the smallest here
  EXPECT_EQ(values(vs), (std::vector<double>{1, 3}));
  EXPECT_EQ(ints(is), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(topk(x, 0).first.shape(), (Shape{0}));
  expect_error([&] { topk(x, 5); }, {"topk", "k (5)", "size 4"});
  expect_error([&] { topk(x, -1); }, {"topk"});
}
