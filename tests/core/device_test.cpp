// Devices, TensorOptions factories, Tensor::to(Device), set_data and Module::to.
#include <gtest/gtest.h>

#include "error_of.h"
#include "nabla/nabla.h"

using namespace nabla;
using nabla::testing::error_of;

TEST(Device, ParsesPrintsAndCompares) {
  EXPECT_EQ(Device("cpu"), Device(kCPU));
  EXPECT_EQ(Device("cpu:0").index(), 0);
  EXPECT_NE(Device("cpu"), Device("cpu:0"));  // as torch.device
  EXPECT_EQ(Device("cpu:0").str(), "cpu:0");
  EXPECT_EQ(Device(kCPU).str(), "cpu");
  EXPECT_EQ(zeros({2}).device(), Device(kCPU));
  EXPECT_TRUE(is_available(Device("cpu:0")));
  EXPECT_FALSE(is_available(Device(kCPU, 1)));
}

TEST(Device, UnsupportedDevicesAreNamed) {
  EXPECT_NE(error_of([] { Device("cuda"); }).find("'cuda'"), std::string::npos);
  EXPECT_NE(error_of([] { Device("cuda:1"); }).find("'cuda:1'"), std::string::npos);
  EXPECT_NE(error_of([] { Device("cpu:x"); }).find("'cpu:x'"), std::string::npos);
  EXPECT_NE(error_of([] { zeros({2}, Device(kCPU, 1)); }).find("zeros: device cpu:1"), std::string::npos);
  EXPECT_NE(error_of([] { ones({2}).to(Device(kCPU, 3)); }).find("cpu:3"), std::string::npos);
  nn::Linear layer(2, 2);
  EXPECT_NE(error_of([&] { layer.to(Device(kCPU, 2)); }).find("Linear.to: device cpu:2"), std::string::npos);
}

TEST(TensorOptions, FactoriesTakeDtypeDeviceAndRequiresGrad) {
  Tensor z = zeros({2, 3}, TensorOptions().dtype(DType::Float64).device(kCPU));
  EXPECT_EQ(z.dtype(), DType::Float64);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_FALSE(z.requires_grad());
  Tensor o = ones({4}, dtype(DType::Float64).requires_grad(true));
  EXPECT_TRUE(o.requires_grad());
  EXPECT_EQ(o.sum().item(), 4.0);
  EXPECT_EQ(full({2}, 3.0, kCPU).to_vector<float>(), (std::vector<float>{3, 3}));
  EXPECT_EQ(empty({5}, device(Device("cpu:0"))).numel(), 5);
  EXPECT_EQ(randn({3}, requires_grad()).dtype(), DType::Float32);
  EXPECT_TRUE(rand({3}, dtype(DType::Float64).requires_grad(true)).requires_grad());
  // arange keeps its int64 inference when the options leave the dtype unset.
  EXPECT_EQ(arange(5, device(kCPU)).dtype(), DType::Int64);
  EXPECT_EQ(arange(5, dtype(DType::Float64)).dtype(), DType::Float64);
  EXPECT_THROW(zeros({2}, dtype(DType::Int64).requires_grad(true)), Error);
  EXPECT_EQ(o.options().dtype(), DType::Float64);
  EXPECT_TRUE(o.options().requires_grad());
}

TEST(Tensor, ToDeviceAndOptions) {
  Tensor a = ones({2});
  EXPECT_TRUE(a.to(kCPU).is_same(a));
  EXPECT_TRUE(a.to(Device("cpu:0")).is_same(a));
  Tensor b = a.to(dtype(DType::Float64).requires_grad(true));
  EXPECT_EQ(b.dtype(), DType::Float64);
  EXPECT_TRUE(b.requires_grad());
}

TEST(Tensor, SetDataKeepsIdentity) {
  Tensor p = zeros({2}, requires_grad());
  Tensor alias = p;  // another handle, as an optimizer holds
  p.set_data(full({3}, 2.0, DType::Float64));
  EXPECT_EQ(alias.dtype(), DType::Float64);
  EXPECT_EQ(alias.shape(), (Shape{3}));
  EXPECT_TRUE(alias.requires_grad());
  EXPECT_EQ(alias.to_vector<double>(), (std::vector<double>{2, 2, 2}));
  EXPECT_THROW(p.set_data(zeros({2}, DType::Int64)), Error);
}

TEST(Module, ToDtypeKeepsParameterIdentityForOptimizers) {
  manual_seed(0);
  nn::Sequential model(nn::Linear(3, 2), nn::BatchNorm1d(2));
  std::vector<Tensor> before = model.parameters();
  optim::SGD opt(model.parameters(), {.lr = 0.1});
  model.to(DType::Float64);
  const std::vector<Tensor> after = model.parameters();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_TRUE(after[i].is_same(before[i]));
    EXPECT_EQ(before[i].dtype(), DType::Float64);
    EXPECT_TRUE(before[i].requires_grad());
  }
  for (const Tensor& b : model.buffers())
    if (is_floating(b.dtype())) EXPECT_EQ(b.dtype(), DType::Float64);
  // The optimizer built before the conversion updates the converted parameters.
  const std::vector<double> w0 = before[0].to_vector<double>();
  Tensor loss = model(randn({4, 3}, DType::Float64)).pow(2).sum();
  loss.backward();
  EXPECT_EQ(before[0].grad().dtype(), DType::Float64);
  opt.step();
  EXPECT_NE(before[0].to_vector<double>(), w0);
  model.to(kCPU);  // same device: nothing changes
  EXPECT_TRUE(model.parameters()[0].is_same(before[0]));
}

TEST(Module, ToDtypeConvertsGradients) {
  nn::Linear layer(2, 1);
  layer(ones({1, 2})).sum().backward();
  layer.to(DType::Float64);
  EXPECT_EQ(layer.parameters()[0].grad().dtype(), DType::Float64);
  EXPECT_THROW(layer.to(DType::Int64), Error);
}
