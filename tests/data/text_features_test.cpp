// Bag-of-words and TF-IDF, with scikit-learn parity (tools/parity/tfidf.py).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "nabla/data/text_features.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "nn/parity_fixture.h"

using namespace nabla;
using namespace nabla::data;

namespace {

std::vector<std::vector<std::string>> split_docs(const std::vector<std::string>& docs) {
  std::vector<std::vector<std::string>> out;
  for (const auto& d : docs) {
    std::vector<std::string> tokens;
    std::string token;
    std::istringstream in(d);
    while (std::getline(in, token, ' ')) tokens.push_back(token);
    out.push_back(tokens);
  }
  return out;
}

void expect_matrix_near(const Tensor& actual, const Tensor& expected, double tol, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const auto a = actual.to_vector<double>(), b = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << what << " element " << i;
}

}  // namespace

TEST(BagOfWords, CountsAndBinary) {
  const std::vector<std::vector<int64_t>> docs = {{0, 2, 2, 3}, {}, {1, 1, 1}};
  const Tensor counts = bag_of_words(docs, 4);
  EXPECT_EQ(counts.dtype(), DType::Float32);
  EXPECT_EQ(counts.shape(), (Shape{3, 4}));
  EXPECT_EQ(counts.to_vector<float>(), (std::vector<float>{1, 0, 2, 1, 0, 0, 0, 0, 0, 3, 0, 0}));
  EXPECT_EQ(bag_of_words(docs, 4, true).to_vector<float>(), (std::vector<float>{1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(BagOfWords, EqualsTheSumOfOneHotRows) {
  const std::vector<int64_t> ids = {3, 0, 3, 5, 1};
  const Tensor rows = one_hot(from_vector(ids), 6).to(DType::Float32);  // (L, V) one-hot of an id list
  EXPECT_EQ(rows.shape(), (Shape{5, 6}));
  EXPECT_TRUE(allclose(sum(rows, {0}), bag_of_words({ids}, 6).reshape({6})));
}

TEST(BagOfWords, RejectsIdsOutOfRange) {
  EXPECT_THROW(bag_of_words({{0, 4}}, 4), Error);
  EXPECT_THROW(bag_of_words({{-1}}, 4), Error);
  EXPECT_THROW(bag_of_words({{0}}, 0), Error);
}

TEST(Tfidf, SmoothIdfAndL2RowsByHand) {
  // 3 documents; id 0 in all, id 1 in one, id 2 in none.
  const std::vector<std::vector<int64_t>> docs = {{0, 1, 1}, {0}, {0, 0}};
  TfidfVectorizer vec;
  const Tensor x = vec.fit_transform(docs, 3);
  const std::vector<double> idf = {std::log(4.0 / 4.0) + 1, std::log(4.0 / 2.0) + 1, std::log(4.0 / 1.0) + 1};
  for (int t = 0; t < 3; ++t) EXPECT_NEAR(vec.idf()[t], idf[t], 1e-12);
  const double a = 1 * idf[0], b = 2 * idf[1], n = std::sqrt(a * a + b * b);
  expect_matrix_near(x, from_vector(std::vector<double>{a / n, b / n, 0, 1, 0, 0, 1, 0, 0}, Shape{3, 3}), 1e-6, "tfidf");
  EXPECT_EQ(x.dtype(), DType::Float32);
}

TEST(Tfidf, Errors) {
  TfidfVectorizer vec;
  EXPECT_THROW(vec.transform(std::vector<std::vector<int64_t>>{{0}}), Error);  // not fitted
  vec.fit({{0, 1}}, 2);
  EXPECT_THROW(vec.transform(std::vector<std::vector<int64_t>>{{2}}), Error);  // id out of range
  EXPECT_THROW(vec.transform(std::vector<std::vector<std::string>>{{"a"}}), Error);  // fitted on ids
  EXPECT_THROW(vec.fit(std::vector<std::vector<int64_t>>{}, 2), Error);
  TfidfVectorizer raw({.smooth_idf = false});
  EXPECT_THROW(raw.fit({{0}}, 2), Error);  // id 1 has df = 0: infinite idf
}

TEST(Tfidf, MatchesScikitLearn) {
  // The documents and configurations of tools/parity/tfidf.py.
  const auto train = split_docs({"the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the the the end",
                                 "mat log mat log cat"});
  const auto test = split_docs({"the cat and the bird", "unknown words only", "dog dog dog mat"});
  const std::vector<std::pair<std::string, TfidfOptions>> configs = {
      {"default", {}},
      {"sublinear_l1", {.norm = TfidfNorm::L1, .sublinear_tf = true}},
      {"raw_idf_no_norm", {.norm = TfidfNorm::None, .smooth_idf = false}},
      {"no_idf", {.use_idf = false}},
  };
  const nabla::testing::ParityFixture fx("tfidf.safetensors");
  for (const auto& [name, options] : configs) {
    TfidfVectorizer vec(options);
    expect_matrix_near(vec.fit_transform(train), fx.get(name + ".train"), 1e-6, name + ".train");
    expect_matrix_near(vec.transform(test), fx.get(name + ".test"), 1e-6, name + ".test");
    if (options.use_idf)
      expect_matrix_near(from_vector(vec.idf()), fx.get(name + ".idf"), 1e-12, name + ".idf");
    EXPECT_EQ(vec.vocabulary().id_to_token(0), "a");
  }
}
