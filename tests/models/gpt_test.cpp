// models::GPT: the KV cache against the full forward, generation with and without it, the
// parameter count, PyTorch parity with a nanoGPT state_dict (tests/fixtures/parity/gpt.safetensors,
// written by tools/parity/gpt.py), gradcheck in float64, and the errors.
#include <gtest/gtest.h>

#include "error_of.h"
#include "nabla/autograd.h"
#include "nabla/models/gpt.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "nn/parity_fixture.h"

using namespace nabla;
using nabla::testing::error_of;

namespace {

models::GPTOptions tiny() {
  return {.vocab_size = 17, .block_size = 12, .n_layer = 2, .n_head = 2, .n_embd = 16, .dropout = 0.0, .bias = true};
}

void expect_near(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], tol) << what << " element " << i;
}

}  // namespace

TEST(GPT, CachedLogitsEqualFullForwardTokenByToken) {
  manual_seed(1);
  models::GPT gpt(tiny());
  gpt.eval();
  NoGradGuard no_grad;
  const Tensor tokens = randint(0, 17, {3, 10});
  const Tensor full = gpt(tokens);  // (3, 10, 17)
  gpt.reset_cache();
  for (int64_t t = 0; t < 10; ++t) {
    const Tensor step = gpt.forward_cached(tokens.narrow(1, t, 1));
    expect_near(step, full.narrow(1, t, 1), 1e-5, "token " + std::to_string(t));
  }
  EXPECT_EQ(gpt.cache_length(), 10);
}

TEST(GPT, CachedLogitsEqualFullForwardInPieces) {
  manual_seed(2);
  models::GPT gpt(tiny());
  gpt.eval();
  NoGradGuard no_grad;
  const Tensor tokens = randint(0, 17, {2, 12});
  const Tensor full = gpt(tokens);
  gpt.reset_cache();
  int64_t start = 0;
  for (int64_t len : {5, 1, 4, 2}) {  // a prompt, then pieces of several tokens (masked) and one
    const Tensor piece = gpt.forward_cached(tokens.narrow(1, start, len));
    expect_near(piece, full.narrow(1, start, len), 1e-5, "piece at " + std::to_string(start));
    start += len;
  }
  // The cache is full: one more token exceeds block_size; reset_cache starts again.
  EXPECT_NE(error_of([&] { gpt.forward_cached(tokens.narrow(1, 0, 1)); }).find("exceeds block_size 12"),
            std::string::npos);
  gpt.reset_cache();
  expect_near(gpt.forward_cached(tokens.narrow(1, 0, 3)), full.narrow(1, 0, 3), 1e-5, "after reset");
  // The forward leaves the cache alone.
  gpt(tokens);
  EXPECT_EQ(gpt.cache_length(), 3);
}

TEST(GPT, GenerateWithAndWithoutCacheGivesTheSameIds) {
  manual_seed(3);
  models::GPT gpt(tiny());
  gpt.eval();
  const Tensor prompt = randint(0, 17, {2, 3});
  auto run = [&](bool use_cache) {
    Generator gen(42);
    models::GenerateOptions o{.max_new_tokens = 20, .sampling = {.temperature = 1.0, .top_k = 8, .generator = &gen},
                              .use_cache = use_cache};
    return models::generate(gpt, prompt, o);  // 23 > block_size 12: the window slides too
  };
  const Tensor with_cache = run(true), without_cache = run(false);
  EXPECT_EQ(with_cache.shape(), (Shape{2, 23}));
  EXPECT_EQ(with_cache.to_vector<int64_t>(), without_cache.to_vector<int64_t>());
  EXPECT_EQ(gpt.cache_length(), 0);  // generate resets the cache
}

// nanoGPT's CPU "baby GPT" (shakespeare_char): per block ln_1 256 + c_attn 128·384+384 + c_proj
// 128·128+128 + ln_2 256 + c_fc 128·512+512 + c_proj 512·128+128 = 198272; four blocks 793088,
// ln_f 256, wte 65·128 = 8320 (lm_head tied: counted once), wpe 64·128 = 8192: 809856 in all,
// 801664 = "0.80M" without the position embeddings, as nanoGPT prints.
TEST(GPT, BabyConfigParameterCount) {
  models::GPT gpt({.vocab_size = 65, .block_size = 64, .n_layer = 4, .n_head = 4, .n_embd = 128});
  EXPECT_EQ(gpt.num_parameters(), 809856);
  EXPECT_EQ(gpt.num_params(), 801664);
  EXPECT_EQ(gpt.num_params(false), 809856);
  // Without biases: 4·(2·128 + 128 + 512 + 128) + 128 fewer (LayerNorm and Linear biases).
  models::GPT nobias({.vocab_size = 65, .block_size = 64, .n_layer = 4, .n_head = 4, .n_embd = 128, .bias = false});
  EXPECT_EQ(nobias.num_parameters(), 809856 - 4 * (2 * 128 + 384 + 128 + 512 + 128) - 128);
  // The head is the token embedding, one tensor.
  EXPECT_TRUE(gpt.lm_head->weight.is_same(gpt.wte->weight));
}

