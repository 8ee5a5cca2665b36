// gradcheck (float64, central differences) of the convolutions: input, weight and bias
// gradients over strided, padded, dilated, grouped, depthwise, padding-mode, "same",
// transposed, unbatched and non-contiguous configurations.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/conv.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nn::ConvInts;
using nn::ConvPadding;
using nn::PaddingMode;

namespace {
Tensor rnd(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return randn(s, DType::Float64, &g).requires_grad_();
}
void expect_grad_ok(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& in) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << r.message;
}
// Checks the gradients of a layer's input and parameters, with the layer in float64.
void expect_layer_grad_ok(nn::ConvNd& layer, const Shape& input_shape, uint64_t seed) {
  layer.to(DType::Float64);
  std::vector<Tensor> inputs{rnd(input_shape, seed), layer.weight};
  if (layer.bias.defined()) inputs.push_back(layer.bias);
  expect_grad_ok([&](const std::vector<Tensor>& v) {
    // gradcheck perturbs the tensors it is given, which are the layer's own parameters.
    return layer(v[0]);
  }, inputs);
}
}  // namespace

TEST(ConvGradcheck, Conv2dFunctional) {
  Tensor x = rnd({2, 4, 6, 5}, 1), w = rnd({6, 2, 3, 2}, 2);
  Tensor w4 = rnd({5, 4, 3, 3}, 4), b5 = rnd({5}, 5);
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2], 1, 1); }, {x, w4, b5});
  // strided, asymmetric padding and dilation
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2], ConvInts{2, 1}, ConvPadding{1, 2}, ConvInts{1, 2}); },
                 {x, w4, b5});
  // groups, no bias
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], Tensor(), 2, 1, 1, 2); }, {x, w});
  // depthwise (groups = C, multiplier 2)
  Tensor wd = rnd({8, 1, 3, 3}, 6);
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2], 1, 1, 1, 4); }, {x, wd, rnd({8}, 7)});
  // 1×1 (pointwise fast path)
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2]); }, {x, rnd({3, 4, 1, 1}, 8), rnd({3}, 9)});
  // "same" with an even kernel (asymmetric padding) and dilation
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2], 1, "same", ConvInts{2, 1}); },
                 {x, rnd({3, 4, 4, 2}, 10), rnd({3}, 11)});
}

TEST(ConvGradcheck, PaddingModes) {
  Tensor x = rnd({2, 2, 5, 4}, 12), w = rnd({3, 2, 3, 3}, 13), b = rnd({3}, 14);
  for (PaddingMode m : {PaddingMode::Reflect, PaddingMode::Replicate, PaddingMode::Circular}) {
    SCOPED_TRACE(nn::to_string(m));
    expect_grad_ok([m](auto& v) { return F::conv2d(v[0], v[1], v[2], 1, ConvPadding{1, 2}, 1, 1, m); }, {x, w, b});
    expect_grad_ok([m](auto& v) { return F::conv2d(v[0], v[1], v[2], 2, 1, 1, 1, m); },
                   {x, w, b});
    expect_grad_ok([m](auto& v) { return F::conv1d(v[0], v[1], v[2], 1, "same", 2, 1, m); },
                   {rnd({2, 2, 7}, 15), rnd({3, 2, 3}, 16), b});
  }
}

TEST(ConvGradcheck, NonContiguousAndUnbatched) {
  Tensor xt = rnd({2, 5, 6, 3}, 17).detach().permute({0, 3, 1, 2}).requires_grad_();  // (2, 3, 5, 6), strided
  ASSERT_FALSE(xt.is_contiguous());
  Tensor wt = rnd({3, 3, 4, 2}, 18).detach().transpose(0, 1).requires_grad_();  // (3, 3, 4, 2)
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], Tensor(), 1, 1); }, {xt, wt});
  expect_grad_ok([](auto& v) { return F::conv2d(v[0], v[1], v[2], 2, 1); }, {rnd({3, 5, 6}, 19), rnd({2, 3, 3, 3}, 20), rnd({2}, 21)});
  expect_grad_ok([](auto& v) { return F::conv_transpose2d(v[0], v[1], v[2], 2, 1, 1); },
                 {rnd({3, 3, 4}, 22), rnd({3, 2, 3, 3}, 23), rnd({2}, 24)});
}

