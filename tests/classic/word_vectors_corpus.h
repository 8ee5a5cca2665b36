#pragma once
// Synthetic corpora with planted structure for the word-vector tests.
#include <string>
#include <vector>

#include "nabla/data/vocab.h"
#include "nabla/random.h"

namespace nabla::testing {

/// Sentences over a vocabulary, and the vocabulary (specials "<pad>", "<unk>" first).
struct SyntheticCorpus {
  std::vector<std::vector<int64_t>> sentences;
  data::Vocab vocab;
};

/// Builds a corpus from sentences of words, specials "<pad>" and "<unk>" first.
inline SyntheticCorpus encode_corpus(const std::vector<std::vector<std::string>>& docs) {
  SyntheticCorpus c;
  c.vocab = data::Vocab::build(docs, {.specials = {"<pad>", "<unk>"}, .unk = "<unk>"});
  for (const auto& d : docs) c.sentences.push_back(c.vocab.encode(d));
  return c;
}

/// `topics` topics of `per_topic` words ("t<k>w<i>"); each sentence holds 8 words of one topic
/// drawn at random, with the filler word "the" between each pair. Words of a topic share every
/// context, so their nearest neighbours must be the words of their topic.
inline SyntheticCorpus topic_corpus(int topics, int per_topic, int sentences, uint64_t seed) {
  Generator gen(seed);
  std::vector<std::vector<std::string>> docs;
  for (int s = 0; s < sentences; ++s) {
    const int t = static_cast<int>(gen.next_u64() % static_cast<uint64_t>(topics));
    std::vector<std::string> d;
    for (int k = 0; k < 8; ++k) {
      d.push_back("t" + std::to_string(t) + "w" + std::to_string(gen.next_u64() % static_cast<uint64_t>(per_topic)));
      d.push_back("the");
    }
    docs.push_back(d);
  }
  return encode_corpus(docs);
}

/// A planted analogy: words "r<i>g<j>" (role i of `roles`, gender j of 2) appear with two role
/// markers "role<i>_<k>" and two gender markers "gender<j>_<k>" (k of 3), in random order; so
/// r0g0 : r0g1 :: r<i>g0 : r<i>g1.
inline SyntheticCorpus analogy_corpus(int roles, int sentences, uint64_t seed) {
  Generator gen(seed);
  const auto pick = [&](int n) { return static_cast<int>(gen.next_u64() % static_cast<uint64_t>(n)); };
  std::vector<std::vector<std::string>> docs;
  for (int s = 0; s < sentences; ++s) {
    const int i = pick(roles), j = pick(2);
    std::vector<std::string> d = {"r" + std::to_string(i) + "g" + std::to_string(j)};
    for (int k = 0; k < 2; ++k) {
      d.push_back("role" + std::to_string(i) + "_" + std::to_string(pick(3)));
      d.push_back("gender" + std::to_string(j) + "_" + std::to_string(pick(3)));
    }
    for (size_t a = d.size(); a-- > 1;) std::swap(d[a], d[static_cast<size_t>(pick(static_cast<int>(a) + 1))]);
    docs.push_back(d);
  }
  return encode_corpus(docs);
}

}  // namespace nabla::testing
