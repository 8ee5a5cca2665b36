// Activation layers and functions: values at fixed points (PyTorch 1.13 in float64, 9 digits),
// derivatives at the kinks as PyTorch defines them, Maxout grouping, Softmax's implicit dim,
// printing and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/functional/activation.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {
const std::vector<double> kPoints{-2, -1, -0.5, 0, 0.5, 1, 2};

void expect_values(nn::UnaryModule& m, const std::vector<double>& expected) {
  SCOPED_TRACE(m.to_string());
  for (DType dt : {DType::Float32, DType::Float64}) {
    const auto y = m.forward(from_vector<double>(kPoints).to(dt)).to_vector<double>();
    ASSERT_EQ(y.size(), expected.size());
    for (size_t i = 0; i < y.size(); ++i)
      EXPECT_NEAR(y[i], expected[i], dt == DType::Float64 ? 1e-8 : 1e-6) << "x = " << kPoints[i];
  }
}

// d/dx of f at x (from autograd).
double derivative(const std::function<Tensor(const Tensor&)>& f, double x) {
  Tensor t = scalar_tensor(x, DType::Float64).requires_grad_();
  f(t).backward();
  return t.grad().item();
}
}  // namespace

TEST(Activation, ValuesMatchPyTorch) {
  nn::LeakyReLU leaky(0.1);
  expect_values(leaky, {-0.2, -0.1, -0.05, 0, 0.5, 1, 2});
  nn::ELU elu(0.8);
  expect_values(elu, {-0.691731773, -0.505696447, -0.314775472, 0, 0.5, 1, 2});
  nn::SELU selu;
  expect_values(selu, {-1.52016647, -1.11133074, -0.691758188, 0, 0.525350494, 1.05070099, 2.10140197});
  nn::GELU gelu;
  expect_values(gelu, {-0.0455002639, -0.158655254, -0.154268769, 0, 0.345731231, 0.841344746, 1.95449974});
  nn::GELU gelu_tanh("tanh");
  expect_values(gelu_tanh, {-0.0454023059, -0.158808009, -0.15428599, 0, 0.34571401, 0.841191991, 1.95459769});
  nn::SiLU silu;
  expect_values(silu, {-0.238405844, -0.268941421, -0.188770334, 0, 0.311229666, 0.731058579, 1.76159416});
  nn::Softplus softplus(2.0, 3.0);  // x = 2: βx = 4 > 3, linear regime
  expect_values(softplus, {0.00907496396, 0.0634640055, 0.156630844, 0.34657359, 0.656630844, 1.06346401, 2});
  nn::Hardtanh hardtanh(-0.5, 0.8);
  expect_values(hardtanh, {-0.5, -0.5, -0.5, 0, 0.5, 0.8, 0.8});
  nn::ReLU relu_layer;
  expect_values(relu_layer, {0, 0, 0, 0, 0.5, 1, 2});
  nn::Sigmoid sig;
  expect_values(sig, {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(0.5)), 0.5,
                      1 / (1 + std::exp(-0.5)), 1 / (1 + std::exp(-1.0)), 1 / (1 + std::exp(-2.0))});
  nn::Tanh th;
  expect_values(th, {std::tanh(-2.0), std::tanh(-1.0), std::tanh(-0.5), 0, std::tanh(0.5), std::tanh(1.0), std::tanh(2.0)});
}

