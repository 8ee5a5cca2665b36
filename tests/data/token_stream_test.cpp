// TokenStream blocks, random batches and the train/validation split.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "nabla/data/bpe.h"
#include "nabla/data/text.h"
#include "nabla/data/token_stream.h"
#include "nabla/error.h"

using namespace nabla;
using namespace nabla::data;

namespace {
std::vector<int64_t> iota_ids(int64_t n, int64_t first = 100) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}
}  // namespace

TEST(TokenStream, BlocksAreShiftedByOne) {
  TokenStream ds(iota_ids(11), 4);  // blocks start at 0, 4; a third would need ids up to 12
  ASSERT_EQ(ds.size(), 2);
  const Example e = ds.get(1);
  EXPECT_EQ(e.input.shape(), (Shape{4}));
  EXPECT_EQ(e.input.dtype(), DType::Int64);
  EXPECT_EQ(e.input.to_vector<int64_t>(), (std::vector<int64_t>{104, 105, 106, 107}));
  EXPECT_EQ(e.target.to_vector<int64_t>(), (std::vector<int64_t>{105, 106, 107, 108}));
  EXPECT_THROW(ds.get(2), Error);
}

TEST(TokenStream, StrideAndBatch) {
  TokenStream ds(iota_ids(10, 0), 3, 2);  // starts 0, 2, 4, 6
  ASSERT_EQ(ds.size(), 4);
  Batch b;
  ASSERT_TRUE(ds.get_batch({3, 0}, b));
  EXPECT_EQ(b.input.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.input.to_vector<int64_t>(), (std::vector<int64_t>{6, 7, 8, 0, 1, 2}));
  EXPECT_EQ(b.target.to_vector<int64_t>(), (std::vector<int64_t>{7, 8, 9, 1, 2, 3}));
  EXPECT_THROW(ds.get_batch({4}, b), Error);
}

TEST(TokenStream, RandomBatchIsDeterministicAndInRange) {
  TokenStream ds(iota_ids(50, 0), 8);
  Generator g1(7), g2(7), g3(8);
  const Batch a = ds.random_batch(16, g1), b = ds.random_batch(16, g2), c = ds.random_batch(16, g3);
  EXPECT_EQ(a.input.to_vector<int64_t>(), b.input.to_vector<int64_t>());
  EXPECT_NE(a.input.to_vector<int64_t>(), c.input.to_vector<int64_t>());
  const auto in = a.input.to_vector<int64_t>(), tg = a.target.to_vector<int64_t>();
  for (int64_t r = 0; r < 16; ++r) {
    const int64_t start = in[r * 8];
    EXPECT_GE(start, 0);
    EXPECT_LE(start, 50 - 8 - 1);
    for (int64_t k = 0; k < 8; ++k) {
      EXPECT_EQ(in[r * 8 + k], start + k);
      EXPECT_EQ(tg[r * 8 + k], start + k + 1);
    }
  }
}

TEST(TokenStream, Errors) {
  EXPECT_THROW(TokenStream(iota_ids(4), 4), Error);  // needs block_size + 1 ids
  EXPECT_THROW(TokenStream(iota_ids(10), 0), Error);
  EXPECT_THROW(TokenStream(iota_ids(10), 2, -1), Error);
  TokenStream ds(iota_ids(10), 2);
  Generator g(0);
  EXPECT_THROW(ds.random_batch(0, g), Error);
}

TEST(SplitTokens, ContiguousTail) {
  const auto ids = iota_ids(1003, 0);
  const auto [train, val] = split_tokens(ids, 0.1);
  EXPECT_EQ(train.size(), 902u);  // ⌊1003 · 0.9⌋, as nanoGPT's int(n * 0.9)
  EXPECT_EQ(val.size(), 101u);
  EXPECT_EQ(train.front(), 0);
  EXPECT_EQ(train.back(), 901);
  EXPECT_EQ(val.front(), 902);
  EXPECT_EQ(val.back(), 1002);
  EXPECT_EQ(split_tokens(ids, 0.0).second.size(), 0u);
  EXPECT_THROW(split_tokens(ids, 1.0), Error);
  EXPECT_THROW(split_tokens(ids, -0.1), Error);
}

TEST(TokenStream, OverBpeIdsDecodesBackToTheText) {
  const std::string text = "the quick brown fox jumps over the lazy dog; the dog sleeps. ";
  std::string corpus;
  for (int i = 0; i < 20; ++i) corpus += text;
  const BpeTokenizer bpe = BpeTokenizer::train(corpus, 300);
  const auto [train, val] = split_tokens(bpe.encode(corpus), 0.1);
  TokenStream ds(train, 16);
  const Example e = ds.get(ds.size() - 1);
  // The block is a contiguous piece of the text.
  const std::string piece = bpe.decode(e.input.to_vector<int64_t>());
  EXPECT_NE(corpus.find(piece), std::string::npos);
  EXPECT_EQ(bpe.decode(train) + bpe.decode(val), corpus);
}

TEST(TokenStream, FortunesCharacterStream) {
  if (!std::filesystem::is_directory(kFortunesDir)) GTEST_SKIP() << "fortunes is not installed";
  const std::string text = read_text_corpus(kFortunesDir, true);
  const CharVocab vocab(text);
  const auto [train, val] = split_tokens(vocab.encode(text), 0.1);
  EXPECT_EQ(train.size() + val.size(), text.size());
  TokenStream ds(train, 256);
  EXPECT_EQ(ds.size(), (static_cast<int64_t>(train.size()) - 257) / 256 + 1);
  EXPECT_EQ(vocab.decode(ds.get(3).input.to_vector<int64_t>()), text.substr(3 * 256, 256));
}
