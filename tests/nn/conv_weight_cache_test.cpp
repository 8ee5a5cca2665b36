// Inference keeps each convolution weight converted to oneDNN's layout (ops::set_conv_weight_cache):
// results are bitwise those of converting on every call, and any change to the weights (in-place
// ops, load_state_dict, optimizer steps, a new tensor at a freed one's address) is seen.
#include <gtest/gtest.h>

#include <vector>

#include "nabla/nabla.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

// Sets the cache and the oneDNN backend for a test, restoring both afterwards.
class CacheSetting {
 public:
  explicit CacheSetting(bool on) : saved_(ops::conv_weight_cache()), backend_(ops::conv_backend()) {
    ops::set_conv_backend(ops::ConvBackend::OneDnn);
    ops::clear_conv_weight_cache();
    ops::set_conv_weight_cache(on);
  }
  ~CacheSetting() {
    ops::set_conv_weight_cache(saved_);
    ops::set_conv_backend(backend_);
  }

 private:
  bool saved_;
  ops::ConvBackend backend_;
};

// conv2d(x, w, b) under no_grad (cached == true: the cache may serve it) or with a gradient to
// take (the cache is not used: the weights are converted afresh). The setting itself is not
// touched, since switching it off clears the cache.
Tensor infer(bool cached, const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride = 1, int64_t groups = 1) {
  if (cached) {
    NoGradGuard no_grad;
    return F::conv2d(x, w, b, stride, 1, 1, groups);
  }
  return F::conv2d(x.detach().requires_grad_(), w, b, stride, 1, 1, groups).detach();
}

void expect_bitwise(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  EXPECT_EQ(got.to_vector<float>(), want.to_vector<float>());
}

}  // namespace

TEST(ConvWeightCache, SameBitsAsConvertingEveryCall) {
  CacheSetting setting(true);
  manual_seed(3);
  struct Case {
    int64_t batch, in, out, size, stride, groups;
  };
  for (const Case& c : std::vector<Case>{{1, 16, 32, 14, 1, 1}, {1, 32, 64, 14, 2, 1}, {2, 32, 32, 8, 1, 32},
                                         {4, 64, 64, 7, 1, 4}, {1, 3, 64, 28, 2, 1}}) {
    SCOPED_TRACE(::testing::Message() << "batch " << c.batch << " channels " << c.in << "->" << c.out << " groups "
                                    << c.groups);
    Tensor x = randn({c.batch, c.in, c.size, c.size}), w = randn({c.out, c.in / c.groups, 3, 3}), b = randn({c.out});
    Tensor want = infer(false, x, w, b, c.stride, c.groups);
    for (int call = 0; call < 3; ++call) expect_bitwise(infer(true, x, w, b, c.stride, c.groups), want);
  }
  EXPECT_GE(ops::conv_weight_cache_entries(), 1u) << "no conversion was kept: the cache is not in use";
}

TEST(ConvWeightCache, InPlaceWritesAreSeen) {
  CacheSetting setting(true);
  manual_seed(4);
  Tensor x = randn({1, 16, 10, 10}), w = randn({32, 16, 3, 3}), b = randn({32});
  infer(true, x, w, b);
  {
    NoGradGuard no_grad;
    w.mul_(2.0);
  }
  expect_bitwise(infer(true, x, w, b), infer(false, x, w, b));
  {
    NoGradGuard no_grad;
    w.copy_(randn({32, 16, 3, 3}));
  }
  expect_bitwise(infer(true, x, w, b), infer(false, x, w, b));
  // A write through a view of the same storage.
  {
    NoGradGuard no_grad;
    w.select(0, 5).fill_(0.25);
  }
  expect_bitwise(infer(true, x, w, b), infer(false, x, w, b));
}

TEST(ConvWeightCache, ModulesSeeLoadStateDictAndOptimizerSteps) {
  CacheSetting setting(true);
  manual_seed(5);
  nn::Conv2d conv({.in_channels = 16, .out_channels = 32, .kernel_size = 3, .padding = 1});
  Tensor x = randn({2, 16, 9, 9});
  auto eval = [&](bool cached) {
    if (cached) {
      NoGradGuard no_grad;
      return conv.forward(x);
    }
    return conv.forward(x.detach().requires_grad_()).detach();
  };
  Tensor before = eval(true);
  nn::Conv2d other({.in_channels = 16, .out_channels = 32, .kernel_size = 3, .padding = 1});
  conv.load_state_dict(other.state_dict());
  Tensor loaded = eval(true);
  expect_bitwise(loaded, eval(false));
  EXPECT_NE(loaded.to_vector<float>(), before.to_vector<float>());

  optim::SGD sgd(conv.parameters(), {.lr = 0.1});
  (conv.forward(x) * conv.forward(x)).mean().backward();
  sgd.step();
  Tensor stepped = eval(true);
  expect_bitwise(stepped, eval(false));
  EXPECT_NE(stepped.to_vector<float>(), loaded.to_vector<float>());
}

TEST(ConvWeightCache, FreedWeightsAreDroppedAndTheirAddressesNotConfused) {
  CacheSetting setting(true);
  manual_seed(6);
  Tensor x = randn({1, 16, 8, 8});
  const void* first_address = nullptr;
  {
    Tensor w = randn({32, 16, 3, 3});
    first_address = w.data_ptr<float>();
    infer(true, x, w, Tensor());
    EXPECT_EQ(ops::conv_weight_cache_entries(), 1u);
  }
  // A new weight tensor of the same size: the allocator typically hands back the freed block.
  Tensor w2 = randn({32, 16, 3, 3});
  expect_bitwise(infer(true, x, w2, Tensor()), infer(false, x, w2, Tensor()));
  if (w2.data_ptr<float>() != first_address) GTEST_LOG_(INFO) << "the new weights got a different address";
  // Adding another weight drops the entries of freed storages.
  Tensor w3 = randn({64, 16, 3, 3});
  {
    Tensor w4 = randn({48, 16, 3, 3});
    infer(true, x, w4, Tensor());
  }
  infer(true, x, w3, Tensor());
  EXPECT_EQ(ops::conv_weight_cache_entries(), 2u);  // w2 and w3; w4 was freed
}

TEST(ConvWeightCache, NotUsedWhenGradientsAreTakenOrWhenOff) {
  CacheSetting setting(true);
  manual_seed(7);
  Tensor x = randn({1, 16, 8, 8}), w = randn({32, 16, 3, 3}).requires_grad_();
  F::conv2d(x, w).sum().backward();
  EXPECT_EQ(ops::conv_weight_cache_entries(), 0u);
  infer(true, x, w.detach(), Tensor());
  EXPECT_EQ(ops::conv_weight_cache_entries(), 1u);
  ops::set_conv_weight_cache(false);  // switching it off drops what was kept
  EXPECT_EQ(ops::conv_weight_cache_entries(), 0u);
  infer(true, x, w.detach(), Tensor());
  EXPECT_EQ(ops::conv_weight_cache_entries(), 0u);
}
