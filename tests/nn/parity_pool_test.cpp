// PyTorch parity of the pooling, resampling and pixel-shuffle layers: outputs, indices and input
// gradients against tests/fixtures/parity/pool.safetensors (written by tools/parity/pool.py; keep
// the tables in sync).
#include "nabla/nn/functional/pool.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>

#include "nabla/io/serialize.h"
#include "nabla/nabla.h"
#include "nabla/nn/functional/resample.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/resample.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

const std::map<std::string, Tensor>& fixture() {
  static const std::map<std::string, Tensor> data = load(NABLA_SOURCE_DIR "/tests/fixtures/parity/pool.safetensors");
  return data;
}

Tensor get(const std::string& key) {
  auto it = fixture().find(key);
  if (it == fixture().end()) throw Error("pool parity: fixture has no tensor " + key);
  return it->second;
}

void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  const double rtol = actual.dtype() == DType::Float64 ? 1e-12 : 1e-5;
  const double atol = actual.dtype() == DType::Float64 ? 1e-13 : 1e-6;
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], e[i], atol + rtol * std::abs(e[i])) << what << " element " << i;
}

// A layer under test: output and (for max-type pooling) indices.
using Run = std::function<std::pair<Tensor, Tensor>(const Tensor&)>;

template <class M>
Run module(std::shared_ptr<M> m) {
  return [m](const Tensor& x) { return std::pair<Tensor, Tensor>{m->forward(x), Tensor()}; };
}
template <class M>
Run module_with_indices(std::shared_ptr<M> m) {
  return [m](const Tensor& x) { return m->forward_with_indices(x); };
}
Run fn(std::function<Tensor(const Tensor&)> f) {
  return [f](const Tensor& x) { return std::pair<Tensor, Tensor>{f(x), Tensor()}; };
}

// The same configurations as CONFIGS in tools/parity/pool.py.
std::map<std::string, Run> cases() {
  using namespace nn;
  using std::make_shared;
  using Scales = std::vector<double>;
  return {
      {"mp1d_pad_dil", module(make_shared<MaxPool1d>(3, 2, 1, 2))},
      {"mp1d_ceil", module(make_shared<MaxPool1d>(2, PoolInts{}, 0, 1, false, true))},
      {"mp2d_basic", module(make_shared<MaxPool2d>(2))},
      {"mp2d_ceil_pad", module(make_shared<MaxPool2d>(3, 2, 1, 1, false, true))},
      {"mp2d_overlap", module(make_shared<MaxPool2d>(PoolInts{3, 2}, PoolInts{2, 1}))},
      {"mp2d_dilation", module(make_shared<MaxPool2d>(2, 1, 1, 2))},
      {"mp2d_indices", module_with_indices(make_shared<MaxPool2d>(3, 2, 1, 1, true, true))},
      {"mp2d_rows", module_with_indices(make_shared<MaxPool2d>(2, PoolInts{}, 0, 1, true))},
      {"mp2d_rows_odd", module_with_indices(make_shared<MaxPool2d>(2, PoolInts{}, 0, 1, true))},
      {"mp2d_unbatched", module(make_shared<MaxPool2d>(2, PoolInts{}, 0, 1, false, true))},
      {"mp3d", module_with_indices(
                   make_shared<MaxPool3d>(PoolInts{2, 3, 2}, PoolInts{1, 2, 2}, PoolInts{1, 1, 0}, 1, true, true))},
      {"mp2d_f64", module(make_shared<MaxPool2d>(3, 2, 1))},
      {"ap1d_basic", module(make_shared<AvgPool1d>(2))},
      {"ap1d_pad_ceil_nocount", module(make_shared<AvgPool1d>(3, 2, 1, true, false))},
      {"ap2d_basic", module(make_shared<AvgPool2d>(2))},
      {"ap2d_pad_ceil", module(make_shared<AvgPool2d>(3, 2, 1, true))},
      {"ap2d_pad_ceil_nocount", module(make_shared<AvgPool2d>(3, 2, 1, true, false))},
      {"ap2d_divisor", module(make_shared<AvgPool2d>(PoolInts{3, 2}, PoolInts{2, 1}, PoolInts{1, 0}, false, true, 5))},
      {"ap2d_overlap", module(make_shared<AvgPool2d>(3, 1))},
      {"ap3d", module(make_shared<AvgPool3d>(PoolInts{2, 3, 2}, PoolInts{1, 2, 2}, PoolInts{1, 1, 0}, true, false))},
      {"ap3d_divisor_f64", module(make_shared<AvgPool3d>(2, 1, 1, false, true, 3))},
      {"aap1d", module(make_shared<AdaptiveAvgPool1d>(4))},
      {"aap2d", module(make_shared<AdaptiveAvgPool2d>(PoolInts{3, 4}))},
      {"aap2d_global", module(make_shared<AdaptiveAvgPool2d>(1))},
      {"aap2d_up", module(make_shared<AdaptiveAvgPool2d>(PoolInts{5, 7}))},
      {"aap3d", module(make_shared<AdaptiveAvgPool3d>(PoolInts{2, 3, 2}))},
      {"amp1d", module_with_indices(make_shared<AdaptiveMaxPool1d>(4, true))},
      {"amp2d", module_with_indices(make_shared<AdaptiveMaxPool2d>(PoolInts{3, 4}, true))},
      {"amp2d_up", module(make_shared<AdaptiveMaxPool2d>(5))},
      {"amp3d_f64", module_with_indices(make_shared<AdaptiveMaxPool3d>(PoolInts{2, 3, 2}, true))},
      {"lp2d_p2", module(make_shared<LPPool2d>(2, 2))},
      {"lp2d_p3_ceil", module(make_shared<LPPool2d>(3, PoolInts{3, 2}, 2, true))},
      {"lp1d", module(make_shared<LPPool1d>(1.5, 3, 2))},
      {"up_nearest_scale2", module(make_shared<Upsample>(std::nullopt, Scales{2}, "nearest"))},
      {"up_nearest_size", fn([](const Tensor& x) {
         return F::interpolate(x, IntList{7, 9});
       })},
      {"up_nearest_frac", fn([](const Tensor& x) {
         return F::interpolate(x, std::nullopt, Scales{1.5, 2.3});
       })},
      {"up_nearest_down", fn([](const Tensor& x) {
         return F::interpolate(x, IntList{3, 2}, std::nullopt, "nearest");
       })},
      {"up_nearest_1d", fn([](const Tensor& x) { return F::interpolate(x, std::nullopt, Scales{3}); })},
      {"up_nearest_3d", fn([](const Tensor& x) {
         return F::interpolate(x, IntList{3, 5, 4});
       })},
      {"up_bilinear_ac", module(make_shared<Upsample>(IntList{7, 9}, std::nullopt, "bilinear", true))},
      {"up_bilinear_noac", module(make_shared<Upsample>(std::nullopt, Scales{2}, "bilinear", false))},
      {"up_bilinear_frac", fn([](const Tensor& x) {
         return F::interpolate(x, std::nullopt, Scales{1.7, 0.6}, "bilinear", false);
       })},
      {"up_bilinear_recompute", fn([](const Tensor& x) {
         return F::interpolate(x, std::nullopt, Scales{1.7, 0.6}, "bilinear", false, true);
       })},
      {"up_linear_ac", fn([](const Tensor& x) { return F::interpolate(x, IntList{9}, std::nullopt, "linear", true); })},
      {"up_linear_noac",
       fn([](const Tensor& x) { return F::interpolate(x, std::nullopt, Scales{2.5}, "linear", false); })},
      {"up_bilinear_f64", fn([](const Tensor& x) {
         return F::interpolate(x, IntList{5, 3}, std::nullopt, "bilinear");
       })},
      {"ps2", module(make_shared<PixelShuffle>(2))},
      {"ps3", module(make_shared<PixelShuffle>(3))},
      {"pu2", module(make_shared<PixelUnshuffle>(2))},
  };
}

