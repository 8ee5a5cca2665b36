// autograd::grad (torch.autograd.grad semantics), higher-order gradients through create_graph
// (second derivatives of tanh, sigmoid, softmax and matmul against closed forms, a WGAN-GP
// gradient penalty gradchecked), and nodes with several outputs.
#include <gtest/gtest.h>

#include <cmath>

#include "error_of.h"
#include "nabla/autograd/primitives.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/linear.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}

void expect_close(const Tensor& a, const Tensor& b, double tol = 1e-10) {
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_LT(abs(a - b).max().item(), tol) << "got " << a << "\nexpected " << b;
}

}  // namespace

// ---- autograd::grad ----------------------------------------------------------------------------

TEST(Grad, ReturnsGradientsWithoutTouchingDotGrad) {
  Tensor x = rnd({3}, 1), w = rnd({3}, 2);
  Tensor y = (x * w).sum();
  std::vector<Tensor> g = autograd::grad({y}, {x, w});
  expect_close(g[0], w.detach());
  expect_close(g[1], x.detach());
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(Grad, IntermediateInputsAndGradOutputs) {
  Tensor x = rnd({4}, 3);
  Tensor h = x * 2.0;      // intermediate
  Tensor y = h * h;        // dy/dh = 2h
  Tensor v = tensor({1.0, 2.0, 3.0, 4.0}, DType::Float64);
  std::vector<Tensor> g = autograd::grad({y}, {h, x}, {.grad_outputs = {v}});
  expect_close(g[0], v * h.detach() * 2.0);
  expect_close(g[1], v * h.detach() * 4.0);
}

TEST(Grad, SeveralOutputsSumTheirContributions) {
  Tensor x = rnd({2}, 4);
  std::vector<Tensor> g = autograd::grad({(x * 3.0).sum(), (x * x).sum()}, {x});
  expect_close(g[0], x.detach() * 2.0 + 3.0);
}

TEST(Grad, UnusedInputsAndBadArguments) {
  Tensor x = rnd({2}, 5), z = rnd({2}, 6);
  Tensor y = (x * 2.0).sum();
  EXPECT_NE(error_of([&] { autograd::grad({y}, {z}, {.retain_graph = true}); })
                .find("grad: input 0 (shape [2]) appears to not have been used in the graph; pass allow_unused = true"),
            std::string::npos);
  std::vector<Tensor> g = autograd::grad({y}, {x, z}, {.retain_graph = true, .allow_unused = true});
  EXPECT_TRUE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
  Tensor c = ones({2}, DType::Float64);
  EXPECT_NE(error_of([&] { autograd::grad({y}, {c}, {.retain_graph = true}); }).find("does not require grad"),
            std::string::npos);
  EXPECT_NE(error_of([&] { autograd::grad({x * 2.0}, {x}); })
                .find("grad can be implicitly created only for scalar outputs"),
            std::string::npos);
  // Without retain_graph the graph is freed, as for backward().
  autograd::grad({y}, {x});
  EXPECT_NE(error_of([&] { autograd::grad({y}, {x}); }).find("backward through the graph a second time"),
            std::string::npos);
}

TEST(Grad, CreateGraphThroughBackward) {
  // y = Σx³: backward(create_graph) leaves x.grad = 3x² with a graph; its backward gives 6x.
  Tensor x = rnd({3}, 7);
  (x * x * x).sum().backward(Tensor(), false, /*create_graph=*/true);
  Tensor g = x.grad();
  ASSERT_TRUE(g.requires_grad());
  expect_close(g.detach(), x.detach() * x.detach() * 3.0);
  x.zero_grad();
  g.sum().backward();
  expect_close(x.grad(), x.detach() * 6.0);
}

// ---- second derivatives against closed forms -------------------------------------------------

TEST(HigherOrder, TanhAndSigmoidSecondDerivatives) {
  Tensor x = rnd({5}, 8);
  const Tensor xd = x.detach();
  // tanh'' = −2·tanh·(1 − tanh²)
  Tensor g1 = autograd::grad({tanh(x).sum()}, {x}, {.create_graph = true})[0];
  Tensor g2 = autograd::grad({g1.sum()}, {x})[0];
  const Tensor t = tanh(xd);
  expect_close(g2, t * (1.0 - t * t) * -2.0);
  // σ'' = σ·(1 − σ)·(1 − 2σ)
  g1 = autograd::grad({sigmoid(x).sum()}, {x}, {.create_graph = true})[0];
  g2 = autograd::grad({g1.sum()}, {x})[0];
  const Tensor s = sigmoid(xd);
  expect_close(g2, s * (1.0 - s) * (1.0 - s * 2.0));
}

TEST(HigherOrder, SoftmaxHessian) {
  // ∂²y_k/∂x_i∂x_j = y_k·[(δ_ki − y_i)(δ_kj − y_j) − y_i(δ_ij − y_j)]
  const int64_t n = 4, k = 2;
  Tensor x = rnd({n}, 9);
  Tensor y = softmax(x, 0);
  Tensor g1 = autograd::grad({y[k]}, {x}, {.create_graph = true})[0];
  const std::vector<double> p = softmax(x.detach(), 0).to_vector<double>();
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<double> row = autograd::grad({g1[i]}, {x}, {.retain_graph = true})[0].to_vector<double>();
    for (int64_t j = 0; j < n; ++j) {
      const double dki = k == i, dkj = k == j, dij = i == j;
      const double expected = p[k] * ((dki - p[i]) * (dkj - p[j]) - p[i] * (dij - p[j]));
      EXPECT_NEAR(row[j], expected, 1e-12) << "i=" << i << " j=" << j;
    }
  }
}