TEST(GPT, InitialisationFollowsNanoGPT) {
  manual_seed(4);
  models::GPT gpt({.vocab_size = 65, .block_size = 64, .n_layer = 8, .n_head = 4, .n_embd = 128});
  auto std_of = [](const Tensor& t) {
    const auto v = t.to_vector<double>();
    double s = 0;
    for (double x : v) s += x * x;
    return std::sqrt(s / static_cast<double>(v.size()));
  };
  EXPECT_NEAR(std_of(gpt.blocks[0]->attn->c_attn->weight), 0.02, 0.001);
  EXPECT_NEAR(std_of(gpt.wpe->weight), 0.02, 0.001);
  EXPECT_NEAR(std_of(gpt.blocks[0]->mlp->c_proj->weight), 0.02 / 4.0, 0.0003);  // 1/√(2·8) = 1/4
  EXPECT_NEAR(std_of(gpt.blocks[0]->attn->c_proj->weight), 0.02 / 4.0, 0.0003);
  EXPECT_EQ(std_of(gpt.blocks[0]->attn->c_attn->bias), 0.0);
}

TEST(GPT, PyTorchParityWithNanoGPTStateDict) {
  static const nabla::testing::ParityFixture fixture("gpt.safetensors");
  struct Case {
    std::string name;
    models::GPTOptions options;
  };
  for (const Case& c : {Case{"gpt_bias", {.vocab_size = 11, .block_size = 8, .n_layer = 2, .n_head = 2, .n_embd = 8}},
                        Case{"gpt_nobias",
                             {.vocab_size = 13, .block_size = 6, .n_layer = 1, .n_head = 4, .n_embd = 8, .bias = false}}}) {
    SCOPED_TRACE(c.name);
    models::GPT gpt(c.options);
    StateDict sd;
    const std::string prefix = c.name + ".sd.";
    for (const auto& [key, t] : fixture.all())
      if (key.rfind(prefix, 0) == 0) sd[key.substr(prefix.size())] = t;
    gpt.load_state_dict(sd);  // strict: the keys are nanoGPT's, lm_head.weight included
    const Tensor logits = gpt(fixture.get(c.name + ".idx"));
    nabla::testing::expect_close_to_scale(logits, fixture.get(c.name + ".logits"), "logits");
    const Tensor loss = nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}),
                                                      fixture.get(c.name + ".targets").reshape({-1}));
    nabla::testing::expect_close_to_scale(loss, fixture.get(c.name + ".loss"), "loss");
    loss.backward();
    int checked = 0;
    for (const auto& [pname, p] : gpt.named_parameters()) {
      nabla::testing::expect_close_to_scale(p.grad(), fixture.get(c.name + ".grad." + pname), "grad " + pname);
      ++checked;
    }
    EXPECT_EQ(checked, c.options.bias ? 4 + 12 * c.options.n_layer : 3 + 6 * c.options.n_layer);
  }
}

TEST(GPT, GradcheckFloat64) {
  manual_seed(5);
  models::GPT gpt({.vocab_size = 7, .block_size = 5, .n_layer = 1, .n_head = 2, .n_embd = 4});
  gpt.to(DType::Float64);
  const Tensor tokens = randint(0, 7, {2, 4});
  auto r = nn::gradcheck_module(gpt, [&](const std::vector<Tensor>&) { return gpt(tokens); }, {});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(GPT, ErrorsNameTheOpAndShapes) {
  models::GPT gpt(tiny());
  EXPECT_NE(error_of([&] { gpt(zeros({2, 13}, DType::Int64)); }).find("GPT.forward: sequence length 13 exceeds block_size 12"),
            std::string::npos);
  EXPECT_NE(error_of([&] { gpt(full({1, 3}, 17, DType::Int64)); }).find("token id 17 is outside the vocabulary [0, 17)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { gpt(full({1, 3}, -1, DType::Int64)); }).find("token id -1"), std::string::npos);
  EXPECT_NE(error_of([&] { gpt(zeros({5}, DType::Int64)); }).find("expected token ids of shape (B, T)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { gpt(zeros({2, 3})); }).find("expected int64 token ids, got float32"), std::string::npos);
  gpt.forward_cached(zeros({2, 3}, DType::Int64));
  EXPECT_NE(error_of([&] { gpt.forward_cached(zeros({3, 1}, DType::Int64)); }).find("holds a batch of 2 sequences"),
            std::string::npos);
  EXPECT_NE(error_of([&] { gpt.forward_cached(zeros({2, 10}, DType::Int64)); })
                .find("cached length 3 + sequence length 10 exceeds block_size 12"),
            std::string::npos);
  EXPECT_NE(error_of([] { models::GPT({.n_head = 5, .n_embd = 16}); }).find("divisible by n_head"), std::string::npos);
}
