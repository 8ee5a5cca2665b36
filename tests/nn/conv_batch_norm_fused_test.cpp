// Convolution → BatchNorm (→ residual) (→ ReLU/ReLU6) folded into one convolution at inference
// (nn::conv_batch_norm, nabla/nn/fused.h): the same numbers as running the modules one after
// another (up to rounding), on oneDNN and on im2col, and every change to the six folded tensors
// is seen. Folding happens only for inference with the weight cache on.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "nabla/models/registry.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/norm.h"

using namespace nabla;

namespace {

// Sets the weight cache and the convolution backend for a test, restoring both afterwards.
class Setting {
 public:
  Setting(bool cache, ops::ConvBackend backend) : cache_(ops::conv_weight_cache()), backend_(ops::conv_backend()) {
    ops::set_conv_backend(backend);
    ops::clear_conv_weight_cache();
    ops::set_conv_weight_cache(cache);
  }
  ~Setting() {
    ops::set_conv_weight_cache(cache_);
    ops::set_conv_backend(backend_);
  }

 private:
  bool cache_;
  ops::ConvBackend backend_;
};

// A convolution and a BatchNorm in eval mode with running statistics and an affine map far from
// the identity, so that a wrong fold shows.
struct Chain {
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::BatchNorm2d> bn;
  Chain(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups, bool bias) {
    conv = std::make_shared<nn::Conv2d>(in, out, kernel, stride, kernel / 2, 1, groups, bias);
    bn = std::make_shared<nn::BatchNorm2d>(out);
    NoGradGuard no_grad;
    bn->running_mean.copy_(randn({out}));
    bn->running_var.copy_(rand({out}) + 0.5);
    bn->weight.copy_(randn({out}));
    bn->bias.copy_(randn({out}));
    conv->eval();
    bn->eval();
  }
};

// act(bn(conv(x)) + residual) by the modules one after another (no folding).
Tensor unfused(Chain& c, const Tensor& x, nn::UnaryModule* act, const Tensor& residual) {
  NoGradGuard no_grad;
  Tensor h = (*c.bn)((*c.conv)(x));
  if (residual.defined()) h = h + residual;
  return act ? (*act)(h) : h;
}

void expect_close(const Tensor& got, const Tensor& want, double tolerance = 1e-4) {
  ASSERT_EQ(got.shape(), want.shape());
  const auto g = got.to_vector<float>(), w = want.to_vector<float>();
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], w[i], tolerance * (1 + std::abs(w[i]))) << "element " << i;
}

}  // namespace

TEST(ConvBatchNormFused, MatchesTheModulesOnBothBackends) {
  for (auto backend : {ops::ConvBackend::OneDnn, ops::ConvBackend::Im2col}) {
    Setting setting(true, backend);
    manual_seed(5);
    struct Case {
      int64_t batch, in, out, kernel, stride, groups, size;
      bool bias;
    };
    nn::ReLU relu;
    nn::ReLU6 relu6;
    for (const Case& c : std::vector<Case>{{1, 3, 16, 3, 1, 1, 12, false},
                                           {2, 16, 32, 3, 2, 1, 9, true},
                                           {1, 32, 32, 3, 1, 32, 7, false},
                                           {3, 24, 48, 1, 1, 1, 5, false}}) {
      Chain chain(c.in, c.out, c.kernel, c.stride, c.groups, c.bias);
      const Tensor x = randn({c.batch, c.in, c.size, c.size});
      const Tensor shape_of_y = unfused(chain, x, nullptr, Tensor());
      const Tensor residual = randn(shape_of_y.shape());
      for (nn::UnaryModule* act : std::vector<nn::UnaryModule*>{nullptr, &relu, &relu6})
        for (bool with_residual : {false, true}) {
          SCOPED_TRACE(::testing::Message() << "backend " << static_cast<int>(backend) << " channels " << c.in << "->"
                                            << c.out << " groups " << c.groups << " act "
                                            << (act ? act->name() : std::string("none")) << " residual "
                                            << with_residual);
          const Tensor res = with_residual ? residual : Tensor();
          NoGradGuard no_grad;
          ASSERT_TRUE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, act, res));
          const Tensor want = unfused(chain, x, act, res);
          for (int call = 0; call < 2; ++call)  // the second call uses the kept folded weights
            expect_close(nn::conv_batch_norm(*chain.conv, *chain.bn, x, act, res), want);
        }
    }
  }
}

