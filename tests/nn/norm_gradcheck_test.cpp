// gradcheck (float64, central differences) of every layer of the Linear / normalisation /
// dropout / activation / embedding family: input gradients and parameter gradients, through the
// Module (its parameters replaced by gradcheck's leaves) and through the functional form, with
// non-contiguous inputs and BatchNorm in both train and eval mode.
#include <gtest/gtest.h>

#include "nabla/gradcheck.h"
#include "nabla/nabla.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/dropout.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor rnd(const Shape& s, uint64_t seed, double scale = 1.0, double shift = 0.0) {
  Generator g(seed);
  return (randn(s, DType::Float64, &g) * scale + shift).detach().requires_grad_();
}
// Values whose magnitude is in [0.2, 2) with random signs: away from the kinks at 0.
Tensor away_from_zero(const Shape& s, uint64_t seed) {
  Generator g(seed);
  Tensor mag = rand(s, DType::Float64, &g) * 1.8 + 0.2;
  Tensor sgn = sign(randn(s, DType::Float64, &g));
  return (mag * sgn).detach().requires_grad_();
}
void expect_grad_ok(const Fn& f, const std::vector<Tensor>& in) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << r.message;
}
}  // namespace

// ---- Linear ------------------------------------------------------------------------------------

TEST(NormGradcheck, LinearModuleAndFunctional) {
  for (bool with_bias : {true, false}) {
    auto lin = std::make_shared<nn::Linear>(4, 3, with_bias);
    lin->to(DType::Float64);
    Tensor x = rnd({5, 4}, 1);
    Tensor w = lin->weight.detach().clone().requires_grad_();
    Tensor b = with_bias ? lin->bias.detach().clone().requires_grad_() : Tensor();
    expect_grad_ok([lin](const std::vector<Tensor>& v) {
      lin->weight = v[1];
      if (v[2].defined()) lin->bias = v[2];
      return lin->forward(v[0]);
    }, {x, w, b});
  }
  // Leading dims, 1-d input, non-contiguous input and weight.
  Tensor w = rnd({3, 4}, 2), b = rnd({3}, 3);
  expect_grad_ok([](auto& v) { return F::linear(v[0], v[1], v[2]); }, {rnd({2, 3, 4}, 4), w, b});
  expect_grad_ok([](auto& v) { return F::linear(v[0], v[1], v[2]); }, {rnd({4}, 5), w, b});
  Tensor xt = rnd({4, 6}, 6).detach().t().requires_grad_();
  Tensor wt = rnd({4, 3}, 7).detach().t().requires_grad_();
  expect_grad_ok([](auto& v) { return F::linear(v[0], v[1], v[2]); }, {xt, wt, b});
}

// ---- BatchNorm -----------------------------------------------------------------------------------

namespace {
// Gradcheck of a BatchNorm module over input, weight and bias in the current mode.
void check_batch_norm(const std::shared_ptr<nn::BatchNormBase>& bn, const Tensor& x) {
  bn->to(DType::Float64);
  std::vector<Tensor> in{x};
  if (bn->affine) {
    Generator g(9);
    in.push_back((randn({bn->num_features}, DType::Float64, &g) * 0.5 + 1.0).detach().requires_grad_());
    in.push_back(randn({bn->num_features}, DType::Float64, &g).detach().requires_grad_());
  }
  expect_grad_ok([bn](const std::vector<Tensor>& v) {
    if (v.size() == 3) {
      bn->weight = v[1];
      bn->bias = v[2];
    }
    return bn->forward(v[0]);
  }, in);
}
}  // namespace

TEST(NormGradcheck, BatchNormTrainAndEval) {
  // Train mode: the batch statistics depend on x, so this checks the full backward rule.
  check_batch_norm(std::make_shared<nn::BatchNorm1d>(3), rnd({5, 3}, 10, 2.0, 1.0));
  check_batch_norm(std::make_shared<nn::BatchNorm1d>(3), rnd({4, 3, 5}, 11));
  check_batch_norm(std::make_shared<nn::BatchNorm2d>(2), rnd({3, 2, 3, 4}, 12));
  check_batch_norm(std::make_shared<nn::BatchNorm3d>(2), rnd({2, 2, 2, 3, 2}, 13));
  check_batch_norm(std::make_shared<nn::BatchNorm2d>(2, 1e-5, 0.1, /*affine=*/false), rnd({3, 2, 3, 3}, 14));
  check_batch_norm(std::make_shared<nn::BatchNorm2d>(2, 1e-3, std::nullopt, true, /*track=*/false), rnd({2, 2, 3, 3}, 15));
  // Eval mode with non-trivial running stats.
  auto bn = std::make_shared<nn::BatchNorm2d>(3);
  bn->to(DType::Float64);
  {
    NoGradGuard g;
    bn->forward(rnd({4, 3, 2, 2}, 16, 3.0, 2.0));
  }
  bn->eval();
  check_batch_norm(bn, rnd({2, 3, 3, 2}, 17));
  // Non-contiguous input (channels-last memory seen as NCHW).
  Tensor nhwc = rnd({3, 4, 5, 2}, 18).detach().permute({0, 3, 1, 2}).requires_grad_();
  check_batch_norm(std::make_shared<nn::BatchNorm2d>(2), nhwc);
}