TEST(ConvGradcheck, Conv1dAnd3d) {
  expect_grad_ok([](auto& v) { return F::conv1d(v[0], v[1], v[2], 2, 2, 2); }, {rnd({2, 3, 11}, 25), rnd({4, 3, 3}, 26), rnd({4}, 27)});
  expect_grad_ok([](auto& v) { return F::conv1d(v[0], v[1], v[2], 1, 0, 1, 3); }, {rnd({2, 3, 6}, 28), rnd({6, 1, 2}, 29), rnd({6}, 30)});
  expect_grad_ok([](auto& v) { return F::conv3d(v[0], v[1], v[2], ConvInts{1, 2, 1}, ConvPadding{1, 0, 1}, ConvInts{1, 1, 2}); },
                 {rnd({2, 2, 3, 5, 4}, 31), rnd({3, 2, 2, 3, 2}, 32), rnd({3}, 33)});
  expect_grad_ok([](auto& v) { return F::conv3d(v[0], v[1], Tensor(), 1, "same", 1, 2, PaddingMode::Replicate); },
                 {rnd({1, 4, 3, 4, 3}, 34), rnd({2, 2, 2, 3, 2}, 35)});
}

TEST(ConvGradcheck, Transposed) {
  // 1-d with output_padding
  expect_grad_ok([](auto& v) { return F::conv_transpose1d(v[0], v[1], v[2], 2, 1, 1); },
                 {rnd({2, 3, 5}, 36), rnd({3, 2, 3}, 37), rnd({2}, 38)});
  // 2-d with groups, output_padding and dilation
  expect_grad_ok([](auto& v) { return F::conv_transpose2d(v[0], v[1], v[2], ConvInts{2, 3}, ConvInts{1, 0}, ConvInts{1, 2}, 2, 1); },
                 {rnd({2, 4, 3, 3}, 39), rnd({4, 3, 3, 2}, 40), rnd({6}, 41)});
  expect_grad_ok([](auto& v) { return F::conv_transpose2d(v[0], v[1], Tensor(), 1, 2, 0, 1, 2); },
                 {rnd({1, 2, 4, 5}, 42), rnd({2, 3, 3, 3}, 43)});
  // 3-d
  expect_grad_ok([](auto& v) { return F::conv_transpose3d(v[0], v[1], v[2], 2, 1, ConvInts{1, 0, 1}); },
                 {rnd({1, 2, 2, 3, 2}, 44), rnd({2, 2, 3, 2, 3}, 45), rnd({2}, 46)});
}

TEST(ConvGradcheck, LayersInputAndParameters) {
  manual_seed(7);
  nn::Conv1d c1(3, 4, 3, 2, 1, 1, 1, true, "circular");
  expect_layer_grad_ok(c1, {2, 3, 8}, 50);
  nn::Conv2d c2(4, 6, ConvInts{3, 2}, ConvInts{1, 2}, "valid", 1, 2);
  expect_layer_grad_ok(c2, {2, 4, 5, 6}, 51);
  nn::Conv2d c2r(2, 3, 3, 1, "same", 1, 1, false, "reflect");
  expect_layer_grad_ok(c2r, {2, 2, 5, 5}, 52);
  nn::Conv3d c3(2, 2, 2, 1, 1, 2);
  expect_layer_grad_ok(c3, {1, 2, 4, 3, 4}, 53);
  nn::ConvTranspose1d t1(2, 3, 4, 3, 1, 2);
  expect_layer_grad_ok(t1, {2, 2, 4}, 54);
  nn::ConvTranspose2d t2(4, 2, 3, 2, 1, 1, 2, true, ConvInts{1, 2});
  expect_layer_grad_ok(t2, {2, 4, 3, 3}, 55);
}