TEST(ConvBatchNormFused, ChainsKeepTheirIntermediateResultsAndMatchTheModules) {
  // Links whose primitives may pick different layouts (3, 16, 24 and 40 channels; a depthwise
  // link), strided, the last adding a residual; on both backends, and the second call reusing
  // the kept folded weights.
  nn::ReLU relu;
  nn::ReLU6 relu6;
  for (auto backend : {ops::ConvBackend::OneDnn, ops::ConvBackend::Im2col}) {
    Setting setting(true, backend);
    manual_seed(9);
    std::vector<Chain> chains{Chain(3, 16, 3, 1, 1, false), Chain(16, 24, 1, 1, 1, true), Chain(24, 24, 3, 2, 24, false),
                              Chain(24, 40, 1, 1, 1, false)};
    std::vector<nn::UnaryModule*> acts{&relu, &relu6, &relu6, nullptr};
    const Tensor x = randn({2, 3, 11, 11});
    Tensor want = x;
    {
      NoGradGuard no_grad;
      for (size_t i = 0; i + 1 < chains.size(); ++i) want = unfused(chains[i], want, acts[i], Tensor());
    }
    const Tensor residual = randn({2, 40, 6, 6});
    want = unfused(chains.back(), want, nullptr, residual);
    std::vector<nn::ConvBatchNormStep> steps;
    for (size_t i = 0; i < chains.size(); ++i) steps.push_back({chains[i].conv.get(), chains[i].bn.get(), acts[i]});
    NoGradGuard no_grad;
    ASSERT_TRUE(nn::conv_batch_norm_chain_folds(steps, x, residual));
    for (int call = 0; call < 2; ++call) expect_close(nn::conv_batch_norm_chain(steps, x, residual), want);
  }
}

TEST(ConvBatchNormFused, RunChainedTakesConvolutionModulesAsLinks) {
  // A VGG-like Sequential: conv → ReLU, max-pool, conv (bias) → BatchNorm → ReLU6, conv → ReLU,
  // conv → Sigmoid (not a link's activation). run_chained gives the Sequential's result with
  // the cache on (folded links, cached) and off, and in training mode (gradients flow).
  manual_seed(11);
  auto bn = std::make_shared<nn::BatchNorm2d>(12);
  {
    NoGradGuard no_grad;
    bn->running_mean.copy_(randn({12}));
    bn->running_var.copy_(rand({12}) + 0.5);
    bn->weight.copy_(randn({12}));
  }
  nn::Sequential seq(std::make_shared<nn::Conv2d>(3, 8, 3, 1, 1), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(8, 12, 3, 1, 1), bn,
                     std::make_shared<nn::ReLU6>(), std::make_shared<nn::Conv2d>(12, 16, 3, 1, 1),
                     std::make_shared<nn::ReLU>(), std::make_shared<nn::Conv2d>(16, 4, 1),
                     std::make_shared<nn::Sigmoid>());
  const Tensor x = randn({2, 3, 10, 10});
  seq.train();
  Tensor trained = nn::run_chained(seq, x);
  expect_close(trained, seq(x));
  trained.sum().backward();
  ASSERT_TRUE(seq.parameters()[0].grad().defined()) << "training runs the modules, with autograd";
  seq.eval();
  for (bool cache : {false, true}) {
    Setting setting(cache, ops::ConvBackend::OneDnn);
    NoGradGuard no_grad;
    const Tensor want = seq(x);
    for (int call = 0; call < 2; ++call) expect_close(nn::run_chained(seq, x), want);
    EXPECT_EQ(ops::conv_weight_cache_entries() >= 4, cache) << "the four convolutions fold only with the cache on";
  }
}