TEST(NormGradcheck, BatchNormReluFused) {
  Tensor x = rnd({4, 3, 3, 3}, 19), w = rnd({3}, 20, 0.5, 1.0), b = rnd({3}, 21, 0.5);
  expect_grad_ok([](auto& v) { return F::batch_norm_relu(v[0], Tensor(), Tensor(), v[1], v[2], true); }, {x, w, b});
  Tensor rm = zeros({3}, DType::Float64) + 0.2, rv = ones({3}, DType::Float64) * 1.5;
  expect_grad_ok([rm, rv](auto& v) { return F::batch_norm_relu(v[0], rm, rv, v[1], v[2], false); }, {x, w, b});
  Tensor x2 = rnd({6, 5}, 22);
  expect_grad_ok([](auto& v) { return F::batch_norm_relu(v[0], Tensor(), Tensor(), v[1], v[2], true); },
                 {x2, rnd({5}, 23), rnd({5}, 24)});
}

TEST(NormGradcheck, BatchNormRelu6Fused) {
  // γ up to 4: outputs on both sides of 6 (and of 0).
  Tensor x = rnd({4, 3, 3, 3}, 25), w = rnd({3}, 26, 1.0, 3.0), b = rnd({3}, 27, 2.0);
  expect_grad_ok([](auto& v) { return F::batch_norm_relu6(v[0], Tensor(), Tensor(), v[1], v[2], true); }, {x, w, b});
  Tensor x2 = rnd({6, 5}, 28);
  expect_grad_ok([](auto& v) { return F::batch_norm_relu6(v[0], Tensor(), Tensor(), v[1], v[2], true); },
                 {x2, rnd({5}, 29, 1.0, 3.0), rnd({5}, 30, 2.0)});
}

// ---- LayerNorm / GroupNorm / InstanceNorm / LRN ---------------------------------------------------

TEST(NormGradcheck, LayerNorm) {
  for (bool affine : {true, false}) {
    auto ln = std::make_shared<nn::LayerNorm>(Shape{3, 4}, 1e-5, affine);
    ln->to(DType::Float64);
    std::vector<Tensor> in{rnd({2, 3, 4}, 30, 1.5, 0.5)};
    if (affine) {
      in.push_back(rnd({3, 4}, 31, 0.5, 1.0));
      in.push_back(rnd({3, 4}, 32));
    }
    expect_grad_ok([ln](const std::vector<Tensor>& v) {
      if (v.size() == 3) {
        ln->weight = v[1];
        ln->bias = v[2];
      }
      return ln->forward(v[0]);
    }, in);
  }
  Tensor xt = rnd({5, 3}, 33).detach().t().requires_grad_();  // (3, 5), non-contiguous
  expect_grad_ok([](auto& v) { return F::layer_norm(v[0], {5}, v[1], v[2]); }, {xt, rnd({5}, 34), rnd({5}, 35)});
  expect_grad_ok([](auto& v) { return F::layer_norm(v[0], {5}, v[1]); }, {xt, rnd({5}, 36)});
}

TEST(NormGradcheck, GroupNorm) {
  for (bool affine : {true, false}) {
    auto gn = std::make_shared<nn::GroupNorm>(2, 4, 1e-5, affine);
    gn->to(DType::Float64);
    std::vector<Tensor> in{rnd({2, 4, 3, 2}, 40)};
    if (affine) {
      in.push_back(rnd({4}, 41, 0.5, 1.0));
      in.push_back(rnd({4}, 42));
    }
    expect_grad_ok([gn](const std::vector<Tensor>& v) {
      if (v.size() == 3) {
        gn->weight = v[1];
        gn->bias = v[2];
      }
      return gn->forward(v[0]);
    }, in);
  }
  expect_grad_ok([](auto& v) { return F::group_norm(v[0], 3, v[1], v[2]); }, {rnd({3, 6}, 43), rnd({6}, 44), rnd({6}, 45)});
}

