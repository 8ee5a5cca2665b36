#pragma once
// Word vectors with lookups by cosine similarity (gensim's KeyedVectors): nearest neighbours,
// analogies, and the word2vec text format.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nabla/data/vocab.h"
#include "nabla/tensor.h"

namespace nabla::classic {

/// A word and its cosine similarity to a query.
using WordScore = std::pair<std::string, double>;

/// One float32 vector per word. Queries compare unit-normalised vectors, as gensim does.
class KeyedVectors {
 public:
  KeyedVectors() = default;
  /// `words` (distinct, non-empty, no whitespace) and their vectors (N, D) float32/float64, N = words.size().
  KeyedVectors(std::vector<std::string> words, const Tensor& vectors);
  /// The rows of `vectors` (V, D) for the tokens of `vocab` (V = vocab.size()), specials left out.
  static KeyedVectors from_vocab(const data::Vocab& vocab, const Tensor& vectors);

  /// Number of words.
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  /// Dimension of the vectors.
  int64_t vector_size() const { return dim_; }
  const std::vector<std::string>& words() const { return words_; }
  /// All vectors (N, D) float32 (a copy).
  Tensor vectors() const;
  bool contains(const std::string& word) const { return index_.count(word) != 0; }
  /// Row of `word`; Error naming it when it is not a known word.
  int64_t index(const std::string& word) const;
  /// The vector of `word` (D,) float32.
  Tensor vector(const std::string& word) const;
  /// Cosine similarity of two words.
  double similarity(const std::string& a, const std::string& b) const;

  /// The `topn` words closest by cosine to the mean of the unit vectors of `positive` minus those
  /// of `negative` (gensim's most_similar); the query words themselves are excluded.
  std::vector<WordScore> most_similar(const std::vector<std::string>& positive,
                                      const std::vector<std::string>& negative = {}, int64_t topn = 10) const;
  /// The `topn` nearest neighbours of `word`, itself excluded.
  std::vector<WordScore> most_similar(const std::string& word, int64_t topn = 10) const;
  /// The `topn` words closest by cosine to the vector `v` (D,), nothing excluded.
  std::vector<WordScore> similar_by_vector(const Tensor& v, int64_t topn = 10) const;
  /// a : b :: c : ? — most_similar({b, c}, {a}, topn) (3CosAdd), a, b and c excluded.
  std::vector<WordScore> analogy(const std::string& a, const std::string& b, const std::string& c,
                                 int64_t topn = 1) const;

  /// Writes the word2vec text format: a line "N D", then per word a line "word v1 … vD" with the
  /// shortest decimal form that reads back to the same float32. The file is replaced atomically.
  void save_word2vec_format(const std::string& path) const;
  /// Reads the word2vec text format; Error naming the file and line for a malformed one.
  static KeyedVectors load_word2vec_format(const std::string& path);
  /// Parses the text of a word2vec text file (`name` is used in error messages).
  static KeyedVectors parse_word2vec_format(const std::string& text, const std::string& name = "<memory>");

 private:
  KeyedVectors(std::vector<std::string> words, std::vector<float> data, int64_t dim, const char* op);
  std::vector<WordScore> nearest(const std::vector<double>& query, const std::vector<int64_t>& exclude,
                                 int64_t topn, const char* op) const;

  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> index_;
  std::vector<float> data_;  // (N, D) row-major
  std::vector<float> unit_;  // rows scaled to unit norm (zero rows stay zero)
  int64_t dim_ = 0;
};

}  // namespace nabla::classic