TEST(ConvBatchNormFused, ChainValuesFeedLaterLinksAndShortcuts) {
  // A residual block with a projection shortcut as one chain: v1 = relu(bn(conv_a(x))),
  // v2 = bn(conv_down(x)) (reads the chain's input again), v3 = relu(bn(conv_b(v1)) + v2).
  nn::ReLU relu;
  for (auto backend : {ops::ConvBackend::OneDnn, ops::ConvBackend::Im2col}) {
    Setting setting(true, backend);
    manual_seed(10);
    Chain a(16, 32, 3, 2, 1, false), down(16, 32, 1, 2, 1, false), b(32, 32, 3, 1, 1, false);
    const Tensor x = randn({2, 16, 9, 9});
    Tensor want;
    {
      NoGradGuard no_grad;
      const Tensor v1 = unfused(a, x, &relu, Tensor());
      want = unfused(b, v1, &relu, unfused(down, x, nullptr, Tensor()));
    }
    const std::vector<nn::ConvBatchNormStep> steps{{a.conv.get(), a.bn.get(), &relu, 0},
                                                   {down.conv.get(), down.bn.get(), nullptr, 0},
                                                   {b.conv.get(), b.bn.get(), &relu, 1, 2}};
    NoGradGuard no_grad;
    ASSERT_TRUE(nn::conv_batch_norm_chain_folds(steps, x, Tensor()));
    for (int call = 0; call < 2; ++call) expect_close(nn::conv_batch_norm_chain(steps, x), want);
    // Not folded (cache off below): the modules in turn give the same.
    ops::set_conv_weight_cache(false);
    expect_close(nn::conv_batch_norm_chain(steps, x), want);
    // A link may only read and add values computed before it, of its output's shape.
    ops::set_conv_weight_cache(true);
    EXPECT_THROW(nn::conv_batch_norm_chain({{a.conv.get(), a.bn.get(), &relu, 1}}, x), Error);
    EXPECT_THROW(nn::conv_batch_norm_chain({{a.conv.get(), a.bn.get(), &relu, 0, 0}}, x), Error);
  }
}

