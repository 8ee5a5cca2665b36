// PyTorch parity of Linear, the normalisation layers (train and eval mode, running-stat updates
// after one step), the activations and Embedding, against tests/fixtures/parity/norm.safetensors
// written by tools/parity/norm.py (Debian's python3-torch 1.13). Dropout is random, so its
// statistics (mean, scale, drop rate, SELU moments) are checked instead of bits.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "nabla/nabla.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nn/parity_fixture.h"

using namespace nabla;

namespace {

using Factory = std::function<std::shared_ptr<nn::UnaryModule>()>;
template <class M, class... A>
Factory make(A... args) {
  return [=] { return std::static_pointer_cast<nn::UnaryModule>(std::make_shared<M>(args...)); };
}

struct Case {
  const char* name;
  Factory factory;
  DType dtype;
  bool train;
};

// Same table as tools/parity/norm.py.
const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"linear_3d", make<nn::Linear>(5, 4), DType::Float32, true},
      {"linear_nobias_f64", make<nn::Linear>(6, 3, false), DType::Float64, true},
      {"bn1d_nc", make<nn::BatchNorm1d>(4), DType::Float32, true},
      {"bn1d_ncl", make<nn::BatchNorm1d>(3, 1e-5, std::optional<double>(0.3)), DType::Float32, true},
      {"bn2d_train", make<nn::BatchNorm2d>(3), DType::Float32, true},
      {"bn2d_eval", make<nn::BatchNorm2d>(3), DType::Float32, false},
      {"bn2d_cumulative", make<nn::BatchNorm2d>(2, 1e-5, std::optional<double>()), DType::Float32, true},
      {"bn2d_noaffine_f64", make<nn::BatchNorm2d>(3, 1e-5, std::optional<double>(0.1), false), DType::Float64, true},
      {"bn2d_notrack", make<nn::BatchNorm2d>(2, 1e-5, std::optional<double>(0.1), true, false), DType::Float32, false},
      {"bn3d_train", make<nn::BatchNorm3d>(2, 1e-3), DType::Float32, true},
      {"ln_2d", make<nn::LayerNorm>(Shape{3, 4}), DType::Float32, true},
      {"ln_noaffine_f64", make<nn::LayerNorm>(Shape{6}, 1e-6, false), DType::Float64, true},
      {"gn_affine", make<nn::GroupNorm>(2, 6), DType::Float32, true},
      {"gn_noaffine", make<nn::GroupNorm>(3, 3, 1e-5, false), DType::Float32, true},
      {"in1d_default", make<nn::InstanceNorm1d>(3), DType::Float32, true},
      {"in2d_track_train", make<nn::InstanceNorm2d>(3, 1e-5, 0.1, true, true), DType::Float32, true},
      {"in2d_track_eval", make<nn::InstanceNorm2d>(3, 1e-5, 0.1, true, true), DType::Float32, false},
      {"lrn_3", make<nn::LocalResponseNorm>(3, 0.1, 0.75, 2.0), DType::Float32, true},
      {"lrn_2_f64", make<nn::LocalResponseNorm>(2), DType::Float64, true},
      {"relu", make<nn::ReLU>(), DType::Float32, true},
      {"leaky_relu", make<nn::LeakyReLU>(0.1), DType::Float32, true},
      {"elu", make<nn::ELU>(0.8), DType::Float32, true},
      {"selu", make<nn::SELU>(), DType::Float32, true},
      {"gelu", make<nn::GELU>(), DType::Float32, true},
      {"gelu_tanh", make<nn::GELU>(std::string("tanh")), DType::Float32, true},
      {"gelu_f64", make<nn::GELU>(), DType::Float64, true},
      {"silu", make<nn::SiLU>(), DType::Float32, true},
      {"sigmoid", make<nn::Sigmoid>(), DType::Float32, true},
      {"tanh", make<nn::Tanh>(), DType::Float32, true},
      {"softplus", make<nn::Softplus>(2.0, 3.0), DType::Float32, true},
      {"hardtanh", make<nn::Hardtanh>(-0.5, 0.8), DType::Float32, true},
      {"softmax", make<nn::Softmax>(std::optional<int64_t>(1)), DType::Float32, true},
      {"log_softmax", make<nn::LogSoftmax>(std::optional<int64_t>(0)), DType::Float64, true},
      {"embedding_pad", make<nn::Embedding>(6, 3, std::optional<int64_t>(2)), DType::Float32, true},
  };
  return table;
}

const nabla::testing::ParityFixture& fixture() {
  static const nabla::testing::ParityFixture f("norm.safetensors");
  return f;
}
const Tensor& get(const std::string& key) { return fixture().get(key); }
void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  nabla::testing::expect_close_to_scale(actual, expected, what, 1e-5);
}

}  // namespace

