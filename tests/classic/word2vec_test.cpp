// classic::Word2Vec: planted structure is recovered by skip-gram and CBOW (topic neighbours, an
// analogy), the noise table and subsampling follow their formulas, seeds reproduce, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "classic/word_vectors_corpus.h"
#include "error_of.h"
#include "nabla/classic/word2vec.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;
using nabla::testing::error_of;

namespace {

// Share of the top-(per_topic − 1) neighbours of every topic word that belong to its topic.
double topic_precision(const KeyedVectors& kv, int topics, int per_topic) {
  int hits = 0, total = 0;
  for (int t = 0; t < topics; ++t)
    for (int w = 0; w < per_topic; ++w) {
      const std::string word = "t" + std::to_string(t) + "w" + std::to_string(w);
      // "the" may be among the neighbours; ask for one more and skip it.
      int taken = 0;
      for (const auto& [other, score] : kv.most_similar(word, per_topic)) {
        if (other == "the" || taken == per_topic - 1) continue;
        hits += other.rfind("t" + std::to_string(t) + "w", 0) == 0;
        ++total;
        ++taken;
      }
    }
  return static_cast<double>(hits) / total;
}

// Of the analogies r0g0 : r0g1 :: r<i>g0 : ? (and the reverse), how many give r<i>g1 (r<i>g0).
int analogies_solved(const KeyedVectors& kv, int roles) {
  int solved = 0;
  for (int i = 1; i < roles; ++i) {
    const std::string r = "r" + std::to_string(i);
    solved += kv.analogy("r0g0", "r0g1", r + "g0")[0].first == r + "g1";
    solved += kv.analogy("r0g1", "r0g0", r + "g1")[0].first == r + "g0";
  }
  return solved;
}

}  // namespace

TEST(Word2Vec, SkipGramPutsWordsSharingContextsTogether) {
  const auto c = nabla::testing::topic_corpus(5, 8, 2000, 1);
  Word2Vec w2v({.arch = Word2VecArch::SkipGram, .vector_size = 32, .window = 3, .epochs = 5, .seed = 3});
  const KeyedVectors kv = w2v.fit(c.sentences, c.vocab).wv();
  EXPECT_EQ(kv.size(), c.vocab.size() - 2);  // specials left out
  EXPECT_GE(topic_precision(kv, 5, 8), 0.95);
}

TEST(Word2Vec, CbowPutsWordsSharingContextsTogether) {
  const auto c = nabla::testing::topic_corpus(5, 8, 2000, 2);
  Word2Vec w2v({.arch = Word2VecArch::CBOW, .vector_size = 32, .window = 3, .epochs = 10, .seed = 4});
  EXPECT_GE(topic_precision(w2v.fit(c.sentences, c.vocab).wv(), 5, 8), 0.95);
}

TEST(Word2Vec, SkipGramAndCbowSolveAPlantedAnalogy) {
  const auto c = nabla::testing::analogy_corpus(5, 4000, 5);
  Word2Vec sg({.arch = Word2VecArch::SkipGram, .vector_size = 32, .window = 4, .sample = 0, .epochs = 10, .seed = 6});
  EXPECT_GE(analogies_solved(sg.fit(c.sentences, c.vocab).wv(), 5), 7);
  Word2Vec cbow({.arch = Word2VecArch::CBOW, .vector_size = 32, .window = 4, .sample = 0, .epochs = 20, .seed = 6});
  EXPECT_GE(analogies_solved(cbow.fit(c.sentences, c.vocab).wv(), 5), 7);
}

TEST(Word2Vec, LossFallsAndSeedsReproduce) {
  const auto c = nabla::testing::topic_corpus(4, 6, 500, 7);
  const Word2VecOptions o{.arch = Word2VecArch::SkipGram, .vector_size = 16, .epochs = 4, .compute_loss = true, .seed = 9};
  Word2Vec a(o), b(o);
  a.fit(c.sentences, c.vocab);
  b.fit(c.sentences, c.vocab);
  EXPECT_EQ(a.vectors().to_vector<float>(), b.vectors().to_vector<float>());
  ASSERT_EQ(a.epoch_losses().size(), 4u);
  EXPECT_LT(a.epoch_losses().back(), 0.8 * a.epoch_losses().front());
  Word2VecOptions other = o;
  other.seed = 10;
  EXPECT_NE(Word2Vec(other).fit(c.sentences, c.vocab).vectors().to_vector<float>(), a.vectors().to_vector<float>());
  EXPECT_TRUE(Word2Vec().fit(c.sentences, c.vocab).epoch_losses().empty());
}

