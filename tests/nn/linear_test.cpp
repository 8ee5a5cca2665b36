// nn::Linear and functional::linear: values by hand, leading dims, 1-d input, bias on/off,
// gradients by hand, printing and shape/dtype errors naming the layer.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/linear.h"

using namespace nabla;
namespace F = nabla::nn::functional;

TEST(Linear, ValuesAndGradientsByHand) {
  nn::Linear lin(2, 3);
  {
    NoGradGuard g;
    lin.weight.copy_(from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{3, 2}));
    lin.bias.copy_(from_vector<float>({0.5, -1, 2}));
  }
  Tensor x = from_vector<float>({1, 1, 2, -1}, Shape{2, 2}).requires_grad_();
  Tensor y = lin.forward(x);
  // Row (1, 1): W·x = (3, 7, 11) + b; row (2, −1): (0, 2, 4) + b.
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{3.5, 6, 13, 0.5, 1, 6}));
  y.sum().backward();
  // ∂/∂x = Σ over outputs of W rows = (9, 12) per row; ∂/∂W = Σ rows of x = (3, 0) per output; ∂/∂b = 2.
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{9, 12, 9, 12}));
  EXPECT_EQ(lin.weight.grad().to_vector<float>(), (std::vector<float>{3, 0, 3, 0, 3, 0}));
  EXPECT_EQ(lin.bias.grad().to_vector<float>(), (std::vector<float>{2, 2, 2}));
}

TEST(Linear, LeadingDimsOneDimAndNoBias) {
  manual_seed(1);
  nn::Linear lin(4, 3, false);
  EXPECT_FALSE(lin.bias.defined());
  EXPECT_EQ(lin.parameters().size(), 1u);
  Tensor x = randn({2, 5, 4});
  Tensor y = lin.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 5, 3}));
  EXPECT_TRUE(allclose(y, matmul(x, lin.weight.t()), 1e-5, 1e-6));
  EXPECT_EQ(lin.forward(randn({4})).shape(), (Shape{3}));
  EXPECT_EQ(lin.forward(randn({0, 4})).shape(), (Shape{0, 3}));
  // Non-contiguous input.
  Tensor xt = randn({4, 6}).t();
  EXPECT_TRUE(allclose(lin.forward(xt), matmul(xt, lin.weight.t()), 1e-5, 1e-6));
  EXPECT_EQ(lin.to_string(), "Linear(in_features=4, out_features=3, bias=False)");
  EXPECT_EQ(nn::Linear(784, 10).to_string(), "Linear(in_features=784, out_features=10, bias=True)");
}

TEST(Linear, StateDictNames) {
  nn::Linear lin(3, 2);
  auto sd = lin.state_dict();
  EXPECT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd.at("weight").shape(), (Shape{2, 3}));
  EXPECT_EQ(sd.at("bias").shape(), (Shape{2}));
}

TEST(Linear, Errors) {
  nn::Linear lin(4, 3);
  try {
    lin.forward(ones({2, 5}));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Linear"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 5]"), std::string::npos) << m;
    EXPECT_NE(m.find("4"), std::string::npos) << m;
  }
  EXPECT_THROW(F::linear(ones({2, 4}), ones({3, 4}, DType::Float64)), Error);
  EXPECT_THROW(F::linear(ones({2, 4}), ones({3, 4}), ones({4})), Error);
  EXPECT_THROW(F::linear(ones({2, 4}), ones({12})), Error);
  EXPECT_THROW(nn::Linear(-1, 2), Error);
}