TEST(HigherOrder, MatmulMixedSecondDerivative) {
  // L = Σ(A·B) ⇒ ∂L/∂A = 1·Bᵀ; s = Σ V ⊙ ∂L/∂A ⇒ ∂s/∂B[k, j] = Σ_i V[i, k], i.e. Vᵀ·1.
  Tensor A = rnd({3, 4}, 10), B = rnd({4, 2}, 11);
  Tensor V = randn({3, 4}, DType::Float64);
  Tensor gA = autograd::grad({matmul(A, B).sum()}, {A}, {.create_graph = true})[0];
  Tensor gB = autograd::grad({(gA * V).sum()}, {B})[0];
  expect_close(gB, matmul(V.t(), ones({3, 2}, DType::Float64)));
}

TEST(HigherOrder, WganGradientPenaltyIsGradchecked) {
  // A critic D(x) = W2·tanh(W1·x + b1) + b2 and the penalty of WGAN-GP on interpolates x̂:
  //   gp = mean((‖∂D(x̂)/∂x̂‖₂ − 1)²).
  // Its gradient with respect to the critic's parameters needs the derivative of a gradient.
  namespace F = nabla::nn::functional;
  Generator gen(12);
  const Tensor real = randn({4, 3}, DType::Float64, &gen), fake = randn({4, 3}, DType::Float64, &gen);
  const Tensor eps = rand({4, 1}, DType::Float64, &gen);
  auto penalty = [&](const std::vector<Tensor>& p) {
    autograd::EnableGradGuard grad_mode;  // gradcheck evaluates under no_grad
    Tensor x_hat = (eps * real + (1.0 - eps) * fake).detach().requires_grad_();
    Tensor d = F::linear(tanh(F::linear(x_hat, p[0], p[1])), p[2], p[3]);
    Tensor g = autograd::grad({d.sum()}, {x_hat}, {.create_graph = true})[0];
    Tensor norm = sqrt((g * g).sum({1}));
    return pow(norm - 1.0, 2.0).mean();
  };
  std::vector<Tensor> params{rnd({5, 3}, 13), rnd({5}, 14), rnd({1, 5}, 15), rnd({1}, 16)};
  GradcheckResult r = gradcheck(penalty, params);
  EXPECT_TRUE(r.ok) << r.message;
  // b2 does not move the gradient of D, so the penalty's gradient there is exactly zero.
  Tensor gp = penalty(params);
  std::vector<Tensor> g = autograd::grad({gp}, params, {.allow_unused = true});
  EXPECT_FALSE(g[3].defined() && g[3].abs().max().item() != 0.0);
  EXPECT_GT(g[0].abs().max().item(), 0.0);
}

