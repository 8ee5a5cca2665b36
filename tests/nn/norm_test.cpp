// Normalisation layers: hand-computed values, PyTorch's running-statistics bookkeeping
// (momentum, cumulative average, num_batches_tracked), train/eval behaviour, parameter and
// buffer names, printing, numerical robustness, thread-count determinism, and errors.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/nn/norm.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {
// Expects an Error whose message contains every fragment.
template <class Fn>
void expect_error(Fn fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}
void expect_vec_near(const std::vector<float>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "element " << i;
}
}  // namespace

TEST(BatchNorm, TrainStepByHand) {
  // Channel 0 holds 1, 2, 3, 4 and channel 1 holds 10, 10, 10, 14 (N = 2, H×W = 1×2).
  nn::BatchNorm2d bn(2);
  Tensor x = from_vector<float>({1, 2, 10, 10, 3, 4, 10, 14}, Shape{2, 2, 1, 2});
  Tensor y = bn.forward(x);
  // Channel 0: mean 2.5, biased var 1.25. Channel 1: mean 11, biased var 3.
  const double r0 = 1 / std::sqrt(1.25 + 1e-5), r1 = 1 / std::sqrt(3 + 1e-5);
  expect_vec_near(y.to_vector<float>(), {-1.5 * r0, -0.5 * r0, -1 * r1, -1 * r1, 0.5 * r0, 1.5 * r0, -1 * r1, 3 * r1},
                  1e-6);
  // running = 0.9·running + 0.1·batch, with the unbiased variance (1.25·4/3, 3·4/3).
  expect_vec_near(bn.running_mean.to_vector<float>(), {0.25, 1.1}, 1e-6);
  expect_vec_near(bn.running_var.to_vector<float>(), {0.9 + 0.1 * 5.0 / 3.0, 0.9 + 0.1 * 4.0}, 1e-6);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::Int64);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  // Eval: running statistics normalise.
  bn.eval();
  Tensor ye = bn.forward(x);
  const double m0 = 0.25, v0 = 0.9 + 0.1 * 5.0 / 3.0;
  EXPECT_NEAR(ye.to_vector<float>()[0], (1 - m0) / std::sqrt(v0 + 1e-5), 1e-6);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);  // eval does not count
}

TEST(BatchNorm, CumulativeAverageWhenMomentumIsNone) {
  nn::BatchNorm1d bn(1, 1e-5, std::nullopt);
  bn.forward(from_vector<float>({1, 3}, Shape{2, 1}));    // mean 2, unbiased var 2
  bn.forward(from_vector<float>({5, 9}, Shape{2, 1}));    // mean 7, unbiased var 8
  bn.forward(from_vector<float>({0, 0, 3}, Shape{3, 1})); // mean 1, unbiased var 3
  // Factor 1/num_batches_tracked: the plain average of the batch statistics (and of the initial 0/1
  // only through the first step, whose factor is 1).
  EXPECT_NEAR(bn.running_mean.item(), (2 + 7 + 1) / 3.0, 1e-6);
  EXPECT_NEAR(bn.running_var.item(), (2 + 8 + 3) / 3.0, 1e-5);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 3);
  EXPECT_EQ(bn.extra_repr(), "1, eps=1e-05, momentum=None, affine=True, track_running_stats=True");
}

TEST(BatchNorm, NoRunningStatsUsesBatchStatisticsInEval) {
  nn::BatchNorm2d bn(1, 1e-5, 0.1, /*affine=*/false, /*track_running_stats=*/false);
  EXPECT_TRUE(bn.parameters().empty());
  EXPECT_TRUE(bn.buffers().empty());
  bn.eval();
  Tensor y = bn.forward(from_vector<float>({2, 4, 6, 8}, Shape{1, 1, 2, 2}));
  EXPECT_NEAR(y.mean().item(), 0.0, 1e-6);
  EXPECT_NEAR(y.pow(2).mean().item(), 1.0, 1e-4);
}

TEST(BatchNorm, NamesDtypesAndPrinting) {
  nn::BatchNorm2d bn(16);
  std::vector<std::string> names;
  for (auto& [n, t] : bn.state_dict()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"bias", "num_batches_tracked", "running_mean", "running_var", "weight"}));
  EXPECT_EQ(bn.to_string(), "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  bn.to(DType::Float64);
  EXPECT_EQ(bn.running_var.dtype(), DType::Float64);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::Int64);  // integer buffers keep their dtype
  EXPECT_EQ(bn.weight.to_vector<double>(), std::vector<double>(16, 1.0));
  EXPECT_EQ(bn.bias.to_vector<double>(), std::vector<double>(16, 0.0));
  EXPECT_EQ(nn::BatchNorm1d(3, 1e-3, 0.01, false).to_string(),
            "BatchNorm1d(3, eps=0.001, momentum=0.01, affine=False, track_running_stats=True)");
}