TEST(ConvBatchNormFused, LaterCallsOfAChainSeeTheirOwnInputsBatchesAndThreads) {
  // A chain's oneDNN objects are made on its first call and reused (kernels/cpu/conv_dnnl.cpp):
  // later calls with new inputs and residuals, another batch size and back, the weight cache off
  // (weights converted per call) and calls from other threads each get their own results.
  nn::ReLU relu;
  nn::ReLU6 relu6;
  Setting setting(true, ops::ConvBackend::OneDnn);
  manual_seed(12);
  std::vector<Chain> chains{Chain(3, 16, 3, 1, 1, false), Chain(16, 24, 1, 1, 1, true), Chain(24, 24, 3, 2, 24, false),
                            Chain(24, 40, 1, 1, 1, false)};
  std::vector<nn::UnaryModule*> acts{&relu, &relu6, &relu6, nullptr};
  std::vector<nn::ConvBatchNormStep> steps;
  for (size_t i = 0; i < chains.size(); ++i) steps.push_back({chains[i].conv.get(), chains[i].bn.get(), acts[i]});
  struct Case {
    Tensor x, residual, want;
  };
  auto make_case = [&](int64_t batch, bool with_residual) {
    Case c{randn({batch, 3, 11, 11}), with_residual ? randn({batch, 40, 6, 6}) : Tensor(), Tensor()};
    NoGradGuard no_grad;
    c.want = c.x;
    for (size_t i = 0; i < chains.size(); ++i)
      c.want = unfused(chains[i], c.want, acts[i], i + 1 == chains.size() ? c.residual : Tensor());
    return c;
  };
  auto run = [&](const Case& c) {
    NoGradGuard no_grad;
    return nn::conv_batch_norm_chain(steps, c.x, c.residual);
  };
  for (int64_t batch : {2, 2, 1, 2, 3, 1})
    for (bool with_residual : {true, false, true}) {
      SCOPED_TRACE(::testing::Message() << "batch " << batch << " residual " << with_residual);
      const Case c = make_case(batch, with_residual);
      NoGradGuard no_grad;
      ASSERT_TRUE(nn::conv_batch_norm_chain_folds(steps, c.x, c.residual));
      expect_close(run(c), c.want);
    }
  ops::set_conv_weight_cache(false);
  for (int call = 0; call < 2; ++call) {
    const Case c = make_case(2, true);
    expect_close(run(c), c.want);
  }
  ops::set_conv_weight_cache(true);
  // Three threads, four calls each, batches and residuals mixed; compared after the joins.
  std::vector<std::vector<Case>> cases(3);
  std::vector<std::vector<Tensor>> got(3);
  for (size_t t = 0; t < 3; ++t)
    for (size_t call = 0; call < 4; ++call) cases[t].push_back(make_case(1 + int64_t((t + call) % 2), call % 2 == 0));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (const Case& c : cases[t]) got[t].push_back(run(c));
    });
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < 3; ++t)
    for (size_t call = 0; call < 4; ++call) {
      SCOPED_TRACE(::testing::Message() << "thread " << t << " call " << call);
      expect_close(got[t][call], cases[t][call].want);
    }
}

TEST(ConvBatchNormFused, ChangesToAnyFoldedTensorAreSeen) {
  Setting setting(true, ops::ConvBackend::OneDnn);
  manual_seed(6);
  Chain chain(8, 16, 3, 1, 1, true);
  nn::ReLU relu;
  const Tensor x = randn({1, 8, 10, 10});
  NoGradGuard no_grad;
  expect_close(nn::conv_batch_norm(*chain.conv, *chain.bn, x, &relu), unfused(chain, x, &relu, Tensor()));
  for (Tensor* t : {&chain.conv->weight, &chain.conv->bias, &chain.bn->running_mean, &chain.bn->running_var,
                    &chain.bn->weight, &chain.bn->bias}) {
    t->mul_(1.5);
    expect_close(nn::conv_batch_norm(*chain.conv, *chain.bn, x, &relu), unfused(chain, x, &relu, Tensor()));
  }
  chain.bn->eps = 0.5;
  expect_close(nn::conv_batch_norm(*chain.conv, *chain.bn, x, &relu), unfused(chain, x, &relu, Tensor()));
}

namespace {

// NaN positions and infinities equal, finite values within `tolerance`; with `expect_nan` there are NaNs.
void expect_same_with_nans(const Tensor& got, const Tensor& want, bool expect_nan = true, double tolerance = 1e-4) {
  ASSERT_EQ(got.shape(), want.shape());
  const auto g = got.to_vector<float>(), w = want.to_vector<float>();
  bool nan = false;
  for (size_t i = 0; i < g.size(); ++i) {
    ASSERT_EQ(std::isnan(g[i]), std::isnan(w[i])) << "element " << i << ": " << g[i] << " against " << w[i];
    nan = nan || std::isnan(w[i]);
    if (std::isinf(w[i])) ASSERT_EQ(g[i], w[i]) << "element " << i;
    else if (!std::isnan(w[i])) ASSERT_NEAR(g[i], w[i], tolerance * (1 + std::abs(w[i]))) << "element " << i;
  }
  EXPECT_TRUE(nan || !expect_nan) << "the case should produce NaNs";
}

}  // namespace