TEST(HigherOrder, GradgradcheckDetectsAWrongSecondDerivative) {
  // y = x³ with a rule 3x²·g whose x² is detached: right first derivative, second derivative 0.
  autograd::register_primitive("cube_detached_rule", "3x²·g, x detached (wrong second derivative)", true);
  auto cube = [](const std::vector<Tensor>& v) {
    Tensor x = v[0];
    Tensor y = x.detach() * x.detach() * x.detach();
    autograd::record(y, "cube_detached_rule", {x}, [xd = x.detach()](const Tensor& g) {
      return std::vector<Tensor>{g * xd * xd * 3.0};
    });
    return y;
  };
  std::vector<Tensor> in{rnd({3}, 17)};
  EXPECT_TRUE(gradcheck(cube, in).ok);
  EXPECT_FALSE(gradgradcheck(cube, in).ok);
  EXPECT_TRUE(gradgradcheck([](const std::vector<Tensor>& v) { return v[0] * v[0] * v[0]; }, in).ok);
}

// ---- nodes with several outputs ------------------------------------------------------------------

TEST(MultiOutput, OneRuleReceivesTheGradientsOfAllOutputs) {
  autograd::register_primitive("two_outputs", "a: 2·g0 + 3·g1");
  int calls = 0;
  std::vector<Tensor> seen;
  auto op = [&](const Tensor& a) {
    std::vector<Tensor> out{a.detach() * 2.0, a.detach() * 3.0};
    autograd::record_multi(out, "two_outputs", {a}, [&](const std::vector<Tensor>& grads) {
      ++calls;
      seen = grads;
      Tensor g = zeros_like(a.detach());
      if (grads[0].defined()) g = g + grads[0] * 2.0;
      if (grads[1].defined()) g = g + grads[1] * 3.0;
      return std::vector<Tensor>{g};
    });
    return out;
  };
  Tensor a = rnd({3}, 18);
  std::vector<Tensor> o = op(a);
  EXPECT_EQ(o[0].grad_fn(), o[1].grad_fn());
  EXPECT_EQ(o[0].impl().output_nr, 0u);
  EXPECT_EQ(o[1].impl().output_nr, 1u);
  (o[0].sum() + (o[1] * o[1]).sum()).backward();
  EXPECT_EQ(calls, 1);  // once, with both gradients
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].defined() && seen[1].defined());
  expect_close(a.grad(), 2.0 + a.detach() * 18.0);

  // Only the second output used: the first gradient arrives undefined.
  calls = 0;
  Tensor b = rnd({3}, 19);
  op(b)[1].sum().backward();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(seen[0].defined());
  expect_close(b.grad(), full({3}, 3.0, DType::Float64));
}

TEST(MultiOutput, SplitUnbindMaxSortAreOneNode) {
  Tensor x = rnd({4, 6}, 20);
  std::vector<Tensor> pieces = split(x, 2, 1);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].grad_fn()->name, "split");
  EXPECT_EQ(pieces[0].grad_fn(), pieces[2].grad_fn());
  EXPECT_EQ(pieces[2].impl().output_nr, 2u);
  (pieces[0].sum() + pieces[2].sum() * 2.0).backward();
  Tensor expected = zeros({4, 6}, DType::Float64);
  expected.slice(1, 0, 2).fill_(1.0);
  expected.slice(1, 4, 6).fill_(2.0);
  expect_close(x.grad(), expected);

  std::vector<Tensor> rows = unbind(x, 0);
  EXPECT_EQ(rows[0].grad_fn(), rows[3].grad_fn());
  EXPECT_EQ(rows[1].grad_fn()->name, "unbind");

  auto [values, indices] = max(x, 1);
  EXPECT_EQ(values.grad_fn()->name, "max");
  EXPECT_EQ(values.grad_fn()->outputs.size(), 2u);  // values and indices
  EXPECT_FALSE(indices.requires_grad());
  auto [sorted, order] = sort(x, 1);
  EXPECT_EQ(sorted.grad_fn()->name, "sort");
  EXPECT_EQ(sorted.grad_fn()->outputs.size(), 2u);
}

TEST(SavedTensors, InPlaceChangeOfASavedInputNamesTheOp) {
  Tensor a = rnd({3}, 21);
  Tensor b = a * 1.0;
  Tensor y = (b * b).sum();
  b.add_(1.0);
  EXPECT_NE(error_of([&] { y.backward(); })
                .find("one of the tensors needed for the gradient of op mul has been modified by an in-place operation"),
            std::string::npos);
  // A saved output (exp keeps its result) is checked the same way.
  Tensor c = rnd({3}, 22);
  Tensor e = exp(c);
  Tensor z = e.sum();
  {
    NoGradGuard no_grad;
    e.mul_(2.0);
  }
  EXPECT_NE(error_of([&] { z.backward(); }).find("gradient of op exp has been modified"), std::string::npos);
}
