// Vocabularies, word/character tokenizers and byte-level BPE: building, round trips, files.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "error_of.h"
#include "io/io_test_util.h"
#include "nabla/data/bpe.h"
#include "nabla/data/tokenizer.h"
#include "nabla/data/vocab.h"

using namespace nabla;
using nabla::io_test::TempDir;
using nabla::testing::error_of;

namespace {

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

TEST(Vocab, BuildOrdersSpecialsThenFrequencyThenToken) {
  const std::vector<std::vector<std::string>> docs = {{"b", "a", "c", "a"}, {"d", "c", "b", "a", "e", "e"}};
  data::VocabOptions opt;
  opt.specials = {"<pad>", "<unk>"};
  opt.unk = "<unk>";
  const auto v = data::Vocab::build(docs, opt);
  // a:3; b, c, e: 2 (ties by token); d: 1.
  EXPECT_EQ(v.tokens(), (std::vector<std::string>{"<pad>", "<unk>", "a", "b", "c", "e", "d"}));
  EXPECT_EQ(v.unk_id(), 1);
  EXPECT_EQ(v.encode({"a", "zzz", "d", "<pad>"}), (std::vector<int64_t>{2, 1, 6, 0}));
  EXPECT_EQ(v.decode({3, 4}), (std::vector<std::string>{"b", "c"}));
  EXPECT_THROW(v.id_to_token(7), Error);

  opt.min_freq = 2;
  EXPECT_EQ(data::Vocab::build(docs, opt).tokens(), (std::vector<std::string>{"<pad>", "<unk>", "a", "b", "c", "e"}));
  opt.max_size = 4;
  EXPECT_EQ(data::Vocab::build(docs, opt).tokens(), (std::vector<std::string>{"<pad>", "<unk>", "a", "b"}));
}

TEST(Vocab, UnknownTokenWithoutUnkNamesTheToken) {
  const auto v = data::Vocab::build({{"x", "y"}});
  EXPECT_EQ(v.unk_id(), -1);
  EXPECT_NE(error_of([&] { v.encode({"x", "mystery"}); }).find("'mystery'"), std::string::npos);
  data::VocabOptions opt;
  opt.unk = "<unk>";  // not among the specials
  EXPECT_NE(error_of([&] { data::Vocab::build({{"x"}}, opt); }).find("not one of the specials"), std::string::npos);
}

TEST(Vocab, SaveLoadRoundTripAndValidation) {
  TempDir dir;
  data::VocabOptions opt;
  opt.specials = {"<pad>", "<unk>", "<bos>", "<eos>"};
  opt.unk = "<unk>";
  const auto v = data::Vocab::build({{"h\xc3\xa9llo", "w\tor d", "\r", "x", "x"}}, opt);
  const std::string path = dir.file("v.txt");
  v.save(path);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"v.txt"});  // no temporary file left
  const auto w = data::Vocab::load(path);
  EXPECT_EQ(w.tokens(), v.tokens());
  EXPECT_EQ(w.num_specials(), 4);
  EXPECT_EQ(w.unk_id(), 1);

  EXPECT_THROW(data::Vocab({"a\nb"}, 0, -1).save(path), Error);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"nabla-vocab 1 0 -1\na", "newline"},
      {"vocab\na\n", "header"},
      {"nabla-vocab 1 x -1\na\n", "two integers"},
      {"nabla-vocab 1 2 -1\na\n", "num_specials"},
      {"nabla-vocab 1 1 1\na\n", "unk_id"},
      {"nabla-vocab 1 0 -1\na\n\n", "empty"},
      {"nabla-vocab 1 0 -1\na\nb\na\n", "twice"},
  };
  for (const auto& [text, expect] : bad) {
    write_text(path, text);
    const std::string msg = error_of([&] { data::Vocab::load(path); });
    EXPECT_NE(msg.find(expect), std::string::npos) << "file: " << text << " message: " << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
  }
  EXPECT_THROW(data::Vocab::load(dir.file("missing.txt")), Error);
}

