#include "nabla/models/char_lstm.h"
#include "nabla/models/lm_registry.h"

#include <gtest/gtest.h>

#include <vector>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/random.h"

using namespace nabla;

namespace {

models::CharLSTMOptions small_options(int64_t vocab = 7) {
  models::CharLSTMOptions o;
  o.vocab_size = vocab;
  o.embedding_dim = 8;
  o.hidden_size = 16;
  o.num_layers = 2;
  o.dropout = 0.1;
  return o;
}

// (B, T) ids drawn uniformly from [0, vocab).
Tensor random_ids(int64_t b, int64_t t, int64_t vocab) { return randint(0, vocab, {b, t}); }

}  // namespace

TEST(CharLSTM, ShapesAndParameterNames) {
  manual_seed(0);
  models::CharLSTM m(small_options());
  const auto names = m.named_parameters();
  EXPECT_EQ(names.front().first, "embedding.weight");
  EXPECT_EQ(names.back().first, "decoder.bias");
  // Embedding 7·8, two LSTM layers 4·16·(8+16+2) and 4·16·(16+16+2), decoder 16·7 + 7.
  EXPECT_EQ(m.num_parameters(), 7 * 8 + 64 * 26 + 64 * 34 + 16 * 7 + 7);
  NoGradGuard no_grad;
  EXPECT_EQ(m.forward(random_ids(3, 5, 7)).shape(), (Shape{3, 5, 7}));
  EXPECT_EQ(m.vocab_size(), 7);
  EXPECT_EQ(m.context_length(), 0);
}

TEST(CharLSTM, CachedPiecesEqualTheWholeSequence) {
  manual_seed(1);
  models::CharLSTM m(small_options());
  m.eval();
  NoGradGuard no_grad;
  const Tensor ids = random_ids(2, 11, 7);
  const Tensor whole = m.forward(ids);
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t len : {1, 4, 1, 5}) {
    pieces.push_back(m.forward_cached(ids.narrow(1, start, len)));
    start += len;
  }
  EXPECT_TRUE(allclose(cat(pieces, 1), whole, 1e-5, 1e-6));
  // reset_cache starts a new sequence: the first piece again.
  m.reset_cache();
  EXPECT_TRUE(allclose(m.forward_cached(ids.narrow(1, 0, 3)), whole.narrow(1, 0, 3), 1e-5, 1e-6));
  // The cached batch size stays until reset_cache.
  EXPECT_THROW(m.forward_cached(random_ids(3, 1, 7)), Error);
}

TEST(CharLSTM, ExplicitStateCarriesAcrossChunksAndDetaches) {
  manual_seed(2);
  models::CharLSTM m(small_options());
  m.eval();
  const Tensor ids = random_ids(2, 8, 7);
  const Tensor whole = m.forward(ids);
  auto [first, s1] = m.forward_state(ids.narrow(1, 0, 3));
  const nn::LSTMState carried = models::detach_state(s1);
  EXPECT_FALSE(carried.first.requires_grad());
  EXPECT_TRUE(s1.first.requires_grad());
  auto [second, s2] = m.forward_state(ids.narrow(1, 3, 5), carried);
  EXPECT_EQ(s2.first.shape(), (Shape{2, 2, 16}));
  EXPECT_TRUE(allclose(cat({first, second}, 1), whole, 1e-5, 1e-6));
  // The second chunk's backward stops at the carried state: the first chunk's graph is untouched.
  sum(second).backward();
  EXPECT_FALSE(s1.first.grad().defined());
}

TEST(CharLSTM, GenerateIsDeterministicForASeed) {
  manual_seed(3);
  models::CharLSTM m(small_options());
  m.eval();
  const Tensor prompt = from_vector(std::vector<int64_t>{1, 2, 3});
  auto run = [&](uint64_t seed, bool cache) {
    Generator gen(seed);
    models::GenerateOptions g;
    g.max_new_tokens = 20;
    g.sampling.temperature = 0.8;
    g.sampling.top_k = 5;
    g.sampling.generator = &gen;
    g.use_cache = cache;
    return models::generate(m, prompt, g);
  };
  const Tensor a = run(42, true);
  EXPECT_EQ(a.shape(), (Shape{23}));
  EXPECT_TRUE(allclose(a, run(42, true), 0, 0));
  EXPECT_TRUE(allclose(a, run(42, false), 0, 0));  // the cache gives the same logits as the full forward
  EXPECT_FALSE(allclose(a, run(43, true), 0, 0));
}

TEST(CharLSTM, LearnsAPeriodicSequence) {
  // The stream 0 1 2 3 4 0 1 2 … : after a few steps every next id is determined, so the loss
  // must fall from ln 5 ≈ 1.61 to near zero, and greedy generation must continue the period.
  manual_seed(4);
  models::CharLSTMOptions o = small_options(5);
  o.dropout = 0;
  models::CharLSTM m(o);
  std::vector<int64_t> stream(8 * 21);
  for (size_t i = 0; i < stream.size(); ++i) stream[i] = static_cast<int64_t>((i * 1) % 5);
  const Tensor all = from_vector(stream, Shape{8, 21});
  const Tensor x = all.narrow(1, 0, 20), y = all.narrow(1, 1, 20);
  optim::Adam opt(m.parameters(), {.lr = 0.02});
  double loss_value = 0;
  for (int step = 0; step < 150; ++step) {
    const Tensor loss = nn::functional::cross_entropy(m.forward(x).reshape({-1, 5}), y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    opt.step();
    loss_value = loss.item<double>();
  }
  EXPECT_LT(loss_value, 0.05);
  m.eval();
  models::GenerateOptions g;
  g.max_new_tokens = 12;
  g.sampling.temperature = 0;
  const Tensor out = models::generate(m, from_vector(std::vector<int64_t>{2, 3}), g);
  for (int64_t i = 0; i < out.size(0); ++i) EXPECT_EQ(out[i].item<int64_t>(), (2 + i) % 5) << "position " << i;
}

TEST(CharLSTM, Errors) {
  models::CharLSTMOptions o;
  EXPECT_THROW(models::CharLSTM{o}, Error);  // vocab_size missing
  o = small_options();
  o.dropout = 1.0;
  EXPECT_THROW(models::CharLSTM{o}, Error);
  models::CharLSTM m(small_options());
  EXPECT_THROW(m.forward(from_vector(std::vector<int64_t>{1, 2})), Error);  // (T), not (B, T)
  EXPECT_THROW(m.forward(randn({2, 3})), Error);                      // not int64
}

TEST(LanguageModelRegistry, BuildsTheCharLstmByName) {
  EXPECT_TRUE(models::is_language_model("char_lstm"));
  EXPECT_FALSE(models::is_language_model("mlp"));
  const auto& e = models::find_language_model("char_lstm");
  EXPECT_EQ(e.batching, models::LMBatching::Bptt);
  auto m = models::create_language_model("char_lstm", 11, {{"hidden_size", int64_t{12}}, {"num_layers", int64_t{1}}});
  auto* lstm = dynamic_cast<models::CharLSTM*>(m.get());
  ASSERT_NE(lstm, nullptr);
  EXPECT_EQ(lstm->options.vocab_size, 11);
  EXPECT_EQ(lstm->options.hidden_size, 12);
  EXPECT_EQ(lstm->options.embedding_dim, 64);  // the default
  EXPECT_THROW(models::create_language_model("char_lstm", 11, {{"hidden_size", std::string("x")}}), Error);
  EXPECT_THROW(models::find_language_model("gpt9"), Error);
  EXPECT_EQ(std::get<int64_t>(models::default_language_model_options().at("num_layers")), 2);
}
