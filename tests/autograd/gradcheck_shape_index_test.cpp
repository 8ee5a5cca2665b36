// gradcheck on the joining, padding and indexing ops: cat, stack, split, chunk, pad (all modes),
// gather, scatter, scatter_add, index_select, index_add, masked_fill(_), sort, topk — with
// non-contiguous inputs and broadcasting where the op allows it.
#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
// A (rows, cols) leaf whose storage is transposed: non-contiguous.
Tensor rnd_t(int64_t rows, int64_t cols, uint64_t seed) {
  Tensor t = rnd({cols, rows}, seed).detach().t().requires_grad_();
  EXPECT_FALSE(t.is_contiguous());
  return t;
}
Tensor idx(std::initializer_list<std::initializer_list<double>> rows) { return tensor(rows, DType::Int64); }
void expect_grad_ok(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& in) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << r.message;
}
}  // namespace

TEST(GradcheckShapeIndex, CatAndStack) {
  Tensor a = rnd({2, 3}, 1), b = rnd({2, 2}, 2), c = rnd_t(2, 4, 3);
  expect_grad_ok([](auto& v) { return cat({v[0], v[1], v[2]}, 1); }, {a, b, c});
  expect_grad_ok([](auto& v) { return cat({v[0].t(), v[1].t()}, -2); }, {a, b});
  expect_grad_ok([](auto& v) { return cat({v[0], v[0] * 2.0}, 0); }, {a});  // one input used twice
  Tensor d = rnd({2, 3}, 4);
  expect_grad_ok([](auto& v) { return stack({v[0], v[1], v[0]}, 1); }, {a, d});
  expect_grad_ok([](auto& v) { return stack({v[0], v[1]}, -1); }, {rnd_t(2, 3, 5), d});
}

TEST(GradcheckShapeIndex, SplitAndChunk) {
  Tensor x = rnd({5, 3}, 6);
  expect_grad_ok([](auto& v) {
    auto p = split(v[0], 2);
    return cat({p[2] * 3.0, p[0], p[1] * p[1]}, 0);
  }, {x});
  expect_grad_ok([](auto& v) {
    auto p = split(v[0], IntList{1, 2}, -1);
    return p[1] * 2.0 + p[0];  // (5,2) + (5,1) broadcast
  }, {x});
  expect_grad_ok([](auto& v) {
    auto p = chunk(v[0], 3, 1);
    return p[0] * p[2] - p[1];
  }, {rnd_t(4, 3, 7)});
}

TEST(GradcheckShapeIndex, PadAllModes) {
  Tensor x = rnd({2, 3, 4}, 8), xt = rnd_t(3, 4, 9);
  for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Replicate, PadMode::Circular}) {
    SCOPED_TRACE(static_cast<int>(mode));
    const double value = mode == PadMode::Constant ? 0.5 : 0.0;
    expect_grad_ok([mode, value](auto& v) { return pad(v[0], {2, 1, 1, 2}, mode, value); }, {x});
    expect_grad_ok([mode, value](auto& v) { return pad(v[0], {3, 0}, mode, value); }, {xt});
    expect_grad_ok([mode, value](auto& v) { return pad(v[0], {-1, 2, 0, 1}, mode, value); }, {x});  // crop + pad
  }
  // Wide replicate padding: each edge element receives many gradient contributions.
  expect_grad_ok([](auto& v) { return pad(v[0], {5, 6}, PadMode::Replicate); }, {xt});
}

TEST(GradcheckShapeIndex, GatherScatter) {
  Tensor x = rnd({3, 4}, 10), xt = rnd_t(3, 4, 11);
  Tensor index = idx({{3, 0, 3}, {1, 1, 2}, {0, 2, 2}});  // duplicates: gradients accumulate
  expect_grad_ok([index](auto& v) { return gather(v[0], 1, index); }, {x});
  expect_grad_ok([index](auto& v) { return gather(v[0], -1, index); }, {xt});
  Tensor index0 = idx({{2, 0, 1, 0}, {1, 2, 0, 2}});
  expect_grad_ok([index0](auto& v) { return gather(v[0], 0, index0); }, {xt});

  // scatter: distinct targets per row (with duplicates only the last write is differentiable).
  Tensor unique = idx({{3, 0}, {1, 2}, {0, 3}});
  Tensor src = rnd({3, 3}, 12);  // larger than index: its last column is never read
  expect_grad_ok([unique](auto& v) { return scatter(v[0], 1, unique, v[1]); }, {xt, src});
  expect_grad_ok([unique](auto& v) { return scatter(v[0], 1, unique, 2.5); }, {x});
  expect_grad_ok([index](auto& v) { return scatter_add(v[0], 1, index, v[1]); }, {xt, rnd({3, 3}, 13)});
  expect_grad_ok([index](auto& v) { return scatter_add(v[0], 1, index.narrow(1, 0, 2), v[1]); }, {x, src});
}

TEST(GradcheckShapeIndex, IndexSelectAndAdd) {
  Tensor x = rnd({4, 3}, 14), xt = rnd_t(4, 3, 15);
  Tensor index = tensor({3, 0, 3, 1}, DType::Int64);
  expect_grad_ok([index](auto& v) { return index_select(v[0], 0, index); }, {x});
  expect_grad_ok([index](auto& v) { return index_select(v[0], -1, index.narrow(0, 2, 2) - 1.0); }, {xt});
  expect_grad_ok([index](auto& v) { return index_add(v[0], 0, index, v[1]); }, {x, rnd_t(4, 3, 16)});
}

TEST(GradcheckShapeIndex, MaskedFill) {
  Tensor x = rnd({2, 3}, 17), xt = rnd_t(2, 3, 18);
  Tensor mask = tensor({{1, 0, 1}, {0, 0, 1}}, DType::Bool);
  Tensor row_mask = tensor({0, 1, 1}, DType::Bool);
  expect_grad_ok([mask](auto& v) { return masked_fill(v[0], mask, 3.0); }, {x});
  expect_grad_ok([row_mask](auto& v) { return masked_fill(v[0], row_mask, -1.0); }, {xt});  // mask broadcast to x
  // x broadcast against a larger mask: the gradient is summed back over the new dim.
  Tensor cube_mask = tensor({1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0}, DType::Bool).reshape({2, 2, 3});
  expect_grad_ok([cube_mask](auto& v) { return masked_fill(v[0], cube_mask, 0.0); }, {rnd({2, 1, 3}, 19)});
  expect_grad_ok([mask](auto& v) {
    Tensor y = v[0] * 2.0;
    y.masked_fill_(mask, 1.0);
    return y;
  }, {x});
}

TEST(GradcheckShapeIndex, SortAndTopk) {
  // randn values are distinct, so the orderings are stable under the ±eps perturbations.
  Tensor x = rnd({3, 5}, 20), xt = rnd_t(3, 5, 21);
  expect_grad_ok([](auto& v) { return sort(v[0]).first; }, {x});
  expect_grad_ok([](auto& v) { return sort(v[0], 0, true).first; }, {xt});
  expect_grad_ok([](auto& v) { return topk(v[0], 2).first; }, {x});
  expect_grad_ok([](auto& v) { return topk(v[0], 2, 0, false).first; }, {xt});
  expect_grad_ok([](auto& v) { return topk(v[0], 3, -1, true, false).first; }, {xt});
}