TEST(ConvBatchNormFused, NanAndInfinityPassAsThroughTheModules) {
  // oneDNN's ReLU and clip post-ops turn a NaN into 0; relu() and relu6() (and PyTorch) pass it on.
  // A NaN or an infinity in the input, in the residual, or in the folded weights (a negative
  // running variance) must reach the output as through the modules one after another.
  nn::ReLU relu;
  nn::ReLU6 relu6;
  for (auto backend : {ops::ConvBackend::OneDnn, ops::ConvBackend::Im2col}) {
    Setting setting(true, backend);
    manual_seed(11);
    for (nn::UnaryModule* act : std::vector<nn::UnaryModule*>{&relu, &relu6}) {
      SCOPED_TRACE(::testing::Message() << "backend " << static_cast<int>(backend) << " " << act->name());
      Chain first(4, 8, 3, 1, 1, false), second(8, 8, 1, 1, 1, true);
      std::vector<nn::ConvBatchNormStep> steps{{first.conv.get(), first.bn.get(), act},
                                               {second.conv.get(), second.bn.get(), act}};
      auto want = [&](const Tensor& x, const Tensor& residual) {
        return unfused(second, unfused(first, x, act, Tensor()), act, residual);
      };
      NoGradGuard no_grad;
      Tensor x = randn({1, 4, 6, 6});
      const Tensor residual = randn({1, 8, 6, 6});
      for (float bad : {NAN, INFINITY}) {
        SCOPED_TRACE(::testing::Message() << "a " << bad << " in the input, then in the residual");
        Tensor xb = x.clone();
        xb.data_ptr<float>()[7] = bad;
        const bool nan = std::isnan(bad) || act == &relu;  // ReLU6 clips an infinity (the sums of ±∞ to 6)
        for (int call = 0; call < 2; ++call)
          expect_same_with_nans(nn::conv_batch_norm_chain(steps, xb, Tensor()), want(xb, Tensor()), nan);
        Tensor rb = residual.clone();
        rb.data_ptr<float>()[3] = bad;
        expect_same_with_nans(nn::conv_batch_norm_chain(steps, x, rb), want(x, rb), std::isnan(bad));
      }
      // Finite again: the kept weights still give the plain result.
      expect_close(nn::conv_batch_norm_chain(steps, x, residual), want(x, residual));
      SCOPED_TRACE("a negative running variance");
      second.bn->running_var.narrow(0, 2, 1).fill_(-1.0);  // √(var + ε) is NaN for channel 2
      ASSERT_TRUE(nn::conv_batch_norm_chain_folds(steps, x, residual));
      for (int call = 0; call < 2; ++call)
        expect_same_with_nans(nn::conv_batch_norm_chain(steps, x, residual), want(x, residual));
    }
  }
}

TEST(ConvBatchNormFused, FusedBatchNormActivationPassesNanAsTheUnfusedOps) {
  // batch_norm_relu / batch_norm_relu6 against relu / relu6 after batch_norm: a NaN in the input
  // gives NaN where the unfused ops give it (one position at inference; the whole channel in
  // training, through the batch mean).
  namespace F = nn::functional;
  manual_seed(12);
  Tensor x = randn({2, 8, 3, 3});
  x.data_ptr<float>()[5] = NAN;
  const Tensor mean = randn({8}), var = rand({8}) + 0.5, w = randn({8}), b = randn({8});
  NoGradGuard no_grad;
  for (bool training : {false, true}) {
    SCOPED_TRACE(training ? "training" : "inference");
    expect_same_with_nans(F::batch_norm_relu(x, mean.clone(), var.clone(), w, b, training, 0.1, 1e-5),
                          relu(F::batch_norm(x, mean.clone(), var.clone(), w, b, training, 0.1, 1e-5)));
    expect_same_with_nans(F::batch_norm_relu6(x, mean.clone(), var.clone(), w, b, training, 0.1, 1e-5),
                          F::relu6(F::batch_norm(x, mean.clone(), var.clone(), w, b, training, 0.1, 1e-5)));
  }
}

