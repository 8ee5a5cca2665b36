// classic::cooccurrence_matrix, ppmi and svd_embeddings: worked examples by hand, planted topic
// neighbours and a planted analogy recovered by PPMI + truncated SVD, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "classic/word_vectors_corpus.h"
#include "error_of.h"
#include "nabla/classic/cooccurrence.h"
#include "nabla/classic/decomposition.h"
#include "nabla/classic/keyed_vectors.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;
using nabla::testing::error_of;

TEST(Cooccurrence, WorkedExampleWithDistanceWeighting) {
  // Sentence 0 1 2 0, window 2, weight 1/d: (0,1) d1, (0,2) d2, (1,2) d1, (1,0) d2, (2,0) d1.
  const Tensor x = cooccurrence_matrix({{0, 1, 2, 0}}, 3, {.window = 2, .distance_weighting = true});
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{0, 1.5, 1.5, 1.5, 0, 1, 1.5, 1, 0}));
  // Window 3 also pairs the two 0s (distance 3): both occurrences see each other.
  const Tensor y = cooccurrence_matrix({{0, 1, 2, 0}, {2}}, 3, {.window = 3});
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{2, 2, 2, 2, 0, 1, 2, 1, 0}));
  // Specials (ids below skip_below) take no positions: 1 and 2 become neighbours across the 0.
  const Tensor z = cooccurrence_matrix({{1, 0, 2}}, 3, {.window = 1, .skip_below = 1});
  EXPECT_EQ(z.to_vector<double>(), (std::vector<double>{0, 0, 0, 0, 0, 1, 0, 1, 0}));
}

TEST(Cooccurrence, PpmiWorkedExample) {
  // X = [[2, 1], [0, 1]]: total 4, rows 3, 1, columns 2, 2.
  const Tensor x = tensor({{2, 1}, {0, 1}}, DType::Float64);
  const std::vector<double> p = ppmi(x).to_vector<double>();
  EXPECT_NEAR(p[0], std::log((2.0 / 4) / (0.75 * 0.5)), 1e-12);
  EXPECT_EQ(p[1], 0.0);  // log(2/3) < 0
  EXPECT_EQ(p[2], 0.0);  // zero count
  EXPECT_NEAR(p[3], std::log(2.0), 1e-12);
  // Smoothed contexts, α = 0.75: P_α(j) = c_j^α / Σ c^α; with equal columns it is still 1/2.
  EXPECT_NEAR(ppmi(x, 0.75).to_vector<double>()[3], std::log(2.0), 1e-12);
  const Tensor u = tensor({{1, 3}, {1, 1}}, DType::Float64);  // columns 2, 4
  const double pc0 = std::pow(2.0, 0.75) / (std::pow(2.0, 0.75) + std::pow(4.0, 0.75));
  EXPECT_NEAR(ppmi(u, 0.75).to_vector<double>()[2], std::log((1.0 / 6) / ((2.0 / 6) * pc0)), 1e-12);
}

TEST(Cooccurrence, SvdEmbeddingsAreScaledLeftSingularVectors) {
  Generator gen(3);
  const Tensor m = randn({6, 5}, DType::Float64, &gen);
  const SVDResult r = svd(m);
  const Tensor e = svd_embeddings(m, 2, 1.0);
  ASSERT_EQ(e.shape(), (Shape{6, 2}));
  EXPECT_TRUE(allclose(e, r.U.slice(1, 0, 2) * r.S.slice(0, 0, 2).unsqueeze(0), 1e-9, 1e-12));
  EXPECT_TRUE(allclose(svd_embeddings(m, 3, 0.0), r.U.slice(1, 0, 3), 1e-9, 1e-12));
}

TEST(Cooccurrence, PpmiSvdRecoversTopicsAndAnAnalogy) {
  const auto c = nabla::testing::topic_corpus(5, 8, 2000, 21);
  const Tensor x = cooccurrence_matrix(c.sentences, c.vocab.size(), {.window = 3, .skip_below = 2});
  const KeyedVectors kv = KeyedVectors::from_vocab(c.vocab, svd_embeddings(ppmi(x, 0.75), 10));
  int hits = 0, total = 0;
  for (int t = 0; t < 5; ++t)
    for (int w = 0; w < 8; ++w)
      for (const auto& [other, score] : kv.most_similar("t" + std::to_string(t) + "w" + std::to_string(w), 7)) {
        hits += other.rfind("t" + std::to_string(t) + "w", 0) == 0;
        ++total;
      }
  EXPECT_GE(static_cast<double>(hits) / total, 0.95);

  const auto a = nabla::testing::analogy_corpus(5, 4000, 22);
  const Tensor y = cooccurrence_matrix(a.sentences, a.vocab.size(), {.window = 4, .skip_below = 2});
  const KeyedVectors av = KeyedVectors::from_vocab(a.vocab, svd_embeddings(ppmi(y), 12));
  for (int i = 1; i < 5; ++i) {
    const std::string r = "r" + std::to_string(i);
    EXPECT_EQ(av.analogy("r0g0", "r0g1", r + "g0")[0].first, r + "g1");
    EXPECT_EQ(av.analogy("r0g1", "r0g0", r + "g1")[0].first, r + "g0");
  }
}

TEST(Cooccurrence, Errors) {
  EXPECT_NE(error_of([] { cooccurrence_matrix({{0, 5}}, 3); }).find("sentence 0 position 1 has id 5, outside the vocabulary [0, 3)"),
            std::string::npos);
  EXPECT_NE(error_of([] { cooccurrence_matrix({{0}}, 3, {.window = 0}); }).find("window must be >= 1"), std::string::npos);
  EXPECT_NE(error_of([] { ppmi(zeros({2, 2}, DType::Float64)); }).find("ppmi: every count is 0"), std::string::npos);
  EXPECT_NE(error_of([] { ppmi(tensor({{1, -1}})); }).find("counts must be finite and >= 0, got -1 at [0, 1]"), std::string::npos);
  EXPECT_NE(error_of([] { ppmi(zeros({3})); }).find("ppmi: expected counts of shape (N, D)"), std::string::npos);
  EXPECT_NE(error_of([] { svd_embeddings(zeros({3, 2}), 3); }).find("dim must be in [1, 2]"), std::string::npos);
}