TEST(BatchNorm, LargeMeanDoesNotCancel) {
  // float32 values 10000 + small noise: the one-pass variance around a shift stays exact enough.
  Generator g(1);
  Tensor x = randn({64, 2, 8, 8}, DType::Float32, &g) * 0.01 + 10000.0;
  Tensor y = F::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true);
  const Tensor ref = (x.to(DType::Float64) - x.to(DType::Float64).mean({0, 2, 3}, true)) /
                     sqrt(var(x.to(DType::Float64), {0, 2, 3}, 0, true) + 1e-5);
  EXPECT_TRUE(allclose(y.to(DType::Float64), ref, 0, 1e-4)) << (y.to(DType::Float64) - ref).abs().max();
}

TEST(BatchNorm, FusedReluMatchesComposition) {
  for (const bool six : {false, true}) {  // ReLU, ReLU6
    SCOPED_TRACE(six ? "relu6" : "relu");
    Generator g(2);
    Tensor x = randn({4, 3, 5, 5}, DType::Float32, &g).requires_grad_();
    // ReLU6: γ large enough that some outputs pass 6.
    Tensor w = (randn({3}, DType::Float32, &g) * (six ? 4.0 : 1.0)).detach().requires_grad_();
    Tensor b = randn({3}, DType::Float32, &g).requires_grad_();
    Tensor gy = randn({4, 3, 5, 5}, DType::Float32, &g);
    Tensor y1 = six ? F::batch_norm_relu6(x, Tensor(), Tensor(), w, b, true)
                    : F::batch_norm_relu(x, Tensor(), Tensor(), w, b, true);
    y1.backward(gy);
    const Tensor gx1 = x.grad(), gw1 = w.grad(), gb1 = b.grad();
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
    const Tensor h = F::batch_norm(x, Tensor(), Tensor(), w, b, true);
    Tensor y2 = six ? F::relu6(h) : relu(h);
    y2.backward(gy);
    if (six) EXPECT_GT(eq(y2.detach(), 6.0).sum().item(), 0);
    EXPECT_TRUE(allclose(y1, y2, 1e-6, 1e-6));
    EXPECT_TRUE(allclose(gx1, x.grad(), 1e-5, 1e-5));
    EXPECT_TRUE(allclose(gw1, w.grad(), 1e-5, 1e-5));
    EXPECT_TRUE(allclose(gb1, b.grad(), 1e-5, 1e-5));
    // The module form updates the running stats the same way.
    nn::BatchNorm2d a(3), c(3);
    if (six)
      a.forward_relu6(x.detach());
    else
      a.forward_relu(x.detach());
    c.forward(x.detach());
    EXPECT_TRUE(allclose(a.running_var, c.running_var));
  }
}

TEST(BatchNorm, SameBitsWithOneOrTwoThreads) {
  Generator g(3);
  Tensor x = randn({64, 16, 32, 32}, DType::Float32, &g).requires_grad_();
  Tensor gy = randn({64, 16, 32, 32}, DType::Float32, &g);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<float>> outs, grads;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    nn::BatchNorm2d bn(16);
    Tensor y = bn.forward(x);
    y.backward(gy);
    outs.push_back(y.to_vector<float>());
    grads.push_back(x.grad().to_vector<float>());
    x.zero_grad();
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(outs[0], outs[1]);
  EXPECT_EQ(grads[0], grads[1]);
}

TEST(BatchNorm, Errors) {
  nn::BatchNorm2d bn(3);
  expect_error([&] { bn.forward(ones({2, 3, 4})); }, {"BatchNorm2d", "4-d", "[2, 3, 4]"});
  expect_error([&] { bn.forward(ones({2, 5, 4, 4})); }, {"BatchNorm2d", "3 channels", "[2, 5, 4, 4]"});
  expect_error([&] { nn::BatchNorm1d(3).forward(ones({1, 3})); }, {"more than 1 value per channel", "[1, 3]"});
  expect_error([&] { nn::BatchNorm3d(3).forward(ones({2, 3, 4, 4})); }, {"BatchNorm3d", "5-d"});
  expect_error([&] { nn::BatchNorm1d(3).forward(ones({2, 3, 4, 5})); }, {"BatchNorm1d", "[2, 3, 4, 5]"});
  expect_error([&] { F::batch_norm(ones({2, 3}), Tensor(), Tensor(), Tensor(), Tensor(), false); },
               {"running_mean and running_var are required"});
  expect_error([&] { F::batch_norm(ones({2, 3}), zeros({4}), ones({4}), Tensor(), Tensor(), false); }, {"[4]"});
  EXPECT_THROW(nn::BatchNorm2d(0), Error);
  // One sample is fine in eval mode.
  bn.eval();
  EXPECT_EQ(bn.forward(ones({1, 3, 1, 1})).shape(), (Shape{1, 3, 1, 1}));
}