// Unpooling: (x, indices) -> y; the same configurations as UNPOOL_CONFIGS.
std::map<std::string, std::function<Tensor(const Tensor&, const Tensor&)>> unpool_cases() {
  return {
      {"unpool2d_basic",
       [](const Tensor& x, const Tensor& i) { return (*std::make_shared<nn::MaxUnpool2d>(2))(x, i); }},
      {"unpool2d_outsize",
       [](const Tensor& x, const Tensor& i) {
         return nn::MaxUnpool2d(3, 2, 1).forward(x, i, IntList{8, 7});
       }},
      {"unpool2d_default_size", [](const Tensor& x, const Tensor& i) { return F::max_unpool2d(x, i, 3, 2, 1); }},
  };
}

}  // namespace

TEST(PoolParity, EveryFixtureCaseIsTested) {
  std::set<std::string> names;
  for (const auto& [key, t] : fixture()) names.insert(key.substr(0, key.find('.')));
  std::set<std::string> tested;
  for (const auto& [name, run] : cases()) tested.insert(name);
  for (const auto& [name, run] : unpool_cases()) tested.insert(name);
  EXPECT_EQ(names, tested);
}

TEST(PoolParity, OutputsIndicesAndGradients) {
  for (const auto& [name, run] : cases()) {
    SCOPED_TRACE(name);
    const Tensor x = get(name + ".x").clone().requires_grad_();
    auto [y, indices] = run(x);
    expect_close(y, get(name + ".y"), name + ".y");
    if (fixture().count(name + ".indices")) {
      ASSERT_TRUE(indices.defined());
      EXPECT_EQ(indices.to_vector<int64_t>(), get(name + ".indices").to_vector<int64_t>());
    }
    y.backward(get(name + ".gy"));
    expect_close(x.grad(), get(name + ".gx"), name + ".gx");
  }
}

TEST(PoolParity, MaxUnpool) {
  for (const auto& [name, run] : unpool_cases()) {
    SCOPED_TRACE(name);
    const Tensor x = get(name + ".x").clone().requires_grad_();
    Tensor y = run(x, get(name + ".indices"));
    expect_close(y, get(name + ".y"), name + ".y");
    y.backward(get(name + ".gy"));
    expect_close(x.grad(), get(name + ".gx"), name + ".gx");
  }
}
