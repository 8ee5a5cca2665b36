// gradcheck on the core ops (views, arithmetic, sum, matmul), contiguous and not.
#include <gtest/gtest.h>

#include "nabla/autograd/primitives.h"
#include "nabla/nabla.h"

using namespace nabla;

namespace {
Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
void expect_grad_ok(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& in) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << r.message;
}
}  // namespace

TEST(GradcheckCore, Arithmetic) {
  Tensor a = rnd({2, 3}, 1), b = rnd({3}, 2), c = rnd({2, 1}, 3);
  expect_grad_ok([](auto& v) { return add(v[0], v[1], 0.5); }, {a, b});
  expect_grad_ok([](auto& v) { return sub(v[0], v[1]); }, {a, c});
  expect_grad_ok([](auto& v) { return mul(v[0], v[1]); }, {a, b});
  expect_grad_ok([](auto& v) { return div(v[0], add(mul(v[1], v[1]), 1.0)); }, {a, c});
  expect_grad_ok([](auto& v) { return neg(v[0]) * 3.0 + 1.0; }, {a});
  expect_grad_ok([](auto& v) { return 2.0 / (v[0] * v[0] + 1.0); }, {a});
}

TEST(GradcheckCore, NonContiguousInputs) {
  Tensor a = rnd({3, 2}, 4).detach().t().requires_grad_();  // (2,3) non-contiguous leaf
  ASSERT_FALSE(a.is_contiguous());
  Tensor b = rnd({2, 3}, 5);
  expect_grad_ok([](auto& v) { return mul(v[0], v[1]); }, {a, b});
  expect_grad_ok([](auto& v) { return matmul(v[0], v[1].t()); }, {a, b});
}

TEST(GradcheckCore, ViewsAndReductions) {
  Tensor a = rnd({2, 3, 4}, 6);
  expect_grad_ok([](auto& v) { return v[0].permute({2, 0, 1}).reshape({4, 6}); }, {a});
  expect_grad_ok([](auto& v) { return v[0].slice(2, 1, 4, 2).select(0, 1); }, {a});
  expect_grad_ok([](auto& v) { return v[0].narrow(1, 1, 2).unsqueeze(1).squeeze(1).flatten(); }, {a});
  expect_grad_ok([](auto& v) { return v[0].sum({0, 2}); }, {a});
  expect_grad_ok([](auto& v) { return v[0].sum({1}, true); }, {a});
  expect_grad_ok([](auto& v) { return v[0].mean({-1}); }, {a});
  expect_grad_ok([](auto& v) { return v[0].sum(); }, {a});
  Tensor s = rnd({3, 1}, 7);
  expect_grad_ok([](auto& v) { return v[0].expand({2, 3, 4}); }, {s});
  expect_grad_ok([](auto& v) { return v[0].contiguous().clone(); }, {a.detach().transpose(0, 2).requires_grad_()});
}

TEST(GradcheckCore, Matmul) {
  Tensor a = rnd({3, 4}, 8), b = rnd({4, 2}, 9), v = rnd({4}, 10), ba = rnd({2, 3, 4}, 11), bb = rnd({2, 4, 5}, 12);
  expect_grad_ok([](auto& x) { return mm(x[0], x[1]); }, {a, b});
  expect_grad_ok([](auto& x) { return matmul(x[0], x[1]); }, {a, v});
  expect_grad_ok([](auto& x) { return matmul(x[1], x[0]); }, {b, v});
  expect_grad_ok([](auto& x) { return matmul(x[0], x[1]); }, {v, v});
  expect_grad_ok([](auto& x) { return bmm(x[0], x[1]); }, {ba, bb});
  expect_grad_ok([](auto& x) { return matmul(x[0], x[1]); }, {ba, b});  // broadcast batch
}

TEST(GradcheckCore, DetectsWrongGradient) {
  // A deliberately wrong rule must fail the check: gradcheck itself can fail.
  Tensor a = rnd({3}, 13);
  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& v) {
        Tensor out = v[0].detach() * 2.0;
        autograd::register_primitive("wrong", "3·g (deliberately wrong)");
        autograd::record(out, "wrong", {v[0]}, [](const Tensor& g) { return std::vector<Tensor>{g * 3.0}; });
        return out;
      },
      {a});
  EXPECT_FALSE(r.ok);
  EXPECT_NEAR(r.max_abs_error > 0 ? 1 : 0, 1, 0);
}