TEST(LayerNorm, ValuesAndAffine) {
  nn::LayerNorm ln(Shape{4});
  Tensor y = ln.forward(from_vector<float>({1, 2, 3, 4, 2, 2, 2, 2}, Shape{2, 4}));
  const double r = 1 / std::sqrt(1.25 + 1e-5);
  expect_vec_near(y.to_vector<float>(), {-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r, 0, 0, 0, 0}, 1e-6);
  {
    NoGradGuard g;
    ln.weight.fill_(2.0);
    ln.bias.fill_(1.0);
  }
  EXPECT_NEAR(ln.forward(from_vector<float>({1, 2, 3, 4}, Shape{1, 4})).to_vector<float>()[0], 1 - 3 * r, 1e-6);
  EXPECT_EQ(ln.to_string(), "LayerNorm((4,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(nn::LayerNorm(Shape{3, 4}, 1e-6, false).to_string(), "LayerNorm((3, 4), eps=1e-06, elementwise_affine=False)");
  expect_error([&] { ln.forward(ones({2, 5})); }, {"LayerNorm", "[*, 4]", "[2, 5]"});
  expect_error([] { F::layer_norm(ones({2, 3}), {3}, ones({4})); }, {"weight", "[4]"});
}

TEST(GroupNorm, EqualsLayerNormOverGroups) {
  Generator g(4);
  Tensor x = randn({2, 6, 3, 3}, DType::Float32, &g);
  nn::GroupNorm gn(3, 6);
  Tensor y = gn.forward(x);
  Tensor ref = F::layer_norm(x.reshape({2, 3, 18}), {18}).reshape({2, 6, 3, 3});
  EXPECT_TRUE(allclose(y, ref, 1e-6, 1e-6));
  EXPECT_EQ(gn.to_string(), "GroupNorm(3, 6, eps=1e-05, affine=True)");
  expect_error([] { nn::GroupNorm(4, 6); }, {"num_channels (6)", "num_groups (4)"});
  expect_error([&] { gn.forward(ones({2, 5, 3})); }, {"GroupNorm", "[2, 5, 3]"});
}

TEST(InstanceNorm, PerInstanceStatisticsAndRunningStats) {
  Generator g(5);
  Tensor x = randn({3, 2, 10}, DType::Float32, &g) * 3.0 + 1.0;
  nn::InstanceNorm1d in(2);
  EXPECT_TRUE(in.parameters().empty());
  Tensor y = in.forward(x);
  const Tensor m = y.mean({2}), v = var(y, {2}, 0);
  EXPECT_TRUE(allclose(m, zeros({3, 2}), 0, 1e-5));
  EXPECT_TRUE(allclose(v, ones({3, 2}), 0, 1e-4));
  EXPECT_EQ(in.to_string(), "InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  // Unbatched (C, L).
  EXPECT_TRUE(allclose(in.forward(x[0]), y[0], 1e-6, 1e-6));
  // Tracking: running stats average the per-instance statistics; eval uses them.
  nn::InstanceNorm1d tr(2, 1e-5, 0.5, false, true);
  tr.forward(x);
  const Tensor expected_mean = x.mean({2}).mean({0}) * 0.5;
  EXPECT_TRUE(allclose(tr.running_mean, expected_mean, 1e-5, 1e-6));
  EXPECT_TRUE(allclose(tr.running_var, var(x, {2}, 1).mean({0}) * 0.5 + 0.5, 1e-5, 1e-5));
  tr.eval();
  Tensor ye = tr.forward(x);
  const Tensor ref = (x - tr.running_mean.reshape({1, 2, 1})) / sqrt(tr.running_var.reshape({1, 2, 1}) + 1e-5);
  EXPECT_TRUE(allclose(ye, ref, 1e-5, 1e-5));
  expect_error([&] { in.forward(ones({2, 2, 3, 3})); }, {"InstanceNorm1d", "[2, 2, 3, 3]"});
  expect_error([&] { nn::InstanceNorm2d(3, 1e-5, 0.1, true).forward(ones({2, 4, 3, 3})); }, {"3 channels"});
}

TEST(LocalResponseNorm, ByHand) {
  // size 2 over C = 2: channel 0 sums x₀² only (window [c−1, c], zero padded), channel 1 sums x₀² + x₁².
  nn::LocalResponseNorm lrn(2, 0.5, 0.75, 1.0);
  Tensor x = from_vector<float>({1, 2}, Shape{1, 2, 1});
  Tensor y = lrn.forward(x);
  const double d0 = std::pow(1.0 + 0.5 / 2 * 1.0, 0.75), d1 = std::pow(1.0 + 0.5 / 2 * 5.0, 0.75);
  expect_vec_near(y.to_vector<float>(), {1 / d0, 2 / d1}, 1e-6);
  EXPECT_EQ(nn::LocalResponseNorm(2).to_string(), "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
  expect_error([&] { lrn.forward(ones({2, 3})); }, {"LocalResponseNorm", "[2, 3]"});
  EXPECT_THROW(nn::LocalResponseNorm(0), Error);
}