TEST(NormParity, EveryLayerMatchesPyTorch) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const std::string p = std::string(c.name) + ".";
    auto m = c.factory();
    if (c.dtype == DType::Float64) m->to(DType::Float64);
    {
      NoGradGuard guard;
      for (auto& [name, t] : m->named_parameters()) Tensor(t).copy_(get(p + name));
      for (auto& [name, t] : m->named_buffers()) Tensor(t).copy_(get(p + name));
    }
    m->train(c.train);
    Tensor x = get(p + "x").clone();
    if (is_floating(x.dtype())) x.requires_grad_();
    Tensor y = m->forward(x);
    expect_close(y, get(p + "y"), p + "y");
    y.backward(get(p + "gy"));
    if (is_floating(x.dtype())) expect_close(x.grad(), get(p + "gx"), p + "gx");
    for (auto& [name, t] : m->named_parameters()) expect_close(t.grad(), get(p + "g" + name), p + "g" + name);
    for (auto& [name, t] : m->named_buffers()) {
      if (t.dtype() == DType::Int64)
        EXPECT_EQ(t.item<int64_t>(), get(p + name + "_after").item<int64_t>()) << p + name;
      else
        expect_close(t, get(p + name + "_after"), p + name + "_after");
    }
  }
}

TEST(NormParity, FixtureHasEveryCase) {
  for (const Case& c : cases()) EXPECT_TRUE(fixture().has(std::string(c.name) + ".y")) << c.name;
}

// ---- dropout statistics ------------------------------------------------------------------------------

TEST(NormParity, DropoutStatistics) {
  manual_seed(7);
  const int64_t n = 200000;
  for (double p : {0.1, 0.5, 0.8}) {
    nn::Dropout d(p);
    Tensor x = ones({n});
    Tensor y = d.forward(x);
    const auto v = y.to_vector<float>();
    int64_t zeros_seen = 0;
    for (float e : v) {
      if (e == 0.f)
        ++zeros_seen;
      else
        ASSERT_NEAR(e, 1.0 / (1.0 - p), 1e-6);  // kept units scaled by 1/(1 − p)
    }
    const double rate = static_cast<double>(zeros_seen) / n;
    // Binomial std of the drop rate is √(p(1−p)/n) ≤ 0.0012: 5σ bounds.
    EXPECT_NEAR(rate, p, 0.006) << "p=" << p;
    EXPECT_NEAR(y.mean().item(), 1.0, 5 * std::sqrt(p / (1 - p) / n)) << "the expectation is preserved";
    d.eval();
    EXPECT_TRUE(allclose(d.forward(x), x));
  }
  nn::Dropout all(1.0);
  EXPECT_EQ(all.forward(ones({10})).sum().item(), 0.0);
}

TEST(NormParity, Dropout2dDropsWholeChannels) {
  manual_seed(8);
  nn::Dropout2d d(0.5);
  Tensor y = d.forward(ones({64, 32, 3, 3}));
  const auto v = y.to_vector<float>();
  int64_t dropped = 0;
  for (int64_t ch = 0; ch < 64 * 32; ++ch) {
    const float first = v[ch * 9];
    for (int64_t k = 1; k < 9; ++k) ASSERT_EQ(v[ch * 9 + k], first);
    ASSERT_TRUE(first == 0.f || first == 2.f);
    dropped += first == 0.f;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / (64 * 32), 0.5, 0.05);
}

TEST(NormParity, AlphaDropoutKeepsSeluMoments) {
  manual_seed(9);
  Generator g(10);
  Tensor x = randn({400000}, DType::Float32, &g);  // zero mean, unit variance (SELU's fixed point)
  for (double p : {0.1, 0.3}) {
    nn::AlphaDropout d(p);
    Tensor y = d.forward(x);
    EXPECT_NEAR(y.mean().item(), 0.0, 0.01) << "p=" << p;
    EXPECT_NEAR(nabla::std(y).item(), 1.0, 0.01) << "p=" << p;
    // Dropped units all take the same value a·(−α') + b.
    const double alpha = 1.7580993408473766, a = 1.0 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
    const double dropped_value = a * (p - 1) * alpha;
    int64_t count = 0;
    for (float e : y.to_vector<float>()) count += std::abs(e - dropped_value) < 1e-6;
    EXPECT_NEAR(static_cast<double>(count) / x.numel(), p, 0.01);
  }
}

TEST(NormParity, DropPathPerSample) {
  manual_seed(11);
  nn::DropPath d(0.25);
  Tensor y = d.forward(ones({4000, 3, 2}));
  const auto v = y.to_vector<float>();
  int64_t dropped = 0;
  for (int64_t s = 0; s < 4000; ++s) {
    for (int64_t k = 1; k < 6; ++k) ASSERT_EQ(v[s * 6 + k], v[s * 6]);
    ASSERT_TRUE(v[s * 6] == 0.f || std::abs(v[s * 6] - 1.f / 0.75f) < 1e-6);
    dropped += v[s * 6] == 0.f;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / 4000, 0.25, 0.035);
  d.eval();
  EXPECT_TRUE(allclose(d.forward(ones({3, 2})), ones({3, 2})));
}