TEST(ConvBatchNormFused, FoldsOnlyForInferenceWithTheCacheOn) {
  manual_seed(7);
  Chain chain(4, 8, 3, 1, 1, false);
  nn::ReLU relu;
  nn::Sigmoid sigmoid;
  const Tensor x = randn({1, 4, 6, 6});
  {
    Setting off(false, ops::ConvBackend::OneDnn);
    NoGradGuard no_grad;
    EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &relu, Tensor()));
  }
  Setting on(true, ops::ConvBackend::OneDnn);
  EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &relu, Tensor()))
      << "the weights require grad: training, not inference";
  NoGradGuard no_grad;
  EXPECT_TRUE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &relu, Tensor()));
  EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &sigmoid, Tensor())) << "not a fusable activation";
  EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x.to(DType::Float64), &relu, Tensor()));
  chain.bn->train();
  EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &relu, Tensor())) << "batch statistics";
  chain.bn->eval();
  const int64_t hook = chain.bn->register_forward_hook([](nn::Module&, const Tensor&, const Tensor&) {});
  EXPECT_FALSE(nn::conv_batch_norm_folds(*chain.conv, *chain.bn, x, &relu, Tensor())) << "hooks see each module";
  chain.bn->remove_forward_hook(hook);
  // Where it does not fold, the result is still act(bn(conv(x))): here in training mode.
  chain.bn->train();
  expect_close(nn::conv_batch_norm(*chain.conv, *chain.bn, x, &sigmoid), unfused(chain, x, &sigmoid, Tensor()));
}

TEST(ConvBatchNormFused, ZooModelsGiveTheUnfusedLogits) {
  // ResNet (basic and bottleneck blocks, downsampling shortcuts), CIFAR ResNet (padding
  // shortcuts), MobileNet v2 (inverted residuals, ReLU6, depthwise) and VGG (convolution modules
  // with and without BatchNorm, through run_chained): eval-mode logits with the
  // cache on (folded) against the cache off (the modules in turn).
  // The folding itself is compared on oneDNN's direct kernels at the tolerance of the other
  // tests; with the default algorithm, Winograd's rounding (docs/nn-conv.md) takes different
  // paths through the folded and the unfolded weights (the folded chains' inference primitives
  // also use another Winograd kernel), and through ResNet-50's 53 layers the logits then differ by
  // about 1e-4 (2e-5 on the direct kernels).
  const ops::ConvAlgorithm saved = ops::conv_algorithm();
  for (const auto& [algorithm, tolerance] : {std::pair{ops::ConvAlgorithm::Direct, 1e-4},
                                             std::pair{ops::ConvAlgorithm::Auto, 5e-4}}) {
    for (const std::string name : {"resnet20", "resnet18", "resnet50", "mobilenet_v2", "vgg11", "vgg11_bn"}) {
      SCOPED_TRACE(str_cat(name, ", algorithm ", ops::conv_algorithm_name(algorithm)));
      ops::set_conv_algorithm(algorithm);
      manual_seed(8);
      auto model = models::create(name, {10, {3, 32, 32}});
      // Running statistics away from their initial 0 / 1, so that folding has something to fold.
      model->apply([](nn::Module& m) {
        if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(&m)) {
          NoGradGuard no_grad;
          bn->running_mean.copy_(randn({bn->num_features}) * 0.1);
          bn->running_var.copy_(rand({bn->num_features}) + 0.5);
        }
      });
      model->eval();
      const Tensor x = randn({2, 3, 32, 32});
      NoGradGuard no_grad;
      Tensor want;
      {
        Setting off(false, ops::ConvBackend::OneDnn);
        want = (*model)(x);
      }
      Setting on(true, ops::ConvBackend::OneDnn);
      expect_close((*model)(x), want, tolerance);
      EXPECT_GE(ops::conv_weight_cache_entries(), 1u) << "nothing was folded";
    }
  }
  ops::set_conv_algorithm(saved);
}
