// classic::KeyedVectors: cosine neighbours and analogies on hand-made vectors (query words
// excluded), the word2vec text format round trip, files in word2vec.c's layout, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "error_of.h"
#include "nabla/classic/keyed_vectors.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;
using nabla::testing::error_of;

namespace {

// king − man + woman = queen, exactly, in 3-d: (royal, male, female).
KeyedVectors royals() {
  return KeyedVectors({"king", "queen", "man", "woman", "apple"},
                      tensor({{1, 1, 0}, {1, 0, 1}, {0, 1, 0}, {0, 0, 1}, {-1, 0.2, 0.2}}));
}

}  // namespace

TEST(KeyedVectors, MostSimilarByCosineExcludesTheQuery) {
  const KeyedVectors kv = royals();
  const auto n = kv.most_similar("king", 4);
  ASSERT_EQ(n.size(), 4u);
  // cos(king, man) = 1/√2, cos(king, queen) = 1/2, cos(king, woman) = 0, cos(king, apple) < 0.
  EXPECT_EQ(n[0].first, "man");
  EXPECT_NEAR(n[0].second, 1 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(n[1].first, "queen");
  EXPECT_NEAR(n[1].second, 0.5, 1e-6);
  EXPECT_EQ(n[2].first, "woman");
  EXPECT_NEAR(n[2].second, 0.0, 1e-6);
  EXPECT_EQ(n[3].first, "apple");
  EXPECT_NEAR(kv.similarity("king", "apple"), (-1 + 0.2) / (std::sqrt(2.0) * std::sqrt(1.08)), 1e-6);
  EXPECT_EQ(kv.most_similar("king", 100).size(), 4u);
  // similar_by_vector excludes nothing.
  EXPECT_EQ(kv.similar_by_vector(tensor({1, 1, 0}), 1)[0].first, "king");
}

TEST(KeyedVectors, AnalogyIsThreeCosAdd) {
  const KeyedVectors kv = royals();
  const auto r = kv.analogy("man", "king", "woman");  // man : king :: woman : ?
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, "queen");
  // The query is king/√2 − man + woman = (1/√2, 1/√2 − 1, 1); its cosine with queen (1, 0, 1)/√2:
  const double q = std::sqrt(0.5 + std::pow(1 / std::sqrt(2.0) - 1, 2) + 1);
  EXPECT_NEAR(r[0].second, (1 / std::sqrt(2.0) + 1) / (std::sqrt(2.0) * q), 1e-6);
  EXPECT_EQ(kv.most_similar({"king", "woman"}, {"man"}, 1)[0].first, "queen");
}

TEST(KeyedVectors, Word2VecTextFormatRoundTripsExactly) {
  Generator gen(1);
  const Tensor v = randn({6, 7}, DType::Float32, &gen);
  const KeyedVectors kv({"a", "b", "c", "d", "é", "f-g"}, v);
  const std::string path = ::testing::TempDir() + "/vectors.txt";
  kv.save_word2vec_format(path);
  const KeyedVectors back = KeyedVectors::load_word2vec_format(path);
  EXPECT_EQ(back.words(), kv.words());
  EXPECT_EQ(back.vectors().to_vector<float>(), v.to_vector<float>());
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "6 7");
  std::remove(path.c_str());
}

TEST(KeyedVectors, ReadsWord2vecCLayout) {
  // word2vec.c writes a space after the last value; Windows line ends and a final blank line are accepted.
  const KeyedVectors kv = KeyedVectors::parse_word2vec_format("2 3\r\nthe 0.5 -1 2e-1 \r\nof 1 2 3\n\n");
  EXPECT_EQ(kv.words(), (std::vector<std::string>{"the", "of"}));
  EXPECT_EQ(kv.vector("the").to_vector<float>(), (std::vector<float>{0.5f, -1.0f, 0.2f}));
  EXPECT_EQ(KeyedVectors::parse_word2vec_format("0 4\n").size(), 0);
}

TEST(KeyedVectors, MalformedFilesAreErrors) {
  const auto err = [](const std::string& text) {
    return error_of([&] { KeyedVectors::parse_word2vec_format(text, "v.txt"); });
  };
  EXPECT_NE(err("").find("word2vec: v.txt: the file is empty"), std::string::npos);
  EXPECT_NE(err("2\na 1\n").find("line 1: expected a header"), std::string::npos);
  EXPECT_NE(err("1 0\na\n").find("line 1: expected a header"), std::string::npos);
  EXPECT_NE(err("2 2\na 1 2\n").find("announces 2 words but the file has 1 lines"), std::string::npos);
  EXPECT_NE(err("1 2\na 1\n").find("line 2: expected a word and 2 numbers, got 2 fields"), std::string::npos);
  EXPECT_NE(err("1 2\na 1 x\n").find("line 2: value 2 ('x') is not a finite number"), std::string::npos);
  EXPECT_NE(err("1 2\na 1 nan\n").find("is not a finite number"), std::string::npos);
  EXPECT_NE(err("1 2\na 1 1e99\n").find("is not a finite number"), std::string::npos);
  EXPECT_NE(err("2 1\na 1\na 2\n").find("word 'a' appears twice"), std::string::npos);
  // Found by the fuzzer: no words and an absurd dimension once built a (0, 2e18) tensor.
  EXPECT_NE(err("-0 2277777772222222222").find("line 1: 2277777772222222222 dimensions is more than a file of 22 bytes"),
            std::string::npos);
  EXPECT_NE(error_of([] { KeyedVectors::load_word2vec_format("/no/such/file.txt"); }).find("/no/such/file.txt"),
            std::string::npos);
}

TEST(KeyedVectors, Errors) {
  const KeyedVectors kv = royals();
  EXPECT_NE(error_of([&] { kv.most_similar("prince"); }).find("word 'prince' is not in the vocabulary (5 words)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { kv.most_similar("king", 0); }).find("topn must be >= 1, got 0"), std::string::npos);
  EXPECT_NE(error_of([&] { kv.most_similar(std::vector<std::string>{}); }).find("no query words"), std::string::npos);
  EXPECT_NE(error_of([&] { kv.similar_by_vector(tensor({1, 2})); }).find("expected a vector of shape (3), got [2]"),
            std::string::npos);
  EXPECT_NE(error_of([] { KeyedVectors({"a b"}, tensor({{1, 2}})); }).find("contains whitespace"), std::string::npos);
  EXPECT_NE(error_of([] { KeyedVectors({"a", "b"}, tensor({{1, 2}})); }).find("2 words but 1 vectors"), std::string::npos);
  EXPECT_NE(error_of([] { KeyedVectors({"a"}, tensor({1, 2})); }).find("expected vectors of shape (N, D)"), std::string::npos);
  const data::Vocab vocab({"<unk>", "x", "y"}, 1, 0);
  EXPECT_EQ(KeyedVectors::from_vocab(vocab, zeros({3, 2})).words(), (std::vector<std::string>{"x", "y"}));
  EXPECT_NE(error_of([&] { KeyedVectors::from_vocab(vocab, zeros({2, 2})); }).find("expected vectors of shape (3, D)"),
            std::string::npos);
}
