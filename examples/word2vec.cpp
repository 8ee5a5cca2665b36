// Word vectors on Debian's fortunes corpus: word2vec (skip-gram or CBOW) or PPMI + truncated SVD,
// with the training time and the nearest neighbours of a few words.
// Usage: word2vec [sg|cbow|svd] [epochs (word2vec, default 5)] [output .txt (word2vec text format)]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <nabla/classic.h>
#include <nabla/data.h>

using namespace nabla;

namespace {

// One sentence per fortune: the corpus separates fortunes by blank lines.
std::vector<std::vector<std::string>> fortunes_as_sentences() {
  const std::string text = data::read_text_corpus(data::kFortunesDir, true);
  std::vector<std::vector<std::string>> docs;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> words = data::word_tokenize(text.substr(pos, end - pos));
    if (!words.empty()) docs.push_back(std::move(words));
    pos = end + 2;
  }
  return docs;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string method = argc > 1 ? argv[1] : "sg";
  const int64_t epochs = argc > 2 ? std::stoll(argv[2]) : 5;
  if (method != "sg" && method != "cbow" && method != "svd") {
    std::cerr << "usage: word2vec [sg|cbow|svd] [epochs] [output.txt]\n";
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  const auto docs = fortunes_as_sentences();
  // word2vec keeps words seen at least 5 times (gensim's min_count); SVD a dense top-2,000.
  const data::Vocab vocab = data::Vocab::build(
      docs, {.specials = {"<unk>"}, .unk = "<unk>", .min_freq = 5, .max_size = method == "svd" ? 2001 : -1});
  std::vector<std::vector<int64_t>> sentences;
  int64_t tokens = 0;
  for (const auto& d : docs) {
    sentences.push_back(vocab.encode(d));
    tokens += static_cast<int64_t>(d.size());
  }
  std::printf("fortunes: %zu fortunes, %lld tokens, vocabulary %lld words (read and tokenised in %.2f s)\n",
              docs.size(), static_cast<long long>(tokens), static_cast<long long>(vocab.size() - 1), seconds_since(start));

  start = std::chrono::steady_clock::now();
  classic::KeyedVectors kv;
  if (method == "svd") {
    const Tensor counts = classic::cooccurrence_matrix(sentences, vocab.size(), {.window = 5, .skip_below = 1});
    kv = classic::KeyedVectors::from_vocab(vocab, classic::svd_embeddings(classic::ppmi(counts, 0.75), 100));
    std::printf("PPMI (context smoothing 0.75) + truncated SVD, 100 dimensions: %.2f s\n", seconds_since(start));
  } else {
    classic::Word2VecOptions opt;
    opt.arch = method == "sg" ? classic::Word2VecArch::SkipGram : classic::Word2VecArch::CBOW;
    opt.epochs = epochs;
    classic::Word2Vec w2v(opt);
    w2v.fit(sentences, vocab);
    const double s = seconds_since(start);
    std::printf("word2vec %s, 100 dimensions, window 5, 5 negatives, %lld epochs: %.2f s (%.0f words/s trained after subsampling)\n",
                method.c_str(), static_cast<long long>(epochs), s, static_cast<double>(w2v.trained_words()) / s);
    kv = w2v.wv();
  }
  for (const char* word : {"love", "money", "computer", "god", "woman", "war", "beer", "monday"}) {
    if (!kv.contains(word)) continue;
    std::printf("%-9s", word);
    for (const auto& [other, score] : kv.most_similar(word, 6)) std::printf(" %s (%.2f)", other.c_str(), score);
    std::printf("\n");
  }
  if (kv.contains("man") && kv.contains("king") && kv.contains("woman")) {
    std::printf("man : king :: woman :");
    for (const auto& [other, score] : kv.analogy("man", "king", "woman", 3)) std::printf(" %s (%.2f)", other.c_str(), score);
    std::printf("\n");
  }
  if (argc > 3) {
    kv.save_word2vec_format(argv[3]);
    std::printf("saved %lld vectors to %s\n", static_cast<long long>(kv.size()), argv[3]);
  }
  return 0;
}