// The MobileNet activations over all their pieces (PyTorch 1.13, float64).
TEST(Activation, HardActivationsMatchPyTorch) {
  const std::vector<double> x{-4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 6, 7};
  const std::vector<double> hardswish{0, 0, -1.0 / 3, -1.0 / 3, -0.208333333, 0, 0.291666667, 2.0 / 3, 5.0 / 3, 3, 4, 6, 7};
  const std::vector<double> hardsigmoid{0, 0, 1.0 / 6, 1.0 / 3, 0.416666667, 0.5, 0.583333333, 2.0 / 3, 5.0 / 6, 1, 1, 1, 1};
  const std::vector<double> relu6{0, 0, 0, 0, 0, 0, 0.5, 1, 2, 3, 4, 6, 6};
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor t = from_vector<double>(x).to(dt);
    const double tol = dt == DType::Float64 ? 1e-8 : 1e-6;
    const auto a = nn::Hardswish().forward(t).to_vector<double>();
    const auto b = nn::Hardsigmoid().forward(t).to_vector<double>();
    const auto c = nn::ReLU6().forward(t).to_vector<double>();
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(a[i], hardswish[i], tol) << "hardswish x = " << x[i];
      EXPECT_NEAR(b[i], hardsigmoid[i], tol) << "hardsigmoid x = " << x[i];
      EXPECT_NEAR(c[i], relu6[i], tol) << "relu6 x = " << x[i];
    }
  }
  // PyTorch's one-sided choices at the kinks: Hardswish takes the middle branch at ±3,
  // Hardsigmoid and ReLU6 are flat at their bounds.
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::hardswish(t); }, -3.0), -0.5);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::hardswish(t); }, 3.0), 1.5);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::hardswish(t); }, 6.0), 1.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::hardswish(t); }, -3.5), 0.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::hardsigmoid(t); }, 3.0), 0.0);
  EXPECT_NEAR(derivative([](const Tensor& t) { return F::hardsigmoid(t); }, 0.0), 1.0 / 6, 1e-15);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::relu6(t); }, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::relu6(t); }, 6.0), 0.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& t) { return F::relu6(t); }, 5.0), 1.0);
  EXPECT_EQ(nn::ReLU6().to_string(), "ReLU6()");
  EXPECT_EQ(nn::Hardsigmoid().to_string(), "Hardsigmoid()");
  EXPECT_EQ(nn::Hardswish().to_string(), "Hardswish()");
  EXPECT_THROW(F::hardswish(ones({2}, DType::Int64)), Error);
}

TEST(Activation, DerivativesAtKinksFollowPyTorch) {
  // LeakyReLU at 0 takes the negative slope; ELU/SELU at 0 the left branch (scale·alpha);
  // Hardtanh is flat at its bounds; Softplus's linear regime has slope 1.
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& x) { return F::leaky_relu(x, 0.1); }, 0.0), 0.1);
  EXPECT_NEAR(derivative([](const Tensor& x) { return F::selu(x); }, 0.0), 1.0507009873554805 * 1.6732632423543772, 1e-12);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& x) { return F::hardtanh(x); }, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& x) { return F::hardtanh(x); }, 0.3), 1.0);
  EXPECT_DOUBLE_EQ(derivative([](const Tensor& x) { return F::softplus(x, 1.0, 20.0); }, 25.0), 1.0);
  EXPECT_NEAR(derivative([](const Tensor& x) { return F::softplus(x); }, 0.0), 0.5, 1e-15);
  EXPECT_NEAR(derivative([](const Tensor& x) { return F::gelu(x); }, 0.0), 0.5, 1e-15);
  EXPECT_NEAR(derivative([](const Tensor& x) { return F::silu(x); }, 0.0), 0.5, 1e-15);
  // Saturation far out: no NaN or overflow.
  for (double x : {-1000.0, 1000.0}) {
    for (auto f : std::vector<std::function<Tensor(const Tensor&)>>{
             [](const Tensor& t) { return F::elu(t); }, [](const Tensor& t) { return F::gelu(t, "tanh"); },
             [](const Tensor& t) { return F::silu(t); }, [](const Tensor& t) { return F::softplus(t); }})
      EXPECT_TRUE(std::isfinite(derivative(f, x))) << x;
  }
  EXPECT_EQ(F::softplus(scalar_tensor(-1000.0)).item(), 0.0);
}