TEST(Word2Vec, NoiseDistributionIsUnigramToThePower075) {
  const std::vector<int64_t> counts = {100, 10, 0, 1000, 1, 0};
  const NoiseDistribution noise(counts, 0.75);
  double z = 0;
  for (int64_t c : counts) z += std::pow(static_cast<double>(c), 0.75) * (c > 0);
  std::vector<int64_t> drawn(counts.size(), 0);
  Generator gen(11);
  const int n = 200000;
  for (int i = 0; i < n; ++i) ++drawn[noise.sample(static_cast<uint32_t>(gen.next_u64() >> 32))];
  for (size_t w = 0; w < counts.size(); ++w) {
    const double p = counts[w] > 0 ? std::pow(static_cast<double>(counts[w]), 0.75) / z : 0.0;
    EXPECT_NEAR(noise.probability(static_cast<int64_t>(w)), p, 1e-9) << "word " << w;
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(drawn[w], n * p, 5 * sd + 1e-9) << "word " << w;
  }
  EXPECT_EQ(drawn[2] + drawn[5], 0);
  EXPECT_EQ(noise.sample(0), 0);
  EXPECT_EQ(noise.sample(0xffffffffu), 4);  // the last word with a positive count
  // Exponent 0: uniform over the words that occur.
  EXPECT_NEAR(NoiseDistribution(counts, 0.0).probability(3), 0.25, 1e-9);
}

TEST(Word2Vec, SubsamplingFollowsMikolovsFormula) {
  // t·T = 1e-3 · 10000 = 10: a word seen 1000 times is kept with (√(1000/10) + 1)·10/1000 = 0.11.
  const std::vector<int64_t> counts = {0, 1000, 100, 10, 8890};
  const std::vector<double> keep = keep_probabilities(counts, 1e-3);
  EXPECT_DOUBLE_EQ(keep[1], (std::sqrt(100.0) + 1) * 10 / 1000);
  EXPECT_DOUBLE_EQ(keep[2], (std::sqrt(10.0) + 1) * 10 / 100);
  EXPECT_DOUBLE_EQ(keep[3], 1.0);  // (1 + 1)·10/10 = 2, capped
  EXPECT_DOUBLE_EQ(keep_probabilities(counts, 0)[4], 1.0);

  // Words actually trained match Σ count · keep per epoch.
  const auto c = nabla::testing::topic_corpus(4, 6, 3000, 12);
  const int64_t epochs = 3;
  Word2Vec w2v({.vector_size = 8, .sample = 1e-2, .epochs = epochs, .seed = 13});
  w2v.fit(c.sentences, c.vocab);
  const std::vector<double> p = keep_probabilities(w2v.counts(), 1e-2);
  double expected = 0;
  for (size_t w = 0; w < p.size(); ++w) expected += static_cast<double>(w2v.counts()[w]) * p[w];
  EXPECT_LT(p[static_cast<size_t>(c.vocab.token_to_id("the"))], 0.25);
  EXPECT_NEAR(static_cast<double>(w2v.trained_words()) / epochs, expected, 0.01 * expected);
}

TEST(Word2Vec, SpecialsAreSkipped) {
  auto c = nabla::testing::topic_corpus(2, 4, 200, 14);
  const int64_t unk = c.vocab.unk_id();
  for (auto& s : c.sentences) s.insert(s.begin() + 1, unk);
  Word2Vec w2v({.vector_size = 8, .epochs = 1});
  w2v.fit(c.sentences, c.vocab);
  EXPECT_EQ(w2v.counts()[static_cast<size_t>(unk)], 0);
  EXPECT_EQ(w2v.counts()[static_cast<size_t>(c.vocab.token_to_id("the"))], 200 * 8);
  EXPECT_FALSE(w2v.wv().contains("<unk>"));
}

TEST(Word2Vec, Errors) {
  const auto c = nabla::testing::topic_corpus(2, 4, 10, 15);
  EXPECT_NE(error_of([&] { Word2Vec().fit({{2, 3, 99}}, c.vocab); }).find("sentence 0 position 2 has id 99, outside the vocabulary [0, "),
            std::string::npos);
  EXPECT_NE(error_of([&] { Word2Vec().fit({{0, 1, 0}}, c.vocab); }).find("no words besides special tokens"), std::string::npos);
  EXPECT_NE(error_of([] { Word2Vec({.vector_size = 0}); }).find("vector_size must be >= 1, got 0"), std::string::npos);
  EXPECT_NE(error_of([] { Word2Vec({.window = 0}); }).find("window must be >= 1"), std::string::npos);
  EXPECT_NE(error_of([] { Word2Vec({.negative = 0}); }).find("negative must be >= 1"), std::string::npos);
  EXPECT_NE(error_of([] { Word2Vec({.alpha = 0.01, .min_alpha = 0.1}); }).find("min_alpha <= alpha"), std::string::npos);
  EXPECT_NE(error_of([] { Word2Vec().vectors(); }).find("call fit() first"), std::string::npos);
  EXPECT_NE(error_of([] { NoiseDistribution({0, 0}, 0.75); }).find("every count is 0"), std::string::npos);
}
