// Next-token sampling: greedy, top-k, top-p, temperature, determinism and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nabla/error.h"
#include "nabla/nn/functional/sampling.h"
#include "nabla/ops.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

// `rows` copies of one logit row: one call draws `rows` independent tokens.
Tensor repeat_rows(const std::vector<float>& row, int64_t rows) {
  const int64_t v = static_cast<int64_t>(row.size());
  return from_vector(row, Shape{1, v}).expand({rows, v}).contiguous();
}

std::vector<int64_t> histogram(const Tensor& ids, int64_t v) {
  std::vector<int64_t> counts(v, 0);
  for (int64_t id : ids.to_vector<int64_t>()) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, v);
    if (id >= 0 && id < v) ++counts[id];
  }
  return counts;
}

const std::vector<float> kRow = {0.3f, 2.0f, -1.0f, 1.2f, 0.9f, -0.4f, 1.7f, 0.0f};  // argmax 1, then 6, 3, 4

}  // namespace

TEST(Sampling, GreedyIsArgmaxAndTopKOneIsGreedy) {
  Generator g(3);
  const Tensor logits = randn({6, 50}, DType::Float32, &g);
  const Tensor greedy = F::sample_next_token(logits, {.temperature = 0.0});
  EXPECT_EQ(greedy.dtype(), DType::Int64);
  EXPECT_EQ(greedy.shape(), (Shape{6}));
  EXPECT_EQ(greedy.to_vector<int64_t>(), argmax(logits, 1).to_vector<int64_t>());
  EXPECT_EQ(F::sample_next_token(logits, {.temperature = 1.3, .top_k = 1, .generator = &g}).to_vector<int64_t>(),
            greedy.to_vector<int64_t>());
  const Tensor one = F::sample_next_token(logits[2], {.temperature = 0.0});
  EXPECT_EQ(one.dim(), 0);
  EXPECT_EQ(one.item<int64_t>(), greedy.to_vector<int64_t>()[2]);
}

TEST(Sampling, TopKNeverDrawsOtherTokens) {
  Generator g(11);
  const auto counts = histogram(F::sample_next_token(repeat_rows(kRow, 4000), {.top_k = 3, .generator = &g}), 8);
  for (int64_t t = 0; t < 8; ++t) {
    if (t == 1 || t == 6 || t == 3) EXPECT_GT(counts[t], 0) << t;
    else EXPECT_EQ(counts[t], 0) << t;
  }
}

TEST(Sampling, SmallTopPDrawsOnlyTheArgmax) {
  Generator g(5);
  const auto counts = histogram(F::sample_next_token(repeat_rows(kRow, 2000), {.top_p = 0.01, .generator = &g}), 8);
  EXPECT_EQ(counts[1], 2000);
}

TEST(Sampling, TopPKeepsTheSmallestSetReachingP) {
  // Probabilities 0.5, 0.3, 0.15, 0.05: Hugging Face's rule removes the tokens whose ascending
  // cumulative probability is <= 1 − p.
  const std::vector<float> row = {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)};
  Generator g(9);
  const std::vector<std::pair<double, std::set<int64_t>>> cases = {
      {0.75, {1, 3}}, {0.9, {0, 1, 3}}, {0.45, {1}}, {1.0, {0, 1, 2, 3}}};
  for (const auto& [p, kept] : cases) {
    const auto counts = histogram(F::sample_next_token(repeat_rows(row, 4000), {.top_p = p, .generator = &g}), 4);
    for (int64_t t = 0; t < 4; ++t) EXPECT_EQ(counts[t] > 0, kept.count(t) == 1) << "top_p " << p << " token " << t;
  }
}

TEST(Sampling, FrequenciesFollowTheTemperedSoftmax) {
  // Logits 5 and 1: probability ratio e^4 ≈ 54.6 at T = 1, e^0.8 ≈ 2.2 at T = 5 (the notes' oracle).
  const std::vector<float> row = {5.0f, 1.0f, 3.0f, 0.0f, 2.5f};
  const int64_t n = 40000;
  for (double t : {1.0, 5.0, 0.5}) {
    Generator g(static_cast<uint64_t>(t * 100));
    const auto counts = histogram(F::sample_next_token(repeat_rows(row, n), {.temperature = t, .generator = &g}), 5);
    const auto p = softmax(div(from_vector(row).to(DType::Float64), t), 0).to_vector<double>();
    for (int64_t k = 0; k < 5; ++k) {
      const double freq = static_cast<double>(counts[k]) / n, sd = std::sqrt(p[k] * (1 - p[k]) / n);
      EXPECT_NEAR(freq, p[k], 5 * sd + 1e-12) << "T " << t << " token " << k;  // 5 binomial std
    }
  }
}

TEST(Sampling, DeterministicForAGenerator) {
  const Tensor logits = repeat_rows(kRow, 500);
  Generator a(42), b(42), c(43);
  const F::SamplingOptions base{.temperature = 0.8, .top_k = 5, .top_p = 0.9};
  F::SamplingOptions oa = base, ob = base, oc = base;
  oa.generator = &a;
  ob.generator = &b;
  oc.generator = &c;
  const auto x = F::sample_next_token(logits, oa).to_vector<int64_t>();
  EXPECT_EQ(x, F::sample_next_token(logits, ob).to_vector<int64_t>());
  EXPECT_NE(x, F::sample_next_token(logits, oc).to_vector<int64_t>());
}

TEST(Sampling, Errors) {
  const Tensor logits = zeros({2, 5});
  EXPECT_THROW(F::sample_next_token(logits, {.temperature = -0.1}), Error);
  EXPECT_THROW(F::sample_next_token(logits, {.top_k = -1}), Error);
  EXPECT_THROW(F::sample_next_token(logits, {.top_p = 0.0}), Error);
  EXPECT_THROW(F::sample_next_token(logits, {.top_p = 1.5}), Error);
  EXPECT_THROW(F::sample_next_token(zeros({2, 3, 4})), Error);
  EXPECT_THROW(F::sample_next_token(zeros({3}, DType::Int64)), Error);
  EXPECT_THROW(F::sample_next_token(zeros({2, 0})), Error);
}