TEST(Tokenizer, WordsFollowBasicEnglish) {
  const std::string text = "Don't stop: the (RED) car, said \"Hi!\"<BR />End.\tok?";
  EXPECT_EQ(data::word_tokenize(text), (std::vector<std::string>{"don", "'", "t", "stop", "the", "(", "red", ")",
                                                                 "car", ",", "said", "hi", "!", "end", ".", "ok", "?"}));
  EXPECT_EQ(data::word_tokenize("A;B  C", false), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_TRUE(data::word_tokenize(" \n ").empty());
}

TEST(Tokenizer, CharactersAreUtf8WithInvalidBytesAlone) {
  const std::string text = std::string("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") + "\xff\xc3" + std::string(1, '\0') +
                           "\xed\xa0\x80";  // é € 😀, then invalid: 0xff, a cut 2-byte sequence, NUL, a surrogate
  const auto t = data::char_tokenize(text);
  EXPECT_EQ(t, (std::vector<std::string>{"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3",
                                         std::string(1, '\0'), "\xed", "\xa0", "\x80"}));
  std::string joined;
  for (const auto& s : t) joined += s;
  EXPECT_EQ(joined, text);
}

TEST(Bpe, HandCheckedTinyTraining) {
  // "aaabdaaabac": pairs aa:4 (overlapping), ab:2 -> merge (a,a)=256; then (256,a):2 and (a,b):2 tie,
  // the smaller pair (97,98) wins -> 257; then (256,257):2 -> 258 (Wikipedia's Z, Y, X).
  const auto bpe = data::BpeTokenizer::train("aaabdaaabac", 300);
  EXPECT_EQ(bpe.merges()[0], (std::pair<int64_t, int64_t>{97, 97}));
  EXPECT_EQ(bpe.merges()[1], (std::pair<int64_t, int64_t>{97, 98}));
  EXPECT_EQ(bpe.merges()[2], (std::pair<int64_t, int64_t>{256, 257}));
  EXPECT_EQ(bpe.token_bytes(258), "aaab");
  EXPECT_EQ(data::BpeTokenizer::train("aaabdaaabac", 259).encode("aaabdaaabac"),
            (std::vector<int64_t>{258, 'd', 258, 'a', 'c'}));
  // Every remaining pair occurs once; training stops when no pair is left (one word of 5 ids -> 4 more).
  EXPECT_EQ(bpe.vocab_size(), 256 + 3 + 4);
  EXPECT_EQ(bpe.encode("aaabdaaabac"), (std::vector<int64_t>{262}));
  // Merge 259 is the smallest of the four count-1 pairs, (a, c).
  EXPECT_EQ(bpe.merges()[3], (std::pair<int64_t, int64_t>{97, 99}));
  EXPECT_EQ(bpe.encode("aaab ac"), (std::vector<int64_t>{258, ' ', 259}));
  EXPECT_EQ(data::BpeTokenizer::train("aaabdaaabac", 258).vocab_size(), 258);
  // Merges stay inside words: "ab ab" never merges 'b' with ' '.
  const auto words = data::BpeTokenizer::train("ab ab ab", 260);
  for (const auto& [a, b] : words.merges()) {
    EXPECT_EQ(words.token_bytes(a).find(' ') == std::string::npos, words.token_bytes(b).find(' ') == std::string::npos);
  }
  EXPECT_EQ(words.encode("ab ab"), (std::vector<int64_t>{256, ' ', 256}));
}

TEST(Bpe, RoundTripsRandomBytesAndIsDeterministic) {
  std::mt19937 rng(7);
  std::string corpus;
  const char* words[] = {"the ", "cat ", "sat ", "on ", "mat\n", "\xc3\xa9t\xc3\xa9 ", "  "};
  for (int i = 0; i < 2000; ++i) corpus += words[rng() % 7];
  const auto bpe = data::BpeTokenizer::train(corpus, 300);
  EXPECT_EQ(bpe.merges(), data::BpeTokenizer::train(corpus, 300).merges());
  EXPECT_GT(bpe.vocab_size(), 256 + 10);
  EXPECT_LT(bpe.encode(corpus).size(), corpus.size() / 2);
  for (int trial = 0; trial < 200; ++trial) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = static_cast<char>(trial % 2 ? rng() % 256 : "the cat\0\xff\n "[rng() % 11]);
    const auto ids = bpe.encode(s);
    EXPECT_EQ(bpe.decode(ids), s);
    for (int64_t id : ids) EXPECT_TRUE(id >= 0 && id < bpe.vocab_size());
  }
  EXPECT_THROW(bpe.decode({bpe.vocab_size()}), Error);
  EXPECT_THROW(data::BpeTokenizer::train("abc", 255), Error);
}

TEST(Bpe, SaveLoadRoundTripAndValidation) {
  TempDir dir;
  const auto bpe = data::BpeTokenizer::train("low lower lowest newer wider", 270);
  const std::string path = dir.file("merges.txt");
  bpe.save(path);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"merges.txt"});
  const auto back = data::BpeTokenizer::load(path);
  EXPECT_EQ(back.merges(), bpe.merges());
  EXPECT_EQ(back.encode("lowest wider"), bpe.encode("lowest wider"));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"nabla-bpe 1 0", "newline"},
      {"bpe 1 0\n", "header"},
      {"nabla-bpe 1 -1\n", "header"},
      {"nabla-bpe 1 1\n97 98\n97 99\n", "more merges"},
      {"nabla-bpe 1 2\n97 98\n", "announces 2"},
      {"nabla-bpe 1 1\n97,98\n", "<left id> <right id>"},
      {"nabla-bpe 1 1\n97 -98\n", "<left id> <right id>"},
      {"nabla-bpe 1 1\n97 256\n", "outside [0, 256)"},
      {"nabla-bpe 1 2\n97 98\n97 98\n", "repeats"},
  };
  for (const auto& [text, expect] : bad) {
    write_text(path, text);
    const std::string msg = error_of([&] { data::BpeTokenizer::load(path); });
    EXPECT_NE(msg.find(expect), std::string::npos) << "file: " << text << " message: " << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
  }
}