TEST(Activation, MaxoutGroupsConsecutiveFeatures) {
  nn::Maxout maxout(2);
  Tensor x = from_vector<float>({1, 5, 3, 2, -1, -4, 7, 0}, Shape{2, 4});
  Tensor y = maxout.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{5, 3, -1, 7}));
  // (N, C, H, W): groups along dim 1 at every position.
  Tensor x4 = arange(0, 16, 1, DType::Float32).reshape({1, 4, 2, 2});
  EXPECT_EQ(F::maxout(x4, 2).to_vector<float>(), (std::vector<float>{4, 5, 6, 7, 12, 13, 14, 15}));
  EXPECT_EQ(maxout.to_string(), "Maxout(pool_size=2)");
  try {
    maxout.forward(ones({2, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nn::Maxout(0), Error);
}

TEST(Activation, SoftmaxImplicitDim) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  EXPECT_TRUE(allclose(nn::Softmax().forward(x), softmax(x, 1)));  // 2-d: dim 1
  Tensor x3 = x.reshape({2, 3, 1});
  EXPECT_TRUE(allclose(nn::Softmax().forward(x3), softmax(x3, 0)));  // 3-d: dim 0 (PyTorch's legacy rule)
  EXPECT_TRUE(allclose(nn::LogSoftmax(-1).forward(x), log_softmax(x, -1)));
  EXPECT_NEAR(nn::Softmax(1).forward(x).sum().item(), 2.0, 1e-6);
}

TEST(Activation, PrintingMatchesPyTorch) {
  EXPECT_EQ(nn::ReLU().to_string(), "ReLU()");
  EXPECT_EQ(nn::LeakyReLU().to_string(), "LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(nn::ELU().to_string(), "ELU(alpha=1.0)");
  EXPECT_EQ(nn::SELU().to_string(), "SELU()");
  EXPECT_EQ(nn::GELU().to_string(), "GELU(approximate='none')");
  EXPECT_EQ(nn::GELU("tanh").to_string(), "GELU(approximate='tanh')");
  EXPECT_EQ(nn::Softplus().to_string(), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(nn::Hardtanh().to_string(), "Hardtanh(min_val=-1.0, max_val=1.0)");
  EXPECT_EQ(nn::Softmax(1).to_string(), "Softmax(dim=1)");
  EXPECT_EQ(nn::LogSoftmax(1).to_string(), "LogSoftmax(dim=1)");
  EXPECT_EQ(nn::SiLU().to_string(), "SiLU()");
}

TEST(Activation, Errors) {
  EXPECT_THROW(nn::GELU("erf"), Error);
  EXPECT_THROW(F::gelu(ones({2}), "fast"), Error);
  EXPECT_THROW(nn::Hardtanh(1.0, -1.0), Error);
  EXPECT_THROW(F::leaky_relu(ones({2}, DType::Int64)), Error);
  EXPECT_THROW(F::softplus(ones({2}), 0.0), Error);
}

// Float GELU uses a vectorised rational erf (kernels/cpu/activation.h): its value and derivative
// stay within a few float ulps (absolute) of the float64 ones (std::erf) over [−10, 10].
TEST(Activation, GeluFloatMatchesDoubleClosely) {
  const Tensor x64 = linspace(-10.0, 10.0, 4001, DType::Float64);
  const Tensor x32 = x64.to(DType::Float32).requires_grad_();
  const Tensor x64g = x64.clone().requires_grad_();
  const Tensor y32 = F::gelu(x32), y64 = F::gelu(x64g);
  y32.sum().backward();
  y64.sum().backward();
  const auto a = y32.to_vector<double>(), b = y64.to_vector<double>();
  const auto ga = x32.grad().to_vector<double>(), gb = x64g.grad().to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], b[i], 4e-7 + 1e-7 * std::abs(b[i])) << "gelu at element " << i;
    ASSERT_NEAR(ga[i], gb[i], 1e-6) << "gelu' at element " << i;
  }
}