TEST(NormGradcheck, InstanceNorm) {
  auto in1 = std::make_shared<nn::InstanceNorm1d>(3);
  in1->to(DType::Float64);
  expect_grad_ok([in1](auto& v) { return in1->forward(v[0]); }, {rnd({2, 3, 5}, 50)});
  expect_grad_ok([in1](auto& v) { return in1->forward(v[0]); }, {rnd({3, 5}, 51)});  // unbatched
  auto in2 = std::make_shared<nn::InstanceNorm2d>(2, 1e-5, 0.1, /*affine=*/true, /*track=*/true);
  in2->to(DType::Float64);
  expect_grad_ok([in2](const std::vector<Tensor>& v) {
    in2->weight = v[1];
    in2->bias = v[2];
    return in2->forward(v[0]);
  }, {rnd({2, 2, 3, 3}, 52), rnd({2}, 53, 0.5, 1.0), rnd({2}, 54)});
  in2->eval();  // running stats now normalise
  expect_grad_ok([in2](const std::vector<Tensor>& v) {
    in2->weight = v[1];
    in2->bias = v[2];
    return in2->forward(v[0]);
  }, {rnd({2, 2, 3, 3}, 55), rnd({2}, 56, 0.5, 1.0), rnd({2}, 57)});
}

TEST(NormGradcheck, LocalResponseNorm) {
  for (int64_t size : {1, 2, 3, 5}) {
    auto lrn = std::make_shared<nn::LocalResponseNorm>(size, 0.5, 0.75, 1.5);
    expect_grad_ok([lrn](auto& v) { return lrn->forward(v[0]); }, {rnd({2, 4, 3}, 60 + size)});
  }
  expect_grad_ok([](auto& v) { return F::local_response_norm(v[0], 3, 1e-2, 0.6, 2.0); }, {rnd({1, 5, 2, 3}, 66)});
}

// ---- activations -----------------------------------------------------------------------------------

TEST(NormGradcheck, Activations) {
  Tensor x = away_from_zero({3, 5}, 70);
  Tensor xt = away_from_zero({5, 3}, 71).detach().t().requires_grad_();
  std::vector<std::shared_ptr<nn::UnaryModule>> layers{
      std::make_shared<nn::ReLU>(),        std::make_shared<nn::LeakyReLU>(0.2), std::make_shared<nn::ELU>(0.7),
      std::make_shared<nn::SELU>(),        std::make_shared<nn::GELU>(),        std::make_shared<nn::GELU>("tanh"),
      std::make_shared<nn::SiLU>(),        std::make_shared<nn::Sigmoid>(),     std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Softplus>(),    std::make_shared<nn::Softplus>(2.0, 1.0),
      std::make_shared<nn::Hardtanh>(-0.9, 1.1), std::make_shared<nn::Softmax>(1), std::make_shared<nn::LogSoftmax>(0),
      std::make_shared<nn::ReLU6>(),       std::make_shared<nn::Hardsigmoid>(), std::make_shared<nn::Hardswish>(),
      std::make_shared<nn::Maxout>(5)};
  for (const auto& layer : layers) {
    SCOPED_TRACE(layer->to_string());
    expect_grad_ok([layer](auto& v) { return layer->forward(v[0]); }, {x});
    expect_grad_ok([layer](auto& v) { return layer->forward(v[0]); }, {xt});
  }
  // Maxout over a 4-d input with groups of 2.
  expect_grad_ok([](auto& v) { return F::maxout(v[0], 2); }, {away_from_zero({2, 4, 2, 3}, 72)});
}

// ---- dropout ------------------------------------------------------------------------------------------

TEST(NormGradcheck, DropoutFamilyWithFixedMask) {
  // Each call re-seeds its own generator, so every evaluation uses the same mask.
  Tensor x = rnd({4, 3, 2, 2}, 80);
  expect_grad_ok([](auto& v) {
    Generator g(1);
    return F::dropout(v[0], 0.3, true, &g);
  }, {x});
  expect_grad_ok([](auto& v) {
    Generator g(2);
    return F::dropout2d(v[0], 0.5, true, &g);
  }, {x});
  expect_grad_ok([](auto& v) {
    Generator g(3);
    return F::alpha_dropout(v[0], 0.2, true, &g);
  }, {x});
  expect_grad_ok([](auto& v) {
    Generator g(4);
    return F::drop_path(v[0], 0.5, true, true, &g);
  }, {x});
  expect_grad_ok([](auto& v) { return F::dropout(v[0], 1.0, true); }, {x});
}

// ---- Embedding -----------------------------------------------------------------------------------------

TEST(NormGradcheck, Embedding) {
  Tensor idx = from_vector<int64_t>({1, 3, 0, 3, 1, 1}, Shape{2, 3});
  for (std::optional<int64_t> pad : {std::optional<int64_t>(), std::optional<int64_t>(2)}) {  // 2 is not looked up: the padding row's zero gradient is tested in embedding_test
    auto emb = std::make_shared<nn::Embedding>(5, 4, pad);
    emb->to(DType::Float64);
    expect_grad_ok([emb, idx](const std::vector<Tensor>& v) {
      emb->weight = v[0];
      return emb->forward(idx);
    }, {emb->weight.detach().clone().requires_grad_()});
  }
}
