#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

// The notes' backprop example: f = (x + y)·z at x=−2, y=5, z=−4.
TEST(AutogradOracle, AddMulCircuit) {
  Tensor x = scalar_tensor(-2).requires_grad_();
  Tensor y = scalar_tensor(5).requires_grad_();
  Tensor z = scalar_tensor(-4).requires_grad_();
  Tensor f = (x + y) * z;
  EXPECT_EQ(f.item(), -12);
  f.backward();
  EXPECT_EQ(x.grad().item(), -4);
  EXPECT_EQ(y.grad().item(), -4);
  EXPECT_EQ(z.grad().item(), 3);
}

TEST(Autograd, AccumulatesWhereBranchesMeet) {
  Tensor x = tensor({1, 2, 3}).requires_grad_();
  Tensor y = x * x + x * 3;  // dy/dx = 2x + 3
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{5, 7, 9}));
  // A second backward accumulates into .grad.
  (x * 2).sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{7, 9, 11}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, RetainGraphAndFreedGraph) {
  Tensor x = tensor({1, 2}).requires_grad_();
  Tensor y = (x * x).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{4, 8}));
  try {
    y.backward();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
  }
}

TEST(Autograd, NoGradAndDetach) {
  Tensor x = tensor({1, 2}).requires_grad_();
  {
    NoGradGuard guard;
    Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
  }
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE((x * 2).requires_grad());
  EXPECT_THROW(tensor({1, 2}).sum().backward(), Error);
}

TEST(Autograd, ExplicitGradientAndShapeCheck) {
  Tensor x = tensor({1, 2, 3}).requires_grad_();
  Tensor y = x * 3;
  EXPECT_THROW(y.backward(), Error);  // non-scalar without gradient
  EXPECT_THROW(y.backward(ones({2})), Error);
  y.backward(tensor({1, 10, 100}));
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3, 30, 300}));
}

TEST(Autograd, InplaceChecks) {
  Tensor leaf = tensor({1, 2}).requires_grad_();
  EXPECT_THROW(leaf.add_(1.0), Error);
  {
    NoGradGuard guard;
    leaf.add_(1.0);  // allowed: optimizer-style update
  }
  EXPECT_EQ(leaf.to_vector<float>(), (std::vector<float>{2, 3}));
  // Modifying a tensor saved for backward is detected.
  Tensor a = leaf * 1.0;
  Tensor b = a * a;
  a.add_(1.0);
  EXPECT_THROW(b.sum().backward(), Error);
  // In-place on a non-leaf keeps the history right: d/dx of (x*2 + 1)*3 = 6.
  Tensor x = tensor({1, 2}).requires_grad_();
  Tensor h = x * 2;
  h.add_(1.0);
  h.mul_(3.0);
  h.sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{6, 6}));
  EXPECT_EQ(h.to_vector<float>(), (std::vector<float>{9, 15}));
}

TEST(Autograd, ViewsBackward) {
  Tensor x = arange(0, 6, 1, DType::Float64).reshape({2, 3}).requires_grad_();
  Tensor y = x.t().slice(0, 1, 3).reshape({4}) * tensor({1, 2, 3, 4}, DType::Float64);
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0, 1, 3, 0, 2, 4}));
}

// ∇ₓ‖Wx‖² = 2Wᵀ(Wx).
TEST(AutogradOracle, NormOfLinearMap) {
  Generator g(3);
  Tensor W = randn({4, 3}, DType::Float64, &g);
  Tensor x = randn({3}, DType::Float64, &g).requires_grad_();
  Tensor Wx = matmul(W, x);
  (Wx * Wx).sum().backward();
  Tensor expected = matmul(W.t(), Wx.detach()) * 2;
  EXPECT_TRUE(allclose(x.grad(), expected, 1e-12, 1e-12));
}
